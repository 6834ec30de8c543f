package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.CpuState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stack, tags, condition codes, conversions and exceptions of the x87 instructions (SDM Vol. 2). */
class X87InstructionTest {
    private static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20, SF = 0x40;

    @ParameterizedTest
    @CsvSource({
        "2.5, 0, 2", "2.5, 1, 2", "2.5, 2, 3", "2.5, 3, 2",
        "-2.5, 0, -2", "-2.5, 1, -3", "-2.5, 2, -2", "-2.5, 3, -2",
        "3.5, 0, 4", "-0.5, 0, 0", "-0.75, 0, -1", "0.25, 2, 1", "-0.25, 1, -1"})
    void fistRoundsByRoundingControl(double v, int rc, long expected) {
        Fpu f = new Fpu();
        f.rc(rc);
        f.pushDouble(v);
        f.opMem(0xDB, 3); // FISTP m32
        assertEquals(expected, (int) f.mem.read(0, 4));
        assertTrue((f.s.fsw & PE) != 0);
        assertEquals(3, f.tag(-1), "popped");
    }

    @Test
    void fisttpTruncatesWhateverTheRoundingMode() {
        Fpu f = new Fpu();
        f.rc(2);
        f.pushDouble(-2.9);
        f.opMem(0xDD, 1); // FISTTP m64
        assertEquals(-2L, f.mem.read(0, 8));
        f.pushDouble(2.9);
        f.opMem(0xDF, 1); // FISTTP m16
        assertEquals(2, (short) f.mem.read(0, 2));
    }

    @Test
    void fistOutOfRangeStoresTheIntegerIndefinite() {
        Fpu f = new Fpu();
        f.pushInt(32768);
        f.opMem(0xDF, 3); // FISTP m16
        assertEquals(0x8000, f.mem.read(0, 2));
        assertTrue((f.s.fsw & IE) != 0);
        Fpu g = new Fpu();
        g.pushInt(-32768);
        g.opMem(0xDF, 3);
        assertEquals(0x8000, g.mem.read(0, 2));
        assertEquals(0, g.s.fsw & IE, "-32768 fits");
        Fpu h = new Fpu();
        h.push80(0x7FFF, 0xC000000000000000L);
        h.opMem(0xDD, 1);
        assertEquals(Long.MIN_VALUE, h.mem.read(0, 8));
        Fpu big = new Fpu();
        big.push80(0x3FFF + 63, 0x8000000000000000L); // 2^63 does not fit int64
        big.opMem(0xDF, 7);
        assertEquals(Long.MIN_VALUE, big.mem.read(0, 8));
        assertTrue((big.s.fsw & IE) != 0);
        Fpu min = new Fpu();
        min.push80(0xBFFF + 63, 0x8000000000000000L); // -2^63 fits
        min.opMem(0xDF, 7);
        assertEquals(Long.MIN_VALUE, min.mem.read(0, 8));
        assertEquals(0, min.s.fsw & IE);
    }

    @Test
    void fildIsExactForAllInt64() {
        Fpu f = new Fpu();
        f.pushInt(Long.MIN_VALUE);
        assertEquals(0xC03E, f.se(0));
        assertEquals(0x8000000000000000L, f.m(0));
        f.pushInt(Long.MAX_VALUE);
        assertEquals(0x403D, f.se(0));
        assertEquals(0xFFFFFFFFFFFFFFFEL, f.m(0));
        f.opMem(0xDF, 7);
        assertEquals(Long.MAX_VALUE, f.mem.read(0, 8));
    }

    @Test
    void bcdRoundTrip() {
        Fpu f = new Fpu();
        // -123456789012345678 packed: digits in nibbles, sign in bit 79
        byte[] bcd = {0x78, 0x56, 0x34, 0x12, (byte) 0x90, 0x78, 0x56, 0x34, 0x12, (byte) 0x80};
        System.arraycopy(bcd, 0, f.mem.bytes, 0, 10);
        f.opMem(0xDF, 4); // FBLD
        f.opMem(0xDF, 7); // FISTP m64 (pops)
        assertEquals(-123456789012345678L, f.mem.read(0, 8));
        System.arraycopy(bcd, 0, f.mem.bytes, 0, 10);
        f.opMem(0xDF, 4);
        java.util.Arrays.fill(f.mem.bytes, 0, 10, (byte) 0);
        f.opMem(0xDF, 6); // FBSTP
        for (int i = 0; i < 10; i++) assertEquals(bcd[i], f.mem.bytes[i], "byte " + i);
    }

