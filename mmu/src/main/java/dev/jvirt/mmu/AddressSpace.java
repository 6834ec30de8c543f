package dev.jvirt.mmu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The guest-physical address map. Regions are flattened into sorted, non-overlapping ranges after
 * every change (rare), so an access is a binary search, and the CPU's TLB caches RAM pages on top of
 * that. Unassigned space reads all-ones and ignores writes, as on a PC. No guest address throws.
 */
public final class AddressSpace {
    /** Guest-physical addresses are at most 52 bits (Intel SDM Vol. 3A, 4.1.4); higher ones are unassigned. */
    public static final long MAX_PHYS = 1L << 52;

    private final GuestRam ram;
    private final List<MemoryRegion> regions = new ArrayList<>();
    private long order;
    private volatile FlatView view = new FlatView(new long[] {0}, new long[] {MAX_PHYS}, new MemoryRegion[1]);
    private final List<Runnable> listeners = new ArrayList<>();

    public AddressSpace(GuestRam ram) {
        this.ram = ram;
    }

    public GuestRam ram() { return ram; }

    public synchronized MemoryRegion addRam(String name, long base, long size, long ramOffset, int priority) {
        if (ramOffset < 0 || size <= 0 || ramOffset + size > ram.size()) {
            throw new IllegalArgumentException("RAM region " + name + " exceeds guest RAM");
        }
        return add(new MemoryRegion(name, MemoryRegion.Kind.RAM, base, size, priority, ramOffset, null, null, order++));
    }

    /** Maps a private copy of {@code image}, padded up to {@code size}, read-only. */
    public synchronized MemoryRegion addRom(String name, long base, long size, byte[] image, int priority) {
        if (image.length > size) throw new IllegalArgumentException("ROM image " + name + " larger than its region");
        MemorySegment seg = Arena.ofAuto().allocate(size, GuestRam.PAGE_SIZE);
        MemorySegment.copy(image, 0, seg, ValueLayout.JAVA_BYTE, 0, image.length);
        return add(new MemoryRegion(name, MemoryRegion.Kind.ROM, base, size, priority, 0, seg, null, order++));
    }

    public synchronized MemoryRegion addMmio(String name, long base, long size, IoHandler handler, int priority) {
        return add(new MemoryRegion(name, MemoryRegion.Kind.MMIO, base, size, priority, 0, null, handler, order++));
    }

    public synchronized void remove(MemoryRegion region) {
        if (regions.remove(region)) rebuild();
    }

    public synchronized List<MemoryRegion> regions() { return List.copyOf(regions); }

    /** Runs after every map change: TLBs and KVM memory slots follow the map. */
    public synchronized void addListener(Runnable listener) { listeners.add(listener); }

    private MemoryRegion add(MemoryRegion r) {
        if (r.base < 0 || r.size <= 0 || r.base + r.size > MAX_PHYS || r.base + r.size < r.base) {
            throw new IllegalArgumentException("region " + r + " is outside the physical address space");
        }
        regions.add(r);
        rebuild();
        return r;
    }

    private void rebuild() {
        TreeSet<Long> cuts = new TreeSet<>();
        cuts.add(0L);
        cuts.add(MAX_PHYS);
        for (MemoryRegion r : regions) {
            cuts.add(r.base);
            cuts.add(r.end());
        }
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        List<MemoryRegion> owners = new ArrayList<>();
        Long prev = null;
        for (Long cut : cuts) {
            if (prev != null) {
                MemoryRegion best = null;
                for (MemoryRegion r : regions) {
                    if (r.base <= prev && r.end() >= cut && r.beats(best)) best = r;
                }
                int n = owners.size();
                if (n > 0 && owners.get(n - 1) == best) {
                    ends.set(n - 1, cut);
                } else {
                    starts.add(prev);
                    ends.add(cut);
                    owners.add(best);
                }
            }
            prev = cut;
        }
        view = new FlatView(starts.stream().mapToLong(Long::longValue).toArray(),
                ends.stream().mapToLong(Long::longValue).toArray(), owners.toArray(new MemoryRegion[0]));
        for (Runnable l : listeners) l.run();
    }

    /** The region that answers at {@code addr}, or null for unassigned space. */
    public MemoryRegion regionAt(long addr) {
        FlatView v = view;
        int i = v.find(addr);
        return i < 0 ? null : v.owners[i];
    }

    /**
     * The RAM offset backing the whole 4 KiB page containing {@code addr}, or -1 when any of that page
     * is not plain RAM. TLB fills use this: only pages that are RAM throughout take the fast path.
     */
    public long ramPageOffset(long addr) {
        long page = addr & ~(GuestRam.PAGE_SIZE - 1L);
        FlatView v = view;
        int i = v.find(page);
        if (i < 0) return -1;
        MemoryRegion r = v.owners[i];
        if (r == null || r.kind != MemoryRegion.Kind.RAM || v.ends[i] < page + GuestRam.PAGE_SIZE || v.starts[i] > page) return -1;
        return r.ramOffset + (page - r.base);
    }

