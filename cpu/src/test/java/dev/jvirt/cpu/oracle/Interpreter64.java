package dev.jvirt.cpu.oracle;

import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.SegmentRegister;
import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PortSpace;

/**
 * An {@link X86Cpu} in 64-bit mode at CPL 3 whose 4-level page tables map the host's code page and scratch
 * area at their host addresses, so that registers, RIP and RIP-relative displacements mean the same on both
 * sides. There is no IDT: an exception ends in a triple fault, and {@link X86Cpu#lastException()} names it.
 */
final class Interpreter64 implements AutoCloseable {
    private static final long TABLES = 0x1000, CODE = 0x10_0000, DATA = 0x10_4000;
    private final GuestRam ram = GuestRam.allocate(2 << 20);
    final CpuState state = new CpuState();
    final X86Cpu cpu;
    private final long codePage, scratch;
    private long nextTable = TABLES + 0x1000;

    Interpreter64(CpuModel model, long slot, long scratch, int scratchSize) {
        AddressSpace memory = new AddressSpace(ram);
        memory.addRam("ram", 0, ram.size(), 0, 0);
        cpu = new X86Cpu(state, memory, new PortSpace());
        cpu.setCpuModel(model);
        this.codePage = slot & ~0xFFFL;
        this.scratch = scratch;
        map(codePage, CODE);
        for (long off = 0; off < scratchSize; off += 0x1000) map(scratch + off, DATA + off);
    }

    /** Maps the 4 KiB page at virtual {@code va} to {@code pa}, user and writable (SDM Vol. 3A 4.5). */
    private void map(long va, long pa) {
        long table = TABLES;
        for (int level = 3; level > 0; level--) {
            long entry = table + ((va >>> (12 + 9 * level)) & 0x1FF) * 8;
            long e = readLong(entry);
            if ((e & 1) == 0) {
                e = nextTable | 7;
                nextTable += 0x1000;
                writeLong(entry, e);
            }
            table = e & 0xF_FFFF_F000L;
        }
        writeLong(table + ((va >>> 12) & 0x1FF) * 8, pa | 7);
    }

    private long readLong(long a) {
        byte[] b = ram.read(a, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[i] & 0xFF);
        return v;
    }

    private void writeLong(long a, long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> 8 * i);
        ram.load(a, b);
    }

    /** Runs {@code insn} at {@code slot} from {@code in}, with {@code buf} at the start of the scratch area. */
    void run(long slot, byte[] insn, NativeExecutor.Regs in, byte[] buf) {
        CpuState s = state;
        s.reset();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_MP | CpuState.CR0_NE | CpuState.CR0_PG;
        s.cr4 = 0x20 | 0x200 | 0x400; // PAE, OSFXSR, OSXMMEXCPT
        s.cr3 = TABLES;
        s.efer = 0x500;                // LME, LMA
        user(s.cs, 0x33, 0xB);
        s.cs.l = true;
        s.cs.db = false;
        for (SegmentRegister r : new SegmentRegister[] {s.ss, s.ds, s.es, s.fs, s.gs}) user(r, 0x2B, 3);
        s.idtBase = 0;
        s.idtLimit = 0;
        System.arraycopy(in.gpr, 0, s.gpr, 0, 16);
        // User mode on the host runs with IF set (PUSHF shows it).
        s.rflags = 0x202 | (in.rflags & NativeExecutor.LOADABLE_FLAGS);
        s.fpu.mxcsr = in.mxcsr;
        System.arraycopy(in.xmm, 0, s.fpu.xmm, 0, 32);
        // The state MOVQ to MM0-MM7 leaves natively: TOP 0, every tag valid, exponents all ones (SDM Vol. 1 9.5.1).
        for (int i = 0; i < 8; i++) {
            s.fpu.mantissa[i] = in.mm[i];
            s.fpu.signExp[i] = 0xFFFF;
        }
        s.fpu.ftw = 0;
        s.rip = slot;
        ram.load(CODE + (slot - codePage), insn);
        ram.load(DATA, buf);
        cpu.stateChanged();
        cpu.clearLastException();
        cpu.clearShutdown();
        cpu.step();
        // REP string instructions may take one step per iteration (or chunk), leaving RIP on the instruction.
        for (int k = 0; k < 1000 && s.rip == slot && cpu.lastException() < 0 && !cpu.shutdown(); k++) cpu.step();
        ram.load(CODE + (slot - codePage), new byte[insn.length]);
    }

    byte[] memory(int len) { return ram.read(DATA, len); }

    long mm(int i) { return state.fpu.mantissa[i]; }

    private static void user(SegmentRegister r, int sel, int type) {
        r.selector = sel;
        r.base = 0;
        r.limit = 0xFFFF_FFFF;
        r.type = type;
        r.s = true;
        r.dpl = 3;
        r.present = true;
        r.avl = r.l = false;
        r.db = true;
        r.g = true;
        r.unusable = false;
    }

    @Override
    public void close() { ram.close(); }
}
