package dev.jvirt.cpu.x87;

import java.math.BigInteger;

import static dev.jvirt.cpu.x87.Float80.BIAS;
import static dev.jvirt.cpu.x87.Float80.INT_BIT;

/**
 * FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 and the FLD constants. Values are
 * evaluated in double-double (about 106 bits) and rounded once to the 64-bit significand by RC, so the
 * error stays well under the 1 ulp the SDM documents (Vol. 1 8.3.10). Argument reduction for the
 * trigonometric functions is exact enough for any |x| < 2^63: a 256-bit pi/2 in fixed point, far
 * better than the 66-bit pi of the hardware.
 *
 * <p>Results are left in {@link #se1}/{@link #m1} (sine, tangent, arctangent, logarithm, power) and
 * {@link #se2}/{@link #m2} (cosine); exceptions accumulate in the shared {@link Float80}.
 */
final class X87Transcendental {
    private static final int SCALE = 320;
    static final BigInteger PI, LN2, LN10;
    private static final BigInteger PIO2_256;
    private static final DoubleDouble PI_DD, PIO2_DD, LN2_DD, LOG2E_DD;
    /** FLD constant index: L2T, L2E, PI, LG2, LN2. Rows by RC: sign+exponent and significand. */
    static final int L2T = 0, L2E = 1, FPI = 2, LG2 = 3, FLN2 = 4;
    private static final int[][] CONST_SE = new int[5][4];
    private static final long[][] CONST_M = new long[5][4];
    /** sqrt(2) as a 64-bit significand: the logarithm's reduction threshold. */
    private static final long SQRT2_SIG = 0xB504_F333_F9DE_6484L;

    static {
        BigInteger one = BigInteger.ONE.shiftLeft(SCALE);
        PI = atanInv(5, true).multiply(BigInteger.valueOf(16)).subtract(atanInv(239, true).multiply(BigInteger.valueOf(4)));
        LN2 = atanInv(3, false).shiftLeft(1);
        LN10 = LN2.multiply(BigInteger.valueOf(3)).add(atanInv(9, false).shiftLeft(1));
        PIO2_256 = PI.shiftRight(SCALE - 256 + 1);
        PI_DD = toDD(PI, SCALE);
        PIO2_DD = PI_DD.scalb(-1);
        LN2_DD = toDD(LN2, SCALE);
        LOG2E_DD = toDD(one.shiftLeft(SCALE).divide(LN2), SCALE);
        BigInteger[] consts = {
            LN10.shiftLeft(SCALE).divide(LN2), one.shiftLeft(SCALE).divide(LN2), PI,
            LN2.shiftLeft(SCALE).divide(LN10), LN2};
        Float80 f = new Float80();
        for (int c = 0; c < 5; c++) {
            for (int rc = 0; rc < 4; rc++) {
                f.setControl(0x37F | rc << 10);
                f.fromBigFixed(consts[c], SCALE);
                CONST_SE[c][rc] = f.se;
                CONST_M[c][rc] = f.m;
            }
        }
    }

    /** atan(1/k) (alternating) or atanh(1/k) in fixed point with SCALE fraction bits. */
    private static BigInteger atanInv(int k, boolean alternating) {
        BigInteger kk = BigInteger.valueOf((long) k * k);
        BigInteger p = BigInteger.ONE.shiftLeft(SCALE + 8).divide(BigInteger.valueOf(k));
        BigInteger sum = BigInteger.ZERO;
        for (int j = 0; p.signum() != 0; j++) {
            BigInteger t = p.divide(BigInteger.valueOf(2L * j + 1));
            sum = alternating && (j & 1) != 0 ? sum.subtract(t) : sum.add(t);
            p = p.divide(kk);
        }
        return sum.shiftRight(8);
    }

    /** A fixed-point value v * 2^-scale as a double-double. */
    static DoubleDouble toDD(BigInteger v, int scale) {
        if (v.signum() == 0) return DoubleDouble.ZERO;
        boolean n = v.signum() < 0;
        BigInteger a = v.abs();
        int len = a.bitLength();
        int shift = Math.max(0, len - 53);
        BigInteger top = a.shiftRight(shift);
        double hi = Math.scalb(top.doubleValue(), shift - scale);
        BigInteger rest = a.subtract(top.shiftLeft(shift));
        double lo = Math.scalb(rest.doubleValue(), -scale);
        DoubleDouble r = DoubleDouble.fastTwoSum(hi, lo);
        return n ? r.negate() : r;
    }

    static int constSe(int c, int rc) {
        return CONST_SE[c][rc];
    }

    static long constM(int c, int rc) {
        return CONST_M[c][rc];
    }

    private final Float80 f;
    int se1, se2;
    long m1, m2;

