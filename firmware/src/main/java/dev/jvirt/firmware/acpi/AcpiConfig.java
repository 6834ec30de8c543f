package dev.jvirt.firmware.acpi;

import dev.jvirt.mmu.PcMemoryLayout;

import java.util.List;

/**
 * What the ACPI tables describe of the machine: an i440FX/PIIX3 PC with a PIIX4-style power
 * management block, as QEMU's pc machine lays it out.
 *
 * @param apicIds       local APIC id of each vCPU, in processor-UID order (the first is the BSP)
 * @param pciHoleStart  the top of RAM below 4 GiB, where the 32-bit PCI window starts
 * @param pmIoBase      PM1a_EVT at +0 (4 bytes), PM1a_CNT at +4 (2), PM_TMR at +8 (4)
 * @param hpetBlockId   the HPET's General Capabilities bits 31-0 (vendor, comparators, rev)
 * @param smiCommand    the APM port the OS writes ACPI_ENABLE to, or {@link SmiCommand#NONE}
 */
public record AcpiConfig(List<Integer> apicIds,
                         int ioApicId, long ioApicAddress, int ioApicGsiBase,
                         boolean hpet, long hpetAddress, int hpetBlockId,
                         int pmIoBase, int gpe0Base, int gpe0Length, int sciIrq, SmiCommand smiCommand,
                         int resetPort, int resetValue, int rtcCenturyIndex,
                         long pciHoleStart) {
    public static final long LOCAL_APIC_ADDRESS = 0xFEE0_0000L;
    public static final long IO_APIC_ADDRESS = 0xFEC0_0000L;
    public static final long HPET_ADDRESS = 0xFED0_0000L;
    /** QEMU's HPET: vendor 8086, LegacyReplacement capable, 64-bit counter, 3 comparators, rev 1. */
    public static final int HPET_BLOCK_ID = 0x8086_A201;
    public static final int PIIX4_PM_IO_BASE = 0x600;
    public static final int GPE0_BASE = 0xAFE0;
    /** The end of the 32-bit PCI window: the I/O APIC, HPET and LAPIC pages and the BIOS flash follow. */
    public static final long PCI_HOLE_END = 0xFEBF_FFFFL;

    /**
     * FADT SMI_CMD with the values that switch ACPI mode on and off. Port 0 means there is no
     * such port and the hardware is always in ACPI mode (the OS never touches SCI_EN).
     */
    public record SmiCommand(int port, int acpiEnable, int acpiDisable) {
        public static final SmiCommand NONE = new SmiCommand(0, 0, 0);
        /** QEMU's PIIX4: APM control port 0xB2; 0xF1 sets SCI_EN, 0xF0 clears it. */
        public static final SmiCommand QEMU_APM = new SmiCommand(0xB2, 0xF1, 0xF0);
    }

    public AcpiConfig {
        apicIds = List.copyOf(apicIds);
        if (apicIds.isEmpty() || apicIds.size() > 255) throw new IllegalArgumentException("1-255 vCPUs, got " + apicIds.size());
        for (int id : apicIds) {
            if (id < 0 || id > 254) throw new IllegalArgumentException("xAPIC ids are 0-254, got " + id);
        }
        if (smiCommand == null) smiCommand = SmiCommand.NONE;
        if (pciHoleStart <= 0 || pciHoleStart > PCI_HOLE_END) throw new IllegalArgumentException("PCI hole start out of range");
    }

    /**
     * The QEMU pc defaults for {@code cpus} vCPUs with APIC ids 0..n-1, and I/O APIC id 0 as QEMU's
     * MADT has it (the id register's reset value; I/O APIC ids are not local APIC ids on xAPIC).
     */
    public static AcpiConfig pc(int cpus, PcMemoryLayout layout) {
        Integer[] ids = new Integer[cpus];
        for (int i = 0; i < cpus; i++) ids[i] = i;
        return new AcpiConfig(List.of(ids), 0, IO_APIC_ADDRESS, 0, true, HPET_ADDRESS, HPET_BLOCK_ID,
                PIIX4_PM_IO_BASE, GPE0_BASE, 4, 9, SmiCommand.NONE, 0xCF9, 0x06, 0x32, layout.belowHole());
    }

    public AcpiConfig withApicIds(List<Integer> ids, int newIoApicId) {
        return new AcpiConfig(ids, newIoApicId, ioApicAddress, ioApicGsiBase, hpet, hpetAddress, hpetBlockId,
                pmIoBase, gpe0Base, gpe0Length, sciIrq, smiCommand, resetPort, resetValue, rtcCenturyIndex, pciHoleStart);
    }

    public AcpiConfig withoutHpet() {
        return new AcpiConfig(apicIds, ioApicId, ioApicAddress, ioApicGsiBase, false, hpetAddress, hpetBlockId,
                pmIoBase, gpe0Base, gpe0Length, sciIrq, smiCommand, resetPort, resetValue, rtcCenturyIndex, pciHoleStart);
    }

    public AcpiConfig withSmiCommand(SmiCommand smi) {
        return new AcpiConfig(apicIds, ioApicId, ioApicAddress, ioApicGsiBase, hpet, hpetAddress, hpetBlockId,
                pmIoBase, gpe0Base, gpe0Length, sciIrq, smi, resetPort, resetValue, rtcCenturyIndex, pciHoleStart);
    }

    public int pm1aEventBlock() { return pmIoBase; }

    public int pm1aControlBlock() { return pmIoBase + 4; }

    public int pmTimerBlock() { return pmIoBase + 8; }

    public int cpuCount() { return apicIds.size(); }
}
