package dev.jvirt.firmware.acpi;

import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on reference hardware: QEMU's pc machine (i440FX, PIIX3/PIIX4, HPET, I/O APIC, which
 * these tables describe) boots an unmodified Linux that is told to use our tables instead of
 * QEMU's (acpi_rsdp=, the blob loaded into a memmap-reserved range). The acceptance initrd checks
 * dmesg for ACPI errors and powers off through \_S5. Runs only where qemu-system-x86_64 is on PATH
 * and JVIRT_VMLINUZ_GENERIC and JVIRT_INITRD name the guest kit's kernel and initrd.
 */
class QemuLinuxAcpiTest {
    private static final long BLOB = 0x1000_0000L;
    private static final int RAM_MIB = 512, CPUS = 2;

    @TempDir Path dir;

    @Test
    void linuxOnQemuPcRunsOnOurTablesAndPowersOffThroughS5() throws Exception {
        Path qemu = onPath("qemu-system-x86_64");
        String kernel = System.getenv("JVIRT_VMLINUZ_GENERIC"), initrd = System.getenv("JVIRT_INITRD");
        boolean ready = qemu != null && kernel != null && initrd != null && Files.isReadable(Path.of(kernel))
                && Files.isReadable(Path.of(initrd));
        if (!ready) System.out.println("QemuLinuxAcpiTest skipped: needs qemu-system-x86_64 and JVIRT_VMLINUZ_GENERIC/JVIRT_INITRD");
        Assumptions.assumeTrue(ready, "no QEMU or guest kit");

        PcMemoryLayout layout = PcMemoryLayout.forRamSize((long) RAM_MIB << 20);
        AcpiTables.Image img = AcpiTables.build(AcpiConfig.pc(CPUS, layout), new AcpiPlacement(BLOB, BLOB + 64, BLOB + 0x10000));
        byte[] blob = new byte[(int) (img.tablesEnd() - BLOB)];
        for (AcpiTables.Placed t : img.tables().values()) {
            System.arraycopy(t.bytes(), 0, blob, (int) (t.address() - BLOB), t.bytes().length);
        }
        Path tables = dir.resolve("tables.bin");
        Files.write(tables, blob);

        List<String> cmd = List.of(qemu.toString(), "-M", "pc", "-accel", "tcg", "-m", String.valueOf(RAM_MIB),
                "-smp", String.valueOf(CPUS), "-kernel", kernel, "-initrd", initrd,
                "-append", String.format("console=ttyS0 acpi_rsdp=0x%x memmap=64K$0x%x", BLOB, BLOB),
                "-device", "loader,file=" + tables + ",addr=0x" + Long.toHexString(BLOB) + ",force-raw=on",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) p.destroyForcibly();

        assertTrue(out.contains("ACPI: FACP 0x" + String.format("%016X", img.table("FACP").address())), out);
        assertTrue(out.contains("JVIRT-INIT-DONE"), out);
        for (String check : List.of("dmesg-acpi-error", "dmesg-acpi-bios-error", "dmesg-panic", "dmesg-apic-error")) {
            assertTrue(out.contains("JVIRT-RESULT " + check + " PASS"), check + ":\n" + out);
        }
        assertTrue(out.contains("ACPI: PCI: Interrupt link LNKA configured for IRQ"), out);
        assertTrue(out.contains("hpet0: at MMIO 0xfed00000"), out);
        assertTrue(out.contains("ACPI: PM: Preparing to enter system sleep state S5"), out);
        assertEquals(0, p.exitValue(), "QEMU exits when the guest powers off:\n" + out);
    }

    private static Path onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
