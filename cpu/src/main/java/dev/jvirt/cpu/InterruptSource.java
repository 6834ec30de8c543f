package dev.jvirt.cpu;

/**
 * The CPU's INTR and NMI pins, as the interrupt controller (PIC, or local APIC) drives them. The
 * CPU samples them at instruction boundaries, honouring IF and the interrupt shadow.
 */
public interface InterruptSource {
    /** INTR is asserted: a maskable interrupt is waiting. */
    boolean intrPending();

    /** The interrupt acknowledge cycle: returns the vector and moves it to in-service. */
    int acknowledge();

    /** Takes a pending NMI edge, if any, returning whether there was one. */
    default boolean takeNmi() { return false; }

    InterruptSource NONE = new InterruptSource() {
        @Override public boolean intrPending() { return false; }
        @Override public int acknowledge() { return 0xFF; }
    };
}
