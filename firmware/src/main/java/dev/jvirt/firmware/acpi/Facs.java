package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * Firmware ACPI Control Structure (ACPI 6.x, 5.2.10), version 2, 64 bytes, 64-byte aligned. It
 * has no checksum; the waking vectors stay 0 because this machine has no S3.
 */
public final class Facs {
    public static final int LENGTH = 64;
    public static final int ALIGNMENT = 64;

    private Facs() { }

    public static byte[] build() {
        ByteBuilder b = new ByteBuilder().ascii("FACS", 4, ' ').u32(LENGTH)
                .u32(0)     // hardware signature
                .u32(0)     // firmware waking vector
                .u32(0)     // global lock
                .u32(0)     // flags: no S4BIOS, no 64-bit wake
                .u64(0)     // X firmware waking vector
                .u8(2).u8(0).u8(0).u8(0)
                .u32(0);    // OSPM flags
        while (b.size() < LENGTH) b.u8(0);
        return b.toArray();
    }
}
