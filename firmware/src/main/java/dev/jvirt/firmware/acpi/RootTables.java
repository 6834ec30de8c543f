package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.ByteBuilder;

import java.util.List;

/** RSDT (5.2.7, 32-bit entries) and XSDT (5.2.8, 64-bit entries): the list of the other tables. */
public final class RootTables {
    private RootTables() { }

    public static byte[] rsdt(List<Long> tables) {
        ByteBuilder b = SdtHeader.start("RSDT", 1, "JVIRTRST");
        for (long a : tables) {
            if ((a >>> 32) != 0) throw new IllegalArgumentException("RSDT entries are 32-bit");
            b.u32(a);
        }
        return SdtHeader.finish(b);
    }

    public static byte[] xsdt(List<Long> tables) {
        ByteBuilder b = SdtHeader.start("XSDT", 1, "JVIRTXST");
        for (long a : tables) b.u64(a);
        return SdtHeader.finish(b);
    }
}
