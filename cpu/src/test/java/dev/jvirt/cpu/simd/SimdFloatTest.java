package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.GuestAsm;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder;
import dev.jvirt.cpu.decode.Decoder64;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SimdFloat instruction forms, decoded from gas output and run on a SimdUnit with a fake context:
 * operand shapes, alignment #GP(0), unmasked exceptions (#XM with CR4.OSXMMEXCPT, else #UD, the
 * destination unchanged), (U)COMIS flags, MXCSR reserved bits. Inexact expected values come from the
 * host CPU (see ssemath-vectors.c); exact ones from the SDM's definitions.
 */
class SimdFloatTest {
    /** Memory operand at linear address {@link #addr}, 64 bytes of it. */
    static final class Ctx implements SimdContext {
        final byte[] mem = new byte[64];
        long addr = 0x1000;
        final long[] gpr = new long[16];
        long rflags = 0x8D7;

        public long read(long o, int size) {
            long v = 0;
            for (int i = size - 1; i >= 0; i--) v = v << 8 | (mem[(int) o + i] & 0xFF);
            return v;
        }

        public void write(long o, int size, long value) {
            for (int i = 0; i < size; i++) mem[(int) o + i] = (byte) (value >>> (8 * i));
        }

        public long linearAddress() { return addr; }

        public void checkWritable(long offset, int len) {}

        public long gpr(int size, int reg) { return size == 8 ? gpr[reg] : gpr[reg] & 0xFFFF_FFFFL; }

        public void setGpr(int size, int reg, long value) { gpr[reg] = size == 8 ? value : value & 0xFFFF_FFFFL; }

        public long rflags() { return rflags; }

        public void setRflags(long value) { rflags = value; }

        public RuntimeException fault(int vector) { return new SimdFault(vector); }
    }

    private final CpuState s = new CpuState();
    private final Ctx c = new Ctx();
    private final DecodedInsn d = new DecodedInsn();
    private CpuModel model = CpuModels.DEFAULT.with(CpuFeature.SSE, true).with(CpuFeature.SSE2, true)
            .with(CpuFeature.PNI, true).with(CpuFeature.SSE4_1, true).with(CpuFeature.MMX, true);

    SimdFloatTest() {
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cr4 = SimdUnit.CR4_OSFXSR | SimdUnit.CR4_OSXMMEXCPT;
    }

    private void exec(String insn) {
        byte[] b = GuestAsm.assemble(insn, 0);
        Decoder.decode(i -> b[i] & 0xFF, d, true);
        // a memory operand here is always (%eax): the fake context already points at it
        assertTrue(new SimdUnit(s, model).execute(d, c), insn);
    }

    private int fault(String insn) {
        return assertThrows(SimdFault.class, () -> exec(insn)).vector;
    }

    private void xmm(int r, long lo, long hi) { s.fpu.xmm[2 * r] = lo; s.fpu.xmm[2 * r + 1] = hi; }

    private static long ps(float a, float b) {
        return Float.floatToRawIntBits(a) & 0xFFFF_FFFFL | (long) Float.floatToRawIntBits(b) << 32;
    }

    private static long pd(double a) { return Double.doubleToRawLongBits(a); }

    private void assertXmm(int r, long lo, long hi) {
        assertArrayEquals(new long[] {lo, hi}, new long[] {s.fpu.xmm[2 * r], s.fpu.xmm[2 * r + 1]});
    }

    @Test
    void packedAndScalarArithmetic() {
        xmm(0, ps(1, 2), ps(3, 4));
        xmm(1, ps(10, 20), ps(30, 40));
        exec("addps %xmm1, %xmm0");
        assertXmm(0, ps(11, 22), ps(33, 44));
        exec("mulss %xmm1, %xmm0");
        assertXmm(0, ps(110, 22), ps(33, 44));
        xmm(2, pd(9), pd(-1));
        exec("sqrtpd %xmm2, %xmm3");
        assertXmm(3, pd(3), SseMath.D_INDEFINITE);
        assertEquals(SseMath.IE, s.fpu.mxcsr & 0x3F);
        xmm(4, pd(1), pd(7));
        c.write(0, 8, pd(4));
        c.addr = 0x1003; // scalar memory operands need no alignment
        exec("divsd (%eax), %xmm4");
        assertXmm(4, pd(0.25), pd(7));
        assertEquals(13, fault("subpd (%eax), %xmm4"));
        c.addr = 0x1010;
        c.write(8, 8, pd(2));
        exec("subpd (%eax), %xmm4");
        assertXmm(4, pd(-3.75), pd(5));
    }