    @Test
    void fbstpRoundsAndRejectsEighteenDigitOverflow() {
        Fpu f = new Fpu();
        f.pushDouble(41.5);
        f.opMem(0xDF, 6);
        assertEquals(0x42, f.mem.read(0, 8));
        assertEquals(0, f.mem.read(8, 2));
        f.pushInt(1_000_000_000_000_000_000L);
        f.opMem(0xDF, 6);
        assertEquals(0xC000000000000000L, f.mem.read(0, 8), "packed BCD indefinite");
        assertEquals(0xFFFF, f.mem.read(8, 2));
        assertTrue((f.s.fsw & IE) != 0);
    }

    @Test
    void storeSingleAndDoubleRoundCorrectly() {
        Fpu f = new Fpu();
        f.pushInt(1);
        f.pushInt(3);
        f.op(0xDE, 0xF9); // 1/3 in extended
        f.opMem(0xD9, 2); // FST m32
        assertEquals(0x3EAAAAABL, f.mem.read(0, 4));
        assertTrue(f.c(1));
        f.opMem(0xDD, 2); // FST m64
        assertEquals(0x3FD5555555555555L, f.mem.read(0, 8));
        assertFalse(f.c(1));
        f.rc(2);
        f.opMem(0xDD, 2);
        assertEquals(0x3FD5555555555556L, f.mem.read(0, 8));
    }

    @Test
    void storeSingleUnderflowsToADenormalTiedToEven() {
        Fpu f = new Fpu();
        f.push80(0x3FFF - 149, 0xC000000000000000L); // 1.5 * 2^-149 = 1.5 smallest single denormals
        f.opMem(0xD9, 2);
        assertEquals(2, f.mem.read(0, 4));
        assertEquals(UE | PE, f.s.fsw & (UE | PE));
        Fpu g = new Fpu();
        g.push80(0x3FFF - 127, 0xFFFFFFFFFFFFFFFFL); // just below 2^-126: rounds up to the smallest normal
        g.opMem(0xD9, 2);
        assertEquals(0x00800000L, g.mem.read(0, 4));
        assertEquals(PE, g.s.fsw & (UE | PE), "tininess after rounding: not tiny");
    }

    @Test
    void storeDoubleOverflowMaskedAndUnmasked() {
        Fpu f = new Fpu();
        f.push80(0x3FFF + 1024, 0x8000000000000000L);
        f.opMem(0xDD, 2);
        assertEquals(0x7FF0000000000000L, f.mem.read(0, 8));
        assertEquals(OE | PE, f.s.fsw & (OE | PE));
        f.rc(3);
        f.opMem(0xDD, 2);
        assertEquals(0x7FEFFFFFFFFFFFFFL, f.mem.read(0, 8));
        Fpu u = new Fpu();
        u.fldcw(0x37F & ~OE);
        u.push80(0x3FFF + 1024, 0x8000000000000000L);
        u.mem.write(0, 8, 0x1234);
        u.opMem(0xDD, 3); // FSTP m64
        assertEquals(0x1234, u.mem.read(0, 8), "memory unchanged");
        assertEquals(7, u.top(), "not popped");
        assertTrue(u.x87.exceptionPending());
    }

    @Test
    void loadSingleSnanRaisesInvalidAndQuiets() {
        Fpu f = new Fpu();
        f.mem.write(0, 4, 0x7F800001L);
        f.opMem(0xD9, 0);
        assertEquals(0x7FFF, f.se(0));
        assertEquals(0xC000010000000000L, f.m(0));
        assertTrue((f.s.fsw & IE) != 0);
        f.mem.write(0, 4, 0x00000001L); // single denormal 2^-149 becomes a normal extended
        f.opMem(0xD9, 0);
        assertEquals(0x3FFF - 149, f.se(0));
        assertEquals(0x8000000000000000L, f.m(0));
        assertTrue((f.s.fsw & DE) != 0);
    }

    @Test
    void stackUnderflowWithMaskedInvalidGivesIndefinite() {
        Fpu f = new Fpu();
        f.op(0xD8, 0xC1); // FADD ST0, ST1 on an empty stack
        assertEquals(0xFFFF, f.se(0));
        assertEquals(0xC000000000000000L, f.m(0));
        assertEquals(IE | SF, f.s.fsw & (IE | SF));
        assertFalse(f.c(1), "C1 = 0: underflow");
        assertFalse(f.x87.exceptionPending());
    }

