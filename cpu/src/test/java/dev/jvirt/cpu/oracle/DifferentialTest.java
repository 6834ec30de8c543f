package dev.jvirt.cpu.oracle;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.cpu.conformance.UndefinedFlags;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Differential test of the interpreter against the host CPU ({@link NativeExecutor}): every user-mode
 * integer instruction form that means the same in 32-bit protected mode and in 64-bit mode with 8/16/32-bit
 * operands (no REX, no 67 prefix, no 40-4F INC/DEC, no BCD or other opcodes invalid in 64-bit mode) runs
 * {@link #CASES} seeded random cases, natively and in an {@link X86Cpu} in 32-bit flat protected mode.
 * Compared: the low 32 bits of each GPR but ESP, the scratch memory around the memory operand, and the
 * arithmetic flags and DF except those the SDM leaves undefined ({@link UndefinedFlags}). A memory operand is
 * {@code [esi]}, {@code [esi+disp8]}, {@code [esi+disp32]} or {@code [esi+index*scale+disp]} with a small index,
 * sometimes behind an ES/SS/DS override; memory forms also run LOCK-prefixed where the SDM allows LOCK.
 * String instructions (plain, REP, REPE, REPNE) use ESI and EDI, XLAT uses EBX.
 * Such pointer registers hold an address in the scratch buffer: the host address natively, the guest address
 * in the interpreter, and they are compared as offsets into the buffer. They are never register operands.
 */
class DifferentialTest {
    /** Cases per form; -Djvirt.oracle.cases=N runs a longer search. */
    static final int CASES = Integer.getInteger("jvirt.oracle.cases", 1000);
    static final long SEED = 0x6A76_6972_7400L;
    static final long CODE = 0x10_0000, DATA = 0x20_0000;
    /** The memory operand's offset in the scratch buffer; bytes around it catch stray writes. */
    static final int OPERAND_AT = 256, BUFFER = 512;
    static final int EBX = 3, ESP = 4, ESI = 6, EDI = 7;
    static final int NOT_POINTER = Integer.MIN_VALUE;
    /** ESP in the interpreter; natively RSP is the host stack, so no form has ESP as an operand. */
    static final long INTERPRETER_ESP = 0x8_0000;
    static final long ARITH = 0x8D5, DF = 0x400;

    /**
     * Forms where the interpreter differs from the host on SDM-defined behaviour (see the printed first
     * differing case). The interpreter's owner fixes them; a listed form that starts passing fails the test,
     * so this list cannot go stale.
     */
    static final Set<String> KNOWN_INTERPRETER_BUGS = Set.of();

    private static NativeExecutor host;
    private static GuestRam ram;
    private static CpuState state;
    private static X86Cpu cpu;
    private static final TreeMap<String, String> failures = new TreeMap<>();
    private static long casesRun;
    private static int formsRun;

    @BeforeAll
    static void setUp() {
        String why = NativeExecutor.unsupportedReason();
        if (why != null) System.out.println("DifferentialTest skipped: " + why);
        Assumptions.assumeTrue(why == null, why);
        try {
            host = new NativeExecutor();
        } catch (IllegalStateException e) {
            System.out.println("DifferentialTest skipped: cannot run host code: " + e.getMessage());
            Assumptions.abort("cannot run host code: " + e.getMessage());
        }
        ram = GuestRam.allocate(4 << 20);
        AddressSpace memory = new AddressSpace(ram);
        memory.addRam("ram", 0, ram.size(), 0, 0);
        state = new CpuState();
        cpu = new X86Cpu(state, memory, new PortSpace());
        cpu.stateChanged();
    }

    @AfterAll
    static void tearDown() {
        if (host == null) return;
        System.out.printf("DifferentialTest: %d forms, %d cases, %d forms differ%n", formsRun, casesRun, failures.size());
        failures.forEach((form, example) -> System.out.println("  DIFFERS " + form + "\n" + example.indent(4)));
        host.close();
        ram.close();
    }

    @org.junit.jupiter.api.Test
    void everyKnownBugNamesAForm() {
        Set<String> names = new java.util.HashSet<>();
        for (Form f : forms()) org.junit.jupiter.api.Assertions.assertTrue(names.add(f.name), "duplicate form name " + f.name);
        for (String k : KNOWN_INTERPRETER_BUGS) org.junit.jupiter.api.Assertions.assertTrue(names.contains(k), "no such form: " + k);
    }

    @TestFactory
    Stream<DynamicTest> hostAgreesWithInterpreter() {
        return forms().stream().map(f -> DynamicTest.dynamicTest(f.name, () -> check(f)));
    }

    private static void check(Form f) {
        Random rnd = new Random(SEED ^ f.name.hashCode());
        String diff = null;
        int n = 0;
        while (n < CASES && diff == null) {
            Case c = f.generate(rnd);
            diff = compare(f, c);
            n++;
        }
        formsRun++;
        casesRun += n;
        boolean known = KNOWN_INTERPRETER_BUGS.contains(f.name);
        if (diff != null) {
            failures.put(f.name, diff);
            if (!known) fail(f.name + ": interpreter differs from the host after " + n + " cases\n" + diff);
            System.out.println("known interpreter bug still present: " + f.name + "\n" + diff.indent(4));
        } else if (known) {
            fail(f.name + " now agrees with the host in " + n + " cases: remove it from KNOWN_INTERPRETER_BUGS");
        }
    }

    // =====================================================================================
    // One case on both sides
    // =====================================================================================

    /** Null when host and interpreter agree, else a description of the case and the differences. */
    private static String compare(Form f, Case c) {
        long[] nat = new long[16];
        for (int i = 0; i < 8; i++) nat[i] = c.gpr[i] | (long) c.upper[i] << 32;
        for (int i = 8; i < 16; i++) nat[i] = c.upper[i & 7] * 0x9E37_79B9L;
        var scratch = host.scratch();
        for (int i = 0; i < 8; i++) if (c.ptr[i] != NOT_POINTER) nat[i] = scratch.address() + c.ptr[i];
        scratch.copyFrom(java.lang.foreign.MemorySegment.ofArray(c.buf));
        long natFlags = host.execute(c.insn, nat, c.flags);
        byte[] natBuf = scratch.asSlice(0, c.buf.length).toArray(ValueLayout.JAVA_BYTE);

        state.reset();
        state.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        state.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS, CpuState.FS, CpuState.GS}) state.seg[sr].setFlat(0x10, false);
        state.idtBase = 0;
        state.idtLimit = 0;
        for (int i = 0; i < 8; i++) state.gpr[i] = c.gpr[i];
        state.gpr[ESP] = INTERPRETER_ESP;
        for (int i = 0; i < 8; i++) if (c.ptr[i] != NOT_POINTER) state.gpr[i] = DATA + c.ptr[i];
        state.rflags = 2 | c.flags;
        state.rip = CODE;
        ram.load(CODE, c.insn);
        ram.load(DATA, c.buf);
        cpu.clearLastException();
        cpu.clearShutdown();
        cpu.step();
        // REP string instructions may take one step per iteration, leaving EIP on the instruction.
        for (int k = 0; k < 1000 && state.rip == CODE && cpu.lastException() < 0 && !cpu.shutdown(); k++) cpu.step();
        byte[] emuBuf = ram.read(DATA, c.buf.length);

        StringBuilder why = new StringBuilder();
        if (cpu.lastException() >= 0 || cpu.shutdown()) {
            why.append("  interpreter raised exception ").append(cpu.lastException()).append(" (native did not)\n");
        } else if (state.rip != CODE + c.insn.length) {
            why.append(String.format("  interpreter EIP %#x, expected %#x%n", state.rip, CODE + c.insn.length));
        }
        int count = f.count.of(c);
        boolean destUndefined = UndefinedFlags.resultUndefined(f.key, count, f.bits);
        for (int i = 0; i < 8; i++) {
            if (i == ESP) {
                if (state.gpr[ESP] != INTERPRETER_ESP) why.append(String.format("  interpreter changed ESP to %#x%n", state.gpr[ESP]));
                continue;
            }
            if (destUndefined && !c.mem && i == c.rm) continue;
            long want = nat[i] & 0xFFFF_FFFFL, got = state.gpr[i] & 0xFFFF_FFFFL;
            if (c.ptr[i] != NOT_POINTER) {
                want = (nat[i] - scratch.address()) & 0xFFFF_FFFFL;
                got = (state.gpr[i] - DATA) & 0xFFFF_FFFFL;
                if (want != got) why.append(String.format("  %s: host &buf+%d interpreter &buf+%d%n", REG32[i], want, got));
                continue;
            }
            if (want != got) why.append(String.format("  %s: host %08x interpreter %08x%n", REG32[i], want, got));
        }
        int memDiffs = 0;
        for (int i = 0; i < natBuf.length && memDiffs < 8; i++) {
            if (destUndefined && c.mem && i >= OPERAND_AT && i < OPERAND_AT + f.bits / 8) continue;
            if (natBuf[i] != emuBuf[i]) {
                memDiffs++;
                why.append(String.format("  memory [buf+%d]: host %02x interpreter %02x%n", i, natBuf[i] & 0xFF, emuBuf[i] & 0xFF));
            }
        }
        long undefined = UndefinedFlags.mask(f.key, count, f.bits);
        long defined = (ARITH | DF) & ~undefined;
        long emuFlags = state.rflags;
        if (((natFlags ^ emuFlags) & defined) != 0) {
            why.append(String.format("  flags: host %s interpreter %s (undefined here: %s)%n",
                    flags(natFlags & (ARITH | DF)), flags(emuFlags & (ARITH | DF)), flags(undefined)));
        }
        if ((emuFlags & ~(ARITH | DF)) != 2) why.append(String.format("  interpreter changed non-arithmetic EFLAGS: %#x%n", emuFlags));
        if (why.isEmpty()) return null;
        return describe(f, c, count) + why;
    }

    private static String describe(Form f, Case c, int count) {
        StringBuilder b = new StringBuilder();
        b.append("  bytes ").append(HexFormat.ofDelimiter(" ").formatHex(c.insn)).append('\n');
        b.append("  in: ");
        for (int i = 0; i < 8; i++) {
            if (i == ESP) continue;
            if (c.ptr[i] != NOT_POINTER) b.append(REG32[i]).append("=&buf+").append(c.ptr[i]).append(' ');
            else b.append(String.format("%s=%08x ", REG32[i], c.gpr[i]));
        }
        b.append("flags=").append(flags(c.flags));
        if (c.mem) {
            b.append(" operand at buf+").append(OPERAND_AT).append('=');
            for (int i = f.bits / 8 - 1; i >= 0; i--) b.append(String.format("%02x", c.buf[OPERAND_AT + i] & 0xFF));
        }
        if (f.count != Count.NONE) b.append(" count=").append(count);
        return b.append('\n').toString();
    }

    private static final String[] REG32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

    static String flags(long f) {
        StringBuilder b = new StringBuilder();
        String[] n = {"CF", "", "PF", "", "AF", "", "ZF", "SF", "", "", "DF", "OF"};
        for (int i = 0; i < n.length; i++) if (!n[i].isEmpty() && (f & 1L << i) != 0) b.append(b.isEmpty() ? "" : "|").append(n[i]);
        return b.isEmpty() ? "-" : b.toString();
    }

    // =====================================================================================
    // Forms and their random cases
    // =====================================================================================

    /** Where the shift count of a form comes from (for the count-dependent undefined flags). */
    enum Count {
        NONE, ONE, CL, IMM8;

        int of(Case c) {
            return switch (this) {
                case NONE -> 0;
                case ONE -> 1;
                case CL -> (int) c.gpr[1] & 0xFF;
                case IMM8 -> (int) c.imm & 0xFF;
            };
        }
    }

    static final class Case {
        byte[] insn;
        int reg = -1, rm = -1;
        boolean mem;
        long imm;
        final long[] gpr = new long[8];
        final int[] upper = new int[8];
        final byte[] buf = new byte[BUFFER];
        /** Per register: its offset into the scratch buffer (may be negative) when it is a pointer, else NOT_POINTER. */
        final int[] ptr = new int[8];

        {
            java.util.Arrays.fill(ptr, NOT_POINTER);
        }
        long flags;
        /** ModRM.mod and displacement of a memory form's {@code [esi+disp]}; a SIB index register or -1. */
        int mod, disp, index = -1, scale;

        long regValue(int r, int bits) {
            return switch (bits) {
                case 8 -> r < 4 ? gpr[r] & 0xFF : (gpr[r - 4] >>> 8) & 0xFF;
                case 16 -> gpr[r] & 0xFFFF;
                default -> gpr[r];
            };
        }

        void setRegValue(int r, int bits, long v) {
            switch (bits) {
                case 8 -> {
                    if (r < 4) gpr[r] = (gpr[r] & ~0xFFL) | (v & 0xFF);
                    else gpr[r - 4] = (gpr[r - 4] & ~0xFF00L) | ((v & 0xFF) << 8);
                }
                case 16 -> gpr[r] = (gpr[r] & ~0xFFFFL) | (v & 0xFFFF);
                default -> gpr[r] = v & 0xFFFF_FFFFL;
            }
        }

        /** The r/m operand's value. */
        long rmValue(int bits) {
            if (!mem) return regValue(rm, bits);
            long v = 0;
            for (int i = bits / 8 - 1; i >= 0; i--) v = v << 8 | (buf[OPERAND_AT + i] & 0xFF);
            return v;
        }

        void setRmValue(int bits, long v) {
            if (!mem) {
                setRegValue(rm, bits, v);
                return;
            }
            for (int i = 0; i < bits / 8; i++) buf[OPERAND_AT + i] = (byte) (v >>> 8 * i);
        }
    }

    /** {@link Form#ext} of a form without ModRM. */
    static final int NO_MODRM = -2;

    static final class Form {
        final String name;
        /** The {@link UndefinedFlags} key: opcode (0F-prefixed for two-byte ones) and ".reg" for groups. */
        final String key;
        /** Operand size of the destination (8, 16, 32): what the count-dependent undefined flags depend on. */
        final int bits;
        final byte[] opcode;
        /** ModRM.reg as opcode extension (0-7), -1 when it names a register (of regBits), or NO_MODRM. */
        final int ext, regBits;
        /** Size of the r/m operand; for NO_MODRM forms with a register in the opcode, that register's size. */
        final int rmBits;
        final boolean mem;
        final int immBytes;
        final Count count;
        boolean plusReg, lea;
        BiConsumer<Case, Random> tweak = (c, r) -> { };
        Predicate<Case> valid = c -> true;

        Form(String name, String key, int bits, byte[] opcode, int ext, int regBits, int rmBits, boolean mem, int immBytes, Count count) {
            this.name = name;
            this.key = key;
            this.bits = bits;
            this.opcode = opcode;
            this.ext = ext;
            this.regBits = regBits;
            this.rmBits = rmBits;
            this.mem = mem;
            this.immBytes = immBytes;
            this.count = count;
        }

        Case generate(Random r) {
            for (int attempt = 0; ; attempt++) {
                Case c = new Case();
                c.mem = mem;
                for (int i = 0; i < 8; i++) {
                    c.gpr[i] = value(r);
                    c.upper[i] = r.nextInt();
                }
                if (r.nextInt(8) == 0) {
                    int i = r.nextInt(4);
                    c.gpr[i] = (c.gpr[i] & ~0xFF00L) | (value(r) & 0xFF) << 8;
                }
                r.nextBytes(c.buf);
                if (mem && r.nextInt(2) == 0) {
                    long v = value(r);
                    for (int i = 0; i < 4; i++) c.buf[OPERAND_AT + i] = (byte) (v >>> 8 * i);
                }
                c.flags = r.nextLong() & NativeExecutor.LOADABLE_FLAGS;
                if (mem) {
                    c.mod = r.nextInt(3);
                    c.disp = c.mod == 0 ? 0 : c.mod == 1 ? (byte) r.nextInt() : r.nextInt(401) - 200;
                    c.ptr[ESI] = OPERAND_AT - c.disp;
                }
                if (ext >= 0) c.reg = ext;
                if (regBits > 0) c.reg = register(r, regBits, mem);
                if (ext != NO_MODRM && !mem) c.rm = register(r, rmBits, false);
                if (plusReg) c.rm = register(r, rmBits, false);
                c.imm = switch (count == Count.IMM8 ? -1 : immBytes) {
                    case -1 -> countValue(r);
                    case 0 -> 0;
                    case 1 -> r.nextInt(4) == 0 ? EDGES[r.nextInt(EDGES.length)] & 0xFF : r.nextInt(256);
                    case 2 -> value(r) & 0xFFFF;
                    default -> value(r);
                };
                if (count == Count.CL) c.gpr[1] = (c.gpr[1] & ~0xFFL) | countValue(r);
                tweak.accept(c, r);
                if (mem && r.nextInt(4) == 0) {
                    // [esi+index*scale+disp] through SIB: the index a small plain value, the same on both sides.
                    do c.index = r.nextInt(8); while (c.index == ESP || c.index == ESI);
                    c.scale = r.nextInt(4);
                    c.gpr[c.index] = (r.nextInt(33) - 16) & 0xFFFF_FFFFL;
                    c.upper[c.index] = (int) c.gpr[c.index] >> 31; // 64-bit addressing natively: sign-extend
                    c.ptr[ESI] = OPERAND_AT - c.disp - ((int) c.gpr[c.index] << c.scale);
                }
                if (!valid.test(c)) {
                    if (attempt > 10_000) throw new IllegalStateException(name + ": no valid inputs found");
                    continue;
                }
                c.insn = encode(c, r);
                return c;
            }
        }

        private byte[] encode(Case c, Random r) {
            var out = new java.io.ByteArrayOutputStream();
            // A quarter of the memory cases carry an ES/SS/DS override, before or after the other prefixes:
            // flat in the interpreter and ignored in 64-bit mode, so the same access; it exercises prefix
            // decoding. (A CS override would make writes #GP in protected mode.)
            int prefixes = 0;
            while (prefixes < opcode.length - 1 && switch (opcode[prefixes] & 0xFF) {
                case 0x66, 0xF0, 0xF2, 0xF3 -> true;
                default -> false;
            }) prefixes++;
            int seg = mem && r.nextInt(4) == 0 ? new int[] {0x26, 0x36, 0x3E}[r.nextInt(3)] : -1;
            int segAt = seg < 0 ? -1 : r.nextInt(prefixes + 1);
            for (int i = 0; i < opcode.length - 1; i++) {
                if (i == segAt) out.write(seg);
                out.write(opcode[i]);
            }
            if (segAt == opcode.length - 1) out.write(seg);
            int last = opcode[opcode.length - 1] & 0xFF;
            out.write(plusReg ? last + c.rm : last);
            if (lea) {
                encodeAddress(out, c.reg, r);
            } else if (ext != NO_MODRM) {
                int regField = c.reg & 7;
                if (mem && c.index >= 0) {
                    out.write(c.mod << 6 | regField << 3 | 4);
                    out.write(c.scale << 6 | c.index << 3 | ESI);
                } else {
                    out.write(mem ? c.mod << 6 | regField << 3 | ESI : 0xC0 | regField << 3 | c.rm);
                }
                if (mem) writeLe(out, c.disp, c.mod == 1 ? 1 : c.mod == 2 ? 4 : 0);
            }
            for (int i = 0; i < immBytes; i++) out.write((int) (c.imm >>> 8 * i));
            return out.toByteArray();
        }

        /**
         * A random 32-bit addressing form for LEA that means the same in 64-bit mode: no mod=00 rm=101 (that
         * is RIP-relative there) and no ESP base (its value differs between host and interpreter).
         */
        private static void encodeAddress(java.io.ByteArrayOutputStream out, int reg, Random r) {
            int mod = r.nextInt(3), rm;
            do rm = r.nextInt(8); while (mod == 0 && rm == 5);
            out.write(mod << 6 | reg << 3 | rm);
            if (rm == 4) {
                int base;
                do base = r.nextInt(8); while (base == ESP);
                out.write(r.nextInt(4) << 6 | r.nextInt(8) << 3 | base);
                if (mod == 0 && base == 5) writeLe(out, r.nextInt(), 4);
            }
            if (mod == 1) out.write(r.nextInt(256));
            if (mod == 2) writeLe(out, (int) value(r), 4);
        }
    }

    static void writeLe(java.io.ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> 8 * i));
    }

    /** A register number for an operand of {@code bits}: never ESP, and never ESI when ESI is the memory base. */
    static int register(Random r, int bits, boolean memForm) {
        int reg;
        do reg = r.nextInt(8); while (bits != 8 && (reg == ESP || (memForm && reg == ESI)));
        return reg;
    }

    static final long[] EDGES = {0, 1, 2, 0xFFFF_FFFFL, 0x8000_0000L, 0x7FFF_FFFFL, 0x8000_0001L, 0x8000, 0x7FFF, 0xFFFF,
            0x1_0000, 0xFFFF_8000L, 0xFFFF_7FFFL, 0x80, 0x7F, 0xFF, 0x100, 0xFFFF_FF80L, 0xFFFF_FF7FL, 0xFFFF_FFFEL};

    /** A 32-bit value: edge values, small ones, and uniformly random ones. */
    static long value(Random r) {
        return switch (r.nextInt(8)) {
            case 0, 1 -> EDGES[r.nextInt(EDGES.length)];
            case 2 -> r.nextInt(256);
            default -> r.nextInt() & 0xFFFF_FFFFL;
        };
    }

    static final int[] COUNTS = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 24, 31, 32, 33, 63, 64, 65, 255};

    /** A shift count: the interesting counts (0, 1, the operand sizes and around them, masked-out ones) and random ones. */
    static int countValue(Random r) {
        return r.nextInt(2) == 0 ? COUNTS[r.nextInt(COUNTS.length)] : r.nextInt(256);
    }

    // =====================================================================================
    // The form list
    // =====================================================================================

    static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    static List<Form> forms() {
        List<Form> l = new ArrayList<>();
        for (int op = 0; op < 8; op++) {
            int b = op * 8;
            modrmBoth(l, ALU[op] + " Eb,Gb", hex(b), -1, 8, 0, Count.NONE, 8);
            modrmBoth(l, ALU[op] + " Ev,Gv", hex(b + 1), -1, 16, 0, Count.NONE, 16, 32);
            modrmBoth(l, ALU[op] + " Gb,Eb", hex(b + 2), -1, 8, 0, Count.NONE, 8);
            modrmBoth(l, ALU[op] + " Gv,Ev", hex(b + 3), -1, 16, 0, Count.NONE, 16, 32);
            noModrm(l, ALU[op] + " AL,Ib", hex(b + 4), 8, 1);
            noModrm(l, ALU[op] + " eAX,Iz", hex(b + 5), 16, 2);
            noModrm(l, ALU[op] + " eAX,Iz", hex(b + 5), 32, 4);
            modrmBoth(l, ALU[op] + " Eb,Ib", "80", op, 8, 1, Count.NONE, 8);
            modrmBoth(l, ALU[op] + " Ev,Iz", "81", op, 16, -1, Count.NONE, 16, 32);
            modrmBoth(l, ALU[op] + " Ev,Ib", "83", op, 16, 1, Count.NONE, 16, 32);
        }
        modrmBoth(l, "test Eb,Gb", "84", -1, 8, 0, Count.NONE, 8);
        modrmBoth(l, "test Ev,Gv", "85", -1, 16, 0, Count.NONE, 16, 32);
        noModrm(l, "test AL,Ib", "A8", 8, 1);
        noModrm(l, "test eAX,Iz", "A9", 16, 2);
        noModrm(l, "test eAX,Iz", "A9", 32, 4);
        modrmBoth(l, "test Eb,Ib", "F6", 0, 8, 1, Count.NONE, 8);
        modrmBoth(l, "test Ev,Iz", "F7", 0, 16, -1, Count.NONE, 16, 32);
        String[] grp3 = {null, null, "not", "neg", "mul", "imul", "div", "idiv"};
        for (int r = 2; r < 8; r++) {
            for (Form f : modrmBoth(l, grp3[r] + " Eb", "F6", r, 8, 0, Count.NONE, 8)) divide(f, r);
            for (Form f : modrmBoth(l, grp3[r] + " Ev", "F7", r, 16, 0, Count.NONE, 16, 32)) divide(f, r);
        }
        modrmBoth(l, "inc Eb", "FE", 0, 8, 0, Count.NONE, 8);
        modrmBoth(l, "dec Eb", "FE", 1, 8, 0, Count.NONE, 8);
        modrmBoth(l, "inc Ev", "FF", 0, 16, 0, Count.NONE, 16, 32);
        modrmBoth(l, "dec Ev", "FF", 1, 16, 0, Count.NONE, 16, 32);
        modrmBoth(l, "imul Gv,Ev", "0FAF", -1, 16, 0, Count.NONE, 16, 32);
        modrmBoth(l, "imul Gv,Ev,Iz", "69", -1, 16, -1, Count.NONE, 16, 32);
        modrmBoth(l, "imul Gv,Ev,Ib", "6B", -1, 16, 1, Count.NONE, 16, 32);
        for (int r = 0; r < 8; r++) {
            if (r == 6) continue; // /6 is not in the SDM's opcode map (SAL is /4)
            modrmBoth(l, SHIFT[r] + " Eb,1", "D0", r, 8, 0, Count.ONE, 8);
            modrmBoth(l, SHIFT[r] + " Ev,1", "D1", r, 16, 0, Count.ONE, 16, 32);
            modrmBoth(l, SHIFT[r] + " Eb,CL", "D2", r, 8, 0, Count.CL, 8);
            modrmBoth(l, SHIFT[r] + " Ev,CL", "D3", r, 16, 0, Count.CL, 16, 32);
            modrmBoth(l, SHIFT[r] + " Eb,Ib", "C0", r, 8, 1, Count.IMM8, 8);
            modrmBoth(l, SHIFT[r] + " Ev,Ib", "C1", r, 16, 1, Count.IMM8, 16, 32);
        }
        modrmBoth(l, "shld Ev,Gv,Ib", "0FA4", -1, 16, 1, Count.IMM8, 16, 32);
        modrmBoth(l, "shld Ev,Gv,CL", "0FA5", -1, 16, 0, Count.CL, 16, 32);
        modrmBoth(l, "shrd Ev,Gv,Ib", "0FAC", -1, 16, 1, Count.IMM8, 16, 32);
        modrmBoth(l, "shrd Ev,Gv,CL", "0FAD", -1, 16, 0, Count.CL, 16, 32);
        String[] bt = {"bt", "bts", "btr", "btc"};
        String[] btOp = {"0FA3", "0FAB", "0FB3", "0FBB"};
        for (int i = 0; i < 4; i++) {
            for (Form f : modrmBoth(l, bt[i] + " Ev,Gv", btOp[i], -1, 16, 0, Count.NONE, 16, 32)) {
                // A register bit offset addresses a bit string beyond the operand; keep it within the scratch buffer.
                if (f.mem) f.tweak = (c, r) -> c.setRegValue(c.reg, f.bits, r.nextInt(192) - 64);
            }
            modrmBoth(l, bt[i] + " Ev,Ib", "0FBA", 4 + i, 16, 1, Count.NONE, 16, 32);
        }
        for (String op : new String[] {"0FBC", "0FBD"}) {
            for (Form f : modrmBoth(l, (op.equals("0FBC") ? "bsf" : "bsr") + " Gv,Ev", op, -1, 16, 0, Count.NONE, 16, 32)) {
                f.tweak = (c, r) -> {
                    if (r.nextInt(8) == 0) c.setRmValue(f.bits, 0);
                };
            }
        }
        Form bswap = new Form("0F C8+r bswap r32", "0FC8", 32, bytes("0FC8"), NO_MODRM, 0, 32, false, 0, Count.NONE);
        bswap.plusReg = true;
        l.add(bswap);
        Form cx8 = modrm("cmpxchg8b Mq", "0FC7", 1, 64, 64, 0, Count.NONE, true);
        cx8.tweak = (c, r) -> {
            if (r.nextBoolean()) {
                long v = c.rmValue(64);
                c.gpr[0] = v & 0xFFFF_FFFFL;
                c.gpr[2] = v >>> 32;
            }
        };
        l.add(cx8);
        modrmBoth(l, "xadd Eb,Gb", "0FC0", -1, 8, 0, Count.NONE, 8);
        modrmBoth(l, "xadd Ev,Gv", "0FC1", -1, 16, 0, Count.NONE, 16, 32);
        for (Form f : modrmBoth(l, "cmpxchg Eb,Gb", "0FB0", -1, 8, 0, Count.NONE, 8)) cmpxchg(f);
        for (Form f : modrmBoth(l, "cmpxchg Ev,Gv", "0FB1", -1, 16, 0, Count.NONE, 16, 32)) cmpxchg(f);
        for (int cc = 0; cc < 16; cc++) {
            modrmBoth(l, "set" + CC[cc] + " Eb", hex(0x0F90 + cc), 0, 8, 0, Count.NONE, 8);
            modrmBoth(l, "cmov" + CC[cc] + " Gv,Ev", hex(0x0F40 + cc), -1, 16, 0, Count.NONE, 16, 32);
        }
        for (String[] m : new String[][] {{"0FB6", "movzx Gv,Eb", "8"}, {"0FB7", "movzx Gv,Ew", "16"}, {"0FBE", "movsx Gv,Eb", "8"},
                {"0FBF", "movsx Gv,Ew", "16"}}) {
            for (int bits : new int[] {16, 32}) {
                for (boolean mem : new boolean[] {false, true}) {
                    l.add(modrm(m[1], m[0], -1, bits, Integer.parseInt(m[2]), 0, Count.NONE, mem));
                }
            }
        }
        for (int bits : new int[] {16, 32}) {
            Form lea = modrm("lea Gv,M", "8D", -1, bits, bits, 0, Count.NONE, false);
            lea.lea = true;
            l.add(lea);
        }
        modrmBoth(l, "nop Ev", "0F1F", 0, 16, 0, Count.NONE, 16, 32);
        modrmBoth(l, "xchg Eb,Gb", "86", -1, 8, 0, Count.NONE, 8);
        modrmBoth(l, "xchg Ev,Gv", "87", -1, 16, 0, Count.NONE, 16, 32);
        for (int bits : new int[] {16, 32}) {
            Form x = new Form(prefix(bits) + "90+r xchg eAX,r o" + bits, "90", bits, bytes(prefix(bits) + "90"), NO_MODRM, 0, bits, false, 0, Count.NONE);
            x.plusReg = true;
            x.valid = c -> c.rm != 0; // 90 is NOP
            l.add(x);
        }
        modrmBoth(l, "mov Eb,Gb", "88", -1, 8, 0, Count.NONE, 8);
        modrmBoth(l, "mov Ev,Gv", "89", -1, 16, 0, Count.NONE, 16, 32);
        modrmBoth(l, "mov Gb,Eb", "8A", -1, 8, 0, Count.NONE, 8);
        modrmBoth(l, "mov Gv,Ev", "8B", -1, 16, 0, Count.NONE, 16, 32);
        modrmBoth(l, "mov Eb,Ib", "C6", 0, 8, 1, Count.NONE, 8);
        modrmBoth(l, "mov Ev,Iz", "C7", 0, 16, -1, Count.NONE, 16, 32);
        Form movb = new Form("B0+r mov r8,Ib o8", "B0", 8, bytes("B0"), NO_MODRM, 0, 8, false, 1, Count.NONE);
        movb.plusReg = true;
        l.add(movb);
        for (int bits : new int[] {16, 32}) {
            Form movv = new Form(prefix(bits) + "B8+r mov r,Iz o" + bits, "B8", bits, bytes(prefix(bits) + "B8"), NO_MODRM, 0, bits, false, bits / 8, Count.NONE);
            movv.plusReg = true;
            l.add(movv);
        }
        noModrm(l, "cbw/cwde", "98", 16, 0);
        noModrm(l, "cbw/cwde", "98", 32, 0);
        noModrm(l, "cwd/cdq", "99", 16, 0);
        noModrm(l, "cwd/cdq", "99", 32, 0);
        for (String[] m : new String[][] {{"9E", "sahf"}, {"9F", "lahf"}, {"F5", "cmc"}, {"F8", "clc"}, {"F9", "stc"},
                {"FC", "cld"}, {"FD", "std"}}) {
            noModrm(l, m[1], m[0], 0, 0);
        }
        strings(l);
        Form xlat = new Form("D7 xlat", "D7", 8, bytes("D7"), NO_MODRM, 0, 0, false, 0, Count.NONE);
        xlat.tweak = (c, r) -> c.ptr[EBX] = r.nextInt(BUFFER - 256);
        l.add(xlat);
        locked(l);
        return l;
    }

    /**
     * MOVS CMPS STOS LODS SCAS, plain and with REP/REPE (F3) and REPNE (F2, compares only), in both
     * directions: ESI and EDI point into the buffer, ECX is a small count (its upper half natively zero,
     * since REP counts with RCX in 64-bit mode).
     */
    private static void strings(List<Form> l) {
        String[][] ops = {{"A4", "movs"}, {"A6", "cmps"}, {"AA", "stos"}, {"AC", "lods"}, {"AE", "scas"}};
        for (String[] op : ops) {
            boolean compares = op[1].equals("cmps") || op[1].equals("scas");
            for (String rep : compares ? new String[] {"", "F3", "F2"} : new String[] {"", "F3"}) {
                for (int bits : new int[] {8, 16, 32}) {
                    String opc = bits == 8 ? op[0] : hex(Integer.parseInt(op[0], 16) + 1);
                    String all = rep + prefix(bits) + opc;
                    String name = spaced(all) + " " + (rep.isEmpty() ? "" : rep.equals("F2") ? "repne " : compares ? "repe " : "rep ")
                            + op[1] + " o" + bits;
                    Form f = new Form(name, opc, bits, bytes(all), NO_MODRM, 0, 0, false, 0, Count.NONE);
                    f.tweak = (c, r) -> {
                        c.ptr[ESI] = 64 + r.nextInt(BUFFER - 128);
                        c.ptr[EDI] = 64 + r.nextInt(BUFFER - 128);
                        c.gpr[1] = r.nextInt(10);
                        c.upper[1] = 0;
                        if (compares && r.nextBoolean()) {
                            // Runs of equal bytes so that REPE/REPNE stop for both reasons.
                            for (int i = 0; i < BUFFER; i++) c.buf[i] = (byte) (r.nextInt(8) == 0 ? 1 : 0);
                            c.gpr[0] &= r.nextBoolean() ? 0 : 0x0101_0101L;
                        }
                    };
                    l.add(f);
                }
            }
        }
    }

    /**
     * LOCK-prefixed memory forms: the SDM's LOCK list (ADD ADC AND BTC BTR BTS CMPXCHG CMPXCHG8B DEC INC NEG
     * NOT OR SBB SUB XOR XADD XCHG with a memory destination) behaves as without LOCK.
     */
    private static void locked(List<Form> l) {
        List<Form> lockable = new ArrayList<>();
        for (Form f : l) {
            if (!f.mem) continue;
            String k = f.key;
            boolean ok = switch (k.indexOf('.') > 0 ? k.substring(0, k.indexOf('.')) : k) {
                case "00", "01", "08", "09", "10", "11", "18", "19", "20", "21", "28", "29", "30", "31",
                     "86", "87", "0FAB", "0FB3", "0FBB", "0FB0", "0FB1", "0FC0", "0FC1" -> true;
                case "80", "81", "83" -> !k.endsWith(".7");
                case "FE", "FF" -> k.endsWith(".0") || k.endsWith(".1");
                case "F6", "F7" -> k.endsWith(".2") || k.endsWith(".3");
                case "0FBA" -> !k.endsWith(".4");
                case "0FC7" -> true;
                default -> false;
            };
            if (ok) lockable.add(f);
        }
        for (Form f : lockable) {
            byte[] op = new byte[f.opcode.length + 1];
            op[0] = (byte) 0xF0;
            System.arraycopy(f.opcode, 0, op, 1, f.opcode.length);
            Form g = new Form("F0 " + f.name.replace(" mem", " lock"), f.key, f.bits, op, f.ext, f.regBits, f.rmBits, true, f.immBytes, f.count);
            g.tweak = f.tweak;
            g.valid = f.valid;
            l.add(g);
        }
    }

    private static void divide(Form f, int ext) {
        if (ext < 6) return;
        boolean signed = ext == 7;
        f.tweak = (c, r) -> {
            // Mostly a dividend whose high half is 0 / the sign of the low half, so the quotient fits.
            int pick = r.nextInt(5);
            if (pick == 3) return;
            if (pick == 4) {
                boundaryDividend(c, f.bits, signed, r);
                return;
            }
            switch (f.bits) {
                case 8 -> c.setRegValue(4, 8, signed && pick == 1 && (c.gpr[0] & 0x80) != 0 ? 0xFF : 0);
                case 16 -> c.setRegValue(2, 16, signed && pick == 1 && (c.gpr[0] & 0x8000) != 0 ? 0xFFFF : 0);
                default -> c.gpr[2] = signed && pick == 1 && (c.gpr[0] & 0x8000_0000L) != 0 ? 0xFFFF_FFFFL : 0;
            }
        };
        f.valid = c -> !divideFaults(c, f.bits, signed);
    }

    /**
     * A dividend whose quotient is the largest (DIV, IDIV) or most negative (IDIV) that still fits, with a
     * zero or the largest remainder: the edges of the SDM's #DE condition. Needs the divisor's value, so a
     * divisor register that overlaps the dividend just yields an ordinary case.
     */
    static void boundaryDividend(Case c, int bits, boolean signed, Random r) {
        long d = c.rmValue(bits);
        if (d == 0) return;
        long q, dividend;
        if (signed) {
            d = bits == 8 ? (byte) d : bits == 16 ? (short) d : (int) d;
            q = r.nextBoolean() ? -(1L << (bits - 1)) : (1L << (bits - 1)) - 1;
            dividend = q * d;
            long rem = r.nextBoolean() ? 0 : Math.abs(d) - 1;
            dividend += dividend < 0 ? -rem : rem;
        } else {
            q = (1L << bits) - 1;
            dividend = q * d + (r.nextBoolean() ? 0 : d - 1);
        }
        switch (bits) {
            case 8 -> c.setRegValue(0, 16, dividend);
            case 16 -> {
                c.setRegValue(0, 16, dividend);
                c.setRegValue(2, 16, dividend >>> 16);
            }
            default -> {
                c.gpr[0] = dividend & 0xFFFF_FFFFL;
                c.gpr[2] = dividend >>> 32;
            }
        }
    }

    /** Whether DIV/IDIV with these inputs raises #DE (divisor 0 or quotient too large), SDM DIV/IDIV. */
    static boolean divideFaults(Case c, int bits, boolean signed) {
        long divisor = c.rmValue(bits);
        if (divisor == 0) return true;
        if (!signed) {
            long dividend = switch (bits) {
                case 8 -> c.regValue(0, 16);
                case 16 -> c.regValue(2, 16) << 16 | c.regValue(0, 16);
                default -> c.gpr[2] << 32 | c.gpr[0];
            };
            return Long.compareUnsigned(Long.divideUnsigned(dividend, divisor), (1L << bits) - 1) > 0;
        }
        long dividend = switch (bits) {
            case 8 -> (short) c.regValue(0, 16);
            case 16 -> (int) (c.regValue(2, 16) << 16 | c.regValue(0, 16));
            default -> c.gpr[2] << 32 | c.gpr[0];
        };
        long d = bits == 8 ? (byte) divisor : bits == 16 ? (short) divisor : (int) divisor;
        if (dividend == Long.MIN_VALUE && d == -1) return true;
        long q = dividend / d;
        return q < -(1L << (bits - 1)) || q > (1L << (bits - 1)) - 1;
    }

    private static void cmpxchg(Form f) {
        f.tweak = (c, r) -> {
            if (r.nextBoolean()) c.setRegValue(0, f.bits, c.rmValue(f.bits));
        };
    }

    /**
     * Adds the register and the memory variant of a ModRM form for each operand size. {@code ext} is the
     * ModRM.reg extension or -1 when it names a register of the operand size (8 for byte forms);
     * {@code immBytes} -1 means Iz (2 or 4 by operand size).
     */
    private static List<Form> modrmBoth(List<Form> l, String mnem, String op, int ext, int firstBits, int immBytes, Count count, int... sizes) {
        List<Form> added = new ArrayList<>();
        for (int bits : sizes) {
            for (boolean mem : new boolean[] {false, true}) {
                Form f = modrm(mnem, op, ext, bits, bits, immBytes < 0 ? Math.min(bits / 8, 4) : immBytes, count, mem);
                l.add(f);
                added.add(f);
            }
        }
        return added;
    }

    private static Form modrm(String mnem, String op, int ext, int bits, int rmBits, int immBytes, Count count, boolean mem) {
        String p = prefix(bits);
        String key = ext >= 0 ? op + "." + ext : op;
        String name = spaced(p + op) + (ext >= 0 ? " /" + ext : " /r") + " " + mnem + " o" + bits + (mem ? " mem" : " reg");
        return new Form(name, key, bits, bytes(p + op), ext >= 0 ? ext : -1, ext >= 0 ? 0 : bits, rmBits, mem, immBytes, count);
    }

    private static void noModrm(List<Form> l, String mnem, String op, int bits, int immBytes) {
        String p = prefix(bits);
        l.add(new Form(spaced(p + op) + " " + mnem + (bits > 0 ? " o" + bits : ""), op, Math.max(bits, 8), bytes(p + op), NO_MODRM, 0, 0, false, immBytes, Count.NONE));
    }

    private static String prefix(int bits) { return bits == 16 ? "66" : ""; }

    private static String hex(int v) { return v > 0xFF ? String.format("%04X", v) : String.format("%02X", v); }

    private static byte[] bytes(String hex) { return HexFormat.of().parseHex(hex); }

    private static String spaced(String hex) { return hex.replaceAll("(..)(?!$)", "$1 "); }
}
