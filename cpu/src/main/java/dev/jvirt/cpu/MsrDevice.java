package dev.jvirt.cpu;

/**
 * Model-specific registers that live in a device rather than in the CPU core (the local APIC's
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and x2APIC registers). {@link X86Cpu} asks it before its own
 * MSRs, with the machine's I/O lock held; an access it refuses raises #GP(0).
 */
public interface MsrDevice {
    /** Whether RDMSR/WRMSR of {@code msr} go to this device. */
    boolean handles(int msr);

    /** Whether RDMSR of a handled {@code msr} succeeds now (false: #GP). */
    boolean canRead(int msr);

    /** RDMSR of a handled, readable {@code msr}. */
    long read(int msr);

    /** WRMSR of a handled {@code msr}; false: #GP. */
    boolean write(int msr, long value);
}
