package dev.jvirt.firmware.multiboot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds small Multiboot kernel images byte by byte, as the specification lays them out. */
final class TestImages {
    static final long MAGIC = 0x1BADB002L;

    private TestImages() { }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes magic, flags and the matching checksum at {@code at}. */
    static void header(byte[] image, int at, long flags) {
        le(image).putInt(at, (int) MAGIC).putInt(at + 4, (int) flags).putInt(at + 8, (int) -(MAGIC + flags));
    }

    /** An a.out-kludge header (flag bit 16) with the five address fields. */
    static void kludge(byte[] image, int at, long flags, long headerAddr, long loadAddr, long loadEnd, long bssEnd, long entry) {
        header(image, at, flags | 0x10000);
        le(image).putInt(at + 12, (int) headerAddr).putInt(at + 16, (int) loadAddr).putInt(at + 20, (int) loadEnd)
                .putInt(at + 24, (int) bssEnd).putInt(at + 28, (int) entry);
    }

    record Segment(long vaddr, long paddr, byte[] data, long memSize) { }

    /**
     * An ELF32 i386 executable: 52-byte ELF header, program headers right after it, the segment
     * data from offset 0x100, and a Multiboot header (flags {@code mbFlags}) at offset 0x80.
     */
    static byte[] elf32(long entry, long mbFlags, Segment... segments) {
        int dataStart = 0x100;
        int size = dataStart;
        for (Segment s : segments) size += s.data.length;
        byte[] image = new byte[size];
        ByteBuffer b = le(image);
        image[0] = 0x7F; image[1] = 'E'; image[2] = 'L'; image[3] = 'F';
        image[4] = 1; image[5] = 1; image[6] = 1;
        b.putShort(16, (short) 2).putShort(18, (short) 3).putInt(20, 1).putInt(24, (int) entry).putInt(28, 52)
                .putShort(40, (short) 52).putShort(42, (short) 32).putShort(44, (short) segments.length);
        int off = dataStart;
        for (int i = 0; i < segments.length; i++) {
            Segment s = segments[i];
            int ph = 52 + 32 * i;
            b.putInt(ph, 1).putInt(ph + 4, off).putInt(ph + 8, (int) s.vaddr).putInt(ph + 12, (int) s.paddr)
                    .putInt(ph + 16, s.data.length).putInt(ph + 20, (int) s.memSize).putInt(ph + 24, 7).putInt(ph + 28, 4);
            System.arraycopy(s.data, 0, image, off, s.data.length);
            off += s.data.length;
        }
        header(image, 0x80, mbFlags);
        return image;
    }

    static byte[] filled(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (seed + i * 7);
        return b;
    }
}
