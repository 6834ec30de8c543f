package dev.jvirt.cpu.simd;

import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_66;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_F2;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_F3;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_NONE;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * The SSE/SSE2 conversions (0F 2A, 2C, 2D, 5A, 5B, E6) between singles, doubles, 32/64-bit integers
 * in general registers and packed 32-bit integers in XMM or MMX registers. Float-to-integer overflow
 * and NaN give the integer indefinite with IE; every rounding follows MXCSR.RC except the truncating
 * forms. Touching an MMX register makes the x87 MMX-shaped (SDM Vol. 1 9.5.1).
 */
final class SimdConvert {
    private final SimdUnit u;
    private final SimdFloat fp;
    private final SseMath m;

    SimdConvert(SimdUnit u, SimdFloat fp) {
        this.u = u;
        this.fp = fp;
        this.m = fp.m;
    }

    boolean execute(DecodedInsn d, SimdContext c, int p) {
        switch (d.op) {
            case 0x12A -> fromInteger(d, c, p);
            case 0x12C, 0x12D -> toInteger(d, c, p, d.op == 0x12C);
            case 0x15A -> floatToFloat(d, c, p);
            case 0x15B -> {
                if (p == SIMD_F2) return false;
                packedDword(d, c, p);
            }
            default -> {
                if (p == SIMD_NONE) return false;
                e6(d, c, p);
            }
        }
        return true;
    }

    private static long sext32(long v) { return (int) v; }

    /** CVTPI2PS, CVTPI2PD, CVTSI2SS, CVTSI2SD. */
    private void fromInteger(DecodedInsn d, SimdContext c, int p) {
        boolean dbl = p == SIMD_66 || p == SIMD_F2;
        fp.need(c, dbl ? CpuFeature.SSE2 : CpuFeature.SSE);
        int dst = d.regX();
        long dlo = u.lo(dst), dhi = u.hi(dst);
        if (p == SIMD_NONE || p == SIMD_66) {
            if (!d.mem) u.checkMmx(c);
            long v = u.readMmRm(d, c);
            m.begin(u.f.mxcsr);
            long a = m.fromInt(dbl, sext32(v)), b = m.fromInt(dbl, v >> 32);
            fp.commit(c);
            if (dbl) u.setXmm(dst, a, b);
            else u.setXmm(dst, a | b << 32, dhi);
            return;
        }
        int size = (d.rex & 8) != 0 ? 8 : 4;
        long v = d.mem ? c.read(0, size) : c.gpr(size, d.rmX());
        if (size == 4) v = sext32(v);
        m.begin(u.f.mxcsr);
        long r = m.fromInt(dbl, v);
        fp.commit(c);
        u.setXmm(dst, dbl ? r : dlo & ~0xFFFF_FFFFL | r, dhi);
    }

    /** CVT(T)PS2PI, CVT(T)PD2PI (to an MMX register), CVT(T)SS2SI, CVT(T)SD2SI (to a general register). */
    private void toInteger(DecodedInsn d, SimdContext c, int p, boolean truncate) {
        boolean dbl = p == SIMD_66 || p == SIMD_F2;
        fp.need(c, dbl ? CpuFeature.SSE2 : CpuFeature.SSE);
        if (p == SIMD_NONE || p == SIMD_66) {
            u.checkMmx(c);
            long a, b;
            if (dbl) {
                u.readXmmRm(d, c, true);
                a = u.tmp[0];
                b = u.tmp[1];
            } else {
                long v = u.readXmmRmScalar(d, c, 8);
                a = v & 0xFFFF_FFFFL;
                b = v >>> 32;
            }
            m.begin(u.f.mxcsr);
            long r = m.toInt(dbl, a, false, truncate) | m.toInt(dbl, b, false, truncate) << 32;
            fp.commit(c);
            u.setMm(d.reg, r);
            return;
        }
        long a = u.readXmmRmScalar(d, c, dbl ? 8 : 4);
        boolean to64 = (d.rex & 8) != 0;
        m.begin(u.f.mxcsr);
        long r = m.toInt(dbl, a, to64, truncate);
        fp.commit(c);
        c.setGpr(to64 ? 8 : 4, d.regX(), r);
    }

    /** CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS (all SSE2). */
    private void floatToFloat(DecodedInsn d, SimdContext c, int p) {
        fp.need(c, CpuFeature.SSE2);
        int dst = d.regX();
        long dlo = u.lo(dst), dhi = u.hi(dst), rlo, rhi;
        switch (p) {
            case SIMD_NONE -> {
                long v = u.readXmmRmScalar(d, c, 8);
                m.begin(u.f.mxcsr);
                rlo = m.singleToDouble(v & 0xFFFF_FFFFL);
                rhi = m.singleToDouble(v >>> 32);
            }
            case SIMD_66 -> {
                u.readXmmRm(d, c, true);
                long lo = u.tmp[0], hi = u.tmp[1];
                m.begin(u.f.mxcsr);
                rlo = m.doubleToSingle(lo) | m.doubleToSingle(hi) << 32;
                rhi = 0;
            }
            case SIMD_F3 -> {
                long v = u.readXmmRmScalar(d, c, 4);
                m.begin(u.f.mxcsr);
                rlo = m.singleToDouble(v);
                rhi = dhi;
            }
            default -> {
                long v = u.readXmmRmScalar(d, c, 8);
                m.begin(u.f.mxcsr);
                rlo = dlo & ~0xFFFF_FFFFL | m.doubleToSingle(v);
                rhi = dhi;
            }
        }
        fp.commit(c);
        u.setXmm(dst, rlo, rhi);
    }

    /** CVTDQ2PS, CVTPS2DQ, CVTTPS2DQ (SSE2, 0F 5B). */
    private void packedDword(DecodedInsn d, SimdContext c, int p) {
        fp.need(c, CpuFeature.SSE2);
        u.readXmmRm(d, c, true);
        long slo = u.tmp[0], shi = u.tmp[1];
        m.begin(u.f.mxcsr);
        for (int i = 0; i < 4; i++) {
            long v = SimdFloat.lane32(slo, shi, i);
            fp.res[i] = p == SIMD_NONE ? m.fromInt(false, sext32(v)) : m.toInt(false, v, false, p == SIMD_F3);
        }
        fp.commit(c);
        u.setXmm(d.regX(), fp.resLo(), fp.resHi());
    }

    /** 66: CVTTPD2DQ, F3: CVTDQ2PD (64-bit source), F2: CVTPD2DQ (SSE2, 0F E6). */
    private void e6(DecodedInsn d, SimdContext c, int p) {
        fp.need(c, CpuFeature.SSE2);
        long rlo, rhi;
        if (p == SIMD_F3) {
            long v = u.readXmmRmScalar(d, c, 8);
            m.begin(u.f.mxcsr);
            rlo = m.fromInt(true, sext32(v));
            rhi = m.fromInt(true, v >> 32);
        } else {
            u.readXmmRm(d, c, true);
            long lo = u.tmp[0], hi = u.tmp[1];
            boolean truncate = p == SIMD_66;
            m.begin(u.f.mxcsr);
            rlo = m.toInt(true, lo, false, truncate) | m.toInt(true, hi, false, truncate) << 32;
            rhi = 0;
        }
        fp.commit(c);
        u.setXmm(d.regX(), rlo, rhi);
    }
}
