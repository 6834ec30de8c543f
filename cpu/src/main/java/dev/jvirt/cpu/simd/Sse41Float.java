package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * SSE4.1 floating point (66 0F 3A 08-0D, 17, 21, 40, 41 and 66 0F 38 14/15): ROUNDxx, BLEND(V)PS/PD,
 * EXTRACTPS, INSERTPS, DPPS/DPPD. Only ROUND and DP can raise SIMD floating-point exceptions.
 */
final class Sse41Float {
    private Sse41Float() {}

    static void execute(SimdFloat fp, SimdUnit u, DecodedInsn d, SimdContext c) {
        int dst = d.regX(), imm = (int) d.imm & 0xFF;
        long dlo = u.lo(dst), dhi = u.hi(dst);
        SseMath m = fp.m;
        switch (d.op) {
            case 0x308, 0x309, 0x30A, 0x30B -> {
                boolean dbl = (d.op & 1) != 0, scalar = d.op >= 0x30A;
                fp.readSource(d, c, scalar, dbl ? 8 : 4);
                long slo = u.tmp[0], shi = u.tmp[1];
                m.begin(u.f.mxcsr);
                int rc = (imm & 4) != 0 ? m.rc() : imm & 3;
                boolean noPe = (imm & 8) != 0;
                long rlo, rhi;
                if (dbl) {
                    rlo = m.roundIntegral(true, slo, rc, noPe);
                    rhi = scalar ? dhi : m.roundIntegral(true, shi, rc, noPe);
                } else {
                    for (int i = 0; i < 4; i++) {
                        fp.res[i] = scalar && i > 0 ? SimdFloat.lane32(dlo, dhi, i)
                                : m.roundIntegral(false, SimdFloat.lane32(slo, shi, i), rc, noPe);
                    }
                    rlo = fp.resLo();
                    rhi = fp.resHi();
                }
                fp.commit(c);
                u.setXmm(dst, rlo, rhi);
            }
            case 0x30C, 0x30D, 0x214, 0x215 -> {
                u.readXmmRm(d, c, true);
                long slo = u.tmp[0], shi = u.tmp[1];
                long mask;
                if (d.op < 0x300) { // BLENDVPS/PD: the sign bit of each XMM0 element
                    long x0 = u.lo(0), x1 = u.hi(0);
                    mask = d.op == 0x215 ? (x0 < 0 ? 1 : 0) | (x1 < 0 ? 2 : 0)
                            : (x0 >>> 31 & 1) | (x0 >>> 62 & 2) | (x1 >>> 29 & 4) | (x1 >>> 60 & 8);
                } else mask = imm;
                if (d.op == 0x30D || d.op == 0x215) {
                    u.setXmm(dst, (mask & 1) != 0 ? slo : dlo, (mask & 2) != 0 ? shi : dhi);
                } else {
                    for (int i = 0; i < 4; i++) fp.res[i] = SimdFloat.lane32((mask >> i & 1) != 0 ? slo : dlo, (mask >> i & 1) != 0 ? shi : dhi, i);
                    u.setXmm(dst, fp.resLo(), fp.resHi());
                }
            }
            case 0x317 -> { // EXTRACTPS r/m32, xmm (a register destination is zero-extended to 64 bits)
                long v = SimdFloat.lane32(dlo, dhi, imm & 3);
                if (d.mem) c.write(0, 4, v);
                else c.setGpr(4, d.rmX(), v);
            }
            case 0x321 -> { // INSERTPS: imm8[7:6] source element (registers only), [5:4] destination, [3:0] zero mask
                long v = d.mem ? c.read(0, 4) : SimdFloat.lane32(u.lo(d.rmX()), u.hi(d.rmX()), imm >> 6);
                for (int i = 0; i < 4; i++) {
                    long e = i == (imm >> 4 & 3) ? v : SimdFloat.lane32(dlo, dhi, i);
                    fp.res[i] = (imm >> i & 1) != 0 ? 0 : e;
                }
                u.setXmm(dst, fp.resLo(), fp.resHi());
            }
            default -> dotProduct(fp, u, d, c, dst, imm, dlo, dhi);
        }
    }

    /** DPPS/DPPD: products of the elements imm8[7:4] selects, summed pairwise, stored where imm8[3:0] says. */
    private static void dotProduct(SimdFloat fp, SimdUnit u, DecodedInsn d, SimdContext c, int dst, int imm, long dlo, long dhi) {
        u.readXmmRm(d, c, true);
        long slo = u.tmp[0], shi = u.tmp[1];
        SseMath m = fp.m;
        m.begin(u.f.mxcsr);
        if (d.op == 0x341) {
            long t0 = (imm & 0x10) != 0 ? m.arith(SseMath.MUL, true, dlo, slo) : 0;
            long t1 = (imm & 0x20) != 0 ? m.arith(SseMath.MUL, true, dhi, shi) : 0;
            long sum = m.arith(SseMath.ADD, true, t0, t1);
            fp.commit(c);
            u.setXmm(dst, (imm & 1) != 0 ? sum : 0, (imm & 2) != 0 ? sum : 0);
            return;
        }
        long[] t = fp.res;
        for (int i = 0; i < 4; i++) {
            t[i] = (imm >> (4 + i) & 1) != 0 ? m.arith(SseMath.MUL, false, SimdFloat.lane32(dlo, dhi, i), SimdFloat.lane32(slo, shi, i)) : 0;
        }
        long sum = m.arith(SseMath.ADD, false, m.arith(SseMath.ADD, false, t[0], t[1]), m.arith(SseMath.ADD, false, t[2], t[3]));
        fp.commit(c);
        for (int i = 0; i < 4; i++) t[i] = (imm >> i & 1) != 0 ? sum : 0;
        u.setXmm(dst, fp.resLo(), fp.resHi());
    }
}
