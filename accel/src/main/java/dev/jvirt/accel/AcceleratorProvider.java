package dev.jvirt.accel;

/** A backend that can be chosen with {@code -accel NAME}. */
public interface AcceleratorProvider {
    /** The {@code -accel} name. */
    String name();

    /** Whether this host can run it, and why (or why not), in one line. */
    Probe probe();

    Accelerator create(MachineResources machine);

    /**
     * @param usable       it can run here at all
     * @param fullSpeed    hardware speed; {@code -accel auto} only picks backends that have it, or the interpreter
     * @param reason       one line for the user
     */
    record Probe(boolean usable, boolean fullSpeed, String reason) { }
}
