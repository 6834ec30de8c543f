package dev.jvirt.cpu.x87;

/** An x87 memory operand over a byte array, at a base offset. */
final class ByteMemory implements X87Memory {
    final byte[] bytes;
    int base;

    ByteMemory(int size) {
        bytes = new byte[size];
    }

    ByteMemory at(int base) {
        this.base = base;
        return this;
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (bytes[(int) (base + offset + i)] & 0xFF);
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size; i++) bytes[(int) (base + offset + i)] = (byte) (value >>> (8 * i));
    }
}
