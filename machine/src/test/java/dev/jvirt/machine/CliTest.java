package dev.jvirt.machine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets one line on stderr, no stack trace, and the documented exit status. */
class CliTest {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) { }

    static Result jvirt(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLineError(Result r, int status, String fragment) {
        assertEquals(status, r.status(), r.err());
        String[] lines = r.err().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("jvirt: "), r.err());
        assertTrue(last.contains(fragment), "expected '" + fragment + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), "stack trace in: " + r.err());
        assertFalse(r.err().contains("Exception"), "exception name in: " + r.err());
    }

    @Test
    void unknownOptionIsAUsageErrorWithStatus2() {
        assertOneLineError(jvirt("-frobnicate"), 2, "unknown option -frobnicate");
    }

    @Test
    void knownButUnbuiltOptionSaysSo() {
        assertOneLineError(jvirt("-drive", "file=x.img"), 1, "-drive is a QEMU option that jvirt does not build yet");
    }

    @Test
    void zeroRamIsRefused() {
        assertOneLineError(jvirt("-m", "0"), 1, "at least 1 MiB");
    }

    @Test
    void ramLargerThanTheHostCanMapIsRefused() {
        assertOneLineError(jvirt("-accel", "interp", "-m", "4000T"), 1, "cannot map");
    }

    @Test
    void badSizeIsRefused() {
        assertOneLineError(jvirt("-m", "lots"), 1, "not a size");
    }

    @Test
    void missingKernelFileIsRefused() {
        assertOneLineError(jvirt("-kernel", tmp.resolve("nope").toString()), 1, "no such file");
    }

    @Test
    void unreadableKernelFileIsRefused() throws IOException {
        Path k = Files.write(tmp.resolve("k"), new byte[16]);
        assertTrue(k.toFile().setReadable(false, false));
        if (Files.isReadable(k)) return; // root reads everything: nothing to check
        assertOneLineError(jvirt("-kernel", k.toString()), 1, "permission denied");
    }

    @Test
    void fileThatIsNoKernelImageIsRefused() throws IOException {
        Path k = Files.write(tmp.resolve("notes.txt"), "just some text\n".repeat(100).getBytes(StandardCharsets.US_ASCII));
        assertOneLineError(jvirt("-accel", "interp", "-kernel", k.toString()), 1, "not a multiboot or Linux kernel image");
    }

    @Test
    void guestLargerThanRamIsRefused() throws IOException {
        Path demo = DemoRuns.demoImage(tmp);
        assertOneLineError(jvirt("-accel", "interp", "-m", "1", "-kernel", demo.toString()), 1, "outside guest RAM");
    }

    @Test
    void unknownDeviceIsRefused() {
        assertOneLineError(jvirt("-device", "sound-blaster"), 1, "unknown or not yet built device");
    }

    @Test
    void unknownDeviceProperty() {
        assertOneLineError(jvirt("-device", "isa-debug-exit,iobas=0xf4"), 1, "unknown property 'iobas'");
    }

    @Test
    void unknownAccelerator() {
        assertOneLineError(jvirt("-accel", "hvf"), 1, "unknown accelerator");
    }

    @Test
    void tcgIsNotBuiltYet() {
        assertOneLineError(jvirt("-accel", "tcg"), 1, "not built yet");
    }

    @Test
    void helpListsTheOptions() {
        Result r = jvirt("-help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("-accel"), r.out());
        assertTrue(r.out().contains("-no-reboot"), r.out());
    }

    @Test
    void q35IsNotBuiltYet() {
        assertOneLineError(jvirt("-machine", "q35"), 1, "-machine q35 is not built yet");
    }

    @Test
    void rtcBaseMustBeADate() {
        assertOneLineError(jvirt("-rtc", "base=yesterday"), 1, "expected utc, localtime or a date");
    }

    @Test
    void rtcBaseDateIsUtcEpochSeconds() {
        assertEquals(1767225600L, MachineConfig.rtcBase("base=2026-01-01T00:00:00"));
        assertEquals(1767225600L, MachineConfig.rtcBase("base=2026-01-01,clock=vm"));
    }

    @Test
    void unknownCpuModelListsTheKnownOnes() {
        assertOneLineError(jvirt("-accel", "interp", "-cpu", "skylake-x"), 1, "-cpu skylake-x: unknown CPU model skylake-x (known: qemu64, qemu32, Nehalem,");
    }

    @Test
    void cpuHostNeedsKvm() {
        assertOneLineError(jvirt("-accel", "interp", "-cpu", "host"), 1, "-cpu host: host is only meaningful with KVM");
    }

    @Test
    void unknownCpuFeatureIsRefused() {
        assertOneLineError(jvirt("-accel", "interp", "-cpu", "qemu32,+warp"), 1, "unknown CPU feature warp");
        assertOneLineError(jvirt("-accel", "interp", "-cpu", "qemu32,+aes"), 1, "aes is not implemented by the interpreter");
        assertOneLineError(jvirt("-accel", "interp", "-cpu", "Nehalem,+avx"), 1, "-cpu Nehalem,+avx: CPU feature avx is not implemented");
    }

    @Test
    void cpuHelpListsTheModels() {
        Result r = jvirt("-cpu", "help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("qemu32") && r.out().contains("pentium2") && r.out().contains("max"), r.out());
        assertTrue(r.out().contains("Nehalem") && r.out().contains("(default qemu64)"), r.out());
    }

    @Test
    void cpuModelAndTogglesReachTheConfig() {
        MachineConfig c = MachineConfig.from(Options.parse(new String[] {"-cpu", "pentium2,-pae,+nx"}), false);
        assertEquals("pentium2", c.cpuModel().name());
        assertEquals(0x652, c.cpuModel().signature());
        assertFalse(c.cpuModel().has(dev.jvirt.cpu.CpuFeature.PAE));
        assertTrue(c.cpuModel().has(dev.jvirt.cpu.CpuFeature.NX));
        assertEquals(dev.jvirt.cpu.CpuModels.DEFAULT, MachineConfig.from(Options.parse(new String[0]), true).cpuModel());
    }
}
