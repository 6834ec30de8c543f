package dev.jvirt.devices.pci;

import dev.jvirt.mmu.IoHandler;

/**
 * PCI bus 0: up to 32 devices of 8 functions, configuration access by bus/device/function/register,
 * and the INTx wiring of the PC: device {@code d}'s pin INTx (INTA = 0) drives
 * PIRQ[(d + x - 1) & 3] of the PIIX3, as on QEMU's pc machine. Several functions may share a PIRQ;
 * the line is the wired OR of them.
 */
public final class PciBus {
    /** A PIRQ line's level changed; the PIIX3 routes it to an ISA IRQ. */
    @FunctionalInterface
    public interface PirqSink {
        void setPirq(int pirq, boolean level);
    }

    private final PciDevice[] functions = new PciDevice[256];
    private final int[] pirqAsserters = new int[4];
    private PciMapper mapper = PciMapper.NONE;
    private PirqSink pirqSink = (pirq, level) -> { };

    public void setMapper(PciMapper mapper) { this.mapper = mapper == null ? PciMapper.NONE : mapper; }

    PciMapper mapper() { return mapper; }

    public void setPirqSink(PirqSink sink) {
        this.pirqSink = sink == null ? (p, l) -> { } : sink;
        for (int p = 0; p < 4; p++) pirqSink.setPirq(p, pirqAsserters[p] > 0);
    }

    /** Plugs {@code dev} in at {@code slot}.{@code function}; its BARs are decoded from now on. */
    public void add(int slot, int function, PciDevice dev) {
        if (slot < 0 || slot > 31 || function < 0 || function > 7) throw new IllegalArgumentException("PCI address " + slot + "." + function);
        int devfn = slot << 3 | function;
        if (functions[devfn] != null) throw new IllegalArgumentException("PCI " + slot + "." + function + " is occupied");
        functions[devfn] = dev;
        dev.attach(this, devfn);
    }

    public PciDevice function(int slot, int function) {
        return slot >= 0 && slot < 32 && function >= 0 && function < 8 ? functions[slot << 3 | function] : null;
    }

    /** The PIRQ (0 = PIRQA#) that {@code slot}'s pin INTx (0 = INTA#) is wired to. */
    public static int pirqOf(int slot, int intx) {
        return (slot + intx - 1) & 3;
    }

    public boolean pirqLevel(int pirq) { return pirqAsserters[pirq & 3] > 0; }

    void intxChanged(PciDevice dev, boolean level) {
        int pin = dev.interruptPin();
        if (pin < 1 || pin > 4) return;
        int p = pirqOf(dev.slot(), pin - 1);
        int before = pirqAsserters[p];
        pirqAsserters[p] = Math.max(0, before + (level ? 1 : -1));
        if ((before > 0) != (pirqAsserters[p] > 0)) pirqSink.setPirq(p, pirqAsserters[p] > 0);
    }

    /**
     * A configuration read. Absent functions read all-ones (a master abort), which is how software
     * finds empty slots; functions 1-7 are only visible when function 0 is present.
     */
    public long readConfig(int bus, int slot, int function, int register, int size) {
        PciDevice d = target(bus, slot, function);
        return d == null ? IoHandler.ones(size) : d.readConfig(register, size);
    }

    public void writeConfig(int bus, int slot, int function, int register, int size, long value) {
        PciDevice d = target(bus, slot, function);
        if (d != null) d.writeConfig(register, size, value);
    }

    private PciDevice target(int bus, int slot, int function) {
        if (bus != 0 || slot < 0 || slot > 31 || function < 0 || function > 7) return null;
        if (functions[slot << 3] == null) return null;
        return functions[slot << 3 | function];
    }

    /** Resets every function (machine reset). */
    public void reset() {
        for (PciDevice d : functions) {
            if (d != null) d.reset();
        }
    }
}
