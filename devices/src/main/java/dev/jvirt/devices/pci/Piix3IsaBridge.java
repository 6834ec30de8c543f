package dev.jvirt.devices.pci;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.InterruptSink;

/**
 * The 82371SB PIIX3 PCI-to-ISA bridge, 8086:7000 at 01.0 (multi-function). Its PIRQ Route Control
 * registers (0x60-0x63, PIRQA#-PIRQD#) steer the four PCI interrupt lines to ISA IRQs: bits 3:0
 * the IRQ, bit 7 set disables the route. Routed PIRQs drive the board's interrupt inputs; two PIRQs
 * on one IRQ are ORed. The other registers from 0x40 up are stored without effect.
 */
public final class Piix3IsaBridge extends PciDevice implements PciBus.PirqSink {
    public static final int VENDOR = 0x8086, DEVICE = 0x7000;
    public static final int PIRQRC = 0x60;
    static final int PIRQ_DISABLE = 0x80;
    /** ISA IRQs a PIRQ may be routed to (the PIIX3 reserves 0-2, 8 and 13). */
    static final int ROUTABLE_IRQS = 0b1101_1110_1111_1000;

    private final InterruptSink sink;
    private int pirqLevels;
    private int drivenIrqs;

    public Piix3IsaBridge(InterruptSink sink) {
        super("piix3", VENDOR, DEVICE, 0x060100, 0x00, HEADER_MULTIFUNCTION);
        this.sink = sink;
        for (int off = 0x40; off < 0x100; off++) writeMask[off] = (byte) 0xFF;
        for (int p = 0; p < 4; p++) {
            config[PIRQRC + p] = (byte) PIRQ_DISABLE;
            writeMask[PIRQRC + p] = (byte) 0x8F;
        }
    }

    /** The ISA IRQ PIRQ {@code pirq} (0 = PIRQA#) is routed to, or -1 when disabled or reserved. */
    public int pirqToIrq(int pirq) {
        int r = get8(PIRQRC + (pirq & 3));
        if ((r & PIRQ_DISABLE) != 0) return -1;
        int irq = r & 0x0F;
        return (ROUTABLE_IRQS >>> irq & 1) != 0 ? irq : -1;
    }

    @Override
    public void setPirq(int pirq, boolean level) {
        int bit = 1 << (pirq & 3);
        pirqLevels = level ? pirqLevels | bit : pirqLevels & ~bit;
        route();
    }

    @Override
    protected void configWritten(int offset, int size) {
        super.configWritten(offset, size);
        if (overlaps(offset, size, PIRQRC, 4)) route();
    }

    /** Drives each ISA IRQ with the OR of the PIRQs routed to it, telling the sink only of changes. */
    private void route() {
        int want = 0;
        for (int p = 0; p < 4; p++) {
            int irq = pirqToIrq(p);
            if (irq >= 0 && (pirqLevels >>> p & 1) != 0) want |= 1 << irq;
        }
        int changed = want ^ drivenIrqs;
        drivenIrqs = want;
        for (int irq = 0; irq < 16; irq++) {
            if ((changed >>> irq & 1) != 0) sink.setIrq(irq, (want >>> irq & 1) != 0);
        }
    }

    @Override
    protected void resetDevice() {
        // Lower what the old routes drove; the PIRQ levels themselves belong to the devices.
        int driven = drivenIrqs;
        drivenIrqs = 0;
        for (int irq = 0; irq < 16; irq++) {
            if ((driven >>> irq & 1) != 0) sink.setIrq(irq, false);
        }
        route();
    }

    @Override
    public void saveState(DeviceState out) {
        super.saveState(out);
        out.put("pirqLevels", pirqLevels);
    }

    @Override
    public void restoreState(DeviceState in) {
        super.restoreState(in);
        pirqLevels = in.getInt("pirqLevels");
        route();
    }
}
