package dev.jvirt.cpu;

import dev.jvirt.cpu.x87.X87;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random code run instruction by instruction in real mode, 16- and 32-bit protected mode at CPL 3,
 * virtual-8086 mode and paged CPL 3, each with sane system tables (GDT, IDT with a stub per vector, TSS
 * with a ring-0 stack) kept out of the guest's reach by segment limits, the v86 1 MiB window, or
 * supervisor pages. Every instruction must execute or deliver an exception the SDM allows for it;
 * delivery must reach the vector's handler with a correct frame; no Java exception may escape; the
 * system area must stay intact; and physical addresses outside RAM must still read all-ones.
 *
 * <p>Allowed vectors at CPL 3 / v86 (random bytes only): #DE (DIV/IDIV/AAM), #DB (ICEBP, or TF set by
 * POPF), #BP (INT3), #OF (INTO), #BR (BOUND), #UD, #TS (IRET with NT set: task return through a null
 * back link), #NP (loading the not-present descriptor 0x43), #SS (stack limit), #GP, #PF (paged only),
 * #MF (random FLDCW unmasks an x87 exception with CR0.NE set), #AC (CR0.AM is set and POPF may set
 * EFLAGS.AC). Not allowed: #NM (CR0.EM/TS are clear and an FPU is present), #DF (delivery only touches ring-0 structures, which are
 * valid), #XM (no SSE in CPUID), #MC, NMI and reserved vectors. Real mode runs at CPL 0, so random
 * code may reach CR0, LIDT and LGDT and with them any exception, including #DF and shutdown: there
 * only "no escape, a vector that exists" is asserted.
 */
class RandomCodeFuzzTest {
    private static final int RAM = TestMachine.RAM;
    /** System structures live in the top 128 KiB; random bytes fill everything below. */
    private static final long SYS = 0x1E0000, GDT = SYS, IDT = SYS + 0x1000, TSS = SYS + 0x2000, STUBS = SYS + 0x3000,
            ESP0 = SYS + 0x8000, PD = SYS + 0x10000, PT = SYS + 0x11000;
    /** The non-paged CPL 3 segments cover [WINDOW, SYS). */
    private static final long WINDOW = 0x100000;
    private static final int ROUNDS = 20, STEPS = 3000, EPISODE = 300;

    private static final Set<Integer> CPL3_ALLOWED = Set.of(0, 1, 3, 4, 5, 6, 10, 11, 12, 13, 16, 17);
    private static final Set<Integer> PAGED_ALLOWED = Set.of(0, 1, 3, 4, 5, 6, 10, 11, 12, 13, 14, 16, 17);
    private static final Set<Integer> REAL_ALLOWED = Set.of(0, 1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17);
    private static final Set<Integer> WITH_ERROR_CODE = Set.of(8, 10, 11, 12, 13, 14, 17);
    private static final Set<Integer> FAULTS = Set.of(0, 5, 6, 10, 11, 12, 13, 14, 16);

    enum Mode { REAL, PM16, PM32, V86, PAGED }

