package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FSTENV/FSAVE images (SDM Vol. 1 Figures 8-9..8-12) and FXSAVE (Table 10-2), byte by byte. */
class X87StateImageTest {

    /** Three values on the stack (one zero, one denormal), FCW with a rounding mode, pointers set. */
    private static Fpu prepared(boolean realMode) {
        Fpu f = new Fpu();
        f.env.realMode = realMode;
        f.env.fip = 0x0001_2345;
        f.env.fcs = 0x0123;
        f.env.fdp = 0x0006_789A;
        f.env.fds = 0x0456;
        f.pushInt(0);
        f.push80(0x0000, 0x0000_0000_0000_0042L);
        f.fldcw(0x0B7F); // RC up
        f.pushInt(-7); // DF /5: FOP 0x728, pointers from env
        return f;
    }

    @ParameterizedTest
    @CsvSource({"true, false", "true, true", "false, false", "false, true"})
    void fsaveImageLayoutAndFrstorRoundTrip(boolean op32, boolean real) {
        Fpu f = prepared(real);
        f.env.operand32 = op32;
        CpuState before = new CpuState();
        before.copyFrom(f.cpu);
        f.mem.at(0);
        f.x87.execute(0xDD, 0x30, f.mem.at(0x100), f.env); // FNSAVE
        ByteMemory m = f.mem.at(0x100);
        int w = op32 ? 4 : 2;
        assertEquals(0x0B7F, m.read(0, 2));
        assertEquals(before.fpu.fsw, m.read(w, 2));
        assertEquals(5 << 11, m.read(w, 2) & 0x3800, "TOP = 5");
        // tags by physical register: R5 valid (-7), R6 special (denormal), R7 zero, others empty
        assertEquals(0b01_10_00_11_11_11_11_11, m.read(2 * w, 2));
        long linIp = (0x0123L << 4) + 0x12345, linDp = (0x0456L << 4) + 0x6789A;
        if (op32 && !real) {
            assertEquals(0x12345, m.read(12, 4));
            assertEquals(0x0728_0123L, m.read(16, 4), "FOP in bits 16-26, FCS below");
            assertEquals(0x6789A, m.read(20, 4));
            assertEquals(0x0456, m.read(24, 2));
        } else if (op32) {
            assertEquals(linIp & 0xFFFF, m.read(12, 2));
            assertEquals((linIp >>> 16) << 12 | 0x728, m.read(16, 4));
            assertEquals(linDp & 0xFFFF, m.read(20, 2));
            assertEquals((linDp >>> 16) << 12, m.read(24, 4));
        } else if (!real) {
            assertEquals(0x2345, m.read(6, 2));
            assertEquals(0x0123, m.read(8, 2));
            assertEquals(0x789A, m.read(10, 2));
            assertEquals(0x0456, m.read(12, 2));
        } else {
            assertEquals(linIp & 0xFFFF, m.read(6, 2));
            assertEquals(((linIp >>> 16) & 0xF) << 12 | 0x728, m.read(8, 2));
            assertEquals(linDp & 0xFFFF, m.read(10, 2));
            assertEquals(((linDp >>> 16) & 0xF) << 12, m.read(12, 2));
        }
        int regs = op32 ? 28 : 14;
        assertEquals(0xE000000000000000L, m.read(regs, 8), "ST0 = -7");
        assertEquals(0xC001, m.read(regs + 8, 2));
        assertEquals(0x42, m.read(regs + 10, 8), "ST1 = the denormal");
        assertEquals(0, m.read(regs + 20, 8), "ST2 = 0");
        // FNSAVE reinitialises
        assertEquals(0x37F, f.s.fcw);
        assertEquals(0xFFFF, f.s.ftw);
        assertEquals(0, f.s.fsw);

        f.x87.execute(0xDD, 0x20, f.mem.at(0x100), f.env); // FRSTOR
        if (real || !op32 && !real) { // pointers come back in the image's own terms
            before.fpu.fip = f.s.fip;
            before.fpu.fcs = f.s.fcs;
            before.fpu.fdp = f.s.fdp;
            before.fpu.fds = f.s.fds;
            before.fpu.fop = f.s.fop;
        }
        assertNull(before.diff(f.cpu));
        assertEquals(-7.0, X87ArithmeticTest.valueOf(f, 0));
        if (real) assertEquals(linIp, f.s.fip);
    }

    @Test
    void fstenvMasksExceptionsAndFldenvRestoresThem() {
        Fpu f = prepared(false);
        f.fldcw(0x0372); // IE, ZE unmasked... (bits 0 and 2 clear)
        f.x87.execute(0xD9, 0x30, f.mem.at(0x200), f.env); // FNSTENV
        assertEquals(0x37F, f.s.fcw & 0x37F, "all exceptions masked after FSTENV");
        assertEquals(0x0372, f.mem.at(0x200).read(0, 2));
        f.x87.execute(0xD9, 0x20, f.mem.at(0x200), f.env); // FLDENV
        assertEquals(0x0372, f.s.fcw);
    }

