package dev.jvirt.mmu;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One bit per 4 KiB RAM page, set by every write through {@link GuestRam}. The translator uses it to
 * invalidate code, migration and snapshots to send only what changed. Writes made by KVM or Xen
 * directly are merged in from their own dirty logs by the backend.
 */
public final class DirtyLog {
    private final AtomicLongArray bits;
    private final long pages;

    DirtyLog(long ramSize) {
        this.pages = (ramSize + GuestRam.PAGE_SIZE - 1) / GuestRam.PAGE_SIZE;
        this.bits = new AtomicLongArray((int) ((pages + 63) / 64));
    }

    public long pages() { return pages; }

    public void mark(long ramOffset) {
        long page = ramOffset >>> 12;
        int word = (int) (page >>> 6);
        long bit = 1L << page;
        // Plain read first: the page is usually dirty already, and a CAS per store would be costly.
        if ((bits.getPlain(word) & bit) == 0) bits.getAndUpdate(word, w -> w | bit);
    }

    public void markRange(long ramOffset, long len) {
        if (len <= 0) return;
        long first = ramOffset >>> 12, last = (ramOffset + len - 1) >>> 12;
        mark(ramOffset);
        // A store of 2 to 8 bytes touches at most one more page: keep the common case loop-free.
        for (long p = first + 1; p <= last; p++) mark(p << 12);
    }

    public boolean isDirty(long page) {
        return (bits.get((int) (page >>> 6)) & (1L << page)) != 0;
    }

    /** Clears the page's bit and returns whether it was set. */
    public boolean testAndClear(long page) {
        long bit = 1L << page;
        return (bits.getAndUpdate((int) (page >>> 6), w -> w & ~bit) & bit) != 0;
    }

    /** Returns the dirty bitmap (bit i of word w = page 64w+i) and clears it atomically word by word. */
    public long[] fetchAndClear() {
        long[] out = new long[bits.length()];
        for (int i = 0; i < out.length; i++) out[i] = bits.getAndSet(i, 0);
        return out;
    }

    /** Merges a bitmap of the same layout, such as KVM_GET_DIRTY_LOG's, into this log. */
    public void merge(long[] bitmap, long firstPage) {
        for (int i = 0; i < bitmap.length; i++) {
            long w = bitmap[i];
            while (w != 0) {
                int b = Long.numberOfTrailingZeros(w);
                w &= w - 1;
                long page = firstPage + 64L * i + b;
                if (page < pages) mark(page << 12);
            }
        }
    }
}
