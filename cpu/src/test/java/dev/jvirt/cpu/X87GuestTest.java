package dev.jvirt.cpu;

import dev.jvirt.cpu.x87.X87;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * x87 guest programs run through the interpreter with {@link X87} as the FPU (SDM Vol. 1 chapter 8):
 * loads, arithmetic, stores, FSTSW AX, FCOMI's EFLAGS, and an unmasked exception reported as #MF at the
 * next waiting x87 instruction when CR0.NE is set (Vol. 1 8.7, Vol. 3A 6.15 interrupt 16).
 */
class X87GuestTest {
    private static final long IN = 0x2000, OUT = 0x2100;
    private static final String SETUP = TestMachine.GATE_PROLOGUE + """
            gate 7, h7
            gate 13, h13
            gate 16, h16
            jmp main
            h7: movl $7, 0x3000
            hlt
            h13: movl $13, 0x3000
            hlt
            h16: movl $16, 0x3000
            fnstsw %ax
            mov %eax, 0x3004
            mov (%esp), %eax
            mov %eax, 0x3008
            fnclex
            fstpl 0x3010
            hlt
            main:
            """;
    private static final String TABLES = TestMachine.FLAT_TABLES + """
            cw_double: .word 0x027F
            cw_zm_clear: .word 0x037B
            """;

    private static TestMachine machine(String asm, double... inputs) {
        TestMachine m = new TestMachine();
        m.cpu.setFpu(new X87(m.state));
        for (int i = 0; i < inputs.length; i++) m.memory.write(IN + i * 8L, 8, Double.doubleToRawLongBits(inputs[i]));
        m.flat32(SETUP + asm + TABLES);
        return m;
    }

    private static double dbl(TestMachine m, long addr) { return Double.longBitsToDouble(m.memory.read(addr, 8)); }

    @Test
    void arithmeticMatchesIeeeDoubleWithDoublePrecisionControl() {
        double a = 2.5, b = 1.2, c = 3.1, d = 7.3;
        try (TestMachine m = machine("""
                finit
                fldcw cw_double
                fldl 0x2000
                faddl 0x2008
                fmull 0x2010
                fdivl 0x2018
                fstpl 0x2100
                fldl 0x2008
                fsqrt
                fstpl 0x2108
                fldl 0x2000
                fldl 0x2018
                .byte 0xDE, 0xE9
                fstps 0x2110
                fldl 0x2010
                fmul %st(0), %st
                fistpl 0x2118
                fldl 0x2000
                fistpl 0x211C
                fld1
                fldz
                fldpi
                fstpl 0x2120
                fstpl 0x2128
                fstpl 0x2130
                fnstsw %ax
                mov %eax, 0x2138
                hlt
                """, a, b, c, d)) {
            m.runToHalt(10_000);
            assertEquals(-1, m.cpu.lastException(), "no exception");
            assertEquals((a + b) * c / d, dbl(m, OUT));
            assertEquals(Math.sqrt(b), dbl(m, OUT + 8));
            assertEquals((float) (a - d), Float.intBitsToFloat((int) m.memory.read(OUT + 0x10, 4)), "DE E9, FSUBP ST(1),ST(0): ST(1) - ST(0) (raw bytes: GNU as swaps the AT&T fsub mnemonics)");
            assertEquals(Math.round(c * c), m.mem32(OUT + 0x18), "FISTP rounds to nearest");
            assertEquals(2, m.mem32(OUT + 0x1C), "2.5 rounds to even");
            assertEquals(Math.PI, dbl(m, OUT + 0x20));
            assertEquals(0.0, dbl(m, OUT + 0x28));
            assertEquals(1.0, dbl(m, OUT + 0x30));
            assertEquals(0, m.mem32(OUT + 0x38) & 0x3800, "TOP back to 0 after balanced loads and pops");
        }
    }

