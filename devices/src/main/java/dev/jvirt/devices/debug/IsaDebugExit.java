package dev.jvirt.devices.debug;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;

/**
 * QEMU's {@code isa-debug-exit}: a write of V ends the emulator with status {@code (V << 1) | 1}, so a
 * test guest can report pass/fail and no guest can fake a clean exit 0. QEMU accepts accesses of 1 to
 * 4 bytes at any offset in the window and passes the whole zero-extended value; reads answer 0.
 * (The process status the host sees is that value's low 8 bits.)
 */
public final class IsaDebugExit implements Device {
    /** The base and size test harnesses conventionally pass ({@code iobase=0xf4,iosize=0x04}). */
    public static final int DEFAULT_IOBASE = 0xF4;
    public static final int DEFAULT_IOSIZE = 4;

    private final MachineControl control;

    public IsaDebugExit(MachineControl control) {
        this.control = control;
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size < 1 || size > 4) return; // QEMU rejects accesses wider than 4 bytes
        long v = value & ((1L << (8 * size)) - 1);
        control.requestExit((int) ((v << 1) | 1));
    }

    @Override public String stateId() { return "isa-debug-exit"; }

    @Override public int stateVersion() { return 1; }

    @Override public void saveState(DeviceState out) { }

    @Override public void restoreState(DeviceState in) { in.expect(this, 1); }
}
