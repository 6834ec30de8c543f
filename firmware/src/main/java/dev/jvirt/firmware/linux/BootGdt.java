package dev.jvirt.firmware.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The GDT the boot protocol asks for: flat 4 GiB descriptors at __BOOT_CS (0x10, execute/read) and
 * __BOOT_DS (0x18, read/write), after two null entries as the kernel's own boot GDT lays them out.
 * Descriptors are marked accessed so loading them needs no write to guest memory (SDM Vol. 3A 3.4.5).
 */
final class BootGdt {
    static final int ENTRIES = 4;
    static final int LIMIT = ENTRIES * 8 - 1;
    /** G=1, D=1, P=1, DPL 0, S=1, type 0xB (execute/read, accessed), limit 0xFFFFF. */
    static final long CODE32 = 0x00CF_9B00_0000_FFFFL;
    /** As CODE32 but L=1, D=0: a 64-bit code segment. */
    static final long CODE64 = 0x00AF_9B00_0000_FFFFL;
    /** G=1, B=1, P=1, DPL 0, S=1, type 0x3 (read/write, accessed), limit 0xFFFFF. */
    static final long DATA = 0x00CF_9300_0000_FFFFL;

    private BootGdt() { }

    static byte[] build(boolean longMode) {
        ByteBuffer b = ByteBuffer.allocate(ENTRIES * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(LinuxBoot.BOOT_CS, longMode ? CODE64 : CODE32);
        b.putLong(LinuxBoot.BOOT_DS, DATA);
        return b.array();
    }
}
