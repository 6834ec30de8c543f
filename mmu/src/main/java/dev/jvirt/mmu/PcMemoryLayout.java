package dev.jvirt.mmu;

/**
 * The PC's split of RAM around the 32-bit PCI hole, as QEMU's i440FX machine does it: RAM from 0
 * up to the hole, the hole up to 4 GiB, and the rest of RAM from 4 GiB.
 */
public record PcMemoryLayout(long belowHole, long aboveHole) {
    public static final long FOUR_GIB = 1L << 32;
    /** Where the PCI hole starts when all of RAM does not fit below 0xE0000000. */
    public static final long HOLE_START_LARGE = 0xC000_0000L;
    public static final long MAX_BELOW = 0xE000_0000L;

    public static PcMemoryLayout forRamSize(long ramSize) {
        long below = ramSize < MAX_BELOW ? ramSize : HOLE_START_LARGE;
        return new PcMemoryLayout(below, ramSize - below);
    }

    /** Maps the RAM of {@code space} by this layout, at priority 0 so devices and ROMs can overlay it. */
    public void map(AddressSpace space) {
        space.addRam("ram-below-4g", 0, belowHole, 0, 0);
        if (aboveHole > 0) space.addRam("ram-above-4g", FOUR_GIB, aboveHole, belowHole, 0);
    }
}
