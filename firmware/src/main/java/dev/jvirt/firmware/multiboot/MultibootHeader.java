package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.LoaderException;

/**
 * The Multiboot v1 header (Multiboot Specification 0.6.96, 3.1.1): magic, flags, checksum and,
 * with flag bit 16, the a.out-kludge address fields.
 */
public record MultibootHeader(int fileOffset, long flags, long headerAddr, long loadAddr, long loadEndAddr,
                              long bssEndAddr, long entryAddr) {
    public static final long MAGIC = 0x1BADB002L;
    /** The header must lie wholly within the first 8192 bytes of the image, 32-bit aligned. */
    public static final int SEARCH_LIMIT = 8192;
    public static final long FLAG_PAGE_ALIGN = 1 << 0;
    public static final long FLAG_MEMORY_INFO = 1 << 1;
    public static final long FLAG_VIDEO_MODE = 1 << 2;
    public static final long FLAG_ADDRESS_FIELDS = 1 << 16;
    /** Bits 0-15 are requirements a loader must refuse when it cannot meet them. */
    private static final long REQUIRED_MASK = 0xFFFF;
    private static final long SUPPORTED_REQUIRED = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE;
    private static final int BASE_SIZE = 12, ADDRESS_SIZE = 32;

    public boolean hasAddressFields() {
        return (flags & FLAG_ADDRESS_FIELDS) != 0;
    }

    /** True if the first 8192 bytes hold a Multiboot header with a valid checksum. */
    public static boolean present(byte[] image) {
        return find(image) >= 0;
    }

    /**
     * Finds and validates the header.
     *
     * @throws NotMultibootException when there is no magic number in the first 8192 bytes
     * @throws LoaderException when a header is there but is broken or asks for what we cannot do
     */
    public static MultibootHeader parse(byte[] image) throws LoaderException {
        int at = find(image);
        if (at < 0) {
            int bad = firstMagic(image);
            if (bad < 0) throw new NotMultibootException("not a Multiboot kernel: no Multiboot header in the first 8 KiB");
            if (bad + BASE_SIZE > image.length) throw new LoaderException("truncated Multiboot header at offset " + Bytes.hex(bad));
            throw new LoaderException("Multiboot header at offset " + Bytes.hex(bad) + " has a bad checksum");
        }
        long flags = Bytes.u32(image, at + 4);
        long unsupported = flags & REQUIRED_MASK & ~SUPPORTED_REQUIRED;
        if (unsupported != 0) {
            throw new LoaderException("Multiboot kernel requires unsupported features (flags " + Bytes.hex(unsupported) + ")");
        }
        if ((flags & FLAG_ADDRESS_FIELDS) == 0) return new MultibootHeader(at, flags, 0, 0, 0, 0, 0);
        if (at + ADDRESS_SIZE > image.length) {
            throw new LoaderException("truncated Multiboot header: address fields missing at offset " + Bytes.hex(at));
        }
        return new MultibootHeader(at, flags, Bytes.u32(image, at + 12), Bytes.u32(image, at + 16),
                Bytes.u32(image, at + 20), Bytes.u32(image, at + 24), Bytes.u32(image, at + 28));
    }

    private static int find(byte[] image) {
        int limit = Math.min(image.length, SEARCH_LIMIT);
        for (int i = 0; i + BASE_SIZE <= limit; i += 4) {
            if (Bytes.u32(image, i) != MAGIC) continue;
            long sum = (MAGIC + Bytes.u32(image, i + 4) + Bytes.u32(image, i + 8)) & 0xFFFF_FFFFL;
            if (sum == 0) return i;
        }
        return -1;
    }

    private static int firstMagic(byte[] image) {
        int limit = Math.min(image.length, SEARCH_LIMIT);
        for (int i = 0; i + 4 <= limit; i += 4) {
            if (Bytes.u32(image, i) == MAGIC) return i;
        }
        return -1;
    }
}
