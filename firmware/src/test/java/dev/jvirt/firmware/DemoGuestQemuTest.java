package dev.jvirt.firmware;

import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference run: QEMU boots the committed demo.elf with -kernel, and its COM1 output must be
 * exactly {@link DemoGuest#expectedSerialOutput}, the text jvirt must reproduce. Skips without QEMU.
 */
class DemoGuestQemuTest {
    private static final String QEMU = "qemu-system-x86_64";
    private static final String BANNER = "jvirt demo guest";

    @ParameterizedTest
    @CsvSource({"128, ''", "64, hello world", "3584, console=ttyS0"})
    void qemuPrintsTheExpectedText(int mib, String args, @TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(available(), QEMU + " not installed");
        Path kernel = tmp.resolve(DemoGuest.NAME);
        Files.write(kernel, DemoGuest.image());
        Path serial = tmp.resolve("serial.txt");
        Process p = new ProcessBuilder(List.of(QEMU, "-machine", "pc", "-m", Integer.toString(mib),
                "-kernel", kernel.toString(), "-append", args, "-device", "isa-debug-exit",
                "-display", "none", "-monitor", "none", "-serial", "file:" + serial, "-no-reboot"))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("QEMU did not exit: the guest did not reach isa-debug-exit");
        }
        // isa-debug-exit turns the guest's 0 into QEMU's exit status (0 << 1) | 1.
        assertEquals(1, p.exitValue(), "QEMU exit status; output: " + log);
        String out = Files.readString(serial, StandardCharsets.ISO_8859_1);
        int at = out.indexOf(BANNER);
        assertTrue(at >= 0, "no banner on COM1: " + out);
        long ram = (long) mib << 20;
        assertEquals(DemoGuest.expectedSerialOutput(PcMemoryLayout.forRamSize(ram), args), out.substring(at));
    }

    private static boolean available() {
        try {
            Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
