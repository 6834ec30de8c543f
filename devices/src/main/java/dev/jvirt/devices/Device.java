package dev.jvirt.devices;

import dev.jvirt.mmu.IoHandler;

/**
 * A PC device. Backends reach it only through {@link IoHandler#read}/{@link IoHandler#write} at the
 * base it was registered at (port or MMIO; it never knows which backend called), it signals on
 * {@link IrqLine}s, and takes time from the machine's {@link VirtualClock}.
 *
 * <p>Devices are called with the machine's I/O lock held, so they need no locking of their own.
 */
public interface Device extends IoHandler, Snapshottable {
    /** Returns the device to its power-on state (machine reset). */
    default void reset() { }
}
