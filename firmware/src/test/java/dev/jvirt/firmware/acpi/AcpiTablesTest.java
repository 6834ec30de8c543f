package dev.jvirt.firmware.acpi;

import dev.jvirt.firmware.E820Map;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Table layouts are checked at the offsets ACPI 6.x chapter 5 gives. */
class AcpiTablesTest {
    private static final PcMemoryLayout LAYOUT = PcMemoryLayout.forRamSize(512L << 20);
    private static final AcpiConfig PC4 = AcpiConfig.pc(4, LAYOUT);

    private static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    private static int sum(byte[] b, int from, int len) {
        int s = 0;
        for (int i = from; i < from + len; i++) s += b[i];
        return s & 0xFF;
    }

    private static String ascii(byte[] b, int from, int len) { return new String(b, from, len, StandardCharsets.US_ASCII); }

    private static AcpiTables.Image image(AcpiConfig c) { return AcpiTables.build(c, AcpiPlacement.biosArea()); }

    @Test
    void everySdtSumsToZeroAndCarriesItsLength() {
        for (var e : image(PC4).tables().entrySet()) {
            byte[] t = e.getValue().bytes();
            if (e.getKey().equals("RSD PTR") || e.getKey().equals("FACS")) continue;
            assertEquals(e.getKey(), ascii(t, 0, 4));
            assertEquals(t.length, le(t).getInt(4), e.getKey() + " length");
            assertEquals(0, sum(t, 0, t.length), e.getKey() + " checksum");
            assertEquals("JVIRT ", ascii(t, 10, 6));
        }
    }

    @Test
    void rsdpHasBothChecksumsAndPointsAtRsdtAndXsdt() {
        AcpiTables.Image img = image(PC4);
        byte[] r = img.table("RSD PTR").bytes();
        assertEquals(36, r.length);
        assertEquals("RSD PTR ", ascii(r, 0, 8));
        assertEquals(0, sum(r, 0, 20), "ACPI 1.0 checksum over bytes 0-19");
        assertEquals(0, sum(r, 0, 36), "extended checksum over all 36 bytes");
        assertEquals(2, r[15], "revision");
        assertEquals(img.table("RSDT").address(), le(r).getInt(16) & 0xFFFF_FFFFL);
        assertEquals(36, le(r).getInt(20));
        assertEquals(img.table("XSDT").address(), le(r).getLong(24));
        assertEquals(0, img.rsdpAddress() & 15, "16-byte aligned for the OS scan");
    }

