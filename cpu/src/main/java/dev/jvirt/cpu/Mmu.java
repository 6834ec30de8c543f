package dev.jvirt.cpu;

import dev.jvirt.mmu.A20Gate;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.MemoryRegion;

/**
 * Linear-to-physical translation (32-bit 2-level paging with PSE and global pages, SDM Vol. 3A 4.3)
 * and a software TLB: per-page arrays of the guest-RAM offset for reads and writes, tagged by
 * linear page and user/supervisor, so a RAM hit is a few array operations. Everything that is not
 * RAM (ROM, MMIO, unassigned) goes through the {@link AddressSpace}, MMIO with the I/O lock held.
 */
public final class Mmu {
    private static final int TLB_BITS = 10, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;
    private static final long PAGE_MASK = 0xFFF;

    private final CpuState s;
    private final AddressSpace as;
    private final GuestRam ram;
    private final CpuFault fault;
    private A20Gate a20;
    private long physMask = -1L;
    private Object ioLock = new Object();

    private final long[] rTag = new long[TLB_SIZE], wTag = new long[TLB_SIZE];
    private final long[] rOff = new long[TLB_SIZE], wOff = new long[TLB_SIZE];
    /** Per entry, not per slot: a slot's read and write entries may come from different pages. */
    private final boolean[] rGlobal = new boolean[TLB_SIZE], wGlobal = new boolean[TLB_SIZE];
    /**
     * Entries filled from a 4 MiB or 2 MiB page. The TLB caches them per 4 KiB page, so INVLPG of any
     * address in a large page must find all of them (SDM Vol. 3A 4.10.4.1).
     */
    private final boolean[] rLarge = new boolean[TLB_SIZE], wLarge = new boolean[TLB_SIZE];
    private boolean anyLarge;

    /** MAXPHYADDR (SDM 4.1.4): CPUID 80000008H:EAX[7:0], else 36 with PAE or PSE-36, else 32. */
    private int maxPhyAddr = 36;
    private boolean pse36;
    /** The PDPTE registers of PAE paging (SDM 4.4.1), loaded from CR3 when the TLB is flushed for a CR3/CR0/CR4 write. */
    private final long[] pdpte = new long[4];
    private boolean pdptesLoaded;

    Mmu(CpuState s, AddressSpace as, CpuFault fault) {
        this.s = s;
        this.as = as;
        this.ram = as.ram();
        this.fault = fault;
        flushAll();
        // A changed address map may turn a cached RAM page into MMIO or ROM.
        as.addListener(this::flushTlb);
    }

    /** Takes MAXPHYADDR and PSE-36 from the CPU model (what CPUID reports). */
    void setCpuModel(CpuModel m) {
        int bits = Integer.compareUnsigned(m.xlevel(), 0x8000_0008) >= 0 ? m.physBits()
                : m.has(CpuFeature.PAE) || m.has(CpuFeature.PSE36) ? 36 : 32;
        maxPhyAddr = Math.min(52, Math.max(32, bits));
        pse36 = m.has(CpuFeature.PSE36);
        flushTlb();
    }

    /** Bits 62:MAXPHYADDR of a PAE paging-structure entry: reserved (SDM Tables 4-8 to 4-11; 4-level paging ignores 62:52). */
    long physReservedMask() {
        return 0x7FFF_FFFF_FFFF_FFFFL & ~((1L << maxPhyAddr) - 1);
    }

    public AddressSpace addressSpace() { return as; }

    void setA20(A20Gate gate) {
        a20 = gate;
        flushTlb();
    }

    /** Extra mask on physical addresses (an 80286's 24 address lines); -1 for none. */
    void setPhysMask(long mask) {
        physMask = mask;
        flushTlb();
    }

    void setIoLock(Object lock) { ioLock = lock; }

    /** Linear addresses are 32 bits outside IA-32e mode; in it the CPU has checked them canonical. */
    private long linMask = 0xFFFF_FFFFL;

