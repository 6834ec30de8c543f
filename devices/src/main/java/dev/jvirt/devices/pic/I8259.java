package dev.jvirt.devices.pic;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;

/**
 * One Intel 8259A programmable interrupt controller: two ports (offset 0 = A0 low: ICW1, OCW2,
 * OCW3, IRR/ISR/poll reads; offset 1 = A0 high: ICW2-ICW4, OCW1/IMR).
 *
 * <p>The INT pin is {@code intOut}; it is driven only when its level changes. The interrupt
 * acknowledge sequence is split into {@link #pendingIrq()} and {@link #intack(int)} so that the
 * cascade logic (in {@link DualPic}) can run the slave's cycle between the master's.
 *
 * <p>Triggering: each input is level sensitive when ICW1.LTIM is set or its ELCR bit is set (the
 * PIIX-style edge/level control register, see {@link Elcr}); otherwise IRR latches a rising edge.
 * The input pin levels are kept separately from IRR, so that initialization (which the datasheet
 * says resets the edge sense circuit) keeps level-triggered requests that are still asserted.
 */
public final class I8259 implements Device {
    private static final System.Logger LOG = System.getLogger(I8259.class.getName());

    private final String stateId;
    private final boolean master;
    private final int elcrMask;
    private IrqLine intOut;

    private int lines;      // input pin levels
    private int irr;
    private int isr;
    private int imr;
    private int elcr;
    private int vectorBase;
    private int priorityAdd; // the IR with lowest priority is (priorityAdd - 1) & 7
    private int initState;   // 0 = operational, 1..3 = expecting ICW2..ICW4
    private boolean icw4Needed;
    private boolean singleMode;
    private boolean levelTriggered; // ICW1.LTIM
    private int cascadeIcw3;
    private boolean autoEoi;
    private boolean rotateOnAutoEoi;
    private boolean specialFullyNested;
    private boolean specialMask;
    private boolean readIsr;
    private boolean poll;
    private int icw4;
    private boolean intLevel;

    /**
     * @param stateId  snapshot name, e.g. "pic-master"
     * @param master   whether this is the cascade master (special fully nested mode excludes IR2 from the
     *                 in-service priority only there)
     * @param elcrMask which inputs the ELCR may make level triggered (PC: 0xF8 master, 0xDE slave)
     * @param intOut   the INT pin
     */
    public I8259(String stateId, boolean master, int elcrMask, IrqLine intOut) {
        this.stateId = stateId;
        this.master = master;
        this.elcrMask = elcrMask & 0xFF;
        this.intOut = intOut == null ? IrqLine.NONE : intOut;
        reset();
    }

    void setIntOut(IrqLine intOut) {
        this.intOut = intOut == null ? IrqLine.NONE : intOut;
    }

    /** Drives input IR{@code ir} (0-7) to {@code level}. */
    public void setInput(int ir, boolean level) {
        if (ir < 0 || ir > 7) return;
        int bit = 1 << ir;
        if ((levelSensitive() & bit) != 0) {
            irr = level ? irr | bit : irr & ~bit;
        } else if (level && (lines & bit) == 0) {
            irr |= bit;
        }
        lines = level ? lines | bit : lines & ~bit;
        update();
    }

    /** The level-sensitive inputs: all under LTIM, else the ELCR. */
    private int levelSensitive() {
        return levelTriggered ? 0xFF : elcr;
    }

    /** The highest-priority request that the 8259A would present on INT now, or -1. */
    public int pendingIrq() {
        int requests = irr & ~imr;
        if (specialMask) requests &= ~isr; // special mask mode: only in-service levels themselves are blocked
        int req = highestPriority(requests);
        if (req == 8) return -1;
        if (specialMask) return (req + priorityAdd) & 7;
        int inService = isr;
        // Special fully nested mode: the master lets a higher slave request through while IR2 is in service.
        if (specialFullyNested && master) inService &= ~(1 << 2);
        int cur = highestPriority(inService);
        return req < cur ? (req + priorityAdd) & 7 : -1;
    }

