package dev.jvirt.firmware.linux;

import dev.jvirt.firmware.LoaderException;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on a reference machine: LinuxLoader loads an unmodified Debian kernel and the kit's
 * initrd, {@link MultibootShim} hands QEMU exactly that memory and entry state, and the guest must
 * run /init to JVIRT-INIT-DONE with every check passing. Covers the 64-bit entry (cloud kernel) and
 * the 32-bit entry (generic kernel). Skips without QEMU or the guest kit.
 */
class LinuxLoaderQemuTest {
    private static final String QEMU = "qemu-system-x86_64";
    private static final long MIB = 1 << 20;
    /** The guest's view of RAM (its E820 map); QEMU gets twice that so its own tables sit above it. */
    private static final long GUEST_RAM = 128 * MIB;
    private static final String CMDLINE = "console=ttyS0 panic=-1";
    private static final Pattern RESULT = Pattern.compile("^JVIRT-RESULT (\\S+) (PASS|FAIL|INFO) ?(.*)$", Pattern.MULTILINE);

    @ParameterizedTest
    @CsvSource({"cloud, LONG_MODE", "generic, PROTECTED_MODE"})
    void debianKernelRunsInitOnTheLoadersState(String flavour, EntryMode mode, @TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(qemuAvailable(), QEMU + " not installed");
        GuestKit.Kit kit = GuestKit.require();
        byte[] kernel = Files.readAllBytes(flavour.equals("cloud") ? kit.cloudKernel() : kit.genericKernel());
        byte[] initrd = Files.readAllBytes(kit.initrd());

        Path shim = tmp.resolve("shim.elf");
        try (GuestRam ram = GuestRam.allocate(GUEST_RAM)) {
            LinuxBoot boot = new LinuxLoader(ram, PcMemoryLayout.forRamSize(GUEST_RAM))
                    .load(kernel, CMDLINE, initrd, new LinuxBootOptions(mode, 0));
            assertEquals(mode, boot.mode());
            int payload = kernel.length - SetupHeader.parse(kernel).setupSize();
            Files.write(shim, MultibootShim.build(ram, boot, payload, CMDLINE.length()));
        } catch (LoaderException e) {
            throw new AssertionError(e.getMessage(), e);
        }

        Path serial = tmp.resolve("serial.txt");
        Process p = new ProcessBuilder(List.of(QEMU, "-machine", "pc", "-accel", "tcg", "-m", Long.toString(2 * GUEST_RAM / MIB),
                "-kernel", shim.toString(), "-display", "none", "-monitor", "none", "-serial", "file:" + serial, "-no-reboot"))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String qemuLog = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = p.waitFor(300, TimeUnit.SECONDS);
        if (!exited) p.destroyForcibly().waitFor();
        String out = Files.readString(serial, StandardCharsets.ISO_8859_1).replace("\r", "");
        String tail = out.length() > 3000 ? out.substring(out.length() - 3000) : out;
        assertTrue(exited, "QEMU still running after 300 s; serial tail:\n" + tail);
        assertTrue(out.contains("JVIRT-INIT-START"), "/init never ran; QEMU: " + qemuLog + "\nserial tail:\n" + tail);
        assertTrue(out.contains("JVIRT-INIT-DONE"), "/init did not finish; serial tail:\n" + tail);
        assertTrue(out.contains("Command line: " + CMDLINE), "kernel saw another command line:\n" + tail);
        Matcher m = RESULT.matcher(out);
        int checks = 0;
        while (m.find()) {
            checks++;
            assertTrue(!m.group(2).equals("FAIL"), m.group(1) + " failed: " + m.group(3));
        }
        assertEquals(11, checks, "result lines:\n" + tail);
    }

    private static boolean qemuAvailable() {
        try {
            Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