    /** Bumped by every flush, so callers caching a translation (the code fetch page) can validate it. */
    int generation;

    /** Drops every translation and reloads the PDPTE registers (a CR0/CR4 write, or state replaced from outside). */
    public void flushAll() {
        flushTlb();
        loadPdptes();
    }

    private void flushTlb() {
        generation++;
        linMask = s.longMode() ? -1L : 0xFFFF_FFFFL;
        java.util.Arrays.fill(rTag, -1);
        java.util.Arrays.fill(wTag, -1);
        java.util.Arrays.fill(rGlobal, false);
        java.util.Arrays.fill(wGlobal, false);
        java.util.Arrays.fill(rLarge, false);
        java.util.Arrays.fill(wLarge, false);
        anyLarge = false;
    }

    /** A CR3 load: drops all but global pages (when CR4.PGE) and reloads the PDPTE registers. */
    void flushNonGlobal() {
        generation++;
        boolean pge = (s.cr4 & 0x80) != 0;
        for (int i = 0; i < TLB_SIZE; i++) {
            if (!pge || !rGlobal[i]) rTag[i] = -1;
            if (!pge || !wGlobal[i]) wTag[i] = -1;
        }
        loadPdptes();
    }

    /** INVLPG: drops the page's translations, and every 4 KiB part of a cached large page that contains it. */
    void flushPage(long lin) {
        generation++;
        int idx = (int) (lin >>> 12) & TLB_MASK;
        rTag[idx] = -1;
        wTag[idx] = -1;
        if (!anyLarge) return;
        // 4-level paging caches 1 GiB pages too: drop every large entry of the 1 GiB region (a superset).
        int shift = s.longMode() ? 30 : (s.cr4 & 0x20) != 0 ? 21 : 22;
        long region = (lin & linMask) >>> shift;
        for (int i = 0; i < TLB_SIZE; i++) {
            if (rLarge[i] && (rTag[i] >>> 1) >>> (shift - 12) == region) rTag[i] = -1;
            if (wLarge[i] && (wTag[i] >>> 1) >>> (shift - 12) == region) wTag[i] = -1;
        }
    }

    private boolean paePaging() {
        return (s.cr0 & CpuState.CR0_PG) != 0 && (s.cr4 & 0x20) != 0 && !s.longMode();
    }

    private void loadPdptes() {
        pdptesLoaded = false;
        if (paePaging()) {
            for (int i = 0; i < 4; i++) pdpte[i] = physRead((s.cr3 & 0xFFFF_FFE0L) + i * 8L, 8);
            pdptesLoaded = true;
        }
    }

    /**
     * Whether a present PDPTE at {@code cr3} sets a reserved bit (2:1, 8:5, 63:MAXPHYADDR): MOV to CR3, or
     * to CR0/CR4 entering PAE paging, then raises #GP(0) (SDM Vol. 3A 4.4.1).
     */
    boolean pdptesReserved(long cr3) {
        long rsvd = 0x1E6L | physReservedMask() | 1L << 63;
        for (int i = 0; i < 4; i++) {
            long e = physRead((cr3 & 0xFFFF_FFE0L) + i * 8L, 8);
            if ((e & 1) != 0 && (e & rsvd) != 0) return true;
        }
        return false;
    }

    private long physical(long pa) {
        long m = physMask;
        A20Gate g = a20;
        if (g != null) m &= g.mask();
        return pa & m;
    }

    // ---- reads ----

    public long read(long lin, int size, boolean user) {
        lin &= linMask;
        if ((lin & PAGE_MASK) + size > 0x1000) return readSplit(lin, size, user);
        long tag = (lin >>> 12) << 1 | (user ? 1 : 0);
        int idx = (int) (lin >>> 12) & TLB_MASK;
        if (rTag[idx] == tag) return ram.get(rOff[idx] + (lin & PAGE_MASK), size);
        return readSlow(lin, size, user);
    }

