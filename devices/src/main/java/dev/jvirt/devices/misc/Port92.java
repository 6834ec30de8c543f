package dev.jvirt.devices.misc;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.mmu.A20Gate;
import dev.jvirt.mmu.IoHandler;

/**
 * System Control Port A (port 0x92, the PS/2 "fast A20" port): bit 1 drives the A20 gate, a 0-to-1
 * transition of bit 0 resets the machine. The register reads back as written.
 * Registered as {@code ports.register(Port92.PORT, 1, port92)}.
 */
public final class Port92 implements Device {
    public static final int PORT = 0x92;
    static final int FAST_RESET = 0x01, FAST_A20 = 0x02;

    private final A20Gate a20;
    private final MachineControl machine;
    private int value;

    public Port92(A20Gate a20, MachineControl machine) {
        this.a20 = a20;
        this.machine = machine;
    }

    /** Clears the register; the A20 gate is left to its other owner (the i8042), as on QEMU's pc. */
    @Override
    public void reset() {
        value = 0;
    }

    @Override
    public long read(long offset, int size) {
        if (offset != 0) return IoHandler.ones(size);
        return value;
    }

    @Override
    public void write(long offset, int size, long v) {
        if (offset != 0) return;
        int old = value;
        value = (int) (v & 0xFF);
        a20.set((value & FAST_A20) != 0);
        if ((value & FAST_RESET) != 0 && (old & FAST_RESET) == 0) machine.requestReset();
    }

    @Override public String stateId() { return "port92"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("value", value);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        value = in.getInt("value") & 0xFF;
    }
}