    @Test
    void minMaxReturnTheSecondOperandForNaNAndZeros() {
        xmm(0, ps(Float.NaN, -0f), ps(1, 5));
        xmm(1, ps(2, 0f), ps(Float.NaN, 4));
        exec("minps %xmm1, %xmm0");
        assertXmm(0, ps(2, 0f), ps(Float.NaN, 4));
    }

    @Test
    void unmaskedExceptionRaisesXmOrUdAndKeepsTheDestination() {
        s.fpu.mxcsr = 0x1F80 & ~(1 << 9); // ZM clear
        xmm(0, ps(1, 1), 0);
        xmm(1, ps(0, 2), ps(1, 1));
        assertEquals(19, fault("divps %xmm1, %xmm0"));
        assertXmm(0, ps(1, 1), 0);
        assertEquals(0x1F80 & ~(1 << 9) | SseMath.ZE, s.fpu.mxcsr);
        s.cr4 &= ~SimdUnit.CR4_OSXMMEXCPT;
        assertEquals(6, fault("divps %xmm1, %xmm0"));
        // post-computation: unmasked PE, flags set, destination unchanged
        s.fpu.mxcsr = 0x1F80 & ~(1 << 12);
        xmm(2, ps(1, 0), 0);
        xmm(3, ps(3, 0), 0);
        assertEquals(6, fault("divss %xmm3, %xmm2"));
        assertEquals(SseMath.PE, s.fpu.mxcsr & 0x3F);
        assertXmm(2, ps(1, 0), 0);
    }

    @Test
    void comisSetsZfPfCfAndClearsOfSfAf() {
        xmm(0, ps(1, 0), 0);
        xmm(1, ps(2, 0), 0);
        exec("comiss %xmm1, %xmm0");
        assertEquals(0x01 | 0x2, c.rflags);
        exec("ucomiss %xmm0, %xmm0");
        assertEquals(0x40 | 0x2, c.rflags);
        xmm(1, pd(Double.NaN), 0);
        exec("ucomisd %xmm1, %xmm0");
        assertEquals(0x45 | 0x2, c.rflags);
        assertEquals(0, s.fpu.mxcsr & 0x3F, "UCOMIS: a QNaN is not invalid");
        exec("comisd %xmm1, %xmm0");
        assertEquals(SseMath.IE, s.fpu.mxcsr & 0x3F);
    }

    @Test
    void comparePredicates() {
        xmm(0, ps(1, Float.NaN), ps(3, 4));
        xmm(1, ps(2, 2), ps(3, 1));
        exec("cmpps $2, %xmm1, %xmm0"); // LE
        assertXmm(0, 0xFFFF_FFFFL, 0xFFFF_FFFFL);
        assertEquals(SseMath.IE, s.fpu.mxcsr & 0x3F);
        xmm(2, pd(Double.NaN), pd(1));
        xmm(3, pd(0), pd(1));
        exec("cmpsd $4, %xmm3, %xmm2"); // NEQ: unordered is true
        assertXmm(2, -1L, pd(1));
    }

    @Test
    void mxcsrLoadStoreAndReservedBits() {
        c.write(0, 4, 0x1_1F80);
        assertEquals(13, fault("ldmxcsr (%eax)"));
        c.write(0, 4, 0x7FC0);
        exec("ldmxcsr (%eax)");
        assertEquals(0x7FC0, s.fpu.mxcsr);
        c.write(0, 4, 0);
        exec("stmxcsr (%eax)");
        assertEquals(0x7FC0, c.read(0, 4));
    }

    @Test
    void conversions() {
        c.gpr[1] = -7;
        exec("cvtsi2sd %ecx, %xmm0");
        assertEquals(pd(-7), s.fpu.xmm[0]);
        xmm(1, ps(3e9f, 2.5f), ps(-2.5f, 1.5f));
        exec("cvttss2si %xmm1, %edx");
        assertEquals(0x8000_0000L, c.gpr[2], "integer indefinite");
        assertEquals(SseMath.IE, s.fpu.mxcsr & 0x3F);
        exec("cvtps2dq %xmm1, %xmm2"); // round to nearest even
        assertXmm(2, 0x8000_0000L | 2L << 32, 0xFFFF_FFFEL | 2L << 32);
        s.fpu.mxcsr = 0x1F80 | SseMath.RD << 13;
        exec("cvtps2dq %xmm1, %xmm2");
        assertXmm(2, 0x8000_0000L | 2L << 32, 0xFFFF_FFFDL | 1L << 32);
        xmm(3, pd(1.5), pd(-1e300));
        exec("cvtpd2ps %xmm3, %xmm4");
        assertXmm(4, ps(1.5f, Float.NEGATIVE_INFINITY), 0);
        s.fpu.ftw = 0xFFFF;
        s.fpu.mantissa[5] = 3L << 32 | 0xFFFF_FFFFL;
        exec("cvtpi2ps %mm5, %xmm6");
        assertXmm(6, ps(-1, 3), 0);
        assertEquals(0, s.fpu.ftw, "MMX transition");
        exec("cvttpd2pi %xmm3, %mm1");
        assertEquals(1 | 0x8000_0000L << 32, s.fpu.mantissa[1]);
        exec("cvtdq2pd %xmm2, %xmm7");
        assertXmm(7, pd(Integer.MIN_VALUE), pd(2));
    }

