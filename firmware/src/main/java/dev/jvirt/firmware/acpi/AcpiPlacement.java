package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.E820Map;
import dev.jvirt.mmu.PcMemoryLayout;

/**
 * Where the tables go in guest-physical memory: the RSDP on a 16-byte boundary, the other tables
 * in {@code [tablesBase, tablesLimit)}, all below 4 GiB (the RSDT holds 32-bit pointers). An OS
 * finds the RSDP by itself only in 0xE0000-0xFFFFF ({@link #rsdpScannable}); elsewhere a loader
 * must hand it over (Linux boot_params.acpi_rsdp_addr, or acpi_rsdp= on the command line).
 */
public record AcpiPlacement(long rsdpAddress, long tablesBase, long tablesLimit) {
    public static final long BIOS_SCAN_START = 0xE_0000L, BIOS_SCAN_END = 0x10_0000L;
    /** Below the F segment the BIOS area is free: 0xE0000 for the RSDP, the tables from 0xE0040. */
    public static final long DEFAULT_RSDP = 0xE_0000L;

    public AcpiPlacement {
        if ((rsdpAddress & 15) != 0 || rsdpAddress < 0 || rsdpAddress + Rsdp.LENGTH > PcMemoryLayout.FOUR_GIB) {
            throw new IllegalArgumentException("the RSDP must be 16-byte aligned below 4 GiB");
        }
        if (tablesBase >= tablesLimit || tablesLimit > PcMemoryLayout.FOUR_GIB) {
            throw new IllegalArgumentException("the tables need a non-empty range below 4 GiB");
        }
        if (rsdpAddress < tablesLimit && tablesBase < rsdpAddress + Rsdp.LENGTH) {
            throw new IllegalArgumentException("the RSDP overlaps the tables");
        }
    }

    /** Whether the OS's scan of 0xE0000-0xFFFFF finds the RSDP. */
    public boolean rsdpScannable() {
        return rsdpAddress >= BIOS_SCAN_START && rsdpAddress + Rsdp.LENGTH <= BIOS_SCAN_END;
    }

    /**
     * Everything in 0xE0000-0xEFFFF. The OS treats 0xA0000-0xFFFFF as reserved whatever E820 says,
     * so no E820 entry is needed; RAM must back that range (no ROM mapped over it).
     */
    public static AcpiPlacement biosArea() {
        return new AcpiPlacement(DEFAULT_RSDP, DEFAULT_RSDP + 64, E820Map.BIOS_AREA_START);
    }

    /**
     * The RSDP at 0xE0000, the tables in the 128 KiB at the top of RAM below the PCI hole that
     * {@link E820Map} already reserves for the BIOS's high tables (as SeaBIOS puts them there).
     */
    public static AcpiPlacement topOfLowRam(PcMemoryLayout layout) {
        long top = layout.belowHole();
        if (top < E820Map.HIGH_MEMORY_START + 2 * E820Map.BIOS_HIGH_TABLES) return biosArea();
        return new AcpiPlacement(DEFAULT_RSDP, top - E820Map.BIOS_HIGH_TABLES, top);
    }
}