    @Test
    void fstenvStoresComputedTagsAndFldenvRecomputesThem() {
        Fpu f = new Fpu();
        f.push80(0x7FFF, 0x8000000000000000L); // infinity: special
        f.s.ftw = 0x3FFF; // claim R7 is valid
        f.x87.execute(0xD9, 0x30, f.mem.at(0), f.env);
        assertEquals(0xBFFF, f.mem.at(0).read(8, 2));
        f.mem.write(8, 2, 0x3FFF);
        f.x87.execute(0xD9, 0x20, f.mem.at(0), f.env);
        assertEquals(0xBFFF, f.s.ftw);
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void fxsaveImageLayoutAndFxrstorRoundTrip(boolean rexW) {
        Fpu f = prepared(false);
        f.env.rexW = rexW;
        f.env.fip = 0x1_2345_6789L;
        f.env.fdp = 0x9_8765_4321L;
        f.pushInt(5);
        f.s.mxcsr = 0x1FA0;
        for (int i = 0; i < 32; i++) f.s.xmm[i] = 0x1111_1111_1111_1111L * (i % 15 + 1);
        if (rexW) {
            f.cpu.efer |= 0x400;
            f.cpu.cs.l = true;
        }
        CpuState before = new CpuState();
        before.copyFrom(f.cpu);
        java.util.Arrays.fill(f.mem.bytes, 0x200, 0x400, (byte) 0xEE);
        f.x87.fxsave(f.mem.at(0x200), f.env);
        ByteMemory m = f.mem.at(0x200);
        assertEquals(0x0B7F, m.read(0, 2));
        assertEquals(f.s.fsw, m.read(2, 2));
        assertEquals(0b1111_0000, m.read(4, 1), "abridged: R4-R7 in use");
        assertEquals(0, m.read(5, 1));
        assertEquals(0x728, m.read(6, 2));
        if (rexW) {
            assertEquals(0x1_2345_6789L, m.read(8, 8));
            assertEquals(0x9_8765_4321L, m.read(16, 8));
        } else {
            assertEquals(0x2345_6789L, m.read(8, 4));
            assertEquals(0x0123, m.read(12, 2));
            assertEquals(0x8765_4321L, m.read(16, 4));
            assertEquals(0x0456, m.read(20, 2));
        }
        assertEquals(0x1FA0, m.read(24, 4));
        assertEquals(0xFFFF, m.read(28, 4), "MXCSR_MASK");
        assertEquals(0xA000000000000000L, m.read(32, 8), "ST0 = 5");
        assertEquals(0x4001, m.read(40, 2));
        assertEquals(0, m.read(42, 6), "reserved bytes of the ST slot");
        assertEquals(0xE000000000000000L, m.read(48, 8), "ST1 = -7");
        assertEquals(before.fpu.xmm[14], m.read(160 + 16 * 7, 8));
        if (rexW) assertEquals(before.fpu.xmm[31], m.read(160 + 16 * 15 + 8, 8));
        else assertEquals(0xEEEEEEEEEEEEEEEEL, m.read(160 + 16 * 8, 8), "XMM8-15 not saved outside 64-bit mode");

        f.cpu.fpu.reset();
        assertTrue(f.x87.fxrstorMxcsrValid(m));
        f.x87.fxrstor(f.mem.at(0x200), f.env);
        if (!rexW) {
            before.fpu.fip &= 0xFFFF_FFFFL;
            before.fpu.fdp &= 0xFFFF_FFFFL;
            for (int i = 16; i < 32; i++) before.fpu.xmm[i] = 0;
        } else {
            before.fpu.fcs = before.fpu.fds = 0;
        }
        assertNull(before.diff(f.cpu));
        m.write(24, 4, 0x1_0000);
        assertFalse(f.x87.fxrstorMxcsrValid(m));
    }

    @Test
    void fxrstorRecomputesFullTagsFromTheAbridgedByte() {
        Fpu f = new Fpu();
        ByteMemory m = f.mem.at(0);
        m.write(0, 2, 0x37F);
        m.write(2, 2, 6 << 11); // TOP = 6
        m.write(4, 1, 0b1100_0000); // R6, R7 in use
        m.write(32, 8, 0); // ST0 = R6 = +0
        m.write(48, 8, 1); // ST1 = R7 = denormal
        f.x87.fxrstor(m, f.env);
        FpuState s = f.s;
        assertEquals(0b10_01_11_11_11_11_11_11, s.ftw);
    }

    @Test
    void aFaultWhileReadingTheImageLeavesTheStateIntact() {
        Fpu f = prepared(false);
        f.x87.execute(0xDD, 0x30, f.mem.at(0x100), f.env); // FNSAVE, then FNINIT
        f.pushInt(42);
        CpuState before = new CpuState();
        before.copyFrom(f.cpu);
        X87Memory faulting = new X87Memory() {
            @Override
            public long read(long offset, int size) {
                if (offset >= 20) throw new IllegalStateException("page fault");
                return f.mem.at(0x100).read(offset, size);
            }

            @Override
            public void write(long offset, int size, long value) { }
        };
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> f.x87.execute(0xDD, 0x20, faulting, f.env));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> f.x87.execute(0xD9, 0x20, faulting, f.env));
        assertNull(before.diff(f.cpu));
    }
}
