package dev.jvirt.machine;

import dev.jvirt.firmware.DemoGuest;
import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo guest prints the same bytes under every backend and under QEMU. */
class DemoGuestTest {
    @TempDir
    Path tmp;

    @Test
    void interpreterRunsTheDemoToItsExitPort() throws Exception {
        DemoRuns.Run r = DemoRuns.jvirt(tmp, "interp");
        assertEquals(1, r.status(), "isa-debug-exit with V=0 exits (0 << 1) | 1; stderr: " + r.err());
        // The expectation is computed in Java, independently of the guest's code.
        assertEquals(DemoGuest.expectedSerialOutput(PcMemoryLayout.forRamSize(128L << 20), ""), r.text());
    }

    @Test
    void noArgumentsBootsTheBuiltInDemoAndExitsZero() throws Exception {
        // A real process: stdio, System.exit and the exit status are part of what is tested.
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "jvirt did not finish");
        String out = java.nio.file.Files.readString(tmp.resolve("out")), err = java.nio.file.Files.readString(tmp.resolve("err"));
        assertEquals(0, p.exitValue(), err);
        assertEquals(DemoGuest.expectedSerialOutput(PcMemoryLayout.forRamSize(128L << 20), ""), out);
        assertTrue(err.contains("-accel auto: using"), "auto says what it chose: " + err);
    }

    @Test
    void kvmPrintsTheSameBytesAsTheInterpreter() throws Exception {
        String why = kvmUnavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        DemoRuns.Run interp = DemoRuns.jvirt(tmp, "interp");
        DemoRuns.Run kvm = DemoRuns.jvirt(tmp, "kvm");
        assertEquals(interp.status(), kvm.status(), kvm.err());
        assertArrayEquals(interp.serial(), kvm.serial(), "kvm: " + kvm.text() + "\ninterp: " + interp.text());
    }

    @Test
    void qemuPrintsTheSameBytesAsTheInterpreter() throws Exception {
        String qemu = DemoRuns.qemuBinary();
        if (qemu == null) System.out.println("DemoGuestTest: skipped the QEMU comparison: qemu-system-x86_64 is not installed");
        Assumptions.assumeTrue(qemu != null, "qemu-system-x86_64 is not installed");
        DemoRuns.Run ours = DemoRuns.jvirt(tmp, "interp");
        DemoRuns.Run theirs = DemoRuns.qemu(tmp, qemu);
        assertEquals(1, theirs.status(), theirs.err());
        // QEMU's serial also carries SeaBIOS's banner before the guest runs: compare the guest's part.
        String guest = theirs.text();
        int at = guest.indexOf("jvirt demo guest");
        assertTrue(at >= 0, "no demo banner in QEMU's output: " + guest);
        assertEquals(ours.text(), guest.substring(at));
    }

    static String kvmUnavailable() {
        try (RandomAccessFile f = new RandomAccessFile("/dev/kvm", "rw")) {
            return null;
        } catch (Exception e) {
            String why = "/dev/kvm cannot be opened (" + e.getMessage() + ")";
            System.out.println("DemoGuestTest: " + why);
            return why;
        }
    }
}
