package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

/**
 * The System Description Table Header (ACPI 6.x, 5.2.6), 36 bytes, and the checksum rule shared
 * by every table: all bytes of the table, checksum included, sum to 0 modulo 256.
 */
public final class SdtHeader {
    public static final int SIZE = 36;
    public static final int LENGTH_OFFSET = 4, CHECKSUM_OFFSET = 9;
    public static final String OEM_ID = "JVIRT ";
    public static final String CREATOR_ID = "JVRT";

    private SdtHeader() { }

    /** Starts a table: the header with length and checksum left 0 for {@link #finish}. */
    public static ByteBuilder start(String signature, int revision, String oemTableId) {
        return new ByteBuilder().ascii(signature, 4, ' ').u32(0).u8(revision).u8(0)
                .ascii(OEM_ID, 6, ' ').ascii(oemTableId, 8, ' ').u32(1)
                .ascii(CREATOR_ID, 4, ' ').u32(1);
    }

    /** Fills in Length and Checksum. */
    public static byte[] finish(ByteBuilder table) {
        byte[] t = table.toArray();
        int len = t.length;
        t[LENGTH_OFFSET] = (byte) len;
        t[LENGTH_OFFSET + 1] = (byte) (len >>> 8);
        t[LENGTH_OFFSET + 2] = (byte) (len >>> 16);
        t[LENGTH_OFFSET + 3] = (byte) (len >>> 24);
        t[CHECKSUM_OFFSET] = checksum(t, 0, len);
        return t;
    }

    /** The byte that makes {@code len} bytes from {@code from} sum to 0 (with that byte currently 0). */
    public static byte checksum(byte[] b, int from, int len) {
        int sum = 0;
        for (int i = from; i < from + len; i++) sum += b[i];
        return (byte) -sum;
    }
}
