package dev.jvirt.devices;

/** One interrupt request line from a device to an interrupt controller input. */
@FunctionalInterface
public interface IrqLine {
    /** Drives the line high (true) or low (false). */
    void set(boolean level);

    default void raise() { set(true); }

    default void lower() { set(false); }

    /** A rising edge followed by a fall, for edge-triggered inputs. */
    default void pulse() {
        set(true);
        set(false);
    }

    /** A line connected to nothing. */
    IrqLine NONE = level -> { };
}
