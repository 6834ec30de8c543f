package dev.jvirt.cpu.simd;

import java.math.BigInteger;

/**
 * IEEE 754 single/double arithmetic with the MXCSR's rounding control, DAZ, FTZ and exception flags
 * (SDM Vol. 1 4.9, 10.2.3, 11.5). Operands and results are raw encodings: a single in the low 32 bits of
 * a long. The caller sets {@link #mxcsr}, clears {@link #flags}, runs every element of an instruction
 * and then decides from the accumulated flags whether an unmasked exception replaces the result.
 * Round-to-nearest results that are exact or plainly normal come from Java's own arithmetic (with
 * TwoSum/FMA error terms for the inexact flag); everything else takes an exact BigInteger path.
 */
final class SseMath {
    static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    /** Exceptions detected before the computation (SDM Vol. 1 11.5.2): they suppress it when unmasked. */
    static final int PRE = IE | DE | ZE;
    static final int DAZ = 1 << 6, UM = 1 << 11, FTZ = 1 << 15;
    static final int RN = 0, RD = 1, RU = 2, RZ = 3;
    static final int ADD = 0x58, MUL = 0x59, SUB = 0x5C, MIN = 0x5D, DIV = 0x5E, MAX = 0x5F;
    static final long S_INDEFINITE = 0xFFC0_0000L, D_INDEFINITE = 0xFFF8_0000_0000_0000L;

    /** The control part of MXCSR in force. */
    int mxcsr = 0x1F80;
    /** Exception flags raised since the caller cleared it. */
    int flags;

    void begin(int mxcsr) {
        this.mxcsr = mxcsr;
        flags = 0;
    }

    int rc() { return mxcsr >> 13 & 3; }

    // ---- encodings ----

    private static int fracBits(boolean dbl) { return dbl ? 52 : 23; }

    private static int expMax(boolean dbl) { return dbl ? 0x7FF : 0xFF; }

    static long signBit(boolean dbl) { return dbl ? Long.MIN_VALUE : 0x8000_0000L; }

    private static int exp(boolean dbl, long x) { return (int) (x >>> fracBits(dbl)) & expMax(dbl); }

    private static long frac(boolean dbl, long x) { return x & ((1L << fracBits(dbl)) - 1); }

    static boolean neg(boolean dbl, long x) { return (x & signBit(dbl)) != 0; }

    static boolean isNaN(boolean dbl, long x) { return exp(dbl, x) == expMax(dbl) && frac(dbl, x) != 0; }

    static boolean isSNaN(boolean dbl, long x) { return isNaN(dbl, x) && (x & quietBit(dbl)) == 0; }

    private static long quietBit(boolean dbl) { return 1L << (fracBits(dbl) - 1); }

    static long quiet(boolean dbl, long x) { return x | quietBit(dbl); }

    static boolean isInf(boolean dbl, long x) { return exp(dbl, x) == expMax(dbl) && frac(dbl, x) == 0; }

    static boolean isZero(boolean dbl, long x) { return (x & ~signBit(dbl)) == 0; }

    static boolean isDenormal(boolean dbl, long x) { return exp(dbl, x) == 0 && frac(dbl, x) != 0; }

    private static boolean normalOrZero(boolean dbl, long x) {
        int e = exp(dbl, x);
        return e != expMax(dbl) && (e != 0 || frac(dbl, x) == 0);
    }

    static long zero(boolean dbl, boolean neg) { return neg ? signBit(dbl) : 0; }

    static long inf(boolean dbl, boolean neg) { return zero(dbl, neg) | (long) expMax(dbl) << fracBits(dbl); }

    private static long maxFinite(boolean dbl, boolean neg) { return inf(dbl, neg) - 1; }

    static long indefinite(boolean dbl) { return dbl ? D_INDEFINITE : S_INDEFINITE; }

