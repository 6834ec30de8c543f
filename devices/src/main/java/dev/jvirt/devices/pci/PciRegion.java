package dev.jvirt.devices.pci;

import dev.jvirt.mmu.IoHandler;

/**
 * One address range a PCI function decodes: a BAR, or a fixed-function block whose base sits in a
 * device-specific register (the PIIX4 PM I/O block). {@link #address()} is where it is decoded now,
 * or {@link #UNMAPPED}.
 */
public final class PciRegion {
    public static final long UNMAPPED = -1;

    private final String name;
    private final boolean io;
    private final long size;
    private final IoHandler handler;
    long address = UNMAPPED;

    public PciRegion(String name, boolean io, long size, IoHandler handler) {
        this.name = name;
        this.io = io;
        this.size = size;
        this.handler = handler;
    }

    public String name() { return name; }

    /** True for I/O port space, false for memory space. */
    public boolean io() { return io; }

    public long size() { return size; }

    public IoHandler handler() { return handler; }

    public long address() { return address; }

    @Override
    public String toString() {
        return String.format("%s %s size %#x at %s", name, io ? "io" : "mem", size,
                address == UNMAPPED ? "-" : Long.toHexString(address));
    }
}
