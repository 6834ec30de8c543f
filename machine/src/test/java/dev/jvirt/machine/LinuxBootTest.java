package dev.jvirt.machine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux boot acceptance, as a new user would try it: both Debian kernels (cloud and generic) with the guest
 * kit's initramfs, on the interpreter, with the issue's own command line. The initramfs /init
 * (scripts/guest-kit.sh) runs the checks and reports one JVIRT-RESULT line each, then powers off.
 */
class LinuxBootTest {
    @TempDir
    Path tmp;

    private static Properties kit() throws IOException {
        Path env = Path.of(System.getProperty("jvirt.root", "."), ".guest-cache", "kit.env");
        Properties p = new Properties();
        if (Files.isReadable(env)) {
            try (var r = Files.newBufferedReader(env)) {
                p.load(r);
            }
        }
        return p;
    }

    /** Both kernels through the 64-bit entry (the default), and the cloud kernel through the 32-bit one. */
    @ParameterizedTest(name = "{0} kernel, linux-entry={1}")
    @CsvSource({"CLOUD, auto", "GENERIC, auto", "CLOUD, 32"})
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void bootsToTheInitramfsChecksAndPowersOff(String flavour, String entry) throws IOException {
        Properties kit = kit();
        String kernel = kit.getProperty("JVIRT_VMLINUZ_" + flavour), initrd = kit.getProperty("JVIRT_INITRD");
        boolean present = kernel != null && initrd != null && Files.isReadable(Path.of(kernel)) && Files.isReadable(Path.of(initrd));
        if (!present) System.out.println("LinuxBootTest: skipped: no guest kit (run scripts/guest-kit.sh)");
        Assumptions.assumeTrue(present, "no guest kit: run scripts/guest-kit.sh");

        // The command line, with COM1 in a file instead of this JVM's stdout
        Path serial = tmp.resolve("ttyS0-" + flavour + "-" + entry + ".txt");
        long before = System.currentTimeMillis() / 1000;
        CliTest.Result r = CliTest.jvirt("-accel", "interp", "-machine", "pc,linux-entry=" + entry, "-m", "512", "-nographic", "-no-reboot",
                "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0", "-serial", "file:" + serial);
        long after = System.currentTimeMillis() / 1000;
        String console = Files.exists(serial) ? Files.readString(serial, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        String tail = console.lines().skip(Math.max(0, console.lines().count() - 30)).reduce("", (a, b) -> a + b + "\n");

        assertTrue(console.contains("JVIRT-INIT-START"), "the kernel did not reach /init; last lines:\n" + tail + r.err());
        assertTrue(console.contains("JVIRT-INIT-DONE"), "/init did not finish; last lines:\n" + tail + r.err());
        assertEquals(0, r.status(), "poweroff -f must end jvirt with status 0\n" + r.err());

        Map<String, String[]> results = new HashMap<>();
        List<String> failed = new ArrayList<>();
        for (String line : console.lines().toList()) {
            int at = line.indexOf("JVIRT-RESULT ");
            if (at < 0) continue;
            String[] f = line.substring(at + "JVIRT-RESULT ".length()).strip().split(" ", 3);
            results.put(f[0], f);
            if (f.length > 1 && f[1].equals("FAIL")) failed.add(line.substring(at));
        }
        for (String check : List.of("sha256-zeros-64m", "shell-loop", "gzip-roundtrip", "sleep-2s", "dmesg-acpi-error",
                "dmesg-acpi-bios-error", "dmesg-panic", "dmesg-apic-error")) {
            assertTrue(results.containsKey(check), "no result for " + check + "\n" + tail);
        }
        assertTrue(failed.isEmpty(), "failed checks:\n" + String.join("\n", failed) + "\n"
                + console.lines().filter(l -> l.contains("JVIRT-DETAIL")).reduce("", (a, b) -> a + b + "\n"));

        // The guest's clock comes from the RTC, which follows the host clock: the date must be today's, now.
        long epoch = Long.parseLong(results.get("date-epoch")[2].strip());
        assertTrue(epoch >= before - 5 && epoch <= after + 5, "guest date " + epoch + " outside the run [" + before + ", " + after + "]");
        String clock = results.get("clocksource")[2].strip();
        assertTrue(clock.equals("hpet") || clock.equals("tsc"), "clocksource " + clock);
        assertEquals("yes", results.get("io-apic")[2].strip(), "the kernel must route interrupts through the IO-APIC");
    }
}
