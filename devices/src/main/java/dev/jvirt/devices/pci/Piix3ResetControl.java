package dev.jvirt.devices.pci;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.mmu.IoHandler;

/**
 * The PIIX3 Reset Control Register at port 0xCF9: setting RST_CPU (bit 2) resets the system; SRST
 * (bit 1) chooses a hard reset over a soft one (INIT). This machine has no separate INIT path, so
 * both request a full reset, as QEMU does. It is the ACPI FADT's RESET_REG (value
 * {@link #FADT_RESET_VALUE}). The port overlaps CONFIG_ADDRESS, so {@link PciConfigIo} forwards
 * byte accesses at 0xCF9 here; the board does not register it separately.
 */
public final class Piix3ResetControl implements Device {
    public static final int PORT = 0xCF9;
    public static final int FADT_RESET_VALUE = 0x06;
    static final int SRST = 0x02, RST_CPU = 0x04;

    private final MachineControl machine;
    private int value;

    public Piix3ResetControl(MachineControl machine) {
        this.machine = machine;
    }

    @Override
    public void reset() { value = 0; }

    @Override
    public long read(long offset, int size) {
        return offset == 0 ? value : IoHandler.ones(size);
    }

    @Override
    public void write(long offset, int size, long v) {
        if (offset != 0) return;
        value = (int) v & SRST;
        if ((v & RST_CPU) != 0) machine.requestReset();
    }

    @Override public String stateId() { return "piix3-rcr"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) { out.put("value", value); }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        value = in.getInt("value") & SRST;
    }
}