    /** A list of (guest-physical base, size, RAM offset) for every RAM range, for KVM/Xen slots. */
    public List<long[]> ramRanges() {
        FlatView v = view;
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < v.owners.length; i++) {
            MemoryRegion r = v.owners[i];
            if (r != null && r.kind == MemoryRegion.Kind.RAM) {
                out.add(new long[] {v.starts[i], v.ends[i] - v.starts[i], r.ramOffset + (v.starts[i] - r.base)});
            }
        }
        return out;
    }

    /** A list of (guest-physical base, size) for every ROM range with its backing segment. */
    public List<RomRange> romRanges() {
        FlatView v = view;
        List<RomRange> out = new ArrayList<>();
        for (int i = 0; i < v.owners.length; i++) {
            MemoryRegion r = v.owners[i];
            if (r != null && r.kind == MemoryRegion.Kind.ROM) {
                out.add(new RomRange(v.starts[i], v.ends[i] - v.starts[i], r.rom.asSlice(v.starts[i] - r.base, v.ends[i] - v.starts[i])));
            }
        }
        return out;
    }

    public record RomRange(long base, long size, MemorySegment data) { }

    /** Reads 1, 2, 4 or 8 bytes, little-endian, zero-extended. Unassigned bytes read as 0xFF. */
    public long read(long addr, int size) {
        FlatView v = view;
        int i = v.find(addr);
        if (i >= 0 && addr + size <= v.ends[i]) {
            MemoryRegion r = v.owners[i];
            if (r == null) return IoHandler.ones(size);
            long off = addr - r.base;
            return switch (r.kind) {
                case RAM -> ram.get(r.ramOffset + off, size);
                case ROM -> romGet(r.rom, off, size);
                case MMIO -> IoHandler.mask(r.mmio.read(off, size), size);
            };
        }
        long value = 0;
        for (int b = 0; b < size; b++) value |= (long) readByte(addr + b) << (8 * b);
        return value;
    }

    private static long romGet(MemorySegment rom, long off, int size) {
        long v = 0;
        for (int b = 0; b < size; b++) v |= (rom.get(ValueLayout.JAVA_BYTE, off + b) & 0xFFL) << (8 * b);
        return v;
    }

    /** Writes 1, 2, 4 or 8 bytes. Writes to ROM and unassigned space are dropped. */
    public void write(long addr, int size, long value) {
        FlatView v = view;
        int i = v.find(addr);
        if (i >= 0 && addr + size <= v.ends[i]) {
            MemoryRegion r = v.owners[i];
            if (r == null) return;
            long off = addr - r.base;
            switch (r.kind) {
                case RAM -> ram.put(r.ramOffset + off, size, value);
                case ROM -> { }
                case MMIO -> r.mmio.write(off, size, IoHandler.mask(value, size));
            }
            return;
        }
        for (int b = 0; b < size; b++) writeByte(addr + b, (int) (value >>> (8 * b)));
    }

    public int readByte(long addr) {
        return (int) read1(addr);
    }

    private long read1(long addr) {
        FlatView v = view;
        int i = v.find(addr);
        if (i < 0) return 0xFF;
        MemoryRegion r = v.owners[i];
        if (r == null) return 0xFF;
        long off = addr - r.base;
        return switch (r.kind) {
            case RAM -> ram.getByte(r.ramOffset + off);
            case ROM -> r.rom.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
            case MMIO -> r.mmio.read(off, 1) & 0xFF;
        };
    }

    public void writeByte(long addr, int value) {
        FlatView v = view;
        int i = v.find(addr);
        if (i < 0) return;
        MemoryRegion r = v.owners[i];
        if (r == null) return;
        long off = addr - r.base;
        switch (r.kind) {
            case RAM -> ram.putByte(r.ramOffset + off, value);
            case ROM -> { }
            case MMIO -> r.mmio.write(off, 1, value & 0xFF);
        }
    }

    /** Copies guest-physical bytes out, byte by byte where not RAM (DMA, loaders, tests). */
    public void readBytes(long addr, byte[] dst, int from, int len) {
        for (int k = 0; k < len; k++) dst[from + k] = (byte) readByte(addr + k);
    }

    public void writeBytes(long addr, byte[] src, int from, int len) {
        for (int k = 0; k < len; k++) writeByte(addr + k, src[from + k]);
    }

    private static final class FlatView {
        final long[] starts;
        final long[] ends;
        final MemoryRegion[] owners;

        FlatView(long[] starts, long[] ends, MemoryRegion[] owners) {
            this.starts = starts;
            this.ends = ends;
            this.owners = owners;
        }

        int find(long addr) {
            if (addr < 0 || addr >= MAX_PHYS) return -1;
            int lo = 0, hi = starts.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (starts[mid] <= addr) lo = mid; else hi = mid - 1;
            }
            return lo;
        }
    }
}
