package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * Generic Address Structure (ACPI 6.x, 5.2.3.2), 12 bytes: address space id, register bit width,
 * bit offset, access size (0 undefined, 1 byte, 2 word, 3 dword, 4 qword), 64-bit address.
 */
public record GenericAddress(int spaceId, int bitWidth, int bitOffset, int accessSize, long address) {
    public static final int SYSTEM_MEMORY = 0, SYSTEM_IO = 1;
    public static final int SIZE = 12;
    public static final GenericAddress NONE = new GenericAddress(0, 0, 0, 0, 0);

    public static GenericAddress io(long port, int bytes, int accessSize) {
        return new GenericAddress(SYSTEM_IO, bytes * 8, 0, accessSize, port);
    }

    public void writeTo(ByteBuilder b) {
        b.u8(spaceId).u8(bitWidth).u8(bitOffset).u8(accessSize).u64(address);
    }
}