    @Test
    void longModeCvtsi2sdWithRexW() {
        byte[] b = GuestAsm.assemble64("cvtsi2sdq %r9, %xmm12\ncvtsd2si %xmm12, %r10", 0);
        c.gpr[9] = (1L << 60) + 1; // not representable in 53 bits: rounds to 2^60
        SimdUnit u = new SimdUnit(s, model);
        Decoder64.decode(i -> b[i] & 0xFF, d);
        assertTrue(u.execute(d, c));
        assertEquals(pd(0x1p60), s.fpu.xmm[24]);
        assertEquals(SseMath.PE, s.fpu.mxcsr & 0x3F);
        int len = d.length;
        Decoder64.decode(i -> b[len + i] & 0xFF, d);
        assertTrue(u.execute(d, c));
        assertEquals(1L << 60, c.gpr[10]);
    }

    @Test
    void sse3() {
        xmm(0, ps(1, 2), ps(3, 4));
        xmm(1, ps(10, 20), ps(30, 40));
        exec("haddps %xmm1, %xmm0");
        assertXmm(0, ps(3, 7), ps(30, 70));
        exec("addsubps %xmm1, %xmm0");
        assertXmm(0, ps(-7, 27), ps(0, 110));
        exec("movshdup %xmm1, %xmm2");
        assertXmm(2, ps(20, 20), ps(40, 40));
        exec("movddup %xmm1, %xmm3");
        assertXmm(3, ps(10, 20), ps(10, 20));
        c.addr = 0x1001;
        c.write(0, 8, 5);
        c.write(8, 8, 6);
        exec("lddqu (%eax), %xmm4");
        assertXmm(4, 5, 6);
        assertEquals(13, fault("movsldup (%eax), %xmm4"));
    }

    @Test
    void sse41() {
        xmm(1, ps(2.5f, -2.5f), ps(1.2f, -0.2f));
        exec("roundps $0, %xmm1, %xmm0"); // nearest even
        assertXmm(0, ps(2, -2), ps(1, -0f));
        exec("roundps $10, %xmm1, %xmm0"); // up, no PE
        assertXmm(0, ps(3, -2), ps(2, -0f));
        assertEquals(SseMath.PE, s.fpu.mxcsr & 0x3F, "only the first ROUNDPS reported PE");
        xmm(2, ps(1, 2), ps(3, 4));
        xmm(3, ps(5, 6), ps(7, 8));
        exec("dpps $0xB3, %xmm3, %xmm2"); // lanes 0, 1, 3: 5 + 12 + 32
        assertXmm(2, ps(49, 49), 0);
        xmm(0, ps(-1, 1), ps(1, -0f));
        xmm(4, ps(1, 2), ps(3, 4));
        xmm(5, ps(5, 6), ps(7, 8));
        exec("blendvps %xmm0, %xmm5, %xmm4");
        assertXmm(4, ps(5, 2), ps(3, 8));
        exec("insertps $0x99, %xmm5, %xmm4"); // source lane 2 to lane 1, zero lanes 0 and 3
        assertXmm(4, ps(0, 7), ps(3, 0));
        exec("extractps $1, %xmm4, %ecx");
        assertEquals(Float.floatToRawIntBits(7), c.gpr[1]);
    }

    @Test
    void missingFeatureOrOsfxsrIsUndefined() {
        model = model.with(CpuFeature.SSE4_1, false);
        assertEquals(6, fault("roundss $0, %xmm1, %xmm0"));
        s.cr4 = 0;
        assertEquals(6, fault("addps %xmm1, %xmm0"));
        s.cr4 = SimdUnit.CR4_OSFXSR;
        s.cr0 |= CpuState.CR0_TS;
        assertEquals(7, fault("addps %xmm1, %xmm0"));
    }
}