    @Test
    void stackOverflowSetsC1AndUnmaskedLeavesTheStack() {
        Fpu f = new Fpu();
        for (int i = 0; i < 8; i++) f.pushInt(i);
        f.pushInt(99);
        assertEquals(IE | SF, f.s.fsw & (IE | SF));
        assertTrue(f.c(1), "C1 = 1: overflow");
        assertEquals(0xFFFF, f.se(0), "masked: indefinite pushed");
        Fpu u = new Fpu();
        u.fldcw(0x37E);
        for (int i = 0; i < 8; i++) u.pushInt(i);
        u.pushInt(99);
        assertEquals(0, u.top());
        assertEquals(7.0, X87ArithmeticTest.valueOf(u, 0));
        assertTrue(u.x87.exceptionPending());
        assertEquals(0x8080, u.s.fsw & 0x8080);
        u.op(0xDB, 0xE2); // FNCLEX
        assertFalse(u.x87.exceptionPending());
        assertEquals(0, u.s.fsw & 0x80FF);
    }

    @Test
    void fxamClassifiesEveryKind() {
        Object[][] cases = {
            {0x3FFF, 0x8000000000000000L, 0x400}, {0x0000, 0L, 0x4000}, {0x8000, 0L, 0x4000 | 0x200},
            {0x0000, 1L, 0x4400}, {0x7FFF, 0x8000000000000000L, 0x500}, {0xFFFF, 0xC000000000000000L, 0x100 | 0x200},
            {0x3FFF, 0x4000000000000000L, 0}, {0x7FFF, 0x8000000000000001L, 0x100}};
        for (Object[] c : cases) {
            Fpu f = new Fpu();
            f.push80((Integer) c[0], (Long) c[1]);
            f.op(0xD9, 0xE5);
            assertEquals((int) (Integer) c[2], f.s.fsw & 0x4700, Integer.toHexString((Integer) c[0]));
        }
        Fpu e = new Fpu();
        e.op(0xD9, 0xE5);
        assertEquals(0x4100, e.s.fsw & 0x4500, "empty: C3 C0");
    }

    @Test
    void compareConditionCodesIncludingUnordered() {
        Fpu f = new Fpu();
        f.pushInt(2);
        f.pushInt(1);
        f.op(0xD8, 0xD1); // FCOM ST1: 1 < 2
        assertEquals(0x100, f.s.fsw & 0x4500);
        f.op(0xD9, 0xC9); // FXCH
        f.op(0xD8, 0xD1); // 2 > 1
        assertEquals(0, f.s.fsw & 0x4500);
        f.op(0xD8, 0xD0); // FCOM ST0: equal
        assertEquals(0x4000, f.s.fsw & 0x4500);
        f.push80(0x7FFF, 0xC000000000000000L);
        f.op(0xDD, 0xE1); // FUCOM with a QNaN: unordered, no IE
        assertEquals(0x4500, f.s.fsw & 0x4500);
        assertEquals(0, f.s.fsw & IE);
        f.op(0xD8, 0xD1); // FCOM with a QNaN: unordered and IE
        assertEquals(0x4500, f.s.fsw & 0x4500);
        assertTrue((f.s.fsw & IE) != 0);
        f.op(0xDE, 0xD9); // FCOMPP pops two
        assertEquals(7, f.top());
    }

    @Test
    void comiReturnsEflags() {
        Fpu f = new Fpu();
        f.pushInt(2);
        f.pushInt(1);
        assertEquals(1, f.op(0xDB, 0xF1)); // FCOMI: 1 < 2 -> CF
        f.pushInt(3);
        assertEquals(0, f.op(0xDB, 0xF1)); // 3 > 1
        assertEquals(0x40, f.op(0xDB, 0xE8)); // FUCOMI ST0, ST0 -> ZF
        f.push80(0x7FFF, 0xC000000000000000L);
        assertEquals(0x45, f.op(0xDF, 0xE9)); // FUCOMIP with QNaN: ZF PF CF, no IE
        assertEquals(0, f.s.fsw & IE);
        assertEquals(5, f.top());
        f.push80(0x7FFF, 0xC000000000000000L);
        assertEquals(0x45, f.op(0xDF, 0xF1)); // FCOMIP with QNaN: IE
        assertTrue((f.s.fsw & IE) != 0);
        Fpu u = new Fpu();
        u.fldcw(0x37E);
        u.push80(0x7FFF, 0xC000000000000000L);
        assertEquals(FpuUnit.NO_FLAGS, u.op(0xDB, 0xF0), "unmasked IE: EFLAGS untouched");
    }

