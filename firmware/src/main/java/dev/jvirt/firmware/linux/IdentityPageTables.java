package dev.jvirt.firmware.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * 4-level page tables mapping the first 4 GiB of physical memory to themselves with 2 MiB pages
 * (SDM Vol. 3A 4.5): one PML4, one PDPT with four entries, four page directories. 2 MiB pages
 * rather than 1 GiB ones because every x86-64 CPU has them (1 GiB pages need CPUID PDPE1GB).
 * The 64-bit boot protocol needs the kernel, zero page and command line identity-mapped; all
 * three sit below 4 GiB here.
 */
final class IdentityPageTables {
    static final int PAGE = 4096;
    static final int DIRECTORIES = 4;
    /** PML4, PDPT, then the page directories: 24 KiB. */
    static final int SIZE = (2 + DIRECTORIES) * PAGE;
    static final long PRESENT = 1, WRITABLE = 1 << 1, PAGE_SIZE = 1 << 7;
    static final long LARGE_PAGE = 1L << 21;

    private IdentityPageTables() { }

    /** The tables as they must sit at guest-physical {@code base} (4 KiB aligned); CR3 = base. */
    static byte[] build(long base) {
        if ((base & (PAGE - 1)) != 0) throw new IllegalArgumentException("page tables must be page aligned");
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long pdpt = base + PAGE;
        b.putLong(0, pdpt | PRESENT | WRITABLE);
        for (int d = 0; d < DIRECTORIES; d++) {
            long directory = base + (2L + d) * PAGE;
            b.putLong(PAGE + d * 8, directory | PRESENT | WRITABLE);
            for (int e = 0; e < 512; e++) {
                long frame = ((long) d * 512 + e) * LARGE_PAGE;
                b.putLong((2 + d) * PAGE + e * 8, frame | PRESENT | WRITABLE | PAGE_SIZE);
            }
        }
        return b.array();
    }
}
