package dev.jvirt.devices.input;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.Snapshottable;

/**
 * What the PS/2 keyboard and mouse share: a device-to-host byte queue that the i8042 drains, and the
 * host-to-device command bytes with their one-byte parameters.
 */
public abstract sealed class Ps2Device implements Snapshottable permits Ps2Keyboard, Ps2Mouse {
    /** PS/2 replies common to both devices. */
    static final int ACK = 0xFA, RESEND = 0xFE, SELF_TEST_PASSED = 0xAA;

    /** Large enough that bursts of host input are not lost while the guest is slow to drain them. */
    static final int QUEUE_SIZE = 256;

    final Ps2Queue queue = new Ps2Queue(QUEUE_SIZE);
    /** The command awaiting its parameter byte, or -1. */
    int pendingCommand = -1;
    /** The last byte sent, for the resend command (0xFE). */
    int lastSent = 0xFA;
    private Runnable dataListener = () -> { };

    /** Set by the controller: called whenever a byte becomes available. */
    final void setDataListener(Runnable r) { dataListener = r; }

    /** Queues bytes as one unit (a reply or a packet), then tells the controller once. */
    final void send(int... bytes) {
        for (int b : bytes) {
            if (queue.offer(b)) lastSent = b & 0xFF;
        }
        dataListener.run();
    }

    boolean hasData() { return !queue.isEmpty(); }

    /** Takes the next byte for the controller, or -1. */
    int poll() { return queue.poll(); }

    /** A byte from the host (the controller) to the device. */
    abstract void receive(int b);

    /** Power-on state. */
    public abstract void reset();

    void saveCommon(DeviceState out) {
        out.put("queue", queue.toArray());
        out.put("pendingCommand", pendingCommand);
        out.put("lastSent", lastSent);
    }

    void restoreCommon(DeviceState in) {
        queue.load(in.getBytes("queue"));
        pendingCommand = in.getInt("pendingCommand");
        lastSent = in.getInt("lastSent");
    }
}
