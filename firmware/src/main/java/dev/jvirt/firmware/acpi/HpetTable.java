package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * IA-PC HPET Description Table (Intel IA-PC HPET specification 1.0a, 3.2.4), 56 bytes: the event
 * timer block id (the capabilities register's low 32 bits), its MMIO base, the HPET number and
 * the minimum periodic tick in main counter ticks.
 */
public final class HpetTable {
    public static final int LENGTH = 56;
    public static final int MIN_CLOCK_TICK = 100;

    private HpetTable() { }

    public static byte[] build(AcpiConfig c) {
        ByteBuilder b = SdtHeader.start("HPET", 1, "JVIRTHPT");
        b.u32(c.hpetBlockId() & 0xFFFF_FFFFL);
        new GenericAddress(GenericAddress.SYSTEM_MEMORY, 0, 0, 0, c.hpetAddress()).writeTo(b);
        b.u8(0);                    // HPET number
        b.u16(MIN_CLOCK_TICK);
        b.u8(0);                    // page protection: none
        return SdtHeader.finish(b);
    }
}
