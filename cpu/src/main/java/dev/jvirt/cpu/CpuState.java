package dev.jvirt.cpu;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * All architectural state of one x86 logical processor. The interpreter and the translator work on
 * it directly, and it converts losslessly to and from KVM's kvm_regs/kvm_sregs/kvm_fpu/kvm_msrs, so
 * a guest can change backend at any instruction boundary.
 *
 * <p>Fields are public for the execution engines' sake. {@link #rflags} is the architectural value
 * whenever the state is handed between backends; an engine that computes flags lazily writes them
 * back before it returns.
 */
public final class CpuState {
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    public static final long CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
            CR0_WP = 1L << 16, CR0_AM = 1L << 18, CR0_NW = 1L << 29, CR0_CD = 1L << 30, CR0_PG = 1L << 31;
    public static final long FLAG_CF = 1, FLAG_PF = 4, FLAG_AF = 0x10, FLAG_ZF = 0x40, FLAG_SF = 0x80, FLAG_TF = 0x100,
            FLAG_IF = 0x200, FLAG_DF = 0x400, FLAG_OF = 0x800, FLAG_NT = 0x4000, FLAG_RF = 0x10000, FLAG_VM = 0x20000,
            FLAG_AC = 0x40000, FLAG_VIF = 0x80000, FLAG_VIP = 0x100000, FLAG_ID = 0x200000;

    /** RAX..RDI, R8..R15 in the instruction encoding's order. */
    public final long[] gpr = new long[16];
    public long rip;
    /**
     * The architectural RFLAGS, except that while {@link #lazyOp} is non-zero its six arithmetic bits
     * (CF PF AF ZF SF OF) are stale and described by the recorded operation instead; {@link #flags()}
     * folds them in. The CPU resolves any pending operation before state leaves it (end of a run batch or
     * step, interrupt and exception delivery, every instruction outside the fast paths).
     */
    public long rflags;

    // ---- lazy arithmetic flags: the last fast-path flag-setting operation ----

    /** 0: rflags is current. Odd kinds: 32-bit operands (zero-extended), even: 64-bit. */
    static final int LZ_NONE = 0, LZ_ADD32 = 1, LZ_ADD64 = 2, LZ_SUB32 = 3, LZ_SUB64 = 4, LZ_LOGIC32 = 5, LZ_LOGIC64 = 6,
            LZ_INC32 = 7, LZ_INC64 = 8, LZ_DEC32 = 9, LZ_DEC64 = 10;
    int lazyOp;
    /** Operands and result of {@link #lazyOp}; for INC/DEC {@code lazyB} is the kept CF (0 or 1). */
    long lazyA, lazyB, lazyRes;

    /** RFLAGS with any pending lazy operation folded in (and cleared). */
    public long flags() {
        if (lazyOp != LZ_NONE) materialize();
        return rflags;
    }

    private static final long ARITH_BITS = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;

