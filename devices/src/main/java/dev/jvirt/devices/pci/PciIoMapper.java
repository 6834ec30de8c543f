package dev.jvirt.devices.pci;

import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.MemoryRegion;
import dev.jvirt.mmu.PortSpace;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Maps PCI regions into the machine's port space and physical address map. A guest may program a
 * BAR over ports another device owns; such a region stays undecoded (a debug line), as nothing a
 * guest writes may break the board's wiring. Memory BARs go in at {@code mmioPriority}, below RAM
 * (priority 0) by default, so a BAR placed over RAM does not shadow it, as on QEMU's i440FX.
 */
public final class PciIoMapper implements PciMapper {
    private static final System.Logger LOG = System.getLogger(PciIoMapper.class.getName());

    private final PortSpace ports;
    private final AddressSpace memory;
    private final int mmioPriority;
    private final Map<PciRegion, Object> mapped = new IdentityHashMap<>();

    public PciIoMapper(PortSpace ports, AddressSpace memory, int mmioPriority) {
        this.ports = ports;
        this.memory = memory;
        this.mmioPriority = mmioPriority;
    }

    public PciIoMapper(PortSpace ports, AddressSpace memory) {
        this(ports, memory, -1);
    }

    @Override
    public void map(PciRegion region, long address) {
        try {
            if (region.io()) {
                ports.register((int) address, (int) region.size(), region.handler());
                mapped.put(region, address);
            } else {
                mapped.put(region, memory.addMmio(region.name(), address, region.size(), region.handler(), mmioPriority));
            }
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, "PCI region {0} not decoded at {1}: {2}", region.name(),
                    Long.toHexString(address), e.getMessage());
        }
    }

    @Override
    public void unmap(PciRegion region, long address) {
        Object h = mapped.remove(region);
        if (h instanceof MemoryRegion mr) memory.remove(mr);
        else if (h instanceof Long base) ports.unregister((int) (long) base, (int) region.size());
    }
}
