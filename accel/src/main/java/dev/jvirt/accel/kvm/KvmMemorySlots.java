package dev.jvirt.accel.kvm;

import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static dev.jvirt.accel.kvm.KvmLayouts.KVM_USERSPACE_MEMORY_REGION;
import static dev.jvirt.accel.kvm.KvmLayouts.field;

/**
 * Keeps KVM's memory slots equal to the RAM and ROM ranges of the address map. RAM slots point at
 * the one shared guest RAM mapping; ROM ranges become KVM_MEM_READONLY slots over the ROM's own
 * bytes, so guest writes to them exit as MMIO and are dropped by the address map. Partial pages
 * (a device overlaying part of a page) stay out of the slots and are reached through MMIO exits.
 */
final class KvmMemorySlots {
    private static final System.Logger LOG = System.getLogger(KvmMemorySlots.class.getName());
    private static final VarHandle SLOT = field(KVM_USERSPACE_MEMORY_REGION, "slot");
    private static final VarHandle FLAGS = field(KVM_USERSPACE_MEMORY_REGION, "flags");
    private static final VarHandle GPA = field(KVM_USERSPACE_MEMORY_REGION, "guest_phys_addr");
    private static final VarHandle SIZE = field(KVM_USERSPACE_MEMORY_REGION, "memory_size");
    private static final VarHandle UADDR = field(KVM_USERSPACE_MEMORY_REGION, "userspace_addr");
    private static final long PAGE = GuestRam.PAGE_SIZE;

    /** One installed slot; {@code keepAlive} holds a ROM's backing segment while KVM maps it. */
    record Slot(int id, long base, long size, long host, int flags, Object keepAlive) {
        boolean sameMapping(Slot o) { return base == o.base && size == o.size && host == o.host && flags == o.flags; }
    }

    private final KvmFd vm;
    private final AddressSpace memory;
    private final boolean readonlyMem;
    private final int maxSlots;
    private final List<Slot> installed = new ArrayList<>();
    private final BitSet used = new BitSet();
    private boolean closed;

    KvmMemorySlots(KvmFd vm, AddressSpace memory, boolean readonlyMem, int maxSlots) {
        this.vm = vm;
        this.memory = memory;
        this.readonlyMem = readonlyMem;
        this.maxSlots = maxSlots;
    }

    synchronized List<Slot> installed() { return List.copyOf(installed); }

    /** Follows the address map; called at creation and from the map's change listener. */
    synchronized void sync() {
        if (closed) return;
        List<Slot> wanted = new ArrayList<>();
        long ramHost = memory.ram().hostAddress();
        for (long[] r : memory.ramRanges()) addTrimmed(wanted, r[0], r[1], ramHost + r[2], 0, null);
        if (readonlyMem) {
            for (AddressSpace.RomRange r : memory.romRanges()) {
                addTrimmed(wanted, r.base(), r.size(), r.data().address(), KvmApi.MEM_READONLY, r.data());
            }
        }
        // Remove before adding: KVM refuses overlapping slots.
        for (int i = installed.size() - 1; i >= 0; i--) {
            Slot s = installed.get(i);
            if (wanted.stream().noneMatch(s::sameMapping)) {
                set(s.id, 0, s.base, 0, 0);
                used.clear(s.id);
                installed.remove(i);
            }
        }
        for (Slot w : wanted) {
            if (installed.stream().anyMatch(w::sameMapping)) continue;
            int id = used.nextClearBit(0);
            if (id >= maxSlots) throw new dev.jvirt.accel.AcceleratorException("KVM: more than " + maxSlots + " memory slots needed");
            set(id, w.flags, w.base, w.size, w.host);
            used.set(id);
            installed.add(new Slot(id, w.base, w.size, w.host, w.flags, w.keepAlive));
        }
    }

    private static void addTrimmed(List<Slot> out, long base, long size, long host, int flags, Object keepAlive) {
        long start = (base + PAGE - 1) & -PAGE;
        long end = (base + size) & -PAGE;
        if (end <= start) return;
        long h = host + (start - base);
        if ((h & (PAGE - 1)) != 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("range %#x+%#x not page-aligned on the host: MMIO", base, size));
            return;
        }
        out.add(new Slot(-1, start, end - start, h, flags, keepAlive));
    }

    private void set(int id, int flags, long base, long size, long host) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(KVM_USERSPACE_MEMORY_REGION);
            SLOT.set(r, 0L, id);
            FLAGS.set(r, 0L, flags);
            GPA.set(r, 0L, base);
            SIZE.set(r, 0L, size);
            UADDR.set(r, 0L, host);
            vm.ioctlOrThrow(String.format("KVM_SET_USER_MEMORY_REGION (slot %d at %#x, %d KiB)", id, base, size >> 10),
                    KvmApi.SET_USER_MEMORY_REGION, r);
        }
    }

    synchronized void close() { closed = true; }
}
