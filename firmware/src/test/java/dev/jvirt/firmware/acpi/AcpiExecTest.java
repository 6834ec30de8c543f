package dev.jvirt.firmware.acpi;

import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the DSDT's methods in ACPICA's AML interpreter (acpiexec, Debian acpica-tools), as the OS
 * would: acpiexec simulates the PCI_Config region of the PIRQ route registers in memory, starting
 * at 0 (every route enabled to IRQ 0). Skipped, with the reason printed, without acpiexec.
 */
class AcpiExecTest {
    @TempDir Path dir;
    private Path acpiexec;
    private AcpiTables.Image image;

    @BeforeEach
    void setUp() throws Exception {
        acpiexec = onPath("acpiexec");
        if (acpiexec == null) System.out.println("AcpiExecTest skipped: acpiexec (Debian acpica-tools) is not on PATH");
        Assumptions.assumeTrue(acpiexec != null, "acpiexec not installed");
        PcMemoryLayout layout = PcMemoryLayout.forRamSize(512L << 20);
        image = AcpiTables.build(AcpiConfig.pc(2, layout), AcpiPlacement.biosArea());
        for (var e : image.tables().entrySet()) {
            if (!e.getKey().equals("RSD PTR")) Files.write(dir.resolve(e.getKey().toLowerCase() + ".dat"), e.getValue().bytes());
        }
    }

    @Test
    void linkDevicesProgramThePirqRouteRegisters() throws Exception {
        Map<String, String> out = evaluate(List.of("dsdt.dat"),
                "\\_SB.LNKB._STA",
                // _SRS with Interrupt(ResourceConsumer, Level, ActiveHigh, Shared){11} and End Tag.
                "\\_SB.LNKB._SRS (89 06 00 09 01 0B 00 00 00 79 00)",
                "\\_SB.LNKB._CRS",
                "\\_SB.LNKC._DIS",
                "\\_SB.LNKC._STA",
                "\\_SB.LNKS._CRS",
                "\\_S5");
        assertTrue(out.get("\\_SB.LNKB._STA").contains("[Integer] = 000000000000000B"), out.toString());
        assertTrue(out.get("\\_SB.LNKB._CRS").contains("89 06 00 09 01 0B 00 00 00 79 00"), out.toString());
        // _DIS sets bit 7 of the route register: present, not enabled.
        assertTrue(out.get("\\_SB.LNKC._STA").contains("[Integer] = 0000000000000009"), out.toString());
        assertTrue(out.get("\\_SB.LNKS._CRS").contains("89 06 00 09 01 09 00 00 00 79 00"), out.toString());
        assertTrue(out.get("\\_S5").contains("Contains 4 Elements"), out.toString());
        for (var e : out.entrySet()) assertFalse(e.getValue().contains("ACPI Error"), e.getKey() + ":\n" + e.getValue());
    }

    @Test
    void allTablesLoadWithoutAcpicaWarnings() throws Exception {
        Process p = new ProcessBuilder(acpiexec.toString(), "-b", "evaluate \\_SB.PCI0._CRS",
                "facp.dat", "dsdt.dat", "facs.dat", "apic.dat", "hpet.dat")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String text = read(p);
        assertTrue(text.contains("FACP") && text.contains("JVIRTFAC"), text);
        assertTrue(text.contains("on interrupt 0x9 (SCI)"), "GPE block on the FADT's SCI:\n" + text);
        assertFalse(text.contains("ACPI Warning") || text.contains("ACPI Error") || text.contains("Firmware Bug"), text);
        assertTrue(text.contains("Evaluation of \\_SB.PCI0._CRS returned"), text);
    }

    /** Evaluates the calls in order in one acpiexec session; the output of each, by method path. */
    private Map<String, String> evaluate(List<String> tables, String... calls) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(acpiexec.toString(), "-b", "evaluate " + String.join("; evaluate ", calls)));
        cmd.addAll(tables);
        String text = read(new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start());
        Map<String, String> sections = new LinkedHashMap<>();
        String[] parts = text.split("Evaluating ");
        for (int i = 1; i < parts.length; i++) {
            String name = parts[i].substring(0, parts[i].indexOf('\n')).trim();
            sections.put(name, parts[i]);
        }
        for (String c : calls) {
            String method = c.contains(" ") ? c.substring(0, c.indexOf(' ')) : c;
            if (!sections.containsKey(method)) throw new AssertionError("no result for " + method + ":\n" + text);
        }
        return sections;
    }

    private static String read(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("acpiexec did not finish:\n" + out);
        }
        return out;
    }

    private static Path onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
