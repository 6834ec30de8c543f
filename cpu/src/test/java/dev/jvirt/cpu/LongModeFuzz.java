package dev.jvirt.cpu;

import dev.jvirt.cpu.x87.X87;

import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link RandomCodeFuzzTest} in 64-bit mode: random bytes run under 4-level paging (identity map of RAM with
 * supervisor-only system pages, not-present, read-only and execute-disable pages) at CPL 3 or CPL 0, with a
 * 64-bit GDT, a 16-byte-gate IDT whose every vector points at a HLT stub, and a 64-bit TSS with RSP0
 * (SDM Vol. 3A 6.14, 8.7). At CPL 3 every instruction must execute or deliver a vector the SDM allows in
 * 64-bit mode, with the 64-bit frame (SS, RSP, RFLAGS, CS, RIP, error code iff the vector has one) on the
 * 16-byte-aligned RSP0, and the system area must stay intact. At CPL 0 random code may rewrite anything
 * (CR0, EFER, the page tables): only "no escape, a vector that exists" is asserted. No Java exception
 * may escape, and physical addresses outside RAM must still read all-ones.
 *
 * <p>CPL 3 vectors allowed: #DE, #DB (INT1, TF set by POPF), #BP and vector 4 (INT3, INT 4: the only DPL-3
 * gates), #UD (also BOUND, INTO and the other opcodes invalid in 64-bit mode), #SS (non-canonical stack
 * address), #GP, #PF, #MF (random FLDCW unmasks with CR0.NE), #AC (CR0.AM and POPF's AC), #XM (LDMXCSR
 * unmasks with CR4.OSXMMEXCPT). Not allowed: #NM (CR0.EM/TS clear), #DF (delivery uses only valid ring-0
 * structures), #TS/#NP (no not-present or task descriptors reachable), #MC, NMI and reserved vectors.
 */
final class LongModeFuzz {
    private static final int RAM = TestMachine.RAM;
    private static final long SYS = 0x1E0000, GDT = SYS, IDT = SYS + 0x1000, TSS = SYS + 0x2000, STUBS = SYS + 0x3000,
            RSP0 = SYS + 0x8000, PML4 = SYS + 0x10000, PDPT = SYS + 0x11000, PD = SYS + 0x12000, PT = SYS + 0x13000;
    private static final long WINDOW = 0x100000;
    private static final int ROUNDS = 20, STEPS = 3000, EPISODE = 300;
    private static final Set<Integer> CPL3_ALLOWED = Set.of(0, 1, 3, 4, 6, 12, 13, 14, 16, 17, 19);
    private static final Set<Integer> WITH_ERROR_CODE = Set.of(8, 10, 11, 12, 13, 14, 17, 21);
    private static final Set<Integer> FAULTS = Set.of(0, 6, 12, 13, 14, 16, 17, 19);
    private static final long[] GDT_ENTRIES = {
            0,
            0x00AF9B000000FFFFL, // 0x08 ring-0 code, L=1
            0x00CF93000000FFFFL, // 0x10 ring-0 data
            0x00CFF3000000FFFFL, // 0x18 user data (0x1B)
            0x00AFFB000000FFFFL, // 0x20 user code, L=1 (0x23)
    };

    private LongModeFuzz() { }

    static void fuzz(boolean user, long first) {
        int n = Integer.getInteger("jvirt.fuzz.seeds", 1);
        for (long seed = first; seed < first + n; seed++) fuzzSeed(user, seed);
    }

    private static void writeSystem(TestMachine m) {
        for (int i = 0; i < GDT_ENTRIES.length; i++) m.memory.write(GDT + i * 8L, 8, GDT_ENTRIES[i]);
        long tssLo = 0x67 | (TSS & 0xFF_FFFFL) << 16 | 0x8BL << 40 | ((TSS >>> 24) & 0xFF) << 56; // busy 64-bit TSS
        m.memory.write(GDT + 0x28, 8, tssLo);
        m.memory.write(GDT + 0x30, 8, TSS >>> 32);
        for (int v = 0; v < 256; v++) {
            long off = STUBS + v * 8L;
            int dpl = v == 3 || v == 4 ? 3 : 0;
            long lo = (off & 0xFFFF) | 0x08L << 16 | (long) (0x8E | dpl << 5) << 40 | ((off >>> 16) & 0xFFFF) << 48;
            m.memory.write(IDT + v * 16L, 8, lo);
            m.memory.write(IDT + v * 16L + 8, 8, off >>> 32);
            m.memory.write(off, 1, 0xF4);
        }
        m.memory.write(TSS + 4, 8, RSP0);
        m.memory.write(TSS + 0x66, 2, 0x68); // no I/O bitmap: IN/OUT above IOPL fault
        m.memory.write(PML4, 8, PDPT | 7);
        m.memory.write(PDPT, 8, PD | 7);
        m.memory.write(PD, 8, PT | 7);
        for (int i = 0; i < 512; i++) {
            long pte = (i * 0x1000L) | 7;
            if (i >= SYS >>> 12) pte = (i * 0x1000L) | 3;                 // supervisor only
            else if (i % 37 == 5) pte = 0;                                  // not present
            else if (i % 29 == 7) pte = (i * 0x1000L) | 5;                  // read-only
            else if (i % 31 == 9) pte = (i * 0x1000L) | 7 | 1L << 63;      // execute-disable
            m.memory.write(PT + i * 8L, 8, pte);
        }
    }

