package dev.jvirt.firmware.acpi.aml;

/**
 * The compressed EISA ID (ACPI 6.x, 19.6.35 EISAID macro): three upper-case letters of 5 bits each
 * (letter - 0x40) packed big-endian into 16 bits, then four hex digits of product id, also
 * big-endian; the resulting 4 bytes are read as a little-endian DWORD.
 */
public final class EisaId {
    private EisaId() { }

    public static long encode(String id) {
        if (id.length() != 7) throw new IllegalArgumentException("EISA ID must be 7 characters: " + id);
        int vendor = 0;
        for (int i = 0; i < 3; i++) {
            char c = id.charAt(i);
            if (c < 'A' || c > 'Z') throw new IllegalArgumentException("bad EISA vendor letter in " + id);
            vendor = (vendor << 5) | (c - 0x40);
        }
        int product = Integer.parseInt(id.substring(3), 16);
        int b0 = vendor >>> 8, b1 = vendor & 0xFF, b2 = product >>> 8, b3 = product & 0xFF;
        return (b0 | (b1 << 8) | (b2 << 16) | ((long) b3 << 24)) & 0xFFFF_FFFFL;
    }
}
