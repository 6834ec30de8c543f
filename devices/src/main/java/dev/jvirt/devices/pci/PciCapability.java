package dev.jvirt.devices.pci;

/** An entry of a function's capability list: ID at offset, next pointer at offset + 1. */
public abstract class PciCapability {
    final int id;
    final int offset;
    final int length;

    protected PciCapability(int id, int offset, int length) {
        this.id = id;
        this.offset = offset;
        this.length = length;
    }

    public final int offset() { return offset; }

    /** Called after a configuration write that touched this capability's bytes. */
    protected void written(int offset, int size) { }
}