    private static void load(SegmentRegister r, int sel, long d) {
        r.selector = sel;
        r.base = 0;
        long lim = (d & 0xFFFF) | ((d >>> 48) & 0xF) << 16;
        if ((d & (1L << 55)) != 0) lim = (lim << 12) | 0xFFF;
        r.limit = (int) lim;
        r.setAccessRights((int) ((d >>> 40) & 0xF0FF));
        r.unusable = false;
    }

    private static void enter(TestMachine m, boolean user, Random rnd) {
        CpuState s = m.state;
        s.reset();
        s.halted = false;
        for (int r = 0; r < 16; r++) s.gpr[r] = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextLong(RAM);
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_AM | CpuState.CR0_MP | CpuState.CR0_PG
                | CpuState.CR0_WP;
        s.cr4 = 0x20 | 0x200 | 0x400; // PAE, OSFXSR, OSXMMEXCPT
        s.cr3 = PML4;
        s.efer = LongMode.EFER_LME | LongMode.EFER_LMA | LongMode.EFER_NXE;
        s.gdtBase = GDT;
        s.gdtLimit = 0x37;
        s.idtBase = IDT;
        s.idtLimit = 256 * 16 - 1;
        s.tr.selector = 0x28;
        s.tr.base = TSS;
        s.tr.limit = 0x67;
        s.tr.setAccessRights(0x8B);
        s.tr.unusable = false;
        s.ldtr.selector = 0;
        s.ldtr.unusable = true;
        s.rflags = 2 | (rnd.nextInt() & 0x8D5);
        load(s.cs, user ? 0x23 : 0x08, GDT_ENTRIES[user ? 4 : 1]);
        for (SegmentRegister r : new SegmentRegister[] {s.ss, s.ds, s.es, s.fs, s.gs}) {
            load(r, user ? 0x1B : 0x10, GDT_ENTRIES[user ? 3 : 2]);
        }
        s.rip = WINDOW + rnd.nextLong(SYS - WINDOW);
        s.gpr[CpuState.RSP] = WINDOW + rnd.nextLong(SYS - WINDOW);
        m.cpu.stateChanged();
    }