    @Test
    void rsdtAndXsdtListFadtMadtAndHpet() {
        AcpiTables.Image img = image(PC4);
        List<Long> expected = List.of(img.table("FACP").address(), img.table("APIC").address(), img.table("HPET").address());
        byte[] rsdt = img.table("RSDT").bytes(), xsdt = img.table("XSDT").bytes();
        assertEquals(36 + 4 * 3, rsdt.length);
        assertEquals(36 + 8 * 3, xsdt.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected.get(i), le(rsdt).getInt(36 + 4 * i) & 0xFFFF_FFFFL);
            assertEquals(expected.get(i), le(xsdt).getLong(36 + 8 * i));
        }
        AcpiConfig noHpet = PC4.withoutHpet();
        AcpiTables.Image small = image(noHpet);
        assertEquals(36 + 8 * 2, small.table("XSDT").bytes().length);
        assertEquals(null, small.table("HPET"));
    }

    @Test
    void fadtDescribesThePiix4PmBlockAndTheResetRegister() {
        AcpiTables.Image img = image(PC4);
        byte[] f = img.table("FACP").bytes();
        ByteBuffer b = le(f);
        assertEquals(276, f.length);
        assertEquals(6, f[8], "revision");
        assertEquals(img.table("FACS").address(), b.getInt(36));
        assertEquals(img.table("DSDT").address(), b.getInt(40));
        assertEquals(9, b.getShort(46), "SCI_INT");
        assertEquals(0, b.getInt(48), "SMI_CMD: no SMM, always in ACPI mode");
        assertEquals(0, f[52]);
        assertEquals(0, f[53]);
        assertEquals(0x600, b.getInt(56), "PM1a_EVT_BLK");
        assertEquals(0x604, b.getInt(64), "PM1a_CNT_BLK");
        assertEquals(0x608, b.getInt(76), "PM_TMR_BLK");
        assertEquals(0xAFE0, b.getInt(80), "GPE0_BLK");
        assertEquals(4, f[88], "PM1_EVT_LEN");
        assertEquals(2, f[89], "PM1_CNT_LEN");
        assertEquals(4, f[91], "PM_TMR_LEN");
        assertEquals(4, f[92], "GPE0_BLK_LEN");
        assertEquals(0x32, f[108], "CENTURY");
        assertEquals(Fadt.LEGACY_DEVICES | Fadt.I8042, b.getShort(109), "IAPC_BOOT_ARCH");
        int flags = b.getInt(112);
        int want = Fadt.WBINVD | Fadt.PROC_C1 | Fadt.SLP_BUTTON | Fadt.RTC_S4 | Fadt.RESET_REG_SUP;
        assertEquals(want, flags);
        // RESET_REG: SystemIO, 8 bits, offset 0, byte access, port 0xCF9; RESET_VALUE 6.
        assertEquals("01080001f90c000000000000", HexFormat.of().formatHex(f, 116, 128));
        assertEquals(6, f[128]);
        assertEquals(0, b.getLong(132), "X_FIRMWARE_CTRL is 0 when FIRMWARE_CTRL holds the FACS");
        assertEquals(img.table("DSDT").address(), b.getLong(140), "X_DSDT");
        assertGas(f, 148, 1, 32, 0x600);   // X_PM1a_EVT_BLK
        assertGas(f, 172, 1, 16, 0x604);   // X_PM1a_CNT_BLK
        assertGas(f, 208, 1, 32, 0x608);   // X_PM_TMR_BLK
        assertGas(f, 220, 1, 32, 0xAFE0);  // X_GPE0_BLK
        assertGas(f, 160, 0, 0, 0);        // X_PM1b_EVT_BLK absent
    }

    @Test
    void fadtCarriesAnApmSmiCommandPortWhenGiven() {
        byte[] f = image(PC4.withSmiCommand(AcpiConfig.SmiCommand.QEMU_APM)).table("FACP").bytes();
        assertEquals(0xB2, le(f).getInt(48), "SMI_CMD");
        assertEquals(0xF1, f[52] & 0xFF, "ACPI_ENABLE");
        assertEquals(0xF0, f[53] & 0xFF, "ACPI_DISABLE");
        assertEquals(0, sum(f, 0, f.length));
    }

    private static void assertGas(byte[] t, int off, int space, int bits, long address) {
        assertEquals(space, t[off], "GAS space at " + off);
        assertEquals(bits, t[off + 1] & 0xFF, "GAS width at " + off);
        assertEquals(address, le(t).getLong(off + 4), "GAS address at " + off);
    }

    @Test
    void physicalDestinationModeIsForcedOnlyWhenApicIdsReachEight() {
        assertEquals(0, le(image(PC4).table("FACP").bytes()).getInt(112) & Fadt.FORCE_APIC_PHYSICAL_DESTINATION_MODE);
        AcpiConfig wide = PC4.withApicIds(List.of(0, 8), 9);
        assertNotEquals(0, le(image(wide).table("FACP").bytes()).getInt(112) & Fadt.FORCE_APIC_PHYSICAL_DESTINATION_MODE);
    }

    @Test
    void facsIs64BytesAnd64ByteAligned() {
        AcpiTables.Placed facs = AcpiTables.build(PC4, AcpiPlacement.topOfLowRam(LAYOUT)).table("FACS");
        assertEquals(0, facs.address() % 64);
        assertEquals(64, facs.bytes().length);
        assertEquals("FACS", ascii(facs.bytes(), 0, 4));
        assertEquals(64, le(facs.bytes()).getInt(4));
        assertEquals(2, facs.bytes()[32], "version");
    }

    @Test
    void madtListsEachCpuTheIoApicOverridesAndLint1Nmi() {
        AcpiConfig c = PC4.withApicIds(List.of(0, 2, 4, 6), 8);
        byte[] m = image(c).table("APIC").bytes();
        ByteBuffer b = le(m);
        assertEquals(0xFEE0_0000, b.getInt(36), "local APIC address");
        assertEquals(Madt.PCAT_COMPAT, b.getInt(40));
        List<int[]> lapics = new ArrayList<>(), overrides = new ArrayList<>();
        int ioapics = 0, nmis = 0;
        int off = 44;
        while (off < m.length) {
            int type = m[off], len = m[off + 1];
            switch (type) {
                case 0 -> lapics.add(new int[] {m[off + 2], m[off + 3], b.getInt(off + 4)});
                case 1 -> {
                    ioapics++;
                    assertEquals(8, m[off + 2], "I/O APIC id");
                    assertEquals(0xFEC0_0000, b.getInt(off + 4));
                    assertEquals(0, b.getInt(off + 8), "GSI base");
                }
                case 2 -> overrides.add(new int[] {m[off + 3], b.getInt(off + 4), b.getShort(off + 8)});
                case 4 -> {
                    nmis++;
                    assertEquals(0xFF, m[off + 2] & 0xFF, "all processors");
                    assertEquals(1, m[off + 5], "LINT1");
                }
                default -> throw new AssertionError("unexpected MADT entry type " + type);
            }
            off += len;
        }
        assertEquals(m.length, off, "entries exactly fill the table");
        assertEquals(4, lapics.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, lapics.get(i)[0], "processor UID");
            assertEquals(2 * i, lapics.get(i)[1], "APIC id");
            assertEquals(1, lapics.get(i)[2], "enabled");
        }
        assertEquals(1, ioapics);
        assertEquals(1, nmis);
        assertTrue(overrides.stream().anyMatch(o -> o[0] == 0 && o[1] == 2 && o[2] == 0), "IRQ0 -> GSI 2");
        assertTrue(overrides.stream().anyMatch(o -> o[0] == 9 && o[1] == 9 && o[2] == 0x0D), "SCI level, active high");
    }

    @Test
    void hpetTableGivesBlockIdBaseAndMinimumTick() {
        byte[] h = image(PC4).table("HPET").bytes();
        ByteBuffer b = le(h);
        assertEquals(56, h.length);
        assertEquals(0x8086_A201, b.getInt(36), "event timer block id");
        assertEquals(0, h[40], "GAS in system memory");
        assertEquals(0xFED0_0000L, b.getLong(44));
        assertEquals(0, h[52], "HPET number");
        assertEquals(100, b.getShort(53), "minimum clock tick");
    }

    @Test
    void dsdtHoldsS5PciRoutingAndTheConfiguredPciHole() {
        byte[] d = image(PC4).table("DSDT").bytes();
        assertEquals(2, d[8], "revision 2: 64-bit integers");
        // Name(_S5, Package(4){0,0,0,0})
        assertTrue(contains(d, hex("08 5F53355F 12 06 04 00 00 00 00")));
        // Name(_HID, EisaId("PNP0A03"))
        assertTrue(contains(d, hex("08 5F 48 49 44 0C 41 D0 0A 03")));
        // _PRT entry Package(4){0x0002FFFF, Zero, LNKB, Zero}: slot 2 INTA is wired to PIRQB.
        assertTrue(contains(d, hex("12 0D 04 0C FFFF0200 00 4C4E4B42 00")));
        // Slot 1 INTA (the PIIX4 PM function) goes to the SCI's link: Package(4){0x0001FFFF, Zero, LNKS, Zero}.
        assertTrue(contains(d, hex("12 0D 04 0C FFFF0100 00 4C4E4B53 00")));
        // DWordMemory of the 32-bit hole: from the top of low RAM (0x20000000) to 0xFEBFFFFF.
        assertTrue(contains(d, hex("87 1700 00 0C 01 00000000 00000020 FFFFBFFE 00000000 0000C0DE")));
        // The link devices use the PIIX3 PIRQ route registers: OperationRegion(P40C, PCI_Config, 0x60, 4).
        assertTrue(contains(d, hex("5B 80 50343043 02 0A 60 0A 04")));
    }

    @Test
    void pirqWiringFollowsQemusI440fxBoard() {
        assertEquals(0, Dsdt.pirq(1, 0), "slot 1 INTA -> PIRQA");
        assertEquals(1, Dsdt.pirq(2, 0), "slot 2 INTA -> PIRQB");
        assertEquals(3, Dsdt.pirq(0, 0), "slot 0 INTA -> PIRQD");
        assertEquals(0, Dsdt.pirq(3, 2), "slot 3 INTC -> PIRQA");
    }

    @Test
    void installedTablesAreFoundTheWayAnOsScansForThem() {
        try (GuestRam ram = GuestRam.allocate(LAYOUT.belowHole())) {
            AddressSpace space = new AddressSpace(ram);
            LAYOUT.map(space);
            AcpiTables.Image img = AcpiTables.install(space, PC4, AcpiPlacement.topOfLowRam(LAYOUT));
            assertEquals(LAYOUT.belowHole() - E820Map.BIOS_HIGH_TABLES, img.tablesBase());
            assertTrue(img.tablesEnd() <= LAYOUT.belowHole());

            long rsdp = -1;
            for (long a = 0xE0000; a < 0x100000 && rsdp < 0; a += 16) {
                byte[] sig = new byte[8];
                space.readBytes(a, sig, 0, 8);
                if (ascii(sig, 0, 8).equals("RSD PTR ")) rsdp = a;
            }
            assertEquals(img.rsdpAddress(), rsdp);
            long xsdt = space.read(rsdp + 24, 8);
            int xsdtLen = (int) space.read(xsdt + 4, 4);
            byte[] x = new byte[xsdtLen];
            space.readBytes(xsdt, x, 0, xsdtLen);
            assertEquals(0, sum(x, 0, xsdtLen));
            List<String> found = new ArrayList<>();
            for (int i = 36; i < xsdtLen; i += 8) {
                long t = le(x).getLong(i);
                byte[] hdr = new byte[8];
                space.readBytes(t, hdr, 0, 8);
                byte[] table = new byte[le(hdr).getInt(4)];
                space.readBytes(t, table, 0, table.length);
                assertEquals(0, sum(table, 0, table.length), ascii(hdr, 0, 4) + " checksum in guest memory");
                found.add(ascii(hdr, 0, 4));
            }
            assertEquals(List.of("FACP", "APIC", "HPET"), found);
        }
    }

    @Test
    void installRefusesMemoryThatDropsTheWrites() {
        try (GuestRam ram = GuestRam.allocate(LAYOUT.belowHole())) {
            AddressSpace space = new AddressSpace(ram);
            LAYOUT.map(space);
            space.addRom("isa-bios", 0xE0000, 0x20000, new byte[0x20000], 1);
            assertThrows(IllegalStateException.class, () -> AcpiTables.install(space, PC4, AcpiPlacement.biosArea()));
        }
    }

    @Test
    void tablesThatDoNotFitAreRefused() {
        AcpiPlacement tiny = new AcpiPlacement(0xE0000, 0xE0040, 0xE0400);
        assertThrows(IllegalStateException.class, () -> AcpiTables.build(PC4, tiny));
        assertThrows(IllegalArgumentException.class, () -> new AcpiPlacement(0xE0008, 0xE0040, 0xF0000));
        assertThrows(IllegalArgumentException.class, () -> new AcpiPlacement(0xE0000, 0xDFFF0, 0xF0000));
        assertTrue(AcpiPlacement.biosArea().rsdpScannable());
        assertFalse(new AcpiPlacement(0x1000_0000, 0x1000_0040, 0x1001_0000).rsdpScannable());
        assertThrows(IllegalArgumentException.class, () -> new AcpiPlacement(0xE0000, 0xE0000, 0xF0000));
    }

    private static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
