package dev.jvirt.cpu;

import dev.jvirt.cpu.decode.CodeSource;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder;
import dev.jvirt.cpu.decode.OpcodeTable;
import dev.jvirt.cpu.x87.FpuUnit;
import dev.jvirt.cpu.x87.X87Env;
import dev.jvirt.cpu.simd.SimdContext;
import dev.jvirt.cpu.simd.SimdUnit;
import dev.jvirt.cpu.x87.X87Memory;
import dev.jvirt.mmu.A20Gate;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.PortSpace;

import static dev.jvirt.cpu.CpuState.*;

/**
 * The i686-class interpreter: executes decoded instructions on a {@link CpuState} (the arithmetic
 * flags of the fast-path ALU forms are recorded lazily and computed exactly when read, see
 * {@link CpuState#flags()}; {@code rflags} is architectural outside a run batch), with segmentation,
 * paging through {@link Mmu}, and exception delivery through the real-mode IVT or the
 * protected-mode IDT. Interrupt sampling, time and halting belong to the caller's run loop.
 */
public final class X86Cpu implements CodeSource, SimdContext {
    static final int DE = 0, DB = 1, NMI = 2, BP = 3, OFV = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
            SSF = 12, GP = 13, PF = 14, MF = 16, AC = 17;

    public final CpuState s;
    private final long[] g;
    private final Mmu mmu;
    private final PortSpace ports;
    private final CpuFault fault = new CpuFault();
    /** The instruction being executed: {@link #scratchInsn} or an entry of {@link #decodeCache}. */
    private DecodedInsn d;
    private final DecodedInsn scratchInsn = new DecodedInsn();
    private final Alu alu;
    private Object ioLock = new Object();
    private FpuUnit fpu;
    private final X87Env env = new X87Env();

    /** The LOCK# signal: shared by all interpreted CPUs. */
    private static final Object BUS_LOCK = new Object();

    private long eipStart;
    /** Offset of the current r/m memory operand, valid after {@link #rmRead}. */
    private long curOff;
    private int x87Seg;
    private long x87Off;
    private boolean breakBatch;
    private boolean shutdown;
    private long batchCount;

    private final dev.jvirt.mmu.GuestRam ram;

    public X86Cpu(CpuState state, AddressSpace memory, PortSpace ports) {
        this.s = state;
        this.ram = memory.ram();
        this.g = state.gpr;
        this.alu = new Alu(state);
        this.ports = ports;
        this.mmu = new Mmu(state, memory, fault);
        this.d = scratchInsn;
        this.longInt = new LongModeInterrupts(state, mmu, fault);
        this.simd = new SimdUnit(state, cpuModel);
        this.xsave = new Xsave(state);
        this.longExec = new LongModeExecutor(state, mmu, alu, fault, longInt, simd, new LongModeExecutor.SystemOps() {
            @Override
            public void executeLegacy(DecodedInsn insn) {
                d = insn;
                execute();
            }

            @Override
            public void writeCr(int cr, long v) { X86Cpu.this.writeCr(cr, v); }

            @Override
            public void loadSegment(int sr, int sel) { X86Cpu.this.loadSegment(sr, sel); }

            @Override
            public void softInt(int vec) { interrupt(vec, false, 0, true, false); }

            @Override
            public void readDescriptor(int sel, long[] out) { X86Cpu.this.readDescriptor(sel, out, 0); }

            @Override
            public void setAccessed(int sel, long[] desc) { X86Cpu.this.setAccessed(sel, desc); }

            @Override
            public void fillCache(SegmentRegister r, int sel, long[] desc) { X86Cpu.fillCache(r, sel, desc); }

            @Override
            public long in(int port, int size) { return X86Cpu.this.in(port, size); }

            @Override
            public void out(int port, int size, long v) { X86Cpu.this.out(port, size, v); }

            @Override
            public void x87(DecodedInsn insn, X87Memory mem, int fds, long fdp) { x87Long(insn, mem, fds, fdp); }

            @Override
            public void writeDr(int dr, long v) { X86Cpu.this.writeDr(dr, v); }

            @Override
            public long readDr(int dr) { return s.dr[debugRegister(dr)]; }

            @Override
            public void saveRestoreState(DecodedInsn insn, SimdContext mem) { X86Cpu.this.saveRestoreState(insn.reg, mem, (insn.rex & 8) != 0); }
        });
    }

    /** 64-bit mode runs through its own decoder and executor (no decoded-instruction cache there). */
    private final LongModeExecutor longExec;
    private final LongModeInterrupts longInt;

    /** The x87 unit, or null for a CPU without one (ESC then raises #NM as with CR0.EM). */
    public void setFpu(FpuUnit unit) {
        fpu = unit;
        cpuidTable = null;
    }

    private CpuModel cpuModel = CpuModels.DEFAULT;
    private final SimdUnit simd;
    /** What CPUID answers: the model less what this CPU lacks; built on first use. */
    private Cpuid cpuidTable;
    private final Xsave xsave;
    private final int[] cpuidOut = new int[4];
    private MsrDevice msrDevice;

    /** The CPU model CPUID reports (default {@link CpuModels#DEFAULT}); RESET's EDX is the caller's ({@link CpuState#reset(int)}). */
    public void setCpuModel(CpuModel model) {
        cpuModel = java.util.Objects.requireNonNull(model);
        cpuidTable = null;
        simd.setModel(model);
        mmu.setCpuModel(model);
    }

    public CpuModel cpuModel() { return cpuModel; }

    private int apicId;
    private int packageVcpus = 1;

    /** This logical processor's initial APIC ID and how many share its package, as CPUID leaves 1 and 0xB report them. */
    public void setTopology(int apicId, int vcpus) {
        this.apicId = apicId;
        this.packageVcpus = vcpus;
        cpuidTable = null;
    }

    /**
     * The board's MSRs (null: none). RDMSR/WRMSR ask it first, under the I/O lock. CPUID reports the
     * model's APIC, x2APIC and TSC-deadline features only when it handles IA32_APIC_BASE (a local APIC).
     */
    public void setMsrDevice(MsrDevice device) {
        msrDevice = device;
        cpuidTable = null;
    }

    /** The model as this CPU can honour it: no x87/FXSR without an x87 unit, no APIC without the board's. */
    public CpuModel effectiveCpuModel() {
        CpuModel m = cpuModel;
        if (fpu == null) m = m.with(CpuFeature.FPU, false).with(CpuFeature.FXSR, false).with(CpuFeature.XSAVE, false);
        if (msrDevice == null || !msrDevice.handles(MSR_APIC_BASE)) {
            m = m.with(CpuFeature.APIC, false).with(CpuFeature.X2APIC, false).with(CpuFeature.TSC_DEADLINE, false);
        }
        return m;
    }

    private static final int MSR_APIC_BASE = 0x1B, IA32_TSC_AUX = 0xC000_0103;
    private static final long APIC_BASE_EXTD = 1L << 10;

    /**
     * Masks physical addresses with the A20 gate (null: always enabled). The gate's single listener
     * must flush every CPU's TLB ({@link #stateChanged()}); the owner of all CPUs installs it.
     */
    public void setA20(A20Gate gate) {
        mmu.setA20(gate);
    }

    public void setPhysicalAddressMask(long mask) { mmu.setPhysMask(mask); }

    /** The lock every port and MMIO access is made under. */
    public void setIoLock(Object lock) {
        ioLock = lock;
        mmu.setIoLock(lock);
    }

    public Mmu mmu() { return mmu; }

    /** Drops cached translations after the state was replaced from outside. */
    public void stateChanged() {
        mmu.flushAll();
        armDataBreakpoints();
    }

    /**
     * Makes the TSC follow a time source (nanoseconds: a 1 GHz TSC) instead of counting instructions,
     * so idle time passes for the guest as it does for its timers. Null: one tick per instruction.
     */
    public void setTscClock(java.util.function.LongSupplier nanos) {
        long now = readTsc();
        tscClock = nanos;
        writeTsc(now);
    }

    private java.util.function.LongSupplier tscClock;
    private long tscOffset;

    /** The current time-stamp counter. */
    public long readTsc() {
        return tscClock == null ? s.tsc + batchCount : tscClock.getAsLong() + tscOffset;
    }

    private void writeTsc(long v) {
        if (tscClock == null) s.tsc = v - batchCount;
        else tscOffset = v - tscClock.getAsLong();
    }

    /** Copies the running TSC into {@link CpuState#tsc} (before the state is read out). */
    public void syncStateTsc() { if (tscClock != null) s.tsc = readTsc(); }

    /** Takes {@link CpuState#tsc} as the TSC value now (after the state was replaced). */
    public void loadStateTsc() { if (tscClock != null) writeTsc(s.tsc); }

    /** A triple fault occurred (the machine must shut down or reset). */
    public boolean shutdown() { return shutdown; }

    public void clearShutdown() { shutdown = false; }

    // =====================================================================================
    // Run loop pieces
    // =====================================================================================

    /**
     * Executes up to {@code max} instructions; stops early after HLT, a triple fault, or an
     * instruction after which interrupts should be sampled (IF set, I/O). Returns the count.
     */
    public int run(int max) {
        breakBatch = false;
        int n = 0;
        batchCount = 0;
        try {
            while (n < max && !s.halted && !shutdown) {
                boolean shadow = s.interruptShadow;
                stepLazy();
                n++;
                batchCount = n;
                if (shadow) s.interruptShadow = false;
                if (breakBatch && !s.interruptShadow) break;
            }
        } finally {
            s.flags(); // RFLAGS architectural again before state leaves the CPU
        }
        if (tscClock == null) s.tsc += n;
        batchCount = 0;
        return n;
    }

    /** Executes one instruction (or delivers the exception it raises). */
    public void step() {
        try {
            stepLazy();
        } finally {
            s.flags();
        }
    }

    /** {@link #step()} leaving the arithmetic flags of a fast-path instruction pending (see {@link CpuState#flags()}). */
    private void stepLazy() {
        eipStart = s.rip;
        if (s.cs.l && s.longMode()) {
            stepLong();
            return;
        }
        if (fetchUser != (s.cpl() == 3)) fetchPage = -1;
        prepareFetch();
        boolean trap = (s.rflags & FLAG_TF) != 0;
        if ((s.dr[7] & 0xFF) != 0 && instructionBreakpoint()) return;
        dataHits = 0;
        try {
            DecodedInsn d;
            if (fastFetch >= 0) {
                d = cachedDecode(fastFetch, s.cs.db);
            } else {
                d = scratchInsn;
                Decoder.decode(this, d, s.cs.db);
            }
            if (d.fastKind >= FK_REG_ONLY) {
                // Register-only forms never read this.d: no reference store (and GC barrier) per instruction.
                fastExecute(d);
            } else if ((this.d = d).fastKind != FK_NONE) {
                fastExecute(d);
            } else if ((d.lock || ((d.op == 0x86 || d.op == 0x87) && d.mem))) {
                // Locked read-modify-write is atomic against every other vCPU's locked operations.
                synchronized (BUS_LOCK) {
                    execute();
                }
            } else {
                execute(); // resolves pending flags first
            }
            boolean single = trap && d.op != 0xCC && d.op != 0xCD && d.op != 0xCE && d.op != 0xF1;
            if (single || dataHits != 0) debugTrap(single);
        } catch (CpuFault f) {
            s.rip = eipStart;
            s.interruptShadow = false;
            exception(f.vector, f.hasErrorCode, f.errorCode);
        }
    }

    private void stepLong() {
        try {
            longExec.step();
        } catch (CpuFault f) {
            s.rip = eipStart;
            s.interruptShadow = false;
            exception(f.vector, f.hasErrorCode, f.errorCode);
        }
    }

    /** Bits 0-3: the data breakpoints the current instruction hit (reported by a #DB trap after it). */
    private int dataHits;
    /** Some DRn is enabled as a data breakpoint (R/W = 01 or 11): memory accesses are compared. */
    private boolean dataBreakpoints;

    private void armDataBreakpoints() {
        long dr7 = s.dr[7];
        boolean any = false;
        for (int i = 0; i < 4; i++) {
            if (((dr7 >>> (2 * i)) & 3) != 0 && ((dr7 >>> (16 + 4 * i)) & 1) != 0) any = true;
        }
        dataBreakpoints = any;
    }

    /**
     * Data breakpoints (SDM Vol. 3A 18.2.4, 18.2.5): R/W = 01 writes, 11 reads or writes; LEN 00/01/11/10 =
     * 1/2/4/8 bytes, the address aligned down to the length; any overlapping byte of the access hits.
     */
    private void dataBreakpoint(long lin, int size, boolean write) {
        if (!s.longMode()) lin &= 0xFFFF_FFFFL;
        long dr7 = s.dr[7];
        for (int i = 0; i < 4; i++) {
            int rw = (int) (dr7 >>> (16 + 4 * i)) & 3;
            if (((dr7 >>> (2 * i)) & 3) == 0 || (rw != 1 && rw != 3) || (rw == 1 && !write)) continue;
            int lenCode = (int) (dr7 >>> (18 + 4 * i)) & 3;
            int len = lenCode == 0 ? 1 : lenCode == 1 ? 2 : lenCode == 3 ? 4 : 8;
            long start = s.dr[i] & -len;
            if (lin < start + len && start < lin + size) dataHits |= 1 << i;
        }
    }

    /**
     * Instruction breakpoints (SDM Vol. 3A 18.2.4, 18.3.1.1): an enabled DRn with R/W = 00 at the linear
     * address of the next instruction raises a #DB fault before it executes, with DR6.Bn set. EFLAGS.RF
     * (set by the handler's IRET) suppresses them for one instruction.
     */
    private boolean instructionBreakpoint() {
        if ((s.rflags & FLAG_RF) != 0) {
            s.rflags &= ~FLAG_RF;
            return false;
        }
        long dr7 = s.dr[7];
        long lin = s.cs.base + s.rip;
        if (!s.longMode()) lin &= 0xFFFF_FFFFL;
        int hit = 0;
        for (int i = 0; i < 4; i++) {
            if (((dr7 >>> (2 * i)) & 3) != 0 && ((dr7 >>> (16 + 4 * i)) & 3) == 0 && s.dr[i] == lin) hit |= 1 << i;
        }
        if (hit == 0) return false;
        s.dr[6] = (s.dr[6] & ~0xFL) | hit;
        s.interruptShadow = false;
        exception(DB, false, 0);
        return true;
    }

    /**
     * A #DB trap after the instruction: EFLAGS.TF was set before it (DR6.BS, SDM Vol. 3A 18.3.1.4) and/or
     * it hit data breakpoints (DR6.Bn, 18.3.1.2); one #DB reports both.
     */
    private void debugTrap(boolean single) {
        if (single) s.dr[6] |= 0x4000;
        if (dataHits != 0) s.dr[6] = (s.dr[6] & ~0xFL) | dataHits;
        dataHits = 0;
        eipStart = s.rip;
        interrupt(DB, false, 0, false, true);
    }

    /** Whether a maskable interrupt may be taken now (IF set, no shadow). */
    public boolean interruptsEnabled() {
        return (s.rflags & FLAG_IF) != 0 && !s.interruptShadow;
    }

    /** Delivers an external interrupt (INTR acknowledge or NMI) at the current boundary. */
    public void externalInterrupt(int vector) {
        s.flags();
        s.halted = false;
        eipStart = s.rip;
        logInterrupt("external", vector, false, 0);
        try {
            interrupt(vector, false, 0, false, true);
        } catch (CpuFault f) {
            exception(f.vector, f.hasErrorCode, f.errorCode);
        }
    }

    // =====================================================================================
    // Code fetch
    // =====================================================================================

