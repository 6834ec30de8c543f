package dev.jvirt.firmware;

import dev.jvirt.mmu.PcMemoryLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * The BIOS memory map (INT 15h, AX=E820h) a guest sees on QEMU's pc machine with SeaBIOS: low RAM
 * up to the EBDA, the EBDA and the BIOS area reserved, RAM from 1 MiB up to the top of RAM below
 * the PCI hole minus the 128 KiB SeaBIOS keeps for its tables, the BIOS flash alias below 4 GiB,
 * and RAM above 4 GiB. Loaders hand it to the guest (Multiboot mmap, Linux e820 table), so
 * mem_upper and the usable ranges agree with what the same guest reports under QEMU.
 */
public final class E820Map {
    public static final int TYPE_RAM = 1;
    public static final int TYPE_RESERVED = 2;

    /** The Extended BIOS Data Area: the last KiB of conventional memory (INT 12h reports 639 KiB). */
    public static final long EBDA_START = 0x9FC00;
    public static final long CONVENTIONAL_END = 0xA0000;
    public static final long BIOS_AREA_START = 0xF0000;
    public static final long HIGH_MEMORY_START = 0x100000;
    /** SeaBIOS reserves the top of RAM below 4 GiB for its high tables (ACPI, SMBIOS, stacks). */
    public static final long BIOS_HIGH_TABLES = 128 * 1024;
    /** The 256 KiB BIOS ROM alias just below 4 GiB. */
    public static final long BIOS_FLASH_START = 0xFFFC_0000L;

    public record Entry(long base, long length, int type) {
        public long end() { return base + length; }
    }

    private final List<Entry> entries;

    private E820Map(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static E820Map forLayout(PcMemoryLayout layout) {
        List<Entry> e = new ArrayList<>();
        long below = layout.belowHole();
        e.add(new Entry(0, Math.min(below, EBDA_START), TYPE_RAM));
        e.add(new Entry(EBDA_START, CONVENTIONAL_END - EBDA_START, TYPE_RESERVED));
        e.add(new Entry(BIOS_AREA_START, HIGH_MEMORY_START - BIOS_AREA_START, TYPE_RESERVED));
        if (below > HIGH_MEMORY_START + BIOS_HIGH_TABLES) {
            long tables = below - BIOS_HIGH_TABLES;
            e.add(new Entry(HIGH_MEMORY_START, tables - HIGH_MEMORY_START, TYPE_RAM));
            e.add(new Entry(tables, BIOS_HIGH_TABLES, TYPE_RESERVED));
        }
        e.add(new Entry(BIOS_FLASH_START, PcMemoryLayout.FOUR_GIB - BIOS_FLASH_START, TYPE_RESERVED));
        if (layout.aboveHole() > 0) e.add(new Entry(PcMemoryLayout.FOUR_GIB, layout.aboveHole(), TYPE_RAM));
        return new E820Map(e);
    }

    public List<Entry> entries() { return entries; }

    /** KiB of conventional memory, as INT 12h reports it: the RAM that starts at address 0. */
    public long conventionalKiB() {
        for (Entry en : entries) {
            if (en.type == TYPE_RAM && en.base == 0) return Math.min(en.length, CONVENTIONAL_END) / 1024;
        }
        return 0;
    }

    /**
     * KiB of RAM contiguous from 1 MiB, as QEMU's multiboot option ROM derives Multiboot mem_upper
     * from the E820 map: chain RAM ranges below 4 GiB that contain the running end.
     */
    public long extendedKiB() {
        long top = HIGH_MEMORY_START;
        boolean grown = true;
        while (grown) {
            grown = false;
            for (Entry en : entries) {
                if (en.type == TYPE_RAM && en.base < PcMemoryLayout.FOUR_GIB && en.base <= top && top < en.end()) {
                    long next = Math.min(en.end(), PcMemoryLayout.FOUR_GIB);
                    if (next > top) {
                        top = next;
                        grown = true;
                    }
                }
            }
        }
        return (top - HIGH_MEMORY_START) / 1024;
    }
}
