package dev.jvirt.mmu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressSpaceTest {
    private GuestRam ram;
    private AddressSpace space;

    @BeforeEach
    void setUp() {
        ram = GuestRam.allocate(1 << 20);
        space = new AddressSpace(ram);
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    /** An MMIO device that logs accesses and reads back 0xA0 + offset per byte. */
    static final class Mmio implements IoHandler {
        final List<String> log = new ArrayList<>();

        @Override public long read(long offset, int size) {
            log.add("r" + offset + "/" + size);
            long v = 0;
            for (int b = 0; b < size; b++) v |= ((0xA0 + offset + b) & 0xFF) << (8 * b);
            return v;
        }

        @Override public void write(long offset, int size, long value) {
            log.add("w" + offset + "/" + size + "=" + Long.toHexString(value));
        }
    }

    @Test
    void ramIsLittleEndianAndSharedWithTheSegment() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        space.write(0x1000, 4, 0x11223344L);
        assertEquals(0x44, ram.getByte(0x1000));
        assertEquals(0x3344, space.read(0x1000, 2));
        assertEquals(0x11223344L, space.read(0x1000, 4));
        space.write(0x2000, 8, 0x8877665544332211L);
        assertEquals(0x8877665544332211L, space.read(0x2000, 8));
    }

    @Test
    void unassignedSpaceReadsAllOnesAndDropsWrites() {
        space.addRam("ram", 0, 0x10000, 0, 0);
        assertEquals(0xFF, space.read(0x20000, 1));
        assertEquals(0xFFFF_FFFFL, space.read(0x20000, 4));
        assertEquals(-1L, space.read(0x20000, 8));
        space.write(0x20000, 4, 0); // dropped
        assertEquals(-1L, space.read(-8, 8));             // beyond 2^63: unassigned, no exception
        assertEquals(-1L, space.read(AddressSpace.MAX_PHYS, 8));
        assertNull(space.regionAt(0x20000));
    }

    @Test
    void higherPriorityRegionWinsWhereTheyOverlap() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        Mmio dev = new Mmio();
        space.addMmio("dev", 0xA0000, 0x1000, dev, 1);
        ram.putByte(0xA0010, 0x55);
        assertEquals(0xB0, space.read(0xA0010, 1));
        assertEquals("r16/1", dev.log.get(0));
        // Outside the device's window the RAM below shows through again.
        ram.putByte(0xA1000, 0x66);
        assertEquals(0x66, space.read(0xA1000, 1));
    }

    @Test
    void lowerPriorityRegionAddedLaterStaysHidden() {
        Mmio dev = new Mmio();
        space.addMmio("dev", 0x1000, 0x1000, dev, 5);
        space.addRam("ram", 0, 1 << 20, 0, 0);
        assertEquals(0xA0, space.read(0x1000, 1));
        assertEquals(MemoryRegion.Kind.RAM, space.regionAt(0x2000).kind());
    }

    @Test
    void equalPriorityLaterRegionWins() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        Mmio dev = new Mmio();
        space.addMmio("dev", 0x3000, 0x100, dev, 0);
        assertEquals(MemoryRegion.Kind.MMIO, space.regionAt(0x3000).kind());
    }

    @Test
    void removingARegionUncoversWhatWasBelow() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        MemoryRegion dev = space.addMmio("dev", 0x3000, 0x100, new Mmio(), 1);
        space.remove(dev);
        assertEquals(MemoryRegion.Kind.RAM, space.regionAt(0x3000).kind());
    }

    @Test
    void accessCrossingFromRamIntoMmioIsSplitPerByte() {
        space.addRam("ram", 0, 0x5000, 0, 0);
        Mmio dev = new Mmio();
        space.addMmio("dev", 0x5000, 0x1000, dev, 0);
        ram.putShort(0x4FFE, 0x2211);
        assertEquals(0xA1A0_2211L, space.read(0x4FFE, 4));
        assertEquals(List.of("r0/1", "r1/1"), dev.log);
        space.write(0x4FFF, 2, 0x7733);
        assertEquals(0x33, ram.getByte(0x4FFF));
        assertEquals("w0/1=77", dev.log.get(2));
    }

    @Test
    void accessCrossingAPageInsideRamIsOneAccess() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        space.write(0xFFE, 4, 0xCAFEBABEL);
        assertEquals(0xCAFEBABEL, space.read(0xFFE, 4));
        assertEquals(0xBE, ram.getByte(0xFFE));
        assertEquals(0xCA, ram.getByte(0x1001));
    }

    @Test
    void accessRunningOffTheEndOfRamReadsOnesForTheMissingBytes() {
        space.addRam("ram", 0, 0x1000, 0, 0);
        ram.putByte(0xFFF, 0x12);
        assertEquals(0xFFFF_FF12L, space.read(0xFFF, 4));
    }

    @Test
    void romIgnoresWrites() {
        space.addRom("bios", 0xF0000, 0x10000, new byte[] {(byte) 0xEA, 0x5B, (byte) 0xE0}, 0);
        space.write(0xF0000, 1, 0);
        assertEquals(0xEA, space.read(0xF0000, 1));
        assertEquals(0xE05BEAL, space.read(0xF0000, 4));
    }

    @Test
    void ramAliasMapsTheSameBytesTwice() {
        space.addRam("ram", 0, 0x10000, 0, 0);
        space.addRam("alias", 0x80000, 0x1000, 0x2000, 0);
        space.write(0x80004, 4, 0xDEADBEEFL);
        assertEquals(0xDEADBEEFL, space.read(0x2004, 4));
        assertEquals(0x2000, space.ramPageOffset(0x80fff));
    }

    @Test
    void ramPageOffsetOnlyForPagesThatAreRamThroughout() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        space.addMmio("dev", 0x3800, 0x10, new Mmio(), 1);
        assertEquals(0x2000, space.ramPageOffset(0x2abc));
        assertEquals(-1, space.ramPageOffset(0x3000));
        assertEquals(-1, space.ramPageOffset(0x200000));
    }

    @Test
    void writesToRamMarkTheDirtyLog() {
        space.addRam("ram", 0, 1 << 20, 0, 0);
        DirtyLog log = ram.dirtyLog();
        log.fetchAndClear();
        space.write(0x5FFF, 2, 0xFFFF);
        assertTrue(log.isDirty(5));
        assertTrue(log.isDirty(6));
        assertTrue(log.testAndClear(5));
        assertEquals(false, log.isDirty(5));
    }

    @Test
    void pcLayoutSplitsRamAroundThePciHole() {
        PcMemoryLayout small = PcMemoryLayout.forRamSize(512L << 20);
        assertEquals(512L << 20, small.belowHole());
        assertEquals(0, small.aboveHole());
        PcMemoryLayout big = PcMemoryLayout.forRamSize(4L << 30);
        assertEquals(0xC000_0000L, big.belowHole());
        assertEquals(1L << 30, big.aboveHole());
    }

    @Test
    void regionsOutsideThePhysicalSpaceAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> space.addMmio("x", AddressSpace.MAX_PHYS - 1, 2, new Mmio(), 0));
        assertThrows(IllegalArgumentException.class, () -> space.addRam("x", 0, 2 << 20, 0, 0));
    }

    @Test
    void guestRamRefusesImpossibleSizes() {
        assertThrows(GuestRamException.class, () -> GuestRam.allocate(0));
        assertThrows(GuestRamException.class, () -> GuestRam.allocate(4095));
        GuestRamException e = assertThrows(GuestRamException.class, () -> GuestRam.allocate(1L << 50));
        assertTrue(e.getMessage().contains("cannot map"), e.getMessage());
    }
}
