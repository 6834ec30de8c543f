package dev.jvirt.firmware.acpi;

import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs ACPICA's disassembler on every table: it validates table checksums, lengths and fields, and
 * parses the whole AML of the DSDT. Skipped (with the reason printed) where iasl is not installed.
 */
class IaslDisassemblyTest {
    @TempDir Path dir;

    @Test
    void everyTableDisassemblesWithoutErrorsOrWarnings() throws Exception {
        Path iasl = findIasl();
        if (iasl == null) System.out.println("IaslDisassemblyTest skipped: iasl (Debian acpica-tools) is not on PATH");
        Assumptions.assumeTrue(iasl != null, "iasl not installed");

        AcpiConfig config = AcpiConfig.pc(4, PcMemoryLayout.forRamSize(512L << 20));
        AcpiTables.Image image = AcpiTables.build(config, AcpiPlacement.topOfLowRam(PcMemoryLayout.forRamSize(512L << 20)));
        for (Map.Entry<String, AcpiTables.Placed> e : image.tables().entrySet()) {
            // iasl cannot load a bare RSDP from a file (it has no SDT header); AcpiTablesTest checks it.
            if (e.getKey().equals("RSD PTR")) continue;
            String file = e.getKey().replace(' ', '_').toLowerCase();
            Path bin = dir.resolve(file + ".dat");
            Files.write(bin, e.getValue().bytes());
            Result r = run(dir, iasl.toString(), "-d", bin.getFileName().toString());
            assertEquals(0, r.exit, e.getKey() + ":\n" + r.output);
            String lower = r.output.toLowerCase();
            assertFalse(lower.contains("error") && !lower.contains("0 errors"), e.getKey() + ":\n" + r.output);
            assertFalse(lower.contains("warning"), e.getKey() + ":\n" + r.output);
            Path dsl = dir.resolve(file + ".dsl");
            assertTrue(Files.exists(dsl), e.getKey() + " produced no disassembly:\n" + r.output);
            String text = Files.readString(dsl);
            assertFalse(text.contains("Incorrect checksum") || text.contains("Invalid"), e.getKey() + ":\n" + text);
            if (e.getKey().equals("DSDT")) {
                assertTrue(text.contains("Device (PCI0)"), text);
                assertTrue(text.contains("Name (_HID, EisaId (\"PNP0A03\")"), text);
                // Recompiling the disassembly catches AML that disassembles but does not make sense.
                Result compile = run(dir, iasl.toString(), "-p", "recompiled", file + ".dsl");
                assertEquals(0, compile.exit, compile.output);
                assertTrue(compile.output.contains("0 Errors"), compile.output);
            }
        }
    }

    private record Result(int exit, String output) { }

    private static Result run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }

    private static Path findIasl() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, "iasl");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
