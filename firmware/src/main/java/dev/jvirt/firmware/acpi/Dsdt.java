package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.acpi.aml.Aml.FieldUnit;
import dev.jvirt.firmware.acpi.aml.ByteBuilder;
import dev.jvirt.firmware.acpi.aml.ResourceTemplate;

import java.util.ArrayList;
import java.util.List;

import static dev.jvirt.firmware.acpi.aml.Aml.*;
import static dev.jvirt.firmware.acpi.aml.ResourceTemplate.MAX_FIXED;
import static dev.jvirt.firmware.acpi.aml.ResourceTemplate.MEM_CACHEABLE;
import static dev.jvirt.firmware.acpi.aml.ResourceTemplate.MEM_READ_WRITE;
import static dev.jvirt.firmware.acpi.aml.ResourceTemplate.MIN_FIXED;

/**
 * The Differentiated System Description Table: the namespace of an i440FX/PIIX3 PC in AML, after
 * QEMU's pc machine. PCI interrupts are routed as QEMU's i440FX board wires them: slot s pin p
 * (INTA = 0) goes to PIRQ {@link #pirq}(s, p); the link device LNKA-LNKD of each PIRQ reads and
 * programs the PIIX3 PIRQ route control registers 0x60-0x63 of the ISA bridge (device 1
 * function 0) through a PCI_Config operation region.
 */
public final class Dsdt {
    /** Revision 2: integers are 64 bits. */
    public static final int REVISION = 2;
    public static final int ISA_BRIDGE_ADR = 0x0001_0000;
    /** PIIX3 PIRQx route control: bit 7 set disables the route, bits 3-0 give the ISA IRQ. */
    public static final int PIRQ_ROUTE_BASE = 0x60, PIRQ_DISABLED = 0x80;
    /** The ISA IRQs the links may use, as QEMU offers them. */
    static final int[] LINK_IRQS = {5, 10, 11};

    private Dsdt() { }

    public static byte[] build(AcpiConfig c) {
        ByteBuilder b = SdtHeader.start("DSDT", REVISION, "JVIRTDSD");
        // \_S5: SLP_TYP 0 in PM1a_CNT and PM1b_CNT soft-offs the PIIX4.
        b.bytes(scope("\\", name("_S5", pkg(integer(0), integer(0), integer(0), integer(0)))));
        b.bytes(scope("_SB", systemBus(c)));
        return SdtHeader.finish(b);
    }

    private static byte[] systemBus(AcpiConfig c) {
        List<byte[]> terms = new ArrayList<>();
        for (int uid = 0; uid < c.cpuCount(); uid++) {
            terms.add(device(String.format("C%03X", uid), name("_HID", string("ACPI0007")), name("_UID", integer(uid))));
        }
        terms.add(pci0(c));
        terms.add(field("PCI0.ISA.P40C", BYTE_ACC | NO_LOCK | PRESERVE,
                FieldUnit.named("PRQ0", 8), FieldUnit.named("PRQ1", 8), FieldUnit.named("PRQ2", 8), FieldUnit.named("PRQ3", 8)));
        terms.add(linkStatusMethod());
        terms.add(linkCurrentResourcesMethod());
        for (int i = 0; i < 4; i++) terms.add(link(i));
        terms.add(sciLink(c));
        if (c.hpet()) terms.add(hpet(c));
        return ByteBuilder.concat(terms.toArray(byte[][]::new));
    }

    private static byte[] pci0(AcpiConfig c) {
        return device("PCI0",
                name("_HID", eisaId("PNP0A03")),
                name("_UID", integer(0)),
                name("_BBN", integer(0)),
                name("_CRS", hostBridgeResources(c)),
                name("_PRT", routingTable()),
                isaBridge());
    }

    static byte[] hostBridgeResources(AcpiConfig c) {
        int fixed = MIN_FIXED | MAX_FIXED;
        long holeEnd = AcpiConfig.PCI_HOLE_END;
        return new ResourceTemplate()
                .wordBusNumber(fixed, 0x00, 0xFF, 0, 0x100)
                .io(0x0CF8, 0x0CF8, 1, 8)
                .wordIo(fixed, 0x0000, 0x0CF7, 0, 0x0CF8)
                .wordIo(fixed, 0x0D00, 0xFFFF, 0, 0xF300)
                .dwordMemory(fixed, MEM_READ_WRITE | MEM_CACHEABLE, 0xA_0000L, 0xB_FFFFL, 0, 0x2_0000L)
                .dwordMemory(fixed, MEM_READ_WRITE, c.pciHoleStart(), holeEnd, 0, holeEnd - c.pciHoleStart() + 1)
                .build();
    }

