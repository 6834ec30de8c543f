package dev.jvirt.cpu.x87;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arithmetic results worked out by hand from the SDM's rounding rules. */
class X87ArithmeticTest {
    private static final int PE = 0x20, UE = 0x10, OE = 8, ZE = 4, DE = 2, IE = 1;

    /**
     * 1/3 = 1.010101...b * 2^-2. Kept bits end in ...10 (64), ...1 (53: bit 52 is 1, next 0) and
     * ...0 (24: next bit 1, more ones follow).
     */
    @ParameterizedTest
    @CsvSource({
        "64, 0, AAAAAAAAAAAAAAAB, true", "64, 1, AAAAAAAAAAAAAAAA, false", "64, 2, AAAAAAAAAAAAAAAB, true", "64, 3, AAAAAAAAAAAAAAAA, false",
        "53, 0, AAAAAAAAAAAAA800, false", "53, 1, AAAAAAAAAAAAA800, false", "53, 2, AAAAAAAAAAAAB000, true", "53, 3, AAAAAAAAAAAAA800, false",
        "24, 0, AAAAAB0000000000, true", "24, 1, AAAAAA0000000000, false", "24, 2, AAAAAB0000000000, true", "24, 3, AAAAAA0000000000, false"})
    void oneThirdInEachPrecisionAndRoundingMode(int pc, int rc, String sig, boolean up) {
        Fpu f = new Fpu();
        f.pc(pc);
        f.rc(rc);
        f.pushInt(1);
        f.pushInt(3);
        f.op(0xDE, 0xF9); // FDIVP ST(1), ST(0): ST(1) = ST(1) / ST(0)
        assertEquals(0x3FFD, f.se(0));
        assertEquals(Long.parseUnsignedLong(sig, 16), f.m(0));
        assertTrue((f.s.fsw & PE) != 0);
        assertEquals(up, f.c(1), "C1 says rounded up");
        assertEquals(7, f.top());
    }

    @Test
    void negativeOneThirdRoundsTowardMinusInfinityInMagnitude() {
        Fpu f = new Fpu();
        f.rc(1); // down
        f.pushInt(-1);
        f.pushInt(3);
        f.op(0xDE, 0xF9);
        assertEquals(0xBFFD, f.se(0));
        assertEquals(0xAAAAAAAAAAAAAAABL, f.m(0));
    }

    @Test
    void halvingTheSmallestNormalGivesAnExactDenormalWithoutUnderflow() {
        Fpu f = new Fpu();
        f.push80(0x0001, 0x8000000000000000L); // 2^-16382
        f.push80(0x4000, 0x8000000000000000L); // 2
        f.op(0xDE, 0xF9);
        assertEquals(0, f.se(0));
        assertEquals(0x4000000000000000L, f.m(0));
        assertEquals(0, f.s.fsw & (UE | PE), "exact tiny result: no underflow when masked");
        assertEquals(2, f.tag(0), "denormal is tagged special");
    }

    @Test
    void smallestDenormalHalvedTiesToEvenZeroWithUnderflowAndPrecision() {
        Fpu f = new Fpu();
        f.push80(0x0000, 1); // 2^-16445
        f.push80(0x4000, 0x8000000000000000L);
        f.op(0xDE, 0xF9);
        assertEquals(0, f.se(0));
        assertEquals(0, f.m(0));
        assertEquals(UE | PE | DE, f.s.fsw & (UE | PE | DE));
        assertEquals(1, f.tag(0));

        Fpu up = new Fpu();
        up.rc(2);
        up.push80(0x0000, 1);
        up.push80(0x4000, 0x8000000000000000L);
        up.op(0xDE, 0xF9);
        assertEquals(1, up.m(0), "round up keeps the smallest denormal");
        assertTrue(up.c(1));
    }

