package dev.jvirt.cpu;

import dev.jvirt.cpu.decode.CodeSource;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder64;
import dev.jvirt.cpu.simd.SimdContext;
import dev.jvirt.cpu.simd.SimdUnit;

import static dev.jvirt.cpu.CpuState.*;

/**
 * Executes instructions in 64-bit mode (IA-32e with CS.L = 1, SDM Vol. 3A 2.2.1, Vol. 1 3.3.7): 64-bit RIP
 * and linear addresses (non-canonical ones raise #GP(0), or #SS(0) for stack references), RIP-relative
 * addressing, R8-R15, 32-bit results zero-extended into the full register, byte registers SPL-DIL with REX.
 *
 * <p>This is the first part of the 64-bit interpreter: the integer core (ALU, shifts, MUL/IMUL/DIV/IDIV,
 * MOV/MOVSXD/MOVZX/MOVSX/LEA, XCHG, SETcc/CMOVcc, stack, near branches, CDQE/CQO, CMPXCHG/XADD/CMPXCHG8B/16B, BSWAP,
 * PUSHF/POPF, LEAVE, MOVS/STOS/LODS with REP, LGDT/LIDT, SWAPGS, SYSCALL/SYSRET, INT n, MOV Sreg, XCHG, IRET(Q), MOV CR,
 * HLT, and through {@link SystemOps} the flag, I/O, CPUID, MSR and TSC instructions).
 * Every other opcode raises #UD for now.
 */
final class LongModeExecutor implements CodeSource, SimdContext {
    private static final int R11 = 11;
    private final CpuState s;
    private final Mmu mmu;
    private final Alu alu;
    private final Alu64 alu64;
    private final CpuFault fault;
    /** The instruction being executed: {@link #scratch} or an entry of {@link #decodeCache}. */
    private DecodedInsn d;
    private final DecodedInsn scratch = new DecodedInsn();
    private final long[] g;
    private final dev.jvirt.mmu.GuestRam ram;
    private long ripStart;

    /**
     * What the legacy interpreter does for the executor: instructions whose 64-bit semantics equal the
     * 32-bit ones (flag and I/O instructions, CPUID, RDMSR/WRMSR, RDTSC), and the control-register writes
     * with their mode checks.
     */
    interface SystemOps {
        /** Executes {@code d} with the legacy semantics; it must not change RIP. */
        void executeLegacy(DecodedInsn d);

        /** FXSAVE/FXRSTOR(64), XSAVE(64)/XRSTOR(64)/XSAVEOPT(64): 0F AE /0 /1 /4 /5 /6 with {@code mem} as the operand. */
        void saveRestoreState(DecodedInsn d, SimdContext mem);

        void writeCr(int cr, long v);

        /** MOV Sreg with the protected-mode checks. */
        void loadSegment(int sr, int sel);

        /** INT n / INT3: a software interrupt (gate DPL checked) with RIP already past the instruction. */
        void softInt(int vec);

        /** The 8-byte descriptor of {@code sel} from the GDT or LDT; #GP(sel) past the table's limit. */
        void readDescriptor(int sel, long[] out);

        void setAccessed(int sel, long[] desc);

        void fillCache(SegmentRegister r, int sel, long[] desc);

        /** Port input/output with the IOPL and I/O-bitmap checks. */
        long in(int port, int size);

        void out(int port, int size, long v);

        /** An x87 instruction (D8-DF) with its memory operand, if any. */
        void x87(DecodedInsn d, dev.jvirt.cpu.x87.X87Memory mem, int fds, long fdp);

        /** MOV DRn, r and MOV r, DRn with the CPL, general-detect and CR4.DE checks. */
        void writeDr(int dr, long v);

        long readDr(int dr);
    }

    private final LongModeInterrupts intr;
    private final SystemOps sys;

    private final SimdUnit simd;

    LongModeExecutor(CpuState s, Mmu mmu, Alu alu, CpuFault fault, LongModeInterrupts intr, SimdUnit simd, SystemOps sys) {
        this.simd = simd;
        this.intr = intr;
        this.sys = sys;
        this.s = s;
        this.mmu = mmu;
        this.alu = alu;
        this.alu64 = new Alu64(s);
        this.fault = fault;
        this.g = s.gpr;
        this.ram = mmu.ram();
        this.d = scratch;
    }

    private boolean user() { return s.cs.dpl == 3; }

    /** Canonical: bits 63:47 all equal (48-bit linear addresses, SDM Vol. 1 3.3.7.1). */
    static boolean canonical(long a) { return (a << 16 >> 16) == a; }

