package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * Fixed ACPI Description Table, revision 6 (ACPI 6.x, 5.2.9), 276 bytes, for a PIIX4-style PM
 * block. By default SMI_CMD, ACPI_ENABLE and ACPI_DISABLE are 0, which tells the OS that the
 * hardware is always in ACPI mode; QEMU's APM port may be given instead. The power button is the fixed-feature one (PWRBTN_STS in
 * PM1a_EVT); there is no sleep button.
 */
public final class Fadt {
    public static final int REVISION = 6, MINOR_VERSION = 0;
    public static final int LENGTH = 276;

    /** Flags (Table 5.10). */
    public static final int WBINVD = 1, PROC_C1 = 1 << 2, SLP_BUTTON = 1 << 5, RTC_S4 = 1 << 7,
            RESET_REG_SUP = 1 << 10, FORCE_APIC_PHYSICAL_DESTINATION_MODE = 1 << 19;
    /** IA-PC Boot Architecture Flags (Table 5.11). */
    public static final int LEGACY_DEVICES = 1, I8042 = 1 << 1;

    /** A P_LVL2_LAT above 100 and a P_LVL3_LAT above 1000 say C2 and C3 are not supported. */
    private static final int C2_NOT_SUPPORTED = 0xFFF, C3_NOT_SUPPORTED = 0xFFF;
    private static final int PM1_EVT_LEN = 4, PM1_CNT_LEN = 2, PM_TMR_LEN = 4;

    private Fadt() { }

    public static byte[] build(AcpiConfig c, long facsAddress, long dsdtAddress) {
        int flags = WBINVD | PROC_C1 | SLP_BUTTON | RTC_S4 | RESET_REG_SUP;
        // xAPIC logical flat mode addresses only 8 CPUs; beyond that the OS must use physical mode.
        if (c.apicIds().stream().anyMatch(id -> id >= 8)) flags |= FORCE_APIC_PHYSICAL_DESTINATION_MODE;

        ByteBuilder b = SdtHeader.start("FACP", REVISION, "JVIRTFAC");
        b.u32(facsAddress).u32(dsdtAddress);
        b.u8(0);                        // reserved (ACPI 1.0 INT_MODEL)
        b.u8(0);                        // Preferred_PM_Profile: unspecified
        b.u16(c.sciIrq());
        b.u32(c.smiCommand().port()).u8(c.smiCommand().acpiEnable()).u8(c.smiCommand().acpiDisable());
        b.u8(0).u8(0);                  // S4BIOS_REQ, PSTATE_CNT
        b.u32(c.pm1aEventBlock()).u32(0);
        b.u32(c.pm1aControlBlock()).u32(0);
        b.u32(0);                       // PM2_CNT_BLK
        b.u32(c.pmTimerBlock());
        b.u32(c.gpe0Base()).u32(0);     // GPE0_BLK, GPE1_BLK
        b.u8(PM1_EVT_LEN).u8(PM1_CNT_LEN).u8(0).u8(PM_TMR_LEN);
        b.u8(c.gpe0Length()).u8(0).u8(0);   // GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE
        b.u8(0);                        // CST_CNT
        b.u16(C2_NOT_SUPPORTED).u16(C3_NOT_SUPPORTED);
        b.u16(0).u16(0);                // FLUSH_SIZE, FLUSH_STRIDE
        b.u8(0).u8(0);                  // DUTY_OFFSET, DUTY_WIDTH
        b.u8(0).u8(0).u8(c.rtcCenturyIndex());  // DAY_ALRM, MON_ALRM, CENTURY
        b.u16(LEGACY_DEVICES | I8042);
        b.u8(0);
        b.u32(flags);
        GenericAddress.io(c.resetPort(), 1, 1).writeTo(b);
        b.u8(c.resetValue());
        b.u16(0);                       // ARM_BOOT_ARCH
        b.u8(MINOR_VERSION);
        // X_FIRMWARE_CTRL must be 0 when FIRMWARE_CTRL is set (5.2.9); X_DSDT may repeat DSDT.
        b.u64(0).u64(dsdtAddress);
        // Access size 0 (as QEMU does): the OS accesses these blocks by their register widths.
        GenericAddress.io(c.pm1aEventBlock(), PM1_EVT_LEN, 0).writeTo(b);
        GenericAddress.NONE.writeTo(b);
        GenericAddress.io(c.pm1aControlBlock(), PM1_CNT_LEN, 0).writeTo(b);
        GenericAddress.NONE.writeTo(b);
        GenericAddress.NONE.writeTo(b); // X_PM2_CNT_BLK
        GenericAddress.io(c.pmTimerBlock(), PM_TMR_LEN, 0).writeTo(b);
        GenericAddress.io(c.gpe0Base(), c.gpe0Length(), 0).writeTo(b);
        GenericAddress.NONE.writeTo(b); // X_GPE1_BLK
        GenericAddress.NONE.writeTo(b); // SLEEP_CONTROL_REG
        GenericAddress.NONE.writeTo(b); // SLEEP_STATUS_REG
        b.u64(0);                       // Hypervisor Vendor Identity
        return SdtHeader.finish(b);
    }
}
