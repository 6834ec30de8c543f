package dev.jvirt.cpu.decode;

import static dev.jvirt.cpu.decode.OpcodeTable.*;

/**
 * Decodes one IA-32 instruction (prefixes, opcode, ModRM/SIB with 16- and 32-bit addressing,
 * displacement, immediates) into a reused {@link DecodedInsn}. Stateless and allocation-free.
 */
public final class Decoder {
    public static final int MAX_LENGTH = 15;
    private static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    private Decoder() { }

    /**
     * @param code32 the code segment's default size (CS.D)
     */
    public static void decode(CodeSource src, DecodedInsn d, boolean code32) {
        d.clear();
        boolean o32 = code32, a32 = code32;
        int i = 0;
        int b = src.codeByte(i++);
        while ((ATTR[b] & PREFIX) != 0) {
            switch (b) {
                case 0x26 -> d.segOverride = ES;
                case 0x2E -> d.segOverride = CS;
                case 0x36 -> d.segOverride = SS;
                case 0x3E -> d.segOverride = DS;
                case 0x64 -> d.segOverride = FS;
                case 0x65 -> d.segOverride = GS;
                case 0x66 -> { o32 = !code32; d.prefixCount++; }
                case 0x67 -> a32 = !code32;
                case 0xF0 -> d.lock = true;
                case 0xF2 -> d.rep = DecodedInsn.REP_NE;
                default -> d.rep = DecodedInsn.REP_E;
            }
            if (i >= MAX_LENGTH) { tooLong(d); return; }
            b = src.codeByte(i++);
        }
        int op = b;
        if (b == 0x0F) {
            if (i >= MAX_LENGTH) { tooLong(d); return; }
            op = 0x100 | src.codeByte(i++);
            if (op == 0x138 || op == 0x13A) {
                if (i >= MAX_LENGTH) { tooLong(d); return; }
                op = (op == 0x138 ? MAP_0F38 : MAP_0F3A) | src.codeByte(i++);
            }
        }
        d.op = op;
        d.o32 = o32;
        d.a32 = a32;
        int attr = ATTR[op];
        d.seg = d.segOverride == DecodedInsn.NO_SEG ? DS : d.segOverride;
        if ((attr & MODRM) != 0) {
            if (i >= MAX_LENGTH) { tooLong(d); return; }
            int m = src.codeByte(i++);
            d.hasModrm = true;
            d.mod = m >> 6;
            d.reg = (m >> 3) & 7;
            d.rm = m & 7;
            if ((attr & REG_ONLY) != 0) d.mod = 3;
            if (d.mod != 3) {
                d.mem = true;
                i = a32 ? ea32(src, d, i) : ea16(src, d, i);
                if (i < 0) { tooLong(d); return; }
            }
        }
        int sz = o32 ? 4 : 2;
        if ((attr & GROUP_IMM) != 0 && d.reg < 2) attr |= op == 0xF6 ? IMM8 : IMMZ;
        if ((attr & MOFFS) != 0) {
            int n = a32 ? 4 : 2;
            if (i + n > MAX_LENGTH) { tooLong(d); return; }
            d.disp = fetch(src, i, n);
            i += n;
            d.mem = true;
        }
        if ((attr & (IMM8 | IMM16 | IMMZ | FARPTR | ENTER)) != 0) {
            int n = (attr & IMM8) != 0 ? 1 : (attr & IMM16) != 0 ? 2 : (attr & ENTER) != 0 ? 2 : sz;
            if (i + n > MAX_LENGTH) { tooLong(d); return; }
            d.imm = fetch(src, i, n);
            i += n;
            if ((attr & (FARPTR | ENTER)) != 0) {
                int n2 = (attr & FARPTR) != 0 ? 2 : 1;
                if (i + n2 > MAX_LENGTH) { tooLong(d); return; }
                d.imm2 = fetch(src, i, n2);
                i += n2;
            }
        }
        d.length = i;
    }

    static void tooLong(DecodedInsn d) {
        d.op = TOO_LONG;
        d.length = MAX_LENGTH;
    }

    static long fetch(CodeSource src, int i, int n) {
        long v = 0;
        for (int k = 0; k < n; k++) v |= (long) src.codeByte(i + k) << (8 * k);
        return v;
    }

    static long sext(long v, int n) {
        int sh = 64 - 8 * n;
        return (v << sh) >> sh;
    }

    /** 16-bit forms (SDM Vol. 2 Table 2-1). Returns the new index or -1 past 15 bytes. */
    private static int ea16(CodeSource src, DecodedInsn d, int i) {
        boolean bpBased;
        switch (d.rm) {
            case 0 -> { d.base = 3; d.index = 6; bpBased = false; }
            case 1 -> { d.base = 3; d.index = 7; bpBased = false; }
            case 2 -> { d.base = 5; d.index = 6; bpBased = true; }
            case 3 -> { d.base = 5; d.index = 7; bpBased = true; }
            case 4 -> { d.base = 6; bpBased = false; }
            case 5 -> { d.base = 7; bpBased = false; }
            case 6 -> { d.base = d.mod == 0 ? -1 : 5; bpBased = d.mod != 0; }
            default -> { d.base = 3; bpBased = false; }
        }
        int n = d.mod == 1 ? 1 : d.mod == 2 || (d.mod == 0 && d.rm == 6) ? 2 : 0;
        if (i + n > MAX_LENGTH) return -1;
        if (n > 0) d.disp = d.mod == 1 ? sext(fetch(src, i, 1), 1) : fetch(src, i, 2);
        if (bpBased && d.segOverride == DecodedInsn.NO_SEG) d.seg = SS;
        return i + n;
    }

    /** 32-bit forms with SIB (SDM Vol. 2 Tables 2-2, 2-3). */
    private static int ea32(CodeSource src, DecodedInsn d, int i) {
        int base = d.rm;
        boolean noBase = false;
        if (d.rm == 4) {
            if (i >= MAX_LENGTH) return -1;
            int sib = src.codeByte(i++);
            d.scale = sib >> 6;
            int idx = (sib >> 3) & 7;
            d.index = idx == 4 ? -1 : idx;
            base = sib & 7;
            if (base == 5 && d.mod == 0) noBase = true;
        } else if (d.rm == 5 && d.mod == 0) {
            noBase = true;
        }
        d.base = noBase ? -1 : base;
        int n = d.mod == 1 ? 1 : d.mod == 2 || noBase ? 4 : 0;
        if (i + n > MAX_LENGTH) return -1;
        if (n == 1) d.disp = sext(fetch(src, i, 1), 1);
        else if (n == 4) d.disp = fetch(src, i, 4);
        if ((d.base == 4 || d.base == 5) && d.segOverride == DecodedInsn.NO_SEG) d.seg = SS;
        return i + n;
    }
}
