package dev.jvirt.firmware.linux;

import dev.jvirt.firmware.LoaderException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The real-mode kernel header of a bzImage (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel
 * Header"), validated for a loader that enters the protected-mode kernel directly: boot protocol
 * 2.06 or later, a bzImage (LOADED_HIGH), and a file long enough for the setup sectors and syssize.
 * Fields a protocol version does not define read as the values the document gives for older kernels.
 *
 * @param setupSize     bytes of the real-mode setup code including the boot sector ((setup_sects or 4) + 1) * 512
 * @param headerEnd     image offset one past the setup header (0x202 + the byte at 0x201)
 * @param prefAddress   preferred load address (2.10+; 0x100000 before)
 * @param initSize      bytes of linear memory the kernel needs from its runtime start (2.10+; the payload size before)
 */
public record SetupHeader(int version, int setupSize, long syssize, int loadflags, long initrdAddrMax,
                          long kernelAlignment, boolean relocatable, int xloadflags, long cmdlineSize,
                          long prefAddress, long initSize, int headerEnd) {
    public static final int OFFSET = 0x1F1;
    public static final int MIN_VERSION = 0x0206;
    static final int SETUP_SECTS = 0x1F1, SYSSIZE = 0x1F4, VID_MODE = 0x1FA, BOOT_FLAG = 0x1FE, JUMP = 0x200,
            HEADER = 0x202, VERSION = 0x206, TYPE_OF_LOADER = 0x210, LOADFLAGS = 0x211, RAMDISK_IMAGE = 0x218,
            RAMDISK_SIZE = 0x21C, HEAP_END_PTR = 0x224, CMD_LINE_PTR = 0x228, INITRD_ADDR_MAX = 0x22C,
            KERNEL_ALIGNMENT = 0x230, RELOCATABLE_KERNEL = 0x234, XLOADFLAGS = 0x236, CMDLINE_SIZE = 0x238,
            PREF_ADDRESS = 0x258, INIT_SIZE = 0x260;
    /** The last field this loader reads is init_size (2.10); a 2.06 header ends after cmdline_size. */
    static final int MIN_HEADER_END = CMDLINE_SIZE + 4;
    public static final int BOOT_FLAG_MAGIC = 0xAA55;
    public static final int HDRS_MAGIC = 0x5372_6448; // "HdrS"
    public static final int LOADED_HIGH = 1, QUIET_FLAG = 1 << 5, CAN_USE_HEAP = 1 << 7;
    public static final int XLF_KERNEL_64 = 1, XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1;
    /** Where a bzImage older than 2.10 (no pref_address) expects its protected-mode code. */
    public static final long DEFAULT_LOAD_ADDRESS = 0x100000;

    /** True when the image carries the boot_flag and "HdrS" signatures; says nothing about the version. */
    public static boolean present(byte[] image) {
        if (image.length < HEADER + 4) return false;
        ByteBuffer b = le(image);
        return (b.getShort(BOOT_FLAG) & 0xFFFF) == BOOT_FLAG_MAGIC && b.getInt(HEADER) == HDRS_MAGIC;
    }

    /** Parses and validates the header; the one-line message names what is wrong. */
    public static SetupHeader parse(byte[] image) throws LoaderException {
        if (image.length < HEADER + 4) {
            throw new LoaderException("truncated bzImage: " + image.length + " bytes is shorter than the setup header");
        }
        if (!present(image)) {
            throw new LoaderException("not a Linux bzImage: no setup-header magic (boot_flag 0xAA55 at 0x1fe, \"HdrS\" at 0x202)");
        }
        ByteBuffer b = le(image);
        if (image.length < MIN_HEADER_END) {
            throw new LoaderException("truncated bzImage: " + image.length + " bytes is shorter than the setup header");
        }
        int version = b.getShort(VERSION) & 0xFFFF;
        if (version < MIN_VERSION) {
            throw new LoaderException("Linux boot protocol " + versionString(version) + " is too old: "
                    + versionString(MIN_VERSION) + " or later is needed");
        }
        int loadflags = b.get(LOADFLAGS) & 0xFF;
        if ((loadflags & LOADED_HIGH) == 0) {
            throw new LoaderException("not a bzImage: LOADED_HIGH is clear (a zImage loads at 0x10000, which is not supported)");
        }
        int sects = b.get(SETUP_SECTS) & 0xFF;
        int setupSize = ((sects == 0 ? 4 : sects) + 1) * 512;
        long syssize = b.getInt(SYSSIZE) & 0xFFFF_FFFFL;
        long needed = setupSize + syssize * 16;
        if (image.length < needed) {
            throw new LoaderException("truncated bzImage: " + image.length + " bytes, but the setup code (" + setupSize
                    + ") and syssize (" + syssize * 16 + ") need " + needed);
        }
        int headerEnd = Math.max(MIN_HEADER_END, HEADER + (b.get(JUMP + 1) & 0xFF));
        if (headerEnd > setupSize) {
            throw new LoaderException("corrupt bzImage: the setup header ends at " + hex(headerEnd)
                    + ", past the setup code (" + setupSize + " bytes)");
        }
        boolean v210 = version >= 0x020A;
        if (v210 && headerEnd < INIT_SIZE + 4) {
            throw new LoaderException("corrupt bzImage: protocol " + versionString(version) + " header ends at " + hex(headerEnd)
                    + ", before init_size");
        }
        long payload = image.length - setupSize;
        long alignment = b.getInt(KERNEL_ALIGNMENT) & 0xFFFF_FFFFL;
        boolean relocatable = b.get(RELOCATABLE_KERNEL) != 0;
        if (relocatable && (alignment == 0 || Long.bitCount(alignment) != 1)) {
            throw new LoaderException("corrupt bzImage: kernel_alignment " + hex(alignment) + " is not a power of two");
        }
        return new SetupHeader(version, setupSize, syssize, loadflags, b.getInt(INITRD_ADDR_MAX) & 0xFFFF_FFFFL,
                alignment, relocatable, version >= 0x020C ? b.getShort(XLOADFLAGS) & 0xFFFF : 0,
                b.getInt(CMDLINE_SIZE) & 0xFFFF_FFFFL,
                v210 ? b.getLong(PREF_ADDRESS) : DEFAULT_LOAD_ADDRESS,
                v210 ? Math.max(b.getInt(INIT_SIZE) & 0xFFFF_FFFFL, payload) : payload, headerEnd);
    }

    public boolean has64BitEntry() { return (xloadflags & XLF_KERNEL_64) != 0; }

    public boolean canLoadAbove4G() { return (xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) != 0; }

    /**
     * The kernel runtime start for a load address, by the algorithm in boot.rst's init_size entry:
     * a relocatable kernel runs at its load address raised to pref_address and aligned up; any other at pref_address.
     */
    public long runtimeStart(long loadAddress) {
        if (!relocatable) return prefAddress;
        long start = Math.max(loadAddress, prefAddress);
        return (start + kernelAlignment - 1) & -kernelAlignment;
    }

    public String versionString() { return versionString(version); }

    static String versionString(int v) {
        return (v >> 8) + "." + String.format("%02d", v & 0xFF);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static ByteBuffer le(byte[] image) {
        return ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    }
}
