package dev.jvirt.devices.apic;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.InterruptSink;
import dev.jvirt.mmu.IoHandler;

/**
 * The I/O APIC (Intel 82093AA datasheet; version 0x20 adds the ICH's EOI register): 24 input pins,
 * each with a 64-bit redirection table entry that turns an input into an interrupt message on the
 * {@link ApicBus}. Registered at 0xFEC00000; the guest selects a register through IOREGSEL (0x00)
 * and reads or writes it through IOWIN (0x10).
 *
 * <p>{@link #setIrq} takes the logical (asserted) state of an input, as every jvirt device drives
 * its line; the polarity bit is stored for the guest but, as in QEMU and KVM, the board's wiring
 * already presents every input active high, so it does not invert the line. Messages are delivered
 * at once, so the delivery status bit always reads idle.
 */
public final class IoApic implements Device, InterruptSink {
    public static final long DEFAULT_BASE = 0xFEC0_0000L;
    public static final int MMIO_SIZE = 0x1000;
    public static final int PINS = 24;
    public static final int VERSION_82093AA = 0x11;
    public static final int VERSION_ICH = 0x20;

    static final int IOREGSEL = 0x00;
    static final int IOWIN = 0x10;
    static final int EOI = 0x40;

    static final int REG_ID = 0x00;
    static final int REG_VERSION = 0x01;
    static final int REG_ARBITRATION = 0x02;
    static final int REG_REDTBL = 0x10;

    static final long RTE_VECTOR = 0xFF;
    static final long RTE_DEST_MODE = 1L << 11;
    static final long RTE_DELIVERY_STATUS = 1L << 12;
    static final long RTE_POLARITY = 1L << 13;
    static final long RTE_REMOTE_IRR = 1L << 14;
    static final long RTE_TRIGGER_LEVEL = 1L << 15;
    static final long RTE_MASK = 1L << 16;
    /** Software-writable bits: vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
    private static final long RTE_WRITABLE = 0xFF00_0000_0001_AFFFL;

    private static final System.Logger LOG = System.getLogger(IoApic.class.getName());

    private final ApicBus bus;
    private final int version;
    private final String stateId;
    private int ioregsel;
    private int id;
    private final long[] redirection = new long[PINS];
    private int lines; // input pin levels, bit n = pin n asserted

    /** An I/O APIC of {@code version} (0x11 or 0x20) named {@code stateId}, attached to {@code bus}. */
    public IoApic(ApicBus bus, int version, String stateId) {
        if (version != VERSION_82093AA && version != VERSION_ICH) throw new IllegalArgumentException("I/O APIC version " + version);
        this.bus = bus;
        this.version = version;
        this.stateId = stateId;
        bus.attach(this);
        reset();
    }

    /** The PC's I/O APIC: version 0x20 (with the EOI register), state id "ioapic". */
    public IoApic(ApicBus bus) {
        this(bus, VERSION_ICH, "ioapic");
    }

    @Override
    public void reset() {
        ioregsel = 0;
        id = 0;
        for (int i = 0; i < PINS; i++) redirection[i] = RTE_MASK;
        // Input levels are wires from devices: a reset of the I/O APIC does not change them.
    }

    public int version() { return version; }

    /** The redirection table entry of {@code pin}, for the board and tests. */
    public long redirectionEntry(int pin) { return redirection[pin]; }