    @Override
    public int codeByte(int i) {
        if (fastFetch >= 0) return ram.getByte(fastFetch + i);
        long off = eipStart + i;
        SegmentRegister cs = s.cs;
        if (!cs.db) off &= 0xFFFF;
        off &= 0xFFFF_FFFFL;
        if (Long.compareUnsigned(off, cs.limit & 0xFFFF_FFFFL) > 0) throw gp(0);
        long lin = (cs.base + off) & 0xFFFF_FFFFL;
        if ((lin >>> 12) == fetchPage && fetchGen == mmu.generation) return ram.getByte(fetchRamOff + (lin & 0xFFF));
        boolean user = s.cpl() == 3;
        mmu.checkFetch(lin, user);
        int b = mmu.read8(lin, user);
        long page = mmu.cachedReadPage(lin, user);
        if (page >= 0) {
            fetchPage = lin >>> 12;
            fetchRamOff = page;
            fetchGen = mmu.generation;
            fetchUser = user;
        } else {
            fetchPage = -1;
        }
        return b;
    }

    private static final int DECODE_CACHE_BITS = 15, DECODE_CACHE_MASK = (1 << DECODE_CACHE_BITS) - 1;

    /**
     * Decoded instructions, direct-mapped by the RAM offset of their first byte. A hit is checked
     * against the bytes now in RAM (one or two 8-byte loads), so a write to code needs no invalidation.
     */
    private final DecodedInsn[] decodeCache = new DecodedInsn[1 << DECODE_CACHE_BITS];

    /** The decoded instruction at RAM offset {@code ro} (all 15 possible bytes in one page, see prepareFetch). */
    private DecodedInsn cachedDecode(long ro, boolean code32) {
        long key = ro << 1 | (code32 ? 1 : 0);
        int idx = (int) (ro ^ (ro >>> DECODE_CACHE_BITS)) & DECODE_CACHE_MASK;
        DecodedInsn e = decodeCache[idx];
        if (e != null && e.cacheKey == key && (ram.getLong(ro) & e.mask0) == e.bytes0
                && (e.length <= 8 || ram.getLong(ro + e.length - 8) == e.bytes1)) {
            return e;
        }
        if (e == null) decodeCache[idx] = e = new DecodedInsn();
        e.cacheKey = -1;
        Decoder.decode(this, e, code32);
        int len = e.length;
        e.mask0 = len >= 8 ? -1L : (1L << (8 * len)) - 1;
        e.bytes0 = ram.getLong(ro) & e.mask0;
        // Longer instructions: the last 8 bytes (overlapping the first 8), never past the instruction.
        e.bytes1 = len > 8 ? ram.getLong(ro + len - 8) : 0;
        e.fastKind = fastKind(e, code32);
        e.cacheKey = key;
        return e;
    }

    // Fast-path kinds: the commonest forms with 32-bit code and operand size and no LOCK, run by a small
    // method the JIT can compile whole instead of through the general execute() switch.
    // Kinds from FK_REG_ONLY on touch only registers and flags (and may raise only #GP(0) on a jump).
    private static final int FK_NONE = 0, FK_ALU_RM_R = 1, FK_ALU_R_RM = 2, FK_PUSH = 3, FK_POP = 4,
            FK_MOV_RM_R = 5, FK_MOV_R_RM = 6, FK_ALU_RM_IMM = 7, FK_TEST_RM_R = 8,
            FK_REG_ONLY = 9, FK_INC = 9, FK_DEC = 10, FK_JCC8 = 11, FK_JCC32 = 12, FK_JMP8 = 13, FK_MOV_R_IMM = 14,
            FK_ALU_RR = 15, FK_ALU_R_IMM = 16, FK_MOV_RR = 17;
    private static final long M32 = 0xFFFF_FFFFL;

    private static int fastKind(DecodedInsn d, boolean code32) {
        if (!code32 || !d.o32 || d.lock) return FK_NONE;
        int op = d.op;
        if (op < 0x40) {
            if ((op & 7) != 1 && (op & 7) != 3) return FK_NONE;
            return !d.mem ? FK_ALU_RR : (op & 7) == 1 ? FK_ALU_RM_R : FK_ALU_R_RM;
        }
        if (op < 0x48) return FK_INC;
        if (op < 0x50) return FK_DEC;
        if (op < 0x58) return FK_PUSH;
        if (op < 0x60) return FK_POP;
        if (op >= 0x70 && op <= 0x7F) return FK_JCC8;
        if (op >= 0x180 && op <= 0x18F) return FK_JCC32;
        if (op >= 0xB8 && op <= 0xBF) return FK_MOV_R_IMM;
        return switch (op) {
            case 0x81, 0x83 -> d.mem ? FK_ALU_RM_IMM : FK_ALU_R_IMM;
            case 0x85 -> d.mem ? FK_TEST_RM_R : FK_ALU_RR;
            case 0x89, 0x8B -> d.mem ? (op == 0x89 ? FK_MOV_RM_R : FK_MOV_R_RM) : FK_MOV_RR;
            case 0xEB -> FK_JMP8;
            default -> FK_NONE;
        };
    }

    /** PF of a result's low byte (SDM Vol. 1 3.4.3.1: set for an even number of 1 bits). */
    private static final long[] PARITY = new long[256];

    static {
        for (int i = 0; i < 256; i++) PARITY[i] = (Integer.bitCount(i) & 1) == 0 ? FLAG_PF : 0;
    }

    private void jump32(long target) {
        long t = target & M32;
        if (t > (s.cs.limit & M32)) throw gp(0);
        s.rip = t;
    }

    /** The forms of {@link #fastKind}, with exactly the semantics (and fault order) of {@link #execute()}. */
    private void fastExecute(DecodedInsn d) {
        long[] g = this.g;
        s.rip = (eipStart + d.length) & M32;
        switch (d.fastKind) {
            case FK_ALU_RR -> {
                // Register forms: 0x01-style writes r/m, 0x03-style writes reg; TEST (0x85) and CMP write nothing.
                int op = d.op;
                boolean toRm = (op & 2) == 0;
                int dst = toRm ? d.rm : d.reg, src = toRm ? d.reg : d.rm;
                int aop = op == 0x85 ? 4 : op >> 3;
                long r = FastArith.arith32(s, aop, g[dst] & M32, g[src] & M32);
                if (aop != 7 && op != 0x85) g[dst] = r;
            }
            case FK_ALU_R_IMM -> {
                long b = d.op == 0x83 ? (byte) d.imm & M32 : d.imm & M32;
                long r = FastArith.arith32(s, d.reg, g[d.rm] & M32, b);
                if (d.reg != 7) g[d.rm] = r;
            }
            case FK_MOV_RR -> {
                if (d.op == 0x89) g[d.rm] = g[d.reg] & M32;
                else g[d.reg] = g[d.rm] & M32;
            }
            case FK_ALU_RM_R -> {
                int aop = d.op >> 3;
                long r = FastArith.arith32(s, aop, rmRead(4), g[d.reg] & M32);
                if (aop != 7) rmWrite(4, r);
            }
            case FK_ALU_R_RM -> {
                int aop = d.op >> 3;
                long r = FastArith.arith32(s, aop, g[d.reg] & M32, rmRead(4));
                if (aop != 7) g[d.reg] = r;
            }
            case FK_INC -> {
                int reg = d.op & 7;
                g[reg] = FastArith.incDec(s, g[reg] & M32, false, false);
            }
            case FK_DEC -> {
                int reg = d.op & 7;
                g[reg] = FastArith.incDec(s, g[reg] & M32, false, true);
            }
            case FK_PUSH -> push(g[d.op & 7] & M32, 4);
            case FK_POP -> {
                long v = pop(4);
                g[d.op & 7] = v & M32;
            }
            case FK_JCC8 -> {
                if (s.cond(d.op & 15)) jump32(s.rip + (byte) d.imm);
            }
            case FK_JCC32 -> {
                if (s.cond(d.op & 15)) jump32(s.rip + (int) d.imm);
            }
            case FK_JMP8 -> jump32(s.rip + (byte) d.imm);
            case FK_MOV_RM_R -> rmStore(4, g[d.reg] & M32);
            case FK_MOV_R_RM -> g[d.reg] = rmRead(4);
            case FK_MOV_R_IMM -> g[d.op & 7] = d.imm & M32;
            case FK_ALU_RM_IMM -> {
                long b = d.op == 0x83 ? (byte) d.imm & M32 : d.imm & M32;
                long r = FastArith.arith32(s, d.reg, rmRead(4), b);
                if (d.reg != 7) rmWrite(4, r);
            }
            case FK_TEST_RM_R -> FastArith.arith32(s, 4, rmRead(4), g[d.reg] & M32);
            default -> execute();
        }
    }

    /** RAM offset of the current instruction when all 15 possible bytes are in the cached page and CS limit, else -1. */
    private long fastFetch = -1;

    private void prepareFetch() {
        fastFetch = -1;
        SegmentRegister cs = s.cs;
        long eip = eipStart;
        long lin = (cs.base + eip) & 0xFFFF_FFFFL;
        if ((lin >>> 12) != fetchPage || fetchGen != mmu.generation || (lin & 0xFFF) > 0x1000 - Decoder.MAX_LENGTH) return;
        long last = eip + Decoder.MAX_LENGTH - 1;
        if (Long.compareUnsigned(last, cs.limit & 0xFFFF_FFFFL) > 0 || (!cs.db && last > 0xFFFF)) return;
        fastFetch = fetchRamOff + (lin & 0xFFF);
    }

    /** The page instructions are being fetched from (linear page number, RAM offset), valid for one TLB generation and CPL. */
    private long fetchPage = -1, fetchRamOff;
    private int fetchGen;
    private boolean fetchUser;

    // =====================================================================================
    // Registers
    // =====================================================================================

    private long reg(int size, int r) {
        return switch (size) {
            case 1 -> r < 4 ? g[r] & 0xFF : (g[r - 4] >>> 8) & 0xFF;
            case 2 -> g[r] & 0xFFFF;
            default -> g[r] & 0xFFFF_FFFFL;
        };
    }

    private void setReg(int size, int r, long v) {
        switch (size) {
            case 1 -> {
                if (r < 4) g[r] = (g[r] & ~0xFFL) | (v & 0xFF);
                else g[r - 4] = (g[r - 4] & ~0xFF00L) | ((v & 0xFF) << 8);
            }
            case 2 -> g[r] = (g[r] & ~0xFFFFL) | (v & 0xFFFF);
            default -> g[r] = v & 0xFFFF_FFFFL;
        }
    }

    private static long mask(int size) {
        return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFF_FFFFL;
    }

    private static long sext(long v, int size) {
        return size == 1 ? (byte) v : size == 2 ? (short) v : (int) v;
    }

    // =====================================================================================
    // Memory through segments
    // =====================================================================================

    private boolean user() { return s.cpl() == 3; }

    private long ea() {
        DecodedInsn d = this.d;
        long v = d.disp;
        if (d.base >= 0) v += g[d.base];
        if (d.index >= 0) v += g[d.index] << d.scale;
        return d.a32 ? v & 0xFFFF_FFFFL : v & 0xFFFF;
    }

    private void checkSeg(int sr, long off, int size, boolean write) {
        SegmentRegister sg = s.seg[sr];
        if (s.protectedMode() && (s.rflags & FLAG_VM) == 0) {
            if (sg.unusable || !sg.present) throw segFault(sr);
            if (write) {
                if ((sg.type & 8) != 0 || (sg.type & 2) == 0) throw segFault(sr);
            } else if ((sg.type & 0xA) == 8) {
                throw gp(0);
            }
        }
        long lim = sg.limit & 0xFFFF_FFFFL;
        long last = off + size - 1;
        if ((sg.type & 0xC) == 4 && sg.s) {
            long top = sg.db ? 0xFFFF_FFFFL : 0xFFFF;
            if (off <= lim || last > top) throw segFault(sr);
        } else if (last > lim) {
            throw segFault(sr);
        }
    }

    /** Limit and rights violations: #SS for the stack segment, else #GP (SDM Vol. 3A 6.15). */
    private CpuFault segFault(int sr) {
        return sr == SS && !leaveInProgress ? fault.set(SSF, true, 0) : gp(0);
    }

    /** LEAVE reads through EBP but faults with #GP, not #SS (SDM Vol. 2 LEAVE, real-address mode exceptions). */
    private boolean leaveInProgress;

    /**
     * #AC(0) for a misaligned data access at CPL 3 with CR0.AM and EFLAGS.AC (SDM Vol. 3A 6.15, interrupt 17),
     * after the segment checks and after paging: #GP, #SS and #PF have priority (Table 6-2).
     */
    private void checkAlignment(int sr, long off, int size, boolean write) {
        if ((s.cr0 & CR0_AM) != 0 && s.cpl() == 3 && size > 1 && ((s.seg[sr].base + off) & (size - 1)) != 0) {
            mmu.probe(s.seg[sr].base + off, size, write, true);
            throw fault(AC, 0);
        }
    }

    long readMem(int sr, long off, int size) {
        checkSeg(sr, off, size, false);
        if ((s.rflags & FLAG_AC) != 0) checkAlignment(sr, off, size, false);
        long v = mmu.read(s.seg[sr].base + off, size, user());
        if (dataBreakpoints) dataBreakpoint(s.seg[sr].base + off, size, false);
        if (mmu.mmioAccessed) mmioBreak();
        return v;
    }

    void writeMem(int sr, long off, int size, long v) {
        checkSeg(sr, off, size, true);
        if ((s.rflags & FLAG_AC) != 0) checkAlignment(sr, off, size, true);
        mmu.write(s.seg[sr].base + off, size, v, user());
        if (dataBreakpoints) dataBreakpoint(s.seg[sr].base + off, size, true);
        if (mmu.mmioAccessed) mmioBreak();
    }

    /** An MMIO access ends the batch, as port I/O does, so a timer the device is about to fire is run in time. */
    private void mmioBreak() {
        mmu.mmioAccessed = false;
        breakBatch = true;
    }

    private long rmRead(int size) {
        if (!d.mem) return reg(size, d.rm);
        curOff = ea();
        return readMem(d.seg, curOff, size);
    }

    private void rmWrite(int size, long v) {
        if (!d.mem) setReg(size, d.rm, v);
        else writeMem(d.seg, curOff, size, v);
    }

    /** Writes the r/m operand without a previous read (MOV, SETcc, POP r/m). */
    private void rmStore(int size, long v) {
        if (!d.mem) setReg(size, d.rm, v);
        else writeMem(d.seg, ea(), size, v);
    }

    // ---- stack ----

    private long spMask() { return s.ss.db ? 0xFFFF_FFFFL : 0xFFFF; }

    private void setSp(long v) {
        if (s.ss.db) g[RSP] = v & 0xFFFF_FFFFL;
        else g[RSP] = (g[RSP] & ~0xFFFFL) | (v & 0xFFFF);
    }

    void push(long v, int size) {
        long sp = (g[RSP] - size) & spMask();
        writeMem(SS, sp, size, v);
        setSp(sp);
    }

    long pop(int size) {
        long sp = g[RSP] & spMask();
        long v = readMem(SS, sp, size);
        setSp(sp + size);
        return v;
    }

    private long peek(int size, int at) {
        return readMem(SS, (g[RSP] + at) & spMask(), size);
    }

    // =====================================================================================
    // Faults
    // =====================================================================================

    private CpuFault gp(int err) { return fault.set(GP, true, err); }

    private CpuFault ud() { return fault.set(UD, false, 0); }

    private CpuFault fault(int vec, int err) { return fault.set(vec, true, err); }

    private static int exceptionClass(int v) {
        return switch (v) {
            case 0, 10, 11, 12, 13 -> 1; // contributory
            case 14 -> 2;                // page fault
            default -> 0;                // benign
        };
    }

