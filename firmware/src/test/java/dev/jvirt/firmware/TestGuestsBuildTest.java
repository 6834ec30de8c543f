package dev.jvirt.firmware;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed test guest images (src/test/resources/dev/jvirt/guests) are what their committed sources build to. */
class TestGuestsBuildTest {
    @Test
    void rebuildingFromSourceGivesTheCommittedImages(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(onPath("as") && onPath("ld"), "GNU as/ld not installed");
        Path dir = moduleDir();
        Path script = dir.resolve("src/test/guests/build.sh");
        assertTrue(Files.isRegularFile(script), "missing " + script);
        Process p = new ProcessBuilder("sh", script.toString(), tmp.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "build.sh did not finish");
        assertEquals(0, p.exitValue(), "build.sh failed: " + log);
        List<Path> sources;
        try (Stream<Path> s = Files.list(dir.resolve("src/test/guests"))) {
            sources = s.filter(f -> f.toString().endsWith(".S")).sorted().toList();
        }
        assertFalse(sources.isEmpty());
        for (Path src : sources) {
            String elf = src.getFileName().toString().replace(".S", ".elf");
            Path committed = dir.resolve("src/test/resources/dev/jvirt/guests").resolve(elf);
            assertTrue(Files.isRegularFile(committed), "no committed " + elf + "; run build.sh and commit");
            assertArrayEquals(Files.readAllBytes(committed), Files.readAllBytes(tmp.resolve(elf)),
                    "rebuild of " + elf + " differs from the committed image; run build.sh and commit");
        }
    }

    private static Path moduleDir() {
        String root = System.getProperty("jvirt.root");
        Path base = root != null ? Path.of(root, "firmware") : Path.of("").toAbsolutePath();
        return Files.isDirectory(base.resolve("src/test/guests")) ? base : Path.of("").toAbsolutePath();
    }

    private static boolean onPath(String tool) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
