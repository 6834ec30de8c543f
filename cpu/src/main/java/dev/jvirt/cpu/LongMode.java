package dev.jvirt.cpu;

/**
 * IA-32e mode activation and deactivation (SDM Vol. 3A 10.8.5, 2.2.1; Vol. 2B MOV CR, WRMSR): EFER.LMA
 * follows EFER.LME when CR0.PG changes, and the transitions the architecture forbids raise #GP(0).
 * Each method returns whether the write is allowed; the caller raises the fault.
 */
final class LongMode {
    static final long EFER_SCE = 1, EFER_LME = 0x100, EFER_LMA = 0x400, EFER_NXE = 0x800;

    private LongMode() { }

    /** The EFER bits a WRMSR may set on {@code m}: NXE always (PAE's execute-disable), LME with long mode. */
    static long writableEfer(CpuModel m) {
        return EFER_NXE | (m.has(CpuFeature.LM) ? EFER_LME : 0) | (m.has(CpuFeature.LM) && m.has(CpuFeature.SYSCALL) ? EFER_SCE : 0);
    }

    /**
     * WRMSR IA32_EFER with {@code v}: the new EFER, or -1 for #GP(0) (a reserved bit, or LME changed while
     * paging is on). LMA is read-only: the written value is ignored.
     */
    static long eferWrite(CpuState s, CpuModel m, long v) {
        if ((v & ~(writableEfer(m) | EFER_LMA)) != 0) return -1;
        if (((v ^ s.efer) & EFER_LME) != 0 && (s.cr0 & CpuState.CR0_PG) != 0) return -1;
        return (v & ~EFER_LMA) | (s.efer & EFER_LMA);
    }

    /**
     * MOV to CR0 with {@code v} as it affects IA-32e mode. Returns false for #GP(0): enabling paging with
     * EFER.LME but CR4.PAE clear or CS.L set, or disabling paging from 64-bit mode (it must be done from
     * compatibility mode). Otherwise updates EFER.LMA (set when paging turns on with LME, clear when it turns off).
     */
    static boolean cr0Write(CpuState s, long v) {
        boolean pgOld = (s.cr0 & CpuState.CR0_PG) != 0, pgNew = (v & CpuState.CR0_PG) != 0;
        if (!pgOld && pgNew && (s.efer & EFER_LME) != 0) {
            if ((s.cr4 & 0x20) == 0 || s.cs.l) return false;
            s.efer |= EFER_LMA;
        } else if (pgOld && !pgNew && s.longMode()) {
            if (s.cs.l) return false;
            s.efer &= ~EFER_LMA;
        }
        return true;
    }

    /** MOV to CR4: clearing PAE while IA-32e mode is active is #GP(0). */
    static boolean cr4WriteAllowed(CpuState s, long v) {
        return !s.longMode() || (v & 0x20) != 0;
    }

    static final int IA32_FS_BASE = 0xC000_0100, IA32_GS_BASE = 0xC000_0101, IA32_KERNEL_GS_BASE = 0xC000_0102;

    static final int IA32_STAR = 0xC000_0081, IA32_LSTAR = 0xC000_0082, IA32_CSTAR = 0xC000_0083, IA32_FMASK = 0xC000_0084;

    /** The MSRs of IA-32e mode kept here: segment bases and the SYSCALL targets. */
    static boolean isBaseMsr(int idx) {
        return idx >= IA32_FS_BASE && idx <= IA32_KERNEL_GS_BASE || idx >= IA32_STAR && idx <= IA32_FMASK;
    }

    /** IA32_FS_BASE / IA32_GS_BASE alias the hidden FS/GS bases; IA32_KERNEL_GS_BASE is what SWAPGS exchanges. */
    static long readBaseMsr(CpuState s, int idx) {
        switch (idx) {
            case IA32_STAR -> { return s.star; }
            case IA32_LSTAR -> { return s.lstar; }
            case IA32_CSTAR -> { return s.cstar; }
            case IA32_FMASK -> { return s.sfmask; }
            default -> { }
        }
        return idx == IA32_FS_BASE ? s.fs.base : idx == IA32_GS_BASE ? s.gs.base : s.kernelGsBase;
    }

    /** WRMSR of a base MSR; false (#GP(0)) for a non-canonical address. */
    static boolean writeBaseMsr(CpuState s, int idx, long v) {
        if (idx == IA32_STAR) { s.star = v; return true; }
        if (idx == IA32_FMASK) { s.sfmask = v & 0xFFFF_FFFFL; return true; }
        if (!LongModeExecutor.canonical(v)) return false;
        if (idx == IA32_LSTAR) { s.lstar = v; return true; }
        if (idx == IA32_CSTAR) { s.cstar = v; return true; }
        if (idx == IA32_FS_BASE) s.fs.base = v;
        else if (idx == IA32_GS_BASE) s.gs.base = v;
        else s.kernelGsBase = v;
        return true;
    }

    /** 64-bit mode: IA-32e mode with a code segment whose L bit is set (compatibility mode otherwise). */
    static boolean is64BitMode(CpuState s) {
        return s.longMode() && s.cs.l;
    }
}
