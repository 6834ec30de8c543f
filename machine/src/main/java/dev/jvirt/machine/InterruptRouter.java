package dev.jvirt.machine;

import dev.jvirt.devices.InterruptSink;
import dev.jvirt.devices.apic.IoApic;
import dev.jvirt.devices.pic.DualPic;

/**
 * The PC's interrupt wiring (QEMU's pc GSI routing): ISA IRQ n goes to PIC input n and to I/O APIC
 * pin n, except IRQ 0, which the MADT overrides to pin 2. GSI 2 itself (the HPET's route 2) and
 * GSIs 16-23 (PCI) reach the I/O APIC only, since PIC input 2 is the cascade.
 */
final class InterruptRouter implements InterruptSink {
    private final DualPic pic;
    private final IoApic ioapic;

    InterruptRouter(DualPic pic, IoApic ioapic) {
        this.pic = pic;
        this.ioapic = ioapic;
    }

    @Override
    public void setIrq(int gsi, boolean level) {
        if (gsi < 0 || gsi >= 24) return;
        if (gsi < 16 && gsi != 2) pic.setIrq(gsi, level);
        ioapic.setIrq(gsi == 0 ? 2 : gsi, level);
    }
}
