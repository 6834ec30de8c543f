package dev.jvirt.cpu.simd;

import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_66;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_F2;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_F3;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_NONE;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * SSE/SSE2/SSE3/SSE4.1 floating point: arithmetic, comparisons, (U)COMIS*, rounding, dot products,
 * horizontal ops, LDMXCSR/STMXCSR, with MXCSR rounding, flags, masking, DAZ and FTZ; the conversions
 * are in {@link SimdConvert}. Every element is computed into scratch first, so an unmasked exception
 * (SDM Vol. 1 11.5.2) leaves the destination unchanged.
 */
final class SimdFloat {
    private final SimdUnit u;
    final SseMath m = new SseMath();
    private final SimdConvert convert;
    /** Element results (singles in the low 32 bits). */
    final long[] res = new long[4];

    SimdFloat(SimdUnit u) {
        this.u = u;
        this.convert = new SimdConvert(u, this);
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        int p = d.simdPrefix();
        switch (d.op) {
            case 0x151, 0x158, 0x159, 0x15C, 0x15D, 0x15E, 0x15F -> arith(d, c, d.op & 0xFF, p);
            case 0x152, 0x153 -> {
                if (p != SIMD_NONE && p != SIMD_F3) return false;
                arith(d, c, d.op & 0xFF, p);
            }
            case 0x1C2 -> compare(d, c, p);
            case 0x12E, 0x12F -> {
                if (p != SIMD_NONE && p != SIMD_66) return false;
                comis(d, c, p == SIMD_66, d.op == 0x12F);
            }
            case 0x12A, 0x12C, 0x12D, 0x15A, 0x15B, 0x1E6 -> {
                return convert.execute(d, c, p);
            }
            case 0x1D0, 0x17C, 0x17D -> {
                if (p != SIMD_66 && p != SIMD_F2) return false;
                horizontal(d, c, p == SIMD_66);
            }
            case 0x112, 0x116, 0x1F0 -> {
                return sse3Move(d, c, p);
            }
            case 0x1AE -> {
                if (!d.mem || (d.reg != 2 && d.reg != 3) || p != SIMD_NONE) return false;
                mxcsrAccess(d, c);
            }
            case 0x214, 0x215, 0x308, 0x309, 0x30A, 0x30B, 0x30C, 0x30D, 0x317, 0x321, 0x340, 0x341 -> {
                if (p != SIMD_66) return false;
                sse41(d, c);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- shared ----

    /** #UD without the feature, then the SSE checks (CR0.EM, CR4.OSFXSR, CR0.TS). */
    void need(SimdContext c, CpuFeature f) {
        if (!u.model.has(f)) throw c.fault(SimdUnit.UD);
        u.checkSse(c);
    }

    static long lane32(long lo, long hi, int i) {
        return (i < 2 ? lo : hi) >>> (32 * (i & 1)) & 0xFFFF_FFFFL;
    }

    long resLo() { return res[0] & 0xFFFF_FFFFL | res[1] << 32; }

    long resHi() { return res[2] & 0xFFFF_FFFFL | res[3] << 32; }

    /**
     * Ends the computation: an unmasked pre-computation exception (IE, DE, ZE) reports only those
     * flags; otherwise all flags are set, then any unmasked one raises #XM (or #UD).
     */
    void commit(SimdContext c) {
        int fl = m.flags, unmasked = fl & ~(u.f.mxcsr >> 7) & 0x3F;
        if ((unmasked & SseMath.PRE) != 0) {
            u.f.mxcsr |= fl & SseMath.PRE;
            throw u.simdFpException(c);
        }
        u.f.mxcsr |= fl;
        if (unmasked != 0) throw u.simdFpException(c);
    }

    /** Reads the source: the scalar's 4/8 bytes into tmp[0] (tmp[1] = 0), or the aligned 128 bits. */
    void readSource(DecodedInsn d, SimdContext c, boolean scalar, int size) {
        if (scalar) {
            u.tmp[0] = u.readXmmRmScalar(d, c, size);
            u.tmp[1] = 0;
        } else u.readXmmRm(d, c, true);
    }

    // ---- arithmetic ----

    private long op(int kind, boolean dbl, long a, long b) {
        return switch (kind) {
            case 0x51 -> m.sqrt(dbl, b);
            case 0x52 -> SseMath.rsqrt(b);
            case 0x53 -> SseMath.rcp(b);
            default -> m.arith(kind, dbl, a, b);
        };
    }

    private void arith(DecodedInsn d, SimdContext c, int kind, int p) {
        boolean dbl = p == SIMD_66 || p == SIMD_F2, scalar = p == SIMD_F3 || p == SIMD_F2;
        need(c, dbl ? CpuFeature.SSE2 : CpuFeature.SSE);
        int dst = d.regX();
        long dlo = u.lo(dst), dhi = u.hi(dst);
        readSource(d, c, scalar, dbl ? 8 : 4);
        long slo = u.tmp[0], shi = u.tmp[1];
        m.begin(u.f.mxcsr);
        long rlo, rhi;
        if (dbl) {
            rlo = op(kind, true, dlo, slo);
            rhi = scalar ? dhi : op(kind, true, dhi, shi);
        } else {
            int n = scalar ? 1 : 4;
            for (int i = 0; i < 4; i++) {
                long a = lane32(dlo, dhi, i);
                res[i] = i < n ? op(kind, false, a, lane32(slo, shi, i)) : a;
            }
            rlo = resLo();
            rhi = resHi();
        }
        commit(c);
        u.setXmm(dst, rlo, rhi);
    }

    private void compare(DecodedInsn d, SimdContext c, int p) {
        boolean dbl = p == SIMD_66 || p == SIMD_F2, scalar = p == SIMD_F3 || p == SIMD_F2;
        need(c, dbl ? CpuFeature.SSE2 : CpuFeature.SSE);
        int dst = d.regX(), pred = (int) d.imm & 7;
        long dlo = u.lo(dst), dhi = u.hi(dst);
        readSource(d, c, scalar, dbl ? 8 : 4);
        long slo = u.tmp[0], shi = u.tmp[1];
        m.begin(u.f.mxcsr);
        long rlo, rhi;
        if (dbl) {
            rlo = m.compare(true, dlo, slo, pred) ? -1L : 0;
            rhi = scalar ? dhi : m.compare(true, dhi, shi, pred) ? -1L : 0;
        } else {
            int n = scalar ? 1 : 4;
            for (int i = 0; i < 4; i++) {
                long a = lane32(dlo, dhi, i);
                res[i] = i >= n ? a : m.compare(false, a, lane32(slo, shi, i), pred) ? 0xFFFF_FFFFL : 0;
            }
            rlo = resLo();
            rhi = resHi();
        }
        commit(c);
        u.setXmm(dst, rlo, rhi);
    }

    /** (U)COMISS/SD: ZF, PF, CF from the comparison; OF, SF, AF cleared. */
    private void comis(DecodedInsn d, SimdContext c, boolean dbl, boolean signalQnan) {
        need(c, dbl ? CpuFeature.SSE2 : CpuFeature.SSE);
        long a = u.lo(d.regX()), b = u.readXmmRmScalar(d, c, dbl ? 8 : 4);
        if (!dbl) a &= 0xFFFF_FFFFL;
        m.begin(u.f.mxcsr);
        int zpc = m.comis(dbl, a, b, signalQnan);
        commit(c);
        c.setRflags(c.rflags() & ~0x8D5L | zpc);
    }

    /** ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD (SSE3). */
    private void horizontal(DecodedInsn d, SimdContext c, boolean dbl) {
        need(c, CpuFeature.PNI);
        int dst = d.regX();
        long dlo = u.lo(dst), dhi = u.hi(dst);
        u.readXmmRm(d, c, true);
        long slo = u.tmp[0], shi = u.tmp[1];
        m.begin(u.f.mxcsr);
        long rlo, rhi;
        if (d.op == 0x1D0) {
            if (dbl) {
                rlo = m.arith(SseMath.SUB, true, dlo, slo);
                rhi = m.arith(SseMath.ADD, true, dhi, shi);
            } else {
                for (int i = 0; i < 4; i++) {
                    res[i] = m.arith((i & 1) == 0 ? SseMath.SUB : SseMath.ADD, false, lane32(dlo, dhi, i), lane32(slo, shi, i));
                }
                rlo = resLo();
                rhi = resHi();
            }
        } else {
            int kind = d.op == 0x17C ? SseMath.ADD : SseMath.SUB;
            if (dbl) {
                rlo = m.arith(kind, true, dlo, dhi);
                rhi = m.arith(kind, true, slo, shi);
            } else {
                res[0] = m.arith(kind, false, lane32(dlo, dhi, 0), lane32(dlo, dhi, 1));
                res[1] = m.arith(kind, false, lane32(dlo, dhi, 2), lane32(dlo, dhi, 3));
                res[2] = m.arith(kind, false, lane32(slo, shi, 0), lane32(slo, shi, 1));
                res[3] = m.arith(kind, false, lane32(slo, shi, 2), lane32(slo, shi, 3));
                rlo = resLo();
                rhi = resHi();
            }
        }
        commit(c);
        u.setXmm(dst, rlo, rhi);
    }

    /** MOVSLDUP, MOVSHDUP (F3 0F 12/16), MOVDDUP (F2 0F 12), LDDQU (F2 0F F0, memory only, unaligned). */
    private boolean sse3Move(DecodedInsn d, SimdContext c, int p) {
        boolean lddqu = d.op == 0x1F0;
        if (lddqu ? p != SIMD_F2 || !d.mem : d.op == 0x116 ? p != SIMD_F3 : p != SIMD_F3 && p != SIMD_F2) return false;
        need(c, CpuFeature.PNI);
        int dst = d.regX();
        if (lddqu) {
            u.readXmmRm(d, c, false);
            u.setXmm(dst, u.tmp[0], u.tmp[1]);
        } else if (p == SIMD_F2) {
            long v = u.readXmmRmScalar(d, c, 8);
            u.setXmm(dst, v, v);
        } else {
            u.readXmmRm(d, c, true);
            int sh = d.op == 0x116 ? 32 : 0;
            long a = u.tmp[0] >>> sh & 0xFFFF_FFFFL, b = u.tmp[1] >>> sh & 0xFFFF_FFFFL;
            u.setXmm(dst, a | a << 32, b | b << 32);
        }
        return true;
    }

    /** LDMXCSR (#GP(0) for any of the reserved bits 31:16, MXCSR_MASK being 0xFFFF) and STMXCSR. */
    private void mxcsrAccess(DecodedInsn d, SimdContext c) {
        need(c, CpuFeature.SSE);
        if (d.reg == 3) {
            c.write(0, 4, u.f.mxcsr & 0xFFFFFFFFL);
            return;
        }
        long v = c.read(0, 4);
        if ((v & 0xFFFF_0000L) != 0) throw c.fault(SimdUnit.GP);
        u.f.mxcsr = (int) v;
    }

    private void sse41(DecodedInsn d, SimdContext c) {
        need(c, CpuFeature.SSE4_1);
        Sse41Float.execute(this, u, d, c);
    }
}
