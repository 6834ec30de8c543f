package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * SSSE3 (MMX and XMM forms) and the integer half of SSE4.1, plus PCMPGTQ (SSE4.2): SDM Vol. 2 PSHUFB,
 * PHADD*, PHSUB*, PMADDUBSW, PMULHRSW, PSIGN*, PABS*, PALIGNR, PBLENDVB, PTEST, PMOVSX/ZX, PMULDQ,
 * PCMPEQQ, MOVNTDQA, PACKUSDW, PMIN*, PMAX*, PMULLD, PHMINPOSUW, PBLENDW, PEXTR*, PINSR*, MPSADBW.
 * Operands are unpacked into lanes of {@link #a} (destination) and {@link #b} (source); an MMX form
 * uses only the low quadword, so one lane loop serves both widths.
 */
final class SimdSsse3Sse4 {
    private final SimdUnit u;
    /** Destination, source and result, low quadword first: scratch, so nothing is allocated per instruction. */
    private final long[] a = new long[2], b = new long[2], r = new long[2];

    SimdSsse3Sse4(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        int op = d.op;
        if (op >= 0x200 && op <= 0x20B || op >= 0x21C && op <= 0x21E || op == 0x30F) return ssse3(d, c, op);
        if (d.simdPrefix() != DecodedInsn.SIMD_66 || !sse41(op)) return false;
        if (d.lock || !u.model.has(op == 0x237 ? CpuFeature.SSE4_2 : CpuFeature.SSE4_1)) throw c.fault(SimdUnit.UD);
        u.checkSse(c);
        int dst = d.regX();
        switch (op) {
            case 0x220, 0x221, 0x222, 0x223, 0x224, 0x225, 0x230, 0x231, 0x232, 0x233, 0x234, 0x235 -> {
                extend(d, c, op);
                u.setXmm(dst, r[0], r[1]);
                return true;
            }
            case 0x22A -> { // MOVNTDQA: a load with a non-temporal hint; only the memory form exists
                if (!d.mem) throw c.fault(SimdUnit.UD);
                u.readXmmRm(d, c, true);
                u.setXmm(dst, u.tmp[0], u.tmp[1]);
                return true;
            }
            case 0x314, 0x315, 0x316 -> { extract(d, c, op); return true; }
            case 0x320, 0x322 -> { insert(d, c, op); return true; }
            default -> { }
        }
        loadXmm(d, c);
        switch (op) {
            case 0x210 -> { // PBLENDVB: the mask is XMM0's byte sign bits
                for (int i = 0; i < 16; i++) setB(r, i, byteOf(u.xmm, i) >= 0x80 ? bU(b, i) : bU(a, i));
            }
            case 0x217 -> { ptest(c); return true; }
            case 0x228 -> { r[0] = (long) (int) a[0] * (int) b[0]; r[1] = (long) (int) a[1] * (int) b[1]; }
            case 0x229 -> { r[0] = a[0] == b[0] ? -1 : 0; r[1] = a[1] == b[1] ? -1 : 0; }
            case 0x237 -> { r[0] = a[0] > b[0] ? -1 : 0; r[1] = a[1] > b[1] ? -1 : 0; }
            case 0x22B -> {
                for (int i = 0; i < 4; i++) {
                    setW(r, i, satU16(dS(a, i)));
                    setW(r, i + 4, satU16(dS(b, i)));
                }
            }
            case 0x238, 0x23C -> {
                for (int i = 0; i < 16; i++) setB(r, i, (bS(a, i) < bS(b, i)) == (op == 0x238) ? bS(a, i) : bS(b, i));
            }
            case 0x239, 0x23D -> {
                for (int i = 0; i < 4; i++) setD(r, i, (dS(a, i) < dS(b, i)) == (op == 0x239) ? dS(a, i) : dS(b, i));
            }
            case 0x23A, 0x23E -> {
                for (int i = 0; i < 8; i++) setW(r, i, (wU(a, i) < wU(b, i)) == (op == 0x23A) ? wU(a, i) : wU(b, i));
            }
            case 0x23B, 0x23F -> {
                for (int i = 0; i < 4; i++) setD(r, i, (dU(a, i) < dU(b, i)) == (op == 0x23B) ? dU(a, i) : dU(b, i));
            }
            case 0x240 -> { for (int i = 0; i < 4; i++) setD(r, i, dS(a, i) * dS(b, i)); }
            case 0x241 -> { // PHMINPOSUW: the lowest index wins a tie, bits 127:19 are cleared
                int min = wU(b, 0), at = 0;
                for (int i = 1; i < 8; i++) if (wU(b, i) < min) { min = wU(b, i); at = i; }
                r[0] = min | (long) at << 16;
                r[1] = 0;
            }
            case 0x30E -> { for (int i = 0; i < 8; i++) setW(r, i, (d.imm >> i & 1) != 0 ? wU(b, i) : wU(a, i)); }
            case 0x342 -> mpsadbw((int) d.imm);
            default -> throw c.fault(SimdUnit.UD); // not reached: sse41() admits only the cases above
        }
        u.setXmm(dst, r[0], r[1]);
        return true;
    }

    private static boolean sse41(int op) {
        return switch (op) {
            case 0x210, 0x217, 0x228, 0x229, 0x22A, 0x22B, 0x237, 0x240, 0x241, 0x30E, 0x314, 0x315, 0x316,
                 0x320, 0x322, 0x342 -> true;
            default -> op >= 0x220 && op <= 0x225 || op >= 0x230 && op <= 0x235 || op >= 0x238 && op <= 0x23F;
        };
    }

    // ---- SSSE3: no prefix is the MMX form, 66 the XMM form ----

    private boolean ssse3(DecodedInsn d, SimdContext c, int op) {
        int prefix = d.simdPrefix();
        if (prefix != DecodedInsn.SIMD_NONE && prefix != DecodedInsn.SIMD_66) return false;
        if (d.lock || !u.model.has(CpuFeature.SSSE3)) throw c.fault(SimdUnit.UD);
        boolean mmx = prefix == DecodedInsn.SIMD_NONE;
        int n; // operand width in bytes
        if (mmx) {
            u.checkMmx(c);
            a[0] = u.mm(d.reg);
            b[0] = u.readMmRm(d, c);
            a[1] = b[1] = 0;
            n = 8;
        } else {
            u.checkSse(c);
            loadXmm(d, c);
            n = 16;
        }
        r[0] = r[1] = 0;
        switch (op & 0xFF) {
            case 0x00 -> { for (int i = 0; i < n; i++) setB(r, i, (bU(b, i) & 0x80) != 0 ? 0 : bU(a, bU(b, i) & (n - 1))); }
            case 0x01, 0x03, 0x05, 0x07 -> { // PHADDW, PHADDSW, PHSUBW, PHSUBSW
                boolean sub = (op & 4) != 0, sat = (op & 2) != 0;
                int half = n / 4;
                for (int i = 0; i < half; i++) {
                    setW(r, i, horizontal(a, 2 * i, sub, sat));
                    setW(r, i + half, horizontal(b, 2 * i, sub, sat));
                }
            }
            case 0x02, 0x06 -> { // PHADDD, PHSUBD
                int half = n / 8;
                for (int i = 0; i < half; i++) {
                    setD(r, i, op == 0x202 ? dS(a, 2 * i) + dS(a, 2 * i + 1) : dS(a, 2 * i) - dS(a, 2 * i + 1));
                    setD(r, i + half, op == 0x202 ? dS(b, 2 * i) + dS(b, 2 * i + 1) : dS(b, 2 * i) - dS(b, 2 * i + 1));
                }
            }
            case 0x04 -> { // PMADDUBSW: unsigned destination bytes times signed source bytes
                for (int i = 0; i < n / 2; i++) setW(r, i, satS16(bU(a, 2 * i) * bS(b, 2 * i) + bU(a, 2 * i + 1) * bS(b, 2 * i + 1)));
            }
            case 0x08 -> { for (int i = 0; i < n; i++) setB(r, i, sign(bS(a, i), bS(b, i))); }
            case 0x09 -> { for (int i = 0; i < n / 2; i++) setW(r, i, sign(wS(a, i), wS(b, i))); }
            case 0x0A -> { for (int i = 0; i < n / 4; i++) setD(r, i, sign(dS(a, i), dS(b, i))); }
            case 0x0B -> { for (int i = 0; i < n / 2; i++) setW(r, i, ((wS(a, i) * wS(b, i) >> 14) + 1) >> 1); }
            case 0x1C -> { for (int i = 0; i < n; i++) setB(r, i, Math.abs(bS(b, i))); }
            case 0x1D -> { for (int i = 0; i < n / 2; i++) setW(r, i, Math.abs(wS(b, i))); }
            case 0x1E -> { for (int i = 0; i < n / 4; i++) setD(r, i, Math.abs(dS(b, i))); }
            default -> palignr((int) d.imm & 0xFF, n);
        }
        if (mmx) u.setMm(d.reg, r[0]);
        else u.setXmm(d.regX(), r[0], r[1]);
        return true;
    }

    private static int horizontal(long[] v, int i, boolean sub, boolean sat) {
        int x = sub ? wS(v, i) - wS(v, i + 1) : wS(v, i) + wS(v, i + 1);
        return sat ? satS16(x) : x;
    }

    /** PSIGN: the destination negated, zeroed or kept as the source is negative, zero or positive. */
    private static int sign(int x, int s) { return s < 0 ? -x : s == 0 ? 0 : x; }

    /** PALIGNR: destination:source as one 2n-byte value shifted right by {@code shift} bytes (zeros enter). */
    private void palignr(int shift, int n) {
        for (int i = 0; i < n; i++) {
            int k = i + shift;
            setB(r, i, k < n ? bU(b, k) : k < 2 * n ? bU(a, k - n) : 0);
        }
    }

    // ---- SSE4.1 ----

    /** PTEST: ZF when dest AND source is zero, CF when source AND NOT dest is zero; AF, OF, PF, SF cleared. */
    private void ptest(SimdContext c) {
        long f = c.rflags() & ~(CpuState.FLAG_CF | CpuState.FLAG_PF | CpuState.FLAG_AF | CpuState.FLAG_ZF
                | CpuState.FLAG_SF | CpuState.FLAG_OF);
        if ((a[0] & b[0] | a[1] & b[1]) == 0) f |= CpuState.FLAG_ZF;
        if ((~a[0] & b[0] | ~a[1] & b[1]) == 0) f |= CpuState.FLAG_CF;
        c.setRflags(f);
    }

    /** PMOVSX/PMOVZX: the source holds 16 bytes divided by the widening factor, read unaligned. */
    private void extend(DecodedInsn d, SimdContext c, int op) {
        int kind = op & 0xF; // BW BD BQ WD WQ DQ
        boolean signed = (op & 0x10) == 0;
        int from = kind < 3 ? 1 : kind < 5 ? 2 : 4;
        int to = kind == 0 ? 2 : kind == 1 || kind == 3 ? 4 : 8;
        int count = 16 / to, bytes = count * from;
        long src = u.readXmmRmScalar(d, c, bytes);
        r[0] = r[1] = 0;
        for (int i = 0; i < count; i++) {
            long e = src >>> i * from * 8;
            e = signed ? e << 64 - 8 * from >> 64 - 8 * from : e & (1L << 8 * from) - 1;
            int bit = i * to * 8;
            long m = to == 8 ? -1L : (1L << 8 * to) - 1;
            r[bit >> 6] |= (e & m) << (bit & 63);
        }
    }

    /** PEXTRB, PEXTRW (the r/m form), PEXTRD, PEXTRQ: a register destination is zero-extended. */
    private void extract(DecodedInsn d, SimdContext c, int op) {
        int src = d.regX(), imm = (int) d.imm;
        a[0] = u.lo(src);
        a[1] = u.hi(src);
        int size = op == 0x314 ? 1 : op == 0x315 ? 2 : (d.rex & 8) != 0 ? 8 : 4;
        long v = switch (size) {
            case 1 -> bU(a, imm & 15);
            case 2 -> wU(a, imm & 7);
            case 4 -> dU(a, imm & 3);
            default -> a[imm & 1];
        };
        if (d.mem) c.write(0, size, v);
        else c.setGpr(size == 8 ? 8 : 4, d.rmX(), v);
    }

    /** PINSRB, PINSRD, PINSRQ: one element from a general register or memory. */
    private void insert(DecodedInsn d, SimdContext c, int op) {
        int size = op == 0x320 ? 1 : (d.rex & 8) != 0 ? 8 : 4, imm = (int) d.imm;
        long v = d.mem ? c.read(0, size) : c.gpr(size == 8 ? 8 : 4, d.rmX());
        int dst = d.regX();
        a[0] = u.lo(dst);
        a[1] = u.hi(dst);
        switch (size) {
            case 1 -> setB(a, imm & 15, (int) v);
            case 4 -> setD(a, imm & 3, v);
            default -> a[imm & 1] = v;
        }
        u.setXmm(dst, a[0], a[1]);
    }

    /** MPSADBW: eight sums of absolute differences of a sliding 4-byte window of dest against one source dword. */
    private void mpsadbw(int imm) {
        int da = (imm >> 2 & 1) * 4, sb = (imm & 3) * 4;
        for (int i = 0; i < 8; i++) {
            int sum = 0;
            for (int j = 0; j < 4; j++) sum += Math.abs(bU(a, da + i + j) - bU(b, sb + j));
            setW(r, i, sum);
        }
    }

    /** Destination XMM register into {@link #a}, the 16-byte-aligned r/m operand into {@link #b}. */
    private void loadXmm(DecodedInsn d, SimdContext c) {
        u.readXmmRm(d, c, true);
        b[0] = u.tmp[0];
        b[1] = u.tmp[1];
        a[0] = u.lo(d.regX());
        a[1] = u.hi(d.regX());
        r[0] = r[1] = 0;
    }

    // ---- lanes of a 128-bit value held as two longs, low quadword first ----

    static int bU(long[] v, int i) { return (int) (v[i >> 3] >>> ((i & 7) << 3)) & 0xFF; }

    static int bS(long[] v, int i) { return (byte) (v[i >> 3] >>> ((i & 7) << 3)); }

    static int wU(long[] v, int i) { return (int) (v[i >> 2] >>> ((i & 3) << 4)) & 0xFFFF; }

    static int wS(long[] v, int i) { return (short) (v[i >> 2] >>> ((i & 3) << 4)); }

    static long dU(long[] v, int i) { return v[i >> 1] >>> ((i & 1) << 5) & 0xFFFF_FFFFL; }

    static int dS(long[] v, int i) { return (int) (v[i >> 1] >>> ((i & 1) << 5)); }

    /** Byte {@code i} of XMM0 in the raw register file (PBLENDVB's implicit mask). */
    private static int byteOf(long[] xmm, int i) { return (int) (xmm[i >> 3] >>> ((i & 7) << 3)) & 0xFF; }

    static void setB(long[] v, int i, int x) {
        int s = (i & 7) << 3;
        v[i >> 3] = v[i >> 3] & ~(0xFFL << s) | (x & 0xFFL) << s;
    }

    static void setW(long[] v, int i, int x) {
        int s = (i & 3) << 4;
        v[i >> 2] = v[i >> 2] & ~(0xFFFFL << s) | (x & 0xFFFFL) << s;
    }

    static void setD(long[] v, int i, long x) {
        int s = (i & 1) << 5;
        v[i >> 1] = v[i >> 1] & ~(0xFFFF_FFFFL << s) | (x & 0xFFFF_FFFFL) << s;
    }

    private static int satS16(int x) { return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, x)); }

    private static int satU16(int x) { return Math.max(0, Math.min(0xFFFF, x)); }
}
