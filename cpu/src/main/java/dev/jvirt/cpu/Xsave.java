package dev.jvirt.cpu;

import dev.jvirt.cpu.simd.SimdContext;
import dev.jvirt.cpu.x87.FpuUnit;
import dev.jvirt.cpu.x87.X87Env;
import dev.jvirt.cpu.x87.X87Memory;

import java.util.Arrays;

/**
 * The XSAVE feature set for the state components this CPU has, x87 (0) and SSE (1) (SDM Vol. 1
 * chapter 13): XCR0's rules, and XSAVE/XSAVEOPT/XRSTOR in the standard (non-compacted) format,
 * whose legacy region is the FXSAVE image and whose header starts at byte 512.
 * <p>
 * Every component is treated as in use (XINUSE = XCR0), which the SDM allows (13.6): XSAVE then
 * writes XSTATE_BV[i] = 1 for each requested component, and XSAVEOPT behaves as XSAVE.
 */
final class Xsave {
    static final long X87 = 1, SSE = 2, AVX = 4;
    /** The XCR0 bits this CPU can enable. */
    static final long SUPPORTED = X87 | SSE;
    static final int HEADER = 512, HEADER_SIZE = 64;
    /** Bytes of the legacy region that belong to each component (SDM Vol. 1 13.4.1). */
    private static final int MXCSR_START = 24, MXCSR_END = 32, X87_END = 160, XMM_END = 416;

    private final CpuState s;
    private final FpuState saved = new FpuState();
    private final long[] header = new long[3];
    private final LegacyRegion region = new LegacyRegion();

    Xsave(CpuState s) {
        this.s = s;
    }

    /** Bytes of an XSAVE area for the components in {@code xcr0}: the legacy region and the header. */
    static int areaSize(long xcr0) {
        return HEADER + HEADER_SIZE;
    }

    /**
     * Whether XSETBV may load XCR0 with {@code v} (SDM Vol. 2 XSETBV): x87 always on, no bit this CPU
     * does not support, and AVX never without SSE.
     */
    static boolean xcr0Valid(long v) {
        return (v & X87) != 0 && (v & ~SUPPORTED) == 0 && ((v & AVX) == 0 || (v & SSE) != 0);
    }

    /** XSAVE / XSAVEOPT: the components in {@code rfbm} (already EDX:EAX AND XCR0) and XSTATE_BV. */
    void save(FpuUnit fpu, SimdContext mem, X87Env env, long rfbm) {
        mem.checkWritable(0, HEADER + 8);
        long bv = mem.read(HEADER, 8);
        if ((rfbm & SUPPORTED) != 0) {
            region.mem = mem;
            region.rfbm = rfbm;
            fpu.fxsave(region, env);
            region.mem = null;
        }
        mem.write(HEADER, 8, (bv & ~rfbm) | rfbm);
    }

    /**
     * XRSTOR in the standard form. Returns false for #GP(0): a header bit the standard form reserves,
     * XSTATE_BV naming a component outside XCR0, or a reserved MXCSR bit when MXCSR is loaded.
     * Requested components absent from XSTATE_BV get their initial state.
     */
    boolean restore(FpuUnit fpu, SimdContext mem, X87Env env, long rfbm) {
        for (int i = 0; i < header.length; i++) header[i] = mem.read(HEADER + 8L * i, 8);
        long bv = header[0];
        // XCOMP_BV and the next 8 bytes must be zero: this CPU has no compacted form.
        if (header[1] != 0 || header[2] != 0 || (bv & ~s.xcr0) != 0) return false;
        boolean mxcsr = (rfbm & (SSE | AVX)) != 0;
        if (mxcsr && !fpu.fxrstorMxcsrValid(mem)) return false;
        if ((rfbm & SUPPORTED) == 0) return true;
        FpuState f = s.fpu;
        saved.copyFrom(f);
        fpu.fxrstor(mem, env); // reads the whole legacy region before changing anything
        int xmmCount = LongMode.is64BitMode(s) ? 16 : 8;
        if ((rfbm & X87) == 0) copyX87(saved, f);
        else if ((bv & X87) == 0) initX87(f);
        if ((rfbm & SSE) == 0) System.arraycopy(saved.xmm, 0, f.xmm, 0, f.xmm.length);
        else if ((bv & SSE) == 0) Arrays.fill(f.xmm, 0, 2 * xmmCount, 0); // XMM8-15 only exist in 64-bit mode
        if (!mxcsr) f.mxcsr = saved.mxcsr;
        return true;
    }

    /** The legacy region with the writes of components outside {@code rfbm} dropped. */
    private static final class LegacyRegion implements X87Memory {
        X87Memory mem;
        long rfbm;

        @Override
        public long read(long offset, int size) { return mem.read(offset, size); }

        @Override
        public void write(long offset, int size, long value) {
            long component;
            if (offset >= MXCSR_START && offset < MXCSR_END) component = SSE | AVX;
            else if (offset < X87_END) component = X87;
            else if (offset < XMM_END) component = SSE;
            else return;
            if ((rfbm & component) != 0) mem.write(offset, size, value);
        }
    }

    /** The x87 state after FNINIT with FIP/FDP/FOP cleared and zeroed registers (SDM Vol. 1 13.6). */
    private static void initX87(FpuState f) {
        Arrays.fill(f.mantissa, 0);
        Arrays.fill(f.signExp, 0);
        f.fcw = 0x37F;
        f.fsw = 0;
        f.ftw = 0xFFFF;
        f.fop = 0;
        f.fip = f.fdp = 0;
        f.fcs = f.fds = 0;
    }

    private static void copyX87(FpuState from, FpuState to) {
        System.arraycopy(from.mantissa, 0, to.mantissa, 0, 8);
        System.arraycopy(from.signExp, 0, to.signExp, 0, 8);
        to.fcw = from.fcw;
        to.fsw = from.fsw;
        to.ftw = from.ftw;
        to.fop = from.fop;
        to.fip = from.fip;
        to.fcs = from.fcs;
        to.fdp = from.fdp;
        to.fds = from.fds;
    }
}
