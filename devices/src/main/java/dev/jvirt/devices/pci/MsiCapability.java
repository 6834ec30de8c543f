package dev.jvirt.devices.pci;

/**
 * The MSI capability (PCI Local Bus Specification 3.0, 6.8.1): Message Control, a 32- or 64-bit
 * Message Address, Message Data, and optionally the per-vector Mask and Pending bits. A function
 * signals with {@link #notify(int)}; a masked vector is held pending and sent when unmasked.
 */
public final class MsiCapability extends PciCapability {
    public static final int ID = 0x05;
    static final int CONTROL_ENABLE = 0x0001, CONTROL_64BIT = 0x0080, CONTROL_PER_VECTOR_MASK = 0x0100;

    private final PciDevice dev;
    private final boolean is64;
    private final boolean maskable;
    private final int vectors;
    private MsiSink sink = MsiSink.NONE;

    /**
     * Adds the capability at {@code offset} of {@code dev}'s configuration space.
     *
     * @param vectors the number of vectors the function can use: 1, 2, 4, 8, 16 or 32
     */
    public MsiCapability(PciDevice dev, int offset, int vectors, boolean is64, boolean maskable) {
        super(ID, offset, length(is64, maskable));
        if (Integer.bitCount(vectors) != 1 || vectors > 32) throw new IllegalArgumentException("MSI vectors " + vectors);
        this.dev = dev;
        this.is64 = is64;
        this.maskable = maskable;
        this.vectors = vectors;
        dev.addCapability(this);
        int mmc = Integer.numberOfTrailingZeros(vectors);
        dev.set16(offset + 2, (mmc << 1) | (is64 ? CONTROL_64BIT : 0) | (maskable ? CONTROL_PER_VECTOR_MASK : 0));
        dev.setWriteMask(offset + 2, 2, CONTROL_ENABLE | 0x0070);
        dev.setWriteMask(offset + 4, 4, 0xFFFF_FFFCL);
        if (is64) dev.setWriteMask(offset + 8, 4, 0xFFFF_FFFFL);
        dev.setWriteMask(dataOffset(), 2, 0xFFFF);
        if (maskable) dev.setWriteMask(maskOffset(), 4, vectors == 32 ? 0xFFFF_FFFFL : (1L << vectors) - 1);
    }

    private static int length(boolean is64, boolean maskable) {
        int base = is64 ? 0x0E : 0x0A;
        return maskable ? base + 0x0A : base;
    }

    public void setSink(MsiSink sink) { this.sink = sink == null ? MsiSink.NONE : sink; }

    private int control() { return dev.get16(offset + 2); }

    public boolean enabled() { return (control() & CONTROL_ENABLE) != 0; }

    /** Vectors the system software allocated (Multiple Message Enable), never more than requested. */
    public int allocatedVectors() {
        int mme = (control() >> 4) & 7;
        return Math.min(1 << Math.min(mme, 5), vectors);
    }

    public long address() {
        long a = dev.get32(offset + 4);
        if (is64) a |= dev.get32(offset + 8) << 32;
        return a;
    }

    public int data() { return dev.get16(dataOffset()); }

    private int dataOffset() { return offset + (is64 ? 0x0C : 0x08); }

    private int maskOffset() { return offset + (is64 ? 0x10 : 0x0C); }

    private int pendingOffset() { return maskOffset() + 4; }

    public boolean masked(int vector) {
        return maskable && ((dev.get32(maskOffset()) >>> vector) & 1) != 0;
    }

    public boolean pending(int vector) {
        return maskable && ((dev.get32(pendingOffset()) >>> vector) & 1) != 0;
    }

    /**
     * Signals {@code vector}. Returns false when MSI is disabled, so the caller falls back to INTx.
     * Nothing is sent without Bus Master Enable, as MSI is a memory write by the function.
     */
    public boolean notify(int vector) {
        if (!enabled()) return false;
        int n = allocatedVectors();
        if (vector < 0 || vector >= n) vector = 0;
        if (masked(vector)) {
            dev.set32(pendingOffset(), dev.get32(pendingOffset()) | (1L << vector));
            return true;
        }
        send(vector, n);
        return true;
    }

    private void send(int vector, int n) {
        if ((dev.command() & PciDevice.COMMAND_BUS_MASTER) == 0) return;
        int d = (data() & ~(n - 1)) | vector;
        sink.deliver(address(), d);
    }

    @Override
    protected void written(int off, int size) {
        if (!maskable || !enabled()) return;
        long pend = dev.get32(pendingOffset());
        if (pend == 0) return;
        int n = allocatedVectors();
        for (int v = 0; v < 32; v++) {
            if (((pend >>> v) & 1) != 0 && !masked(v)) {
                pend &= ~(1L << v);
                dev.set32(pendingOffset(), pend);
                send(v, n);
            }
        }
    }
}