    @Override
    public int codeByte(int i) {
        if (fastFetch >= 0) return ram.getByte(fastFetch + i);
        long lin = ripStart + i;
        if (!canonical(lin)) throw fault.set(13, true, 0);
        boolean user = user();
        if ((lin >>> 12) == fetchPage && fetchGen == mmu.generation && fetchUser == user) {
            return ram.getByte(fetchRamOff + (lin & 0xFFF));
        }
        mmu.checkFetch(lin, user);
        int b = mmu.read8(lin, user);
        // The fetch checks (NX walks the tables) hold for the whole page until the TLB is next flushed.
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

    /** The page instructions are being fetched from (linear page number, RAM offset), valid for one TLB generation and CPL class. */
    private long fetchPage = -1, fetchRamOff;
    private int fetchGen;
    private boolean fetchUser;
    /** RAM offset of the instruction being decoded into the cache (all 15 possible bytes in the fetch page), else -1. */
    private long fastFetch = -1;

    private static final int DECODE_CACHE_BITS = 14, DECODE_CACHE_MASK = (1 << DECODE_CACHE_BITS) - 1;

    /**
     * Decoded 64-bit-mode instructions, direct-mapped by the RAM offset of their first byte and kept apart
     * from the legacy-mode cache (the same bytes decode differently there). A hit is checked against the
     * bytes now in RAM, so self-modifying code and DMA into code pages need no invalidation.
     */
    private final DecodedInsn[] decodeCache = new DecodedInsn[1 << DECODE_CACHE_BITS];

    private DecodedInsn cachedDecode(long ro) {
        int idx = (int) (ro ^ (ro >>> DECODE_CACHE_BITS)) & DECODE_CACHE_MASK;
        DecodedInsn e = decodeCache[idx];
        if (e != null && e.cacheKey == ro && (ram.getLong(ro) & e.mask0) == e.bytes0
                && (e.length <= 8 || ram.getLong(ro + e.length - 8) == e.bytes1)) {
            return e;
        }
        if (e == null) decodeCache[idx] = e = new DecodedInsn();
        e.cacheKey = -1;
        fastFetch = ro;
        try {
            Decoder64.decode(this, e);
        } finally {
            fastFetch = -1;
        }
        if (e.op == dev.jvirt.cpu.decode.OpcodeTable.TOO_LONG) return e;
        int len = e.length;
        e.mask0 = len >= 8 ? -1L : (1L << (8 * len)) - 1;
        e.bytes0 = ram.getLong(ro) & e.mask0;
        e.bytes1 = len > 8 ? ram.getLong(ro + len - 8) : 0;
        e.fastKind = FastForms64.kind(e);
        e.cacheKey = ro;
        return e;
    }

    /** Decodes and executes the instruction at RIP; a fault leaves RIP for the caller to restore. */
    void step() {
        long rip = s.rip;
        ripStart = rip;
        DecodedInsn d;
        if ((rip >>> 12) == fetchPage && fetchGen == mmu.generation && fetchUser == user()
                && (rip & 0xFFF) <= 0x1000 - dev.jvirt.cpu.decode.Decoder.MAX_LENGTH) {
            d = cachedDecode(fetchRamOff + (rip & 0xFFF));
        } else {
            d = scratch;
            d.fastKind = FastForms64.NONE;
            Decoder64.decode(this, d);
        }
        if (d.op == dev.jvirt.cpu.decode.OpcodeTable.TOO_LONG) throw fault.set(13, true, 0);
        if (d.invalid64) throw ud();
        s.rip = rip + d.length;
        int kind = d.fastKind;
        if (kind >= FastForms64.REG_ONLY) {
            // Register-only forms never read this.d: no reference store (and GC barrier) per instruction.
            fastRegister(d, kind);
        } else {
            this.d = d;
            if (kind != FastForms64.NONE) fastMemory(d, kind);
            else execute(d);
        }
    }

    private CpuFault ud() { return fault.set(6, false, 0); }

    private static long mask(int size) { return size == 8 ? -1L : (1L << (8 * size)) - 1; }

    private static long sext(long v, int size) {
        return size == 1 ? (byte) v : size == 2 ? (short) v : size == 4 ? (int) v : v;
    }

    // ---- registers ----

    private long reg(int size, int r) {
        if (size == 1) return d.rex == 0 && r >= 4 && r < 8 ? (g[r - 4] >>> 8) & 0xFF : g[r] & 0xFF;
        return g[r] & mask(size);
    }

    /** 32-bit writes zero-extend into 64 bits; 8- and 16-bit writes keep the rest (SDM Vol. 1 3.4.1.1). */
    private void setReg(int size, int r, long v) {
        switch (size) {
            case 1 -> {
                if (d.rex == 0 && r >= 4 && r < 8) g[r - 4] = (g[r - 4] & ~0xFF00L) | (v & 0xFF) << 8;
                else g[r] = (g[r] & ~0xFFL) | (v & 0xFF);
            }
            case 2 -> g[r] = (g[r] & ~0xFFFFL) | (v & 0xFFFF);
            case 4 -> g[r] = v & 0xFFFF_FFFFL;
            default -> g[r] = v;
        }
    }

    // ---- memory ----

    private long ea() { return ea(d); }

    /** The linear address of the memory operand: FS/GS add their base, the others are flat. */
    private long linear(long off, int seg) {
        long lin = off + (seg == FS ? s.fs.base : seg == GS ? s.gs.base : 0);
        if (!canonical(lin)) throw fault.set(seg == SS ? 12 : 13, true, 0);
        return lin;
    }

    private long memRead(long off, int seg, int size) { return mmu.read(linear(off, seg), size, user()); }

    private void memWrite(long off, int seg, int size, long v) { mmu.write(linear(off, seg), size, v, user()); }

    private long rmRead(int size) { return d.mem ? memRead(ea(), d.seg, size) : reg(size, d.rmX()); }

    private void rmWrite(int size, long v) {
        if (d.mem) memWrite(ea(), d.seg, size, v);
        else setReg(size, d.rmX(), v);
    }

    private void push(long v, int size) {
        long sp = g[RSP] - size;
        memWrite(sp, SS, size, v);
        g[RSP] = sp;
    }

    private long pop(int size) {
        long v = memRead(g[RSP], SS, size);
        g[RSP] += size;
        return v;
    }

    private void jump(long target) {
        if (!canonical(target)) throw fault.set(13, true, 0);
        s.rip = target;
    }

    // ---- SIMD: the memory operand is simdOff in simdSeg (FS/GS add their base) ----

    private long simdOff;
    private int simdSeg;

    private void simdOp() {
        if (d.mem) {
            simdOff = ea();
            simdSeg = d.seg;
        } else if (d.op == 0x1F7) { // MASKMOVQ/MASKMOVDQU store to DS:rDI (FS/GS overrides count)
            simdOff = d.a64 ? g[RDI] : g[RDI] & 0xFFFF_FFFFL;
            simdSeg = d.seg;
        }
        if (!simd.execute(d, this)) throw ud();
    }

    private long simdAddr(long offset) { return d.a64 ? simdOff + offset : (simdOff + offset) & 0xFFFF_FFFFL; }

    @Override
    public long read(long offset, int size) { return memRead(simdAddr(offset), simdSeg, size); }

    @Override
    public void write(long offset, int size, long value) { memWrite(simdAddr(offset), simdSeg, size, value); }

    @Override
    public long linearAddress() { return linear(simdOff, simdSeg); }

    @Override
    public void checkWritable(long offset, int len) { mmu.probeWrite(linear(simdAddr(offset), simdSeg), len, user()); }

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
    public RuntimeException fault(int vector) { return fault.set(vector, vector == 13, 0); }

    // ---- arithmetic ----

    /** {@link Alu#arith} extended to 64-bit operands. */
    private long arith(int op, long a, long b, int size) {
        if (size != 8) return alu.arith(op, a, b, size);
        long r, f = 0;
        switch (op) {
            case 0, 2 -> {
                long c = op == 2 && alu.cf() ? 1 : 0;
                r = a + b + c;
                if (Long.compareUnsigned(r, a) < 0 || (c == 1 && r == a)) f |= FLAG_CF;
                if (((a ^ r) & (b ^ r)) < 0) f |= FLAG_OF;
                f |= (a ^ b ^ r) & FLAG_AF;
            }
            case 3, 5, 7 -> {
                long c = op == 3 && alu.cf() ? 1 : 0;
                r = a - b - c;
                if (Long.compareUnsigned(a, b) < 0 || (c == 1 && a == b)) f |= FLAG_CF;
                if (((a ^ b) & (a ^ r)) < 0) f |= FLAG_OF;
                f |= (a ^ b ^ r) & FLAG_AF;
            }
            case 1 -> r = a | b;
            case 4 -> r = a & b;
            default -> r = a ^ b;
        }
        s.rflags = (s.rflags & ~Alu.ARITH) | f | Alu.szp(r, 8);
        return r;
    }

    private long incDec(long a, int size, boolean dec) {
        if (size != 8) return alu.incDec(a, size, dec);
        long r = dec ? a - 1 : a + 1;
        long f = Alu.szp(r, 8) | ((a ^ r) & FLAG_AF);
        if (dec ? a == Long.MIN_VALUE : r == Long.MIN_VALUE) f |= FLAG_OF;
        s.rflags = (s.rflags & ~(Alu.ARITH & ~FLAG_CF)) | f;
        return r;
    }

    // ---- fast paths: the forms of FastForms64, with exactly the semantics and fault order of execute() ----

    private static final long M32 = 0xFFFF_FFFFL;

    private long alu(int op, long a, long b, boolean wide) {
        return wide ? FastArith.arith64(s, op, a, b) : FastArith.arith32(s, op, a & M32, b & M32);
    }

    /** Sign-extended imm32 (or imm8 for 83), cut to the operand size. */
    private static long aluImm(DecodedInsn d, boolean wide) {
        long b = d.op == 0x83 ? (byte) d.imm : (int) d.imm;
        return wide ? b : b & M32;
    }

    private void fastRegister(DecodedInsn d, int kind) {
        long[] g = this.g;
        boolean wide = d.o64;
        switch (kind) {
            case FastForms64.ALU_RR -> {
                // 0x01-style forms write r/m, 0x03-style write reg; TEST (0x85) and CMP write nothing.
                int op = d.op;
                boolean toRm = (op & 2) == 0;
                int rm = d.rm | (d.rex & 1) << 3, reg = d.reg | (d.rex & 4) << 1;
                int dst = toRm ? rm : reg, src = toRm ? reg : rm;
                int aop = op == 0x85 ? 4 : op >> 3;
                long r = alu(aop, g[dst], g[src], wide);
                if (aop != 7 && op != 0x85) g[dst] = r;
            }
            case FastForms64.ALU_R_IMM -> {
                int rm = d.rm | (d.rex & 1) << 3;
                long r = alu(d.reg, g[rm], aluImm(d, wide), wide);
                if (d.reg != 7) g[rm] = r;
            }
            case FastForms64.ALU_RAX_IMM -> {
                int aop = d.op >> 3;
                long r = alu(aop, g[RAX], wide ? (int) d.imm : d.imm & M32, wide);
                if (aop != 7) g[RAX] = r;
            }
            case FastForms64.MOV_RR -> {
                int rm = d.rm | (d.rex & 1) << 3, reg = d.reg | (d.rex & 4) << 1;
                long m = wide ? -1L : M32;
                if (d.op == 0x89) g[rm] = g[reg] & m;
                else g[reg] = g[rm] & m;
            }
            case FastForms64.MOV_R_IMM -> g[d.op & 7 | (d.rex & 1) << 3] = wide ? d.imm : d.imm & M32;
            case FastForms64.LEA -> g[d.reg | (d.rex & 4) << 1] = wide ? ea(d) : ea(d) & M32;
            case FastForms64.INCDEC_R -> {
                int rm = d.rm | (d.rex & 1) << 3;
                g[rm] = FastArith.incDec(s, wide ? g[rm] : g[rm] & M32, wide, d.reg == 1);
            }
            case FastForms64.JCC8 -> { if (s.cond(d.op & 15)) jump(s.rip + (byte) d.imm); }
            case FastForms64.JCC32 -> { if (s.cond(d.op & 15)) jump(s.rip + (int) d.imm); }
            case FastForms64.JMP8 -> jump(s.rip + (byte) d.imm);
            case FastForms64.JMP32 -> jump(s.rip + (int) d.imm);
            case FastForms64.NOP -> { }
            case FastForms64.MOVZX_R_R -> {
                int rm = d.rm | (d.rex & 1) << 3;
                g[d.reg | (d.rex & 4) << 1] = g[rm] & (d.op == 0x1B6 ? 0xFF : 0xFFFF);
            }
            case FastForms64.CMOV -> {
                int reg = d.reg | (d.rex & 4) << 1;
                long v = g[d.rm | (d.rex & 1) << 3];
                // A 32-bit CMOV zero-extends its destination even when the condition is false.
                if (s.cond(d.op & 15)) g[reg] = wide ? v : v & M32;
                else if (!wide) g[reg] &= M32;
            }
            case FastForms64.SETCC_R -> {
                int rm = d.rm | (d.rex & 1) << 3;
                g[rm] = (g[rm] & ~0xFFL) | (s.cond(d.op & 15) ? 1 : 0);
            }
            default -> throw new IllegalStateException("fast kind " + kind);
        }
    }

    private void fastMemory(DecodedInsn d, int kind) {
        long[] g = this.g;
        boolean wide = d.o64;
        int size = wide ? 8 : 4;
        switch (kind) {
            case FastForms64.ALU_RM_R -> {
                int aop = d.op >> 3;
                long off = ea(d);
                long r = alu(aop, memRead(off, d.seg, size), g[d.reg | (d.rex & 4) << 1], wide);
                if (aop != 7) memWrite(off, d.seg, size, r);
            }
            case FastForms64.ALU_R_RM -> {
                int aop = d.op >> 3, reg = d.reg | (d.rex & 4) << 1;
                long r = alu(aop, g[reg], memRead(ea(d), d.seg, size), wide);
                if (aop != 7) g[reg] = r;
            }
            case FastForms64.ALU_RM_IMM -> {
                long off = ea(d);
                long r = alu(d.reg, memRead(off, d.seg, size), aluImm(d, wide), wide);
                if (d.reg != 7) memWrite(off, d.seg, size, r);
            }
            case FastForms64.TEST_RM_R -> alu(4, memRead(ea(d), d.seg, size), g[d.reg | (d.rex & 4) << 1], wide);
            case FastForms64.MOV_RM_R -> memWrite(ea(d), d.seg, size, g[d.reg | (d.rex & 4) << 1]);
            case FastForms64.MOV_R_RM -> g[d.reg | (d.rex & 4) << 1] = memRead(ea(d), d.seg, size);
            case FastForms64.MOV_RM_IMM -> memWrite(ea(d), d.seg, size, (int) d.imm);
            case FastForms64.MOVZX_R_M -> g[d.reg | (d.rex & 4) << 1] = memRead(ea(d), d.seg, d.op == 0x1B6 ? 1 : 2);
            case FastForms64.INCDEC_M -> {
                long off = ea(d);
                long r = FastArith.incDec(s, memRead(off, d.seg, size), wide, d.reg == 1);
                memWrite(off, d.seg, size, r);
            }
            case FastForms64.CMP_M8_IMM -> {
                long v = memRead(ea(d), d.seg, 1);
                s.flags();
                alu.arith(7, v, d.imm & 0xFF, 1);
            }
            case FastForms64.TEST_M8_IMM -> {
                long v = memRead(ea(d), d.seg, 1);
                s.flags();
                alu.arith(4, v, d.imm & 0xFF, 1);
            }
            case FastForms64.PUSH -> push(g[d.op & 7 | (d.rex & 1) << 3], 8);
            case FastForms64.POP -> {
                long v = pop(8);
                g[d.op & 7 | (d.rex & 1) << 3] = v;
            }
            case FastForms64.CALL -> {
                long target = s.rip + (int) d.imm;
                if (!canonical(target)) throw fault.set(13, true, 0);
                push(s.rip, 8);
                s.rip = target;
            }
            case FastForms64.RET -> jump(pop(8));
            default -> execute(d);
        }
    }

    private long ea(DecodedInsn d) {
        long a = d.disp;
        if (d.ripRel) a += s.rip;
        if (d.base >= 0) a += g[d.base];
        if (d.index >= 0) a += g[d.index] << d.scale;
        if (!d.a64) a &= M32;
        return a;
    }

    // ---- execution ----

    private void execute(DecodedInsn d) {
        s.flags(); // everything outside the fast paths sees architectural RFLAGS
        int op = d.op;
        int osz = d.size();
        if (op < 0x40 && (op & 7) < 6) {
            int aop = op >> 3;
            int size = (op & 1) == 0 ? 1 : osz;
            switch (op & 7) {
                case 0, 1 -> {
                    long r = arith(aop, rmRead(size), reg(size, d.regX()), size);
                    if (aop != 7) rmWrite(size, r);
                }
                case 2, 3 -> {
                    long r = arith(aop, reg(size, d.regX()), rmRead(size), size);
                    if (aop != 7) setReg(size, d.regX(), r);
                }
                default -> {
                    long r = arith(aop, reg(size, RAX), sext(d.imm, size == 1 ? 1 : 4) & mask(size), size);
                    if (aop != 7) setReg(size, RAX, r);
                }
            }
            return;
        }
        if (op >= 0x50 && op <= 0x57) { push(reg(osz, d.opReg()), osz); return; }
        if (op >= 0x58 && op <= 0x5F) {
            long v = pop(osz);
            setReg(osz, d.opReg(), v);
            return;
        }
        if (op >= 0x70 && op <= 0x7F) { if (alu.cond(op & 0xF)) jump(s.rip + (byte) d.imm); return; }
        if (op >= 0x180 && op <= 0x18F) { if (alu.cond(op & 0xF)) jump(s.rip + (int) d.imm); return; }
        if (op >= 0xB0 && op <= 0xB7) { setReg(1, d.opReg(), d.imm); return; }
        if (op >= 0xB8 && op <= 0xBF) { setReg(osz, d.opReg(), d.imm); return; }
        if ((op == 0x1BC || op == 0x1BD) && simd.countsZeros(d)) { simdOp(); return; } // LZCNT/TZCNT, not BSF/BSR
        switch (op) {
            case 0x63 -> setReg(osz, d.regX(), osz == 8 ? sext(rmRead(4), 4) : rmRead(osz));
            case 0x68 -> push(sext(d.imm, osz == 2 ? 2 : 4), osz);
            case 0x6A -> push((byte) d.imm, osz);
            case 0x80, 0x81, 0x83 -> {
                int size = op == 0x80 ? 1 : osz;
                long b = (op == 0x81 ? sext(d.imm, size == 2 ? 2 : 4) : (byte) d.imm) & mask(size);
                long r = arith(d.reg, rmRead(size), b, size);
                if (d.reg != 7) rmWrite(size, r);
            }
            case 0x84, 0x85 -> {
                int size = op == 0x84 ? 1 : osz;
                arith(4, rmRead(size), reg(size, d.regX()), size);
            }
            case 0x88, 0x89 -> { int size = op == 0x88 ? 1 : osz; rmWrite(size, reg(size, d.regX())); }
            case 0x8A, 0x8B -> { int size = op == 0x8A ? 1 : osz; setReg(size, d.regX(), rmRead(size)); }
            case 0x8D -> {
                if (!d.mem) throw ud();
                setReg(osz, d.regX(), ea());
            }
            case 0x90 -> {
                if ((d.rex & 1) != 0) { // XCHG r8, rax
                    long t = reg(osz, 8);
                    setReg(osz, 8, reg(osz, RAX));
                    setReg(osz, RAX, t);
                }
            }
            case 0x98 -> setReg(osz, RAX, osz == 8 ? (int) g[RAX] : osz == 4 ? (short) g[RAX] : (byte) g[RAX]);
            case 0x99 -> {
                long sign = (reg(osz, RAX) & (1L << (8 * osz - 1))) != 0 ? -1L : 0;
                setReg(osz, RDX, sign);
            }
            case 0xC3 -> jump(pop(8));
            case 0xCF -> {
                if (osz == 2) throw ud(); // IRET with a 16-bit frame: not supported yet
                intr.iret(osz);
            }
            case 0xC6, 0xC7 -> {
                if (d.reg != 0) throw ud();
                int size = op == 0xC6 ? 1 : osz;
                rmWrite(size, sext(d.imm, size == 1 ? 1 : size == 2 ? 2 : 4));
            }
            case 0xE8 -> {
                long target = s.rip + (int) d.imm;
                if (!canonical(target)) throw fault.set(13, true, 0);
                push(s.rip, 8);
                s.rip = target;
            }
            case 0xE9 -> jump(s.rip + (int) d.imm);
            case 0xEB -> jump(s.rip + (byte) d.imm);
            case 0xF4 -> {
                if (s.cs.dpl != 0) throw fault.set(13, true, 0);
                s.halted = true;
            }
            case 0xFE, 0xFF -> group5(op == 0xFE ? 1 : osz);
            case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3 -> {
                int size = (op & 1) == 0 ? 1 : osz;
                int count = op <= 0xC1 ? (int) d.imm : op <= 0xD1 ? 1 : (int) g[RCX];
                long a = rmRead(size);
                rmWrite(size, size == 8 ? alu64.shift(d.reg, a, count) : alu.shift(d.reg, a, count, size));
            }
            case 0xF6, 0xF7 -> group3(op == 0xF6 ? 1 : osz);
            case 0x69, 0x6B, 0x1AF -> {
                long a = rmRead(osz);
                long b = op == 0x1AF ? reg(osz, d.regX()) : op == 0x6B ? (byte) d.imm : sext(d.imm, osz == 2 ? 2 : 4);
                setReg(osz, d.regX(), imul(sext(a, osz), sext(b, osz), osz));
            }
            case 0x1B6, 0x1B7 -> setReg(osz, d.regX(), rmRead(op == 0x1B6 ? 1 : 2));
            case 0x1BE, 0x1BF -> setReg(osz, d.regX(), sext(rmRead(op == 0x1BE ? 1 : 2), op == 0x1BE ? 1 : 2));
            case 0x86, 0x87 -> {
                int size = op == 0x86 ? 1 : osz;
                long a = rmRead(size);
                rmWrite(size, reg(size, d.regX()));
                setReg(size, d.regX(), a);
            }
            case 0x101 -> { // LGDT / LIDT with a 64-bit base; SWAPGS
                if (!d.mem && d.reg == 7 && d.rm == 0) {
                    if (s.cpl() != 0) throw fault.set(13, true, 0);
                    long t = s.gs.base;
                    s.gs.base = s.kernelGsBase;
                    s.kernelGsBase = t;
                    return;
                }
                if (!d.mem) { // register forms (XGETBV, RDTSCP, ...) behave as in legacy modes
                    long next = s.rip;
                    sys.executeLegacy(d);
                    s.rip = next;
                    return;
                }
                switch (d.reg) {
                    case 0, 1 -> { // SGDT/SIDT: 10 bytes in 64-bit mode
                        long off = ea();
                        boolean gdt = d.reg == 0;
                        memWrite(off, d.seg, 2, gdt ? s.gdtLimit : s.idtLimit);
                        memWrite(off + 2, d.seg, 8, gdt ? s.gdtBase : s.idtBase);
                        return;
                    }
                    case 4 -> { // SMSW
                        if (d.mem) memWrite(ea(), d.seg, 2, s.cr0 & 0xFFFF);
                        return;
                    }
                    case 6 -> { // LMSW: PE, MP, EM, TS only, PE cannot be cleared
                        if (s.cpl() != 0) throw fault.set(13, true, 0);
                        long v = rmRead(2);
                        sys.writeCr(0, (s.cr0 & ~0xEL) | (v & 0xF) | (s.cr0 & CpuState.CR0_PE));
                        return;
                    }
                    case 7 -> { // INVLPG
                        if (s.cpl() != 0) throw fault.set(13, true, 0);
                        long off = ea();
                        mmu.flushPage(off + (d.seg == FS ? s.fs.base : d.seg == GS ? s.gs.base : 0));
                        return;
                    }
                    default -> { }
                }
                if (d.reg != 2 && d.reg != 3) throw ud();
                if (s.cpl() != 0) throw fault.set(13, true, 0);
                long off = ea();
                int limit = (int) memRead(off, d.seg, 2);
                long base = memRead(off + 2, d.seg, 8);
                if (!canonical(base)) throw fault.set(13, true, 0);
                if (d.reg == 2) { s.gdtBase = base; s.gdtLimit = limit; }
                else { s.idtBase = base; s.idtLimit = limit; }
            }
            case 0xF5, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xE4, 0xE5, 0xE6, 0xE7, 0xEC, 0xED, 0xEE, 0xEF,
                    0x106, 0x108, 0x109, 0x130, 0x131, 0x132, 0x133, 0x1A2 -> {
                long next = s.rip;
                sys.executeLegacy(d);
                s.rip = next;
            }
            case 0x118, 0x119, 0x11A, 0x11B, 0x11C, 0x11D, 0x11E, 0x11F -> { } // hint NOPs
            case 0x120 -> { // MOV r64, CRn (REX.R selects CR8-CR15, none of which exist here)
                if (s.cpl() != 0) throw fault.set(13, true, 0);
                g[d.rmX()] = switch (d.regX()) {
                    case 0 -> s.cr0;
                    case 2 -> s.cr2;
                    case 3 -> s.cr3;
                    case 4 -> s.cr4;
                    default -> throw ud();
                };
            }
            case 0x122 -> {
                if (s.cpl() != 0) throw fault.set(13, true, 0);
                int cr = d.regX();
                long v = g[d.rmX()];
                if ((cr == 0 || cr == 4) && (v >>> 32) != 0) throw fault.set(13, true, 0); // bits 63:32 are reserved
                if (cr != 0 && cr != 2 && cr != 3 && cr != 4) throw ud();
                sys.writeCr(cr, v);
            }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> {
                int r = d.opReg();
                long t = reg(osz, r);
                setReg(osz, r, reg(osz, RAX));
                setReg(osz, RAX, t);
            }
            case 0x9E, 0x9F -> {
                long next = s.rip;
                sys.executeLegacy(d);
                s.rip = next;
            }
            case 0x8C -> {
                if (d.reg > 5) throw ud();
                int sel = s.seg[d.reg].selector;
                if (d.mem) memWrite(ea(), d.seg, 2, sel);
                else setReg(osz == 2 ? 2 : 4, d.rmX(), sel);
            }
            case 0x8E -> {
                if (d.reg > 5 || d.reg == CS) throw ud();
                sys.loadSegment(d.reg, (int) rmRead(2));
            }
            case 0xCC -> sys.softInt(3);
            case 0xCD -> sys.softInt((int) d.imm & 0xFF);
            case 0x9C -> push((s.rflags | 2) & ~(FLAG_VM | FLAG_RF) & mask(osz), osz);
            case 0x9D -> popf(osz);
            case 0xC9 -> { // LEAVE
                g[RSP] = g[RBP];
                setReg(osz, RBP, pop(osz));
            }
            case 0xC2 -> {
                long target = memRead(g[RSP], SS, 8);
                jump(target);
                g[RSP] += 8 + (d.imm & 0xFFFF);
            }
            case 0x1C8, 0x1C9, 0x1CA, 0x1CB, 0x1CC, 0x1CD, 0x1CE, 0x1CF -> {
                int r = d.opReg();
                if (osz == 8) g[r] = Long.reverseBytes(g[r]);
                else if (osz == 4) g[r] = Integer.reverseBytes((int) g[r]) & 0xFFFF_FFFFL;
                else setReg(2, r, 0); // BSWAP with a 16-bit operand is undefined; zero like current CPUs
            }
            case 0x1C0, 0x1C1 -> { // XADD
                int size = op == 0x1C0 ? 1 : osz;
                long dst = rmRead(size), src = reg(size, d.regX());
                long sum = arith(0, dst, src, size);
                setReg(size, d.regX(), dst);
                rmWrite(size, sum);
            }
            case 0x1B0, 0x1B1 -> { // CMPXCHG
                int size = op == 0x1B0 ? 1 : osz;
                long dst = rmRead(size), acc = reg(size, RAX);
                arith(7, acc, dst, size);
                if (acc == dst) rmWrite(size, reg(size, d.regX()));
                else {
                    // A memory destination gets its write cycle either way; a register one is not written at all,
                    // so a 32-bit one keeps its upper half (no zero-extension), as the host CPU shows.
                    if (d.mem) rmWrite(size, dst);
                    setReg(size, RAX, dst);
                }
            }
            case 0xA4, 0xA5, 0xAA, 0xAB, 0xAC, 0xAD -> stringOp(op, (op & 1) == 0 ? 1 : osz);
            case 0x105 -> syscall();
            case 0x107 -> sysret();
            case 0x1AE -> {
                if (d.mem && d.reg != 2 && d.reg != 3 && d.reg != 7) {
                    simdOff = ea();
                    simdSeg = d.seg;
                    sys.saveRestoreState(d, this);
                } else if (d.reg == 2 || d.reg == 3) {
                    simdOp();
                } else if (d.reg < 5) {
                    throw ud();
                } // LFENCE, MFENCE, SFENCE, CLFLUSH: nothing to order or flush here
            }
            case 0x1C7 -> {
                if (d.reg != 1 || !d.mem) throw ud();
                cmpxchg8b16b((d.rex & 8) != 0);
            }
            default -> {
                if (more(op, osz)) return;
                if (op >= 0x190 && op <= 0x19F) rmWrite(1, alu.cond(op & 0xF) ? 1 : 0);
                else if (op >= 0x140 && op <= 0x14F) {
                    long v = rmRead(osz); // the source is read (and may fault) even when the condition is false
                    if (alu.cond(op & 0xF)) setReg(osz, d.regX(), v);
                    else if (osz == 4) setReg(4, d.regX(), reg(4, d.regX())); // 32-bit CMOV always zero-extends
                } else if (op >= 0x100 && op < 0x400) {
                    simdOp();
                } else throw ud();
            }
        }
    }

    // ---- the rest of the 64-bit instruction set ----

    private final long[] descTmp = new long[2];

    /** Executes the instructions not in the core switch; false when {@code op} is none of them. */
    private boolean more(int op, int osz) {
        switch (op) {
            case 0xE0, 0xE1, 0xE2 -> { // LOOPNE, LOOPE, LOOP: RCX or ECX by address size
                long c = d.a64 ? g[RCX] - 1 : (g[RCX] - 1) & 0xFFFF_FFFFL;
                g[RCX] = c;
                boolean zf = (s.rflags & FLAG_ZF) != 0;
                if (c != 0 && (op == 0xE2 || (op == 0xE1) == zf)) jump(s.rip + (byte) d.imm);
            }
            case 0xE3 -> { if ((d.a64 ? g[RCX] : g[RCX] & 0xFFFF_FFFFL) == 0) jump(s.rip + (byte) d.imm); }
            case 0x1A3, 0x1AB, 0x1B3, 0x1BB -> bitOp((op >> 3) & 3, osz, reg(osz, d.regX()), true);
            case 0x1BA -> {
                if (d.reg < 4) throw ud();
                bitOp(d.reg - 4, osz, d.imm & 0xFF, false);
            }
            case 0x1BC, 0x1BD -> {
                // (F3 0F BC/BD as TZCNT/LZCNT went to the SIMD unit in execute())
                long v = rmRead(osz);
                if (v == 0) {
                    s.rflags |= FLAG_ZF;
                } else {
                    int idx = op == 0x1BC ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
                    setReg(osz, d.regX(), idx);
                    s.rflags &= ~FLAG_ZF;
                }
            }
            case 0x1A4, 0x1A5, 0x1AC, 0x1AD -> doubleShift(op >= 0x1AC, osz, op == 0x1A4 || op == 0x1AC ? (int) d.imm : (int) g[RCX]);
            case 0x1A0, 0x1A8 -> push(s.seg[op == 0x1A0 ? FS : GS].selector, osz);
            case 0x1A1, 0x1A9 -> {
                long sel = memRead(g[RSP], SS, osz == 2 ? 2 : 2);
                sys.loadSegment(op == 0x1A1 ? FS : GS, (int) sel);
                g[RSP] += osz;
            }
            case 0x8F -> {
                if (d.reg != 0) throw ud();
                // POP r/m: the address is computed with the incremented RSP (SDM Vol. 2 POP)
                long v = memRead(g[RSP], SS, osz);
                long old = g[RSP];
                g[RSP] += osz;
                try {
                    rmWrite(osz, v);
                } catch (CpuFault f) {
                    g[RSP] = old;
                    throw f;
                }
            }
            case 0xA0, 0xA1 -> { int size = op == 0xA0 ? 1 : osz; setReg(size, RAX, memRead(d.disp, d.seg, size)); }
            case 0xA2, 0xA3 -> { int size = op == 0xA2 ? 1 : osz; memWrite(d.disp, d.seg, size, reg(size, RAX)); }
            case 0xA8, 0xA9 -> {
                int size = op == 0xA8 ? 1 : osz;
                arith(4, reg(size, RAX), sext(d.imm, size == 1 ? 1 : size == 2 ? 2 : 4) & mask(size), size);
            }
            case 0xA6, 0xA7, 0xAE, 0xAF -> compareString(op, (op & 1) == 0 ? 1 : osz);
            case 0x6C, 0x6D, 0x6E, 0x6F -> ioString(op, (op & 1) == 0 ? 1 : osz == 8 ? 4 : osz);
            case 0xD7 -> { // XLAT: [RBX + AL]
                long base = d.a64 ? g[RBX] : g[RBX] & 0xFFFF_FFFFL;
                long off = base + (g[RAX] & 0xFF);
                setReg(1, RAX, memRead(d.a64 ? off : off & 0xFFFF_FFFFL, d.seg, 1));
            }
            case 0xC8 -> enter((int) d.imm & 0xFFFF, (int) d.imm2 & 0x1F, osz);
            case 0xCA, 0xCB -> farReturn(osz, op == 0xCA ? (int) d.imm & 0xFFFF : 0);
            case 0x9B -> { // FWAIT
                if ((s.cr0 & (CpuState.CR0_MP | CpuState.CR0_TS)) == (CpuState.CR0_MP | CpuState.CR0_TS)) throw fault.set(7, false, 0);
                long next = s.rip;
                sys.executeLegacy(d);
                s.rip = next;
            }
            case 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF -> {
                if (d.mem) {
                    simdOff = ea();
                    simdSeg = d.seg;
                }
                sys.x87(d, this, d.mem ? s.seg[d.seg].selector : 0, d.mem ? simdAddr(0) : 0);
            }
            case 0xF1 -> sys.softInt(1); // INT1 (ICEBP): #DB without the gate DPL check is close enough here
            case 0x100 -> group6();
            case 0x102, 0x103 -> {
                if (d.mem) {
                    simdOff = ea();
                    simdSeg = d.seg;
                }
                larLsl(op == 0x102, osz);
            }
            case 0x10B, 0x1B9, 0x1FF -> throw ud(); // UD2, UD1, UD0
            case 0x10D -> { } // PREFETCHW
            case 0x121 -> g[d.rmX()] = sys.readDr(d.regX());
            case 0x123 -> sys.writeDr(d.regX(), g[d.rmX()]);
            case 0x1B2, 0x1B4, 0x1B5 -> { // LSS/LFS/LGS m16:16/32/64
                if (!d.mem) throw ud();
                long off = ea();
                long v = memRead(off, d.seg, osz);
                int sel = (int) memRead(off + osz, d.seg, 2);
                sys.loadSegment(op == 0x1B2 ? SS : op == 0x1B4 ? FS : GS, sel);
                setReg(osz, d.regX(), v);
            }
            default -> { return false; }
        }
        return true;
    }

    /** BT/BTS/BTR/BTC; a register bit offset addresses memory beyond the operand (signed, SDM Vol. 2 BT). */
    private void bitOp(int kind, int size, long bitOff, boolean regOffset) {
        int bits = size * 8;
        long v;
        long addr = 0;
        if (d.mem) {
            addr = ea();
            if (regOffset) {
                long sOff = sext(bitOff, size);
                addr += (sOff >> (size == 8 ? 6 : size == 4 ? 5 : 4)) * size;
                if (!d.a64) addr &= 0xFFFF_FFFFL;
            }
            v = memRead(addr, d.seg, size);
        } else {
            v = reg(size, d.rmX());
        }
        int bit = (int) (bitOff & (bits - 1));
        long m = 1L << bit;
        s.rflags = (s.rflags & ~FLAG_CF) | ((v & m) != 0 ? FLAG_CF : 0);
        if (kind == 0) return;
        long r = kind == 1 ? v | m : kind == 2 ? v & ~m : v ^ m;
        if (d.mem) memWrite(addr, d.seg, size, r);
        else setReg(size, d.rmX(), r);
    }

    /** SHLD/SHRD; the count is masked to 6 bits for 64-bit operands, else 5 (SDM Vol. 2 SHLD). */
    private void doubleShift(boolean right, int size, int count) {
        count &= size == 8 ? 63 : 31;
        long a = rmRead(size);
        if (count == 0) {
            if (size == 4 && !d.mem) setReg(4, d.rmX(), a); // a 32-bit register is still written: zero-extended
            return;
        }
        long b = reg(size, d.regX());
        int bits = size * 8;
        if (size == 2 && count > 16) count &= 15; // undefined result; the common behaviour
        if (count == 0) return;
        long r, cf;
        if (size == 8) {
            r = right ? (a >>> count) | (b << (64 - count)) : (a << count) | (b >>> (64 - count));
            cf = right ? (a >>> (count - 1)) & 1 : (a >>> (64 - count)) & 1;
        } else if (!right) {
            long wide = (a << bits) | b;
            r = (wide << count >>> bits) & mask(size);
            cf = (a >>> (bits - count)) & 1;
        } else {
            long wide = (b << bits) | a;
            r = (wide >>> count) & mask(size);
            cf = (a >>> (count - 1)) & 1;
        }
        long f = Alu.szp(r, size) | cf;
        if ((((r ^ a) >>> (bits - 1)) & 1) != 0) f |= FLAG_OF;
        s.rflags = (s.rflags & ~Alu.ARITH) | f;
        rmWrite(size, r);
    }

    /** CMPS/SCAS with REPE/REPNE, restartable in chunks like the other string instructions. */
    private void compareString(int op, int size) {
        long am = d.a64 ? -1L : 0xFFFF_FFFFL;
        long step = (s.rflags & FLAG_DF) != 0 ? -size : size;
        boolean rep = d.rep != DecodedInsn.REP_NONE;
        boolean cmps = op == 0xA6 || op == 0xA7;
        for (int n = 0; !rep || n < REP_CHUNK; n++) {
            if (rep && (g[RCX] & am) == 0) return;
            long b = memRead(g[RDI] & am, ES, size);
            long a = cmps ? memRead(g[RSI] & am, d.seg, size) : reg(size, RAX);
            arith(7, a, b, size);
            if (cmps) g[RSI] = d.a64 ? g[RSI] + step : (g[RSI] + step) & am;
            g[RDI] = d.a64 ? g[RDI] + step : (g[RDI] + step) & am;
            if (!rep) return;
            g[RCX] = d.a64 ? g[RCX] - 1 : (g[RCX] - 1) & am;
            boolean zf = (s.rflags & FLAG_ZF) != 0;
            if (d.rep == DecodedInsn.REP_E ? !zf : zf) return;
        }
        if ((g[RCX] & am) != 0) s.rip = ripStart;
    }

    /** INS/OUTS (with REP): one port access per element, so devices see every byte. */
    private void ioString(int op, int size) {
        long am = d.a64 ? -1L : 0xFFFF_FFFFL;
        long step = (s.rflags & FLAG_DF) != 0 ? -size : size;
        boolean rep = d.rep != DecodedInsn.REP_NONE;
        int port = (int) g[RDX] & 0xFFFF;
        for (int n = 0; !rep || n < REP_CHUNK; n++) {
            if (rep && (g[RCX] & am) == 0) return;
            if (op <= 0x6D) {
                mmu.probeWrite(linear(g[RDI] & am, ES), size, user()); // the store must not fault after the read
                long v = sys.in(port, size);
                memWrite(g[RDI] & am, ES, size, v);
                g[RDI] = d.a64 ? g[RDI] + step : (g[RDI] + step) & am;
            } else {
                long v = memRead(g[RSI] & am, d.seg, size);
                sys.out(port, size, v);
                g[RSI] = d.a64 ? g[RSI] + step : (g[RSI] + step) & am;
            }
            if (!rep) return;
            g[RCX] = d.a64 ? g[RCX] - 1 : (g[RCX] - 1) & am;
        }
        if ((g[RCX] & am) != 0) s.rip = ripStart;
    }

    /** ENTER with 64-bit (or 16-bit) frame pointers (SDM Vol. 2 ENTER, 64-bit mode). */
    private void enter(int alloc, int level, int osz) {
        int size = osz == 2 ? 2 : 8;
        long rbp = g[RBP];
        push(rbp, size);
        long frame = g[RSP];
        for (int i = 1; i < level; i++) {
            rbp -= size;
            push(memRead(rbp, SS, size), size);
        }
        if (level > 0) push(frame, size);
        long newRsp = g[RSP] - alloc;
        memRead(newRsp, SS, 1); // the new stack top must be accessible (#SS/#PF before any change is kept)
        if (size == 2) g[RBP] = (g[RBP] & ~0xFFFFL) | (frame & 0xFFFF);
        else g[RBP] = frame;
        g[RSP] = newRsp;
    }

    /**
     * Loads CS for a far transfer in IA-32e mode: a code segment only (call gates and task switches do not
     * exist in 64-bit mode's far JMP/CALL paths we support; they raise #GP). L selects 64-bit or
     * compatibility mode (SDM Vol. 2 JMP, CALL, RET "IA-32e mode" paths).
     */
    private void loadCode(int sel, long target, int newCpl, boolean ret) {
        if ((sel & ~3) == 0) throw fault.set(13, true, 0);
        long[] desc = descTmp;
        sys.readDescriptor(sel, desc);
        int type = (int) (desc[1] >>> 8) & 0x1F;
        int dpl = (int) (desc[1] >>> 13) & 3;
        if ((type & 0x18) != 0x18) throw fault.set(13, true, sel & ~3);
        boolean conforming = (type & 4) != 0;
        int cpl = s.cpl();
        if (ret) {
            if ((sel & 3) < cpl || (conforming ? dpl > (sel & 3) : dpl != (sel & 3))) throw fault.set(13, true, sel & ~3);
        } else if (conforming ? dpl > cpl : (dpl != cpl || (sel & 3) > cpl)) {
            throw fault.set(13, true, sel & ~3);
        }
        if ((desc[1] & 0x8000) == 0) throw fault.set(11, true, sel & ~3);
        boolean l = (desc[1] & (1L << 21)) != 0;
        if (l ? !canonical(target) : target > 0xFFFF_FFFFL) throw fault.set(13, true, 0);
        sys.setAccessed(sel, desc);
        sys.fillCache(s.cs, (sel & ~3) | newCpl, desc);
        s.cs.dpl = newCpl;
        s.rip = target;
    }

    /** FF /3 and FF /5: far CALL/JMP through m16:16, m16:32 or m16:64 (REX.W). */
    private void farIndirect(boolean call, int osz) {
        if (!d.mem) throw ud();
        long off = ea();
        long target = memRead(off, d.seg, osz);
        int sel = (int) memRead(off + osz, d.seg, 2);
        int oldSel = s.cs.selector;
        long oldRip = s.rip;
        long oldRsp = g[RSP];
        if (call) {
            push(oldSel, osz);
            push(oldRip, osz);
        }
        try {
            loadCode(sel, target, s.cpl(), false);
        } catch (CpuFault f) {
            g[RSP] = oldRsp;
            throw f;
        }
    }

    /** RETF (imm16): same privilege, or to an outer one with RSP and SS popped as well. */
    private void farReturn(int osz, int release) {
        long sp = g[RSP];
        long target = memRead(sp, SS, osz);
        int sel = (int) memRead(sp + osz, SS, osz) & 0xFFFF;
        int cpl = s.cpl();
        int rpl = sel & 3;
        if (rpl > cpl) {
            long newRsp = memRead(sp + 2L * osz + release, SS, osz);
            int newSs = (int) memRead(sp + 3L * osz + release, SS, osz) & 0xFFFF;
            loadCode(sel, target, rpl, true);
            sys.loadSegment(SS, newSs);
            g[RSP] = newRsp + release;
            for (int sr : new int[] {ES, DS, FS, GS}) {
                SegmentRegister r = s.seg[sr];
                boolean conf = (r.type & 0xC) == 0xC;
                if (!r.unusable && r.dpl < rpl && !conf) { r.selector = 0; r.unusable = true; r.present = false; }
            }
        } else {
            loadCode(sel, target, cpl, true);
            g[RSP] = sp + 2L * osz + release;
        }
    }

    /** SLDT, STR, LLDT, LTR, VERR, VERW; LDT and TSS descriptors are 16 bytes in IA-32e mode (SDM Vol. 3A 3.5.2). */
    private void group6() {
        switch (d.reg) {
            case 0, 1 -> {
                int sel = (d.reg == 0 ? s.ldtr : s.tr).selector;
                if (d.mem) memWrite(ea(), d.seg, 2, sel);
                else setReg(d.size() == 2 ? 2 : d.size(), d.rmX(), sel);
            }
            case 2, 3 -> {
                if (s.cpl() != 0) throw fault.set(13, true, 0);
                int sel = (int) rmRead(2);
                boolean ldt = d.reg == 2;
                if ((sel & ~3) == 0) {
                    if (!ldt) throw fault.set(13, true, 0);
                    s.ldtr.selector = sel;
                    s.ldtr.unusable = true;
                    return;
                }
                if ((sel & 4) != 0) throw fault.set(13, true, sel & ~3);
                int idx = sel & ~7;
                if (idx + 15L > (s.gdtLimit & 0xFFFF_FFFFL)) throw fault.set(13, true, sel & ~3);
                long lo = mmu.read(s.gdtBase + idx, 8, false);
                long hi = mmu.read(s.gdtBase + idx + 8, 8, false);
                long[] desc = descTmp;
                desc[0] = lo & 0xFFFF_FFFFL;
                desc[1] = lo >>> 32;
                int type = (int) (desc[1] >>> 8) & 0x1F;
                if (ldt ? type != 2 : type != 9) throw fault.set(13, true, sel & ~3);
                if (((hi >>> 40) & 0x1F) != 0) throw fault.set(13, true, sel & ~3); // upper half's type must be 0
                if ((desc[1] & 0x8000) == 0) throw fault.set(11, true, sel & ~3);
                long base = (desc[0] >>> 16) | (desc[1] & 0xFF) << 16 | (desc[1] & 0xFF00_0000L) | (hi & 0xFFFF_FFFFL) << 32;
                if (!canonical(base)) throw fault.set(13, true, sel & ~3);
                SegmentRegister r = ldt ? s.ldtr : s.tr;
                if (!ldt) {
                    desc[1] |= 0x200; // busy
                    mmu.write(s.gdtBase + idx + 4, 4, desc[1], false);
                }
                sys.fillCache(r, sel, desc);
                r.base = base;
            }
            case 4, 5 -> {
                int sel = (int) rmRead(2);
                boolean ok = false;
                if ((sel & ~3) != 0) {
                    long[] desc = descTmp;
                    try {
                        sys.readDescriptor(sel, desc);
                        int type = (int) (desc[1] >>> 8) & 0x1F;
                        int dpl = (int) (desc[1] >>> 13) & 3;
                        boolean conforming = (type & 0x1C) == 0x1C;
                        if ((type & 0x10) != 0 && (conforming || (dpl >= s.cpl() && dpl >= (sel & 3)))) {
                            ok = d.reg == 4 ? ((type & 8) == 0 || (type & 2) != 0) : (type & 0x1A) == 0x12;
                        }
                    } catch (CpuFault f) {
                        if (f.vector != 13) throw f;
                    }
                }
                s.rflags = ok ? s.rflags | FLAG_ZF : s.rflags & ~FLAG_ZF;
            }
            default -> throw ud();
        }
    }

    /** LAR/LSL in 64-bit mode: the system types valid there are LDT (2), 64-bit TSS (9, 11); not gates. */
    private void larLsl(boolean lar, int osz) {
        int sel = (int) (d.mem ? read(0, 2) : reg(2, d.rmX()));
        long[] desc = descTmp;
        boolean ok = false;
        if ((sel & ~3) != 0) {
            try {
                sys.readDescriptor(sel, desc);
                int type = (int) (desc[1] >>> 8) & 0x1F;
                int dpl = (int) (desc[1] >>> 13) & 3;
                boolean conforming = (type & 0x1C) == 0x1C;
                boolean typeOk = (type & 0x10) != 0 || type == 2 || type == 9 || type == 11 || (lar && type == 0xC);
                ok = typeOk && (conforming || (dpl >= s.cpl() && dpl >= (sel & 3)));
            } catch (CpuFault f) {
                if (f.vector != 13) throw f;
            }
        }
        if (!ok) {
            s.rflags &= ~FLAG_ZF;
            return;
        }
        s.rflags |= FLAG_ZF;
        long v;
        if (lar) {
            v = desc[1] & 0x00F0_FF00L;
        } else {
            v = (desc[0] & 0xFFFF) | (desc[1] & 0xF_0000L);
            if ((desc[1] & (1L << 23)) != 0) v = (v << 12) | 0xFFF;
        }
        setReg(osz == 2 ? 2 : osz == 8 ? 8 : 4, d.regX(), osz == 2 ? v & 0xFFFF : v & 0xFFFF_FFFFL);
    }

    /** POPF/POPFQ in 64-bit mode (SDM Vol. 2 POPF): IOPL only at CPL 0, IF only when CPL <= IOPL; VM, VIF, VIP kept, RF cleared. */
    private void popf(int osz) {
        long v = pop(osz);
        int cpl = s.cpl();
        long keep = FLAG_VM | FLAG_VIF | FLAG_VIP;
        if (cpl != 0) keep |= 0x3000;
        if (cpl > ((s.rflags >>> 12) & 3)) keep |= FLAG_IF;
        long writable = 0x3F7FD5L & ~keep & ~FLAG_RF & mask(osz);
        s.rflags = (s.rflags & ~writable & ~FLAG_RF) | (v & writable) | 2;
    }

    /** Iterations per step for REP: the instruction restarts with the updated registers, so interrupts get in. */
    private static final int REP_CHUNK = 4096;

    /** MOVS, STOS, LODS with 64- or 32-bit addressing (RSI/RDI/RCX or their low dwords); ES is flat here. */
    private void stringOp(int op, int size) {
        long am = d.a64 ? -1L : 0xFFFF_FFFFL;
        long step = (s.rflags & FLAG_DF) != 0 ? -size : size;
        boolean rep = d.rep != DecodedInsn.REP_NONE;
        for (int n = 0; !rep || n < REP_CHUNK; n++) {
            if (rep && (g[RCX] & am) == 0) return;
            switch (op) {
                case 0xA4, 0xA5 -> {
                    long v = memRead(g[RSI] & am, d.seg, size);
                    memWrite(g[RDI] & am, ES, size, v);
                    g[RSI] = d.a64 ? g[RSI] + step : (g[RSI] + step) & am;
                    g[RDI] = d.a64 ? g[RDI] + step : (g[RDI] + step) & am;
                }
                case 0xAA, 0xAB -> {
                    memWrite(g[RDI] & am, ES, size, reg(size, RAX));
                    g[RDI] = d.a64 ? g[RDI] + step : (g[RDI] + step) & am;
                }
                default -> {
                    setReg(size, RAX, memRead(g[RSI] & am, d.seg, size));
                    g[RSI] = d.a64 ? g[RSI] + step : (g[RSI] + step) & am;
                }
            }
            if (!rep) return;
            g[RCX] = d.a64 ? g[RCX] - 1 : (g[RCX] - 1) & am;
        }
        if ((g[RCX] & am) != 0) s.rip = ripStart; // more to do: run this instruction again
    }

    /** Flat code or stack segment as SYSCALL/SYSRET load it (the descriptors are not read, SDM Vol. 2 SYSCALL). */
    private static void flat(SegmentRegister r, int sel, boolean code, boolean l, int dpl) {
        r.selector = sel & 0xFFFF;
        r.base = 0;
        r.limit = 0xFFFF_FFFF;
        r.type = code ? 0xB : 0x3;
        r.s = true;
        r.dpl = dpl;
        r.present = true;
        r.avl = false;
        r.l = l;
        r.db = !l;
        r.g = true;
        r.unusable = false;
    }

    /** SYSCALL from 64-bit mode: RCX = RIP, R11 = RFLAGS, CS/SS from STAR[47:32], RIP = LSTAR, RFLAGS &= ~FMASK. */
    private void syscall() {
        if ((s.efer & LongMode.EFER_SCE) == 0) throw ud();
        int sel = (int) (s.star >>> 32) & 0xFFFF;
        g[RCX] = s.rip;
        g[R11] = s.rflags & ~FLAG_RF;
        flat(s.cs, sel & 0xFFFC, true, true, 0);
        flat(s.ss, (sel + 8) & 0xFFFC, false, false, 0);
        s.ss.db = true;
        s.rflags = (s.rflags & ~s.sfmask & ~FLAG_RF) | 2;
        s.rip = s.lstar;
    }

    /** SYSRET to CPL 3: 64-bit (REX.W) CS = STAR[63:48]+16, else compatibility-mode CS = STAR[63:48]; SS = STAR[63:48]+8. */
    private void sysret() {
        if ((s.efer & LongMode.EFER_SCE) == 0) throw ud();
        if (s.cpl() != 0) throw fault.set(13, true, 0);
        boolean to64 = d.o64;
        if (to64 && !canonical(g[RCX])) throw fault.set(13, true, 0);
        int sel = (int) (s.star >>> 48) & 0xFFFF;
        flat(s.cs, (to64 ? sel + 16 : sel) | 3, true, to64, 3);
        flat(s.ss, (sel + 8) | 3, false, false, 3);
        s.ss.db = true;
        s.rflags = (g[R11] & 0x3C7FD7L) | 2;
        s.rip = to64 ? g[RCX] : g[RCX] & 0xFFFF_FFFFL;
    }

    private long imul(long a, long b, int size) {
        if (size == 8) return alu64.imul(a, b);
        long r = a * b;
        long f = Alu.szp(r & mask(size), size);
        if (sext(r, size) != r) f |= FLAG_CF | FLAG_OF;
        s.rflags = (s.rflags & ~Alu.ARITH) | f;
        return r & mask(size);
    }

    private void group3(int size) {
        switch (d.reg) {
            case 0, 1 -> arith(4, rmRead(size), sext(d.imm, size == 1 ? 1 : size == 2 ? 2 : 4) & mask(size), size);
            case 2 -> rmWrite(size, ~rmRead(size) & mask(size));
            case 3 -> rmWrite(size, arith(5, 0, rmRead(size), size));
            case 4, 5 -> {
                long src = rmRead(size);
                boolean signed = d.reg == 5;
                if (size == 8) { alu64.mul(src, signed); return; }
                long acc = reg(size, RAX);
                long r = signed ? sext(acc, size) * sext(src, size) : acc * src;
                long lo = r & mask(size), hi = (r >> (8 * size)) & mask(size);
                boolean ovf = signed ? sext(lo, size) != r : hi != 0;
                if (size == 1) setReg(2, RAX, hi << 8 | lo);
                else { setReg(size, RAX, lo); setReg(size, RDX, hi); }
                s.rflags = (s.rflags & ~Alu.ARITH) | Alu.szp(lo, size) | (ovf ? FLAG_CF | FLAG_OF : 0);
            }
            default -> {
                long divisor = rmRead(size);
                boolean signed = d.reg == 7;
                if (size == 8) {
                    if (!alu64.div(divisor, signed)) throw fault.set(0, false, 0);
                    return;
                }
                if (divisor == 0) throw fault.set(0, false, 0);
                long m = mask(size);
                long dividend = size == 1 ? reg(2, RAX) : reg(size, RDX) << (8 * size) | reg(size, RAX);
                long q, r;
                if (signed) {
                    long dd = sext(dividend, 2 * size), dv = sext(divisor, size);
                    q = dd / dv;
                    r = dd % dv;
                    if (q != sext(q & m, size)) throw fault.set(0, false, 0);
                } else {
                    q = Long.divideUnsigned(dividend, divisor);
                    r = Long.remainderUnsigned(dividend, divisor);
                    if (Long.compareUnsigned(q, m) > 0) throw fault.set(0, false, 0);
                }
                if (size == 1) setReg(2, RAX, (r & 0xFF) << 8 | q & 0xFF);
                else { setReg(size, RAX, q); setReg(size, RDX, r); }
            }
        }
    }

    /** CMPXCHG8B / CMPXCHG16B (REX.W): the 16-byte form needs a 16-byte aligned operand, else #GP(0). */
    private void cmpxchg8b16b(boolean wide) {
        long off = ea();
        if (wide) {
            if ((off & 15) != 0) throw fault.set(13, true, 0);
            long lo = memRead(off, d.seg, 8), hi = memRead(off + 8, d.seg, 8);
            boolean eq = lo == g[RAX] && hi == g[RDX];
            // The destination is written either way (with its old value on a mismatch).
            memWrite(off, d.seg, 8, eq ? g[RBX] : lo);
            memWrite(off + 8, d.seg, 8, eq ? g[RCX] : hi);
            if (!eq) { g[RAX] = lo; g[RDX] = hi; }
            s.rflags = eq ? s.rflags | FLAG_ZF : s.rflags & ~FLAG_ZF;
        } else {
            long v = memRead(off, d.seg, 8);
            long cmp = (g[RDX] & 0xFFFF_FFFFL) << 32 | (g[RAX] & 0xFFFF_FFFFL);
            boolean eq = v == cmp;
            memWrite(off, d.seg, 8, eq ? (g[RCX] & 0xFFFF_FFFFL) << 32 | (g[RBX] & 0xFFFF_FFFFL) : v);
            if (!eq) { g[RAX] = v & 0xFFFF_FFFFL; g[RDX] = v >>> 32; }
            s.rflags = eq ? s.rflags | FLAG_ZF : s.rflags & ~FLAG_ZF;
        }
    }

    private void group5(int size) {
        switch (d.reg) {
            case 0, 1 -> rmWrite(size, incDec(rmRead(size), size, d.reg == 1));
            case 2 -> {
                if (size == 1) throw ud();
                long target = rmRead(8);
                if (!canonical(target)) throw fault.set(13, true, 0);
                push(s.rip, 8);
                s.rip = target;
            }
            case 4 -> { if (size == 1) throw ud(); jump(rmRead(8)); }
            case 3, 5 -> { if (size == 1) throw ud(); farIndirect(d.reg == 3, d.size()); }
            case 6 -> { if (size == 1) throw ud(); push(rmRead(d.size()), d.size()); }
            default -> throw ud();
        }
    }
}
