package dev.jvirt.devices.serial;

/**
 * The host end of a character device (QEMU's chardev), as a guest-facing device sees it.
 *
 * <p>Output flows device → backend through {@link #write}. Input flows the other way without this
 * interface: the board takes the machine's I/O lock and hands host bytes to the device (for the UART,
 * {@link Serial16550#receive} while {@link Serial16550#rxSpace} is positive). When the device has
 * drained its receive buffer it calls {@link #acceptInput} so a backend holding input can offer it again.
 *
 * <p>{@link #write} is called from a vCPU thread with the I/O lock held; it should buffer rather than
 * wait on the host for each byte.
 */
public interface CharBackend {
    /** One byte of guest output (low 8 bits of {@code b}). */
    void write(int b);

    /** Pushes buffered output to the host now (machine pause, exit). */
    default void flush() { }

    /** The device can take input again; a backend that was refused input may retry. Must be cheap. */
    default void acceptInput() { }

    /** QEMU's {@code null} chardev: output discarded, never any input. */
    CharBackend NULL = b -> { };
}
