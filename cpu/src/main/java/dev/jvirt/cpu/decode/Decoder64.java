package dev.jvirt.cpu.decode;

import static dev.jvirt.cpu.decode.OpcodeTable.*;

/**
 * Decodes one instruction in 64-bit mode (IA-32e, CS.L = 1; SDM Vol. 2 sections 2.2.1 and 2.2.1.2-2.2.1.7)
 * into a reused {@link DecodedInsn}. Kept apart from {@link Decoder} so the legacy-mode path stays as it is.
 *
 * <p>Differences from legacy decoding: REX (40-4F) is a prefix and counts only when it is the last one;
 * the default operand size is 32 bits, REX.W makes it 64 and overrides 66; near branches always use 64
 * (Intel ignores 66 there), stack operations default to 64 (66 selects 16); the default address size is
 * 64, 67 selects 32; mod=00 rm=101 is RIP-relative with a disp32; ES/CS/SS/DS overrides are ignored; the
 * only 64-bit immediate is MOV r64, imm64 (REX.W B8+r) and the moffs of A0-A3 is 8 bytes.
 * Register numbers in {@link DecodedInsn#base}/{@link DecodedInsn#index} already include REX.B/REX.X.
 */
public final class Decoder64 {
    private static final int SS = 2, DS = 3, FS = 4, GS = 5;
    /** Operand size is always 64 (near branches, MOV to/from CR/DR). */
    private static final boolean[] FORCE64 = new boolean[0x400];
    /** Operand size defaults to 64; 66 selects 16 (stack operations). */
    private static final boolean[] DEFAULT64 = new boolean[0x400];
    /** Invalid in 64-bit mode (SDM Vol. 2 Appendix A, opcodes marked i64). */
    private static final boolean[] INVALID64 = new boolean[0x400];

    static {
        for (int o = 0x70; o <= 0x7F; o++) FORCE64[o] = true;
        for (int o = 0x180; o <= 0x18F; o++) FORCE64[o] = true;
        for (int o : new int[]{0xE0, 0xE1, 0xE2, 0xE3, 0xE8, 0xE9, 0xEB, 0xC2, 0xC3, 0x120, 0x121, 0x122, 0x123}) FORCE64[o] = true;
        for (int o = 0x50; o <= 0x5F; o++) DEFAULT64[o] = true;
        for (int o : new int[]{0x68, 0x6A, 0x8F, 0x9C, 0x9D, 0xC8, 0xC9, 0x1A0, 0x1A1, 0x1A8, 0x1A9}) DEFAULT64[o] = true;
        for (int o : new int[]{0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x62,
                0x82, 0x9A, 0xC4, 0xC5, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA}) INVALID64[o] = true;
    }

    private Decoder64() { }

