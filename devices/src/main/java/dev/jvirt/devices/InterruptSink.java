package dev.jvirt.devices;

/**
 * Where IRQ lines end: the board's interrupt router (PIC and I/O APIC inputs, or a backend's
 * in-kernel irqchip). {@code gsi} is the global system interrupt number; ISA IRQ n is GSI n
 * except where the board overrides it (IRQ 0 is GSI 2 on the I/O APIC).
 */
@FunctionalInterface
public interface InterruptSink {
    void setIrq(int gsi, boolean level);

    default IrqLine line(int gsi) {
        return level -> setIrq(gsi, level);
    }
}
