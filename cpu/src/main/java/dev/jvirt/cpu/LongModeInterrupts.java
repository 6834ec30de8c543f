package dev.jvirt.cpu;

import static dev.jvirt.cpu.CpuState.*;

/**
 * Interrupt and exception delivery in IA-32e mode (SDM Vol. 3A 6.14): 16-byte IDT gates (only 64-bit
 * interrupt and trap gates), a 64-bit code segment as target, the stack from the 64-bit TSS (RSPn on a
 * privilege change, or IST1-7 when the gate names one), RSP aligned to 16 bytes, and SS:RSP, RFLAGS,
 * CS:RIP and the error code pushed as 8-byte values every time. IRET(Q) in 64-bit mode undoes it.
 * Faults are raised through the CPU's {@link CpuFault}; the caller restores the interrupted context.
 */
final class LongModeInterrupts {
    private static final int GP = 13, NP = 11, SSF = 12, TS = 10;
    private final CpuState s;
    private final Mmu mmu;
    private final CpuFault fault;

    LongModeInterrupts(CpuState s, Mmu mmu, CpuFault fault) {
        this.s = s;
        this.mmu = mmu;
        this.fault = fault;
    }

    /** The 8-byte descriptor for {@code sel} from the GDT or LDT, or #GP(sel + ext) past the table limit. */
    private long descriptor(int sel, int ext) {
        long base;
        int limit;
        if ((sel & 4) != 0) {
            if (s.ldtr.unusable || (s.ldtr.selector & ~3) == 0) throw fault.set(GP, true, (sel & ~3) + ext);
            base = s.ldtr.base;
            limit = s.ldtr.limit;
        } else {
            base = s.gdtBase;
            limit = s.gdtLimit;
        }
        int idx = sel & ~7;
        if (Long.compareUnsigned(idx + 7L, limit & 0xFFFF_FFFFL) > 0) throw fault.set(GP, true, (sel & ~3) + ext);
        return mmu.read(base + idx, 8, false);
    }

    private static void load(SegmentRegister r, int sel, long desc) {
        r.selector = sel & 0xFFFF;
        r.base = (desc >>> 16) & 0xFF_FFFFL | (desc >>> 32) & 0xFF00_0000L;
        long lim = desc & 0xFFFF | (desc >>> 32) & 0xF_0000L;
        if ((desc & 1L << 55) != 0) lim = lim << 12 | 0xFFF;
        r.limit = (int) lim;
        r.setAccessRights((int) (desc >>> 40) & 0xF0FF);
    }

    /** SS after a privilege change in IA-32e mode: a null selector with RPL = the new CPL. */
    private void nullSs(int cpl) {
        s.ss.selector = cpl;
        s.ss.base = 0;
        s.ss.limit = 0;
        s.ss.unusable = true;
        s.ss.present = false;
        s.ss.dpl = cpl;
    }

    private void push(long sp, int slot, long v, boolean user) {
        long a = sp - 8L * slot;
        if (!LongModeExecutor.canonical(a)) throw fault.set(SSF, true, 0);
        mmu.write(a, 8, v, user);
    }

