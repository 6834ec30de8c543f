package dev.jvirt.devices.debug;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.mmu.IoHandler;

import java.lang.System.Logger.Level;

/**
 * The POST diagnostic port 0x80: firmware writes progress codes to it, and OSes write to it as an
 * I/O delay. Writes are kept (the last code, for the board and monitor) and logged at DEBUG; reads
 * answer all-ones, as QEMU's pc ioport80 does.
 */
public final class PostPort implements Device {
    public static final int IOBASE = 0x80;
    public static final int PORT_COUNT = 1;

    private static final System.Logger LOG = System.getLogger(PostPort.class.getName());

    private int lastCode = -1;

    @Override
    public long read(long offset, int size) {
        return IoHandler.ones(size);
    }

    @Override
    public void write(long offset, int size, long value) {
        lastCode = (int) value & 0xFF;
        // Linux writes here for every I/O delay: format only when someone listens.
        if (LOG.isLoggable(Level.DEBUG)) LOG.log(Level.DEBUG, String.format("POST code %02x", lastCode));
    }

    /** The last code written (0..255), or -1 if none yet; like a POST card's display it survives a reset. */
    public int lastCode() { return lastCode; }

    @Override public String stateId() { return "post-port"; }

    @Override public int stateVersion() { return 1; }

    @Override public void saveState(DeviceState out) { out.put("lastCode", lastCode); }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        int v = in.getInt("lastCode");
        lastCode = v < 0 ? -1 : v & 0xFF;
    }
}