    @Test
    void denormalInReducedPrecisionKeepsTheRoundingPosition() {
        Fpu f = new Fpu();
        f.pc(24);
        // 2^-16382 * (1 + 2^-30) / 2: the 24-bit rounding position stays at bit 40 of the denormal
        f.push80(0x0001, 0x8000000100000000L);
        f.push80(0x4000, 0x8000000000000000L);
        f.op(0xDE, 0xF9);
        assertEquals(0, f.se(0));
        assertEquals(0x4000000000000000L, f.m(0));
        assertEquals(UE | PE, f.s.fsw & (UE | PE));
    }

    @Test
    void unmaskedUnderflowDeliversTheBiasAdjustedResult() {
        Fpu f = new Fpu();
        f.fldcw(0x37F & ~UE);
        f.push80(0x0001, 0x8000000000000000L);
        f.push80(0x4000, 0x8000000000000000L);
        f.op(0xDE, 0xF9);
        assertEquals(24576, f.se(0), "2^-16383 with exponent + 24576");
        assertEquals(0x8000000000000000L, f.m(0));
        assertTrue((f.s.fsw & UE) != 0);
        assertTrue(f.x87.exceptionPending());
    }

    @Test
    void maskedOverflowByRoundingMode() {
        int[][] expect = {{0x7FFF, 0}, {0x7FFE, 1}, {0x7FFF, 0}, {0x7FFE, 1}}; // inf or largest finite
        for (int rc = 0; rc < 4; rc++) {
            Fpu f = new Fpu();
            f.rc(rc);
            f.push80(0x7FFE, 0x8000000000000000L);
            f.push80(0x7FFE, 0x8000000000000000L);
            f.op(0xDE, 0xC9); // FMULP
            assertEquals(expect[rc][0], f.se(0), "rc " + rc);
            assertEquals(expect[rc][1] == 0 ? 0x8000000000000000L : -1L, f.m(0));
            assertEquals(OE | PE, f.s.fsw & (OE | PE));
        }
    }

    @Test
    void pseudoDenormalIsUsedAsItsValue() {
        Fpu f = new Fpu();
        f.push80(0x0000, 0x8000000000000000L); // pseudo-denormal = 2^-16382
        f.push80(0x0001, 0x8000000000000000L);
        f.op(0xDE, 0xC1); // FADDP
        assertEquals(0x0002, f.se(0));
        assertEquals(0x8000000000000000L, f.m(0));
        assertTrue((f.s.fsw & DE) != 0);
    }

    @Test
    void unnormalOperandIsInvalidAndGivesIndefinite() {
        Fpu f = new Fpu();
        f.push80(0x3FFF, 0x4000000000000000L); // unnormal
        f.pushInt(1);
        f.op(0xDE, 0xC1);
        assertEquals(0xFFFF, f.se(0));
        assertEquals(0xC000000000000000L, f.m(0));
        assertTrue((f.s.fsw & IE) != 0);
    }

    @Test
    void divideByZeroMaskedAndUnmasked() {
        Fpu f = new Fpu();
        f.pushInt(-5);
        f.pushInt(0);
        f.op(0xDE, 0xF9);
        assertEquals(0xFFFF, f.se(0));
        assertEquals(0x8000000000000000L, f.m(0));
        assertTrue((f.s.fsw & ZE) != 0);

        Fpu u = new Fpu();
        u.fldcw(0x37F & ~ZE);
        u.pushInt(-5);
        u.pushInt(0);
        u.op(0xDE, 0xF9);
        assertEquals(6, u.top(), "unmasked: no pop");
        assertEquals(0, u.m(0), "destination unchanged");
        assertTrue(u.x87.exceptionPending());
        assertEquals(0x8080, u.s.fsw & 0x8080, "ES and B");
    }

    @Test
    void exactCancellationGivesPlusZeroOrMinusZeroWhenRoundingDown() {
        for (int rc = 0; rc < 4; rc++) {
            Fpu f = new Fpu();
            f.rc(rc);
            f.pushInt(7);
            f.pushInt(7);
            f.op(0xDE, 0xE9); // FSUBP: ST(1) - ST(0)
            assertEquals(rc == 1 ? 0x8000 : 0, f.se(0));
            assertEquals(0, f.m(0));
        }
    }

