package dev.jvirt.mmu;

import java.lang.foreign.MemorySegment;

/**
 * One entry of the physical address map, after QEMU's MemoryRegion: RAM (a window onto guest RAM,
 * so a second RAM region over the same offsets is an alias), ROM (writes ignored) or MMIO (a
 * device). Where regions overlap, the higher priority wins, and among equals the later one.
 */
public final class MemoryRegion {
    public enum Kind { RAM, ROM, MMIO }

    final String name;
    final Kind kind;
    final long base;
    final long size;
    final int priority;
    final long ramOffset;
    final MemorySegment rom;
    final IoHandler mmio;
    final long order;

    MemoryRegion(String name, Kind kind, long base, long size, int priority, long ramOffset,
                 MemorySegment rom, IoHandler mmio, long order) {
        this.name = name;
        this.kind = kind;
        this.base = base;
        this.size = size;
        this.priority = priority;
        this.ramOffset = ramOffset;
        this.rom = rom;
        this.mmio = mmio;
        this.order = order;
    }

    public String name() { return name; }

    public Kind kind() { return kind; }

    public long base() { return base; }

    public long size() { return size; }

    public long end() { return base + size; }

    public int priority() { return priority; }

    /** For RAM regions: the RAM offset that {@link #base()} maps to. */
    public long ramOffset() { return ramOffset; }

    boolean beats(MemoryRegion other) {
        return other == null || priority > other.priority || (priority == other.priority && order > other.order);
    }

    @Override
    public String toString() {
        return String.format("%s %s [%#x-%#x) prio %d", kind, name, base, base + size, priority);
    }
}