    /** Priority rank (0 = highest) of the best bit in {@code mask}, 8 if none. */
    private int highestPriority(int mask) {
        if ((mask & 0xFF) == 0) return 8;
        int p = 0;
        while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) p++;
        return p;
    }

    /** The acknowledge of IR{@code ir}: sets ISR (unless auto-EOI) and clears an edge request. */
    public void intack(int ir) {
        int bit = 1 << (ir & 7);
        if (autoEoi) {
            if (rotateOnAutoEoi) priorityAdd = (ir + 1) & 7;
        } else {
            isr |= bit;
        }
        if ((levelSensitive() & bit) == 0) irr &= ~bit;
        update();
    }

    /** The vector for IR{@code ir}: ICW2's T7-T3 with the IR number (8086 mode). */
    public int vector(int ir) {
        return (vectorBase & 0xF8) | (ir & 7);
    }

    /** The INT pin. */
    public boolean intOut() {
        return intLevel;
    }

    /** Whether the chip has completed ICW1..ICW4 (or fewer, as ICW1 asked) since the last ICW1. */
    boolean initialized() {
        return initState == 0;
    }

    /** Whether ICW1 chose single mode (no cascade). */
    boolean singleMode() {
        return singleMode;
    }

    public int elcr() {
        return elcr;
    }

    public void setElcr(int value) {
        elcr = value & elcrMask;
        // A newly level-triggered input requests exactly while its pin is high.
        int level = levelSensitive();
        irr = (irr & ~level) | (lines & level);
        update();
    }

    private void update() {
        boolean level = pendingIrq() >= 0;
        if (level != intLevel) {
            intLevel = level;
            intOut.set(level);
        }
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            v |= (long) (o == 0 || o == 1 ? readByte((int) o) : 0xFF) << (8 * i);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            if (o == 0 || o == 1) writeByte((int) o, (int) (value >>> (8 * i)) & 0xFF);
        }
    }

    private int readByte(int port) {
        if (poll) {
            // Poll command: this read is the interrupt acknowledge (I bit 7, level in bits 2-0).
            poll = false;
            int ir = pendingIrq();
            if (ir < 0) return 0;
            intack(ir);
            return 0x80 | ir;
        }
        if (port == 1) return imr;
        return readIsr ? isr : irr;
    }

    private void writeByte(int port, int v) {
        if (port == 0) {
            if ((v & 0x10) != 0) icw1(v);
            else if ((v & 0x08) != 0) ocw3(v);
            else ocw2(v);
            return;
        }
        switch (initState) {
            case 1 -> { // ICW2
                vectorBase = v & 0xF8;
                initState = singleMode ? (icw4Needed ? 3 : 0) : 2;
            }
            case 2 -> { // ICW3
                cascadeIcw3 = v;
                initState = icw4Needed ? 3 : 0;
            }
            case 3 -> { // ICW4
                icw4 = v;
                if ((v & 1) == 0) LOG.log(System.Logger.Level.DEBUG, "{0}: MCS-80/85 mode requested, staying in 8086 mode", stateId);
                autoEoi = (v & 0x02) != 0;
                specialFullyNested = (v & 0x10) != 0;
                initState = 0;
                update();
            }
            default -> { // OCW1
                imr = v;
                update();
            }
        }
    }

    private void icw1(int v) {
        // Initialization: IMR cleared, IR7 lowest priority, special mask off, IRR selected, ICW4 functions
        // cleared; the edge sense circuit resets so an edge request needs a new rising edge.
        initState = 1;
        icw4Needed = (v & 0x01) != 0;
        singleMode = (v & 0x02) != 0;
        levelTriggered = (v & 0x08) != 0;
        imr = 0;
        isr = 0;
        priorityAdd = 0;
        specialMask = false;
        readIsr = false;
        poll = false;
        autoEoi = false;
        rotateOnAutoEoi = false;
        specialFullyNested = false;
        icw4 = 0;
        irr &= levelSensitive();
        irr |= lines & levelSensitive();
        update();
    }

    private void ocw2(int v) {
        int ir = v & 7;
        switch (v >> 5) {
            case 0 -> rotateOnAutoEoi = false;       // clear rotate in automatic EOI mode
            case 4 -> rotateOnAutoEoi = true;        // set rotate in automatic EOI mode
            case 1, 5 -> {                           // non-specific EOI (5: and rotate)
                int p = highestPriority(isr);
                if (p != 8) {
                    int done = (p + priorityAdd) & 7;
                    isr &= ~(1 << done);
                    if ((v >> 5) == 5) priorityAdd = (done + 1) & 7;
                }
            }
            case 3 -> isr &= ~(1 << ir);             // specific EOI
            case 7 -> {                              // rotate on specific EOI
                isr &= ~(1 << ir);
                priorityAdd = (ir + 1) & 7;
            }
            case 6 -> priorityAdd = (ir + 1) & 7;    // set priority: IR ir becomes the lowest
            default -> { }                           // 2: no operation
        }
        update();
    }

    private void ocw3(int v) {
        if ((v & 0x40) != 0) specialMask = (v & 0x20) != 0;
        if ((v & 0x04) != 0) poll = true;
        if ((v & 0x02) != 0) readIsr = (v & 0x01) != 0;
        update();
    }

    @Override
    public void reset() {
        // The 8259A has no reset pin; the board's reset leaves it as if freshly initialized, with the
        // ELCR (a chipset register) cleared. Input pin levels belong to the devices and are kept.
        elcr = 0;
        irr = 0;
        isr = 0;
        imr = 0;
        vectorBase = 0;
        priorityAdd = 0;
        initState = 0;
        icw4Needed = false;
        singleMode = false;
        levelTriggered = false;
        cascadeIcw3 = 0;
        autoEoi = false;
        rotateOnAutoEoi = false;
        specialFullyNested = false;
        specialMask = false;
        readIsr = false;
        poll = false;
        icw4 = 0;
        update();
    }

    @Override public String stateId() { return stateId; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("lines", lines).put("irr", irr).put("isr", isr).put("imr", imr).put("elcr", elcr)
                .put("vectorBase", vectorBase).put("priorityAdd", priorityAdd).put("initState", initState)
                .put("icw4Needed", icw4Needed).put("singleMode", singleMode).put("ltim", levelTriggered)
                .put("icw3", cascadeIcw3).put("icw4", icw4).put("autoEoi", autoEoi)
                .put("rotateOnAutoEoi", rotateOnAutoEoi).put("sfnm", specialFullyNested)
                .put("specialMask", specialMask).put("readIsr", readIsr).put("poll", poll)
                .put("int", intLevel);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        lines = in.getInt("lines") & 0xFF;
        irr = in.getInt("irr") & 0xFF;
        isr = in.getInt("isr") & 0xFF;
        imr = in.getInt("imr") & 0xFF;
        elcr = in.getInt("elcr") & elcrMask;
        vectorBase = in.getInt("vectorBase") & 0xF8;
        priorityAdd = in.getInt("priorityAdd") & 7;
        initState = Math.clamp(in.getInt("initState"), 0, 3);
        icw4Needed = in.getBoolean("icw4Needed");
        singleMode = in.getBoolean("singleMode");
        levelTriggered = in.getBoolean("ltim");
        cascadeIcw3 = in.getInt("icw3") & 0xFF;
        icw4 = in.getInt("icw4") & 0xFF;
        autoEoi = in.getBoolean("autoEoi");
        rotateOnAutoEoi = in.getBoolean("rotateOnAutoEoi");
        specialFullyNested = in.getBoolean("sfnm");
        specialMask = in.getBoolean("specialMask");
        readIsr = in.getBoolean("readIsr");
        poll = in.getBoolean("poll");
        // Re-drive INT so whatever listens (the master, the CPU) matches the restored chip.
        intLevel = in.getBoolean("int");
        intOut.set(intLevel);
        update();
    }
}