    @Test
    void reverseSubtractAndDivideEncodings() {
        Fpu f = new Fpu();
        f.pushInt(10); // ST1
        f.pushInt(4);  // ST0
        f.op(0xD8, 0xE1); // FSUB ST0, ST1 = 4 - 10
        assertEquals(-6.0, valueOf(f, 0));
        f.op(0xDC, 0xE9); // FSUB ST1, ST0 = ST1 - ST0 = 10 - (-6)
        assertEquals(16.0, valueOf(f, 1));
        f.op(0xDC, 0xE1); // FSUBR ST1, ST0 = ST0 - ST1 = -6 - 16
        assertEquals(-22.0, valueOf(f, 1));
        f.op(0xDC, 0xF9); // FDIV ST1, ST0 = -22 / -6
        assertEquals(0x4000, f.se(1));
        f.op(0xD8, 0xF9); // FDIVR ST0, ST1 = ST1 / ST0
    }

    static double valueOf(Fpu f, int i) {
        return Math.scalb((double) (f.m(i) >>> 11), (f.se(i) & 0x7FFF) - 16383 - 52) * ((f.se(i) & 0x8000) != 0 ? -1 : 1);
    }

    @Test
    void sqrtOfTwoIsCorrectlyRounded() {
        Fpu f = new Fpu();
        f.pushInt(2);
        f.op(0xD9, 0xFA);
        assertEquals(0x3FFF, f.se(0));
        // sqrt(2) = 1.6A09E667F3BCC908B2F...h: 64 bits are B504F333F9DE6484, the next bit is 0
        assertEquals(0xB504F333F9DE6484L, f.m(0));
        assertFalse(f.c(1));
        assertTrue((f.s.fsw & PE) != 0);
        f.pushInt(-1);
        f.op(0xD9, 0xFA);
        assertEquals(0xFFFF, f.se(0));
        assertTrue((f.s.fsw & IE) != 0);
    }

    @Test
    void fpremAndFprem1QuotientBitsAndResults() {
        Fpu f = new Fpu();
        f.pushInt(3);
        f.pushInt(5);
        f.op(0xD9, 0xF8); // FPREM: 5 = 1*3 + 2
        assertEquals(2.0, valueOf(f, 0));
        assertTrue(f.c(1)); // Q0
        assertFalse(f.c(3) || f.c(0) || f.c(2));
        f.op(0xDD, 0xD8); // FSTP ST0
        f.pushInt(5);
        f.op(0xD9, 0xF5); // FPREM1: 5 = 2*3 - 1
        assertEquals(-1.0, valueOf(f, 0));
        assertTrue(f.c(3)); // Q1
        assertFalse(f.c(1) || f.c(0) || f.c(2));
    }

    @Test
    void fpremOfAHugeExponentDifferenceIsPartialUntilDone() {
        Fpu f = new Fpu();
        f.pushInt(3);
        f.push80(0x3FFF + 200, 0x8000000000000000L); // 2^200; 2^200 mod 3 = 1
        int rounds = 0;
        do {
            f.op(0xD9, 0xF8);
            rounds++;
        } while (f.c(2) && rounds < 20);
        assertTrue(rounds > 1, "partial remainders first");
        assertFalse(f.c(2));
        assertEquals(1.0, valueOf(f, 0));
    }

    @Test
    void frndintByRoundingMode() {
        double[][] cases = {{2.5, 2, 2, 3, 2}, {-2.5, -2, -3, -2, -2}, {3.5, 4, 3, 4, 3}, {0.3, 0, 0, 1, 0}};
        for (double[] c : cases) {
            for (int rc = 0; rc < 4; rc++) {
                Fpu f = new Fpu();
                f.rc(rc);
                f.pushDouble(c[0]);
                f.op(0xD9, 0xFC);
                assertEquals(c[rc + 1], f.popDouble(), c[0] + " rc " + rc);
            }
        }
    }

