package dev.jvirt.machine;

import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.devices.Device;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.apic.ApicBus;
import dev.jvirt.devices.apic.IoApic;
import dev.jvirt.devices.apic.LocalApic;
import dev.jvirt.devices.fwcfg.E820Entry;
import dev.jvirt.devices.fwcfg.FwCfg;
import dev.jvirt.devices.input.I8042;
import dev.jvirt.devices.misc.Port61;
import dev.jvirt.devices.misc.Port92;
import dev.jvirt.devices.pci.I440fxHostBridge;
import dev.jvirt.devices.pci.PciBus;
import dev.jvirt.devices.pci.PciConfigIo;
import dev.jvirt.devices.pci.PciIoMapper;
import dev.jvirt.devices.pci.Piix3IsaBridge;
import dev.jvirt.devices.pci.Piix3ResetControl;
import dev.jvirt.devices.pci.Piix4Pm;
import dev.jvirt.devices.pic.DualPic;
import dev.jvirt.devices.rtc.Mc146818Rtc;
import dev.jvirt.devices.timer.Hpet;
import dev.jvirt.devices.timer.I8254Pit;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.PortSpace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The chipset of QEMU's {@code pc} machine that every backend shares: i440FX/PIIX3/PIIX4 on PCI, the
 * PIC pair, PIT, RTC/CMOS, i8042, port 0x61/0x92, the I/O APIC, one local APIC per vCPU (all at one
 * address: each vCPU reaches its own), the HPET and
 * fw_cfg. Interrupts from all of them meet in the {@link InterruptRouter}.
 */
final class PcPlatform {
    static final long IOAPIC_BASE = 0xFEC0_0000L, HPET_BASE = 0xFED0_0000L, LAPIC_BASE = 0xFEE0_0000L;
    static final int PM_IO_BASE = 0x600, GPE0_BASE = 0xAFE0;
    /** MMIO of the chipset sits above RAM in the map (RAM never reaches these addresses, but aliases might). */
    private static final int MMIO_PRIORITY = 10;

    final DualPic pic = new DualPic();
    final ApicBus apicBus = new ApicBus();
    final IoApic ioapic = new IoApic(apicBus);
    final InterruptRouter router = new InterruptRouter(pic, ioapic);
    /** vCPU n's local APIC, APIC ID n; vCPU 0 is the bootstrap processor. */
    final List<LocalApic> lapics;
    final I8254Pit pit;
    final Mc146818Rtc rtc;
    final Hpet hpet;
    final I8042 kbc;
    final PciBus pci = new PciBus();
    final Piix4Pm pm;
    final FwCfg fwcfg;
    private final List<Device> devices = new ArrayList<>();

    PcPlatform(PcMachine m, MachineControl control, boolean withHpet, long rtcBaseEpochSeconds,
               int vcpus, IntFunction<LocalApic.Signals> signals) {
        PortSpace ports = m.ports;
        AddressSpace memory = m.memory;

        List<LocalApic> l = new ArrayList<>();
        for (int i = 0; i < vcpus; i++) {
            LocalApic lapic = new LocalApic(apicBus, m.clock, i, i == 0, signals.apply(i));
            // LINT0 of every processor is wired to the 8259's INTR (MP Specification 3.6.2.2); the BSP's is unmasked.
            lapic.connectPic(pic::intrPending, pic::acknowledge);
            l.add(lapic);
        }
        lapics = List.copyOf(l);
        memory.addMmio("lapic", LAPIC_BASE, 0x1000, new LapicWindow(lapics), MMIO_PRIORITY);
        memory.addMmio("ioapic", IOAPIC_BASE, 0x1000, ioapic, MMIO_PRIORITY);

        ports.register(0x20, 2, pic.master());
        ports.register(0xA0, 2, pic.slave());
        ports.register(0x4D0, 2, pic.elcr());

        IrqLine pitOut, rtcOut;
        if (withHpet) {
            hpet = new Hpet(m.clock, router);
            memory.addMmio("hpet", HPET_BASE, 0x400, hpet, MMIO_PRIORITY);
            pitOut = hpet.pitInput();
            rtcOut = hpet.rtcInput();
        } else {
            hpet = null;
            pitOut = router.line(0);
            rtcOut = router.line(8);
        }
        pit = new I8254Pit(m.clock, pitOut);
        ports.register(0x40, 4, pit);
        Port61 port61 = new Port61(m.clock, pit);
        ports.register(0x61, 1, port61);

        rtc = new Mc146818Rtc(rtcBaseEpochSeconds, m.clock, rtcOut);
        ports.register(0x70, 2, rtc);
        Mc146818Rtc.fillMemorySizes(rtc, m.layout.belowHole(), m.layout.aboveHole());
        // Equipment byte (CMOS 0x14): math coprocessor present, no diskettes, display via BIOS (EGA/VGA).
        rtc.setNvram(0x14, 0x02);

        kbc = new I8042(router.line(1), router.line(12), m.a20, control);
        ports.register(0x60, 1, kbc.dataPort());
        ports.register(0x64, 1, kbc.commandPort());
        Port92 port92 = new Port92(m.a20, control);
        ports.register(0x92, 1, port92);

        pci.setMapper(new PciIoMapper(ports, memory));
        Piix3ResetControl rcr = new Piix3ResetControl(control);
        PciConfigIo configIo = new PciConfigIo(pci, rcr);
        ports.register(0xCF8, 8, configIo);
        pci.add(0, 0, new I440fxHostBridge());
        Piix3IsaBridge isa = new Piix3IsaBridge(router);
        pci.add(1, 0, isa);
        pci.setPirqSink(isa);
        pm = new Piix4Pm(m.clock, router.line(9), control);
        pci.add(1, 3, pm);
        pm.enablePmIo(PM_IO_BASE);
        ports.register(GPE0_BASE, 4, pm.gpe0Port());

        fwcfg = new FwCfg(memory);
        fwcfg.setRamSize(m.ram.size());
        fwcfg.setCpuCount(vcpus, vcpus);
        fwcfg.setE820(E820Entry.forLayout(m.layout));
        ports.register(0x510, 12, fwcfg);

        devices.add(ioapic);
        devices.addAll(lapics);
        devices.addAll(List.of(pit, port61, rtc, kbc, port92, configIo, fwcfg));
        if (hpet != null) devices.add(hpet);
    }

    /** The INTR/NMI pins of {@code vcpu} as its local APIC drives them (with the PIC behind LINT0). */
    InterruptSource interruptsFor(int vcpu, Object ioLock) {
        LocalApic lapic = lapics.get(vcpu);
        return new InterruptSource() {
            @Override public boolean intrPending() {
                synchronized (ioLock) {
                    return lapic.intrPending();
                }
            }

            @Override public int acknowledge() {
                synchronized (ioLock) {
                    return lapic.acknowledge();
                }
            }

            @Override public boolean takeNmi() {
                synchronized (ioLock) {
                    return lapic.takeNmi();
                }
            }
        };
    }

    List<Device> devices() { return List.copyOf(devices); }

    /** What {@link #devices()} does not cover: the PIC pair (one snapshot unit, not a bus device) and the PCI functions. */
    void reset() {
        pic.reset();
        pci.reset();
    }

    static long hostRtcBase() { return Instant.now().getEpochSecond(); }
}