    public int read8(long lin, boolean user) {
        lin &= linMask;
        long tag = (lin >>> 12) << 1 | (user ? 1 : 0);
        int idx = (int) (lin >>> 12) & TLB_MASK;
        if (rTag[idx] == tag) return ram.getByte(rOff[idx] + (lin & PAGE_MASK));
        return (int) readSlow(lin, 1, user);
    }

    /** The RAM offset of {@code lin}'s page if its read translation is in the TLB, else -1. */
    long cachedReadPage(long lin, boolean user) {
        long tag = (lin >>> 12) << 1 | (user ? 1 : 0);
        int idx = (int) (lin >>> 12) & TLB_MASK;
        return rTag[idx] == tag ? rOff[idx] : -1;
    }

    GuestRam ram() { return ram; }

    private long readSplit(long lin, int size, boolean user) {
        long v = 0;
        for (int b = 0; b < size; b++) v |= (long) read8((lin + b) & linMask, user) << (8 * b);
        return v;
    }

    private long readSlow(long lin, int size, boolean user) {
        long pa = physical(translate(lin, false, user, false));
        long off = as.ramPageOffset(pa);
        if (off >= 0) {
            int idx = (int) (lin >>> 12) & TLB_MASK;
            rTag[idx] = (lin >>> 12) << 1 | (user ? 1 : 0);
            rOff[idx] = off;
            rGlobal[idx] = lastGlobal;
            rLarge[idx] = lastLarge;
            anyLarge |= lastLarge;
            return ram.get(off + (pa & PAGE_MASK), size);
        }
        return physRead(pa, size);
    }

    /** Set by every MMIO access; the CPU clears it and ends its batch so due device timers run promptly. */
    boolean mmioAccessed;

    /** A physical read outside the TLB (page walks, devices): MMIO under the I/O lock. */
    long physRead(long pa, int size) {
        pa = physical(pa);
        MemoryRegion r = as.regionAt(pa);
        if (r != null && r.kind() == MemoryRegion.Kind.MMIO) {
            mmioAccessed = true;
            synchronized (ioLock) { return as.read(pa, size); }
        }
        return as.read(pa, size);
    }

    void physWrite(long pa, int size, long v) {
        pa = physical(pa);
        MemoryRegion r = as.regionAt(pa);
        if (r != null && r.kind() == MemoryRegion.Kind.MMIO) {
            mmioAccessed = true;
            synchronized (ioLock) { as.write(pa, size, v); }
            return;
        }
        as.write(pa, size, v);
    }

    // ---- writes ----

    public void write(long lin, int size, long v, boolean user) {
        lin &= linMask;
        if ((lin & PAGE_MASK) + size > 0x1000) { writeSplit(lin, size, v, user); return; }
        long tag = (lin >>> 12) << 1 | (user ? 1 : 0);
        int idx = (int) (lin >>> 12) & TLB_MASK;
        if (wTag[idx] == tag) { ram.put(wOff[idx] + (lin & PAGE_MASK), size, v); return; }
        writeSlow(lin, size, v, user);
    }

    private void writeSplit(long lin, int size, long v, boolean user) {
        // Check every page first so a fault on the second page leaves memory untouched.
        long last = (lin + size - 1) & linMask;
        translateForWrite(lin, user);
        translateForWrite(last, user);
        for (int b = 0; b < size; b++) write((lin + b) & linMask, 1, v >>> (8 * b), user);
    }

    private void translateForWrite(long lin, boolean user) {
        translate(lin, true, user, false);
    }

    private void writeSlow(long lin, int size, long v, boolean user) {
        long pa = physical(translate(lin, true, user, false));
        long off = as.ramPageOffset(pa);
        if (off >= 0) {
            int idx = (int) (lin >>> 12) & TLB_MASK;
            wTag[idx] = (lin >>> 12) << 1 | (user ? 1 : 0);
            wOff[idx] = off;
            wGlobal[idx] = lastGlobal;
            wLarge[idx] = lastLarge;
            anyLarge |= lastLarge;
            ram.put(off + (pa & PAGE_MASK), size, v);
            return;
        }
        physWrite(pa, size, v);
    }

