package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.x87.X87Memory;

/**
 * What an SSE/MMX instruction sees of the CPU executing it, the same from the 32-bit interpreter and the
 * 64-bit executor (and later the translator). {@link #read}/{@link #write} offsets are relative to the
 * memory operand's effective address; segmentation, paging, canonical checks and their faults are the
 * CPU's business (thrown as its own unchecked exception).
 */
public interface SimdContext extends X87Memory {
    /** The linear address of the memory operand, for the 16-byte alignment checks (#GP(0)). */
    long linearAddress();

    /**
     * Faults now unless all of {@code len} bytes at the operand plus {@code offset} can be written, so a
     * 16-byte store either completes or leaves memory unchanged.
     */
    void checkWritable(long offset, int len);

    /** General register {@code reg} (0-15, REX already applied) read as 1, 2, 4 or 8 bytes. */
    long gpr(int size, int reg);

    /** Writes a general register with the mode's rules (a 32-bit write zero-extends in 64-bit mode). */
    void setGpr(int size, int reg, long value);

    long rflags();

    void setRflags(long value);

    /** The exception to throw: #UD, #NM, #MF, #XM, or #GP(0) for vector 13. */
    RuntimeException fault(int vector);
}
