package dev.jvirt.firmware;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed demo.elf is what its committed source builds to, byte for byte. */
class DemoGuestBuildTest {
    @Test
    void rebuildingFromSourceGivesTheCommittedImage(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(onPath("as") && onPath("ld"), "GNU as/ld not installed");
        Path script = moduleDir().resolve("src/main/guest/demo/build.sh");
        assertTrue(Files.isRegularFile(script), "missing " + script);
        Path out = tmp.resolve("demo.elf");
        Process p = new ProcessBuilder("sh", script.toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "build.sh did not finish");
        assertEquals(0, p.exitValue(), "build.sh failed: " + log);
        assertArrayEquals(DemoGuest.image(), Files.readAllBytes(out), "rebuild differs from the committed demo.elf; run build.sh and commit");
    }

    private static Path moduleDir() {
        String root = System.getProperty("jvirt.root");
        Path base = root != null ? Path.of(root, "firmware") : Path.of("").toAbsolutePath();
        return Files.isDirectory(base.resolve("src/main/guest")) ? base : Path.of("").toAbsolutePath();
    }

    private static boolean onPath(String tool) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
