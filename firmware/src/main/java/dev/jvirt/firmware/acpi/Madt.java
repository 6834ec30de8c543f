package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * Multiple APIC Description Table (ACPI 6.x, 5.2.12): the local APICs, the I/O APIC, the ISA IRQ
 * overrides and the LINT1 NMI wiring of a PC.
 */
public final class Madt {
    public static final int REVISION = 3;
    public static final int PCAT_COMPAT = 1;
    public static final int TYPE_LOCAL_APIC = 0, TYPE_IO_APIC = 1, TYPE_INTERRUPT_SOURCE_OVERRIDE = 2, TYPE_LOCAL_APIC_NMI = 4;
    public static final int LOCAL_APIC_ENABLED = 1;
    /** MPS INTI flags: polarity bits 1-0 (1 = active high), trigger mode bits 3-2 (3 = level). */
    public static final int ACTIVE_HIGH_LEVEL = 0x000D, CONFORMING = 0x0000;
    /** Processor UID 0xFF: the NMI entry applies to every processor. */
    public static final int ALL_PROCESSORS = 0xFF;

    private Madt() { }

    public static byte[] build(AcpiConfig c) {
        ByteBuilder b = SdtHeader.start("APIC", REVISION, "JVIRTAPC");
        b.u32(AcpiConfig.LOCAL_APIC_ADDRESS).u32(PCAT_COMPAT);
        for (int uid = 0; uid < c.cpuCount(); uid++) {
            b.u8(TYPE_LOCAL_APIC).u8(8).u8(uid).u8(c.apicIds().get(uid)).u32(LOCAL_APIC_ENABLED);
        }
        b.u8(TYPE_IO_APIC).u8(12).u8(c.ioApicId()).u8(0).u32(c.ioApicAddress()).u32(c.ioApicGsiBase());
        // The PIT's IRQ0 is wired to I/O APIC pin 2 (pin 0 takes the 8259's INTR).
        override(b, 0, 2, CONFORMING);
        // The SCI and the PCI link IRQs are level-triggered, active high at the I/O APIC (PIIX inverts).
        override(b, c.sciIrq(), c.sciIrq(), ACTIVE_HIGH_LEVEL);
        for (int irq : new int[] {5, 10, 11}) {
            if (irq != c.sciIrq()) override(b, irq, irq, ACTIVE_HIGH_LEVEL);
        }
        b.u8(TYPE_LOCAL_APIC_NMI).u8(6).u8(ALL_PROCESSORS).u16(CONFORMING).u8(1);
        return SdtHeader.finish(b);
    }

    private static void override(ByteBuilder b, int isaIrq, int gsi, int flags) {
        b.u8(TYPE_INTERRUPT_SOURCE_OVERRIDE).u8(10).u8(0).u8(isaIrq).u32(gsi).u16(flags);
    }
}
