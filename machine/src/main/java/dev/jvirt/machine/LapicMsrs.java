package dev.jvirt.machine;

import dev.jvirt.cpu.MsrDevice;
import dev.jvirt.devices.apic.LocalApic;

/**
 * A vCPU's MSRs that belong to its local APIC: IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and
 * the x2APIC registers (0x800-0x8FF, SDM Vol. 3A 11.12.1). The CPU calls it with the I/O lock held.
 */
final class LapicMsrs implements MsrDevice {
    private final LocalApic apic;

    LapicMsrs(LocalApic apic) {
        this.apic = apic;
    }

    @Override public boolean handles(int msr) { return LocalApic.handlesMsr(msr); }

    @Override public boolean canRead(int msr) { return apic.canReadMsr(msr); }

    @Override public long read(int msr) { return apic.readMsr(msr); }

    @Override public boolean write(int msr, long value) { return apic.writeMsr(msr, value); }
}