    /** DAZ: a denormal input reads as a zero of its sign, without the denormal exception. */
    long daz(boolean dbl, long x) {
        return (mxcsr & DAZ) != 0 && isDenormal(dbl, x) ? x & signBit(dbl) : x;
    }

    /** Significand with the hidden bit; the value is {@code sig(x) * 2^lsbExp(x)} (finite, nonzero x). */
    private static long sig(boolean dbl, long x) {
        return exp(dbl, x) == 0 ? frac(dbl, x) : frac(dbl, x) | 1L << fracBits(dbl);
    }

    private static int lsbExp(boolean dbl, long x) {
        int bias = dbl ? 1023 : 127;
        return Math.max(exp(dbl, x), 1) - bias - fracBits(dbl);
    }

    private static double value(boolean dbl, long x) {
        return dbl ? Double.longBitsToDouble(x) : Float.intBitsToFloat((int) x);
    }

    private long invalid(boolean dbl) {
        flags |= IE;
        return indefinite(dbl);
    }

    // ---- arithmetic ----

    /** ADD, SUB, MUL, DIV, MIN, MAX ({@code op} is the 0F 5x opcode byte) of {@code a} (destination) and {@code b}. */
    long arith(int op, boolean dbl, long a, long b) {
        a = daz(dbl, a);
        b = daz(dbl, b);
        if (op == MIN || op == MAX) return minMax(op == MAX, dbl, a, b);
        if (rc() == RN && normalOrZero(dbl, a) && normalOrZero(dbl, b)) {
            long r = dbl ? fastDouble(op, a, b) : fastSingle(op, a, b);
            if (r != -1) return r;
        }
        return slowArith(op, dbl, a, b);
    }