    /** Delivers a fault, escalating to #DF and to a triple fault (shutdown) per SDM Vol. 3A Table 6-5. */
    private int lastException = -1;

    /** The vector of the last exception this CPU raised (not external interrupts), or -1; for tests and debugging. */
    public int lastException() { return lastException; }

    public void clearLastException() { lastException = -1; }

    /** {@code -d int}: one line per exception or interrupt delivered, as QEMU's {@code -d int}. */
    private static final System.Logger INT_LOG = System.getLogger("dev.jvirt.cpu.int");

    private void logInterrupt(String kind, int vec, boolean hasErr, int err) {
        if (!INT_LOG.isLoggable(System.Logger.Level.DEBUG)) return;
        INT_LOG.log(System.Logger.Level.DEBUG, String.format("%s v=%02x e=%s cpl=%d cs:rip=%04x:%x rsp=%x rax=%x rcx=%x rdx=%x cr2=%x cr0=%x cr3=%x cr4=%x efer=%x",
                kind, vec, hasErr ? String.format("%04x", err) : "-", s.cpl(), s.cs.selector, s.rip, g[RSP], g[RAX], g[RCX], g[RDX],
                s.cr2, s.cr0, s.cr3, s.cr4, s.efer)
                + (kind.equals("exception") ? " code=" + codeBytes() : ""));
    }

    /**
     * Up to 16 bytes at CS:RIP for the log, or what could be read of them. A page fault on the way must not
     * show: CR2 is put back (the bytes were fetched a moment ago, so their accessed bits are already set).
     */
    private String codeBytes() {
        StringBuilder b = new StringBuilder();
        long lin = s.cs.base + s.rip;
        long cr2 = s.cr2;
        for (int i = 0; i < 16; i++) {
            try {
                b.append(String.format("%02x", mmu.read(lin + i, 1, false)));
            } catch (RuntimeException f) {
                break;
            }
        }
        s.cr2 = cr2;
        return b.toString();
    }

    private void exception(int vec, boolean hasErr, int err) {
        s.flags();
        lastException = vec;
        logInterrupt("exception", vec, hasErr, err);
        long rsp = g[RSP];
        while (true) {
            try {
                interrupt(vec, hasErr, err, false, true);
                return;
            } catch (CpuFault f2) {
                g[RSP] = rsp;
                s.rip = eipStart;
                if (vec == DF) {
                    shutdown = true;
                    s.halted = true;
                    return;
                }
                int c1 = exceptionClass(vec), c2 = exceptionClass(f2.vector);
                boolean dbl = (c1 == 1 && c2 == 1) || (c1 == 2 && c2 != 0);
                if (dbl) {
                    vec = DF;
                    hasErr = true;
                    err = 0;
                } else {
                    vec = f2.vector;
                    hasErr = f2.hasErrorCode;
                    err = f2.errorCode;
                }
            }
        }
    }

    /**
     * Vectors through the IVT (real mode) or IDT. {@code software}: INT n/INT3/INTO (gate DPL checked);
     * {@code external}: hardware interrupt or exception (EXT bit of error codes).
     */
    private void interrupt(int vec, boolean hasErr, int err, boolean software, boolean external) {
        s.flags();
        // A fault while delivering must leave the interrupted context intact for the next attempt.
        intCs.copyFrom(s.cs);
        intSs.copyFrom(s.ss);
        long rsp = g[RSP], rip = s.rip, flags = s.rflags;
        try {
            deliver(vec, hasErr, err, software, external);
        } catch (CpuFault f) {
            s.cs.copyFrom(intCs);
            s.ss.copyFrom(intSs);
            g[RSP] = rsp;
            s.rip = rip;
            s.rflags = flags;
            throw f;
        }
    }

    private final SegmentRegister intCs = new SegmentRegister(), intSs = new SegmentRegister();