    private static void fuzzSeed(boolean user, long seed) {
        String mode = user ? "64-bit CPL 3" : "64-bit CPL 0";
        Random rnd = new Random(seed);
        TreeMap<Integer, Integer> seen = new TreeMap<>();
        try (TestMachine m = new TestMachine()) {
            m.cpu.setCpuModel(CpuModels.DEFAULT.with(CpuFeature.LM, true).with(CpuFeature.SYSCALL, true).with(CpuFeature.NX, true));
            m.cpu.setFpu(new X87(m.state));
            byte[] junk = new byte[(int) SYS];
            for (int round = 0; round < ROUNDS; round++) {
                rnd.nextBytes(junk);
                m.ram.load(0, junk);
                writeSystem(m);
                byte[] system = m.ram.read(SYS, RAM - (int) SYS);
                enter(m, user, rnd);
                int inEpisode = 0;
                for (int step = 0; step < STEPS; step++) {
                    long rip = m.state.rip;
                    int cs = m.state.cs.selector;
                    final int r0 = round;
                    m.cpu.clearLastException();
                    try {
                        m.cpu.step();
                    } catch (RuntimeException e) {
                        throw new AssertionError(mode + " seed " + seed + " round " + round + ": escaped at " + Long.toHexString(rip), e);
                    }
                    int fault = m.cpu.lastException();
                    boolean restart = ++inEpisode >= EPISODE;
                    if (!user) {
                        if (fault >= 0) {
                            assertTrue(fault < 32, mode + " raised vector " + fault);
                            seen.merge(fault, 1, Integer::sum);
                        }
                        if (m.state.halted || m.cpu.shutdown()) restart = true;
                    } else {
                        int vec = delivered(m);
                        Supplier<String> where = () -> mode + " seed " + seed + " round " + r0 + " at " + Long.toHexString(rip)
                                + " bytes " + bytesAt(m, rip) + " vector " + delivered(m) + " raised " + m.cpu.lastException();
                        assertFalse(m.cpu.shutdown(), () -> "no triple fault with sane tables: " + where.get());
                        if (vec < 0) {
                            assertEquals(3, m.state.cpl(), () -> "stays at CPL 3 outside its handlers: " + where.get());
                            assertTrue(m.state.longMode() && m.state.cs.l, () -> "stays in 64-bit mode: " + where.get());
                            assertEquals(-1, fault, () -> "an exception was raised but not delivered: " + where.get());
                        } else {
                            assertTrue(CPL3_ALLOWED.contains(vec), () -> "vector " + vec + ": " + where.get());
                            if (fault >= 0) assertEquals(fault, vec, () -> "raised and delivered vectors agree: " + where.get());
                            checkFrame(m, vec, rip, cs, where);
                            seen.merge(vec, 1, Integer::sum);
                            restart = true;
                        }
                    }
                    if (restart) {
                        m.cpu.clearShutdown();
                        enter(m, user, rnd);
                        inEpisode = 0;
                    }
                }
                if (user) assertSystemIntact(m, system);
            }
            assertEquals(0xFFFF_FFFFL, m.memory.read(RAM, 4), "nothing appeared above RAM");
            assertEquals(0xFFFF_FFFFL, m.memory.read(0xFFFF_F000L, 4));
            assertEquals(RAM, m.ram.size(), "RAM unchanged in size");
        }
        // Coverage: random bytes must reach the common faults, else the harness is not testing anything.
        assertTrue(seen.containsKey(6), mode + " saw #UD: " + seen);
        if (user) {
            assertTrue(seen.containsKey(13), mode + " saw #GP: " + seen);
            assertTrue(seen.containsKey(14), mode + " saw #PF: " + seen);
        }
        if (Boolean.getBoolean("jvirt.fuzz.print")) System.out.println(mode + " seed " + seed + " vectors " + seen);
    }

    private static int delivered(TestMachine m) {
        long rip = m.state.rip;
        if (m.state.cs.selector != 0x08 || rip < STUBS || rip >= STUBS + 256 * 8 || (rip - STUBS) % 8 != 0) return -1;
        return (int) ((rip - STUBS) / 8);
    }

    /** The IA-32e frame (SDM Vol. 3A 6.14.2, Figure 6-9): RSP0 aligned to 16, SS:RSP always, error code iff the vector has one. */
    private static void checkFrame(TestMachine m, int vec, long rip, int cs, Supplier<String> where) {
        boolean err = WITH_ERROR_CODE.contains(vec);
        long rsp = m.state.gpr[CpuState.RSP];
        assertEquals((RSP0 & ~0xFL) - 8L * (5 + (err ? 1 : 0)), rsp, () -> "frame size for vector " + vec + ": " + where.get());
        assertEquals(0, m.state.ss.selector, () -> "a privilege change to ring 0 loads a null SS: " + where.get());
        long at = rsp + (err ? 8 : 0);
        assertEquals(cs, m.memory.read(at + 8, 8), () -> "pushed CS: " + where.get());
        if (FAULTS.contains(vec)) assertEquals(rip, m.memory.read(at, 8), () -> "a fault pushes the faulting RIP: " + where.get());
        assertEquals(0x1B, m.memory.read(at + 32, 8), () -> "pushed SS: " + where.get());
        assertEquals(0, m.state.rflags & (CpuState.FLAG_TF | CpuState.FLAG_IF), () -> "handler flags: " + where.get());
    }

    private static void assertSystemIntact(TestMachine m, byte[] system) {
        byte[] now = m.ram.read(SYS, system.length);
        for (int i = 0; i < system.length; i++) {
            long a = SYS + i;
            if (a >= RSP0 - 0x100 && a < RSP0) continue; // the ring-0 stack
            int n = now[i] & 0xFF, was = system[i] & 0xFF;
            if (a >= PML4 && a < PT + 0x1000 && (a & 7) == 0) { n &= ~0x60; was &= ~0x60; } // accessed/dirty
            if (n != was) fail("64-bit system byte at " + Long.toHexString(a) + " changed from " + was + " to " + n);
        }
    }

    private static String bytesAt(TestMachine m, long lin) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) b.append(String.format("%02x ", m.memory.readByte((lin + i) & 0xFFFF_FFFFL)));
        return b.toString().trim();
    }
}