    @Test
    void fscaleAndFxtract() {
        Fpu f = new Fpu();
        f.pushDouble(-3.7);
        f.pushDouble(12.0);
        f.op(0xD9, 0xFD); // ST0 = 12 * 2^trunc(-3.7) = 12/8
        assertEquals(1.5, valueOf(f, 0));
        f.op(0xD9, 0xF4); // FXTRACT 1.5 -> ST1 = 0, ST0 = 1.5
        assertEquals(1.5, valueOf(f, 0));
        assertEquals(1, f.tag(1));
        f.push80(0x0000, 0x0000000000000001L); // smallest denormal = 2^-16445
        f.op(0xD9, 0xF4);
        assertEquals(-16445.0, valueOf(f, 1));
        assertEquals(0x3FFF, f.se(0));
        assertEquals(0x8000000000000000L, f.m(0));
        f.pushInt(0);
        f.op(0xD9, 0xF4);
        assertEquals(0xFFFF, f.se(1), "exponent of zero is -infinity");
        assertTrue((f.s.fsw & ZE) != 0);
    }

    @Test
    void nanPropagationPrefersTheQnanAndTheLargerSignificand() {
        Fpu f = new Fpu();
        f.push80(0x7FFF, 0xC000000000000100L); // QNaN
        f.push80(0x7FFF, 0x8000000000000200L); // SNaN (larger significand, but signalling)
        f.op(0xDE, 0xC1);
        assertEquals(0xC000000000000100L, f.m(0));
        assertTrue((f.s.fsw & IE) != 0);
        Fpu g = new Fpu();
        g.push80(0x7FFF, 0xC000000000000100L);
        g.push80(0xFFFF, 0xC000000000000200L);
        g.op(0xDE, 0xC1);
        assertEquals(0xFFFF, g.se(0));
        assertEquals(0xC000000000000200L, g.m(0));
        assertEquals(0, g.s.fsw & IE, "QNaNs do not signal");
    }

    @Test
    void fprem1RoundsTheQuotientAcrossAnExponentStep() {
        Fpu f = new Fpu();
        f.pushInt(3);
        f.pushDouble(1.75); // |1.75| > 3/2: the nearest quotient is 1
        f.op(0xD9, 0xF5);
        assertEquals(-1.25, valueOf(f, 0));
        assertTrue(f.c(1));
        Fpu g = new Fpu();
        g.pushInt(3);
        g.pushDouble(1.5); // a tie: quotient 0 (even)
        g.op(0xD9, 0xF5);
        assertEquals(1.5, valueOf(g, 0));
        assertFalse(g.c(1));
        Fpu h = new Fpu();
        h.pushInt(3);
        h.pushInt(-5);
        h.op(0xD9, 0xF8); // FPREM keeps the dividend's sign
        assertEquals(-2.0, valueOf(h, 0));
        assertTrue(h.c(1));
    }

    @Test
    void integerAndRealMemoryOperands() {
        Fpu f = new Fpu();
        f.pushInt(10);
        f.mem.at(0).write(0, 2, -3 & 0xFFFF);
        f.opMem(0xDE, 0); // FIADD m16
        assertEquals(7.0, valueOf(f, 0));
        f.mem.write(0, 4, 4);
        f.opMem(0xDA, 1); // FIMUL m32
        assertEquals(28.0, valueOf(f, 0));
        f.mem.write(0, 4, 8);
        f.opMem(0xDA, 7); // FIDIVR m32: 8 / 28
        assertEquals(0x3FFD, f.se(0));
        f.mem.write(0, 4, Float.floatToRawIntBits(0.25f));
        f.opMem(0xD8, 5); // FSUBR m32: 0.25 - 2/7
        assertTrue((f.se(0) & 0x8000) != 0);
        f.mem.write(0, 4, 0);
        f.opMem(0xDA, 2); // FICOM m32: negative < 0
        assertTrue(f.c(0));
        f.mem.write(0, 8, Double.doubleToRawLongBits(-1.0));
        f.opMem(0xDC, 3); // FCOMP m64: > -1, pops
        assertFalse(f.c(0) || f.c(3));
        assertEquals(0, f.top());
    }
}