    private void deliver(int vec, boolean hasErr, int err, boolean software, boolean external) {
        if (!s.protectedMode()) {
            if (vec * 4 + 3 > s.idtLimit) throw gp(0);
            long ent = mmu.read(s.idtBase + vec * 4L, 4, false);
            push(flagsImage() & 0xFFFF, 2);
            push(s.cs.selector, 2);
            push(s.rip & 0xFFFF, 2);
            s.rflags &= ~(FLAG_IF | FLAG_TF | FLAG_AC | FLAG_RF);
            s.cs.loadReal((int) (ent >>> 16));
            s.rip = ent & 0xFFFF;
            return;
        }
        int ext = external && !software ? 1 : 0;
        if (s.longMode()) {
            longInt.deliver(vec, hasErr, err, software, ext, flagsImage());
            return;
        }
        if (vec * 8 + 7 > s.idtLimit) throw gp(vec * 8 + 2 + ext);
        long lo = mmu.read(s.idtBase + vec * 8L, 4, false);
        long hi = mmu.read(s.idtBase + vec * 8L + 4, 4, false);
        int type = (int) (hi >>> 8) & 0x1F;
        int gdpl = (int) (hi >>> 13) & 3;
        if (type != 0x05 && type != 0x06 && type != 0x07 && type != 0x0E && type != 0x0F) throw gp(vec * 8 + 2 + ext);
        if (software && gdpl < s.cpl()) throw gp(vec * 8 + 2);
        if ((hi & 0x8000) == 0) throw fault(NP, vec * 8 + 2 + ext);
        if (type == 0x05) {
            int tss = (int) (lo >>> 16);
            long[] td = new long[2];
            loadTssDescriptor(tss, td, ext);
            taskSwitch(tss, td, TASK_CALL);
            if (hasErr) push(err, (int) ((td[1] >>> 8) & 8) != 0 ? 4 : 2);
            return;
        }
        boolean gate32 = (type & 8) != 0;
        int sel = (int) (lo >>> 16);
        long off = gate32 ? (lo & 0xFFFF) | (hi & 0xFFFF_0000L) : lo & 0xFFFF;
        if ((sel & ~3) == 0) throw gp(ext);
        long[] desc = descTmp;
        readDescriptor(sel, desc, ext);
        int dtype = (int) (desc[1] >>> 8) & 0x1F;
        int ddpl = (int) (desc[1] >>> 13) & 3;
        if ((dtype & 0x18) != 0x18 || ddpl > s.cpl()) throw gp((sel & ~3) + ext);
        if ((desc[1] & 0x8000) == 0) throw fault(NP, (sel & ~3) + ext);
        long oldFlags = flagsImage();
        int size = gate32 ? 4 : 2;
        int cpl = s.cpl();
        // From virtual-8086 mode only to a ring-0 non-conforming handler (SDM Vol. 3A 20.3.1.1).
        boolean fromV86 = (oldFlags & FLAG_VM) != 0;
        if (fromV86 && (ddpl != 0 || (dtype & 4) != 0 || !gate32)) throw gp((sel & ~3) + ext);
        if ((dtype & 4) == 0 && ddpl < cpl) {
            // Inner privilege: the new stack comes from the TSS (SDM Vol. 3A 6.12.1).
            int oldSs = s.ss.selector;
            long oldEsp = g[RSP] & 0xFFFF_FFFFL;
            long newSp;
            int newSs;
            if ((s.tr.type & 8) != 0) {
                newSp = mmu.read(s.tr.base + 4 + ddpl * 8L, 4, false);
                newSs = (int) mmu.read(s.tr.base + 8 + ddpl * 8L, 2, false);
            } else {
                newSp = mmu.read(s.tr.base + 2 + ddpl * 4L, 2, false);
                newSs = (int) mmu.read(s.tr.base + 4 + ddpl * 4L, 2, false);
            }
            SegmentRegister saveSs = ssTmp;
            saveSs.copyFrom(s.ss);
            loadStackForPrivilege(newSs, ddpl, ext);
            g[RSP] = newSp;
            try {
                if (fromV86) s.rflags &= ~FLAG_VM;
                setCsFromDesc(sel, desc, ddpl);
                if (fromV86) {
                    push(s.gs.selector, 4);
                    push(s.fs.selector, 4);
                    push(s.ds.selector, 4);
                    push(s.es.selector, 4);
                }
                push(oldSs, size);
                push(oldEsp, size);
                if (fromV86) {
                    for (SegmentRegister r : new SegmentRegister[] {s.es, s.ds, s.fs, s.gs}) {
                        r.selector = 0;
                        r.base = 0;
                        r.unusable = true;
                        r.present = false;
                    }
                }
            } catch (CpuFault f) {
                s.ss.copyFrom(saveSs);
                throw f;
            }
        } else {
            setCsFromDesc(sel, desc, (dtype & 4) != 0 ? cpl : ddpl);
        }
        push(oldFlags, size);
        push(csTmpSel, size);
        push(s.rip, size);
        if (hasErr) push(err, size);
        s.rip = off;
        s.rflags &= ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM);
        if ((type & 1) == 0) s.rflags &= ~FLAG_IF;
    }

    private final long[] descTmp = new long[2];
    private final SegmentRegister ssTmp = new SegmentRegister();
    private int csTmpSel;

    /** Loads CS from a descriptor already checked, remembering the old selector for the push. */
    private void setCsFromDesc(int sel, long[] desc, int cpl) {
        csTmpSel = s.cs.selector;
        fillCache(s.cs, (sel & ~3) | cpl, desc);
        s.cs.dpl = cpl == s.cs.dpl ? s.cs.dpl : s.cs.dpl;
        s.cs.selector = (sel & ~3) | cpl;
        if ((desc[1] & 0x400) == 0) s.cs.dpl = cpl; // non-conforming: CPL = DPL
        else s.cs.dpl = cpl;
    }

    private void loadStackForPrivilege(int sel, int dpl, int ext) {
        if ((sel & ~3) == 0) throw fault(TS, ext);
        long[] desc = new long[2];
        readDescriptor(sel, desc, ext);
        int type = (int) (desc[1] >>> 8) & 0x1F;
        if ((sel & 3) != dpl || ((desc[1] >>> 13) & 3) != dpl || (type & 0x1A) != 0x12) throw fault(TS, (sel & ~3) + ext);
        if ((desc[1] & 0x8000) == 0) throw fault(SSF, (sel & ~3) + ext);
        fillCache(s.ss, sel, desc);
    }

    /** Reads the 8-byte descriptor for {@code sel} from the GDT or LDT, #GP(sel) past the limit. */
    private void readDescriptor(int sel, long[] out, int ext) {
        long base;
        int limit;
        if ((sel & 4) != 0) {
            if (s.ldtr.unusable || (s.ldtr.selector & ~3) == 0) throw gp((sel & ~3) + ext);
            base = s.ldtr.base;
            limit = s.ldtr.limit;
        } else {
            base = s.gdtBase;
            limit = s.gdtLimit;
        }
        int idx = sel & ~7;
        if (Long.compareUnsigned(idx + 7L, limit & 0xFFFF_FFFFL) > 0) throw gp((sel & ~3) + ext);
        out[0] = mmu.read(base + idx, 4, false);
        out[1] = mmu.read(base + idx + 4, 4, false);
    }

    private void setAccessed(int sel, long[] desc) {
        if ((desc[1] & 0x100) != 0) return;
        desc[1] |= 0x100;
        long base = (sel & 4) != 0 ? s.ldtr.base : s.gdtBase;
        mmu.write(base + (sel & ~7) + 4, 4, desc[1], false);
    }

    private static void fillCache(SegmentRegister r, int sel, long[] desc) {
        long lo = desc[0], hi = desc[1];
        r.selector = sel & 0xFFFF;
        r.base = (lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF00_0000L);
        long lim = (lo & 0xFFFF) | (hi & 0xF_0000L);
        if ((hi & (1L << 23)) != 0) lim = (lim << 12) | 0xFFF;
        r.limit = (int) lim;
        r.setAccessRights((int) ((hi >>> 8) & 0xF0FF));
    }

    /** MOV/POP/LDS-style segment load with the protected-mode checks of SDM Vol. 2 (MOV, POP). */
    void loadSegment(int sr, int sel) {
        sel &= 0xFFFF;
        SegmentRegister r = s.seg[sr];
        if (sr == SS) s.interruptShadow = true; // MOV SS / POP SS: no interrupt before the next instruction
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0) {
            r.loadReal(sel);
            if ((s.rflags & FLAG_VM) != 0) {
                r.limit = 0xFFFF;
                r.dpl = 3;
                r.type = sr == CS ? 0xB : 3;
                r.s = r.present = true;
                r.db = r.g = r.unusable = false;
            }
            return;
        }
        int cpl = s.cpl();
        if ((sel & ~3) == 0) {
            // 64-bit mode allows a null SS below CPL 3 with RPL = CPL (SDM Vol. 2 MOV); its DPL stays the CPL
            if (sr == SS && !(s.cs.l && s.longMode() && cpl != 3 && (sel & 3) == cpl)) throw gp(0);
            r.selector = sel;
            r.base = 0;
            r.limit = 0;
            r.unusable = true;
            r.present = false;
            return;
        }
        long[] desc = descTmp;
        readDescriptor(sel, desc, 0);
        int type = (int) (desc[1] >>> 8) & 0x1F;
        int dpl = (int) (desc[1] >>> 13) & 3;
        int rpl = sel & 3;
        if (sr == SS) {
            if (rpl != cpl || dpl != cpl || (type & 0x1A) != 0x12) throw gp(sel & ~3);
            if ((desc[1] & 0x8000) == 0) throw fault(SSF, sel & ~3);
        } else {
            if ((type & 0x10) == 0 || (type & 0x1A) == 0x18) throw gp(sel & ~3);
            boolean conformingCode = (type & 0x1C) == 0x1C;
            if (!conformingCode && (dpl < cpl || dpl < rpl)) throw gp(sel & ~3);
            if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
        }
        setAccessed(sel, desc);
        fillCache(r, sel, desc);
    }

    /** Far JMP/CALL target: a code segment at the same privilege (conforming: DPL <= CPL). */
    private void loadCsFar(int sel, long eip, boolean call, int size) {
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0) {
            if (call) {
                push(s.cs.selector, size);
                push(s.rip, size);
            }
            loadSegment(CS, sel);
            s.rip = eip & (size == 4 ? 0xFFFF_FFFFL : 0xFFFF);
            return;
        }
        if ((sel & ~3) == 0) throw gp(0);
        long[] desc = descTmp;
        readDescriptor(sel, desc, 0);
        int type = (int) (desc[1] >>> 8) & 0x1F;
        int dpl = (int) (desc[1] >>> 13) & 3;
        int cpl = s.cpl();
        if ((type & 0x18) != 0x18) {
            if (type == 0x0C || type == 0x04) { callGate(sel, desc, call, size); return; }
            if (type == 0x09 || type == 0x01 || type == 0x05) {
                int dpl0 = (int) (desc[1] >>> 13) & 3;
                if (dpl0 < cpl || dpl0 < (sel & 3)) throw gp(sel & ~3);
                if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
                int tss = sel;
                long[] td = desc;
                if (type == 0x05) {
                    tss = (int) (desc[0] >>> 16);
                    td = new long[2];
                    loadTssDescriptor(tss, td, 0);
                }
                taskSwitch(tss, td, call ? TASK_CALL : TASK_JMP);
                return;
            }
            throw gp(sel & ~3);
        }
        if ((type & 4) != 0 ? dpl > cpl : (dpl != cpl || (sel & 3) > cpl)) throw gp(sel & ~3);
        if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
        long lim = ((desc[0] & 0xFFFF) | (desc[1] & 0xF_0000L));
        if ((desc[1] & (1L << 23)) != 0) lim = (lim << 12) | 0xFFF;
        if (eip > lim) throw gp(0);
        if (call) {
            push(s.cs.selector, size);
            push(s.rip, size);
        }
        setAccessed(sel, desc);
        fillCache(s.cs, (sel & ~3) | cpl, desc);
        s.cs.dpl = cpl;
        s.rip = eip;
    }

    /** Call gates to the same or an inner privilege level (SDM Vol. 3A 5.8.5). */
    private void callGate(int gateSel, long[] gate, boolean call, int size) {
        int gdpl = (int) (gate[1] >>> 13) & 3;
        int cpl = s.cpl();
        if (gdpl < cpl || gdpl < (gateSel & 3)) throw gp(gateSel & ~3);
        if ((gate[1] & 0x8000) == 0) throw fault(NP, gateSel & ~3);
        boolean gate32 = ((gate[1] >>> 8) & 8) != 0;
        int sel = (int) (gate[0] >>> 16);
        long off = gate32 ? (gate[0] & 0xFFFF) | (gate[1] & 0xFFFF_0000L) : gate[0] & 0xFFFF;
        if ((sel & ~3) == 0) throw gp(0);
        long[] desc = new long[2];
        readDescriptor(sel, desc, 0);
        int type = (int) (desc[1] >>> 8) & 0x1F;
        int dpl = (int) (desc[1] >>> 13) & 3;
        if ((type & 0x18) != 0x18 || dpl > cpl) throw gp(sel & ~3);
        if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
        int psize = gate32 ? 4 : 2;
        if (call && (type & 4) == 0 && dpl < cpl) {
            int oldSs = s.ss.selector;
            long oldEsp = g[RSP] & 0xFFFF_FFFFL;
            // Parameters are copied from the caller's stack (SDM Vol. 3A 5.8.5, the gate's count field).
            int count = (int) (gate[1] & 0x1F);
            long[] params = paramTmp;
            for (int i = 0; i < count; i++) params[i] = readMem(SS, (oldEsp + (long) i * psize) & spMask(), psize);
            boolean tss32 = (s.tr.type & 8) != 0;
            long newSp = mmu.read(s.tr.base + (tss32 ? 4 + dpl * 8L : 2 + dpl * 4L), tss32 ? 4 : 2, false);
            int newSs = (int) mmu.read(s.tr.base + (tss32 ? 8 + dpl * 8L : 4 + dpl * 4L), 2, false);
            loadStackForPrivilege(newSs, dpl, 0);
            g[RSP] = newSp;
            push(oldSs, psize);
            push(oldEsp, psize);
            for (int i = count - 1; i >= 0; i--) push(params[i], psize);
            cpl = dpl;
        }
        if (call) {
            push(s.cs.selector, psize);
            push(s.rip, psize);
        }
        int newCpl = (type & 4) != 0 ? cpl : dpl;
        fillCache(s.cs, (sel & ~3) | newCpl, desc);
        s.cs.dpl = newCpl;
        s.rip = off;
    }

    private final long[] paramTmp = new long[32];

    private static final int TASK_JMP = 0, TASK_CALL = 1, TASK_IRET = 2;

    /** The TSS a task gate names: a GDT descriptor of an available 16- or 32-bit TSS (SDM Vol. 3A Table 8-1). */
    private void loadTssDescriptor(int sel, long[] td, int ext) {
        if ((sel & 4) != 0 || (sel & ~3) == 0) throw gp((sel & ~3) + ext);
        readDescriptor(sel, td, ext);
        int type = (int) (td[1] >>> 8) & 0x1F;
        if (type != 0x09 && type != 0x01) throw gp((sel & ~3) + ext);
        if ((td[1] & 0x8000) == 0) throw fault(NP, (sel & ~3) + ext);
    }

    /**
     * A hardware task switch (SDM Vol. 3A 8.3) between 16-bit (Figure 8-11) and 32-bit TSSs in any mix:
     * saves the current task in its TSS format, marks busy bits and the back link by {@code reason}, and
     * loads the new task's registers, CR3 (32-bit TSS only) and LDT.
     */
    private void taskSwitch(int sel, long[] desc, int reason) {
        boolean new32 = ((desc[1] >>> 8) & 8) != 0;
        long newLimit = (desc[0] & 0xFFFF) | (desc[1] & 0xF_0000L);
        if ((desc[1] & (1L << 23)) != 0) newLimit = (newLimit << 12) | 0xFFF;
        if (newLimit < (new32 ? 0x67 : 0x2B)) throw fault(TS, sel & ~3);
        long newBase = (desc[0] >>> 16) | ((desc[1] & 0xFF) << 16) | (desc[1] & 0xFF00_0000L);
        long oldBase = s.tr.base;
        long flags = flagsImage();
        if (reason == TASK_IRET) flags &= ~FLAG_NT;
        if ((s.tr.type & 8) != 0) {
            mmu.write(oldBase + 0x20, 4, s.rip, false);
            mmu.write(oldBase + 0x24, 4, flags, false);
            for (int r = 0; r < 8; r++) mmu.write(oldBase + 0x28 + 4L * r, 4, g[r], false);
            for (int sr = 0; sr < 6; sr++) mmu.write(oldBase + 0x48 + 4L * sr, 2, s.seg[sr].selector, false);
        } else {
            mmu.write(oldBase + 0x0E, 2, s.rip, false);
            mmu.write(oldBase + 0x10, 2, flags, false);
            for (int r = 0; r < 8; r++) mmu.write(oldBase + 0x12 + 2L * r, 2, g[r], false);
            for (int sr = 0; sr < 4; sr++) mmu.write(oldBase + 0x22 + 2L * sr, 2, s.seg[sr].selector, false);
        }
        if (reason != TASK_CALL) setBusy(s.tr.selector, false);
        if (reason != TASK_IRET) {
            setBusy(sel, true);
            desc[1] |= 0x200;
        }
        if (reason == TASK_CALL) mmu.write(newBase, 2, s.tr.selector, false);
        long eip, nflags, cr3 = s.cr3;
        int ldt;
        long[] regs = pushaTmp;
        int[] sels = tssSels;
        if (new32) {
            eip = mmu.read(newBase + 0x20, 4, false);
            nflags = mmu.read(newBase + 0x24, 4, false);
            for (int r = 0; r < 8; r++) regs[r] = mmu.read(newBase + 0x28 + 4L * r, 4, false);
            for (int sr = 0; sr < 6; sr++) sels[sr] = (int) mmu.read(newBase + 0x48 + 4L * sr, 2, false);
            ldt = (int) mmu.read(newBase + 0x60, 2, false);
            cr3 = mmu.read(newBase + 0x1C, 4, false);
        } else {
            // A 16-bit TSS holds no upper halves, FS, GS or CR3: the upper register words read as ones
            // and FS/GS become null, as on the 386 (and Bochs); CR3 is left unchanged.
            eip = mmu.read(newBase + 0x0E, 2, false);
            nflags = mmu.read(newBase + 0x10, 2, false);
            for (int r = 0; r < 8; r++) regs[r] = 0xFFFF_0000L | mmu.read(newBase + 0x12 + 2L * r, 2, false);
            for (int sr = 0; sr < 4; sr++) sels[sr] = (int) mmu.read(newBase + 0x22 + 2L * sr, 2, false);
            sels[FS] = 0;
            sels[GS] = 0;
            ldt = (int) mmu.read(newBase + 0x2A, 2, false);
        }
        fillCache(s.tr, sel, desc);
        s.cr0 |= CR0_TS;
        if (new32 && (s.cr0 & CR0_PG) != 0 && cr3 != s.cr3) {
            s.cr3 = cr3;
            mmu.flushNonGlobal();
        }
        if (reason == TASK_CALL) nflags |= FLAG_NT;
        s.rflags = (nflags & 0x3F_7FD7L) | 2;
        s.rip = eip;
        for (int r = 0; r < 8; r++) g[r] = regs[r];
        // The new task's segments (faults here are reported as #TS with the selector).
        try {
            if ((ldt & ~3) == 0) {
                s.ldtr.selector = ldt;
                s.ldtr.unusable = true;
            } else {
                long[] ld = new long[2];
                if ((ldt & 4) != 0) throw fault(TS, ldt & ~3);
                readDescriptor(ldt, ld, 0);
                if (((ld[1] >>> 8) & 0x1F) != 2) throw fault(TS, ldt & ~3);
                if ((ld[1] & 0x8000) == 0) throw fault(TS, ldt & ~3);
                fillCache(s.ldtr, ldt, ld);
            }
            if ((nflags & FLAG_VM) != 0) {
                for (int sr = 0; sr < 6; sr++) loadSegment(sr, sels[sr]);
                return;
            }
            int csSel = sels[CS];
            if ((csSel & ~3) == 0) throw fault(TS, 0);
            long[] cd = new long[2];
            readDescriptor(csSel, cd, 0);
            int ctype = (int) (cd[1] >>> 8) & 0x1F, cdpl = (int) (cd[1] >>> 13) & 3;
            if ((ctype & 0x18) != 0x18) throw fault(TS, csSel & ~3);
            // Non-conforming code: DPL = RPL; conforming: DPL <= RPL (SDM Vol. 3A Table 8-1).
            if ((ctype & 4) == 0 ? cdpl != (csSel & 3) : cdpl > (csSel & 3)) throw fault(TS, csSel & ~3);
            if ((cd[1] & 0x8000) == 0) throw fault(NP, csSel & ~3);
            fillCache(s.cs, csSel, cd);
            s.cs.dpl = csSel & 3;
            loadSegment(SS, sels[SS]);
            for (int sr : new int[] {ES, DS, FS, GS}) loadSegment(sr, sels[sr]);
        } catch (CpuFault f) {
            if (f.vector == GP) throw fault(TS, f.errorCode);
            throw f;
        }
    }

    private final int[] tssSels = new int[6];

    private void setBusy(int sel, boolean busy) {
        long addr = s.gdtBase + (sel & ~7) + 4;
        long hi = mmu.read(addr, 4, false);
        mmu.write(addr, 4, busy ? hi | 0x200 : hi & ~0x200L, false);
    }

    /** RETF and IRET to the same or an outer privilege level. */
    private void farReturn(int size, long eip, int sel, long popExtra) {
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0) {
            loadSegment(CS, sel);
            s.rip = eip;
            setSp((g[RSP] & spMask()) + popExtra);
            return;
        }
        if ((sel & ~3) == 0) throw gp(0);
        int cpl = s.cpl();
        int rpl = sel & 3;
        if (rpl < cpl) throw gp(sel & ~3);
        long[] desc = new long[2];
        readDescriptor(sel, desc, 0);
        int type = (int) (desc[1] >>> 8) & 0x1F;
        int dpl = (int) (desc[1] >>> 13) & 3;
        if ((type & 0x18) != 0x18) throw gp(sel & ~3);
        if ((type & 4) != 0 ? dpl > rpl : dpl != rpl) throw gp(sel & ~3);
        if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
        if (rpl > cpl) {
            long sp = (g[RSP] + popExtra) & spMask();
            long newSp = readMem(SS, sp, size);
            int newSs = (int) readMem(SS, (sp + size) & spMask(), size);
            if ((newSs & ~3) == 0) throw gp(0);
            long[] sd = new long[2];
            readDescriptor(newSs, sd, 0);
            int st = (int) (sd[1] >>> 8) & 0x1F;
            if ((newSs & 3) != rpl || ((sd[1] >>> 13) & 3) != rpl || (st & 0x1A) != 0x12) throw gp(newSs & ~3);
            if ((sd[1] & 0x8000) == 0) throw fault(SSF, newSs & ~3);
            fillCache(s.cs, sel, desc);
            s.cs.dpl = rpl;
            fillCache(s.ss, newSs, sd);
            newSp += popExtra; // RET imm16 releases parameters on the caller's stack too
            g[RSP] = s.ss.db ? newSp & 0xFFFF_FFFFL : (g[RSP] & ~0xFFFFL) | (newSp & 0xFFFF);
            for (int sr : new int[] {ES, DS, FS, GS}) {
                SegmentRegister r = s.seg[sr];
                boolean conf = (r.type & 0xC) == 0xC;
                if (!r.unusable && r.dpl < rpl && !conf) { r.selector = 0; r.unusable = true; r.present = false; }
            }
        } else {
            fillCache(s.cs, sel, desc);
            s.cs.dpl = cpl;
            setSp((g[RSP] & spMask()) + popExtra);
        }
        s.rip = eip;
    }

    // =====================================================================================
    // EFLAGS
    // =====================================================================================

    long flagsImage() { return s.rflags | 2; }

    /** POPF/IRET: which bits may change depends on CPL and IOPL (SDM Vol. 2 POPF). */
    private void writeFlags(long v, int size, boolean iret) {
        long changeable = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_TF | FLAG_DF | FLAG_OF | FLAG_NT;
        int cpl = s.cpl();
        int iopl = (int) (s.rflags >>> 12) & 3;
        if (size == 4) changeable |= FLAG_AC | FLAG_ID | (iret ? FLAG_RF : 0);
        if (cpl == 0) changeable |= 0x3000;
        if (cpl <= iopl) changeable |= FLAG_IF;
        if (iret && size == 4 && cpl == 0) changeable |= FLAG_VIF | FLAG_VIP;
        long old = s.rflags;
        s.rflags = (old & ~changeable) | (v & changeable) | 2;
        if ((old & FLAG_IF) == 0 && (s.rflags & FLAG_IF) != 0) breakBatch = true;
    }

    // =====================================================================================
    // I/O
    // =====================================================================================

    private void checkIo(int port, int size) {
        if (s.protectedMode() && (s.cpl() > ((s.rflags >>> 12) & 3) || (s.rflags & FLAG_VM) != 0)) {
            // The TSS I/O permission bitmap (SDM Vol. 1 19.5.2).
            if ((s.tr.type & 8) == 0 || Integer.compareUnsigned(s.tr.limit, 0x67) < 0) throw gp(0);
            long mapBase = mmu.read(s.tr.base + 0x66, 2, false);
            long at = mapBase + (port >>> 3);
            if (at + 1 > (s.tr.limit & 0xFFFF_FFFFL)) throw gp(0);
            long bits = mmu.read(s.tr.base + at, 2, false);
            if (((bits >>> (port & 7)) & ((1 << size) - 1)) != 0) throw gp(0);
        }
    }

    private long in(int port, int size) {
        checkIo(port, size);
        breakBatch = true;
        synchronized (ioLock) {
            return ports.read(port & 0xFFFF, size);
        }
    }

    private void out(int port, int size, long v) {
        checkIo(port, size);
        breakBatch = true;
        synchronized (ioLock) {
            ports.write(port & 0xFFFF, size, v & mask(size));
        }
    }

    // =====================================================================================
    // X87Memory
    // =====================================================================================

    @Override
    public long read(long offset, int size) {
        long m = d.a32 ? 0xFFFF_FFFFL : 0xFFFF;
        return readMem(x87Seg, (x87Off + offset) & m, size);
    }

    @Override
    public void write(long offset, int size, long value) {
        long m = d.a32 ? 0xFFFF_FFFFL : 0xFFFF;
        writeMem(x87Seg, (x87Off + offset) & m, size, value);
    }

    // =====================================================================================
    // SimdContext (the memory operand is x87Seg:x87Off, as for X87Memory)
    // =====================================================================================

    /** An MMX/SSE-class opcode (or the newer integer ones in its space): the SIMD unit, or #UD. */
    private void simdOp() {
        if (d.mem) {
            x87Seg = d.seg;
            x87Off = ea();
        } else if (d.op == 0x1F7) { // MASKMOVQ/MASKMOVDQU store to DS:(E)DI, overridable
            x87Seg = d.seg;
            x87Off = g[RDI] & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF);
        }
        if (!simd.execute(d, this)) throw ud();
    }

    @Override
    public long linearAddress() { return (s.seg[x87Seg].base + x87Off) & 0xFFFF_FFFFL; }

    @Override
    public void checkWritable(long offset, int len) {
        long off = (x87Off + offset) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF);
        checkSeg(x87Seg, off, len, true);
        mmu.probeWrite(s.seg[x87Seg].base + off, len, user());
    }

    @Override
    public long gpr(int size, int r) { return reg(size, r); }

    @Override
    public void setGpr(int size, int r, long value) { setReg(size, r, value); }

    @Override
    public long rflags() { return s.flags(); }

    @Override
    public void setRflags(long value) {
        s.flags();
        s.rflags = value;
    }

    @Override
    public RuntimeException fault(int vector) { return vector == GP ? gp(0) : fault.set(vector, false, 0); }

    // =====================================================================================
    // Execution
    // =====================================================================================

    private void execute() {
        s.flags();
        final DecodedInsn d = this.d;
        int op = d.op;
        long ipMask = s.cs.db ? 0xFFFF_FFFFL : 0xFFFF;
        s.rip = (eipStart + d.length) & ipMask;
        int osz = d.o32 ? 4 : 2;
        if (d.lock && !lockable()) throw ud();
        if (op < 0x40 && (op & 7) < 6) {
            int aop = op >> 3;
            int size = (op & 1) == 0 ? 1 : osz;
            switch (op & 7) {
                case 0, 1 -> {
                    long a = rmRead(size);
                    long r = alu.arith(aop, a, reg(size, d.reg), size);
                    if (aop != 7) rmWrite(size, r);
                }
                case 2, 3 -> {
                    long r = alu.arith(aop, reg(size, d.reg), rmRead(size), size);
                    if (aop != 7) setReg(size, d.reg, r);
                }
                default -> {
                    long r = alu.arith(aop, reg(size, 0), d.imm & mask(size), size);
                    if (aop != 7) setReg(size, 0, r);
                }
            }
            return;
        }
        switch (op) {
            case 0x06, 0x0E, 0x16, 0x1E -> push(s.seg[op >> 3].selector, osz);
            case 0x07, 0x17, 0x1F -> {
                long v = peek(osz, 0);
                loadSegment(op >> 3, (int) v);
                setSp(g[RSP] + osz);
            }
            case 0x27 -> daa();
            case 0x2F -> das();
            case 0x37 -> aaa(true);
            case 0x3F -> aaa(false);
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 -> setReg(osz, op & 7, alu.incDec(reg(osz, op & 7), osz, false));
            case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> setReg(osz, op & 7, alu.incDec(reg(osz, op & 7), osz, true));
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> push(reg(osz, op & 7), osz);
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> {
                long v = pop(osz);
                setReg(osz, op & 7, v);
            }
            case 0x60 -> pusha(osz);
            case 0x61 -> popa(osz);
            case 0x62 -> bound(osz);
            case 0x63 -> arpl();
            case 0x68, 0x6A -> push(op == 0x6A ? sext(d.imm, 1) & mask(osz) : d.imm, osz);
            case 0x69, 0x6B -> {
                long b = op == 0x6B ? sext(d.imm, 1) : sext(d.imm, osz);
                setReg(osz, d.reg, imul3(sext(rmRead(osz), osz), b, osz));
            }
            case 0x6C, 0x6D, 0x6E, 0x6F, 0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF ->
                    stringOp(op, (op & 1) == 0 ? 1 : osz);
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F -> {
                if (alu.cond(op & 15)) jump(s.rip + sext(d.imm, 1), osz);
            }
            case 0x80, 0x81, 0x82, 0x83 -> {
                int size = op == 0x80 || op == 0x82 ? 1 : osz;
                long b = op == 0x83 ? sext(d.imm, 1) & mask(size) : d.imm & mask(size);
                long a = rmRead(size);
                long r = alu.arith(d.reg, a, b, size);
                if (d.reg != 7) rmWrite(size, r);
            }
            case 0x84, 0x85 -> {
                int size = op == 0x84 ? 1 : osz;
                alu.arith(4, rmRead(size), reg(size, d.reg), size);
            }
            case 0x86, 0x87 -> {
                int size = op == 0x86 ? 1 : osz;
                long a = rmRead(size);
                long b = reg(size, d.reg);
                rmWrite(size, b);
                setReg(size, d.reg, a);
            }
            case 0x88, 0x89 -> {
                int size = op == 0x88 ? 1 : osz;
                rmStore(size, reg(size, d.reg));
            }
            case 0x8A, 0x8B -> {
                int size = op == 0x8A ? 1 : osz;
                setReg(size, d.reg, rmRead(size));
            }
            case 0x8C -> {
                if (d.reg > 5) throw ud();
                int v = s.seg[d.reg].selector;
                if (d.mem) rmStore(2, v);
                else setReg(osz, d.rm, v);
            }
            case 0x8D -> {
                if (!d.mem) throw ud();
                setReg(osz, d.reg, ea());
            }
            case 0x8E -> {
                if (d.reg > 5 || d.reg == CS) throw ud();
                loadSegment(d.reg, (int) rmRead(2));
            }
            case 0x8F -> {
                if (d.reg != 0) throw ud();
                long sp = g[RSP];
                long v = pop(osz);
                try {
                    rmStore(osz, v);
                } catch (CpuFault f) {
                    g[RSP] = sp;
                    throw f;
                }
            }
            case 0x90 -> {
                if (d.rep == DecodedInsn.REP_E) return; // PAUSE
            }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> {
                long a = reg(osz, 0);
                setReg(osz, 0, reg(osz, op & 7));
                setReg(osz, op & 7, a);
            }
            case 0x98 -> {
                if (osz == 4) setReg(4, 0, sext(reg(2, 0), 2));
                else setReg(2, 0, sext(reg(1, 0), 1));
            }
            case 0x99 -> {
                long a = sext(reg(osz, 0), osz);
                setReg(osz, RDX, a < 0 ? -1 : 0);
            }
            case 0x9A -> loadCsFar((int) d.imm2, d.imm, true, osz);
            case 0x9B -> {
                if ((s.cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) throw fault.set(NM, false, 0);
                checkPendingFpu();
            }
            case 0x9C -> {
                if ((s.rflags & FLAG_VM) != 0 && ((s.rflags >>> 12) & 3) < 3) throw gp(0);
                push(flagsImage() & (osz == 4 ? 0xFC_FFFFL : 0xFFFF), osz);
            }
            case 0x9D -> {
                if ((s.rflags & FLAG_VM) != 0 && ((s.rflags >>> 12) & 3) < 3) throw gp(0);
                long v = peek(osz, 0);
                writeFlags(v, osz, false);
                setSp(g[RSP] + osz);
            }
            case 0x9E -> alu.setFlags(reg(1, 4), FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF);
            case 0x9F -> setReg(1, 4, (s.rflags & 0xD5) | 2);
            case 0xA0, 0xA1 -> {
                int size = op == 0xA0 ? 1 : osz;
                setReg(size, 0, readMem(d.seg, d.disp, size));
            }
            case 0xA2, 0xA3 -> {
                int size = op == 0xA2 ? 1 : osz;
                writeMem(d.seg, d.disp, size, reg(size, 0));
            }
            case 0xA8, 0xA9 -> {
                int size = op == 0xA8 ? 1 : osz;
                alu.arith(4, reg(size, 0), d.imm, size);
            }
            case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7 -> setReg(1, op & 7, d.imm);
            case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> setReg(osz, op & 7, d.imm);
            case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3 -> {
                int size = (op & 1) == 0 ? 1 : osz;
                int count = op <= 0xC1 ? (int) d.imm : op <= 0xD1 ? 1 : (int) reg(1, RCX);
                long a = rmRead(size);
                long r = alu.shift(d.reg, a, count, size);
                rmWrite(size, r);
            }
            case 0xC2, 0xC3 -> {
                long ip = pop(osz);
                if (op == 0xC2) setSp(g[RSP] + d.imm);
                s.rip = ip;
            }
            case 0xC4, 0xC5 -> {
                if (!d.mem) throw ud();
                long off = ea();
                long v = readMem(d.seg, off, osz);
                int sel = (int) readMem(d.seg, (off + osz) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF), 2);
                loadSegment(op == 0xC4 ? ES : DS, sel);
                setReg(osz, d.reg, v);
            }
            case 0xC6, 0xC7 -> {
                if (d.reg != 0) throw ud();
                int size = op == 0xC6 ? 1 : osz;
                rmStore(size, d.imm);
            }
            case 0xC8 -> enter(osz);
            case 0xC9 -> {
                long bp;
                leaveInProgress = !s.protectedMode();
                try {
                    bp = readMem(SS, g[RBP] & spMask(), osz);
                } finally {
                    leaveInProgress = false;
                }
                setSp(g[RBP]);
                setSp(g[RSP] + osz);
                setReg(osz, RBP, bp);
            }
            case 0xCA, 0xCB -> {
                long ip = peek(osz, 0);
                int sel = (int) peek(osz, osz);
                setSp(g[RSP] + 2L * osz);
                long extra = op == 0xCA ? d.imm : 0;
                long sp = g[RSP];
                try {
                    farReturn(osz, ip, sel, extra);
                } catch (CpuFault f) {
                    g[RSP] = sp - 2L * osz;
                    throw f;
                }
            }
            case 0xCC -> softInt(BP);
            case 0xCD -> softInt((int) d.imm);
            case 0xCE -> {
                if ((s.rflags & FLAG_OF) != 0) softInt(OFV);
            }
            case 0xCF -> iret(osz);
            case 0xD4 -> {
                int base = (int) d.imm;
                if (base == 0) throw fault.set(DE, false, 0);
                int al = (int) reg(1, 0);
                setReg(2, 0, ((al / base) << 8) | (al % base));
                s.rflags = (s.rflags & ~Alu.ARITH) | Alu.szp(al % base, 1);
            }
            case 0xD5 -> {
                int r = (int) ((reg(1, 0) + reg(1, 4) * d.imm) & 0xFF);
                setReg(2, 0, r);
                s.rflags = (s.rflags & ~Alu.ARITH) | Alu.szp(r, 1);
            }
            case 0xD6 -> setReg(1, 0, alu.cf() ? 0xFF : 0);
            case 0xD7 -> {
                long off = (reg(d.a32 ? 4 : 2, RBX) + reg(1, 0)) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF);
                setReg(1, 0, readMem(d.seg, off, 1));
            }
            case 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF -> x87(op);
            case 0xE0, 0xE1, 0xE2, 0xE3 -> {
                int asz = d.a32 ? 4 : 2;
                boolean take;
                if (op == 0xE3) {
                    take = reg(asz, RCX) == 0;
                } else {
                    long c = (reg(asz, RCX) - 1) & mask(asz);
                    setReg(asz, RCX, c);
                    take = c != 0 && (op == 0xE2 || (op == 0xE1) == ((s.rflags & FLAG_ZF) != 0));
                }
                if (take) jump(s.rip + sext(d.imm, 1), osz);
            }
            case 0xE4, 0xE5 -> {
                int size = op == 0xE4 ? 1 : osz;
                setReg(size, 0, in((int) d.imm, size));
            }
            case 0xE6, 0xE7 -> {
                int size = op == 0xE6 ? 1 : osz;
                out((int) d.imm, size, reg(size, 0));
            }
            case 0xE8 -> {
                long target = s.rip + sext(d.imm, osz);
                long ret = s.rip;
                checkJump(target, osz);
                push(ret, osz);
                jump(target, osz);
            }
            case 0xE9 -> jump(s.rip + sext(d.imm, osz), osz);
            case 0xEA -> loadCsFar((int) d.imm2, d.imm, false, osz);
            case 0xEB -> jump(s.rip + sext(d.imm, 1), osz);
            case 0xEC, 0xED -> {
                int size = op == 0xEC ? 1 : osz;
                setReg(size, 0, in((int) reg(2, RDX), size));
            }
            case 0xEE, 0xEF -> {
                int size = op == 0xEE ? 1 : osz;
                out((int) reg(2, RDX), size, reg(size, 0));
            }
            case 0xF1 -> softInt(DB);
            case 0xF4 -> {
                if (s.cpl() != 0) throw gp(0);
                s.halted = true;
                breakBatch = true;
            }
            case 0xF5 -> s.rflags ^= FLAG_CF;
            case 0xF6, 0xF7 -> group3(op == 0xF6 ? 1 : osz);
            case 0xF8 -> s.rflags &= ~FLAG_CF;
            case 0xF9 -> s.rflags |= FLAG_CF;
            case 0xFA -> {
                checkIopl();
                s.rflags &= ~FLAG_IF;
            }
            case 0xFB -> {
                checkIopl();
                if ((s.rflags & FLAG_IF) == 0) {
                    s.rflags |= FLAG_IF;
                    s.interruptShadow = true;
                    breakBatch = true;
                }
            }
            case 0xFC -> s.rflags &= ~FLAG_DF;
            case 0xFD -> s.rflags |= FLAG_DF;
            case 0xFE -> {
                if (d.reg > 1) throw ud();
                rmWrite(1, alu.incDec(rmRead(1), 1, d.reg == 1));
            }
            case 0xFF -> group5(osz);
            default -> {
                if (op >= 0x100 && op < 0x200) twoByte(op & 0xFF, osz);
                else if (op >= 0x200 && op < 0x400) simdOp();
                else if (op == OpcodeTable.TOO_LONG) throw gp(0);
                else throw ud();
            }
        }
    }

    private boolean lockable() { return lockAllowed(d); }

    /** LOCK is allowed only on the read-modify-write forms with a memory destination (SDM Vol. 2 LOCK). */
    public static boolean lockAllowed(DecodedInsn d) {
        int op = d.op;
        if (!d.mem) return false;
        if (op < 0x40) return (op & 7) < 2 && (op >> 3) != 7;
        return switch (op) {
            case 0x80, 0x81, 0x82, 0x83 -> d.reg != 7;
            case 0x86, 0x87 -> true;
            case 0xF6, 0xF7 -> d.reg == 2 || d.reg == 3;
            case 0xFE, 0xFF -> d.reg < 2;
            case 0x1AB, 0x1B3, 0x1BB, 0x1B0, 0x1B1, 0x1C0, 0x1C1 -> true;
            case 0x1BA -> d.reg >= 5;
            case 0x1C7 -> d.reg == 1;
            default -> false;
        };
    }

    private void checkIopl() {
        if (s.protectedMode() && s.cpl() > ((s.rflags >>> 12) & 3)) throw gp(0);
    }

    private void checkJump(long target, int osz) {
        long t = target & (osz == 4 ? 0xFFFF_FFFFL : 0xFFFF);
        if (Long.compareUnsigned(t, s.cs.limit & 0xFFFF_FFFFL) > 0) throw gp(0);
    }

    private void jump(long target, int osz) {
        long t = target & (osz == 4 ? 0xFFFF_FFFFL : 0xFFFF);
        if (Long.compareUnsigned(t, s.cs.limit & 0xFFFF_FFFFL) > 0) throw gp(0);
        s.rip = t;
    }

    private void softInt(int vec) {
        if ((s.rflags & FLAG_VM) != 0 && ((s.rflags >>> 12) & 3) < 3 && d.op == 0xCD) throw gp(0);
        interrupt(vec, false, 0, d.op == 0xCD || d.op == 0xCC || d.op == 0xCE, false);
    }

    private void iret(int osz) {
        if (!s.protectedMode()) {
            long ip = peek(osz, 0);
            int cs = (int) peek(osz, osz);
            long fl = peek(osz, 2 * osz);
            s.cs.loadReal(cs);
            s.rip = ip & (osz == 4 ? 0xFFFF_FFFFL : 0xFFFF);
            setSp(g[RSP] + 3L * osz);
            if (osz == 2) fl = (s.rflags & ~0xFFFFL) | (fl & 0xFFFF);
            writeFlags(fl, osz, true);
            s.nmiBlocked = false;
            return;
        }
        if ((s.rflags & FLAG_VM) != 0) {
            if (((s.rflags >>> 12) & 3) < 3) throw gp(0);
            // IOPL 3: IRET works as in real mode, without touching IOPL or VM.
            long ip = peek(osz, 0);
            int cs = (int) peek(osz, osz);
            long fl = peek(osz, 2 * osz);
            loadSegment(CS, cs);
            s.rip = ip & 0xFFFF;
            setSp(g[RSP] + 3L * osz);
            if (osz == 2) fl = (s.rflags & ~0xFFFFL) | (fl & 0xFFFF);
            writeFlags(fl, osz, true);
            return;
        }
        if ((s.rflags & FLAG_NT) != 0) {
            // Return to the task in the back link (SDM Vol. 3A 7.4).
            int back = (int) mmu.read(s.tr.base, 2, false);
            if ((back & 4) != 0) throw fault(TS, back & ~3);
            long[] td = new long[2];
            readDescriptor(back, td, 0);
            if ((((td[1] >>> 8) & 0x1F) | 8) != 0x0B) throw fault(TS, back & ~3);
            if ((td[1] & 0x8000) == 0) throw fault(NP, back & ~3);
            taskSwitch(back, td, TASK_IRET);
            return;
        }
        long ip = peek(osz, 0);
        int cs = (int) peek(osz, osz);
        long fl = peek(osz, 2 * osz);
        int cpl = s.cpl();
        if (osz == 4 && cpl == 0 && (fl & FLAG_VM) != 0) {
            enterV86(ip, cs, fl);
            return;
        }
        long sp = g[RSP];
        setSp(g[RSP] + 3L * osz);
        try {
            farReturn(osz, ip, cs, 0);
        } catch (CpuFault f) {
            g[RSP] = sp;
            throw f;
        }
        if (osz == 2) fl = (s.rflags & ~0xFFFFL) | (fl & 0xFFFF);
        // Privilege for the flag update is the CPL before the return.
        long changeable = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_TF | FLAG_DF | FLAG_OF | FLAG_NT;
        if (osz == 4) changeable |= FLAG_AC | FLAG_ID | FLAG_RF;
        if (cpl == 0) changeable |= 0x3000 | (osz == 4 ? FLAG_VIF | FLAG_VIP : 0);
        if (cpl <= ((s.rflags >>> 12) & 3)) changeable |= FLAG_IF;
        long old = s.rflags;
        s.rflags = (old & ~changeable) | (fl & changeable) | 2;
        if ((old & FLAG_IF) == 0 && (s.rflags & FLAG_IF) != 0) breakBatch = true;
        s.nmiBlocked = false;
    }

    /** IRET from ring 0 with EFLAGS.VM: the rest of the frame is ESP, SS, ES, DS, FS, GS (SDM Vol. 3A 20.2.5). */
    private void enterV86(long ip, int cs, long fl) {
        long esp = peek(4, 12);
        int[] sels = {(int) peek(4, 20), (int) peek(4, 24), (int) peek(4, 28), (int) peek(4, 32)};
        int ss = (int) peek(4, 16);
        s.rflags = (fl & 0x3F_7FD7L) | 2;
        loadSegment(CS, cs);
        loadSegment(SS, ss);
        loadSegment(ES, sels[0]);
        loadSegment(DS, sels[1]);
        loadSegment(FS, sels[2]);
        loadSegment(GS, sels[3]);
        g[RSP] = esp & 0xFFFF_FFFFL;
        s.rip = ip & 0xFFFF;
        breakBatch = true;
    }

    private void pusha(int osz) {
        long sp = g[RSP];
        long[] v = pushaTmp;
        for (int r = 0; r < 8; r++) v[r] = reg(osz, r);
        try {
            for (int r = 0; r < 8; r++) push(v[r], osz);
        } catch (CpuFault f) {
            g[RSP] = sp;
            throw f;
        }
    }

    private final long[] pushaTmp = new long[8];

    private void popa(int osz) {
        long[] v = pushaTmp;
        for (int r = 7; r >= 0; r--) v[r] = peek(osz, (7 - r) * osz);
        for (int r = 7; r >= 0; r--) if (r != RSP) setReg(osz, r, v[r]);
        setSp(g[RSP] + 8L * osz);
    }

    private void bound(int osz) {
        if (!d.mem) throw ud();
        long off = ea();
        long lo = sext(readMem(d.seg, off, osz), osz);
        long hi = sext(readMem(d.seg, (off + osz) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF), osz), osz);
        long v = sext(reg(osz, d.reg), osz);
        if (v < lo || v > hi) throw fault.set(BR, false, 0);
    }

    private void arpl() {
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0) throw ud();
        long dst = rmRead(2);
        long src = reg(2, d.reg);
        if ((dst & 3) < (src & 3)) {
            rmWrite(2, (dst & ~3) | (src & 3));
            s.rflags |= FLAG_ZF;
        } else {
            s.rflags &= ~FLAG_ZF;
        }
    }

    private void enter(int osz) {
        int alloc = (int) d.imm;
        int level = (int) d.imm2 & 31;
        long sp0 = g[RSP];
        long bp0 = g[RBP];
        try {
            push(reg(osz, RBP), osz);
            long frame = g[RSP] & spMask();
            long bp = bp0;
            for (int i = 1; i < level; i++) {
                bp = (bp - osz) & spMask();
                push(readMem(SS, bp, osz), osz);
            }
            if (level > 0) push(frame, osz);
            long newSp = (g[RSP] - alloc) & spMask();
            if (alloc > 0) checkSeg(SS, newSp, 1, true);
            setReg(osz, RBP, frame);
            setSp(newSp);
        } catch (CpuFault f) {
            g[RSP] = sp0;
            g[RBP] = bp0;
            throw f;
        }
    }

    private long imul3(long a, long b, int size) {
        long r = a * b;
        long t = sext(r, size);
        long f = Alu.szp(r & mask(size), size);
        if (t != r) f |= FLAG_CF | FLAG_OF;
        s.rflags = (s.rflags & ~Alu.ARITH) | f;
        return r & mask(size);
    }

    private void group3(int size) {
        switch (d.reg) {
            case 0, 1 -> alu.arith(4, rmRead(size), d.imm & mask(size), size);
            case 2 -> rmWrite(size, ~rmRead(size) & mask(size));
            case 3 -> {
                long a = rmRead(size);
                long r = alu.arith(5, 0, a, size);
                rmWrite(size, r);
            }
            case 4, 5 -> {
                long a = rmRead(size);
                boolean signed = d.reg == 5;
                long acc = reg(size, 0);
                long r = signed ? sext(acc, size) * sext(a, size) : acc * a;
                int bits = size * 8;
                long lo = r & mask(size);
                long hi;
                boolean ovf;
                if (size == 4 && !signed) {
                    hi = (r >>> 32) & 0xFFFF_FFFFL;
                    ovf = hi != 0;
                } else if (size == 4) {
                    hi = (r >> 32) & 0xFFFF_FFFFL;
                    ovf = sext(lo, 4) != r;
                } else {
                    hi = (r >> bits) & mask(size);
                    ovf = signed ? sext(lo, size) != r : hi != 0;
                }
                if (size == 1) setReg(2, 0, (hi << 8) | lo);
                else {
                    setReg(size, 0, lo);
                    setReg(size, RDX, hi);
                }
                long f = Alu.szp(lo, size);
                if (ovf) f |= FLAG_CF | FLAG_OF;
                s.rflags = (s.rflags & ~Alu.ARITH) | f;
            }
            default -> divide(size, d.reg == 7);
        }
    }

    private void divide(int size, boolean signed) {
        long divisor = rmRead(size);
        if (divisor == 0) throw fault.set(DE, false, 0);
        long m = mask(size);
        if (size == 4) {
            long dividend = (reg(4, RDX) << 32) | reg(4, 0);
            if (!signed) {
                long q = Long.divideUnsigned(dividend, divisor);
                long r = Long.remainderUnsigned(dividend, divisor);
                if (Long.compareUnsigned(q, m) > 0) throw fault.set(DE, false, 0);
                setReg(4, 0, q);
                setReg(4, RDX, r);
            } else {
                long dv = sext(divisor, 4);
                if (dividend == Long.MIN_VALUE && dv == -1) throw fault.set(DE, false, 0);
                long q = dividend / dv;
                long r = dividend % dv;
                if (q != (int) q) throw fault.set(DE, false, 0);
                setReg(4, 0, q);
                setReg(4, RDX, r);
            }
            return;
        }
        long dividend = size == 1 ? reg(2, 0) : (reg(2, RDX) << 16) | reg(2, 0);
        long q, r;
        if (!signed) {
            q = dividend / divisor;
            r = dividend % divisor;
            if (q > m) throw fault.set(DE, false, 0);
        } else {
            long dd = sext(dividend, size * 2);
            long dv = sext(divisor, size);
            q = dd / dv;
            r = dd % dv;
            if (q != sext(q & m, size)) throw fault.set(DE, false, 0);
        }
        if (size == 1) setReg(2, 0, ((r & 0xFF) << 8) | (q & 0xFF));
        else {
            setReg(2, 0, q);
            setReg(2, RDX, r);
        }
    }

    private void group5(int osz) {
        switch (d.reg) {
            case 0, 1 -> rmWrite(osz, alu.incDec(rmRead(osz), osz, d.reg == 1));
            case 2 -> {
                long target = rmRead(osz);
                checkJump(target, osz);
                push(s.rip, osz);
                jump(target, osz);
            }
            case 3, 5 -> {
                if (!d.mem) throw ud();
                long off = ea();
                long ip = readMem(d.seg, off, osz);
                int sel = (int) readMem(d.seg, (off + osz) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF), 2);
                loadCsFar(sel, ip, d.reg == 3, osz);
            }
            case 4 -> jump(rmRead(osz), osz);
            case 6 -> push(rmRead(osz), osz);
            default -> throw ud();
        }
    }

    // ---- BCD ----

    private void daa() {
        int al = (int) reg(1, 0);
        boolean oldCf = alu.cf();
        long f = s.rflags & ~Alu.ARITH;
        int r = al;
        if ((al & 0xF) > 9 || (s.rflags & FLAG_AF) != 0) {
            r += 6;
            f |= FLAG_AF;
            if (r > 0xFF) f |= FLAG_CF;
        }
        if (al > 0x99 || oldCf) {
            r += 0x60;
            f |= FLAG_CF;
        }
        r &= 0xFF;
        setReg(1, 0, r);
        s.rflags = f | Alu.szp(r, 1);
    }

    private void das() {
        int al = (int) reg(1, 0);
        boolean oldCf = alu.cf();
        long f = s.rflags & ~Alu.ARITH;
        int r = al;
        if ((al & 0xF) > 9 || (s.rflags & FLAG_AF) != 0) {
            r -= 6;
            f |= FLAG_AF;
            if (r < 0) f |= FLAG_CF;
        }
        if (al > 0x99 || oldCf) {
            r -= 0x60;
            f |= FLAG_CF;
        }
        r &= 0xFF;
        setReg(1, 0, r);
        s.rflags = f | Alu.szp(r, 1);
    }

    private void aaa(boolean add) {
        long ax = reg(2, 0);
        long f = s.rflags & ~Alu.ARITH;
        if ((ax & 0xF) > 9 || (s.rflags & FLAG_AF) != 0) {
            ax = add ? ax + 0x106 : ax - 6 - 0x100;
            f |= FLAG_AF | FLAG_CF;
        }
        ax &= 0xFF0F;
        setReg(2, 0, ax);
        s.rflags = f | Alu.szp(ax & 0xFF, 1);
    }

    // ---- strings ----

    private void stringOp(int op, int size) {
        int asz = d.a32 ? 4 : 2;
        long am = mask(asz);
        boolean rep = d.rep != DecodedInsn.REP_NONE;
        boolean compare = op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF;
        long step = (s.rflags & FLAG_DF) != 0 ? -size : size;
        long count = rep ? reg(asz, RCX) : 1;
        if (rep && count == 0) return;
        int budget = 4096;
        while (true) {
            switch (op) {
                case 0xA4, 0xA5 -> {
                    long v = readMem(d.seg, reg(asz, RSI), size);
                    writeMem(ES, reg(asz, RDI), size, v);
                    setReg(asz, RSI, (reg(asz, RSI) + step) & am);
                    setReg(asz, RDI, (reg(asz, RDI) + step) & am);
                }
                case 0xA6, 0xA7 -> {
                    long a = readMem(d.seg, reg(asz, RSI), size);
                    long b = readMem(ES, reg(asz, RDI), size);
                    alu.arith(7, a, b, size);
                    setReg(asz, RSI, (reg(asz, RSI) + step) & am);
                    setReg(asz, RDI, (reg(asz, RDI) + step) & am);
                }
                case 0xAA, 0xAB -> {
                    writeMem(ES, reg(asz, RDI), size, reg(size, 0));
                    setReg(asz, RDI, (reg(asz, RDI) + step) & am);
                }
                case 0xAC, 0xAD -> {
                    setReg(size, 0, readMem(d.seg, reg(asz, RSI), size));
                    setReg(asz, RSI, (reg(asz, RSI) + step) & am);
                }
                case 0xAE, 0xAF -> {
                    long b = readMem(ES, reg(asz, RDI), size);
                    alu.arith(7, reg(size, 0), b, size);
                    setReg(asz, RDI, (reg(asz, RDI) + step) & am);
                }
                case 0x6C, 0x6D -> {
                    checkIo((int) reg(2, RDX), size);
                    checkSeg(ES, reg(asz, RDI), size, true);
                    long v = in((int) reg(2, RDX), size);
                    writeMem(ES, reg(asz, RDI), size, v);
                    setReg(asz, RDI, (reg(asz, RDI) + step) & am);
                }
                default -> {
                    long v = readMem(d.seg, reg(asz, RSI), size);
                    out((int) reg(2, RDX), size, v);
                    setReg(asz, RSI, (reg(asz, RSI) + step) & am);
                }
            }
            if (!rep) return;
            count = (count - 1) & am;
            setReg(asz, RCX, count);
            if (count == 0) return;
            if (compare) {
                boolean zf = (s.rflags & FLAG_ZF) != 0;
                if (d.rep == DecodedInsn.REP_E ? !zf : zf) return;
            }
            if (--budget == 0) {
                // Let the run loop see interrupts and time: re-execute for the rest.
                s.rip = eipStart;
                return;
            }
        }
    }

    // ---- x87 ----

    private void checkPendingFpu() {
        if (fpu != null && fpu.exceptionPending() && (s.cr0 & CR0_NE) != 0) throw fault.set(MF, false, 0);
    }

    private void x87(int op) {
        if ((s.cr0 & (CR0_EM | CR0_TS)) != 0) throw fault.set(NM, false, 0);
        if (fpu == null) {
            // No coprocessor and CR0.EM clear: the ESC instruction only reads its operand, as on a
            // 286/386 without a 287/387 (the SDM requires EM=1 in that case; software that forgets it
            // sees a no-op rather than a fault).
            if (d.mem) readMem(d.seg, ea(), 2);
            return;
        }
        int modrm = d.mod << 6 | d.reg << 3 | d.rm;
        if (!dev.jvirt.cpu.x87.X87.isDefined(op, modrm)) throw ud();
        boolean noWait = (op == 0xDB && modrm == 0xE2) || (op == 0xDB && modrm == 0xE3) || (op == 0xDF && modrm == 0xE0)
                || (d.mem && (op == 0xD9 || op == 0xDD) && (d.reg == 6 || d.reg == 7));
        if (!noWait) checkPendingFpu();
        env.operand32 = d.o32;
        env.realMode = !s.protectedMode() || (s.rflags & FLAG_VM) != 0;
        env.rexW = false;
        env.fcs = s.cs.selector;
        env.fip = eipStart;
        env.eflags = s.rflags; // FCMOVcc reads it
        X87Memory m = null;
        if (d.mem) {
            x87Seg = d.seg;
            x87Off = ea();
            env.fds = s.seg[d.seg].selector;
            env.fdp = x87Off;
            m = this;
        }
        long flags = fpu.execute(op, modrm, m, env);
        if (flags != FpuUnit.NO_FLAGS) {
            s.rflags = (s.rflags & ~Alu.ARITH) | (flags & (FLAG_ZF | FLAG_PF | FLAG_CF));
        }
    }

    /** An x87 instruction in 64-bit mode: the same checks, 64-bit FIP and FDP (SDM Vol. 1 8.1.8). */
    private void x87Long(DecodedInsn insn, X87Memory mem, int fds, long fdp) {
        if ((s.cr0 & (CR0_EM | CR0_TS)) != 0) throw fault.set(NM, false, 0);
        if (fpu == null) throw ud();
        int op = insn.op;
        int modrm = insn.mod << 6 | insn.reg << 3 | insn.rm;
        if (!dev.jvirt.cpu.x87.X87.isDefined(op, modrm)) throw ud();
        boolean noWait = (op == 0xDB && modrm == 0xE2) || (op == 0xDB && modrm == 0xE3) || (op == 0xDF && modrm == 0xE0)
                || (insn.mem && (op == 0xD9 || op == 0xDD) && (insn.reg == 6 || insn.reg == 7));
        if (!noWait) checkPendingFpu();
        env.operand32 = true;
        env.realMode = false;
        env.rexW = (insn.rex & 8) != 0;
        env.fcs = s.cs.selector;
        env.fip = eipStart;
        env.eflags = s.rflags;
        env.fds = fds;
        env.fdp = fdp;
        long flags = fpu.execute(op, modrm, insn.mem ? mem : null, env);
        if (flags != FpuUnit.NO_FLAGS) {
            s.rflags = (s.rflags & ~Alu.ARITH) | (flags & (FLAG_ZF | FLAG_PF | FLAG_CF));
        }
    }

    private void fxsaveRestore(boolean save) {
        if ((s.cr0 & CR0_EM) != 0 || fpu == null) throw ud();
        if ((s.cr0 & CR0_TS) != 0) throw fault.set(NM, false, 0);
        if (!d.mem) throw ud();
        long off = ea();
        if ((off & 15) != 0 || ((s.seg[d.seg].base + off) & 15) != 0) throw gp(0);
        x87Seg = d.seg;
        x87Off = off;
        env.operand32 = d.o32;
        env.realMode = !s.protectedMode();
        env.rexW = false;
        env.fcs = s.cs.selector;
        env.fip = eipStart;
        env.fds = s.seg[d.seg].selector;
        env.fdp = off;
        if (save) {
            mmu.probeWrite(s.seg[d.seg].base + off, 512, user());
            checkSeg(d.seg, off, 512, true);
            fpu.fxsave(this, env);
        } else {
            checkSeg(d.seg, off, 512, false);
            if (!fpu.fxrstorMxcsrValid(this)) throw gp(0);
            fpu.fxrstor(this, env);
        }
    }

    // ---- two-byte opcodes ----

    private void twoByte(int op, int osz) {
        switch (op) {
            case 0x00 -> group6();
            case 0x01 -> group7(osz);
            case 0x02, 0x03 -> larLsl(op == 0x02, osz);
            case 0x06 -> {
                requireCpl0();
                s.cr0 &= ~CR0_TS;
            }
            case 0x08, 0x09 -> requireCpl0();
            case 0x0B -> throw ud();
            case 0x0D, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F -> { } // hints and multi-byte NOP
            case 0x20 -> {
                requireCpl0();
                long v = switch (d.reg) {
                    case 0 -> s.cr0;
                    case 2 -> s.cr2;
                    case 3 -> s.cr3;
                    case 4 -> s.cr4;
                    default -> throw ud();
                };
                setReg(4, d.rm, v);
            }
            case 0x22 -> {
                requireCpl0();
                writeCr(d.reg, reg(4, d.rm));
            }
            case 0x21 -> setReg(4, d.rm, s.dr[debugRegister(d.reg)]);
            case 0x23 -> writeDr(d.reg, reg(4, d.rm));
            case 0x30 -> {
                requireCpl0();
                wrmsr((int) reg(4, RCX), reg(4, RDX) << 32 | reg(4, 0));
            }
            case 0x31 -> {
                if ((s.cr4 & 4) != 0 && s.cpl() != 0) throw gp(0);
                long t = readTsc();
                setReg(4, 0, t);
                setReg(4, RDX, t >>> 32);
            }
            case 0x32 -> {
                requireCpl0();
                long v = rdmsr((int) reg(4, RCX));
                setReg(4, 0, v);
                setReg(4, RDX, v >>> 32);
            }
            case 0x33 -> { // RDPMC: CPL 0 or CR4.PCE (SDM Vol. 2 RDPMC); the counters exist but do not count
                if (s.cpl() != 0 && (s.cr4 & 0x100) == 0 && s.protectedMode()) throw gp(0);
                int ctr = (int) reg(4, RCX);
                boolean amd = cpuModel.amd();
                if (Integer.compareUnsigned(ctr, amd ? 3 : 1) > 0) throw gp(0);
                long v = s.otherMsrs.getOrDefault(amd ? 0xC001_0004 + ctr : 0xC1 + ctr, 0L) & 0xFFFF_FFFF_FFFFL;
                setReg(4, RAX, v);
                setReg(4, RDX, v >>> 32);
            }
            case 0x34 -> sysenter();
            case 0x35 -> sysexit();
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> {
                long v = rmRead(osz);
                if (alu.cond(op & 15)) setReg(osz, d.reg, v);
                else if (osz == 4) setReg(4, d.reg, reg(4, d.reg));
            }
            case 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F -> {
                if (alu.cond(op & 15)) jump(s.rip + sext(d.imm, osz), osz);
            }
            case 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F ->
                    rmStore(1, alu.cond(op & 15) ? 1 : 0);
            case 0xA0, 0xA8 -> push(s.seg[op == 0xA0 ? FS : GS].selector, osz);
            case 0xA1, 0xA9 -> {
                long v = peek(osz, 0);
                loadSegment(op == 0xA1 ? FS : GS, (int) v);
                setSp(g[RSP] + osz);
            }
            case 0xA2 -> cpuid();
            case 0xA3, 0xAB, 0xB3, 0xBB -> bitOp((op >> 3) & 3, osz, reg(osz, d.reg), true);
            case 0xBA -> {
                if (d.reg < 4) throw ud();
                bitOp(d.reg & 3, osz, d.imm, false);
            }
            case 0xA4, 0xA5, 0xAC, 0xAD -> doubleShift(op >= 0xAC, osz, op == 0xA4 || op == 0xAC ? (int) d.imm : (int) reg(1, RCX));
            case 0xAE -> {
                switch (d.reg) {
                    case 0, 1 -> fxsaveRestore(d.reg == 0);
                    case 4, 5, 6 -> {
                        if (d.mem) {
                            x87Seg = d.seg;
                            x87Off = ea();
                            saveRestoreState(d.reg, this, false);
                        } else if (d.reg == 4) {
                            simdOp();
                        }
                    }
                    case 7 -> { } // SFENCE, CLFLUSH
                    default -> simdOp(); // LDMXCSR, STMXCSR
                }
            }
            case 0xAF -> setReg(osz, d.reg, imul3(sext(reg(osz, d.reg), osz), sext(rmRead(osz), osz), osz));
            case 0xB0, 0xB1 -> {
                int size = op == 0xB0 ? 1 : osz;
                long v = rmRead(size);
                long acc = reg(size, 0);
                alu.arith(7, acc, v, size);
                if (acc == v) rmWrite(size, reg(size, d.reg));
                else {
                    rmWrite(size, v);
                    setReg(size, 0, v);
                }
            }
            case 0xB2, 0xB4, 0xB5 -> {
                if (!d.mem) throw ud();
                long off = ea();
                long v = readMem(d.seg, off, osz);
                int sel = (int) readMem(d.seg, (off + osz) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF), 2);
                loadSegment(op == 0xB2 ? SS : op == 0xB4 ? FS : GS, sel);
                setReg(osz, d.reg, v);
            }
            case 0xB6, 0xB7 -> setReg(osz, d.reg, rmRead(op == 0xB6 ? 1 : 2));
            case 0xBE, 0xBF -> {
                int size = op == 0xBE ? 1 : 2;
                setReg(osz, d.reg, sext(rmRead(size), size) & mask(osz));
            }
            case 0xBC, 0xBD -> {
                if (simd.countsZeros(d)) { simdOp(); return; }
                long v = rmRead(osz);
                if (v == 0) {
                    s.rflags |= FLAG_ZF;
                } else {
                    int idx = op == 0xBC ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
                    setReg(osz, d.reg, idx);
                    s.rflags &= ~FLAG_ZF;
                }
            }
            case 0xC0, 0xC1 -> {
                int size = op == 0xC0 ? 1 : osz;
                long a = rmRead(size);
                long b = reg(size, d.reg);
                long r = alu.arith(0, a, b, size);
                // The sum is written last: with the same register as both operands it ends with the sum (SDM XADD).
                if (d.mem) {
                    rmWrite(size, r);
                    setReg(size, d.reg, a);
                } else {
                    setReg(size, d.reg, a);
                    rmWrite(size, r);
                }
            }
            case 0xC7 -> {
                if (d.reg != 1 || !d.mem) throw ud();
                long off = ea();
                long v = readMem(d.seg, off, 8);
                long cmp = reg(4, RDX) << 32 | reg(4, 0);
                if (v == cmp) {
                    writeMem(d.seg, off, 8, reg(4, RCX) << 32 | reg(4, RBX));
                    s.rflags |= FLAG_ZF;
                } else {
                    writeMem(d.seg, off, 8, v);
                    setReg(4, 0, v);
                    setReg(4, RDX, v >>> 32);
                    s.rflags &= ~FLAG_ZF;
                }
            }
            case 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF -> {
                long v = reg(4, op & 7);
                setReg(4, op & 7, Integer.reverseBytes((int) v) & 0xFFFF_FFFFL);
            }
            default -> simdOp();
        }
    }

    /** SYSENTER (SDM Vol. 2): flat ring-0 CS/SS from IA32_SYSENTER_CS. */
    private void sysenter() {
        int cs = (int) s.sysenterCs & 0xFFFC;
        if (!s.protectedMode() || cs == 0) throw gp(0);
        s.rflags &= ~(FLAG_VM | FLAG_IF | FLAG_RF);
        flatSegment(s.cs, cs, true, 0);
        flatSegment(s.ss, cs + 8, false, 0);
        s.rip = s.sysenterEip & 0xFFFF_FFFFL;
        g[RSP] = s.sysenterEsp & 0xFFFF_FFFFL;
    }

    /** SYSEXIT: back to flat ring 3 at EDX with ESP = ECX. */
    private void sysexit() {
        int cs = (int) s.sysenterCs & 0xFFFC;
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0 || s.cpl() != 0 || cs == 0) throw gp(0);
        flatSegment(s.cs, (cs + 16) | 3, true, 3);
        flatSegment(s.ss, (cs + 24) | 3, false, 3);
        s.rip = reg(4, RDX);
        g[RSP] = reg(4, RCX);
    }

    private static void flatSegment(SegmentRegister r, int sel, boolean code, int dpl) {
        r.setFlat(sel, code);
        r.dpl = dpl;
    }

    /**
     * MOV to/from DRn (SDM Vol. 2 MOV-Debug Registers): #GP at CPL > 0, the general-detect #DB fault when
     * DR7.GD is set (SDM Vol. 3A 18.2.4), DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD.
     */
    /** MOV DRn, r: DR6/DR7 bits 63:32 must be zero in 64-bit mode (#GP(0), SDM Vol. 2 MOV DR). */
    private void writeDr(int reg, long v) {
        int r = debugRegister(reg);
        if ((r == 6 || r == 7) && (v >>> 32) != 0) throw gp(0);
        // Reserved bits read as fixed values (SDM Vol. 3A 18.2.3, 18.2.4).
        if (r == 6) v = (v & 0xE00F) | 0xFFFF_0FF0L;
        else if (r == 7) v = (v & 0xFFFF_23FFL) | 0x400;
        s.dr[r] = v;
        armDataBreakpoints();
    }

    private int debugRegister(int reg) {
        requireCpl0();
        if ((s.dr[7] & 0x2000) != 0) {
            s.dr[6] |= 0x2000;
            s.dr[7] &= ~0x2000L;
            throw fault.set(DB, false, 0);
        }
        if (reg == 4 || reg == 5) {
            if ((s.cr4 & 8) != 0) throw ud();
            return reg + 2;
        }
        return reg;
    }

    private void requireCpl0() {
        if (s.cpl() != 0) throw gp(0);
    }

    private void writeCr(int cr, long v) {
        switch (cr) {
            case 0 -> {
                if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) throw gp(0);
                if ((v & CR0_NW) != 0 && (v & CR0_CD) == 0) throw gp(0);
                // Changing PG, CD or NW with PAE paging on loads the PDPTEs (SDM Vol. 3A 4.4.1); 4-level paging has none.
                boolean toLong = (s.efer & LongMode.EFER_LME) != 0 && ((v | s.cr0) & CR0_PG) != 0;
                if (!toLong && (v & CR0_PG) != 0 && (s.cr4 & 0x20) != 0 && ((v ^ s.cr0) & (CR0_PG | CR0_CD | CR0_NW)) != 0
                        && mmu.pdptesReserved(s.cr3)) throw gp(0);
                if (!LongMode.cr0Write(s, v)) throw gp(0);
                s.cr0 = v | CR0_ET;
                mmu.flushAll();
                breakBatch = true;
            }
            case 2 -> s.cr2 = v;
            case 3 -> {
                if ((s.cr0 & CR0_PG) != 0 && (s.cr4 & 0x20) != 0 && !s.longMode() && mmu.pdptesReserved(v)) throw gp(0);
                s.cr3 = v;
                mmu.flushNonGlobal();
            }
            case 4 -> {
                // VME..PSE, PAE, MCE, PGE, PCE, OSFXSR always; the rest only where the model has the feature
                long writable = 0x7FFL & ~(has(CpuFeature.SSE) ? 0 : 0x400L) | (has(CpuFeature.XSAVE) ? Cpuid.CR4_OSXSAVE : 0);
                if ((v & ~writable) != 0) throw gp(0);
                if (!LongMode.cr4WriteAllowed(s, v)) throw gp(0);
                if ((s.cr0 & CR0_PG) != 0 && (v & 0x20) != 0 && ((v ^ s.cr4) & 0xB0) != 0 && !s.longMode()
                        && mmu.pdptesReserved(s.cr3)) throw gp(0);
                s.cr4 = v;
                mmu.flushAll();
            }
            default -> throw ud();
        }
    }

    private void cpuid() {
        Cpuid t = cpuidTable;
        if (t == null) cpuidTable = t = effectiveCpuModel().table(apicId, packageVcpus);
        int[] o = cpuidOut;
        t.query((int) reg(4, 0), (int) reg(4, RCX), s.cr4, s.xcr0, s.apicBase, o);
        setReg(4, 0, Integer.toUnsignedLong(o[0]));
        setReg(4, RBX, Integer.toUnsignedLong(o[1]));
        setReg(4, RCX, Integer.toUnsignedLong(o[2]));
        setReg(4, RDX, Integer.toUnsignedLong(o[3]));
    }

    private long rdmsr(int idx) {
        MsrDevice dev = msrDevice;
        if (dev != null && dev.handles(idx)) {
            long v;
            synchronized (ioLock) {
                if (!dev.canRead(idx)) throw gp(0);
                v = dev.read(idx);
            }
            return v;
        }
        if (LongMode.isBaseMsr(idx) && effectiveCpuModel().has(CpuFeature.LM)) return LongMode.readBaseMsr(s, idx);
        if (idx == IA32_TSC_AUX && has(CpuFeature.RDTSCP)) return s.tscAux;
        return switch (idx) {
            case 0x10 -> readTsc();
            case 0x1B -> s.apicBase;
            case 0x174 -> s.sysenterCs;
            case 0x175 -> s.sysenterEsp;
            case 0x176 -> s.sysenterEip;
            case 0x277 -> s.pat;
            case 0xC000_0080 -> s.efer;
            case 0xFE -> 0x508; // MTRRcap: 8 variable ranges, fixed ranges, write-combining
            default -> {
                if (!knownMsr(idx)) throw gp(0);
                yield s.otherMsrs.getOrDefault(idx, 0L);
            }
        };
    }

    private void wrmsr(int idx, long v) {
        // x2APIC mode needs the model's x2APIC (SDM Vol. 3A 11.12.1); the board's APIC does not know the model.
        if (idx == MSR_APIC_BASE && (v & APIC_BASE_EXTD) != 0 && !has(CpuFeature.X2APIC)) throw gp(0);
        MsrDevice dev = msrDevice;
        if (dev != null && dev.handles(idx)) {
            synchronized (ioLock) {
                if (!dev.write(idx, v)) throw gp(0);
                // CpuState carries IA32_APIC_BASE to other backends.
                if (idx == MSR_APIC_BASE && dev.canRead(idx)) s.apicBase = dev.read(idx);
            }
            return;
        }
        if (LongMode.isBaseMsr(idx) && effectiveCpuModel().has(CpuFeature.LM)) {
            if (!LongMode.writeBaseMsr(s, idx, v)) throw gp(0);
            return;
        }
        if (idx == IA32_TSC_AUX && has(CpuFeature.RDTSCP)) {
            if ((v >>> 32) != 0) throw gp(0); // bits 63:32 are reserved
            s.tscAux = v;
            return;
        }
        switch (idx) {
            case 0x10 -> writeTsc(v);
            case 0x1B -> s.apicBase = v;
            case 0x174 -> s.sysenterCs = v & 0xFFFF;
            case 0x175 -> s.sysenterEsp = v;
            case 0x176 -> s.sysenterEip = v;
            case 0x277 -> s.pat = v;
            case 0xC000_0080 -> {
                // NXE, and LME on a model with long mode (no SYSCALL yet); SDM Vol. 3A 10.8.5.
                long efer = LongMode.eferWrite(s, effectiveCpuModel(), v);
                if (efer < 0) throw gp(0);
                s.efer = efer;
                mmu.flushAll();
            }
            default -> {
                if (!knownMsr(idx) || idx == 0xFE) throw gp(0);
                s.otherMsrs.put(idx, v);
            }
        }
    }

    private boolean knownMsr(int idx) {
        // AMD's performance counters (PerfEvtSel0-3, PerfCtr0-3), SYSCFG, HWCR and INT_PENDING_MSG, which Linux reads on an
        // AMD-vendor model such as qemu64: present and inert, as QEMU has them
        if (cpuModel.amd() && (idx >= 0xC001_0000 && idx <= 0xC001_0007 || idx == 0xC001_0010 || idx == 0xC001_0015 || idx == 0xC001_0055)) return true;
        return idx == 0x2FF || (idx >= 0x200 && idx <= 0x20F) || idx == 0x250 || idx == 0x258 || idx == 0x259
                || (idx >= 0x268 && idx <= 0x26F) || idx == 0x1A0 || idx == 0x8B || idx == 0xFE || idx == 0x17 || idx == 0x2A;
    }

    /** BT/BTS/BTR/BTC; a register bit offset addresses memory beyond the operand (SDM Vol. 2 BT). */
    private void bitOp(int kind, int osz, long bitOff, boolean regOffset) {
        int bits = osz * 8;
        long v;
        long off = 0;
        int bit;
        if (d.mem) {
            off = ea();
            if (regOffset) {
                long sbo = sext(bitOff, osz);
                off = (off + (sbo >> (osz == 4 ? 5 : 4)) * osz) & (d.a32 ? 0xFFFF_FFFFL : 0xFFFF);
                bit = (int) (sbo & (bits - 1));
            } else {
                bit = (int) (bitOff & (bits - 1));
            }
            v = readMem(d.seg, off, osz);
        } else {
            bit = (int) (bitOff & (bits - 1));
            v = reg(osz, d.rm);
        }
        if (((v >>> bit) & 1) != 0) s.rflags |= FLAG_CF;
        else s.rflags &= ~FLAG_CF;
        if (kind == 0) return;
        long nv = switch (kind) {
            case 1 -> v | (1L << bit);
            case 2 -> v & ~(1L << bit);
            default -> v ^ (1L << bit);
        };
        if (d.mem) writeMem(d.seg, off, osz, nv);
        else setReg(osz, d.rm, nv);
    }

    private void doubleShift(boolean right, int osz, int count) {
        count &= 31;
        long a = rmRead(osz);
        if (count == 0) return;
        int bits = osz * 8;
        long b = reg(osz, d.reg);
        long r;
        long cfv;
        if (osz == 2 && count > 16) {
            // Undefined result for 16-bit operands; follow the common 64-bit concatenation behaviour.
            count &= 15;
            if (count == 0) return;
        }
        if (!right) {
            long wide = (a << bits) | b;
            r = (wide << count >>> bits) & mask(osz);
            cfv = (a >>> (bits - count)) & 1;
        } else {
            long wide = (b << bits) | a;
            r = (wide >>> count) & mask(osz);
            cfv = (a >>> (count - 1)) & 1;
        }
        long f = Alu.szp(r, osz) | cfv;
        if ((((r ^ a) >>> (bits - 1)) & 1) != 0) f |= FLAG_OF;
        s.rflags = (s.rflags & ~Alu.ARITH) | f;
        rmWrite(osz, r);
    }

    private void group6() {
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0) throw ud();
        switch (d.reg) {
            case 0 -> { if (d.mem) rmStore(2, s.ldtr.selector); else setReg(d.o32 ? 4 : 2, d.rm, s.ldtr.selector); }
            case 1 -> { if (d.mem) rmStore(2, s.tr.selector); else setReg(d.o32 ? 4 : 2, d.rm, s.tr.selector); }
            case 2 -> {
                requireCpl0();
                int sel = (int) rmRead(2);
                if ((sel & ~3) == 0) {
                    s.ldtr.selector = sel;
                    s.ldtr.unusable = true;
                    return;
                }
                if ((sel & 4) != 0) throw gp(sel & ~3);
                long[] desc = descTmp;
                readDescriptor(sel, desc, 0);
                if (((desc[1] >>> 8) & 0x1F) != 2) throw gp(sel & ~3);
                if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
                fillCache(s.ldtr, sel, desc);
            }
            case 3 -> {
                requireCpl0();
                int sel = (int) rmRead(2);
                if ((sel & ~3) == 0 || (sel & 4) != 0) throw gp(sel & ~3);
                long[] desc = descTmp;
                readDescriptor(sel, desc, 0);
                int type = (int) (desc[1] >>> 8) & 0x1F;
                if (type != 1 && type != 9) throw gp(sel & ~3);
                if ((desc[1] & 0x8000) == 0) throw fault(NP, sel & ~3);
                desc[1] |= 0x200; // busy
                mmu.write(s.gdtBase + (sel & ~7) + 4, 4, desc[1], false);
                fillCache(s.tr, sel, desc);
            }
            case 4, 5 -> {
                int sel = (int) rmRead(2);
                boolean ok = false;
                if ((sel & ~3) != 0) {
                    long[] desc = descTmp;
                    try {
                        readDescriptor(sel, desc, 0);
                        int type = (int) (desc[1] >>> 8) & 0x1F;
                        int dpl = (int) (desc[1] >>> 13) & 3;
                        boolean conforming = (type & 0x1C) == 0x1C;
                        if ((type & 0x10) != 0 && (conforming || (dpl >= s.cpl() && dpl >= (sel & 3)))) {
                            ok = d.reg == 4 ? ((type & 8) == 0 || (type & 2) != 0) : (type & 0x1A) == 0x12;
                        }
                    } catch (CpuFault f) {
                        if (f.vector != GP) throw f;
                    }
                }
                if (ok) s.rflags |= FLAG_ZF;
                else s.rflags &= ~FLAG_ZF;
            }
            default -> throw ud();
        }
    }

    private void group7(int osz) {
        switch (d.reg) {
            case 0, 1 -> {
                if (!d.mem) throw ud();
                long off = ea();
                long am = d.a32 ? 0xFFFF_FFFFL : 0xFFFF;
                boolean gdt = d.reg == 0;
                writeMem(d.seg, off, 2, gdt ? s.gdtLimit : s.idtLimit);
                long base = gdt ? s.gdtBase : s.idtBase;
                writeMem(d.seg, (off + 2) & am, 4, osz == 4 ? base : base & 0xFF_FFFF);
            }
            case 2, 3 -> {
                if (!d.mem && d.reg == 2 && (d.rm == 0 || d.rm == 1)) {
                    extendedControlRegister(d.rm == 1);
                    return;
                }
                if (!d.mem) throw ud();
                requireCpl0();
                long off = ea();
                long am = d.a32 ? 0xFFFF_FFFFL : 0xFFFF;
                int limit = (int) readMem(d.seg, off, 2);
                long base = readMem(d.seg, (off + 2) & am, 4);
                if (osz == 2) base &= 0xFF_FFFF;
                if (d.reg == 2) { s.gdtBase = base; s.gdtLimit = limit; }
                else { s.idtBase = base; s.idtLimit = limit; }
            }
            case 4 -> {
                long v = s.cr0 & 0xFFFF;
                if (d.mem) rmStore(2, v);
                else setReg(osz, d.rm, osz == 4 ? s.cr0 & 0xFFFF_FFFFL : v);
            }
            case 6 -> {
                requireCpl0();
                long v = rmRead(2);
                // LMSW changes only PE, MP, EM, TS and cannot clear PE.
                long ncr0 = (s.cr0 & ~0xEL) | (v & 0xF) | (s.cr0 & CR0_PE);
                writeCr(0, ncr0);
            }
            case 7 -> {
                if (!d.mem && d.rm == 1 && has(CpuFeature.RDTSCP)) {
                    rdtscp();
                    return;
                }
                if (!d.mem) throw ud();
                requireCpl0();
                mmu.flushPage(s.seg[d.seg].base + ea());
            }
            default -> throw ud();
        }
    }

    /** Whether the model as this CPU honours it has {@code f}. */
    private boolean has(CpuFeature f) {
        Cpuid t = cpuidTable;
        if (t == null) cpuidTable = t = effectiveCpuModel().table(apicId, packageVcpus);
        return t.model().has(f);
    }

    /** XGETBV / XSETBV (SDM Vol. 2): only XCR0 exists; #UD without CR4.OSXSAVE. */
    private void extendedControlRegister(boolean set) {
        if ((s.cr4 & Cpuid.CR4_OSXSAVE) == 0) throw ud();
        if (reg(4, RCX) != 0) throw gp(0);
        if (!set) {
            setReg(4, 0, s.xcr0 & 0xFFFF_FFFFL);
            setReg(4, RDX, s.xcr0 >>> 32);
            return;
        }
        if (s.cpl() != 0) throw gp(0);
        long v = reg(4, RDX) << 32 | reg(4, 0);
        if (!Xsave.xcr0Valid(v)) throw gp(0);
        s.xcr0 = v;
    }

    /** RDTSCP: the TSC in EDX:EAX and IA32_TSC_AUX in ECX, with RDTSC's CR4.TSD rule. */
    private void rdtscp() {
        if ((s.cr4 & 4) != 0 && s.cpl() != 0) throw gp(0);
        long t = readTsc();
        setReg(4, 0, t & 0xFFFF_FFFFL);
        setReg(4, RDX, t >>> 32);
        setReg(4, RCX, s.tscAux & 0xFFFF_FFFFL);
    }

    /**
     * FXSAVE/FXRSTOR (/0 /1, here only from 64-bit mode: {@code rexW} gives the 64-bit FIP/FDP image) and
     * XSAVE/XRSTOR/XSAVEOPT (/4 /5 /6) with {@code mem} as the memory operand.
     */
    private void saveRestoreState(int op, SimdContext mem, boolean rexW) {
        env.operand32 = true;
        env.realMode = !s.protectedMode();
        env.rexW = rexW;
        env.fcs = s.cs.selector;
        env.fip = eipStart;
        if (op <= 1) {
            if ((s.cr0 & CR0_EM) != 0 || fpu == null) throw ud();
            if ((s.cr0 & CR0_TS) != 0) throw fault.set(NM, false, 0);
            if ((mem.linearAddress() & 15) != 0) throw gp(0);
            if (op == 0) {
                mem.checkWritable(0, 512);
                fpu.fxsave(mem, env);
            } else {
                if (!fpu.fxrstorMxcsrValid(mem)) throw gp(0);
                fpu.fxrstor(mem, env);
            }
            return;
        }
        if (!has(CpuFeature.XSAVE) || (s.cr4 & Cpuid.CR4_OSXSAVE) == 0 || (op == 6 && !has(CpuFeature.XSAVEOPT))) throw ud();
        if ((s.cr0 & CR0_TS) != 0) throw fault.set(NM, false, 0);
        if ((mem.linearAddress() & 63) != 0) throw gp(0);
        long rfbm = (reg(4, RDX) << 32 | reg(4, 0)) & s.xcr0;
        if (op == 5) {
            if (!xsave.restore(fpu, mem, env, rfbm)) throw gp(0);
        } else {
            xsave.save(fpu, mem, env, rfbm);
        }
    }

    private void larLsl(boolean lar, int osz) {
        if (!s.protectedMode() || (s.rflags & FLAG_VM) != 0) throw ud();
        int sel = (int) rmRead(2);
        boolean ok = false;
        long[] desc = descTmp;
        if ((sel & ~3) != 0) {
            try {
                readDescriptor(sel, desc, 0);
                int type = (int) (desc[1] >>> 8) & 0x1F;
                int dpl = (int) (desc[1] >>> 13) & 3;
                boolean conforming = (type & 0x1C) == 0x1C;
                boolean sysOk = lar ? (type == 1 || type == 2 || type == 3 || type == 4 || type == 5 || type == 9
                        || type == 0xB || type == 0xC) : (type == 1 || type == 2 || type == 3 || type == 9 || type == 0xB);
                boolean typeOk = (type & 0x10) != 0 || sysOk;
                ok = typeOk && (conforming || (dpl >= s.cpl() && dpl >= (sel & 3)));
            } catch (CpuFault f) {
                if (f.vector != GP) throw f;
            }
        }
        if (!ok) {
            s.rflags &= ~FLAG_ZF;
            return;
        }
        s.rflags |= FLAG_ZF;
        if (lar) {
            setReg(osz, d.reg, desc[1] & 0x00FF_FF00L);
        } else {
            long lim = (desc[0] & 0xFFFF) | (desc[1] & 0xF_0000L);
            if ((desc[1] & (1L << 23)) != 0) lim = (lim << 12) | 0xFFF;
            setReg(osz, d.reg, lim);
        }
    }
}
