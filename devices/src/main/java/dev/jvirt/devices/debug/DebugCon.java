package dev.jvirt.devices.debug;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.serial.CharBackend;

/**
 * The Bochs/QEMU debug console ({@code -debugcon}, {@code isa-debugcon}): each byte written goes
 * straight to a host character device; a read answers the readback value, 0xE9 by default, which is
 * how guests (SeaBIOS, OVMF) detect the port.
 */
public final class DebugCon implements Device {
    public static final int DEFAULT_IOBASE = 0xE9;
    public static final int PORT_COUNT = 1;
    public static final int DEFAULT_READBACK = 0xE9;

    private final CharBackend out;
    private final int readback;

    public DebugCon(CharBackend out) {
        this(out, DEFAULT_READBACK);
    }

    public DebugCon(CharBackend out, int readback) {
        this.out = out;
        this.readback = readback & 0xFF;
    }

    @Override
    public long read(long offset, int size) {
        return readback;
    }

    @Override
    public void write(long offset, int size, long value) {
        out.write((int) value & 0xFF);
    }

    @Override public String stateId() { return "debugcon"; }

    @Override public int stateVersion() { return 1; }

    @Override public void saveState(DeviceState out) { }

    @Override public void restoreState(DeviceState in) { in.expect(this, 1); }
}
