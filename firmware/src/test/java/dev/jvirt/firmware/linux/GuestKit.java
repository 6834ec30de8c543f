package dev.jvirt.firmware.linux;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Debian kernels and initrd of scripts/guest-kit.sh, for tests. Runs the script once per JVM
 * (a no-op when its cache is current; a download of about 100 MB when not) and skips the calling
 * test with the script's reason when it cannot produce them (no apt, no network, not Debian), or
 * when JVIRT_NO_GUEST_KIT is set (to keep a test run offline).
 */
final class GuestKit {
    record Kit(Path cloudKernel, Path genericKernel, Path initrd) { }

    private static final long TIMEOUT_MINUTES = 15;
    private static Kit kit;
    private static String unavailable;

    private GuestKit() { }

    static synchronized Kit require() {
        if (kit == null && unavailable == null) build();
        Assumptions.assumeTrue(kit != null, () -> "guest kit unavailable: " + unavailable);
        return kit;
    }

    private static void build() {
        if (System.getenv("JVIRT_NO_GUEST_KIT") != null) {
            unavailable = "JVIRT_NO_GUEST_KIT is set";
            return;
        }
        Path script = findScript();
        if (script == null) {
            unavailable = "scripts/guest-kit.sh not found above " + System.getProperty("user.dir");
            return;
        }
        try {
            Path err = Files.createTempFile("guest-kit", ".err");
            Process p = new ProcessBuilder(List.of("bash", script.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                unavailable = script + " did not finish in " + TIMEOUT_MINUTES + " minutes";
                return;
            }
            List<String> errLines = Files.readAllLines(err);
            Files.delete(err);
            if (p.exitValue() != 0) {
                unavailable = script + " failed: " + (errLines.isEmpty() ? "exit " + p.exitValue() : errLines.getLast());
                return;
            }
            Map<String, Path> vars = new HashMap<>();
            for (String line : out.split("\n")) {
                int eq = line.indexOf('=');
                if (line.startsWith("JVIRT_") && eq > 0) vars.put(line.substring(0, eq), Path.of(line.substring(eq + 1)));
            }
            Path cloud = vars.get("JVIRT_VMLINUZ_CLOUD"), generic = vars.get("JVIRT_VMLINUZ_GENERIC"), initrd = vars.get("JVIRT_INITRD");
            if (cloud == null || generic == null || initrd == null) {
                unavailable = script + " printed no kernel and initrd paths";
                return;
            }
            kit = new Kit(cloud, generic, initrd);
        } catch (IOException e) {
            unavailable = "cannot run " + script + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted";
        }
    }

    private static Path findScript() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path s = dir.resolve("scripts/guest-kit.sh");
            if (Files.isRegularFile(s)) return s;
        }
        return null;
    }
}
