package dev.jvirt.devices.pci;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.Snapshottable;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.IoHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * A PCI function's type 0 configuration space (PCI Local Bus Specification 3.0, chapter 6): 256
 * bytes with per-byte write masks and write-1-to-clear masks, the COMMAND decode enables, BARs with
 * the all-ones sizing protocol, INTx with the Interrupt Status bit and Interrupt Disable, and a
 * capability list. Subclasses define their identity, BARs and device-specific registers.
 */
public abstract class PciDevice implements Snapshottable {
    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06,
            REVISION_ID = 0x08, CLASS_CODE = 0x09, CACHE_LINE_SIZE = 0x0C, LATENCY_TIMER = 0x0D,
            HEADER_TYPE = 0x0E, BAR0 = 0x10, SUBSYSTEM_VENDOR_ID = 0x2C, SUBSYSTEM_ID = 0x2E,
            CAPABILITIES_POINTER = 0x34, INTERRUPT_LINE = 0x3C, INTERRUPT_PIN = 0x3D;
    public static final int COMMAND_IO = 0x0001, COMMAND_MEMORY = 0x0002, COMMAND_BUS_MASTER = 0x0004,
            COMMAND_PARITY = 0x0040, COMMAND_SERR = 0x0100, COMMAND_INTX_DISABLE = 0x0400;
    public static final int STATUS_INTERRUPT = 0x0008, STATUS_CAPABILITIES = 0x0010;
    /** Status error bits, write-1-to-clear: parity, signalled/received aborts, SERR, detected parity. */
    static final int STATUS_W1C = 0xF900;
    public static final int HEADER_MULTIFUNCTION = 0x80;
    /** Where capabilities may start: after the 64-byte header. */
    public static final int CAPABILITIES_START = 0x40;

    protected final byte[] config = new byte[256];
    final byte[] writeMask = new byte[256];
    final byte[] w1cMask = new byte[256];
    private byte[] powerOnConfig;
    private final String stateId;
    private final PciRegion[] bars = new PciRegion[6];
    private final boolean[] bar64 = new boolean[6];
    private final List<PciRegion> otherRegions = new ArrayList<>();
    private final List<PciCapability> capabilities = new ArrayList<>();
    private PciBus bus;
    private int devfn = -1;
    private boolean intxAsserted;
    private boolean intxOut;

    /**
     * @param classCode base class, subclass and programming interface as 0xBBSSPP
     * @param headerType header type byte; {@link #HEADER_MULTIFUNCTION} for function 0 of a multi-function device
     */
    protected PciDevice(String stateId, int vendorId, int deviceId, int classCode, int revision, int headerType) {
        this.stateId = stateId;
        set16(VENDOR_ID, vendorId);
        set16(DEVICE_ID, deviceId);
        config[REVISION_ID] = (byte) revision;
        config[CLASS_CODE] = (byte) classCode;
        config[CLASS_CODE + 1] = (byte) (classCode >> 8);
        config[CLASS_CODE + 2] = (byte) (classCode >> 16);
        config[HEADER_TYPE] = (byte) headerType;
        setWriteMask(COMMAND, 2, COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER | COMMAND_PARITY
                | COMMAND_SERR | COMMAND_INTX_DISABLE);
        w1cMask[STATUS + 1] = (byte) (STATUS_W1C >> 8);
        writeMask[CACHE_LINE_SIZE] = (byte) 0xFF;
        writeMask[LATENCY_TIMER] = (byte) 0xFF;
        writeMask[INTERRUPT_LINE] = (byte) 0xFF;
    }

    // ---- configuration space -------------------------------------------------------------------