    /**
     * _PRT: for each slot 1-31 and pin INTA-INTD, Package {address (slot << 16 | 0xFFFF), pin, link, 0};
     * slot 1 INTA goes to LNKS, the SCI, as on QEMU.
     */
    static byte[] routingTable() {
        List<byte[]> entries = new ArrayList<>();
        for (int slot = 1; slot < 32; slot++) {
            for (int pin = 0; pin < 4; pin++) {
                // The PIIX4 PM function (01.3) signals on INTA the SCI, which is hard-wired to IRQ 9.
                String link = slot == 1 && pin == 0 ? "LNKS" : "LNK" + (char) ('A' + pirq(slot, pin));
                entries.add(pkg(integer(((long) slot << 16) | 0xFFFF), integer(pin), ref(link), integer(0)));
            }
        }
        return pkg(entries.toArray(byte[][]::new));
    }

    /**
     * The PIRQ (0 = A) that INTx# {@code pin} (0 = INTA#) of PCI slot {@code slot} is wired to:
     * QEMU's piix pci_slot_get_pirq, (slot - 1 + pin) mod 4. The PCI bus emulation must route
     * interrupts by this same function.
     */
    public static int pirq(int slot, int pin) {
        return (slot - 1 + pin) & 3;
    }

    private static byte[] isaBridge() {
        return device("ISA",
                name("_ADR", integer(ISA_BRIDGE_ADR)),
                operationRegion("P40C", PCI_CONFIG, PIRQ_ROUTE_BASE, 4),
                isaDevice("COM1", "PNP0501", 1, new ResourceTemplate().io(0x3F8, 0x3F8, 0, 8).irqNoFlags(4)),
                isaDevice("RTC", "PNP0B00", 0, new ResourceTemplate().io(0x70, 0x70, 1, 2).irqNoFlags(8)),
                isaDevice("KBD", "PNP0303", 0, new ResourceTemplate().io(0x60, 0x60, 1, 1).io(0x64, 0x64, 1, 1).irqNoFlags(1)),
                isaDevice("MOU", "PNP0F13", 0, new ResourceTemplate().irqNoFlags(12)));
    }

    private static byte[] isaDevice(String name, String hid, int uid, ResourceTemplate crs) {
        return device(name, name("_HID", eisaId(hid)), name("_UID", integer(uid)), name("_CRS", crs.build()));
    }

    /** IQST(route): a disabled route reports present but not enabled (0x09), else present and working (0x0B). */
    private static byte[] linkStatusMethod() {
        return method("IQST", 1, false,
                ifThen(and(integer(PIRQ_DISABLED), arg(0), NO_TARGET), returnValue(integer(0x09))),
                returnValue(integer(0x0B)));
    }

    /** IQCR(route): the link's current IRQ as an Extended Interrupt descriptor, 0 when disabled. */
    private static byte[] linkCurrentResourcesMethod() {
        return method("IQCR", 1, true,
                name("PRR0", linkTemplate(0)),
                createDWordField(ref("PRR0"), integer(5), "PRRI"),
                ifThen(lLess(arg(0), integer(PIRQ_DISABLED)), store(arg(0), ref("PRRI"))),
                returnValue(ref("PRR0")));
    }

    private static byte[] link(int index) {
        String route = "PRQ" + index;
        return device("LNK" + (char) ('A' + index),
                name("_HID", eisaId("PNP0C0F")),
                name("_UID", integer(index)),
                name("_PRS", linkTemplate(LINK_IRQS)),
                method("_STA", 0, false, returnValue(ref("IQST", ref(route)))),
                method("_DIS", 0, false, or(ref(route), integer(PIRQ_DISABLED), ref(route))),
                method("_CRS", 0, false, returnValue(ref("IQCR", ref(route)))),
                method("_SRS", 1, false,
                        createDWordField(arg(0), integer(5), "PRRI"),
                        store(ref("PRRI"), ref(route))));
    }

    /** LNKS: the SCI's fixed, always-enabled route, which the OS can neither move nor disable. */
    private static byte[] sciLink(AcpiConfig c) {
        return device("LNKS",
                name("_HID", eisaId("PNP0C0F")),
                name("_UID", integer(4)),
                name("_PRS", linkTemplate(c.sciIrq())),
                method("_STA", 0, false, returnValue(integer(0x0B))),
                method("_SRS", 1, false),
                method("_DIS", 0, false),
                method("_CRS", 0, false, returnValue(ref("_PRS"))));
    }

    private static byte[] linkTemplate(int... irqs) {
        return new ResourceTemplate().interrupt(true, false, false, true, irqs).build();
    }

    private static byte[] hpet(AcpiConfig c) {
        return device("HPET",
                name("_HID", eisaId("PNP0103")),
                name("_UID", integer(0)),
                name("_CRS", new ResourceTemplate().memory32Fixed(false, c.hpetAddress(), 0x400).build()));
    }
}
