package dev.jvirt.devices.pic;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;

/**
 * The edge/level control registers of the PC chipset (PIIX ELCR1/ELCR2), ports 0x4D0 (IRQ 0-7)
 * and 0x4D1 (IRQ 8-15): a set bit makes that PIC input level triggered. IRQ 0, 1, 2, 8 and 13 are
 * always edge triggered (the bits read 0). The bits live in the chips, so this device saves nothing
 * of its own; the chips' state carries them.
 */
public final class Elcr implements Device {
    private final I8259 master;
    private final I8259 slave;

    public Elcr(I8259 master, I8259 slave) {
        this.master = master;
        this.slave = slave;
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            long b = o == 0 ? master.elcr() : o == 1 ? slave.elcr() : 0xFF;
            v |= b << (8 * i);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            int b = (int) (value >>> (8 * i)) & 0xFF;
            if (o == 0) master.setElcr(b);
            else if (o == 1) slave.setElcr(b);
        }
    }

    @Override public String stateId() { return "elcr"; }

    @Override public int stateVersion() { return 1; }

    @Override public void saveState(DeviceState out) { }

    @Override public void restoreState(DeviceState in) { in.expect(this, 1); }
}
