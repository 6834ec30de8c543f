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
 * parses the whole AML of the DSDT. Then ACPICA's compiler rebuilds each table from the
 * disassembly, which must give the very same bytes: our AML encoder agrees with the reference
 * compiler on every term of the DSDT. Skipped (with the reason printed) where iasl is not installed.
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
            }
            // Recompiling the disassembly with ACPICA's compiler must give back the same bytes:
            // everything but the creator fields (28-35) and so the checksum (9), which iasl sets.
            Result compile = run(dir, iasl.toString(), "-p", file + "-re", file + ".dsl");
            assertEquals(0, compile.exit, compile.output);
            assertTrue(compile.output.contains("0 Errors"), compile.output);
            byte[] ours = e.getValue().bytes();
            byte[] theirs = Files.readAllBytes(dir.resolve(file + "-re.aml"));
            assertEquals(ours.length, theirs.length, e.getKey() + " length after recompiling");
            boolean hasCreator = !e.getKey().equals("FACS");
            for (int i = 0; i < ours.length; i++) {
                if (hasCreator && (i == 9 || (i >= 28 && i < 36))) continue;
                assertEquals(ours[i], theirs[i], e.getKey() + " differs from iasl's recompilation at byte " + i);
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
