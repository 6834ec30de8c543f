package dev.jvirt.cpu.x87;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transcendental results against references computed here with BigDecimal series (100 digits). The
 * SDM promises less than 1 ulp in round to nearest; the unit should be within half an ulp plus a
 * sliver (it evaluates in double-double before one rounding).
 */
class X87TranscendentalTest {
    private static final MathContext MC = new MathContext(100, RoundingMode.HALF_EVEN);
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal PI = pi();
    private static final BigDecimal LN2 = ln(TWO);
    private static final double MAX_ULPS = 0.501;

    // ---------------------------------------------------------------- references

    private static BigDecimal pi() {
        MathContext mc = new MathContext(120);
        return atanInv(5, mc).multiply(BigDecimal.valueOf(16)).subtract(atanInv(239, mc).multiply(BigDecimal.valueOf(4)), mc);
    }

    private static BigDecimal atanInv(int k, MathContext mc) {
        BigDecimal x = BigDecimal.ONE.divide(BigDecimal.valueOf(k), mc), x2 = x.multiply(x, mc), p = x, sum = x;
        for (int j = 1; j < 400; j++) {
            p = p.multiply(x2, mc).negate();
            sum = sum.add(p.divide(BigDecimal.valueOf(2L * j + 1), mc), mc);
        }
        return sum;
    }

