package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * Root System Description Pointer, revision 2 (ACPI 6.x, 5.2.5.3), 36 bytes. The first checksum
 * covers the ACPI 1.0 part (bytes 0-19), the extended checksum all 36 bytes. Found by scanning
 * 16-byte boundaries of the EBDA and 0xE0000-0xFFFFF.
 */
public final class Rsdp {
    public static final int LENGTH = 36;
    public static final int CHECKSUM_OFFSET = 8, EXTENDED_CHECKSUM_OFFSET = 32, V1_LENGTH = 20;

    private Rsdp() { }

    public static byte[] build(long rsdtAddress, long xsdtAddress) {
        byte[] t = new ByteBuilder().ascii("RSD PTR ", 8, ' ').u8(0).ascii(SdtHeader.OEM_ID, 6, ' ').u8(2)
                .u32(rsdtAddress).u32(LENGTH).u64(xsdtAddress).u8(0).u8(0).u8(0).u8(0).toArray();
        t[CHECKSUM_OFFSET] = SdtHeader.checksum(t, 0, V1_LENGTH);
        t[EXTENDED_CHECKSUM_OFFSET] = SdtHeader.checksum(t, 0, LENGTH);
        return t;
    }
}
