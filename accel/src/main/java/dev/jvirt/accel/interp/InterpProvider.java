package dev.jvirt.accel.interp;

import dev.jvirt.accel.Accelerator;
import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.MachineResources;

/** {@code -accel interp}: the portable x86 interpreter, usable on every host. */
public final class InterpProvider implements AcceleratorProvider {
    public InterpProvider() { }

    @Override
    public String name() { return "interp"; }

    @Override
    public Probe probe() {
        // fullSpeed=true: the interpreter is always a valid choice for -accel auto.
        return new Probe(true, true, "the x86 interpreter runs on any host");
    }

    @Override
    public Accelerator create(MachineResources machine) {
        return new InterpAccelerator(machine);
    }
}
