package dev.jvirt.devices.misc;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.devices.timer.I8254Pit;

/**
 * System Control Port B of the PC/AT (port 0x61). Written: bit 0 timer 2 gate, bit 1 speaker data,
 * bit 2 parity-check NMI disable, bit 3 channel-check NMI disable. Read back with bit 4 the refresh
 * request toggle (it flips every 15.085 us, which BIOSes poll to time short delays), bit 5 timer 2's
 * OUT, and bits 6/7 the channel-check and parity-error NMI sources, which nothing here raises.
 */
public final class Port61 implements Device {
    /** The DRAM refresh period: counter 1 programmed with 18 pulses of 1.193182 MHz. */
    static final long REFRESH_TOGGLE_NS = 15_085;

    private final VirtualClock clock;
    private final I8254Pit pit;
    private int written; // bits 3-0

    public Port61(VirtualClock clock, I8254Pit pit) {
        this.clock = clock;
        this.pit = pit;
        reset();
    }

    /** Bit 1: whether the speaker follows timer 2 (for an audio backend). */
    public boolean speakerDataEnabled() {
        return (written & 0x02) != 0;
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size && i < 8; i++) {
            v |= (offset + i == 0 ? readByte() : 0xFFL) << (8 * i);
        }
        return v;
    }

    private long readByte() {
        long refresh = (Math.floorDiv(clock.nanos(), REFRESH_TOGGLE_NS) & 1) << 4;
        long out2 = pit.channel2Out() ? 0x20 : 0;
        return written | refresh | out2;
    }

    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size && i < 8; i++) {
            if (offset + i == 0) {
                written = (int) (value >>> (8 * i)) & 0x0F;
                pit.setChannel2Gate((written & 0x01) != 0);
            }
        }
    }

    @Override
    public void reset() {
        written = 0;
        pit.setChannel2Gate(false);
    }

    @Override public String stateId() { return "port61"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("written", written);
    }

    /** The timer 2 gate itself is part of the PIT's state; only the latch is restored here. */
    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        written = in.getInt("written") & 0x0F;
    }
}
