package dev.jvirt.machine;

import dev.jvirt.devices.apic.LocalApic;
import dev.jvirt.mmu.IoHandler;

import java.util.List;

/**
 * The xAPIC register page at 0xFEE00000: every processor that accesses it reaches its own local APIC
 * (SDM Vol. 3A 11.4.1), so an access goes to the APIC of the vCPU on whose thread it happens.
 */
final class LapicWindow implements IoHandler {
    /** The vCPU whose thread this is; unbound (a device model or test thread) means the BSP. */
    static final ScopedValue<Integer> CURRENT_VCPU = ScopedValue.newInstance();

    private final List<LocalApic> lapics;

    LapicWindow(List<LocalApic> lapics) {
        this.lapics = lapics;
    }

    private LocalApic current() {
        return lapics.get(CURRENT_VCPU.orElse(0));
    }

    @Override public long read(long offset, int size) { return current().read(offset, size); }

    @Override public void write(long offset, int size, long value) { current().write(offset, size, value); }
}
