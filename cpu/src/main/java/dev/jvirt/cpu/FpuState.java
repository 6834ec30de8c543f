package dev.jvirt.cpu;

import java.util.Arrays;

/**
 * x87 and SSE state in the FXSAVE image's terms (SDM Vol. 1 10.5.1), which is also what KVM's
 * kvm_fpu and the legacy area of XSAVE hold. The eight 80-bit registers are kept by physical index
 * (R0-R7, not ST(i)) as a 64-bit significand and a 16-bit sign+exponent.
 */
public final class FpuState {
    public final long[] mantissa = new long[8];
    public final int[] signExp = new int[8];
    public int fcw;
    public int fsw;
    /** Full two-bit-per-register tag word (FSTENV form); FXSAVE's abridged form is derived from it. */
    public int ftw;
    public int fop;
    public long fip;
    public int fcs;
    public long fdp;
    public int fds;
    public int mxcsr;
    /** XMM0-XMM15, two little-endian quadwords each (low first). */
    public final long[] xmm = new long[32];

    public void reset() {
        Arrays.fill(mantissa, 0);
        Arrays.fill(signExp, 0);
        fcw = 0x37F; // FNINIT state (SDM Vol. 1 8.1.5; RESET leaves 0x40 but every firmware runs FNINIT)
        fsw = 0;
        ftw = 0xFFFF;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
        mxcsr = 0x1F80;
        Arrays.fill(xmm, 0);
    }

    /** The abridged tag byte of FXSAVE: bit i set when R[i] is not empty. */
    public int abridgedTag() {
        int t = 0;
        for (int i = 0; i < 8; i++) if (((ftw >> (2 * i)) & 3) != 3) t |= 1 << i;
        return t;
    }

    public void copyFrom(FpuState o) {
        System.arraycopy(o.mantissa, 0, mantissa, 0, 8);
        System.arraycopy(o.signExp, 0, signExp, 0, 8);
        fcw = o.fcw;
        fsw = o.fsw;
        ftw = o.ftw;
        fop = o.fop;
        fip = o.fip;
        fcs = o.fcs;
        fdp = o.fdp;
        fds = o.fds;
        mxcsr = o.mxcsr;
        System.arraycopy(o.xmm, 0, xmm, 0, 32);
    }

    String diff(FpuState o) {
        if (!Arrays.equals(mantissa, o.mantissa) || !Arrays.equals(signExp, o.signExp)) return "x87 registers differ";
        if (fcw != o.fcw || fsw != o.fsw || ftw != o.ftw || fop != o.fop) return "x87 control/status/tag differ";
        if (fip != o.fip || fdp != o.fdp || fcs != o.fcs || fds != o.fds) return "x87 pointers differ";
        if (mxcsr != o.mxcsr) return "mxcsr differs";
        if (!Arrays.equals(xmm, o.xmm)) return "xmm registers differ";
        return null;
    }
}
