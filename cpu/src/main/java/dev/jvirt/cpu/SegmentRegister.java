package dev.jvirt.cpu;

/**
 * A segment register with its hidden descriptor cache, field for field as KVM's {@code kvm_segment}
 * (and VMX's guest segment fields) hold it, so the interpreter and KVM exchange it losslessly.
 * {@code limit} is the expanded byte limit (granularity already applied).
 */
public final class SegmentRegister {
    public int selector;
    public long base;
    public int limit;
    /** Descriptor type field, bits 8-11 of the descriptor's high dword. */
    public int type;
    /** S: 1 for code/data, 0 for system. */
    public boolean s;
    public int dpl;
    public boolean present;
    public boolean avl;
    /** L: 64-bit code segment. */
    public boolean l;
    /** D/B: default operation size 32-bit. */
    public boolean db;
    public boolean g;
    /** VMX's "unusable" (a null selector loaded in protected mode). */
    public boolean unusable;

    /** Real-mode style load: base = selector * 16, limits and rights untouched (SDM Vol. 3A 20.1.1). */
    public void loadReal(int sel) {
        selector = sel & 0xFFFF;
        base = (long) selector << 4;
    }

    /** The power-on state of a data segment (SDM Vol. 3A Table 10-1): base 0, limit 0xFFFF, present, read/write, accessed. */
    public void resetData() {
        selector = 0;
        base = 0;
        limit = 0xFFFF;
        type = 3;
        s = true;
        dpl = 0;
        present = true;
        avl = l = db = g = unusable = false;
    }

    /** Flat 4 GiB segment as multiboot and the Linux 32-bit boot protocol hand over. */
    public void setFlat(int sel, boolean code) {
        selector = sel;
        base = 0;
        limit = 0xFFFF_FFFF;
        type = code ? 0xB : 0x3;
        s = true;
        dpl = 0;
        present = true;
        avl = l = false;
        db = true;
        g = true;
        unusable = false;
    }

    /** Access rights in the VMX layout (type | S<<4 | DPL<<5 | P<<7 | AVL<<12 | L<<13 | D/B<<14 | G<<15 | unusable<<16). */
    public int accessRights() {
        return type | (s ? 1 << 4 : 0) | dpl << 5 | (present ? 1 << 7 : 0) | (avl ? 1 << 12 : 0)
                | (l ? 1 << 13 : 0) | (db ? 1 << 14 : 0) | (g ? 1 << 15 : 0) | (unusable ? 1 << 16 : 0);
    }

    public void setAccessRights(int ar) {
        type = ar & 0xF;
        s = (ar & 1 << 4) != 0;
        dpl = (ar >> 5) & 3;
        present = (ar & 1 << 7) != 0;
        avl = (ar & 1 << 12) != 0;
        l = (ar & 1 << 13) != 0;
        db = (ar & 1 << 14) != 0;
        g = (ar & 1 << 15) != 0;
        unusable = (ar & 1 << 16) != 0;
    }

    public void copyFrom(SegmentRegister o) {
        selector = o.selector;
        base = o.base;
        limit = o.limit;
        setAccessRights(o.accessRights());
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SegmentRegister o && o.selector == selector && o.base == base && o.limit == limit
                && o.accessRights() == accessRights();
    }

    @Override
    public int hashCode() { return Long.hashCode(base) * 31 + selector; }

    @Override
    public String toString() {
        return String.format("sel=%04x base=%x limit=%x ar=%x", selector, base, limit, accessRights());
    }
}