    /** Reads {@code size} bytes little-endian; bytes past the 256-byte space read as 0xFF. */
    public final long readConfig(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int a = offset + i;
            long b = a >= 0 && a < 256 ? config[a] & 0xFF : 0xFF;
            v |= b << (8 * i);
        }
        return v;
    }

    /** Writes through the masks: read-only bits keep their value, write-1-to-clear bits clear. */
    public final void writeConfig(int offset, int size, long value) {
        if (offset < 0 || offset >= 256) return;
        int n = Math.min(size, 256 - offset);
        for (int i = 0; i < n; i++) {
            int a = offset + i;
            int v = (int) (value >>> (8 * i)) & 0xFF;
            int old = config[a] & 0xFF;
            int w = writeMask[a] & 0xFF, c = w1cMask[a] & 0xFF;
            int nb = ((old & ~w) | (v & w)) & ~(v & c);
            config[a] = (byte) nb;
        }
        configWritten(offset, n);
    }

    /** Reacts to a configuration write; overrides call {@code super}. */
    protected void configWritten(int offset, int size) {
        if (overlaps(offset, size, COMMAND, 2)) updateIntx();
        if (overlaps(offset, size, COMMAND, 2) || overlaps(offset, size, BAR0, 24)) updateMappings();
        for (PciCapability c : capabilities) {
            if (overlaps(offset, size, c.offset, c.length)) c.written(offset, size);
        }
    }

    protected static boolean overlaps(int offset, int size, int start, int length) {
        return offset < start + length && start < offset + size;
    }

    protected final int get8(int off) { return config[off] & 0xFF; }

    protected final int get16(int off) { return (config[off] & 0xFF) | (config[off + 1] & 0xFF) << 8; }

    protected final long get32(int off) { return (get16(off) | (long) get16(off + 2) << 16) & 0xFFFF_FFFFL; }

    protected final void set16(int off, int v) {
        config[off] = (byte) v;
        config[off + 1] = (byte) (v >> 8);
    }

    protected final void set32(int off, long v) {
        set16(off, (int) v);
        set16(off + 2, (int) (v >> 16));
    }

    /** Makes bits of {@code size} bytes at {@code off} writable ({@code mask} little-endian). */
    protected final void setWriteMask(int off, int size, long mask) {
        for (int i = 0; i < size; i++) writeMask[off + i] = (byte) (mask >>> (8 * i));
    }

    protected final void setW1cMask(int off, int size, long mask) {
        for (int i = 0; i < size; i++) w1cMask[off + i] = (byte) (mask >>> (8 * i));
    }

    public final int command() { return get16(COMMAND); }

    public final int vendorId() { return get16(VENDOR_ID); }

    public final int deviceId() { return get16(DEVICE_ID); }

    // ---- BARs and other decoded regions --------------------------------------------------------

    /** An I/O BAR of {@code size} bytes (a power of two, at least 4). */
    protected final PciRegion defineIoBar(int index, int size, IoHandler handler) {
        if (Integer.bitCount(size) != 1 || size < 4 || size > 256) throw new IllegalArgumentException("I/O BAR size " + size);
        PciRegion r = new PciRegion(name() + ".bar" + index, true, size, handler);
        bars[index] = r;
        int off = BAR0 + 4 * index;
        set32(off, 0x1);
        setWriteMask(off, 4, ~(size - 1L) & 0xFFFF_FFFCL);
        return r;
    }

    /** A memory BAR of {@code size} bytes (a power of two, at least 16); a 64-bit BAR also takes index + 1. */
    protected final PciRegion defineMemoryBar(int index, long size, boolean is64, boolean prefetchable, IoHandler handler) {
        if (Long.bitCount(size) != 1 || size < 16 || (!is64 && size > (1L << 31)) || (is64 && index == 5)) {
            throw new IllegalArgumentException("memory BAR " + index + " size " + size);
        }
        PciRegion r = new PciRegion(name() + ".bar" + index, false, size, handler);
        bars[index] = r;
        bar64[index] = is64;
        int off = BAR0 + 4 * index;
        set32(off, (is64 ? 0x4 : 0) | (prefetchable ? 0x8 : 0));
        long mask = ~(size - 1);
        setWriteMask(off, 4, mask & 0xFFFF_FFF0L);
        if (is64) setWriteMask(off + 4, 4, mask >>> 32);
        return r;
    }

    /** A region whose base the subclass computes in {@link #regionAddress}. */
    protected final PciRegion defineRegion(String name, boolean io, long size, IoHandler handler) {
        PciRegion r = new PciRegion(name() + "." + name, io, size, handler);
        otherRegions.add(r);
        return r;
    }

    public final PciRegion bar(int index) { return index >= 0 && index < 6 ? bars[index] : null; }

    /** Where {@code region} should be decoded now, or {@link PciRegion#UNMAPPED}. */
    protected long regionAddress(PciRegion region) {
        for (int i = 0; i < 6; i++) {
            if (bars[i] == region) return barAddress(i);
        }
        return PciRegion.UNMAPPED;
    }

    private long barAddress(int i) {
        PciRegion r = bars[i];
        long lo = get32(BAR0 + 4 * i);
        if (r.io()) {
            if ((command() & COMMAND_IO) == 0) return PciRegion.UNMAPPED;
            long a = lo & ~3L;
            if (a == 0 || a + r.size() > 0x10000) return PciRegion.UNMAPPED;
            return a;
        }
        if ((command() & COMMAND_MEMORY) == 0) return PciRegion.UNMAPPED;
        long a = lo & ~0xFL;
        if (bar64[i]) a |= get32(BAR0 + 4 * i + 4) << 32;
        long limit = bar64[i] ? AddressSpace.MAX_PHYS : 1L << 32;
        // An address whose last byte is the top of the space is the sizing pattern, not a placement.
        if (a == 0 || a < 0 || a + r.size() >= limit) return PciRegion.UNMAPPED;
        return a;
    }

    /** Re-evaluates every region and tells the bus's mapper what moved. */
    protected final void updateMappings() {
        if (bus == null) return;
        for (PciRegion r : bars) {
            if (r != null) remap(r);
        }
        for (PciRegion r : otherRegions) remap(r);
    }

    private void remap(PciRegion r) {
        long want = regionAddress(r);
        if (want == r.address) return;
        PciMapper m = bus.mapper();
        if (r.address != PciRegion.UNMAPPED) m.unmap(r, r.address);
        r.address = want;
        if (want != PciRegion.UNMAPPED) m.map(r, want);
    }

    // ---- interrupts ----------------------------------------------------------------------------

    /** Sets the interrupt pin: 1 = INTA# .. 4 = INTD#, 0 = none. */
    protected final void setInterruptPin(int pin) {
        config[INTERRUPT_PIN] = (byte) pin;
    }

    public final int interruptPin() { return get8(INTERRUPT_PIN); }

    /** Asserts or deasserts this function's INTx#; Interrupt Disable in COMMAND gates it. */
    public final void setIntx(boolean asserted) {
        intxAsserted = asserted;
        updateIntx();
    }

    private void updateIntx() {
        int status = get16(STATUS);
        set16(STATUS, intxAsserted ? status | STATUS_INTERRUPT : status & ~STATUS_INTERRUPT);
        boolean out = intxAsserted && (command() & COMMAND_INTX_DISABLE) == 0 && interruptPin() != 0;
        if (out != intxOut) {
            intxOut = out;
            if (bus != null) bus.intxChanged(this, out);
        }
    }

    // ---- capabilities --------------------------------------------------------------------------

    /** Links a capability of {@code length} bytes at {@code offset} to the end of the list. */
    protected final void addCapability(PciCapability cap) {
        if (cap.offset < CAPABILITIES_START || cap.offset + cap.length > 256 || (cap.offset & 3) != 0) {
            throw new IllegalArgumentException("capability at " + cap.offset);
        }
        config[cap.offset] = (byte) cap.id;
        config[cap.offset + 1] = 0;
        if (capabilities.isEmpty()) {
            config[CAPABILITIES_POINTER] = (byte) cap.offset;
        } else {
            config[capabilities.getLast().offset + 1] = (byte) cap.offset;
        }
        capabilities.add(cap);
        set16(STATUS, get16(STATUS) | STATUS_CAPABILITIES);
    }

    // ---- bus attachment, reset, state ----------------------------------------------------------

    void attach(PciBus bus, int devfn) {
        this.bus = bus;
        this.devfn = devfn;
        powerOnConfig = config.clone();
        updateMappings();
    }

    public final int devfn() { return devfn; }

    public final int slot() { return devfn >>> 3; }

    public final int function() { return devfn & 7; }

    public final PciBus bus() { return bus; }

    protected String name() { return stateId; }

    /** Power-on state: configuration space as at attach time, INTx deasserted, regions unmapped. */
    public final void reset() {
        if (powerOnConfig != null) System.arraycopy(powerOnConfig, 0, config, 0, 256);
        resetDevice();
        intxAsserted = false;
        updateIntx();
        updateMappings();
    }

    /** Resets device-specific state beyond configuration space. */
    protected void resetDevice() { }

    @Override public final String stateId() { return stateId; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("config", config);
        out.put("intx", intxAsserted);
    }

    /** Restores configuration space, then re-decodes regions and re-drives INTx. */
    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        byte[] c = in.getBytes("config");
        System.arraycopy(c, 0, config, 0, Math.min(256, c.length));
        intxAsserted = in.getBoolean("intx");
        updateIntx();
        updateMappings();
    }
}