    static BigDecimal sin(BigDecimal x) {
        BigDecimal twoPi = PI.multiply(TWO);
        BigDecimal r = x.subtract(twoPi.multiply(new BigDecimal(x.divide(twoPi, MC).toBigInteger())), MC);
        BigDecimal r2 = r.multiply(r, MC), term = r, sum = r;
        for (int i = 1; i < 200; i++) {
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((2L * i) * (2L * i + 1)), MC).negate();
            sum = sum.add(term, MC);
        }
        return sum;
    }

    static BigDecimal cos(BigDecimal x) {
        return sin(x.add(PI.divide(TWO, MC), MC));
    }

    static BigDecimal atan(BigDecimal t) {
        if (t.signum() < 0) return atan(t.negate()).negate();
        if (t.compareTo(BigDecimal.ONE) > 0) return PI.divide(TWO, MC).subtract(atan(BigDecimal.ONE.divide(t, MC)), MC);
        for (int i = 0; i < 4; i++) t = t.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(t.multiply(t, MC)).sqrt(MC)), MC);
        BigDecimal t2 = t.multiply(t, MC), p = t, sum = t;
        for (int k = 1; k < 200; k++) {
            p = p.multiply(t2, MC).negate();
            sum = sum.add(p.divide(BigDecimal.valueOf(2L * k + 1), MC), MC);
        }
        return sum.multiply(BigDecimal.valueOf(16), MC);
    }

    static BigDecimal ln(BigDecimal x) {
        int e = 0;
        while (x.compareTo(TWO) > 0) { x = x.divide(TWO, MC); e++; }
        while (x.compareTo(BigDecimal.ONE) < 0) { x = x.multiply(TWO, MC); e--; }
        BigDecimal u = x.subtract(BigDecimal.ONE).divide(x.add(BigDecimal.ONE), MC), u2 = u.multiply(u, MC), p = u, sum = u;
        for (int k = 1; k < 400; k++) {
            p = p.multiply(u2, MC);
            sum = sum.add(p.divide(BigDecimal.valueOf(2L * k + 1), MC), MC);
        }
        BigDecimal r = sum.multiply(TWO, MC);
        return e == 0 ? r : r.add(BigDecimal.valueOf(e).multiply(LN2 == null ? ln(TWO) : LN2, MC), MC);
    }

    static BigDecimal log2(BigDecimal x) {
        return ln(x).divide(LN2, MC);
    }

    static BigDecimal exp(BigDecimal x) {
        BigDecimal term = BigDecimal.ONE, sum = BigDecimal.ONE;
        for (int k = 1; k < 200; k++) {
            term = term.multiply(x, MC).divide(BigDecimal.valueOf(k), MC);
            sum = sum.add(term, MC);
        }
        return sum;
    }

    // ---------------------------------------------------------------- helpers

    static BigDecimal value(int se, long m) {
        BigDecimal sig = new BigDecimal(new BigInteger(Long.toUnsignedString(m)));
        int e = (se & 0x7FFF) - 16383 - 63;
        BigDecimal v = e >= 0 ? sig.multiply(new BigDecimal(BigInteger.TWO.pow(e))) : sig.divide(new BigDecimal(BigInteger.TWO.pow(-e)));
        return (se & 0x8000) != 0 ? v.negate() : v;
    }

    private static double ulpError(int se, long m, BigDecimal ref) {
        int exp = se & 0x7FFF;
        BigDecimal ulp = value(Math.max(exp, 1), Long.MIN_VALUE).divide(new BigDecimal(BigInteger.TWO.pow(63)));
        return value(se, m).subtract(ref).abs().divide(ulp, MC).doubleValue();
    }

    private static void check(String what, int se, long m, BigDecimal ref) {
        double err = ulpError(se, m, ref);
        assertTrue(err < MAX_ULPS, () -> what + ": " + err + " ulp, got " + value(se, m).round(new MathContext(25)) + " want " + ref.round(new MathContext(25)));
    }

    private static long randomSig(Random r) {
        return r.nextLong() | Long.MIN_VALUE;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void sinCosTanOverTheWholeRange() {
        Random r = new Random(1);
        for (int n = 0; n < 200; n++) {
            int se = (r.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 20 + r.nextInt(83)); // 2^-20 .. 2^62
            long m = randomSig(r);
            trigCase(se, m);
        }
    }

    @Test
    void sinOfTheNearestPiIsTheTinyDifference() {
        Fpu f = new Fpu();
        f.op(0xD9, 0xEB); // FLDPI (rounded up: pi - x is about -1.2e-19... not zero)
        trigCase(f.se(0), f.m(0));
        trigCase(0x4000 + 40, 0xC90FDAA22168C235L); // a multiple of pi scaled by 2^40
    }

    private static void trigCase(int se, long m) {
        BigDecimal x = value(se, m);
        Fpu f = new Fpu();
        f.push80(se, m);
        f.op(0xD9, 0xFB); // FSINCOS: ST0 = cos, ST1 = sin
        assertTrue(!f.c(2));
        check("sin " + x, f.se(1), f.m(1), sin(x));
        check("cos " + x, f.se(0), f.m(0), cos(x));
        Fpu t = new Fpu();
        t.push80(se, m);
        t.op(0xD9, 0xF2); // FPTAN
        assertEquals(0x3FFF, t.se(0));
        check("tan " + x, t.se(1), t.m(1), sin(x).divide(cos(x), MC));
        Fpu s = new Fpu();
        s.push80(se, m);
        s.op(0xD9, 0xFE);
        assertEquals(f.m(1), s.m(0), "FSIN equals FSINCOS's sine");
    }

    @Test
    void outOfRangeTrigSetsC2AndLeavesTheOperand() {
        Fpu f = new Fpu();
        f.push80(0x3FFF + 63, 0x8000000000000000L);
        f.op(0xD9, 0xFE);
        assertTrue(f.c(2));
        assertEquals(0x3FFF + 63, f.se(0));
        f.op(0xD9, 0xF2);
        assertTrue(f.c(2));
        assertEquals(7, f.top(), "FPTAN pushed nothing");
    }

    @Test
    void fpatanAllQuadrants() {
        Random r = new Random(2);
        for (int n = 0; n < 300; n++) {
            int ySe = (r.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 30 + r.nextInt(60));
            int xSe = (r.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 30 + r.nextInt(60));
            long yM = randomSig(r), xM = randomSig(r);
            Fpu f = new Fpu();
            f.push80(ySe, yM);
            f.push80(xSe, xM);
            f.op(0xD9, 0xF3);
            BigDecimal y = value(ySe, yM), x = value(xSe, xM);
            BigDecimal ref = atan(y.divide(x, MC));
            if (x.signum() < 0) ref = y.signum() >= 0 ? ref.add(PI, MC) : ref.subtract(PI, MC);
            check("atan2(" + y + ", " + x + ")", f.se(0), f.m(0), ref);
            assertEquals(7, f.top());
        }
    }

    @Test
    void fpatanSignedZerosAndInfinities() {
        Fpu f = new Fpu();
        f.push80(0x8000, 0); // y = -0
        f.push80(0x8000, 0); // x = -0
        f.op(0xD9, 0xF3);
        check("atan2(-0,-0)", f.se(0), f.m(0), PI.negate());
        Fpu g = new Fpu();
        g.push80(0x7FFF, Long.MIN_VALUE);
        g.push80(0xFFFF, Long.MIN_VALUE);
        g.op(0xD9, 0xF3);
        check("atan2(inf,-inf)", g.se(0), g.m(0), PI.multiply(BigDecimal.valueOf(0.75)));
    }

    @Test
    void fyl2xIsLog2() {
        Random r = new Random(3);
        for (int n = 0; n < 300; n++) {
            int se = n % 3 == 0 ? 0x3FFF : 0x3FFF - 2000 + r.nextInt(4000);
            long m = n % 3 == 0 ? Long.MIN_VALUE | (r.nextLong() >>> 30) : randomSig(r);
            log2Case(se, m);
        }
        log2Case(0x3FFE, -1L); // just below 1
    }

    private static void log2Case(int se, long m) {
        Fpu f = new Fpu();
        f.op(0xD9, 0xE8); // y = 1
        f.push80(se, m);
        f.op(0xD9, 0xF1);
        check("log2 " + value(se, m), f.se(0), f.m(0), log2(value(se, m)));
    }

    @Test
    void fyl2xTimesY() {
        Fpu f = new Fpu();
        f.pushInt(-3);
        f.pushInt(10);
        f.op(0xD9, 0xF1);
        check("-3 log2 10", f.se(0), f.m(0), log2(BigDecimal.TEN).multiply(BigDecimal.valueOf(-3), MC));
        Fpu z = new Fpu();
        z.pushInt(2);
        z.pushInt(0);
        z.op(0xD9, 0xF1);
        assertEquals(0xFFFF, z.se(0), "2 * log2(0) = -inf");
        assertTrue((z.s.fsw & 4) != 0, "ZE");
    }

    @Test
    void fyl2xp1IsLog2OfOnePlusX() {
        Random r = new Random(4);
        for (int n = 0; n < 300; n++) {
            int se = (r.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 2 - r.nextInt(70));
            long m = randomSig(r);
            Fpu f = new Fpu();
            f.op(0xD9, 0xE8);
            f.push80(se, m);
            f.op(0xD9, 0xF9);
            check("log2(1+x) " + value(se, m), f.se(0), f.m(0), log2(BigDecimal.ONE.add(value(se, m), MC)));
        }
    }

    @Test
    void f2xm1() {
        Random r = new Random(5);
        for (int n = 0; n < 300; n++) {
            int se = (r.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 1 - r.nextInt(70));
            long m = randomSig(r);
            Fpu f = new Fpu();
            f.push80(se, m);
            f.op(0xD9, 0xF0);
            check("2^x-1 " + value(se, m), f.se(0), f.m(0), exp(value(se, m).multiply(LN2, MC)).subtract(BigDecimal.ONE, MC));
        }
        Fpu one = new Fpu();
        one.pushInt(-1);
        one.op(0xD9, 0xF0);
        assertEquals(0xBFFE, one.se(0), "2^-1 - 1 = -0.5 exactly");
        assertEquals(Long.MIN_VALUE, one.m(0));
    }

    @Test
    void referencesAreSane() {
        assertEquals(0, sin(PI.divide(BigDecimal.valueOf(6), MC)).subtract(new BigDecimal("0.5")).abs().compareTo(new BigDecimal("1e-90")) > 0 ? 1 : 0);
        UnaryOperator<BigDecimal> r = v -> v.round(new MathContext(30));
        assertEquals(r.apply(new BigDecimal("3.32192809488736234787031942948939017586")), r.apply(log2(BigDecimal.TEN)));
    }
}
