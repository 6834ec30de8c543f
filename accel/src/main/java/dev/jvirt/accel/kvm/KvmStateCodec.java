package dev.jvirt.accel.kvm;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;
import dev.jvirt.cpu.SegmentRegister;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.TreeSet;

import static dev.jvirt.accel.kvm.KvmLayouts.*;

/**
 * Converts a vCPU's KVM state (kvm_regs, kvm_sregs, kvm_fpu, MSRs, XCRs, debug registers and
 * kvm_vcpu_events) to and from {@link CpuState}. Buffers are allocated once per vCPU.
 */
final class KvmStateCodec {
    private static final System.Logger LOG = System.getLogger(KvmStateCodec.class.getName());

    static final int MSR_TSC = 0x10, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
            MSR_PAT = 0x277, MSR_STAR = 0xC000_0081, MSR_LSTAR = 0xC000_0082, MSR_CSTAR = 0xC000_0083,
            MSR_SFMASK = 0xC000_0084, MSR_KERNEL_GS_BASE = 0xC000_0102, MSR_TSC_AUX = 0xC000_0103;
    private static final int[] FIXED_MSRS = {MSR_TSC, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_PAT,
            MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX};
    private static final int MAX_MSRS = 256;

    /** kvm_regs order (rax rbx rcx rdx rsi rdi rsp rbp r8..r15) to the instruction encoding's order. */
    private static final int[] KVM_TO_GPR = {CpuState.RAX, CpuState.RBX, CpuState.RCX, CpuState.RDX, CpuState.RSI,
            CpuState.RDI, CpuState.RSP, CpuState.RBP, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final String[] SEG_NAMES = {"es", "cs", "ss", "ds", "fs", "gs"};

    private static final long RIP = offset(KVM_REGS, "rip"), RFLAGS = offset(KVM_REGS, "rflags");
    private static final VarHandle SEG_BASE = field(KVM_SEGMENT, "base"), SEG_LIMIT = field(KVM_SEGMENT, "limit"),
            SEG_SELECTOR = field(KVM_SEGMENT, "selector");
    private static final long SEG_TYPE = offset(KVM_SEGMENT, "type");
    private static final String[] SEG_FLAGS = {"present", "dpl", "db", "s", "l", "g", "avl", "unusable"};
    private static final VarHandle DT_BASE = field(KVM_DTABLE, "base"), DT_LIMIT = field(KVM_DTABLE, "limit");
    /** Where an FXSAVE-format image keeps each field. */
    private record FxImage(long fcw, long fsw, long ftw, long fop, long fip, long fdp, long mxcsr, long st, long xmm) { }

    private static final FxImage KVM_FPU_IMAGE = new FxImage(offset(KVM_FPU, "fcw"), offset(KVM_FPU, "fsw"),
            offset(KVM_FPU, "ftwx"), offset(KVM_FPU, "last_opcode"), offset(KVM_FPU, "last_ip"), offset(KVM_FPU, "last_dp"),
            offset(KVM_FPU, "mxcsr"), offset(KVM_FPU, "fpr"), offset(KVM_FPU, "xmm"));
    /** The legacy region of the XSAVE area in its 64-bit form (SDM Vol. 1 Table 10-2). */
    private static final FxImage XSAVE_IMAGE = new FxImage(0, 2, 4, 6, 8, 16, 24, 32, 160);
    /** XSAVE header XSTATE_BV (SDM Vol. 1 13.4.2); bits 0-1 are x87 and SSE. */
    private static final long XSTATE_BV = 512, XFEATURE_X87_SSE = 3;
    private static final VarHandle EV_SHADOW = field(KVM_VCPU_EVENTS, "interrupt.shadow"),
            EV_NMI_PENDING = field(KVM_VCPU_EVENTS, "nmi.pending"), EV_NMI_MASKED = field(KVM_VCPU_EVENTS, "nmi.masked"),
            EV_FLAGS = field(KVM_VCPU_EVENTS, "flags");
    private static final long DBG_DB = offset(KVM_DEBUGREGS, "db"), DBG_DR6 = offset(KVM_DEBUGREGS, "dr6"),
            DBG_DR7 = offset(KVM_DEBUGREGS, "dr7");
    private static final long XCRS_ENTRIES = offset(KVM_XCRS, "xcrs");

    private final KvmFd vcpu;
    private final MemorySegment regs, sregs, fpu, xsave, msrs, events, debugregs, xcrs;
    /**
     * FPU state goes through KVM_GET/SET_XSAVE where KVM has it: some hosts (kvm_pvm on 6.18) do not
     * carry MXCSR through KVM_GET/SET_FPU.
     */
    private final boolean useXsave;
    /** MSR indices beyond the fixed set that setState handed in; getState reads them back. */
    private final TreeSet<Integer> otherMsrIndices = new TreeSet<>();

    KvmStateCodec(KvmFd vcpu, Arena arena) {
        this.vcpu = vcpu;
        regs = arena.allocate(KVM_REGS);
        sregs = arena.allocate(KVM_SREGS);
        fpu = arena.allocate(KVM_FPU);
        xsave = arena.allocate(KVM_XSAVE);
        useXsave = vcpu.ioctl(KvmApi.GET_XSAVE, xsave) >= 0;
        msrs = arena.allocate(KVM_MSRS.byteSize() + MAX_MSRS * KVM_MSR_ENTRY.byteSize(), 8);
        events = arena.allocate(KVM_VCPU_EVENTS);
        debugregs = arena.allocate(KVM_DEBUGREGS);
        xcrs = arena.allocate(KVM_XCRS);
    }

    MemorySegment sregsBuffer() { return sregs; }

    // ---- whole state ----

    void get(CpuState s) {
        vcpu.ioctlOrThrow("KVM_GET_REGS", KvmApi.GET_REGS, regs);
        for (int k = 0; k < 16; k++) s.gpr[KVM_TO_GPR[k]] = regs.get(ValueLayout.JAVA_LONG, 8L * k);
        s.rip = regs.get(ValueLayout.JAVA_LONG, RIP);
        s.rflags = regs.get(ValueLayout.JAVA_LONG, RFLAGS);

        vcpu.ioctlOrThrow("KVM_GET_SREGS", KvmApi.GET_SREGS, sregs);
        for (int i = 0; i < 6; i++) readSegment(offset(KVM_SREGS, SEG_NAMES[i]), s.seg[i]);
        readSegment(offset(KVM_SREGS, "tr"), s.tr);
        readSegment(offset(KVM_SREGS, "ldt"), s.ldtr);
        s.gdtBase = (long) DT_BASE.get(sregs, offset(KVM_SREGS, "gdt"));
        s.gdtLimit = (short) DT_LIMIT.get(sregs, offset(KVM_SREGS, "gdt")) & 0xFFFF;
        s.idtBase = (long) DT_BASE.get(sregs, offset(KVM_SREGS, "idt"));
        s.idtLimit = (short) DT_LIMIT.get(sregs, offset(KVM_SREGS, "idt")) & 0xFFFF;
        s.cr0 = sregsLong("cr0");
        s.cr2 = sregsLong("cr2");
        s.cr3 = sregsLong("cr3");
        s.cr4 = sregsLong("cr4");
        s.cr8 = sregsLong("cr8");
        s.efer = sregsLong("efer");
        s.apicBase = sregsLong("apic_base");

        if (useXsave) {
            vcpu.ioctlOrThrow("KVM_GET_XSAVE", KvmApi.GET_XSAVE, xsave);
            readFpu(xsave, XSAVE_IMAGE, s.fpu, s.longMode());
        } else {
            vcpu.ioctlOrThrow("KVM_GET_FPU", KvmApi.GET_FPU, fpu);
            readFpu(fpu, KVM_FPU_IMAGE, s.fpu, s.longMode());
        }

        vcpu.ioctlOrThrow("KVM_GET_XCRS", KvmApi.GET_XCRS, xcrs);
        int n = xcrs.get(ValueLayout.JAVA_INT, 0);
        for (int i = 0; i < n && i < 16; i++) {
            long e = XCRS_ENTRIES + i * KVM_XCR.byteSize();
            if (xcrs.get(ValueLayout.JAVA_INT, e) == 0) s.xcr0 = xcrs.get(ValueLayout.JAVA_LONG, e + 8);
        }

        vcpu.ioctlOrThrow("KVM_GET_DEBUGREGS", KvmApi.GET_DEBUGREGS, debugregs);
        for (int i = 0; i < 4; i++) s.dr[i] = debugregs.get(ValueLayout.JAVA_LONG, DBG_DB + 8L * i);
        s.dr[6] = debugregs.get(ValueLayout.JAVA_LONG, DBG_DR6);
        s.dr[7] = debugregs.get(ValueLayout.JAVA_LONG, DBG_DR7);

        readMsrs(s);

        vcpu.ioctlOrThrow("KVM_GET_VCPU_EVENTS", KvmApi.GET_VCPU_EVENTS, events);
        s.interruptShadow = (byte) EV_SHADOW.get(events, 0L) != 0;
        s.nmiPending = (byte) EV_NMI_PENDING.get(events, 0L) != 0;
        s.nmiBlocked = (byte) EV_NMI_MASKED.get(events, 0L) != 0;
    }

    void set(CpuState s) {
        // Read first so the fields CpuState has no place for (interrupt_bitmap, pending exceptions) stay as they are.
        vcpu.ioctlOrThrow("KVM_GET_SREGS", KvmApi.GET_SREGS, sregs);
        for (int i = 0; i < 6; i++) writeSegment(offset(KVM_SREGS, SEG_NAMES[i]), s.seg[i]);
        writeSegment(offset(KVM_SREGS, "tr"), s.tr);
        writeSegment(offset(KVM_SREGS, "ldt"), s.ldtr);
        DT_BASE.set(sregs, offset(KVM_SREGS, "gdt"), s.gdtBase);
        DT_LIMIT.set(sregs, offset(KVM_SREGS, "gdt"), (short) s.gdtLimit);
        DT_BASE.set(sregs, offset(KVM_SREGS, "idt"), s.idtBase);
        DT_LIMIT.set(sregs, offset(KVM_SREGS, "idt"), (short) s.idtLimit);
        setSregsLong("cr0", s.cr0);
        setSregsLong("cr2", s.cr2);
        setSregsLong("cr3", s.cr3);
        setSregsLong("cr4", s.cr4);
        setSregsLong("cr8", s.cr8);
        setSregsLong("efer", s.efer);
        setSregsLong("apic_base", s.apicBase);

        // XCR0 before CR4/XSAVE-dependent state; CPUID (set at creation) already allows it.
        xcrs.fill((byte) 0);
        xcrs.set(ValueLayout.JAVA_INT, 0, 1);
        xcrs.set(ValueLayout.JAVA_INT, XCRS_ENTRIES, 0);
        xcrs.set(ValueLayout.JAVA_LONG, XCRS_ENTRIES + 8, s.xcr0);
        vcpu.ioctlOrThrow("KVM_SET_XCRS (xcr0 " + Long.toHexString(s.xcr0) + ")", KvmApi.SET_XCRS, xcrs);

        vcpu.ioctlOrThrow("KVM_SET_SREGS", KvmApi.SET_SREGS, sregs);

        regs.fill((byte) 0);
        for (int k = 0; k < 16; k++) regs.set(ValueLayout.JAVA_LONG, 8L * k, s.gpr[KVM_TO_GPR[k]]);
        regs.set(ValueLayout.JAVA_LONG, RIP, s.rip);
        regs.set(ValueLayout.JAVA_LONG, RFLAGS, s.rflags);
        vcpu.ioctlOrThrow("KVM_SET_REGS", KvmApi.SET_REGS, regs);

        if (useXsave) {
            // Keep the components CpuState has no place for (AVX upper halves, ...) as they are.
            vcpu.ioctlOrThrow("KVM_GET_XSAVE", KvmApi.GET_XSAVE, xsave);
            writeFpu(xsave, XSAVE_IMAGE, s.fpu, s.longMode());
            xsave.set(ValueLayout.JAVA_LONG, XSTATE_BV, xsave.get(ValueLayout.JAVA_LONG, XSTATE_BV) | XFEATURE_X87_SSE);
            vcpu.ioctlOrThrow("KVM_SET_XSAVE", KvmApi.SET_XSAVE, xsave);
        } else {
            fpu.fill((byte) 0);
            writeFpu(fpu, KVM_FPU_IMAGE, s.fpu, s.longMode());
            vcpu.ioctlOrThrow("KVM_SET_FPU", KvmApi.SET_FPU, fpu);
        }

        vcpu.ioctlOrThrow("KVM_GET_DEBUGREGS", KvmApi.GET_DEBUGREGS, debugregs);
        for (int i = 0; i < 4; i++) debugregs.set(ValueLayout.JAVA_LONG, DBG_DB + 8L * i, s.dr[i]);
        debugregs.set(ValueLayout.JAVA_LONG, DBG_DR6, s.dr[6]);
        debugregs.set(ValueLayout.JAVA_LONG, DBG_DR7, s.dr[7]);
        vcpu.ioctlOrThrow("KVM_SET_DEBUGREGS", KvmApi.SET_DEBUGREGS, debugregs);

        writeMsrs(s);

        vcpu.ioctlOrThrow("KVM_GET_VCPU_EVENTS", KvmApi.GET_VCPU_EVENTS, events);
        EV_SHADOW.set(events, 0L, (byte) (s.interruptShadow ? KvmApi.X86_SHADOW_INT_STI : 0));
        EV_NMI_PENDING.set(events, 0L, (byte) (s.nmiPending ? 1 : 0));
        EV_NMI_MASKED.set(events, 0L, (byte) (s.nmiBlocked ? 1 : 0));
        EV_FLAGS.set(events, 0L, KvmApi.VCPUEVENT_VALID_NMI_PENDING | KvmApi.VCPUEVENT_VALID_SHADOW);
        vcpu.ioctlOrThrow("KVM_SET_VCPU_EVENTS", KvmApi.SET_VCPU_EVENTS, events);
    }

    /** Only CS, RIP and CR0 (for error messages): KVM_GET_SREGS + KVM_GET_REGS. */
    long[] csRipCr0() {
        vcpu.ioctlOrThrow("KVM_GET_REGS", KvmApi.GET_REGS, regs);
        vcpu.ioctlOrThrow("KVM_GET_SREGS", KvmApi.GET_SREGS, sregs);
        long cs = offset(KVM_SREGS, "cs");
        return new long[] {(short) SEG_SELECTOR.get(sregs, cs) & 0xFFFF, (long) SEG_BASE.get(sregs, cs),
                regs.get(ValueLayout.JAVA_LONG, RIP), sregsLong("cr0")};
    }

    // ---- pieces ----

    private long sregsLong(String name) { return sregs.get(ValueLayout.JAVA_LONG, offset(KVM_SREGS, name)); }

    private void setSregsLong(String name, long v) { sregs.set(ValueLayout.JAVA_LONG, offset(KVM_SREGS, name), v); }

    private void readSegment(long at, SegmentRegister r) {
        r.base = (long) SEG_BASE.get(sregs, at);
        r.limit = (int) SEG_LIMIT.get(sregs, at);
        r.selector = (short) SEG_SELECTOR.get(sregs, at) & 0xFFFF;
        r.type = sregs.get(ValueLayout.JAVA_BYTE, at + SEG_TYPE) & 0xF;
        r.present = flag(at, 0) != 0;
        r.dpl = flag(at, 1) & 3;
        r.db = flag(at, 2) != 0;
        r.s = flag(at, 3) != 0;
        r.l = flag(at, 4) != 0;
        r.g = flag(at, 5) != 0;
        r.avl = flag(at, 6) != 0;
        r.unusable = flag(at, 7) != 0;
    }

    private void writeSegment(long at, SegmentRegister r) {
        SEG_BASE.set(sregs, at, r.base);
        SEG_LIMIT.set(sregs, at, r.limit);
        SEG_SELECTOR.set(sregs, at, (short) r.selector);
        sregs.set(ValueLayout.JAVA_BYTE, at + SEG_TYPE, (byte) r.type);
        boolean[] bits = {r.present, false, r.db, r.s, r.l, r.g, r.avl, r.unusable};
        for (int i = 0; i < SEG_FLAGS.length; i++) {
            sregs.set(ValueLayout.JAVA_BYTE, at + offset(KVM_SEGMENT, SEG_FLAGS[i]), (byte) (i == 1 ? r.dpl : bits[i] ? 1 : 0));
        }
    }

    private int flag(long at, int i) { return sregs.get(ValueLayout.JAVA_BYTE, at + offset(KVM_SEGMENT, SEG_FLAGS[i])); }

    /**
     * kvm_fpu and the XSAVE legacy region are both the FXSAVE image: registers by stack position
     * ST(i), the abridged tag, and 64-bit FPU IP/DP. Outside long mode the selectors ride in bits 32-47 as in the 32-bit FXSAVE format
     * (SDM Vol. 1 Table 10-2), which keeps FCS/FDS across a round trip.
     */
    private static void readFpu(MemorySegment img, FxImage o, FpuState f, boolean longMode) {
        f.fcw = img.get(ValueLayout.JAVA_SHORT, o.fcw) & 0xFFFF;
        f.fsw = img.get(ValueLayout.JAVA_SHORT, o.fsw) & 0xFFFF;
        int abridged = img.get(ValueLayout.JAVA_BYTE, o.ftw) & 0xFF;
        f.fop = img.get(ValueLayout.JAVA_SHORT, o.fop) & 0x7FF;
        long ip = img.get(ValueLayout.JAVA_LONG, o.fip), dp = img.get(ValueLayout.JAVA_LONG, o.fdp);
        if (longMode) {
            f.fip = ip;
            f.fdp = dp;
            f.fcs = f.fds = 0;
        } else {
            f.fip = ip & 0xFFFF_FFFFL;
            f.fcs = (int) (ip >>> 32) & 0xFFFF;
            f.fdp = dp & 0xFFFF_FFFFL;
            f.fds = (int) (dp >>> 32) & 0xFFFF;
        }
        int top = (f.fsw >> 11) & 7;
        for (int i = 0; i < 8; i++) {
            int r = (top + i) & 7;
            f.mantissa[r] = img.get(ValueLayout.JAVA_LONG, o.st + 16L * i);
            f.signExp[r] = img.get(ValueLayout.JAVA_SHORT, o.st + 16L * i + 8) & 0xFFFF;
        }
        int ftw = 0;
        for (int r = 0; r < 8; r++) ftw |= ((abridged >> r & 1) == 0 ? 3 : tagOf(f.signExp[r], f.mantissa[r])) << (2 * r);
        f.ftw = ftw;
        f.mxcsr = img.get(ValueLayout.JAVA_INT, o.mxcsr);
        for (int i = 0; i < 32; i++) f.xmm[i] = img.get(ValueLayout.JAVA_LONG, o.xmm + 8L * i);
    }

    private static void writeFpu(MemorySegment img, FxImage o, FpuState f, boolean longMode) {
        img.set(ValueLayout.JAVA_SHORT, o.fcw, (short) f.fcw);
        img.set(ValueLayout.JAVA_SHORT, o.fsw, (short) f.fsw);
        img.set(ValueLayout.JAVA_BYTE, o.ftw, (byte) f.abridgedTag());
        img.set(ValueLayout.JAVA_SHORT, o.fop, (short) f.fop);
        img.set(ValueLayout.JAVA_LONG, o.fip, longMode ? f.fip : (f.fip & 0xFFFF_FFFFL) | (long) (f.fcs & 0xFFFF) << 32);
        img.set(ValueLayout.JAVA_LONG, o.fdp, longMode ? f.fdp : (f.fdp & 0xFFFF_FFFFL) | (long) (f.fds & 0xFFFF) << 32);
        int top = (f.fsw >> 11) & 7;
        for (int i = 0; i < 8; i++) {
            int r = (top + i) & 7;
            img.set(ValueLayout.JAVA_LONG, o.st + 16L * i, f.mantissa[r]);
            img.set(ValueLayout.JAVA_SHORT, o.st + 16L * i + 8, (short) f.signExp[r]);
            for (int pad = 10; pad < 16; pad++) img.set(ValueLayout.JAVA_BYTE, o.st + 16L * i + pad, (byte) 0);
        }
        img.set(ValueLayout.JAVA_INT, o.mxcsr, f.mxcsr);
        for (int i = 0; i < 32; i++) img.set(ValueLayout.JAVA_LONG, o.xmm + 8L * i, f.xmm[i]);
    }

    /** The full tag FXRSTOR derives for a non-empty register (SDM Vol. 1 Table 10-3 / 8.1.7). */
    static int tagOf(int signExp, long mantissa) {
        int exp = signExp & 0x7FFF;
        if (exp == 0x7FFF) return 2;
        if (exp == 0) return mantissa == 0 ? 1 : 2;
        return mantissa < 0 ? 0 : 2; // J bit clear with a non-zero exponent: unnormal, special
    }

    private void readMsrs(CpuState s) {
        int[] idx = msrIndices();
        for (int i = 0; i < idx.length; i++) {
            msrs.set(ValueLayout.JAVA_INT, entry(i), idx[i]);
            msrs.set(ValueLayout.JAVA_INT, entry(i) + 4, 0);
            msrs.set(ValueLayout.JAVA_LONG, entry(i) + 8, 0);
        }
        boolean[] ok = runMsrs("KVM_GET_MSRS", KvmApi.GET_MSRS, idx.length);
        s.otherMsrs.clear();
        for (int i = 0; i < idx.length; i++) {
            if (!ok[i]) continue;
            int index = msrs.get(ValueLayout.JAVA_INT, entry(i));
            long v = msrs.get(ValueLayout.JAVA_LONG, entry(i) + 8);
            switch (index) {
                case MSR_TSC -> s.tsc = v;
                case MSR_SYSENTER_CS -> s.sysenterCs = v;
                case MSR_SYSENTER_ESP -> s.sysenterEsp = v;
                case MSR_SYSENTER_EIP -> s.sysenterEip = v;
                case MSR_PAT -> s.pat = v;
                case MSR_STAR -> s.star = v;
                case MSR_LSTAR -> s.lstar = v;
                case MSR_CSTAR -> s.cstar = v;
                case MSR_SFMASK -> s.sfmask = v;
                case MSR_KERNEL_GS_BASE -> s.kernelGsBase = v;
                case MSR_TSC_AUX -> s.tscAux = v;
                default -> s.otherMsrs.put(index, v);
            }
        }
    }

    /**
     * Runs KVM_GET_MSRS/KVM_SET_MSRS over the first {@code n} entries. KVM stops at the first MSR it
     * refuses; that one is logged and skipped and the rest go in another call. Returns which succeeded.
     */
    private boolean[] runMsrs(String what, long request, int n) {
        boolean[] ok = new boolean[n];
        int from = 0;
        while (from < n) {
            // The batch header overlays the tail of the previous (refused) entry; only nmsrs is read by KVM.
            MemorySegment batch = msrs.asSlice(entry(from) - KVM_MSRS.byteSize());
            int saved = batch.get(ValueLayout.JAVA_INT, 0);
            batch.set(ValueLayout.JAVA_INT, 0, n - from);
            int done = vcpu.ioctlOrThrow(what, request, batch);
            batch.set(ValueLayout.JAVA_INT, 0, saved);
            for (int i = 0; i < done; i++) ok[from + i] = true;
            if (from + done >= n) break;
            int bad = msrs.get(ValueLayout.JAVA_INT, entry(from + done));
            LOG.log(System.Logger.Level.WARNING, "{0}: KVM refused MSR {1}", what, Integer.toHexString(bad));
            from += done + 1;
        }
        return ok;
    }

    private void writeMsrs(CpuState s) {
        otherMsrIndices.clear();
        otherMsrIndices.addAll(s.otherMsrs.keySet());
        long[] values = {s.tsc, s.sysenterCs, s.sysenterEsp, s.sysenterEip, s.pat, s.star, s.lstar, s.cstar, s.sfmask,
                s.kernelGsBase, s.tscAux};
        int n = 0;
        for (int i = 0; i < FIXED_MSRS.length; i++) n = putMsr(n, FIXED_MSRS[i], values[i]);
        for (Map.Entry<Integer, Long> e : s.otherMsrs.entrySet()) {
            if (n < MAX_MSRS) n = putMsr(n, e.getKey(), e.getValue());
        }
        runMsrs("KVM_SET_MSRS", KvmApi.SET_MSRS, n);
    }

    private int putMsr(int n, int index, long value) {
        msrs.set(ValueLayout.JAVA_INT, entry(n), index);
        msrs.set(ValueLayout.JAVA_INT, entry(n) + 4, 0);
        msrs.set(ValueLayout.JAVA_LONG, entry(n) + 8, value);
        return n + 1;
    }

    private int[] msrIndices() {
        int[] idx = new int[Math.min(MAX_MSRS, FIXED_MSRS.length + otherMsrIndices.size())];
        System.arraycopy(FIXED_MSRS, 0, idx, 0, FIXED_MSRS.length);
        int i = FIXED_MSRS.length;
        for (int index : otherMsrIndices) {
            if (i < idx.length) idx[i++] = index;
        }
        return idx;
    }

    private static long entry(int i) { return KVM_MSRS.byteSize() + i * KVM_MSR_ENTRY.byteSize(); }
}