    /** Translates every page of an access (raising its #PF) without accessing memory. */
    void probe(long lin, int size, boolean write, boolean user) {
        lin &= linMask;
        translate(lin, write, user, false);
        if ((lin & PAGE_MASK) + size > 0x1000) translate((lin + size - 1) & linMask, write, user, false);
    }

    /** Checks that a write to {@code lin} would not fault (for instructions that must not half-complete). */
    void probeWrite(long lin, int size, boolean user) {
        lin &= linMask;
        translate(lin, true, user, false);
        if ((lin & PAGE_MASK) + size > 0x1000) translate((lin + size - 1) & linMask, true, user, false);
    }

    // ---- paging ----

    boolean lastGlobal, lastLarge;

    /**
     * Translates a linear address, setting accessed/dirty bits, or raises #PF with CR2 and the error
     * code (P, W/R, U/S, I/D) of SDM Vol. 3A 4.7.
     */
    long translate(long lin, boolean write, boolean user, boolean fetch) {
        lastGlobal = false;
        lastLarge = false;
        if ((s.cr0 & CpuState.CR0_PG) == 0) return lin;
        if (s.longMode()) return Mmu4Level.translate(this, s, lin, write, user, fetch);
        if ((s.cr4 & 0x20) != 0) return translatePae(lin, write, user, fetch);
        long pdeAddr = (s.cr3 & 0xFFFF_F000L) | ((lin >>> 22) << 2);
        long pde = physRead(pdeAddr, 4);
        if ((pde & 1) == 0) throw pageFault(lin, false, write, user, fetch);
        boolean wp = (s.cr0 & CpuState.CR0_WP) != 0;
        if ((pde & 0x80) != 0 && (s.cr4 & 0x10) != 0) {
            // Bit 21 is reserved; bits 20:13 are address bits 39:32 up to MAXPHYADDR (max 40) with PSE-36, else reserved (Table 4-4).
            long rsvd = pse36 ? 0x3F_E000L & ~(((1L << (Math.min(40, maxPhyAddr) - 32)) - 1) << 13) : 0x3F_E000L;
            if ((pde & rsvd) != 0) throw reservedFault(lin, write, user, false);
            checkRights(lin, pde, write, user, wp, fetch);
            long upd = pde | 0x20 | (write ? 0x40 : 0);
            if (upd != pde) physWrite(pdeAddr, 4, upd);
            lastGlobal = (pde & 0x100) != 0;
            lastLarge = true;
            return (pde & 0xFFC0_0000L) | ((pde >>> 13) & 0xFF) << 32 | (lin & 0x3F_FFFF);
        }
        long pteAddr = (pde & 0xFFFF_F000L) | (((lin >>> 12) & 0x3FF) << 2);
        long pte = physRead(pteAddr, 4);
        if ((pte & 1) == 0) throw pageFault(lin, false, write, user, fetch);
        checkRights(lin, pde & pte, write, user, wp, fetch);
        if ((pde & 0x20) == 0) physWrite(pdeAddr, 4, pde | 0x20);
        long upd = pte | 0x20 | (write ? 0x40 : 0);
        if (upd != pte) physWrite(pteAddr, 4, upd);
        lastGlobal = (pte & 0x100) != 0;
        return (pte & 0xFFFF_F000L) | (lin & PAGE_MASK);
    }

    private static final long PAE_ADDR = 0x000F_FFFF_FFFF_F000L;

