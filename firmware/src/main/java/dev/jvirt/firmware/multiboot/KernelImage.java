package dev.jvirt.firmware.multiboot;

import java.util.List;

/** Where a Multiboot kernel goes: its segments and its entry point (guest-physical). */
public record KernelImage(List<LoadSegment> segments, long entry) {
    public KernelImage {
        segments = List.copyOf(segments);
    }

    public long start() {
        return segments.stream().mapToLong(LoadSegment::address).min().orElse(0);
    }

    public long end() {
        return segments.stream().mapToLong(LoadSegment::end).max().orElse(0);
    }
}
