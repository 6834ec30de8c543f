package dev.jvirt.cpu;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 4-level paging of IA-32e mode (SDM Vol. 3A 4.5) and its #PF error codes (4.7), through the MMU. */
class Mmu4LevelTest {
    private static final long P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, XD = 1L << 63;
    private static final long PML4 = 0x10000, PDPT = 0x11000, PD = 0x12000, PT = 0x13000, PDPT_HI = 0x14000, PD_HI = 0x16000;
    private static final long EFER_LME = 0x100, EFER_LMA = 0x400, EFER_NXE = 0x800;

    private TestMachine m;
    private Mmu mmu;

    @BeforeEach
    void setUp() {
        m = new TestMachine();
        put(PML4, 0, PDPT | P | RW | US);
        put(PML4, 511, PDPT_HI | P | RW); // supervisor-only upper half
        put(PDPT, 0, PD | P | RW | US);
        put(PDPT, 1, 0x0 | P | RW | US | PS); // 1 GiB page: 0x4000_0000 -> 0
        put(PD, 0, PT | P | RW | US);
        put(PD, 1, 0x0 | P | US | PS); // 2 MiB read-only page: 0x20_0000 -> 0
        put(PD, 2, 0x0 | P | RW | US | PS | XD); // 2 MiB no-execute page: 0x40_0000 -> 0
        put(PT, 5, 0x15000 | P | RW | US);
        put(PT, 6, 0x15000 | P); // supervisor, read-only
        put(PDPT_HI, 511, PD_HI | P | RW);
        put(PD_HI, 0, 0x0 | P | RW | PS); // 0xFFFF_FFFF_C000_0000 -> 0
        longMode(EFER_NXE);
        mmu = m.cpu.mmu();
    }

    @AfterEach
    void tearDown() { m.close(); }

    private void put(long table, int idx, long entry) { m.memory.write(table + idx * 8L, 8, entry); }

    private long get(long table, int idx) { return m.memory.read(table + idx * 8L, 8); }

    private void longMode(long extraEfer) {
        CpuState s = m.state;
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_PG | CpuState.CR0_ET;
        s.cr4 = 0x20;
        s.cr3 = PML4;
        s.efer = EFER_LME | EFER_LMA | extraEfer;
        m.cpu.stateChanged();
    }

    private int pfError(long lin, boolean write, boolean user, boolean fetch) {
        CpuFault f = assertThrows(CpuFault.class, () -> mmu.translate(lin, write, user, fetch));
        assertEquals(14, f.vector);
        assertEquals(lin, m.state.cr2, "CR2 holds the faulting linear address");
        return f.errorCode;
    }

    @Test
    void fourKibPageWalkSetsAccessedInEveryLevelAndDirtyInTheLeafOnWrite() {
        assertEquals(0x15123, mmu.translate(0x5123, false, true, false));
        for (long[] e : new long[][]{{PML4, 0}, {PDPT, 0}, {PD, 0}, {PT, 5}}) {
            assertTrue((get(e[0], (int) e[1]) & A) != 0, "accessed bit in table " + Long.toHexString(e[0]));
        }
        assertEquals(0, get(PT, 5) & D);
        mmu.translate(0x5FFF, true, true, false);
        assertEquals(D, get(PT, 5) & D);
        assertEquals(0, get(PD, 0) & D, "dirty only in the entry that maps the page");
    }

    @Test
    void largePagesOf1GibAnd2Mib() {
        assertEquals(0x12_3456, mmu.translate(0x4012_3456L, false, false, false));
        assertEquals(0x1F_FFFF, mmu.translate(0x3F_FFFF, false, true, false));
        assertEquals(A, get(PDPT, 1) & (A | D), "a read sets only A in the 1 GiB PDPTE");
        mmu.translate(0x4000_0000L, true, false, false);
        assertEquals(D, get(PDPT, 1) & D);
    }

    @Test
    void upperHalfCanonicalAddressesTranslateThroughTheLastPml4Entry() {
        m.memory.write(0x1F00, 8, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, mmu.read(0xFFFF_FFFF_C000_1F00L, 8, false));
        mmu.write(0xFFFF_FFFF_C000_1F08L, 4, 0xCAFE, false);
        assertEquals(0xCAFE, m.memory.read(0x1F08, 4));
        assertEquals(5, pfError(0xFFFF_FFFF_C000_1F00L, false, true, false), "user read of a supervisor page: P|U");
    }

    @Test
    void notPresentAndProtectionErrorCodes() {
        assertEquals(0, pfError(0x7000, false, false, false), "not present, supervisor read");
        assertEquals(6, pfError(0x7000, true, true, false), "not present, user write");
        assertEquals(0, pfError(0x8000_0000_0000L - 0x1000, false, false, false), "PML4E 255 absent");
        assertEquals(7, pfError(0x20_0000, true, true, false), "user write to read-only 2 MiB page");
        assertEquals(0x1000, mmu.translate(0x20_1000, true, false, false) & 0xFFFFF, "supervisor write with CR0.WP=0");
        m.state.cr0 |= CpuState.CR0_WP;
        m.cpu.stateChanged();
        assertEquals(3, pfError(0x20_0000, true, false, false), "supervisor write with CR0.WP=1");
        assertEquals(5, pfError(0x6000, false, true, false), "user read of a supervisor 4 KiB page");
    }

    @Test
    void executeDisableFaultsFetchesOnlyWithNxe() {
        assertEquals(0x1234, mmu.translate(0x40_1234, false, false, false), "data reads ignore XD");
        assertEquals(0x11, pfError(0x40_1234, false, false, true), "fetch from an XD page: P|I/D");
        assertEquals(0x10, pfError(0x7000, false, false, true), "fetch from a not-present page reports I/D with NXE");
        longMode(0);
        assertEquals(9, pfError(0x40_1234, false, false, false), "XD set without EFER.NXE is reserved: P|RSVD");
        assertEquals(0, pfError(0x7000, false, false, true), "no I/D without NXE");
    }

    @Test
    void reservedBitsInEachLevel() {
        put(PML4, 1, PDPT | P | RW | PS); // PS is reserved in a PML4E
        assertEquals(9, pfError(1L << 39, false, false, false));
        put(PDPT, 2, 0x0 | P | RW | PS | 1L << 13); // bits 29:13 of a 1 GiB PDPTE
        assertEquals(0xB, pfError(0x8000_0000L, true, false, false), "P|W|RSVD");
        put(PD, 3, 0x0 | P | RW | US | PS | 1L << 20); // bits 20:13 of a 2 MiB PDE
        assertEquals(0xD, pfError(0x60_0000, false, true, false), "P|U|RSVD");
        put(PT, 7, 1L << 51 | P); // above MAXPHYADDR
        assertEquals(9, pfError(0x7000, false, false, false));
        put(PT, 8, 0x7FF0_0000_0000_0000L | 0x15000 | P); // bits 62:52 are ignored by 4-level paging
        assertEquals(0x15000, mmu.translate(0x8000, false, false, false));
    }

    @Test
    void invlpgDropsEveryCachedPartOfA1GibPage() {
        m.memory.write(0x1000, 4, 0x1111);
        assertEquals(0x1111, mmu.read(0x4000_1000L, 4, false));
        put(PDPT, 1, 0); // unmap the 1 GiB page; the TLB still holds 0x4000_1000
        mmu.flushPage(0x7FF0_0000L); // another 2 MiB region of the same 1 GiB page
        CpuFault f = assertThrows(CpuFault.class, () -> mmu.read(0x4000_1000L, 4, false));
        assertEquals(14, f.vector);
        assertEquals(0, f.errorCode);
    }
}
