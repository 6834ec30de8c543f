package dev.jvirt.cpu.x87;

/**
 * An x87 instruction's memory operand, as the executing CPU provides it. Offsets are relative to the
 * operand's effective address; segmentation, paging and faults are the CPU's business (a fault is
 * thrown as the CPU's own unchecked exception and simply propagates).
 */
public interface X87Memory {
    /** Reads 1, 2, 4 or 8 bytes, little-endian, zero-extended. */
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