    private void materialize() {
        int op = lazyOp;
        long a = lazyA, b = lazyB, r = lazyRes;
        boolean wide = (op & 1) == 0;
        long f = FastArith.PARITY[(int) r & 0xFF] | (r == 0 ? FLAG_ZF : 0) | ((wide ? r >>> 56 : r >>> 24) & FLAG_SF);
        int ovShift = wide ? 52 : 20;
        switch (op) {
            case LZ_ADD32, LZ_ADD64 -> f |= (Long.compareUnsigned(r, a) < 0 ? FLAG_CF : 0)
                    | ((((a ^ r) & (b ^ r)) >>> ovShift) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            case LZ_SUB32, LZ_SUB64 -> f |= (Long.compareUnsigned(a, b) < 0 ? FLAG_CF : 0)
                    | ((((a ^ b) & (a ^ r)) >>> ovShift) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            case LZ_INC32, LZ_INC64 -> f |= b | ((a ^ r) & FLAG_AF) | (r == (wide ? Long.MIN_VALUE : 0x8000_0000L) ? FLAG_OF : 0);
            case LZ_DEC32, LZ_DEC64 -> f |= b | ((a ^ r) & FLAG_AF) | (a == (wide ? Long.MIN_VALUE : 0x8000_0000L) ? FLAG_OF : 0);
            default -> { } // logic: CF = OF = AF = 0
        }
        rflags = (rflags & ~ARITH_BITS) | f;
        lazyOp = LZ_NONE;
    }

    /** CF, from the pending operation when there is one (for INC/DEC, which keep it). */
    long carry() {
        return switch (lazyOp) {
            case LZ_NONE -> rflags & FLAG_CF;
            case LZ_ADD32, LZ_ADD64 -> Long.compareUnsigned(lazyRes, lazyA) < 0 ? 1 : 0;
            case LZ_SUB32, LZ_SUB64 -> Long.compareUnsigned(lazyA, lazyB) < 0 ? 1 : 0;
            case LZ_INC32, LZ_INC64, LZ_DEC32, LZ_DEC64 -> lazyB;
            default -> 0;
        };
    }

    /** Condition code {@code cc} (Jcc/SETcc/CMOVcc numbering), evaluated from the pending operation when it can be. */
    boolean cond(int cc) {
        // Kept small so it inlines into the fast paths: ZF (JZ/JNZ, the commonest) straight from the result.
        int op = lazyOp;
        if (op == LZ_NONE) return condOf(rflags, cc);
        if ((cc >> 1) == 2) return (lazyRes == 0) ^ ((cc & 1) != 0);
        return condLazy(op, cc);
    }

    private boolean condLazy(int op, int cc) {
        {
            boolean wide = (op & 1) == 0;
            long r = lazyRes;
            boolean v;
            switch (cc >> 1) {
                case 2 -> v = r == 0;
                case 4 -> v = (wide ? r : (int) r) < 0;
                case 1, 3, 6, 7 -> {
                    if (op == LZ_SUB32 || op == LZ_SUB64) {
                        long a = lazyA, b = lazyB;
                        if (!wide) { a = (int) a; b = (int) b; }
                        v = switch (cc >> 1) {
                            case 1 -> wide ? Long.compareUnsigned(a, b) < 0 : (a & 0xFFFF_FFFFL) < (b & 0xFFFF_FFFFL);
                            case 3 -> wide ? Long.compareUnsigned(a, b) <= 0 : (a & 0xFFFF_FFFFL) <= (b & 0xFFFF_FFFFL);
                            case 6 -> a < b;
                            default -> a <= b;
                        };
                    } else if (op == LZ_LOGIC32 || op == LZ_LOGIC64) {
                        boolean neg = (wide ? r : (int) r) < 0;
                        v = switch (cc >> 1) {
                            case 1 -> false;
                            case 3 -> r == 0;
                            case 6 -> neg;
                            default -> r == 0 || neg;
                        };
                    } else {
                        return condOf(flags(), cc);
                    }
                }
                default -> { return condOf(flags(), cc); }
            }
            return v ^ ((cc & 1) != 0);
        }
    }

    static boolean condOf(long f, int cc) {
        boolean r = switch (cc >> 1) {
            case 0 -> (f & FLAG_OF) != 0;
            case 1 -> (f & FLAG_CF) != 0;
            case 2 -> (f & FLAG_ZF) != 0;
            case 3 -> (f & (FLAG_CF | FLAG_ZF)) != 0;
            case 4 -> (f & FLAG_SF) != 0;
            case 5 -> (f & FLAG_PF) != 0;
            case 6 -> ((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0);
            default -> (f & FLAG_ZF) != 0 || ((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0);
        };
        return r ^ ((cc & 1) != 0);
    }

    public final SegmentRegister es = new SegmentRegister(), cs = new SegmentRegister(), ss = new SegmentRegister(),
            ds = new SegmentRegister(), fs = new SegmentRegister(), gs = new SegmentRegister();
    /** ES, CS, SS, DS, FS, GS by their encoding in ModRM.reg / prefixes. */
    public final SegmentRegister[] seg = {es, cs, ss, ds, fs, gs};
    public final SegmentRegister ldtr = new SegmentRegister(), tr = new SegmentRegister();

    public long gdtBase;
    public int gdtLimit;
    public long idtBase;
    public int idtLimit;

    public long cr0, cr2, cr3, cr4, cr8;
    public long efer;
    public long xcr0;
    /** DR0-DR7; DR4/DR5 alias DR6/DR7 and are kept only for layout. */
    public final long[] dr = new long[8];

    public long apicBase;
    public long tsc;
    public long sysenterCs, sysenterEsp, sysenterEip;
    public long star, lstar, cstar, sfmask, kernelGsBase, tscAux;
    public long pat;
    /** Every other MSR the guest wrote that the CPU model accepts (MTRRs, MISC_ENABLE, ...), by index. */
    public final TreeMap<Integer, Long> otherMsrs = new TreeMap<>();

    public final FpuState fpu = new FpuState();

    /** HLT executed and no interrupt taken since. */
    public boolean halted;
    /** STI / MOV SS interrupt shadow active for the next instruction. */
    public boolean interruptShadow;
    public boolean nmiPending;
    /** NMIs blocked until the next IRET. */
    public boolean nmiBlocked;

    public CpuState() {
        reset();
    }

    /** The power-on / RESET state (SDM Vol. 3A Table 10-1) of the default CPU model. */
    public void reset() {
        reset(CpuModels.DEFAULT.signature());
    }

    /** The power-on / RESET state, with EDX holding {@code signature} (CPUID.1:EAX of the CPU model). */
    public void reset(int signature) {
        Arrays.fill(gpr, 0);
        gpr[RDX] = Integer.toUnsignedLong(signature);
        rip = 0xFFF0;
        rflags = 2;
        lazyOp = LZ_NONE;
        for (SegmentRegister s : seg) s.resetData();
        cs.selector = 0xF000;
        cs.base = 0xFFFF_0000L;
        cs.type = 0xB;
        ldtr.resetData();
        ldtr.type = 2;
        ldtr.s = false;
        tr.resetData();
        tr.type = 0xB;
        tr.s = false;
        gdtBase = idtBase = 0;
        gdtLimit = idtLimit = 0xFFFF;
        cr0 = CR0_ET | CR0_CD | CR0_NW;
        cr2 = cr3 = cr4 = cr8 = 0;
        efer = 0;
        xcr0 = 1;
        Arrays.fill(dr, 0);
        dr[6] = 0xFFFF_0FF0L;
        dr[7] = 0x400;
        apicBase = 0xFEE0_0000L | 0x800 | 0x100; // enabled, BSP
        tsc = 0;
        sysenterCs = sysenterEsp = sysenterEip = 0;
        star = lstar = cstar = sfmask = kernelGsBase = tscAux = 0;
        pat = 0x0007_0406_0007_0406L;
        otherMsrs.clear();
        fpu.reset();
        halted = interruptShadow = nmiPending = nmiBlocked = false;
    }

    public void copyFrom(CpuState o) {
        System.arraycopy(o.gpr, 0, gpr, 0, 16);
        rip = o.rip;
        rflags = o.flags();
        lazyOp = LZ_NONE;
        for (int i = 0; i < 6; i++) seg[i].copyFrom(o.seg[i]);
        ldtr.copyFrom(o.ldtr);
        tr.copyFrom(o.tr);
        gdtBase = o.gdtBase;
        gdtLimit = o.gdtLimit;
        idtBase = o.idtBase;
        idtLimit = o.idtLimit;
        cr0 = o.cr0;
        cr2 = o.cr2;
        cr3 = o.cr3;
        cr4 = o.cr4;
        cr8 = o.cr8;
        efer = o.efer;
        xcr0 = o.xcr0;
        System.arraycopy(o.dr, 0, dr, 0, 8);
        apicBase = o.apicBase;
        tsc = o.tsc;
        sysenterCs = o.sysenterCs;
        sysenterEsp = o.sysenterEsp;
        sysenterEip = o.sysenterEip;
        star = o.star;
        lstar = o.lstar;
        cstar = o.cstar;
        sfmask = o.sfmask;
        kernelGsBase = o.kernelGsBase;
        tscAux = o.tscAux;
        pat = o.pat;
        otherMsrs.clear();
        otherMsrs.putAll(o.otherMsrs);
        fpu.copyFrom(o.fpu);
        halted = o.halted;
        interruptShadow = o.interruptShadow;
        nmiPending = o.nmiPending;
        nmiBlocked = o.nmiBlocked;
    }

    /** Protected mode (CR0.PE). */
    public boolean protectedMode() { return (cr0 & CR0_PE) != 0; }

    /** Long mode active (EFER.LMA). */
    public boolean longMode() { return (efer & 0x400) != 0; }

    /** Virtual-8086 mode (EFLAGS.VM in protected mode). */
    public boolean v86() { return protectedMode() && (rflags & FLAG_VM) != 0; }

    /** Current privilege level: CS.DPL in protected mode (SS.DPL equals it), 3 in v86, 0 in real mode. */
    public int cpl() {
        if (!protectedMode()) return 0;
        if ((rflags & FLAG_VM) != 0) return 3;
        return cs.dpl;
    }

    /** The state differs from {@code o} somewhere; {@link #diff} says where. */
    @Override
    public boolean equals(Object obj) {
        return obj instanceof CpuState o && diff(o) == null;
    }

    @Override
    public int hashCode() { return Long.hashCode(rip); }

    /** The first field that differs from {@code o}, as "name: this vs other", or null when equal. */
    public String diff(CpuState o) {
        for (int i = 0; i < 16; i++) if (gpr[i] != o.gpr[i]) return d("r" + i, gpr[i], o.gpr[i]);
        if (rip != o.rip) return d("rip", rip, o.rip);
        if (flags() != o.flags()) return d("rflags", rflags, o.rflags);
        String[] names = {"es", "cs", "ss", "ds", "fs", "gs"};
        for (int i = 0; i < 6; i++) if (!seg[i].equals(o.seg[i])) return names[i] + ": " + seg[i] + " vs " + o.seg[i];
        if (!ldtr.equals(o.ldtr)) return "ldtr: " + ldtr + " vs " + o.ldtr;
        if (!tr.equals(o.tr)) return "tr: " + tr + " vs " + o.tr;
        if (gdtBase != o.gdtBase || gdtLimit != o.gdtLimit) return d("gdt", gdtBase, o.gdtBase);
        if (idtBase != o.idtBase || idtLimit != o.idtLimit) return d("idt", idtBase, o.idtBase);
        long[] a = {cr0, cr2, cr3, cr4, cr8, efer, xcr0, apicBase, sysenterCs, sysenterEsp, sysenterEip, star, lstar, cstar, sfmask, kernelGsBase, tscAux, pat};
        long[] b = {o.cr0, o.cr2, o.cr3, o.cr4, o.cr8, o.efer, o.xcr0, o.apicBase, o.sysenterCs, o.sysenterEsp, o.sysenterEip, o.star, o.lstar, o.cstar, o.sfmask, o.kernelGsBase, o.tscAux, o.pat};
        String[] n = {"cr0", "cr2", "cr3", "cr4", "cr8", "efer", "xcr0", "apicBase", "sysenterCs", "sysenterEsp", "sysenterEip", "star", "lstar", "cstar", "sfmask", "kernelGsBase", "tscAux", "pat"};
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) return d(n[i], a[i], b[i]);
        for (int i = 0; i < 8; i++) if (i != 4 && i != 5 && dr[i] != o.dr[i]) return d("dr" + i, dr[i], o.dr[i]);
        if (!otherMsrs.equals(o.otherMsrs)) return "msrs: " + otherMsrs + " vs " + o.otherMsrs;
        String f = fpu.diff(o.fpu);
        if (f != null) return f;
        if (halted != o.halted || interruptShadow != o.interruptShadow || nmiPending != o.nmiPending || nmiBlocked != o.nmiBlocked) {
            return "events differ";
        }
        return null;
    }

    private static String d(String name, long a, long b) {
        return String.format("%s: %#x vs %#x", name, a, b);
    }
}