    X87Transcendental(Float80 f) {
        this.f = f;
    }

    private void result1() {
        se1 = f.se;
        m1 = f.m;
    }

    private void result2() {
        se2 = f.se;
        m2 = f.m;
    }

    private void fromDD(DoubleDouble v) {
        if (v.hi() == 0) f.set(0, 0);
        else {
            f.wideFromDoubleDouble(v.hi(), v.lo());
            f.roundWide();
        }
    }

    /** The value of a normal/denormal register as a double-double scaled by 2^-shift. */
    private DoubleDouble dd(int se, long m, int shift) {
        int e = f.normalizedExponent(se, m);
        long s = f.normalizedSignificand(se, m);
        DoubleDouble d = DoubleDouble.ofSignificand(s, e - BIAS - shift);
        return Float80.neg(se) ? d.negate() : d;
    }

    // ---------------------------------------------------------------- FSIN FCOS FSINCOS FPTAN

    /**
     * sin and/or cos (or tan in slot 1 when {@code tan}) of a valid register value. Returns false when
     * |x| >= 2^63 (C2 = 1, the operand is left alone). NaN/infinity/unsupported give the NaN/IE result.
     */
    boolean trig(int se, long m, boolean tan) {
        int c = Float80.classify(se, m);
        boolean n = Float80.neg(se);
        switch (c) {
            case Float80.QNAN, Float80.SNAN, Float80.UNSUPPORTED, Float80.INFINITY -> {
                if (c == Float80.INFINITY) f.invalid();
                else f.nanOrInvalid(se, m, se, m, c, c);
                result1();
                result2();
                return true;
            }
            case Float80.ZERO -> {
                f.set(se, m);
                result1();
                f.set(BIAS, INT_BIT);
                result2();
                return true;
            }
            default -> { }
        }
        if (c == Float80.DENORMAL) f.flags |= Float80.DE;
        int exp = f.normalizedExponent(se, m);
        if (exp >= BIAS + 63) return false;
        if (exp < BIAS - 900) { // sin x = x - x^3/6, cos x = 1 - x^2/2, tan x = x + x^3/3: all beyond 2^-1800
            f.wideFrom(se, m);
            f.wideNudge(tan);
            f.roundWide();
            result1();
            f.wNeg = false;
            f.wExp = BIAS;
            f.wHi = INT_BIT;
            f.wLo = 0;
            f.wideNudge(false);
            f.roundWide();
            result2();
            return true;
        }
        DoubleDouble r;
        int q;
        if (exp < BIAS - 1) { // |x| < 0.5 < pi/4
            r = dd(se & 0x7FFF, m, 0);
            q = 0;
        } else {
            BigInteger x = new BigInteger(Long.toUnsignedString(f.normalizedSignificand(se, m))).shiftLeft(exp - BIAS - 63 + 256);
            BigInteger[] k = x.add(PIO2_256.shiftRight(1)).divideAndRemainder(PIO2_256);
            BigInteger rem = k[1].subtract(PIO2_256.shiftRight(1));
            r = toDD(rem, 256);
            q = k[0].intValue() & 3;
        }
        DoubleDouble s = sinSeries(r), co = cosSeries(r);
        DoubleDouble sin = switch (q) { case 0 -> s; case 1 -> co; case 2 -> s.negate(); default -> co.negate(); };
        DoubleDouble cos = switch (q) { case 0 -> co; case 1 -> s.negate(); case 2 -> co.negate(); default -> s; };
        if (n) sin = sin.negate();
        fromDD(tan ? sin.div(cos) : sin);
        result1();
        fromDD(cos);
        result2();
        return true;
    }