    @Test
    void ftstComparesWithZero() {
        Fpu f = new Fpu();
        f.pushInt(-4);
        f.op(0xD9, 0xE4);
        assertEquals(0x100, f.s.fsw & 0x4500);
        f.push80(0x8000, 0);
        f.op(0xD9, 0xE4);
        assertEquals(0x4000, f.s.fsw & 0x4500);
    }

    @Test
    void fcmovFollowsEflags() {
        Fpu f = new Fpu();
        f.pushInt(5);
        f.pushInt(9);
        f.env.eflags = CpuState.FLAG_CF;
        f.op(0xDA, 0xC9); // FCMOVE: ZF clear, no move
        assertEquals(9.0, X87ArithmeticTest.valueOf(f, 0));
        f.op(0xDA, 0xC1); // FCMOVB: CF set
        assertEquals(5.0, X87ArithmeticTest.valueOf(f, 0));
        f.pushInt(1);
        f.op(0xDB, 0xC1); // FCMOVNB: CF set, no move
        assertEquals(1.0, X87ArithmeticTest.valueOf(f, 0));
        f.env.eflags = CpuState.FLAG_PF;
        f.op(0xDA, 0xD9); // FCMOVU
        assertEquals(5.0, X87ArithmeticTest.valueOf(f, 0));
    }

    @Test
    void constantsRoundPerRoundingControl() {
        // 66-bit internal values (SDM Vol. 1 8.3.8): pi C90FDAA22168C234C, l2e B8AA3B295C17F0BBB,
        // l2t D49A784BCD1B8AFE4, lg2 9A209A84FBCFF7988, ln2 B17217F7D1CF79ABC
        long[][] expect = {
            {0xD49A784BCD1B8AFEL, 0xD49A784BCD1B8AFEL, 0xD49A784BCD1B8AFFL, 0xD49A784BCD1B8AFEL},
            {0xB8AA3B295C17F0BCL, 0xB8AA3B295C17F0BBL, 0xB8AA3B295C17F0BCL, 0xB8AA3B295C17F0BBL},
            {0xC90FDAA22168C235L, 0xC90FDAA22168C234L, 0xC90FDAA22168C235L, 0xC90FDAA22168C234L},
            {0x9A209A84FBCFF799L, 0x9A209A84FBCFF798L, 0x9A209A84FBCFF799L, 0x9A209A84FBCFF798L},
            {0xB17217F7D1CF79ACL, 0xB17217F7D1CF79ABL, 0xB17217F7D1CF79ACL, 0xB17217F7D1CF79ABL}};
        int[] exps = {0x4000, 0x3FFF, 0x4000, 0x3FFD, 0x3FFE};
        for (int c = 0; c < 5; c++) {
            for (int rc = 0; rc < 4; rc++) {
                Fpu f = new Fpu();
                f.rc(rc);
                f.op(0xD9, 0xE9 + c);
                assertEquals(exps[c], f.se(0));
                assertEquals(expect[c][rc], f.m(0), "constant " + c + " rc " + rc);
            }
        }
        Fpu f = new Fpu();
        f.op(0xD9, 0xE8);
        f.op(0xD9, 0xEE);
        assertEquals(1, f.tag(0));
        assertEquals(0x3FFF, f.se(1));
    }

    @Test
    void fxchFfreeIncDecAndFstRegister() {
        Fpu f = new Fpu();
        f.pushInt(1);
        f.pushInt(2);
        f.op(0xD9, 0xC9);
        assertEquals(1.0, X87ArithmeticTest.valueOf(f, 0));
        f.op(0xDD, 0xC1); // FFREE ST1
        assertEquals(3, f.tag(1));
        f.op(0xDD, 0xD1); // FST ST1
        assertEquals(0, f.tag(1));
        f.op(0xD9, 0xF7); // FINCSTP
        assertEquals(7, f.top());
        f.op(0xD9, 0xF6); // FDECSTP
        assertEquals(6, f.top());
        f.op(0xD9, 0xE0); // FCHS
        assertEquals(0xBFFF, f.se(0));
        f.op(0xD9, 0xE1); // FABS
        assertEquals(0x3FFF, f.se(0));
        f.op(0xDF, 0xC0); // FFREEP ST0
        assertEquals(7, f.top());
    }

