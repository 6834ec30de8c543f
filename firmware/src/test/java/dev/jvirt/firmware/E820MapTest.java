package dev.jvirt.firmware;

import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E820MapTest {
    private static final long MIB = 1 << 20, GIB = 1L << 30;

    @Test
    void pcMapFor128MiBMatchesSeaBios() {
        E820Map m = E820Map.forLayout(PcMemoryLayout.forRamSize(128 * MIB));
        assertEquals(List.of(
                new E820Map.Entry(0, 0x9FC00, E820Map.TYPE_RAM),
                new E820Map.Entry(0x9FC00, 0x400, E820Map.TYPE_RESERVED),
                new E820Map.Entry(0xF0000, 0x10000, E820Map.TYPE_RESERVED),
                new E820Map.Entry(0x100000, 0x7FE0000 - 0x100000, E820Map.TYPE_RAM),
                new E820Map.Entry(0x7FE0000, 0x20000, E820Map.TYPE_RESERVED),
                new E820Map.Entry(0xFFFC0000L, 0x40000, E820Map.TYPE_RESERVED)), m.entries());
        assertEquals(639, m.conventionalKiB());
        assertEquals(129920, m.extendedKiB());
    }

    @Test
    void ramAboveTheHoleIsListedButNotCountedInExtendedMemory() {
        E820Map m = E820Map.forLayout(PcMemoryLayout.forRamSize(4 * GIB));
        E820Map.Entry last = m.entries().getLast();
        assertEquals(new E820Map.Entry(4 * GIB, GIB, E820Map.TYPE_RAM), last);
        assertEquals((3 * GIB - MIB - 128 * 1024) / 1024, m.extendedKiB());
    }

    @Test
    void entriesAreSortedAndDisjoint() {
        for (long size : new long[] {2 * MIB, 64 * MIB, 3584 * MIB, 8 * GIB}) {
            List<E820Map.Entry> e = E820Map.forLayout(PcMemoryLayout.forRamSize(size)).entries();
            for (int i = 1; i < e.size(); i++) assertTrue(e.get(i - 1).end() <= e.get(i).base(), size + ": " + e);
        }
    }
}
