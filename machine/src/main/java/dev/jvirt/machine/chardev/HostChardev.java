package dev.jvirt.machine.chardev;

import dev.jvirt.devices.serial.CharBackend;

/** A host character device opened from a {@code -serial}/{@code -debugcon} spec. */
public interface HostChardev extends CharBackend, AutoCloseable {
    /** Starts delivering host input to {@code input}; a chardev without input ignores it. Call once. */
    default void start(ChardevInput input) { }

    /** Flushes output and gives back what was taken from the host (terminal mode, files). */
    @Override
    void close();
}