    @Test
    void fnstswAxAndPointers() {
        Fpu f = new Fpu();
        f.env.fip = 0x1234;
        f.env.fcs = 0x08;
        f.env.fdp = 0x5678;
        f.env.fds = 0x10;
        f.pushInt(1);
        assertEquals(0x728, f.s.fop); // FILD m64: DF /5, ModRM 0x28
        assertEquals(0x1234, f.s.fip);
        assertEquals(0x5678, f.s.fdp);
        f.cpu.gpr[CpuState.RAX] = 0xFFFF_FFFF_FFFF_FFFFL;
        f.env.fip = 0x9999;
        f.op(0xDF, 0xE0); // FNSTSW AX: a control instruction, pointers unchanged
        assertEquals(0xFFFF_FFFF_FFFF_0000L | f.s.fsw, f.cpu.gpr[CpuState.RAX]);
        assertEquals(0x1234, f.s.fip);
        assertTrue(X87.isDefined(0xD9, 0xE8));
        assertFalse(X87.isDefined(0xD9, 0xD1));
        assertFalse(X87.isDefined(0xD9, 0x08));
        assertFalse(X87.isDefined(0xDF, 0xE1));
    }

    @Test
    void fldcwUnmaskingAPendingFlagSetsErrorSummary() {
        Fpu f = new Fpu();
        f.pushInt(1);
        f.pushInt(0);
        f.op(0xDE, 0xF9); // 1/0 masked: ZE
        assertFalse(f.x87.exceptionPending());
        f.fldcw(0x37F & ~ZE);
        assertTrue(f.x87.exceptionPending());
    }

    @Test
    void fscaleFarBelowTheRangeWithUnmaskedUnderflowGivesZeroAndUnderflow() {
        Fpu f = new Fpu();
        f.fldcw(0x37F & ~UE);
        f.pushInt(-100000);
        f.pushInt(1);
        f.op(0xD9, 0xFD);
        assertEquals(0, f.se(0));
        assertEquals(0, f.m(0));
        assertTrue((f.s.fsw & UE) != 0);
        assertTrue(f.x87.exceptionPending());
        Fpu g = new Fpu();
        g.pushInt(20000);
        g.pushInt(1);
        g.op(0xD9, 0xFD);
        assertEquals(0x7FFF, g.se(0), "masked overflow to infinity");
        assertEquals(OE | PE, g.s.fsw & (OE | PE));
    }

    @Test
    void fbstpOfMinusTwoToTheSixtyThreeIsInvalid() {
        Fpu f = new Fpu();
        f.pushInt(Long.MIN_VALUE);
        f.opMem(0xDF, 6);
        assertEquals(0xFFFF, f.mem.read(8, 2));
        assertTrue((f.s.fsw & IE) != 0);
    }

    @Test
    void fxchWithAnEmptyRegisterUsesIndefiniteWhenMasked() {
        Fpu f = new Fpu();
        f.pushInt(3);
        f.op(0xD9, 0xCA); // FXCH ST2 (empty)
        assertEquals(0xFFFF, f.se(0));
        assertEquals(3.0, X87ArithmeticTest.valueOf(f, 2));
        assertEquals(IE | SF, f.s.fsw & (IE | SF));
    }

    @Test
    void extendedLoadAndStoreAreRawEvenForUnsupportedAndSignallingValues() {
        Fpu f = new Fpu();
        f.push80(0x7FFF, 0x8000000000000001L); // SNaN: FLD m80 does not signal
        f.push80(0x4000, 0x4000000000000000L); // unnormal: loaded as is, tagged special
        assertEquals(0, f.s.fsw & IE);
        assertEquals(2, f.tag(0));
        f.opMem(0xDB, 7); // FSTP m80
        assertEquals(0x4000000000000000L, f.mem.read(0, 8));
        assertEquals(0x4000, f.mem.read(8, 2));
        f.opMem(0xDB, 7);
        assertEquals(0x8000000000000001L, f.mem.read(0, 8));
        assertEquals(0, f.s.fsw & IE);
        assertEquals(0, f.top());
    }

    @Test
    void fldOfAnEmptyRegisterPushesIndefinite() {
        Fpu f = new Fpu();
        f.pushInt(1);
        f.op(0xD9, 0xC3); // FLD ST3 (empty)
        assertEquals(0xFFFF, f.se(0));
        assertEquals(6, f.top());
        assertEquals(IE | SF, f.s.fsw & (IE | SF));
        f.op(0xD9, 0xC1); // FLD ST1 = 1.0
        assertEquals(1.0, X87ArithmeticTest.valueOf(f, 0));
    }
}
