package dev.jvirt.devices.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.VirtualClock;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IoApicTest {
    private final VirtualClock clock = VirtualClock.deterministic(0);
    private final ApicBus bus = new ApicBus();
    private final RecordingSignals cpu0 = new RecordingSignals();
    private final RecordingSignals cpu1 = new RecordingSignals();
    private final LocalApic lapic0 = new LocalApic(bus, clock, 0, true, cpu0);
    private final LocalApic lapic1 = new LocalApic(bus, clock, 1, false, cpu1);
    private final IoApic ioapic = new IoApic(bus);

    IoApicTest() {
        lapic0.write(LocalApic.REG_SVR, 4, 0x1FF);
        lapic1.write(LocalApic.REG_SVR, 4, 0x1FF);
    }

    private int readReg(int reg) {
        ioapic.write(IoApic.IOREGSEL, 4, reg);
        return (int) ioapic.read(IoApic.IOWIN, 4);
    }

    private void writeReg(int reg, int value) {
        ioapic.write(IoApic.IOREGSEL, 4, reg);
        ioapic.write(IoApic.IOWIN, 4, value & 0xFFFF_FFFFL);
    }

    private void program(int pin, long entry) {
        writeReg(IoApic.REG_REDTBL + 2 * pin + 1, (int) (entry >>> 32));
        writeReg(IoApic.REG_REDTBL + 2 * pin, (int) entry);
    }

    private static long entry(int vector, int mode, boolean level, int dest) {
        return vector | ((long) mode << 8) | (level ? IoApic.RTE_TRIGGER_LEVEL : 0) | ((long) dest << 56);
    }

    @Test
    void identificationRegisters() {
        assertEquals(0x0017_0020, readReg(IoApic.REG_VERSION), "24 entries, version 0x20");
        writeReg(IoApic.REG_ID, 0x0F00_0000);
        assertEquals(0x0F00_0000, readReg(IoApic.REG_ID));
        assertEquals(0x0F00_0000, readReg(IoApic.REG_ARBITRATION));
        IoApic old = new IoApic(bus, IoApic.VERSION_82093AA, "ioapic-old");
        old.write(IoApic.IOREGSEL, 4, IoApic.REG_VERSION);
        assertEquals(0x0017_0011, old.read(IoApic.IOWIN, 4));
        ioapic.write(IoApic.IOREGSEL, 4, 0x12);
        assertEquals(0x12, ioapic.read(IoApic.IOREGSEL, 4));
    }

    @Test
    void redirectionEntriesResetMaskedAndKeepReadOnlyBits() {
        for (int pin = 0; pin < IoApic.PINS; pin++) {
            assertEquals(0x0001_0000, readReg(IoApic.REG_REDTBL + 2 * pin));
            assertEquals(0, readReg(IoApic.REG_REDTBL + 2 * pin + 1));
        }
        writeReg(IoApic.REG_REDTBL + 6, 0xFFFF_FFFF);
        writeReg(IoApic.REG_REDTBL + 7, 0xFFFF_FFFF);
        assertEquals(0x0001_AFFF, readReg(IoApic.REG_REDTBL + 6), "delivery status and remote IRR are read-only");
        assertEquals(0xFF00_0000, readReg(IoApic.REG_REDTBL + 7));
    }

    @Test
    void edgeInterruptIsDeliveredOnRisingEdgeOnly() {
        program(4, entry(0x34, ApicBus.DM_FIXED, false, 1));
        ioapic.setIrq(4, true);
        ioapic.setIrq(4, true);
        assertTrue(lapic1.intrPending());
        assertFalse(lapic0.intrPending());
        assertEquals(0x34, lapic1.acknowledge());
        assertFalse(lapic1.intrPending(), "a held line is one edge");
        lapic1.write(LocalApic.REG_EOI, 4, 0);
        ioapic.setIrq(4, false);
        ioapic.setIrq(4, true);
        assertEquals(0x34, lapic1.acknowledge());
    }

    @Test
    void edgeOnMaskedPinIsLost() {
        program(5, entry(0x35, ApicBus.DM_FIXED, false, 0) | IoApic.RTE_MASK);
        ioapic.setIrq(5, true);
        program(5, entry(0x35, ApicBus.DM_FIXED, false, 0));
        assertFalse(lapic0.intrPending());
    }

    @Test
    void levelInterruptSetsRemoteIrrAndRedeliversAfterEoiWhileAsserted() {
        program(10, entry(0x50, ApicBus.DM_FIXED, true, 0));
        ioapic.setIrq(10, true);
        assertTrue((ioapic.redirectionEntry(10) & IoApic.RTE_REMOTE_IRR) != 0);
        assertEquals(0x50, lapic0.acknowledge());
        ioapic.setIrq(10, true);
        assertFalse(lapic0.intrPending(), "no new message while remote IRR is set");
        lapic0.write(LocalApic.REG_EOI, 4, 0);
        assertTrue(lapic0.intrPending(), "the EOI broadcast re-delivers the still-asserted line");
        assertEquals(0x50, lapic0.acknowledge());
        ioapic.setIrq(10, false);
        lapic0.write(LocalApic.REG_EOI, 4, 0);
        assertEquals(0, ioapic.redirectionEntry(10) & IoApic.RTE_REMOTE_IRR);
        assertFalse(lapic0.intrPending());
    }

    @Test
    void maskedLevelLineIsDeliveredWhenUnmasked() {
        program(11, entry(0x51, ApicBus.DM_FIXED, true, 0) | IoApic.RTE_MASK);
        ioapic.setIrq(11, true);
        assertFalse(lapic0.intrPending());
        program(11, entry(0x51, ApicBus.DM_FIXED, true, 0));
        assertEquals(0x51, lapic0.acknowledge());
    }

    @Test
    void eoiRegisterOfVersion20ClearsRemoteIrr() {
        program(12, entry(0x52, ApicBus.DM_FIXED, true, 0));
        ioapic.setIrq(12, true);
        lapic0.acknowledge();
        ioapic.setIrq(12, false);
        ioapic.write(IoApic.EOI, 4, 0x99);
        assertTrue((ioapic.redirectionEntry(12) & IoApic.RTE_REMOTE_IRR) != 0, "another vector's EOI");
        ioapic.write(IoApic.EOI, 4, 0x52);
        assertEquals(0, ioapic.redirectionEntry(12) & IoApic.RTE_REMOTE_IRR);
    }

    @Test
    void logicalAndLowestPriorityDestinations() {
        lapic0.write(LocalApic.REG_LDR, 4, 0x0100_0000);
        lapic1.write(LocalApic.REG_LDR, 4, 0x0200_0000);
        program(1, entry(0x41, ApicBus.DM_FIXED, false, 0x02) | IoApic.RTE_DEST_MODE);
        ioapic.setIrq(1, true);
        assertFalse(lapic0.intrPending());
        assertEquals(0x41, lapic1.acknowledge());
        lapic1.write(LocalApic.REG_EOI, 4, 0);

        lapic0.write(LocalApic.REG_TPR, 4, 0x20);
        program(2, entry(0x42, ApicBus.DM_LOWEST_PRIORITY, false, 0x03) | IoApic.RTE_DEST_MODE);
        ioapic.setIrq(2, true);
        assertFalse(lapic0.intrPending());
        assertEquals(0x42, lapic1.acknowledge(), "the APIC with the lower priority takes it");
    }

    @Test
    void nmiInitAndExtIntModes() {
        program(3, entry(0, ApicBus.DM_NMI, false, 0xFF));
        ioapic.setIrq(3, true);
        assertTrue(lapic0.takeNmi());
        assertTrue(lapic1.takeNmi());

        program(6, entry(0, ApicBus.DM_INIT, false, 1));
        ioapic.setIrq(6, true);
        assertEquals(1, cpu1.inits);
        assertEquals(0, cpu0.inits);

        boolean[] picIntr = {true};
        int[] inta = {0};
        lapic0.connectPic(() -> picIntr[0], () -> { inta[0]++; return 0x08; });
        lapic0.write(LocalApic.REG_LVT_TIMER + 0x30, 4, 0x0001_0700); // LINT0 masked: no virtual wire
        assertFalse(lapic0.intrPending());
        program(0, entry(0, ApicBus.DM_EXTINT, false, 0));
        ioapic.setIrq(0, true);
        assertTrue(lapic0.intrPending());
        assertEquals(0x08, lapic0.acknowledge(), "the vector comes from the PIC's INTA");
        assertEquals(1, inta[0]);
        assertFalse(lapic0.intrPending());
    }

    @Test
    void saveRestoreKeepsRemoteIrrAndLineLevels() {
        program(9, entry(0x59, ApicBus.DM_FIXED, true, 0));
        ioapic.setIrq(9, true);
        assertEquals(0x59, lapic0.acknowledge());
        DeviceState s = DeviceState.of(ioapic);

        ApicBus bus2 = new ApicBus();
        LocalApic l2 = new LocalApic(bus2, clock, 0, true, new RecordingSignals());
        l2.write(LocalApic.REG_SVR, 4, 0x1FF);
        IoApic copy = new IoApic(bus2);
        copy.restoreState(s);
        copy.eoi(0x59);
        assertEquals(0x59, l2.acknowledge(), "the line held across the snapshot is re-delivered");
        assertTrue((copy.redirectionEntry(9) & IoApic.RTE_REMOTE_IRR) != 0);
    }

    @Test
    void randomAccessesNeverThrowAndResetRestoresState() {
        Random r = new Random(0x10A);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long off = r.nextInt(8) == 0 ? r.nextLong() : r.nextInt(0x1000);
            if (r.nextInt(3) == 0) off &= 0x50;
            switch (r.nextInt(3)) {
                case 0 -> ioapic.read(off, size);
                case 1 -> ioapic.write(off, size, r.nextLong());
                default -> ioapic.setIrq(r.nextInt(40) - 8, r.nextBoolean());
            }
            if ((i & 255) == 0) {
                lapic0.acknowledge();
                lapic0.write(LocalApic.REG_EOI, 4, 0);
            }
        }
        ioapic.reset();
        assertEquals(0, ioapic.read(IoApic.IOREGSEL, 4));
        assertEquals(0, readReg(IoApic.REG_ID));
        assertEquals(0x0017_0020, readReg(IoApic.REG_VERSION));
        for (int pin = 0; pin < IoApic.PINS; pin++) {
            assertEquals(0x0001_0000, readReg(IoApic.REG_REDTBL + 2 * pin));
            assertEquals(0, readReg(IoApic.REG_REDTBL + 2 * pin + 1));
        }
    }
}
