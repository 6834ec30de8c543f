package dev.jvirt.devices.pic;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.InterruptSink;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.Snapshottable;

/**
 * The PC/AT pair of 8259As: the master at ports 0x20/0x21 takes IRQ 0-7, the slave at 0xA0/0xA1
 * takes IRQ 8-15 and drives the master's IR2. The board registers {@link #master()} and
 * {@link #slave()} as 2-port devices and {@link #elcr()} at 0x4D0; this class routes ISA IRQs to
 * them and runs the INTA cycle that the CPU (or the local APIC's LINT0 in ExtINT mode) performs.
 *
 * <p>As on the AT, the ISA bus's IRQ 2 pin is wired to the slave's IR1 (IRQ 9), since the master's IR2
 * carries the cascade. The state of the pair is the chips' state, so it snapshots as one piece,
 * "pic", holding both.
 */
public final class DualPic implements InterruptSink, Snapshottable {
    public static final int MASTER_BASE = 0x20;
    public static final int SLAVE_BASE = 0xA0;
    public static final int ELCR_BASE = 0x4D0;
    public static final int CASCADE_IR = 2;

    private final I8259 master;
    private final I8259 slave;
    private final Elcr elcr;
    private IrqLine intrListener = IrqLine.NONE;
    private boolean isaIrq2;
    private boolean isaIrq9;

    public DualPic() {
        master = new I8259("pic-master", true, 0xF8, null);
        slave = new I8259("pic-slave", false, 0xDE, null);
        master.setIntOut(level -> intrListener.set(level));
        slave.setIntOut(level -> master.setInput(CASCADE_IR, level));
        elcr = new Elcr(master, slave);
    }

    /** The master chip, to register at ports 0x20-0x21. */
    public I8259 master() { return master; }

    /** The slave chip, to register at ports 0xA0-0xA1. */
    public I8259 slave() { return slave; }

    /** The ELCR pair, to register at ports 0x4D0-0x4D1. */
    public Elcr elcr() { return elcr; }

    /** Called with the new INTR level whenever it changes (KVM's or the local APIC's LINT0 input). */
    public void setIntrListener(IrqLine listener) {
        this.intrListener = listener == null ? IrqLine.NONE : listener;
    }

    /** ISA IRQ {@code irq} (0-15); anything else is ignored. */
    @Override
    public void setIrq(int irq, boolean level) {
        switch (irq) {
            case 2 -> {
                isaIrq2 = level;
                slave.setInput(1, isaIrq2 || isaIrq9);
            }
            case 9 -> {
                isaIrq9 = level;
                slave.setInput(1, isaIrq2 || isaIrq9);
            }
            default -> {
                if (irq >= 0 && irq < 8) master.setInput(irq, level);
                else if (irq >= 8 && irq < 16) slave.setInput(irq - 8, level);
            }
        }
    }

    /** The INTR pin: the master's INT output. */
    public boolean intrPending() {
        return master.intOut();
    }

    /**
     * The INTA cycle: returns the vector and moves the request to in-service. With nothing pending it
     * returns the spurious IR7 vector of the master, or of the slave when the master granted IR2 but
     * the slave's request has gone away (IRQ 15).
     */
    public int acknowledge() {
        int ir = master.pendingIrq();
        if (ir < 0) return master.vector(7);
        if (ir != CASCADE_IR || master.singleMode()) {
            master.intack(ir);
            return master.vector(ir);
        }
        master.intack(CASCADE_IR);
        int sir = slave.pendingIrq();
        int vector;
        if (sir >= 0) {
            slave.intack(sir);
            vector = slave.vector(sir);
        } else {
            vector = slave.vector(7);
        }
        // The slave's INT falls during INTA; if it still has a request, the master sees a new edge.
        master.setInput(CASCADE_IR, false);
        master.setInput(CASCADE_IR, slave.intOut());
        return vector;
    }

    /** Board reset: both chips and the ELCR. */
    public void reset() {
        master.reset();
        slave.reset();
    }

    @Override public String stateId() { return "pic"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("master", DeviceState.of(master)).put("slave", DeviceState.of(slave))
                .put("isaIrq2", isaIrq2).put("isaIrq9", isaIrq9);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        isaIrq2 = in.getBoolean("isaIrq2");
        isaIrq9 = in.getBoolean("isaIrq9");
        slave.restoreState(in.getState("slave"));
        master.restoreState(in.getState("master"));
    }
}
