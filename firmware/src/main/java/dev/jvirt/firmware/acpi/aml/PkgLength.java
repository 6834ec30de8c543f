package dev.jvirt.firmware.acpi.aml;

/**
 * PkgLength (ACPI 6.x, 20.2.4): one lead byte whose bits 7-6 count the bytes that follow (0-3).
 * With no following byte, bits 5-0 hold the value (at most 63); otherwise bits 3-0 hold its
 * low nibble and each following byte the next 8 bits, so 2, 3 and 4 bytes reach 2^12, 2^20 and
 * 2^28 - 1.
 */
public final class PkgLength {
    public static final int MAX = (1 << 28) - 1;

    private PkgLength() { }

    /** The encoding of {@code value} as is (field unit widths in a FieldList use this form). */
    public static byte[] encode(int value) {
        if (value < 0 || value > MAX) throw new IllegalArgumentException("PkgLength out of range: " + value);
        if (value <= 0x3F) return new byte[] {(byte) value};
        int follow = value < (1 << 12) ? 1 : value < (1 << 20) ? 2 : 3;
        byte[] b = new byte[1 + follow];
        b[0] = (byte) ((follow << 6) | (value & 0x0F));
        for (int i = 1; i <= follow; i++) b[i] = (byte) (value >>> (4 + 8 * (i - 1)));
        return b;
    }

    /**
     * The PkgLength in front of {@code contentLength} bytes of a package: the value counts the
     * PkgLength's own bytes too, which is why the encoding size is chosen against content + size.
     */
    public static byte[] forContent(int contentLength) {
        for (int size = 1; size <= 4; size++) {
            int total = contentLength + size;
            int limit = size == 1 ? 0x3F : (1 << (4 + 8 * (size - 1))) - 1;
            if (total <= limit) return encode(total);
        }
        throw new IllegalArgumentException("package too long: " + contentLength);
    }
}
