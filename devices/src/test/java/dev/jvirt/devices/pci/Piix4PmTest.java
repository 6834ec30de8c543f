package dev.jvirt.devices.pci;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Piix4PmTest {
    static final int BASE = Piix4Pm.DEFAULT_PM_BASE;

    static final class Machine implements MachineControl {
        int powerOffs;

        @Override public void requestExit(int status) { }
        @Override public void requestReset() { }
        @Override public void requestPowerOff() { powerOffs++; }
    }

    GuestRam ram;
    VirtualClock clock;
    PortSpace ports;
    PciBus bus;
    Machine machine;
    boolean[] sci;
    Piix4Pm pm;

    @BeforeEach
    void setUp() {
        ram = GuestRam.allocate(1 << 20);
        clock = VirtualClock.deterministic(0);
        ports = new PortSpace();
        bus = new PciBus();
        bus.setMapper(new PciIoMapper(ports, new AddressSpace(ram)));
        machine = new Machine();
        sci = new boolean[1];
        pm = new Piix4Pm(clock, l -> sci[0] = l, machine);
        bus.add(1, 3, pm);
        ports.register(Piix4Pm.GPE0_PORT, Piix4Pm.GPE0_LENGTH, pm.gpe0Port());
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    @Test
    void identityAndPmBlockDecodedOnlyWhenEnabled() {
        assertEquals(0x7113_8086L, pm.readConfig(0, 4));
        assertEquals(0x0680_0003L, pm.readConfig(0x08, 4));
        assertEquals(0x01, pm.readConfig(Piix4Pm.PMBA, 4), "I/O space indicator");
        pm.writeConfig(Piix4Pm.PMBA, 4, BASE | 0x3F);
        assertEquals(BASE | 1, pm.readConfig(Piix4Pm.PMBA, 4), "64-byte aligned base");
        assertFalse(ports.isClaimed(BASE), "PMIOSE still clear");
        pm.writeConfig(Piix4Pm.PMREGMISC, 1, 1);
        assertTrue(ports.isClaimed(BASE));
        assertEquals(BASE, pm.pmBase());
        pm.writeConfig(Piix4Pm.PMBA, 4, 0xB000);
        assertFalse(ports.isClaimed(BASE));
        assertTrue(ports.isClaimed(0xB000 + 63));
        pm.writeConfig(Piix4Pm.PMREGMISC, 1, 0);
        assertFalse(ports.isClaimed(0xB000));
    }

    @Test
    void pmTimerCountsAt3579545HzOfVirtualTimeIn24Bits() {
        pm.enablePmIo(BASE);
        assertEquals(0, ports.read(BASE + 8, 4));
        clock.advanceInstructions(1_000_000_000L);
        assertEquals(3_579_545, ports.read(BASE + 8, 4));
        clock.advanceInstructions(4_000_000_000L);
        assertEquals((5 * 3_579_545L) & 0xFF_FFFF, ports.read(BASE + 8, 4), "wraps at 24 bits");
        assertEquals(ports.read(BASE + 8, 4) & 0xFFFF, ports.read(BASE + 8, 2));
    }

    @Test
    void timerStatusSetsOnBit23ToggleAndRaisesSciWhenEnabled() {
        pm.enablePmIo(BASE);
        long toggle = Piix4Pm.nsAtTick(1 << 23);
        ports.write(BASE + 2, 2, Piix4Pm.TMR_EN);
        clock.advanceInstructions(toggle - 1);
        clock.runDue();
        assertEquals(0, ports.read(BASE, 2) & Piix4Pm.TMR_STS);
        assertFalse(sci[0]);
        assertEquals(toggle, clock.nextDeadline());
        clock.advanceInstructions(1);
        clock.runDue();
        assertTrue(sci[0]);
        assertEquals((1 << 23), ports.read(BASE + 8, 4));
        assertEquals(Piix4Pm.TMR_STS, ports.read(BASE, 2) & Piix4Pm.TMR_STS);
        ports.write(BASE, 2, Piix4Pm.TMR_STS);
        assertEquals(0, ports.read(BASE, 2) & Piix4Pm.TMR_STS, "write 1 to clear");
        assertFalse(sci[0]);
        assertEquals(Piix4Pm.nsAtTick(2 << 23), clock.nextDeadline(), "next toggle armed");
    }

    @Test
    void timerStatusSetsEvenWithTheInterruptDisabled() {
        pm.enablePmIo(BASE);
        clock.advanceInstructions(Piix4Pm.nsAtTick(1 << 23));
        assertEquals(Piix4Pm.TMR_STS, ports.read(BASE, 2) & Piix4Pm.TMR_STS);
        assertFalse(sci[0]);
    }

    @Test
    void powerButtonStatusEnableAndSci() {
        pm.enablePmIo(BASE);
        pm.pressPowerButton();
        assertEquals(Piix4Pm.PWRBTN_STS, ports.read(BASE, 2));
        assertFalse(sci[0], "PWRBTN_EN clear");
        ports.write(BASE, 4, (long) Piix4Pm.PWRBTN_EN << 16);
        assertTrue(sci[0], "enabling a pending event raises the SCI");
        assertEquals(Piix4Pm.PWRBTN_EN, ports.read(BASE + 2, 2));
        ports.write(BASE, 2, Piix4Pm.PWRBTN_STS);
        assertFalse(sci[0]);
        assertEquals(0, ports.read(BASE, 2));
    }

    @Test
    void sleepEnableWithS5TypePowersOff() {
        pm.enablePmIo(BASE);
        ports.write(BASE + 4, 2, Piix4Pm.SCI_EN | (1 << 10));
        assertEquals(Piix4Pm.SCI_EN | (1 << 10), ports.read(BASE + 4, 2));
        ports.write(BASE + 4, 2, (1 << 10) | Piix4Pm.SLP_EN);
        assertEquals(0, machine.powerOffs, "S3 is not S5");
        assertEquals(0, ports.read(BASE + 4, 2) & Piix4Pm.SLP_EN, "SLP_EN is write-only");
        ports.write(BASE + 4, 2, (Piix4Pm.SLP_TYP_S5 << 10) | Piix4Pm.SLP_EN);
        assertEquals(1, machine.powerOffs);
    }

    @Test
    void apmControlPortSwitchesAcpiMode() {
        pm.enablePmIo(BASE);
        ports.register(Piix4Pm.APM_PORT, Piix4Pm.APM_LENGTH, pm.apmPort());
        ports.write(Piix4Pm.APM_PORT, 1, Piix4Pm.ACPI_ENABLE);
        assertEquals(Piix4Pm.SCI_EN, ports.read(BASE + 4, 2) & Piix4Pm.SCI_EN);
        assertEquals(Piix4Pm.ACPI_ENABLE, ports.read(Piix4Pm.APM_PORT, 1));
        ports.write(Piix4Pm.APM_PORT + 1, 1, 0x5A);
        assertEquals(0x5AF1, ports.read(Piix4Pm.APM_PORT, 2));
        ports.write(Piix4Pm.APM_PORT, 1, Piix4Pm.ACPI_DISABLE);
        assertEquals(0, ports.read(BASE + 4, 2) & Piix4Pm.SCI_EN);
    }

    @Test
    void gpe0StatusAndEnable() {
        pm.raiseGpe(1);
        assertEquals(0x0002, ports.read(Piix4Pm.GPE0_PORT, 2));
        assertFalse(sci[0]);
        ports.write(Piix4Pm.GPE0_PORT + 2, 2, 0x0002);
        assertTrue(sci[0]);
        assertEquals(0x0002_0002L, ports.read(Piix4Pm.GPE0_PORT, 4));
        ports.write(Piix4Pm.GPE0_PORT, 1, 0x02);
        assertFalse(sci[0]);
    }

    @Test
    void saveRestoreMidCountContinuesExactly() {
        pm.enablePmIo(BASE);
        ports.write(BASE + 2, 2, Piix4Pm.TMR_EN);
        pm.pressPowerButton();
        clock.advanceInstructions(Piix4Pm.nsAtTick(1 << 23) / 2);
        DeviceState clockState = DeviceState.of(clock), pmState = DeviceState.of(pm);

        VirtualClock clock2 = VirtualClock.deterministic(0);
        clock2.restoreState(clockState);
        PortSpace ports2 = new PortSpace();
        PciBus bus2 = new PciBus();
        bus2.setMapper(new PciIoMapper(ports2, new AddressSpace(ram)));
        boolean[] sci2 = new boolean[1];
        Piix4Pm pm2 = new Piix4Pm(clock2, l -> sci2[0] = l, machine);
        bus2.add(1, 3, pm2);
        pm2.restoreState(pmState);

        assertEquals(ports.read(BASE + 8, 4), ports2.read(BASE + 8, 4));
        assertEquals(ports.read(BASE, 4), ports2.read(BASE, 4));
        assertEquals(clock.nextDeadline(), clock2.nextDeadline(), "overflow timer re-armed");
        long step = Piix4Pm.nsAtTick(1 << 23);
        clock.advanceInstructions(step);
        clock2.advanceInstructions(step);
        clock.runDue();
        clock2.runDue();
        assertTrue(sci2[0]);
        assertEquals(ports.read(BASE, 4), ports2.read(BASE, 4));
        assertEquals(ports.read(BASE + 8, 4), ports2.read(BASE + 8, 4));
    }

    @Test
    void randomAccessesNeverThrowAndResetRestoresPowerOnState() {
        pm.enablePmIo(BASE);
        Random rnd = new Random(0x600);
        for (int i = 0; i < 100_000; i++) {
            int size = 1 << rnd.nextInt(4);
            long v = rnd.nextLong();
            switch (rnd.nextInt(5)) {
                case 4 -> pm.apmPort().write(rnd.nextInt(4), size, v);
                case 0 -> pm.pmBlockHandler().read(rnd.nextInt(80) - 8, size);
                case 1 -> pm.pmBlockHandler().write(rnd.nextInt(80) - 8, size, v & ~((long) Piix4Pm.SLP_EN << 32 | Piix4Pm.SLP_EN));
                case 2 -> pm.gpe0Port().write(rnd.nextInt(6), size, v);
                default -> pm.writeConfig(rnd.nextInt(300) - 20, size, v);
            }
            clock.advanceInstructions(rnd.nextInt(100_000));
            clock.runDue();
        }
        bus.reset();
        assertEquals(0x01, pm.readConfig(Piix4Pm.PMBA, 4));
        assertEquals(0, pm.readConfig(Piix4Pm.PMREGMISC, 1));
        assertEquals(PciRegion.UNMAPPED, pm.pmBase());
        assertEquals(0, pm.pmBlockHandler().read(0, 4) & 0xFFFF_FFFEL, "PM1 status (bar TMR_STS) and enable clear");
        assertEquals(0, pm.pmBlockHandler().read(4, 2));
        assertEquals(0, pm.gpe0Port().read(0, 4));
        assertEquals(0, pm.apmPort().read(0, 2));
        assertFalse(sci[0]);
    }
}