    /**
     * PAE paging (SDM Vol. 3A 4.4): 4 PDPTE registers, 64-bit PDEs/PTEs, 2 MiB pages, NX with EFER.NXE.
     */
    private long translatePae(long lin, boolean write, boolean user, boolean fetch) {
        boolean nxe = (s.efer & 0x800) != 0;
        if (!pdptesLoaded) loadPdptes();
        long pdpte = this.pdpte[(int) (lin >>> 30) & 3];
        if ((pdpte & 1) == 0) throw pageFault(lin, false, write, user, fetch && nxe);
        long pdeAddr = (pdpte & PAE_ADDR) + ((lin >>> 21) & 0x1FF) * 8;
        long pde = physRead(pdeAddr, 8);
        if ((pde & 1) == 0) throw pageFault(lin, false, write, user, fetch && nxe);
        checkReserved(lin, pde, (pde & 0x80) != 0 ? 0x1F_E000L : 0, nxe, write, user, fetch);
        boolean wp = (s.cr0 & CpuState.CR0_WP) != 0;
        if ((pde & 0x80) != 0) {
            checkRights(lin, pde, write, user, wp, fetch && nxe);
            if (fetch && nxe && pde < 0) throw pageFault(lin, true, write, user, true);
            long upd = pde | 0x20 | (write ? 0x40 : 0);
            if (upd != pde) physWrite(pdeAddr, 4, upd);
            lastGlobal = (pde & 0x100) != 0;
            lastLarge = true;
            return (pde & 0x000F_FFFF_FFE0_0000L) | (lin & 0x1F_FFFF);
        }
        long pteAddr = (pde & PAE_ADDR) + ((lin >>> 12) & 0x1FF) * 8;
        long pte = physRead(pteAddr, 8);
        if ((pte & 1) == 0) throw pageFault(lin, false, write, user, fetch && nxe);
        checkReserved(lin, pte, 0, nxe, write, user, fetch);
        checkRights(lin, pde & pte, write, user, wp, fetch && nxe);
        if (fetch && nxe && (pde < 0 || pte < 0)) throw pageFault(lin, true, write, user, true);
        if ((pde & 0x20) == 0) physWrite(pdeAddr, 4, pde | 0x20);
        long upd = pte | 0x20 | (write ? 0x40 : 0);
        if (upd != pte) physWrite(pteAddr, 4, upd);
        lastGlobal = (pte & 0x100) != 0;
        return (pte & PAE_ADDR) | (lin & PAGE_MASK);
    }

    /**
     * Reserved bits of a present PAE PDE/PTE (#PF with P|RSVD, SDM 4.7): bits 62:MAXPHYADDR, XD without
     * EFER.NXE, and {@code extra} (bits 20:13 of a 2 MiB PDE).
     */
    private void checkReserved(long lin, long entry, long extra, boolean nxe, boolean write, boolean user, boolean fetch) {
        if ((!nxe && entry < 0) || (entry & (physReservedMask() | extra)) != 0) throw reservedFault(lin, write, user, fetch && nxe);
    }

    CpuFault reservedFault(long lin, boolean write, boolean user, boolean fetch) {
        CpuFault f = pageFault(lin, true, write, user, fetch);
        f.errorCode |= 8;
        return f;
    }

    /** Checks that an instruction fetch from {@code lin} is allowed (NX), raising #PF with I/D if not. */
    void checkFetch(long lin, boolean user) {
        if ((s.cr0 & CpuState.CR0_PG) != 0 && (s.cr4 & 0x20) != 0 && (s.efer & 0x800) != 0) translate(lin, false, user, true);
    }

    void checkRights(long lin, long rights, boolean write, boolean user, boolean wp, boolean fetch) {
        if (user && (rights & 4) == 0) throw pageFault(lin, true, write, user, fetch);
        if (write && (rights & 2) == 0 && (user || wp)) throw pageFault(lin, true, write, user, fetch);
    }

    CpuFault pageFault(long lin, boolean present, boolean write, boolean user, boolean fetch) {
        s.cr2 = lin;
        int err = (present ? 1 : 0) | (write ? 2 : 0) | (user ? 4 : 0) | (fetch ? 0x10 : 0);
        return fault.set(14, true, err);
    }
}