    private static DoubleDouble sinSeries(DoubleDouble r) {
        DoubleDouble r2 = r.mul(r), term = r, sum = r;
        for (int i = 1; i < 40; i++) {
            term = term.mul(r2).div((double) (2 * i) * (2 * i + 1)).negate();
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * 0x1p-110) break;
        }
        return sum;
    }

    private static DoubleDouble cosSeries(DoubleDouble r) {
        DoubleDouble r2 = r.mul(r), term = DoubleDouble.ONE, sum = DoubleDouble.ONE;
        for (int i = 1; i < 40; i++) {
            term = term.mul(r2).div((double) (2 * i - 1) * (2 * i)).negate();
            sum = sum.add(term);
            if (Math.abs(term.hi()) < 0x1p-110) break;
        }
        return sum;
    }

    // ---------------------------------------------------------------- FPATAN

    /** atan2(y, x) = FPATAN with y = ST(1), x = ST(0) (SDM FPATAN table: IEEE atan2 signed zeros). */
    void atan2(int ySe, long yM, int xSe, long xM) {
        int cy = Float80.classify(ySe, yM), cx = Float80.classify(xSe, xM);
        if (cy >= Float80.QNAN || cx >= Float80.QNAN) {
            f.nanOrInvalid(ySe, yM, xSe, xM, cy, cx);
            result1();
            return;
        }
        if (cy == Float80.DENORMAL || cx == Float80.DENORMAL) f.flags |= Float80.DE;
        boolean yn = Float80.neg(ySe), xn = Float80.neg(xSe);
        DoubleDouble a;
        if (cy == Float80.ZERO || (cx == Float80.INFINITY && cy != Float80.INFINITY)) {
            a = xn ? PI_DD : DoubleDouble.ZERO;
            if (!xn) {
                f.setZero(yn);
                result1();
                return;
            }
        } else if (cy == Float80.INFINITY) {
            a = cx == Float80.INFINITY ? PIO2_DD.mul(xn ? 1.5 : 0.5) : PIO2_DD;
        } else if (cx == Float80.ZERO) {
            a = PIO2_DD;
        } else {
            int d = f.normalizedExponent(ySe, yM) - f.normalizedExponent(xSe, xM);
            if (d > 900) a = PIO2_DD;
            else if (d < -900) {
                if (!xn) { // atan(y/x) = y/x to far beyond 64 bits
                    f.div(ySe, yM, xSe & 0x7FFF, xM);
                    result1();
                    return;
                }
                a = PI_DD;
            } else {
                DoubleDouble y = DoubleDouble.ofSignificand(f.normalizedSignificand(ySe, yM), d);
                DoubleDouble x = DoubleDouble.ofSignificand(f.normalizedSignificand(xSe, xM), 0);
                a = y.hi() <= x.hi() ? atan(y.div(x)) : PIO2_DD.sub(atan(x.div(y)));
                if (xn) a = PI_DD.sub(a);
            }
        }
        fromDD(yn ? a.negate() : a);
        result1();
    }

    /** atan(t) for 0 <= t <= 1: three argument halvings, then the Taylor series. */
    private static DoubleDouble atan(DoubleDouble t) {
        for (int i = 0; i < 3; i++) t = t.div(DoubleDouble.ONE.add(DoubleDouble.ONE.add(t.mul(t)).sqrt()));
        DoubleDouble t2 = t.mul(t), p = t, sum = t;
        for (int k = 1; k < 60; k++) {
            p = p.mul(t2).negate();
            DoubleDouble term = p.div(2 * k + 1);
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * 0x1p-110) break;
        }
        return sum.scalb(3);
    }

    // ---------------------------------------------------------------- FYL2X FYL2XP1 F2XM1

    /** 2 atanh(u) = ln((1+u)/(1-u)) for |u| <= 0.18. */
    private static DoubleDouble twoAtanh(DoubleDouble u) {
        DoubleDouble u2 = u.mul(u), p = u, sum = u;
        for (int k = 1; k < 80; k++) {
            p = p.mul(u2);
            DoubleDouble term = p.div(2 * k + 1);
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * 0x1p-110) break;
        }
        return sum.scalb(1);
    }

    /** FYL2X: y * log2(x), y = ST(1), x = ST(0). */
    void yl2x(int ySe, long yM, int xSe, long xM) {
        int cy = Float80.classify(ySe, yM), cx = Float80.classify(xSe, xM);
        if (cy >= Float80.QNAN || cx >= Float80.QNAN) {
            f.nanOrInvalid(ySe, yM, xSe, xM, cy, cx);
            result1();
            return;
        }
        if (cy == Float80.DENORMAL || cx == Float80.DENORMAL) f.flags |= Float80.DE;
        if (Float80.neg(xSe) && cx != Float80.ZERO) {
            f.invalid();
            result1();
            return;
        }
        if (cx == Float80.ZERO) { // log2(0) = -inf: divide-by-zero unless y is 0 (0 * inf, invalid)
            if (cy != Float80.ZERO && cy != Float80.INFINITY) f.flags |= Float80.ZE;
            f.mul(ySe, yM, 0xFFFF, INT_BIT);
            result1();
            return;
        }
        if (cx == Float80.INFINITY) {
            f.mul(ySe, yM, 0x7FFF, INT_BIT);
            result1();
            return;
        }
        int e = f.normalizedExponent(xSe, xM) - BIAS;
        long s = f.normalizedSignificand(xSe, xM);
        if (e == 0 && s == INT_BIT) { // log2(1) = +0: y * +0, invalid for infinite y
            f.mul(ySe, yM, 0, 0);
            result1();
            return;
        }
        if (Long.compareUnsigned(s, SQRT2_SIG) > 0) e++;
        DoubleDouble sx = DoubleDouble.ofSignificand(s, Long.compareUnsigned(s, SQRT2_SIG) > 0 ? -1 : 0);
        DoubleDouble l = twoAtanh(sx.sub(DoubleDouble.ONE).div(sx.add(DoubleDouble.ONE))).mul(LOG2E_DD).add(e);
        multiplyY(ySe, yM, cy, l);
    }

    private void multiplyY(int ySe, long yM, int cy, DoubleDouble l) {
        if (cy == Float80.ZERO || cy == Float80.INFINITY) {
            f.mul(ySe, yM, l.hi() < 0 ? 0xBFFF : 0x3FFF, INT_BIT); // only the sign of l matters
            result1();
            return;
        }
        f.wideFromDoubleDouble(l.hi(), l.lo());
        f.wideMultiply(ySe, yM);
        f.roundWide();
        result1();
    }

    /** FYL2XP1: y * log2(x + 1) for |x| < 1 - sqrt(2)/2. */
    void yl2xp1(int ySe, long yM, int xSe, long xM) {
        int cy = Float80.classify(ySe, yM), cx = Float80.classify(xSe, xM);
        if (cy >= Float80.QNAN || cx >= Float80.QNAN) {
            f.nanOrInvalid(ySe, yM, xSe, xM, cy, cx);
            result1();
            return;
        }
        if (cy == Float80.DENORMAL || cx == Float80.DENORMAL) f.flags |= Float80.DE;
        if (cx == Float80.ZERO) {
            f.mul(ySe, yM, xSe, xM);
            result1();
            return;
        }
        if (cx == Float80.INFINITY || (Float80.neg(xSe) && f.normalizedExponent(xSe, xM) >= BIAS)) { // x + 1 <= 0
            f.invalid();
            result1();
            return;
        }
        int e = f.normalizedExponent(xSe, xM);
        if (e < BIAS - 900) { // log2(1+x) = x * log2(e) to far beyond 64 bits
            if (cy == Float80.INFINITY) {
                f.mul(ySe, yM, xSe, xM);
                result1();
                return;
            }
            if (cy == Float80.ZERO) {
                f.mul(ySe, yM, xSe, xM);
                result1();
                return;
            }
            f.wideFromDoubleDouble(LOG2E_DD.hi(), LOG2E_DD.lo());
            f.wideMultiply(xSe, xM);
            f.wideMultiply(ySe, yM);
            f.roundWide();
            result1();
            return;
        }
        DoubleDouble x = dd(xSe, xM, 0);
        DoubleDouble l;
        if (e >= BIAS + 1) l = DoubleDouble.of(Math.log1p(x.hi()) / Math.log(2)); // outside the documented range
        else l = twoAtanh(x.div(x.add(2))).mul(LOG2E_DD);
        multiplyY(ySe, yM, cy, l);
    }

    /** F2XM1: 2^x - 1, documented for -1 <= x <= +1. */
    void f2xm1(int se, long m) {
        int c = Float80.classify(se, m);
        switch (c) {
            case Float80.QNAN, Float80.SNAN, Float80.UNSUPPORTED -> {
                f.nanOrInvalid(se, m, se, m, c, c);
                result1();
                return;
            }
            case Float80.ZERO -> {
                f.set(se, m);
                result1();
                return;
            }
            case Float80.INFINITY -> {
                if (Float80.neg(se)) f.set(0xBFFF, INT_BIT);
                else f.set(se, m);
                result1();
                return;
            }
            default -> { }
        }
        if (c == Float80.DENORMAL) f.flags |= Float80.DE;
        int e = f.normalizedExponent(se, m);
        if (e < BIAS - 900) { // 2^x - 1 = x ln 2 to far beyond 64 bits
            f.wideFromDoubleDouble(LN2_DD.hi(), LN2_DD.lo());
            f.wideMultiply(se, m);
            f.roundWide();
            result1();
            return;
        }
        DoubleDouble x = dd(se, m, 0);
        DoubleDouble r;
        if (e >= BIAS + 1) { // outside the documented range
            r = DoubleDouble.of(x.hi() < -1100 ? -1 : Math.expm1(x.hi() * Math.log(2)));
        } else {
            DoubleDouble t = x.mul(LN2_DD), term = t, sum = t;
            for (int k = 2; k < 60; k++) {
                term = term.mul(t).div(k);
                sum = sum.add(term);
                if (Math.abs(term.hi()) < Math.abs(sum.hi()) * 0x1p-110) break;
            }
            r = sum;
        }
        if (Double.isInfinite(r.hi())) f.roundPack(false, 0x7FFF, INT_BIT, 0, 64); // overflow per RC
        else fromDD(r);
        result1();
    }
}