    private static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xFFFF) | (base & 0xFF_FFFFL) << 16 | (long) access << 40 | ((limit >>> 16) & 0xF) << 48
                | (long) flags << 52 | ((base >>> 24) & 0xFF) << 56;
    }

    /** Loads a segment cache from a descriptor as the CPU would (descriptors are written with the accessed bit set, so loads leave the GDT unchanged). */
    private static void load(SegmentRegister r, int sel, long d) {
        r.selector = sel;
        r.base = ((d >>> 16) & 0xFF_FFFFL) | ((d >>> 56) & 0xFF) << 24;
        long lim = (d & 0xFFFF) | ((d >>> 48) & 0xF) << 16;
        if ((d & (1L << 55)) != 0) lim = (lim << 12) | 0xFFF;
        r.limit = (int) lim;
        r.setAccessRights((int) ((d >>> 40) & 0xF0FF) | 1);
    }

    private long[] gdt;

    private void writeSystem(TestMachine m, Mode mode) {
        boolean flat = mode == Mode.PAGED;
        long base = flat ? 0 : WINDOW, limit = flat ? 0xFFFFF : SYS - WINDOW - 1;
        int g = flat ? 8 : 0;
        gdt = new long[] {
                0,
                descriptor(0, 0xFFFFF, 0x9B, 0xC),          // 0x08 ring-0 code
                descriptor(0, 0xFFFFF, 0x93, 0xC),          // 0x10 ring-0 data
                descriptor(base, limit, 0xFB, 4 | g),       // 0x1B user code 32
                descriptor(base, limit, 0xF3, 4 | g),       // 0x23 user data 32
                descriptor(TSS, 0x67, 0x8B, 0),             // 0x28 TSS (busy: it is TR)
                descriptor(base, limit, 0xFB, g),           // 0x33 user code 16
                descriptor(base, limit, 0xF3, g),           // 0x3B user data 16
                descriptor(base, limit, 0x73, 4 | g),       // 0x43 user data, not present
        };
        for (int i = 0; i < gdt.length; i++) m.memory.write(GDT + i * 8L, 8, gdt[i]);
        for (int v = 0; v < 256; v++) {
            long off = STUBS + v * 8L;
            int dpl = v == 3 || v == 4 ? 3 : 0;
            long gate = (off & 0xFFFF) | 0x08L << 16 | (long) (0x8E | dpl << 5) << 40 | (off >>> 16) << 48;
            m.memory.write(IDT + v * 8L, 8, gate);
            m.memory.write(off, 1, 0xF4);
        }
        m.memory.write(TSS + 4, 4, ESP0);
        m.memory.write(TSS + 8, 4, 0x10);
        m.memory.write(TSS + 0x66, 2, 0x68); // no I/O bitmap: IN/OUT above IOPL fault
        if (mode == Mode.PAGED) {
            m.memory.write(PD, 4, PT | 7);
            for (int i = 0; i < 1024; i++) {
                long pte = (i * 0x1000L) | 7;
                if (i >= SYS >>> 12 && i < RAM >>> 12) pte = (i * 0x1000L) | 3;  // supervisor only
                else if (i % 37 == 5) pte = 0;                                   // not present
                else if (i % 29 == 7) pte = (i * 0x1000L) | 5;                   // read-only
                m.memory.write(PT + i * 4L, 4, pte);
            }
        }
    }

    private void enter(TestMachine m, Mode mode, Random rnd) {
        CpuState s = m.state;
        s.reset();
        s.halted = false;
        for (int r = 0; r < 8; r++) s.gpr[r] = rnd.nextLong() & 0xFFFF_FFFFL;
        if (mode == Mode.REAL) {
            for (SegmentRegister r : s.seg) r.loadReal(rnd.nextInt(0x10000));
            s.rip = rnd.nextInt(0x10000);
            s.rflags = 2 | (rnd.nextInt() & 0xCD5);
            s.idtBase = 0;
            s.idtLimit = 0x3FF;
            m.cpu.stateChanged();
            return;
        }
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_AM;
        s.gdtBase = GDT;
        s.gdtLimit = gdt.length * 8 - 1;
        s.idtBase = IDT;
        s.idtLimit = 256 * 8 - 1;
        load(s.tr, 0x28, gdt[5]);
        s.ldtr.selector = 0;
        s.ldtr.unusable = true;
        s.rflags = 2 | (rnd.nextInt() & 0x8D5); // arithmetic flags and DF; IF, TF, IOPL and NT clear
        switch (mode) {
            case V86 -> {
                s.rflags |= CpuState.FLAG_VM;
                for (SegmentRegister r : s.seg) {
                    r.loadReal(rnd.nextInt(0x10000));
                    r.limit = 0xFFFF;
                    r.dpl = 3;
                    r.type = r == s.cs ? 0xB : 3;
                    r.s = r.present = true;
                    r.db = r.g = r.unusable = false;
                }
                s.rip = rnd.nextInt(0x10000);
            }
            case PM16 -> {
                load(s.cs, 0x33, gdt[6]);
                for (int sr : new int[] {0, 2, 3, 4, 5}) load(s.seg[sr], 0x3B, gdt[7]);
                s.rip = rnd.nextInt(0x10000);
            }
            default -> {
                load(s.cs, 0x1B, gdt[3]);
                for (int sr : new int[] {0, 2, 3, 4, 5}) load(s.seg[sr], 0x23, gdt[4]);
                long lo = mode == Mode.PAGED ? WINDOW : 0, hi = mode == Mode.PAGED ? SYS : SYS - WINDOW;
                s.rip = lo + rnd.nextLong(hi - lo);
                s.gpr[CpuState.RSP] = lo + rnd.nextLong(hi - lo);
                if (mode == Mode.PAGED) {
                    s.cr3 = PD;
                    s.cr0 |= CpuState.CR0_PG | CpuState.CR0_WP;
                }
            }
        }
        m.cpu.stateChanged();
    }

    /** Runs {@code -Djvirt.fuzz.seeds=N} seeds from {@code first} (1 by default, for a quick build). */
    private void fuzz(Mode mode, long first) {
        int n = Integer.getInteger("jvirt.fuzz.seeds", 1);
        for (long seed = first; seed < first + n; seed++) fuzzSeed(mode, seed);
    }

    private void fuzzSeed(Mode mode, long seed) {
        Random rnd = new Random(seed);
        TreeMap<Integer, Integer> seen = new TreeMap<>();
        try (TestMachine m = new TestMachine()) {
            m.cpu.setFpu(new X87(m.state));
            byte[] junk = new byte[(int) SYS];
            for (int round = 0; round < ROUNDS; round++) {
                rnd.nextBytes(junk);
                m.ram.load(0, junk);
                writeSystem(m, mode);
                byte[] system = new byte[RAM - (int) SYS];
                for (int i = 0; i < system.length; i++) system[i] = (byte) m.memory.readByte(SYS + i);
                enter(m, mode, rnd);
                int inEpisode = 0;
                for (int step = 0; step < STEPS; step++) {
                    long eip = m.state.rip;
                    int cs = m.state.cs.selector;
                    long lin = (m.state.cs.base + eip) & 0xFFFF_FFFFL;
                    final int r0 = round;
                    m.cpu.clearLastException();
                    try {
                        m.cpu.step();
                    } catch (RuntimeException e) {
                        throw new AssertionError(mode + " seed " + seed + " round " + round + ": escaped at "
                                + Integer.toHexString(cs) + ":" + Long.toHexString(eip), e);
                    }
                    assertEquals(0, m.state.gpr[0] >>> 32, "registers stay 32-bit");
                    int fault = m.cpu.lastException();
                    boolean restart = ++inEpisode >= EPISODE;
                    if (mode == Mode.REAL) {
                        if (fault >= 0) {
                            assertTrue(REAL_ALLOWED.contains(fault), "real mode raised vector " + fault);
                            seen.merge(fault, 1, Integer::sum);
                        }
                        if (m.state.halted || m.cpu.shutdown()) restart = true;
                    } else {
                        int vec = delivered(m);
                        java.util.function.Supplier<String> where = () -> mode + " seed " + seed + " round " + r0 + " at "
                                + Integer.toHexString(cs) + ":" + Long.toHexString(eip) + " bytes " + bytesAt(m, lin)
                                + " vector " + delivered(m) + " raised " + m.cpu.lastException();
                        assertFalse(m.cpu.shutdown(), () -> "no triple fault with sane tables: " + where.get());
                        if (vec < 0) {
                            assertTrue(m.state.cpl() == 3, () -> "stays at CPL 3 outside its handlers: " + where.get());
                            assertEquals(-1, fault, () -> "an exception was raised but not delivered: " + where.get());
                        } else {
                            Set<Integer> allowed = mode == Mode.PAGED ? PAGED_ALLOWED : CPL3_ALLOWED;
                            assertTrue(allowed.contains(vec), () -> "vector " + vec + ": " + where.get());
                            if (fault >= 0) assertEquals(fault, vec, () -> "raised and delivered vectors agree: " + where.get());
                            checkFrame(m, mode, vec, eip, cs, where);
                            seen.merge(vec, 1, Integer::sum);
                            restart = true;
                        }
                    }
                    if (restart) {
                        m.cpu.clearShutdown();
                        enter(m, mode, rnd);
                        inEpisode = 0;
                    }
                }
                if (mode != Mode.REAL) assertSystemIntact(m, system, mode);
            }
            assertEquals(0xFFFF_FFFFL, m.memory.read(RAM, 4), "nothing appeared above RAM");
            assertEquals(0xFFFF_FFFFL, m.memory.read(0xFFFF_F000L, 4));
            assertEquals(RAM, m.ram.size(), "RAM unchanged in size");
        }
        // Coverage: random bytes must reach the common faults, else the harness is not testing anything.
        assertTrue(seen.containsKey(6), mode + " saw #UD: " + seen);
        if (mode != Mode.REAL) assertTrue(seen.containsKey(13), mode + " saw #GP: " + seen);
        if (mode == Mode.PAGED) assertTrue(seen.containsKey(14), mode + " saw #PF: " + seen);
        System.getLogger(RandomCodeFuzzTest.class.getName()).log(System.Logger.Level.DEBUG, mode + " vectors " + seen);
        if (Boolean.getBoolean("jvirt.fuzz.print")) System.out.println(mode + " seed " + seed + " vectors " + seen);
    }

    /** The vector whose handler stub CS:EIP is at, or -1. */
    private static int delivered(TestMachine m) {
        long rip = m.state.rip;
        if (m.state.cs.selector != 0x08 || rip < STUBS || rip >= STUBS + 256 * 8 || (rip - STUBS) % 8 != 0) return -1;
        return (int) ((rip - STUBS) / 8);
    }

    /** The ring-0 frame (SDM Vol. 3A 6.12.1, Figure 6-4; 20.3.1.1 for v86): error code iff the vector has one. */
    private static void checkFrame(TestMachine m, Mode mode, int vec, long eip, int cs, java.util.function.Supplier<String> where) {
        boolean v86 = mode == Mode.V86;
        boolean err = WITH_ERROR_CODE.contains(vec);
        long esp = m.state.gpr[CpuState.RSP] & 0xFFFF_FFFFL;
        assertEquals(0x10, m.state.ss.selector, () -> "ring-0 stack from the TSS: " + where.get());
        assertEquals(ESP0 - 4L * (5 + (v86 ? 4 : 0) + (err ? 1 : 0)), esp, () -> "frame size for vector " + vec + ": " + where.get());
        long at = esp + (err ? 4 : 0);
        assertEquals(cs, m.memory.read(at + 4, 4) & 0xFFFF, () -> "pushed CS: " + where.get());
        if (FAULTS.contains(vec)) assertEquals(eip, m.memory.read(at, 4), () -> "a fault pushes the faulting EIP: " + where.get());
        long flags = m.memory.read(at + 8, 4);
        assertEquals(v86, (flags & CpuState.FLAG_VM) != 0, () -> "pushed EFLAGS.VM: " + where.get());
        assertEquals(0, m.state.rflags & (CpuState.FLAG_VM | CpuState.FLAG_TF | CpuState.FLAG_IF), () -> "handler flags: " + where.get());
    }

    private static void assertSystemIntact(TestMachine m, byte[] system, Mode mode) {
        for (int i = 0; i < system.length; i++) {
            long a = SYS + i;
            if (a >= ESP0 - 0x100 && a < ESP0) continue; // the ring-0 stack
            int now = m.memory.readByte(a), was = system[i] & 0xFF;
            if (a >= PD && a < PT + 0x1000 && (a & 3) == 0) { now &= ~0x60; was &= ~0x60; } // accessed/dirty
            if (now != was) fail(mode + ": system byte at " + Long.toHexString(a) + " changed from " + was + " to " + now);
        }
    }

    private static String bytesAt(TestMachine m, long lin) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) b.append(String.format("%02x ", m.memory.readByte((lin + i) & 0xFFFF_FFFFL)));
        return b.toString().trim();
    }

    @Test
    void realMode() { fuzz(Mode.REAL, 11); }

    @Test
    void protectedMode16AtCpl3() { fuzz(Mode.PM16, 22); }

    @Test
    void protectedMode32AtCpl3() { fuzz(Mode.PM32, 33); }

    @Test
    void virtual8086Mode() { fuzz(Mode.V86, 44); }

    @Test
    void pagedCpl3() { fuzz(Mode.PAGED, 55); }

    /** 64-bit mode under 4-level paging: the same assertions, with the IA-32e frame ({@link LongModeFuzz}). */
    @Test
    void longModeCpl3() { LongModeFuzz.fuzz(true, 66); }

    @Test
    void longModeCpl0() { LongModeFuzz.fuzz(false, 77); }
}
