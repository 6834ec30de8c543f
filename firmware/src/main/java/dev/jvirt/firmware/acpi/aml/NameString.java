package dev.jvirt.firmware.acpi.aml;

import java.util.ArrayList;
import java.util.List;

/**
 * NameString (ACPI 6.x, 20.2.2): an optional root prefix '\' or parent prefixes '^', then the
 * NameSegs: none (NullName 0x00), one, two behind DualNamePrefix 0x2E, or more behind
 * MultiNamePrefix 0x2F and a count. Segments shorter than four characters are padded with '_'.
 */
public final class NameString {
    public static final int ROOT_CHAR = 0x5C;
    public static final int PARENT_PREFIX_CHAR = 0x5E;
    public static final int DUAL_NAME_PREFIX = 0x2E;
    public static final int MULTI_NAME_PREFIX = 0x2F;
    public static final int NULL_NAME = 0x00;

    private NameString() { }

    public static byte[] encode(String path) {
        ByteBuilder b = new ByteBuilder();
        int i = 0;
        if (path.startsWith("\\")) {
            b.u8(ROOT_CHAR);
            i = 1;
        } else {
            while (i < path.length() && path.charAt(i) == '^') {
                b.u8(PARENT_PREFIX_CHAR);
                i++;
            }
        }
        String rest = path.substring(i);
        List<String> segs = new ArrayList<>();
        if (!rest.isEmpty()) {
            for (String s : rest.split("\\.", -1)) segs.add(s);
        }
        switch (segs.size()) {
            case 0 -> b.u8(NULL_NAME);
            case 1 -> { }
            case 2 -> b.u8(DUAL_NAME_PREFIX);
            default -> {
                if (segs.size() > 255) throw new IllegalArgumentException("too many name segments: " + path);
                b.u8(MULTI_NAME_PREFIX).u8(segs.size());
            }
        }
        for (String s : segs) b.bytes(nameSeg(s));
        return b.toArray();
    }

    /** One NameSeg: a lead character A-Z or '_', then up to three of A-Z, 0-9, '_', padded with '_'. */
    public static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4) throw new IllegalArgumentException("bad NameSeg: '" + seg + "'");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            char c = i < seg.length() ? seg.charAt(i) : '_';
            boolean ok = (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            if (!ok) throw new IllegalArgumentException("bad NameSeg: '" + seg + "'");
            b[i] = (byte) c;
        }
        return b;
    }
}
