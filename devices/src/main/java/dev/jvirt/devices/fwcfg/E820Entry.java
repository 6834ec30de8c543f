package dev.jvirt.devices.fwcfg;

import dev.jvirt.mmu.PcMemoryLayout;

import java.util.ArrayList;
import java.util.List;

/** One entry of QEMU's {@code etc/e820} fw_cfg file: u64 address, u64 length, u32 type, little-endian. */
public record E820Entry(long address, long length, int type) {
    public static final int RAM = 1, RESERVED = 2, ACPI = 3, NVS = 4;
    public static final int SIZE = 20;

    /** The RAM entries for a PC memory layout, as QEMU's pc machine lists them. */
    public static List<E820Entry> forLayout(PcMemoryLayout layout) {
        List<E820Entry> out = new ArrayList<>();
        if (layout.belowHole() > 0) out.add(new E820Entry(0, layout.belowHole(), RAM));
        if (layout.aboveHole() > 0) out.add(new E820Entry(PcMemoryLayout.FOUR_GIB, layout.aboveHole(), RAM));
        return out;
    }
}
