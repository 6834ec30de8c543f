package dev.jvirt.machine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad Linux boot input gets one line and status 1, using a real Debian kernel from the guest kit. */
class LinuxBadInputTest {
    @TempDir
    Path tmp;

    private static Path vmlinuz;

    @BeforeAll
    static void findKernel() throws IOException {
        Path env = Path.of(System.getProperty("jvirt.root", "."), ".guest-cache", "kit.env");
        if (Files.isReadable(env)) {
            Properties p = new Properties();
            try (var r = Files.newBufferedReader(env)) {
                p.load(r);
            }
            String k = p.getProperty("JVIRT_VMLINUZ_CLOUD");
            if (k != null && Files.isReadable(Path.of(k))) vmlinuz = Path.of(k);
        }
        if (vmlinuz == null) System.out.println("LinuxBadInputTest: skipped: no guest kit (run scripts/guest-kit.sh)");
        Assumptions.assumeTrue(vmlinuz != null, "no guest kit: run scripts/guest-kit.sh");
    }

    private static void assertOneLine(CliTest.Result r, String fragment) {
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(fragment), "expected '" + fragment + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void truncatedBzImage() throws IOException {
        byte[] k = Files.readAllBytes(vmlinuz);
        Path cut = Files.write(tmp.resolve("cut"), Arrays.copyOf(k, k.length / 3));
        assertOneLine(CliTest.jvirt("-accel", "interp", "-kernel", cut.toString()), "truncated bzImage");
    }

    @Test
    void commandLineLongerThanCmdlineSize() {
        String append = "x".repeat(5000);
        assertOneLine(CliTest.jvirt("-accel", "interp", "-kernel", vmlinuz.toString(), "-append", append),
                "longer than the kernel's cmdline_size");
    }

    @Test
    void initrdLargerThanRam() throws IOException {
        Path big = tmp.resolve("big.img");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(80L << 20); // sparse
        }
        assertOneLine(CliTest.jvirt("-accel", "interp", "-m", "64", "-kernel", vmlinuz.toString(), "-initrd", big.toString()),
                "does not fit");
    }
}
