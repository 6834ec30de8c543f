package dev.jvirt.devices.pci;

/**
 * Where the PCI bus places decoded regions: called when a BAR, a base register or the COMMAND decode
 * enables change. {@link PciIoMapper} does it for a {@code PortSpace} and an {@code AddressSpace}.
 */
public interface PciMapper {
    void map(PciRegion region, long address);

    void unmap(PciRegion region, long address);

    PciMapper NONE = new PciMapper() {
        @Override public void map(PciRegion region, long address) { }
        @Override public void unmap(PciRegion region, long address) { }
    };
}
