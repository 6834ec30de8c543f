package dev.jvirt.cpu;

/**
 * 4-level paging (IA-32e mode, SDM Vol. 3A 4.5): PML4 -> PDPT -> PD -> PT with 64-bit entries, 1 GiB
 * pages (PDPTE.PS) and 2 MiB pages (PDE.PS), execute-disable with EFER.NXE, and #PF error codes of SDM 4.7
 * (P, W/R, U/S, RSVD, I/D). Rights combine over all levels: user access needs U/S set in every entry,
 * a write needs R/W set in every entry (for supervisor only with CR0.WP), a fetch faults when any entry
 * sets XD. Accessed bits are set in every entry used and the dirty bit in the final one, once the
 * access is known to be allowed.
 */
final class Mmu4Level {
    /** Address bits 51:12 of an entry; bits 51:MAXPHYADDR are reserved (checked separately). */
    private static final long ADDR = 0x000F_FFFF_FFFF_F000L;
    private static final long PS = 0x80;

    private Mmu4Level() { }

    static long translate(Mmu m, CpuState s, long lin, boolean write, boolean user, boolean fetch) {
        boolean nxe = (s.efer & 0x800) != 0;
        // I/D is reported for fetches when NXE (or SMEP, not modelled) is on (SDM 4.7).
        boolean id = fetch && nxe;
        // 4-level paging ignores bits 62:52; bits 51:MAXPHYADDR are reserved.
        long rsvd = m.physReservedMask() & 0x000F_FFFF_FFFF_FFFFL;
        long pml4eAddr = (s.cr3 & ADDR & ~rsvd) + ((lin >>> 39) & 0x1FF) * 8;
        long pml4e = entry(m, lin, pml4eAddr, rsvd | PS, nxe, write, user, id);
        long pdpteAddr = (pml4e & ADDR) + ((lin >>> 30) & 0x1FF) * 8;
        boolean large1g;
        long pdpte = m.physRead(pdpteAddr, 8);
        if ((pdpte & 1) == 0) throw m.pageFault(lin, false, write, user, id);
        large1g = (pdpte & PS) != 0;
        // A 1 GiB page's bits 29:13 are reserved (Table 4-17).
        reserved(m, lin, pdpte, rsvd | (large1g ? 0x3FFF_E000L : 0), nxe, write, user, id);
        long rights = pml4e & pdpte;
        boolean xd = (pml4e | pdpte) < 0;
        if (large1g) {
            check(m, s, lin, rights, xd && nxe, write, user, id);
            setAccessed(m, pml4eAddr, pml4e);
            setLeaf(m, pdpteAddr, pdpte, write);
            m.lastGlobal = (pdpte & 0x100) != 0;
            m.lastLarge = true;
            return (pdpte & 0x000F_FFFF_C000_0000L) | (lin & 0x3FFF_FFFFL);
        }
        long pdeAddr = (pdpte & ADDR) + ((lin >>> 21) & 0x1FF) * 8;
        long pde = m.physRead(pdeAddr, 8);
        if ((pde & 1) == 0) throw m.pageFault(lin, false, write, user, id);
        boolean large2m = (pde & PS) != 0;
        reserved(m, lin, pde, rsvd | (large2m ? 0x1F_E000L : 0), nxe, write, user, id);
        rights &= pde;
        xd |= pde < 0;
        if (large2m) {
            check(m, s, lin, rights, xd && nxe, write, user, id);
            setAccessed(m, pml4eAddr, pml4e);
            setAccessed(m, pdpteAddr, pdpte);
            setLeaf(m, pdeAddr, pde, write);
            m.lastGlobal = (pde & 0x100) != 0;
            m.lastLarge = true;
            return (pde & 0x000F_FFFF_FFE0_0000L) | (lin & 0x1F_FFFF);
        }
        long pteAddr = (pde & ADDR) + ((lin >>> 12) & 0x1FF) * 8;
        long pte = m.physRead(pteAddr, 8);
        if ((pte & 1) == 0) throw m.pageFault(lin, false, write, user, id);
        reserved(m, lin, pte, rsvd, nxe, write, user, id);
        rights &= pte;
        xd |= pte < 0;
        check(m, s, lin, rights, xd && nxe, write, user, id);
        setAccessed(m, pml4eAddr, pml4e);
        setAccessed(m, pdpteAddr, pdpte);
        setAccessed(m, pdeAddr, pde);
        setLeaf(m, pteAddr, pte, write);
        m.lastGlobal = (pte & 0x100) != 0;
        return (pte & ADDR) | (lin & 0xFFF);
    }

    /** Reads a non-leaf entry that must be present with no reserved bit set (for the PML4E, PS is reserved too). */
    private static long entry(Mmu m, long lin, long addr, long rsvd, boolean nxe, boolean write, boolean user, boolean id) {
        long e = m.physRead(addr, 8);
        if ((e & 1) == 0) throw m.pageFault(lin, false, write, user, id);
        reserved(m, lin, e, rsvd, nxe, write, user, id);
        return e;
    }

    private static void reserved(Mmu m, long lin, long e, long rsvd, boolean nxe, boolean write, boolean user, boolean id) {
        if ((e & rsvd) != 0 || (!nxe && e < 0)) throw m.reservedFault(lin, write, user, id);
    }

    private static void check(Mmu m, CpuState s, long lin, long rights, boolean xd, boolean write, boolean user, boolean id) {
        m.checkRights(lin, rights, write, user, (s.cr0 & CpuState.CR0_WP) != 0, id);
        if (id && xd) throw m.pageFault(lin, true, write, user, true);
    }

    private static void setAccessed(Mmu m, long addr, long e) {
        if ((e & 0x20) == 0) m.physWrite(addr, 4, e | 0x20);
    }

    private static void setLeaf(Mmu m, long addr, long e, boolean write) {
        long upd = e | 0x20 | (write ? 0x40 : 0);
        if (upd != e) m.physWrite(addr, 4, upd);
    }
}
