package dev.jvirt.accel.kvm;

import dev.jvirt.accel.Accelerator;
import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.MachineResources;

/** {@code -accel kvm}: guest code runs in the host kernel's KVM, devices stay in Java. */
public final class KvmProvider implements AcceleratorProvider {
    public KvmProvider() { }

    @Override
    public String name() { return "kvm"; }

    @Override
    public Probe probe() { return KvmProbe.check().probe(); }

    @Override
    public Accelerator create(MachineResources machine) { return new KvmAccelerator(machine); }
}