    /** Round-to-nearest single result, or -1 when it needs the exact path (tiny, overflow, x/0). */
    private long fastSingle(int op, long a, long b) {
        double x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b);
        double s;
        boolean exact;
        switch (op) {
            case ADD, SUB -> {
                if (op == SUB) y = -y;
                s = x + y;
                double bb = s - x;
                exact = (x - (s - bb)) + (y - bb) == 0;
            }
            case MUL -> {
                s = x * y; // 24 x 24 bits: exact in double
                exact = true;
            }
            default -> {
                if (y == 0) return -1;
                s = x / y;
                exact = Math.fma(-(double) (float) s, y, x) == 0;
            }
        }
        float f = (float) s; // double rounding is harmless for + - * / (53 >= 2 * 24 + 2)
        exact &= f == s;
        float af = Math.abs(f);
        if (af > Float.MAX_VALUE || (af < Float.MIN_NORMAL && !(f == 0 && exact))) return -1;
        if (!exact) flags |= PE;
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }

    private static final double FMA_SAFE = 0x1p-960;

    private long fastDouble(int op, long a, long b) {
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
        double s;
        boolean exact;
        switch (op) {
            case ADD, SUB -> {
                if (op == SUB) y = -y;
                s = x + y;
                double bb = s - x;
                exact = (x - (s - bb)) + (y - bb) == 0;
                if (Math.abs(s) < Double.MIN_NORMAL && s != 0) return -1;
            }
            case MUL -> {
                s = x * y;
                if (s != 0 && Math.abs(s) < FMA_SAFE) return -1;
                exact = s == 0 ? x == 0 || y == 0 : Math.fma(x, y, -s) == 0;
            }
            default -> {
                if (y == 0) return -1;
                s = x / y;
                if (x != 0 && (Math.abs(s) < FMA_SAFE || Math.abs(x) < FMA_SAFE)) return -1;
                exact = x == 0 || Math.fma(-s, y, x) == 0;
            }
        }
        if (Double.isInfinite(s) || (s == 0 && !exact)) return -1;
        if (!exact) flags |= PE;
        return Double.doubleToRawLongBits(s);
    }

    private long slowArith(int op, boolean dbl, long a, long b) {
        boolean na = isNaN(dbl, a), nb = isNaN(dbl, b);
        if (na || nb) {
            if (isSNaN(dbl, a) || isSNaN(dbl, b)) flags |= IE;
            return quiet(dbl, na ? a : b);
        }
        boolean sa = neg(dbl, a), sb = neg(dbl, b) ^ (op == SUB);
        boolean ia = isInf(dbl, a), ib = isInf(dbl, b), za = isZero(dbl, a), zb = isZero(dbl, b);
        boolean sign = sa ^ sb;
        switch (op) {
            case ADD, SUB -> {
                if (ia && ib && sa != sb) return invalid(dbl);
                denormalCheck(dbl, a, b);
                if (ia || ib) return inf(dbl, ia ? sa : sb);
                if (za && zb) return zero(dbl, sa == sb ? sa : rc() == RD);
                long ma = za ? 0 : sig(dbl, a), mb = zb ? 0 : sig(dbl, b);
                int ea = za ? Integer.MAX_VALUE : lsbExp(dbl, a), eb = zb ? Integer.MAX_VALUE : lsbExp(dbl, b);
                int e = Math.min(ea, eb);
                BigInteger x = za ? BigInteger.ZERO : BigInteger.valueOf(ma).shiftLeft(ea - e);
                BigInteger y = zb ? BigInteger.ZERO : BigInteger.valueOf(mb).shiftLeft(eb - e);
                BigInteger sum = (sa ? x.negate() : x).add(sb ? y.negate() : y);
                if (sum.signum() == 0) return zero(dbl, rc() == RD);
                return roundPack(dbl, sum.signum() < 0, sum.abs(), e, false);
            }
            case MUL -> {
                if ((ia && zb) || (ib && za)) return invalid(dbl);
                denormalCheck(dbl, a, b);
                if (ia || ib) return inf(dbl, sign);
                if (za || zb) return zero(dbl, sign);
                BigInteger m = BigInteger.valueOf(sig(dbl, a)).multiply(BigInteger.valueOf(sig(dbl, b)));
                return roundPack(dbl, sign, m, lsbExp(dbl, a) + lsbExp(dbl, b), false);
            }
            default -> {
                if ((ia && ib) || (za && zb)) return invalid(dbl);
                if (zb && !ia) {
                    flags |= ZE; // divide-by-zero ranks above the denormal operand (SDM Vol. 1 11.5.2)
                    return inf(dbl, sign);
                }
                denormalCheck(dbl, a, b);
                if (ia) return inf(dbl, sign);
                if (ib || za) return zero(dbl, sign);
                long mb = sig(dbl, b);
                int k = (dbl ? 53 : 24) + 3 + 64 - Long.numberOfLeadingZeros(mb);
                BigInteger[] qr = BigInteger.valueOf(sig(dbl, a)).shiftLeft(k).divideAndRemainder(BigInteger.valueOf(mb));
                return roundPack(dbl, sign, qr[0], lsbExp(dbl, a) - k - lsbExp(dbl, b), qr[1].signum() != 0);
            }
        }
    }

    private void denormalCheck(boolean dbl, long a, long b) {
        if (isDenormal(dbl, a) || isDenormal(dbl, b)) flags |= DE;
    }

    long sqrt(boolean dbl, long a) {
        a = daz(dbl, a);
        if (rc() == RN && normalOrZero(dbl, a) && !neg(dbl, a)) {
            if (dbl) {
                double x = Double.longBitsToDouble(a);
                if (x == 0 || x >= FMA_SAFE) {
                    double q = Math.sqrt(x);
                    if (Math.fma(-q, q, x) != 0) flags |= PE;
                    return Double.doubleToRawLongBits(q);
                }
            } else {
                double x = Float.intBitsToFloat((int) a);
                float q = (float) Math.sqrt(x);
                if ((double) q * q != x) flags |= PE;
                return Float.floatToRawIntBits(q) & 0xFFFF_FFFFL;
            }
        }
        if (isNaN(dbl, a)) {
            if (isSNaN(dbl, a)) flags |= IE;
            return quiet(dbl, a);
        }
        if (isZero(dbl, a)) return a;
        if (neg(dbl, a)) return invalid(dbl);
        if (isInf(dbl, a)) return a;
        denormalCheck(dbl, a, 0);
        int p = dbl ? 53 : 24;
        int e = lsbExp(dbl, a), s = 2 * (p + 3) + ((e & 1) != 0 ? 1 : 0);
        BigInteger m = BigInteger.valueOf(sig(dbl, a)).shiftLeft(s);
        BigInteger r = m.sqrt();
        return roundPack(dbl, false, r, (e - s) / 2, !r.multiply(r).equals(m));
    }

    /** MINxx/MAXxx: the second operand when either is a NaN (invalid even for a QNaN) or both are zero. */
    private long minMax(boolean max, boolean dbl, long a, long b) {
        if (isNaN(dbl, a) || isNaN(dbl, b)) {
            flags |= IE;
            return b;
        }
        denormalCheck(dbl, a, b);
        double x = value(dbl, a), y = value(dbl, b);
        return (max ? x > y : x < y) ? a : b;
    }

    // ---- rounding to the destination format ----

    private boolean inexact;

    /**
     * Rounds {@code m * 2^e} (plus a nonzero amount below 2^e when {@code sticky}, which the callers
     * only pass with at least three bits beyond the precision) to the format under MXCSR.RC, with
     * overflow, underflow (tininess after rounding, as x86 detects it) and FTZ.
     */
    private long roundPack(boolean dbl, boolean neg, BigInteger m, int e, boolean sticky) {
        int p = dbl ? 53 : 24, emin = dbl ? -1022 : -126, emax = dbl ? 1023 : 127;
        int msb = e + m.bitLength() - 1;
        int lsb = Math.max(msb - p + 1, emin - p + 1);
        BigInteger kept = roundAt(neg, m, e, sticky, lsb);
        boolean inx = inexact;
        if (kept.bitLength() > p) {
            kept = kept.shiftRight(1);
            lsb++;
        }
        int top = lsb + kept.bitLength() - 1;
        if (top > emax) {
            flags |= OE | PE;
            int rc = rc();
            boolean toInf = rc == RN || (rc == RU && !neg) || (rc == RD && neg);
            return toInf ? inf(dbl, neg) : maxFinite(dbl, neg);
        }
        boolean tiny = msb < emin - 1 || (msb == emin - 1 && roundAt(neg, m, e, sticky, msb - p + 1).bitLength() <= p);
        if (tiny) {
            if ((mxcsr & UM) == 0) flags |= UE | (inx ? PE : 0); // unmasked: reported even when exact
            else if ((mxcsr & FTZ) != 0) {
                flags |= UE | PE;
                return zero(dbl, neg);
            } else if (inx) flags |= UE | PE;
        } else if (inx) flags |= PE;
        if (kept.signum() == 0) return zero(dbl, neg);
        long k = kept.longValue();
        if (kept.bitLength() < p) return zero(dbl, neg) | k; // subnormal
        long biased = lsb + p - 1 + (dbl ? 1023 : 127);
        return zero(dbl, neg) | biased << (p - 1) | (k & ((1L << (p - 1)) - 1));
    }

    /** {@code m * 2^e} rounded to a multiple of 2^lsb under MXCSR.RC, in units of 2^lsb; sets {@link #inexact}. */
    private BigInteger roundAt(boolean neg, BigInteger m, int e, boolean sticky, int lsb) {
        int sh = lsb - e;
        if (sh <= 0) {
            inexact = sticky;
            return m.shiftLeft(-sh);
        }
        BigInteger kept = m.shiftRight(sh);
        BigInteger rem = m.subtract(kept.shiftLeft(sh));
        int half = rem.compareTo(BigInteger.ONE.shiftLeft(sh - 1));
        if (half == 0 && sticky) half = 1;
        inexact = sticky || rem.signum() != 0;
        return roundUp(neg, half, kept.testBit(0), inexact) ? kept.add(BigInteger.ONE) : kept;
    }

    private boolean roundUp(boolean neg, int half, boolean odd, boolean inx) {
        return switch (rc()) {
            case RN -> half > 0 || (half == 0 && odd);
            case RD -> neg && inx;
            case RU -> !neg && inx;
            default -> false;
        };
    }

    // ---- comparisons ----

    /** CMPxx predicate 0-7 (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD): true or false. */
    boolean compare(boolean dbl, long a, long b, int pred) {
        a = daz(dbl, a);
        b = daz(dbl, b);
        boolean un = isNaN(dbl, a) || isNaN(dbl, b);
        if (isSNaN(dbl, a) || isSNaN(dbl, b) || (un && (pred & 3) != 0 && (pred & 3) != 3)) flags |= IE;
        if (!un) denormalCheck(dbl, a, b);
        double x = value(dbl, a), y = value(dbl, b);
        return switch (pred & 7) {
            case 0 -> !un && x == y;
            case 1 -> !un && x < y;
            case 2 -> !un && x <= y;
            case 3 -> un;
            case 4 -> un || x != y;
            case 5 -> un || !(x < y);
            case 6 -> un || !(x <= y);
            default -> !un;
        };
    }

    /** (U)COMISx: the ZF, PF, CF pattern (unordered 111, less 001, equal 100, greater 000). */
    int comis(boolean dbl, long a, long b, boolean signalQnan) {
        a = daz(dbl, a);
        b = daz(dbl, b);
        boolean un = isNaN(dbl, a) || isNaN(dbl, b);
        if (isSNaN(dbl, a) || isSNaN(dbl, b) || (un && signalQnan)) flags |= IE;
        if (un) return 0x45;
        denormalCheck(dbl, a, b);
        double x = value(dbl, a), y = value(dbl, b);
        return x < y ? 0x01 : x == y ? 0x40 : 0;
    }

    // ---- conversions ----

    /**
     * Float to a 32- or 64-bit integer under MXCSR.RC ({@code truncate}: toward zero); NaN and out of
     * range give the integer indefinite (only the sign bit set) with IE.
     */
    long toInt(boolean dbl, long a, boolean to64, boolean truncate) {
        a = daz(dbl, a);
        long indefinite = to64 ? Long.MIN_VALUE : 0x8000_0000L;
        if (exp(dbl, a) == expMax(dbl)) {
            flags |= IE;
            return indefinite;
        }
        if (isZero(dbl, a)) return 0;
        boolean neg = neg(dbl, a);
        int e = lsbExp(dbl, a);
        long m = sig(dbl, a);
        if (e + 64 - Long.numberOfLeadingZeros(m) > 64) {
            flags |= IE;
            return indefinite;
        }
        int saved = mxcsr;
        if (truncate) mxcsr |= RZ << 13;
        BigInteger k = roundAt(neg, BigInteger.valueOf(m), e, false, 0);
        mxcsr = saved;
        BigInteger v = neg ? k.negate() : k;
        if (v.bitLength() > (to64 ? 63 : 31)) {
            flags |= IE;
            return indefinite;
        }
        if (inexact) flags |= PE;
        return to64 ? v.longValue() : v.longValue() & 0xFFFF_FFFFL;
    }

    /** A signed integer to the format under MXCSR.RC (inexact only beyond 24/53 bits). */
    long fromInt(boolean dbl, long v) {
        long lim = dbl ? 1L << 53 : 1L << 24;
        if (v >= -lim && v <= lim) {
            return dbl ? Double.doubleToRawLongBits(v) : Float.floatToRawIntBits(v) & 0xFFFF_FFFFL;
        }
        BigInteger b = BigInteger.valueOf(v);
        return roundPack(dbl, v < 0, b.abs(), 0, false);
    }

    /** CVTSS2SD: exact; a NaN keeps its payload in the high fraction bits. */
    long singleToDouble(long a) {
        a = daz(false, a);
        if (isNaN(false, a)) {
            if (isSNaN(false, a)) flags |= IE;
            return (a & 0x8000_0000L) << 32 | 0x7FF8_0000_0000_0000L | (a & 0x3F_FFFFL) << 29;
        }
        if (isDenormal(false, a)) flags |= DE;
        return Double.doubleToRawLongBits(Float.intBitsToFloat((int) a));
    }

    /** CVTSD2SS: rounds under MXCSR.RC; a NaN keeps the high bits of its payload. */
    long doubleToSingle(long a) {
        a = daz(true, a);
        if (isNaN(true, a)) {
            if (isSNaN(true, a)) flags |= IE;
            return (a >>> 32 & 0x8000_0000L) | 0x7FC0_0000L | (a >>> 29 & 0x3F_FFFFL);
        }
        double x = Double.longBitsToDouble(a);
        if (isInf(true, a) || x == 0) return Float.floatToRawIntBits((float) x) & 0xFFFF_FFFFL;
        if (isDenormal(true, a)) flags |= DE;
        float f = (float) x;
        if (rc() == RN && Math.abs(f) >= Float.MIN_NORMAL && Math.abs(f) <= Float.MAX_VALUE) {
            if (f != x) flags |= PE;
            return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
        }
        return roundPack(false, neg(true, a), BigInteger.valueOf(sig(true, a)), lsbExp(true, a), false);
    }

    /**
     * ROUNDxx: to an integral value in the format under {@code rc}; {@code precisionOff} (imm8 bit 3)
     * suppresses PE. Only an SNaN raises IE.
     */
    long roundIntegral(boolean dbl, long a, int rc, boolean precisionOff) {
        a = daz(dbl, a);
        if (isNaN(dbl, a)) {
            if (isSNaN(dbl, a)) flags |= IE;
            return quiet(dbl, a);
        }
        if (isInf(dbl, a) || isZero(dbl, a) || lsbExp(dbl, a) >= 0) return a;
        boolean neg = neg(dbl, a);
        int saved = mxcsr;
        mxcsr = mxcsr & ~(3 << 13) | rc << 13;
        long k = roundAt(neg, BigInteger.valueOf(sig(dbl, a)), lsbExp(dbl, a), false, 0).longValue();
        mxcsr = saved;
        if (inexact && !precisionOff) flags |= PE;
        if (k == 0) return zero(dbl, neg);
        return zero(dbl, neg) | (dbl ? Double.doubleToRawLongBits(k) : Float.floatToRawIntBits(k) & 0xFFFF_FFFFL);
    }

    // ---- approximations ----

    /**
     * RCPxS: 1/x. A denormal input reads as zero (infinity out) and a result below the normal range is
     * flushed to zero, as on hardware; the value itself is correctly rounded, well inside the SDM's
     * relative error bound of 1.5 * 2^-12 (hardware tables differ between vendors). No exceptions.
     */
    static long rcp(long a) {
        float x = Float.intBitsToFloat((int) a);
        if (isDenormal(false, a)) x = Math.copySign(0f, x);
        if (Float.isNaN(x)) return quiet(false, a);
        return flushTiny(1f / x);
    }

    /** RSQRTxS: 1/sqrt(x); negative nonzero inputs give the QNaN indefinite, -0 gives -infinity. */
    static long rsqrt(long a) {
        float x = Float.intBitsToFloat((int) a);
        if (isDenormal(false, a)) x = Math.copySign(0f, x);
        if (Float.isNaN(x)) return quiet(false, a);
        if (x == 0) return inf(false, neg(false, a));
        if (x < 0) return S_INDEFINITE;
        return flushTiny((float) (1 / Math.sqrt(x)));
    }

    private static long flushTiny(float r) {
        if (Math.abs(r) < Float.MIN_NORMAL) r = Math.copySign(0f, r);
        return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
    }
}
