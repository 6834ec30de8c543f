package dev.jvirt.mmu;

/**
 * The one call through which every backend reaches a device: a port or MMIO access at an offset
 * from the base the device was registered at. Sizes are 1, 2, 4 or 8 bytes; values are
 * little-endian and zero-extended. Implementations must not throw for any guest-chosen offset,
 * size or value: they answer all-ones or ignore the write.
 */
public interface IoHandler {
    long read(long offset, int size);

    void write(long offset, int size, long value);

    /** All-ones of {@code size} bytes: what an unclaimed PC bus returns. */
    static long ones(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }

    /** {@code value} truncated to {@code size} bytes. */
    static long mask(long value, int size) {
        return size >= 8 ? value : value & ((1L << (size * 8)) - 1);
    }
}