    @Test
    void fcomiSetsZfPfCfAndFcomSetsConditionCodes() {
        try (TestMachine m = machine("""
                finit
                fldl 0x2000
                fldl 0x2008
                fcomi %st(1), %st
                pushf
                popl 0x2100
                fxch
                fcomi %st(1), %st
                pushf
                popl 0x2104
                fld %st(0)
                fcomip %st(1), %st
                pushf
                popl 0x2108
                fldl 0x2010
                fcomip %st(1), %st
                pushf
                popl 0x210C
                fcoml 0x2008
                fnstsw %ax
                mov %eax, 0x2110
                fcompl 0x2000
                fstsw %ax
                mov %eax, 0x2114
                hlt
                """, 1.25, 2.5, Double.NaN)) {
            m.runToHalt(10_000);
            long zpc = CpuState.FLAG_ZF | CpuState.FLAG_PF | CpuState.FLAG_CF;
            assertEquals(0, m.mem32(OUT) & zpc, "2.5 > 1.25");
            assertEquals(CpuState.FLAG_CF, m.mem32(OUT + 4) & zpc, "1.25 < 2.5");
            assertEquals(CpuState.FLAG_ZF, m.mem32(OUT + 8) & zpc, "equal");
            assertEquals(zpc, m.mem32(OUT + 0xC) & zpc, "unordered (NaN)");
            int c0 = 0x100, c2 = 0x400, c3 = 0x4000;
            assertEquals(c0, m.mem32(OUT + 0x10) & (c0 | c2 | c3), "FCOM: 1.25 < 2.5 sets C0");
            assertEquals(c3, m.mem32(OUT + 0x14) & (c0 | c2 | c3), "FCOMP: 1.25 == 1.25 sets C3");
        }
    }

    @Test
    void unmaskedZeroDivideRaisesMfAtTheNextWaitingInstruction() {
        try (TestMachine m = machine("""
                mov %cr0, %eax
                or $0x20, %eax
                mov %eax, %cr0
                finit
                fldcw cw_zm_clear
                fldl 0x2000
                fdivl 0x2008
                movl $next, 0x300C
                next: fwait
                movl $1, 0x3000
                hlt
                """, 1.5, 0.0)) {
            m.runToHalt(10_000);
            assertEquals(16, m.mem32(0x3000), "#MF");
            assertEquals(16, m.cpu.lastException());
            long fsw = m.mem32(0x3004);
            assertEquals(0x84, fsw & 0x84, "ZE and ES set in the status word");
            assertEquals(m.mem32(0x300C), m.mem32(0x3008), "#MF is reported at the waiting instruction after the FDIV");
            assertEquals(1.5, dbl(m, 0x3010), "an unmasked exception leaves the destination unchanged");
        }
    }

    @Test
    void maskedZeroDivideGivesInfinityAndNoFault() {
        try (TestMachine m = machine("""
                mov %cr0, %eax
                or $0x20, %eax
                mov %eax, %cr0
                finit
                fldl 0x2000
                fdivl 0x2008
                fwait
                fstpl 0x2100
                fnstsw %ax
                mov %eax, 0x2108
                hlt
                """, -1.5, 0.0)) {
            m.runToHalt(10_000);
            assertEquals(-1, m.cpu.lastException());
            assertEquals(Double.NEGATIVE_INFINITY, dbl(m, OUT));
            assertEquals(4, m.mem32(OUT + 8) & 0x84, "ZE flagged, ES clear (masked)");
        }
    }

    @Test
    void withoutCr0NeAnUnmaskedExceptionDoesNotRaiseMf() {
        try (TestMachine m = machine("""
                finit
                fldcw cw_zm_clear
                fldl 0x2000
                fdivl 0x2008
                fwait
                movl $1, 0x3000
                hlt
                """, 1.5, 0.0)) {
            m.runToHalt(10_000);
            // CR0.NE clear: the error is signalled on FERR# to an external interrupt controller instead (Vol. 1 8.7).
            assertEquals(1, m.mem32(0x3000));
            assertEquals(-1, m.cpu.lastException());
        }
    }

    @Test
    void taskSwitchedFlagRaisesNm() {
        try (TestMachine m = machine("""
                mov %cr0, %eax
                or $0x8, %eax
                mov %eax, %cr0
                fld1
                movl $1, 0x3000
                hlt
                """)) {
            m.runToHalt(10_000);
            assertEquals(7, m.mem32(0x3000), "CR0.TS: #NM on an x87 instruction");
        }
    }
}
