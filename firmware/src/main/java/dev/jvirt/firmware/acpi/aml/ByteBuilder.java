package dev.jvirt.firmware.acpi.aml;

import java.io.ByteArrayOutputStream;

/** A growable little-endian byte sink: ACPI tables and AML are little-endian throughout. */
public final class ByteBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public ByteBuilder u8(int v) { out.write(v); return this; }

    public ByteBuilder u16(int v) { return u8(v).u8(v >>> 8); }

    public ByteBuilder u32(long v) { return u16((int) v).u16((int) (v >>> 16)); }

    public ByteBuilder u64(long v) { return u32(v).u32(v >>> 32); }

    public ByteBuilder bytes(byte[] b) { out.writeBytes(b); return this; }

    public ByteBuilder all(byte[]... parts) {
        for (byte[] p : parts) out.writeBytes(p);
        return this;
    }

    /** Writes {@code s} as ASCII, padded with {@code pad} or cut to exactly {@code width} bytes. */
    public ByteBuilder ascii(String s, int width, char pad) {
        for (int i = 0; i < width; i++) u8(i < s.length() ? s.charAt(i) & 0x7F : pad);
        return this;
    }

    public int size() { return out.size(); }

    public byte[] toArray() { return out.toByteArray(); }

    public static byte[] concat(byte[]... parts) { return new ByteBuilder().all(parts).toArray(); }
}