    @Override
    public long read(long offset, int size) {
        if (offset == IOREGSEL && size <= 4) return ioregsel;
        if (offset == IOWIN && size == 4) return readRegister(ioregsel);
        return IoHandler.ones(size);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == IOREGSEL && size <= 4) {
            ioregsel = (int) value & 0xFF;
        } else if (offset == IOWIN && size == 4) {
            writeRegister(ioregsel, (int) value);
        } else if (offset == EOI && size == 4 && version == VERSION_ICH) {
            eoi((int) value & 0xFF);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "ioapic: ignored write offset {0} size {1}", offset, size);
        }
    }

    private int readRegister(int reg) {
        if (reg == REG_ID) return id << 24;
        if (reg == REG_VERSION) return ((PINS - 1) << 16) | version;
        if (reg == REG_ARBITRATION) return id << 24; // the arbitration ID is loaded from the ID (82093AA IOAPICARB)
        if (reg >= REG_REDTBL && reg < REG_REDTBL + 2 * PINS) {
            long e = redirection[(reg - REG_REDTBL) >> 1];
            return (reg & 1) == 0 ? (int) e : (int) (e >>> 32);
        }
        return 0;
    }

    private void writeRegister(int reg, int value) {
        if (reg == REG_ID) {
            id = (value >>> 24) & 0xF;
            return;
        }
        if (reg < REG_REDTBL || reg >= REG_REDTBL + 2 * PINS) return;
        int pin = (reg - REG_REDTBL) >> 1;
        long old = redirection[pin];
        long v = (reg & 1) == 0
                ? (old & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL)
                : (old & 0xFFFF_FFFFL) | ((long) value << 32);
        long e = (v & RTE_WRITABLE) | (old & ~RTE_WRITABLE);
        // Remote IRR has no meaning for an edge entry: switching to edge clears it (as QEMU and KVM do).
        if (!levelMessage(e)) e &= ~RTE_REMOTE_IRR;
        redirection[pin] = e;
        // A level input held while masked is delivered once the entry is unmasked.
        if ((e & RTE_MASK) == 0 && levelMessage(e)) service(pin);
    }

    @Override
    public void setIrq(int gsi, boolean level) {
        if (gsi < 0 || gsi >= PINS) return;
        int bit = 1 << gsi;
        boolean was = (lines & bit) != 0;
        lines = level ? lines | bit : lines & ~bit;
        if (!level) return;
        long e = redirection[gsi];
        if (levelMessage(e)) {
            service(gsi);
        } else if (!was && (e & RTE_MASK) == 0) {
            // 82093AA: an edge on a masked pin is ignored, not held pending.
            send(gsi, e);
        }
    }

    /** An EOI for {@code vector}: clears remote IRR of matching level entries and re-delivers held lines. */
    void eoi(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long e = redirection[pin];
            if ((e & RTE_REMOTE_IRR) != 0 && (e & RTE_VECTOR) == vector) {
                redirection[pin] = e & ~RTE_REMOTE_IRR;
                service(pin);
            }
        }
    }

    private void service(int pin) {
        long e = redirection[pin];
        if ((lines & (1 << pin)) == 0 || (e & (RTE_MASK | RTE_REMOTE_IRR)) != 0 || !levelMessage(e)) return;
        redirection[pin] = e | RTE_REMOTE_IRR;
        send(pin, e);
    }

    /**
     * Whether an entry sends level-triggered messages. Only fixed and lowest-priority messages can be
     * level-triggered (the 82093AA requires NMI, SMI, INIT and ExtINT entries to be programmed edge), so a level
     * entry of another mode behaves as an edge entry and never sets remote IRR.
     */
    private static boolean levelMessage(long e) {
        int mode = (int) (e >>> 8) & 7;
        return (e & RTE_TRIGGER_LEVEL) != 0 && (mode == ApicBus.DM_FIXED || mode == ApicBus.DM_LOWEST_PRIORITY);
    }

    private void send(int pin, long e) {
        bus.deliver((int) (e >>> 56), (e & RTE_DEST_MODE) != 0, (int) (e >>> 8) & 7, (int) (e & RTE_VECTOR), levelMessage(e), true);
    }

    @Override public String stateId() { return stateId; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("ioregsel", ioregsel).put("id", id).put("redirection", redirection).put("lines", lines);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        ioregsel = in.getInt("ioregsel") & 0xFF;
        id = in.getInt("id") & 0xF;
        long[] r = in.getLongs("redirection");
        if (r.length != PINS) throw new IllegalStateException("ioapic state has " + r.length + " entries");
        System.arraycopy(r, 0, redirection, 0, PINS);
        lines = in.getInt("lines") & ((1 << PINS) - 1);
    }
}