    /** {@code ext}: the EXT bit for error codes (1 for an event external to the program). */
    void deliver(int vec, boolean hasErr, int err, boolean software, int ext, long oldFlags) {
        if (vec * 16 + 15 > s.idtLimit) throw fault.set(GP, true, vec * 8 + 2 + ext);
        long lo = mmu.read(s.idtBase + vec * 16L, 8, false);
        long hi = mmu.read(s.idtBase + vec * 16L + 8, 8, false);
        int type = (int) (lo >>> 40) & 0x1F;
        int gdpl = (int) (lo >>> 45) & 3;
        if (type != 0x0E && type != 0x0F) throw fault.set(GP, true, vec * 8 + 2 + ext);
        int cpl = s.cpl();
        if (software && gdpl < cpl) throw fault.set(GP, true, vec * 8 + 2);
        if ((lo & 1L << 47) == 0) throw fault.set(NP, true, vec * 8 + 2 + ext);
        int sel = (int) (lo >>> 16) & 0xFFFF;
        long off = lo & 0xFFFF | (lo >>> 32) & 0xFFFF_0000L | hi << 32;
        int ist = (int) (lo >>> 32) & 7;
        if ((sel & ~3) == 0) throw fault.set(GP, true, ext);
        long desc = descriptor(sel, ext);
        int dtype = (int) (desc >>> 40) & 0x1F;
        int ddpl = (int) (desc >>> 45) & 3;
        boolean l = (desc & 1L << 53) != 0, db = (desc & 1L << 54) != 0;
        if ((dtype & 0x18) != 0x18 || ddpl > cpl || !l || db) throw fault.set(GP, true, (sel & ~3) + ext);
        if ((desc & 1L << 47) == 0) throw fault.set(NP, true, (sel & ~3) + ext);
        if (!LongModeExecutor.canonical(off)) throw fault.set(GP, true, ext);
        boolean inner = (dtype & 4) == 0 && ddpl < cpl;
        int newCpl = inner ? ddpl : cpl;
        long sp = s.gpr[RSP];
        if (ist != 0) sp = tssRead(0x24 + (ist - 1) * 8, ext);
        else if (inner) sp = tssRead(4 + ddpl * 8, ext);
        sp &= ~0xFL;
        boolean user = newCpl == 3;
        int n = 0;
        push(sp, ++n, s.ss.selector, user);
        push(sp, ++n, s.gpr[RSP], user);
        push(sp, ++n, oldFlags, user);
        push(sp, ++n, s.cs.selector, user);
        push(sp, ++n, s.rip, user);
        if (hasErr) push(sp, ++n, err & 0xFFFF_FFFFL, user);
        load(s.cs, (sel & ~3) | newCpl, desc);
        s.cs.dpl = newCpl;
        if (inner) nullSs(newCpl);
        s.gpr[RSP] = sp - 8L * n;
        s.rip = off;
        s.rflags &= ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM);
        if ((type & 1) == 0) s.rflags &= ~FLAG_IF;
    }

    private long tssRead(int at, int ext) {
        if (at + 7 > s.tr.limit) throw fault.set(TS, true, (s.tr.selector & ~3) + ext);
        long v = mmu.read(s.tr.base + at, 8, false);
        if (!LongModeExecutor.canonical(v)) throw fault.set(SSF, true, ext);
        return v;
    }

    /**
     * IRET in 64-bit mode (operand size {@code osz} 4 or 8): pops RIP, CS, RFLAGS, RSP and SS, and returns
     * to 64-bit or compatibility mode at the same or an outer privilege level.
     */
    void iret(int osz) {
        if ((s.rflags & FLAG_NT) != 0) throw fault.set(GP, true, 0); // no task return in IA-32e mode
        boolean user = s.cpl() == 3;
        long sp = s.gpr[RSP];
        long m = osz == 8 ? -1L : 0xFFFF_FFFFL;
        long rip = mmu.read(sp, osz, user) & m;
        int csSel = (int) mmu.read(sp + osz, 2, user);
        long flags = mmu.read(sp + 2L * osz, osz, user) & m;
        long rsp = mmu.read(sp + 3L * osz, osz, user) & m;
        int ssSel = (int) mmu.read(sp + 4L * osz, 2, user);
        int cpl = s.cpl(), rpl = csSel & 3;
        if ((csSel & ~3) == 0) throw fault.set(GP, true, 0);
        long desc = descriptor(csSel, 0);
        int dtype = (int) (desc >>> 40) & 0x1F;
        int ddpl = (int) (desc >>> 45) & 3;
        boolean conforming = (dtype & 4) != 0;
        if ((dtype & 0x18) != 0x18 || rpl < cpl || (conforming ? ddpl > rpl : ddpl != rpl)) {
            throw fault.set(GP, true, csSel & ~3);
        }
        if ((desc & 1L << 47) == 0) throw fault.set(NP, true, csSel & ~3);
        boolean to64 = (desc & 1L << 53) != 0;
        if (to64 && !LongModeExecutor.canonical(rip)) throw fault.set(GP, true, 0);
        long ssDesc = 0;
        boolean nullSs = (ssSel & ~3) == 0;
        if (nullSs) {
            if (!to64 || rpl == 3 || (ssSel & 3) != rpl) throw fault.set(GP, true, 0);
        } else {
            ssDesc = descriptor(ssSel, 0);
            int stype = (int) (ssDesc >>> 40) & 0x1F;
            if ((ssSel & 3) != rpl || ((ssDesc >>> 45) & 3) != rpl || (stype & 0x1A) != 0x12) throw fault.set(GP, true, ssSel & ~3);
            if ((ssDesc & 1L << 47) == 0) throw fault.set(SSF, true, ssSel & ~3);
        }
        // RFLAGS: IOPL only at CPL 0, IF only when CPL <= IOPL; VM, VIF and VIP stay clear in IA-32e mode.
        long keep = FLAG_VM | FLAG_VIF | FLAG_VIP;
        if (cpl != 0) keep |= 0x3000;
        if (cpl > ((s.rflags >>> 12) & 3)) keep |= FLAG_IF;
        long writable = 0x3F7FD5L & ~keep;
        s.rflags = (s.rflags & keep & ~(FLAG_VM | FLAG_VIF | FLAG_VIP)) | (flags & writable) | 2;
        load(s.cs, csSel, desc);
        s.cs.dpl = rpl;
        if (nullSs) nullSs(rpl);
        else load(s.ss, ssSel, ssDesc);
        s.gpr[RSP] = rsp;
        s.rip = rip;
        s.nmiBlocked = false;
    }
}
