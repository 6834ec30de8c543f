package dev.jvirt.firmware.acpi;

import dev.jvirt.mmu.AddressSpace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the ACPI tables of a machine and writes them into guest memory. Tables refer to each
 * other by address, so they are built in dependency order at addresses assigned as they go:
 * FACS (64-byte aligned), DSDT, FADT, MADT, HPET, then RSDT and XSDT listing FADT, MADT, HPET,
 * and last the RSDP.
 */
public final class AcpiTables {
    private static final int TABLE_ALIGNMENT = 16;

    /**
     * The tables as placed.
     *
     * @param tables signature to guest-physical address and bytes, in placement order ("RSD PTR" last)
     * @param tablesEnd first byte past the last table in the tables range
     */
    public record Image(long rsdpAddress, long tablesBase, long tablesEnd, Map<String, Placed> tables) {
        public Placed table(String signature) { return tables.get(signature); }
    }

    public record Placed(long address, byte[] bytes) { }

    private AcpiTables() { }

    /** Lays the tables out for {@code placement}, without writing anything. */
    public static Image build(AcpiConfig config, AcpiPlacement placement) {
        Map<String, Placed> out = new LinkedHashMap<>();
        long[] next = {placement.tablesBase()};
        long facs = put(out, next, "FACS", Facs.build(), Facs.ALIGNMENT);
        long dsdt = put(out, next, "DSDT", Dsdt.build(config), TABLE_ALIGNMENT);
        List<Long> listed = new ArrayList<>();
        listed.add(put(out, next, "FACP", Fadt.build(config, facs, dsdt), TABLE_ALIGNMENT));
        listed.add(put(out, next, "APIC", Madt.build(config), TABLE_ALIGNMENT));
        if (config.hpet()) listed.add(put(out, next, "HPET", HpetTable.build(config), TABLE_ALIGNMENT));
        long rsdt = put(out, next, "RSDT", RootTables.rsdt(listed), TABLE_ALIGNMENT);
        long xsdt = put(out, next, "XSDT", RootTables.xsdt(listed), TABLE_ALIGNMENT);
        if (next[0] > placement.tablesLimit()) {
            throw new IllegalStateException("ACPI tables need " + (next[0] - placement.tablesBase())
                    + " bytes, the range holds " + (placement.tablesLimit() - placement.tablesBase()));
        }
        out.put("RSD PTR", new Placed(placement.rsdpAddress(), Rsdp.build(rsdt, xsdt)));
        return new Image(placement.rsdpAddress(), placement.tablesBase(), next[0], out);
    }

    /**
     * Builds the tables and writes them through {@code memory}, then reads them back: a ROM or a
     * hole at the chosen addresses would silently drop the writes.
     *
     * @throws IllegalStateException when the tables do not fit or the memory does not hold them
     */
    public static Image install(AddressSpace memory, AcpiConfig config, AcpiPlacement placement) {
        Image image = build(config, placement);
        for (var e : image.tables().entrySet()) {
            byte[] t = e.getValue().bytes();
            long addr = e.getValue().address();
            memory.writeBytes(addr, t, 0, t.length);
            byte[] back = new byte[t.length];
            memory.readBytes(addr, back, 0, back.length);
            if (!Arrays.equals(t, back)) {
                throw new IllegalStateException(String.format("ACPI %s at 0x%X: guest memory there is not writable RAM",
                        e.getKey(), addr));
            }
        }
        return image;
    }

    private static long put(Map<String, Placed> out, long[] next, String sig, byte[] table, int alignment) {
        long addr = (next[0] + alignment - 1) & -(long) alignment;
        out.put(sig, new Placed(addr, table));
        next[0] = addr + table.length;
        return addr;
    }
}
