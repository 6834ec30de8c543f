package dev.jvirt.accel;

import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.PortSpace;

import java.util.function.IntFunction;

/**
 * What a backend gets from the board: the one guest memory (with its address map), the port space,
 * the virtual clock, the interrupt inputs of each vCPU, and the machine's controls. Backends call
 * devices only through {@code memory} and {@code ports}, holding {@code ioLock}.
 *
 * @param interrupts the INTR/NMI source of vCPU n
 * @param vcpus      how many vCPUs the machine has (vCPU n has APIC ID n); CPUID reports it
 */
public record MachineResources(AddressSpace memory, PortSpace ports, VirtualClock clock,
                               IntFunction<InterruptSource> interrupts, MachineControl control, Object ioLock, int vcpus) {
    public MachineResources {
        if (vcpus < 1) throw new IllegalArgumentException("vCPU count " + vcpus);
    }

    /** A uniprocessor machine. */
    public MachineResources(AddressSpace memory, PortSpace ports, VirtualClock clock,
                            IntFunction<InterruptSource> interrupts, MachineControl control, Object ioLock) {
        this(memory, ports, clock, interrupts, control, ioLock, 1);
    }
}