    public static void decode(CodeSource src, DecodedInsn d) {
        d.clear();
        boolean opPrefix = false, adPrefix = false;
        int rex = 0;
        int i = 0;
        int b = src.codeByte(i++);
        while ((ATTR[b] & PREFIX) != 0 || (b & 0xF0) == 0x40) {
            if ((b & 0xF0) == 0x40) {
                rex = b;
            } else {
                rex = 0; // a REX prefix followed by a legacy prefix is ignored
                switch (b) {
                    case 0x64 -> d.segOverride = FS;
                    case 0x65 -> d.segOverride = GS;
                    case 0x66 -> { opPrefix = true; d.prefixCount++; }
                    case 0x67 -> adPrefix = true;
                    case 0xF0 -> d.lock = true;
                    case 0xF2 -> d.rep = DecodedInsn.REP_NE;
                    case 0xF3 -> d.rep = DecodedInsn.REP_E;
                    default -> { } // ES/CS/SS/DS overrides are null prefixes in 64-bit mode
                }
            }
            if (i >= Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
            b = src.codeByte(i++);
        }
        int op = b;
        if (b == 0x0F) {
            if (i >= Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
            op = 0x100 | src.codeByte(i++);
            if (op == 0x138 || op == 0x13A) {
                if (i >= Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
                op = (op == 0x138 ? MAP_0F38 : MAP_0F3A) | src.codeByte(i++);
            }
        }
        d.op = op;
        d.rex = rex;
        d.invalid64 = INVALID64[op];
        d.a64 = !adPrefix;
        d.a32 = true;
        int attr = ATTR[op];
        d.seg = d.segOverride == DecodedInsn.NO_SEG ? DS : d.segOverride;
        if ((attr & MODRM) != 0) {
            if (i >= Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
            int m = src.codeByte(i++);
            d.hasModrm = true;
            d.mod = m >> 6;
            d.reg = (m >> 3) & 7;
            d.rm = m & 7;
            if ((attr & REG_ONLY) != 0) d.mod = 3;
            if (d.mod != 3) {
                d.mem = true;
                i = ea(src, d, i);
                if (i < 0) { Decoder.tooLong(d); return; }
            }
        }
        boolean w = (rex & 8) != 0;
        boolean force = FORCE64[op] || op == 0xFF && (d.reg == 2 || d.reg == 4);
        boolean dflt = DEFAULT64[op] || op == 0xFF && d.reg == 6;
        if (force || w || dflt && !opPrefix) {
            d.o64 = true;
            d.o32 = true;
        } else {
            d.o32 = !opPrefix;
        }
        if ((attr & GROUP_IMM) != 0 && d.reg < 2) attr |= op == 0xF6 ? IMM8 : IMMZ;
        if ((attr & MOFFS) != 0) {
            int n = d.a64 ? 8 : 4;
            if (i + n > Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
            d.disp = Decoder.fetch(src, i, n);
            i += n;
            d.mem = true;
        }
        if ((attr & (IMM8 | IMM16 | IMMZ | FARPTR | ENTER)) != 0) {
            int n;
            if ((attr & IMM8) != 0) n = 1;
            else if ((attr & (IMM16 | ENTER)) != 0) n = 2;
            else if (op >= 0xB8 && op <= 0xBF && w) n = 8;
            else n = d.o32 ? 4 : 2;
            if (i + n > Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
            d.imm = Decoder.fetch(src, i, n);
            i += n;
            if ((attr & (FARPTR | ENTER)) != 0) {
                int n2 = (attr & FARPTR) != 0 ? 2 : 1;
                if (i + n2 > Decoder.MAX_LENGTH) { Decoder.tooLong(d); return; }
                d.imm2 = Decoder.fetch(src, i, n2);
                i += n2;
            }
        }
        d.length = i;
    }

    /** 64-bit ModRM/SIB forms (SDM Vol. 2 Tables 2-4, 2-5, 2-7). Returns the new index or -1 past 15 bytes. */
    private static int ea(CodeSource src, DecodedInsn d, int i) {
        int rex = d.rex;
        int base;
        boolean noBase = false;
        if (d.rm == 4) {
            if (i >= Decoder.MAX_LENGTH) return -1;
            int sib = src.codeByte(i++);
            d.scale = sib >> 6;
            int idx = (sib >> 3) & 7 | (rex & 2) << 2;
            d.index = idx == 4 ? -1 : idx; // with REX.X, 1100 is R12, a real index
            base = sib & 7;
            if (base == 5 && d.mod == 0) noBase = true; // regardless of REX.B
            base |= (rex & 1) << 3;
        } else if (d.rm == 5 && d.mod == 0) {
            noBase = true;
            d.ripRel = true; // regardless of REX.B
            base = -1;
        } else {
            base = d.rm | (rex & 1) << 3;
        }
        d.base = noBase ? -1 : base;
        int n = d.mod == 1 ? 1 : d.mod == 2 || noBase ? 4 : 0;
        if (i + n > Decoder.MAX_LENGTH) return -1;
        if (n == 1) d.disp = Decoder.sext(Decoder.fetch(src, i, 1), 1);
        else if (n == 4) d.disp = Decoder.sext(Decoder.fetch(src, i, 4), 4);
        // RSP/RBP-based references are stack references (#SS rather than #GP when non-canonical)
        if ((d.base == 4 || d.base == 5) && d.segOverride == DecodedInsn.NO_SEG) d.seg = SS;
        return i + n;
    }
}
