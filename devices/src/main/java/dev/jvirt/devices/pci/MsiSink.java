package dev.jvirt.devices.pci;

/** Where MSI messages go: the board's APIC bus (a DWORD memory write of {@code data} to {@code address}). */
@FunctionalInterface
public interface MsiSink {
    void deliver(long address, int data);

    MsiSink NONE = (address, data) -> { };
}
