package dev.jvirt.devices.input;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.mmu.A20Gate;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class I8042Test {
    static final class Line implements dev.jvirt.devices.IrqLine {
        boolean level;
        int rises;

        @Override public void set(boolean l) {
            if (l && !level) rises++;
            level = l;
        }
    }

    static final class Machine implements MachineControl {
        int resets, powerOffs;

        @Override public void requestExit(int status) { }
        @Override public void requestReset() { resets++; }
        @Override public void requestPowerOff() { powerOffs++; }
    }

    Line irq1, irq12;
    A20Gate a20;
    Machine machine;
    I8042 kbc;
    PortSpace ports;

    @BeforeEach
    void setUp() {
        irq1 = new Line();
        irq12 = new Line();
        a20 = new A20Gate();
        machine = new Machine();
        kbc = new I8042(irq1, irq12, a20, machine);
        ports = new PortSpace();
        ports.register(0x60, 1, kbc.dataPort());
        ports.register(0x64, 1, kbc.commandPort());
    }

    int status() { return (int) ports.read(0x64, 1); }

    void command(int c) { ports.write(0x64, 1, c); }

    void data(int d) { ports.write(0x60, 1, d); }

    /** Reads every byte the controller has to give. */
    List<Integer> drain() {
        List<Integer> out = new ArrayList<>();
        while ((status() & I8042.STS_OBF) != 0) out.add((int) ports.read(0x60, 1));
        return out;
    }

    @Test
    void selfTestAndInterfaceTestsAnswerAsThe8042Does() {
        assertEquals(0, status() & I8042.STS_SYS);
        command(0xAA);
        assertEquals(List.of(0x55), drain());
        assertTrue((status() & I8042.STS_SYS) != 0, "self test sets the system flag");
        command(0xAB);
        assertEquals(List.of(0x00), drain());
        command(0xA9);
        assertEquals(List.of(0x00), drain());
    }

    @Test
    void commandByteReadsBackAndGatesInterrupts() {
        command(0x20);
        assertEquals(List.of(I8042.CB_POWER_ON), drain());
        command(0x60);
        assertTrue((status() & I8042.STS_A2) != 0, "A2 records the last write went to 0x64");
        data(0x65);
        assertEquals(0, status() & I8042.STS_A2);
        assertTrue((status() & I8042.STS_SYS) != 0, "command byte bit 2 is the system flag");
        command(0x20);
        assertTrue(irq1.level, "keyboard interrupt enabled: OBF raises IRQ 1");
        assertEquals(List.of(0x65), drain());
        assertFalse(irq1.level, "reading the output buffer lowers IRQ 1");
        command(0x60);
        data(0x64);
        command(0x20);
        assertFalse(irq1.level, "no IRQ 1 with interrupts disabled");
        assertEquals(List.of(0x64), drain());
    }

    @Test
    void keyboardResetEchoIdentifyAndScanSet() {
        data(0xFF);
        assertEquals(List.of(0xFA, 0xAA), drain());
        data(0xEE);
        assertEquals(List.of(0xEE), drain());
        data(0xF2);
        assertEquals(List.of(0xFA, 0xAB, 0x83), drain());
        data(0xF0);
        data(0x00);
        assertEquals(List.of(0xFA, 0xFA, 0x02), drain());
        data(0xF0);
        data(0x01);
        assertEquals(List.of(0xFA, 0xFA), drain());
        assertEquals(1, kbc.keyboard().scanSet());
        data(0xED);
        data(0x07);
        assertEquals(List.of(0xFA, 0xFA), drain());
        assertEquals(7, kbc.keyboard().leds());
        data(0xF3);
        data(0x20);
        assertEquals(List.of(0xFA, 0xFA), drain());
        assertEquals(0x20, kbc.keyboard().typematic());
        data(0xF6);
        assertEquals(List.of(0xFA), drain());
        assertEquals(2, kbc.keyboard().scanSet());
        assertEquals(Ps2Keyboard.DEFAULT_TYPEMATIC, kbc.keyboard().typematic());
        data(0xFE);
        assertEquals(List.of(0xFA), drain(), "resend repeats the last byte");
    }

    @Test
    void identifyIsTranslatedLikeEveryKeyboardByte() {
        command(0x60);
        data(0x41); // translation + keyboard interrupt
        data(0xF2);
        assertEquals(List.of(0xFA, 0xAB, 0x41), drain());
        data(0xF0);
        data(0x00);
        assertEquals(List.of(0xFA, 0xFA, 0x41), drain(), "set 2 reported through translation");
    }

    @Test
    void keysInSet2AndTranslatedToSet1() {
        kbc.keyDown(0x1E); // A
        kbc.keyUp(0x1E);
        kbc.keyDown(0xE048); // Up
        kbc.keyUp(0xE048);
        assertEquals(List.of(0x1C, 0xF0, 0x1C, 0xE0, 0x75, 0xE0, 0xF0, 0x75), drain());
        command(0x60);
        data(0x41);
        kbc.keyDown(0x1E);
        kbc.keyUp(0x1E);
        kbc.keyDown(0xE048);
        kbc.keyUp(0xE048);
        kbc.keyDown(0x41); // F7, 0x83 in set 2
        assertEquals(List.of(0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8, 0x41), drain());
    }

    @Test
    void keysInSet1WithoutTranslation() {
        data(0xF0);
        data(0x01);
        drain();
        kbc.keyDown(0x2A);
        kbc.keyUp(0xE01D);
        assertEquals(List.of(0x2A, 0xE0, 0x9D), drain());
    }

    @Test
    void disabledScanningDropsKeysAndDisabledInterfaceHoldsThem() {
        data(0xF5);
        drain();
        kbc.keyDown(0x1E);
        assertEquals(List.of(), drain());
        data(0xF4);
        drain();
        command(0xAD);
        kbc.keyDown(0x1E);
        assertEquals(List.of(), drain(), "keyboard interface disabled");
        command(0xAE);
        assertEquals(List.of(0x1C), drain(), "held byte delivered once re-enabled");
    }

    @Test
    void outputBufferQueuesBurstsWithoutLoss() {
        for (int i = 0; i < 40; i++) kbc.keyDown(0x10 + (i % 10));
        List<Integer> got = drain();
        assertEquals(40, got.size());
        assertEquals(ScanCodes.SET1_TO_SET2[0x10], got.get(0));
        assertEquals(ScanCodes.SET1_TO_SET2[0x19], got.get(39));
    }

    @Test
    void mouseResetIdAndStreamPackets() {
        command(0xA8);
        command(0xD4);
        data(0xFF);
        assertTrue(irq12.level, "mouse bytes raise IRQ 12");
        assertFalse(irq1.level);
        assertTrue((status() & I8042.STS_AUXB) != 0);
        assertEquals(List.of(0xFA, 0xAA, 0x00), drain());
        assertFalse(irq12.level);
        command(0xD4);
        data(0xF2);
        assertEquals(List.of(0xFA, 0x00), drain());
        command(0xD4);
        data(0xF4);
        assertEquals(List.of(0xFA), drain());
        kbc.mouseMove(5, 3, Ps2Mouse.BUTTON_LEFT);
        assertEquals(List.of(0x08 | 0x01 | 0x20, 5, 0xFD), drain(), "Y points up in PS/2 packets");
        kbc.mouseMove(-300, 0, 0);
        assertEquals(List.of(0x18, 0x00, 0x00, 0x18, 0xD4, 0x00), drain(), "large moves split, none lost");
    }

    @Test
    void mouseSettingsAndStatusRequest() {
        command(0xD4); data(0xF3); command(0xD4); data(40);
        command(0xD4); data(0xE8); command(0xD4); data(3);
        command(0xD4); data(0xE7);
        command(0xD4); data(0xE9);
        assertEquals(List.of(0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x10, 3, 40), drain());
    }

    void aux(int b) {
        command(0xD4);
        data(b);
    }

    @Test
    void mouseRemoteModeWrapModeAndScaling() {
        aux(0xF4);
        aux(0xF0); // remote mode: motion is held until read data
        drain();
        kbc.mouseMove(4, 0, 0);
        assertEquals(List.of(), drain());
        aux(0xEB);
        assertEquals(List.of(0xFA, 0x08, 4, 0), drain(), "remote packets are never scaled");
        aux(0xEA);
        aux(0xE7); // 2:1 scaling in stream mode
        drain();
        kbc.mouseMove(4, 0, 0);
        kbc.mouseMove(-10, 0, 0);
        assertEquals(List.of(0x08, 6, 0, 0x18, 0xEC, 0), drain(), "4 -> 6, -10 -> -20");
        aux(0xEE); // wrap mode echoes bytes
        aux(0x12);
        aux(0xEC);
        assertEquals(List.of(0xFA, 0x12, 0xFA), drain());
        aux(0x12);
        assertEquals(List.of(0xFE), drain(), "unknown command once out of wrap mode");
    }

    @Test
    void intelliMouseKnockChangesIdAndAddsWheelByte() {
        for (int rate : new int[] {200, 100, 80}) {
            command(0xD4); data(0xF3); command(0xD4); data(rate);
        }
        command(0xD4); data(0xF2);
        command(0xD4); data(0xF4);
        List<Integer> got = drain();
        assertEquals(List.of(0xFA, 0x03, 0xFA), got.subList(6, 9));
        kbc.mouseMove(1, 0, -1, 0);
        assertEquals(List.of(0x08, 1, 0, 0xFF), drain());
    }

    @Test
    void disabledAuxHoldsMouseBytesAndCommandByteGatesIrq12() {
        command(0xA7);
        command(0xD4);
        data(0xF2);
        assertEquals(List.of(), drain());
        command(0xA8);
        assertEquals(List.of(0xFA, 0x00), drain());
        command(0xD3);
        data(0x5A);
        assertTrue(irq12.level);
        assertTrue((status() & I8042.STS_AUXB) != 0);
        assertEquals(List.of(0x5A), drain());
        command(0xD2);
        data(0x33);
        assertTrue(irq1.level);
        assertEquals(List.of(0x33), drain());
    }

    @Test
    void outputPortDrivesA20AndReset() {
        a20.set(false);
        command(0xD0);
        assertEquals(List.of(I8042.OUT_POWER_ON), drain());
        command(0xD1);
        data(0xDD);
        assertFalse(a20.enabled());
        command(0xD1);
        data(0xDF);
        assertTrue(a20.enabled());
        assertEquals(0, machine.resets);
        command(0xD0);
        assertEquals(List.of(0xCF), drain(), "bits 4/5 show the output buffer state, now empty");
        command(0xD1);
        data(0xDE);
        assertEquals(1, machine.resets, "output port bit 0 low is the CPU reset");
        command(0xDD);
        assertFalse(a20.enabled());
        command(0xDF);
        assertTrue(a20.enabled());
        command(0xFF);
        assertEquals(1, machine.resets, "0xFF pulses no line");
        command(0xFE);
        assertEquals(2, machine.resets);
    }

    @Test
    void saveRestoreMidCommandContinuesExactly() {
        kbc.keyDown(0x1E);
        kbc.keyDown(0x1F);
        command(0xD4);
        data(0xF3); // mouse now waits for the sample rate parameter
        command(0x60); // controller waits for the command byte
        DeviceState st = DeviceState.of(kbc);

        Line l1 = new Line(), l12 = new Line();
        I8042 copy = new I8042(l1, l12, new A20Gate(), machine);
        copy.restoreState(st);
        assertTrue(l1.level, "restored OBF with keyboard data drives IRQ 1");
        for (I8042 k : new I8042[] {kbc, copy}) {
            k.write(0, 1, 0x43);
            k.write(4, 1, 0xD4);
            k.write(0, 1, 20);
        }
        List<Integer> a = new ArrayList<>(), b = new ArrayList<>();
        while ((kbc.read(4, 1) & 1) != 0) a.add((int) kbc.read(0, 1));
        while ((copy.read(4, 1) & 1) != 0) b.add((int) copy.read(0, 1));
        assertEquals(a, b);
        // 0x1C was already in the output buffer; 0x1B passes translation, now on, as 0x1F.
        assertEquals(List.of(0x1C, 0x1F, 0xFA, 0xFA), a);
        assertEquals(20, copy.mouse().sampleRate());
    }

    @Test
    void randomAccessesNeverThrowAndResetRestoresPowerOnState() {
        Random rnd = new Random(8042);
        for (int i = 0; i < 100_000; i++) {
            int off = rnd.nextInt(8);
            int size = 1 << rnd.nextInt(4);
            if (rnd.nextBoolean()) kbc.read(off, size); else kbc.write(off, size, rnd.nextLong());
            if (rnd.nextInt(64) == 0) kbc.keyDown(rnd.nextInt(0x10000));
            if (rnd.nextInt(64) == 0) kbc.mouseMove(rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt());
        }
        kbc.reset();
        assertEquals(I8042.STS_INH, status());
        assertFalse(irq1.level);
        assertFalse(irq12.level);
        assertTrue(a20.enabled());
        command(0x20);
        assertEquals(List.of(I8042.CB_POWER_ON), drain());
        data(0xF2);
        assertEquals(List.of(0xFA, 0xAB, 0x83), drain());
    }
}
