package dev.jvirt.devices.misc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.devices.timer.I8254Pit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Port61Test {
    private VirtualClock clock;
    private I8254Pit pit;
    private Port61 port;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.deterministic(0);
        pit = new I8254Pit(clock, IrqLine.NONE);
        port = new Port61(clock, pit);
    }

    private void advance(long ns) {
        clock.advanceInstructions(ns);
        clock.runDue();
    }

    /** Counter 2, mode 0 (interrupt on terminal count), LSB then MSB. */
    private static void programCounter2(I8254Pit p, int count) {
        p.write(3, 1, 0xB0);
        p.write(2, 1, count & 0xFF);
        p.write(2, 1, count >> 8);
    }

    @Test
    void writtenBitsReadBackAndUpperBitsAreStatus() {
        port.write(0, 1, 0xFF);
        assertEquals(0x0F, port.read(0, 1) & 0xCF, "bits 0-3 as written; 6/7 no NMI source");
        assertTrue(port.speakerDataEnabled());
        port.write(0, 1, 0x02);
        assertEquals(0x02, port.read(0, 1) & 0xCF);
        assertEquals(0xFFFF_FF00L, port.read(0, 4) & 0xFFFF_FF00L, "nothing beyond port 0x61");
    }

    @Test
    void refreshBitTogglesEvery15085ns() {
        long prev = port.read(0, 1) & 0x10;
        int toggles = 0;
        for (long t = 1; t <= 1_000_000; t++) {
            advance(1);
            long bit = port.read(0, 1) & 0x10;
            if (bit != prev) {
                toggles++;
                assertEquals(0, clock.nanos() % 15_085, "toggles on the 15.085 us grid");
            }
            prev = bit;
        }
        assertEquals(1_000_000 / 15_085, toggles);
    }

    @Test
    void gateBitDrivesTimer2AndBit5ShowsItsOutput() {
        programCounter2(pit, 100);
        advance(1_000_000);
        assertEquals(0, port.read(0, 1) & 0x20, "gate low: counter 2 holds, OUT low");
        port.write(0, 1, 0x01);
        advance(99 * 839);
        assertEquals(0, port.read(0, 1) & 0x20);
        advance(2 * 839);
        assertEquals(0x20, port.read(0, 1) & 0x20, "terminal count reached after 100 pulses with the gate high");
        // The Linux PIT calibration loop: gate high, mode 0 count, poll bit 5.
        programCounter2(pit, 0xFFFF);
        long start = clock.nanos();
        while ((port.read(0, 1) & 0x20) == 0) advance(1000);
        long elapsed = clock.nanos() - start;
        assertTrue(Math.abs(elapsed - 65_535L * 1_000_000_000L / 1_193_182L) < 3_000, "55 ms at 1.193182 MHz, was " + elapsed);
    }

    @Test
    void resetClearsTheLatchAndTheGate() {
        port.write(0, 1, 0x0F);
        port.reset();
        assertEquals(0, port.read(0, 1) & 0xCF);
        assertFalse(port.speakerDataEnabled());
        programCounter2(pit, 10);
        advance(100_000);
        assertEquals(0, port.read(0, 1) & 0x20, "gate is low after reset");
    }

    @Test
    void saveRestoreContinuesExactly() {
        port.write(0, 1, 0x03);
        programCounter2(pit, 5000);
        advance(2_345_678);
        DeviceState cs = DeviceState.of(clock);
        DeviceState ps = DeviceState.of(pit);
        DeviceState ss = DeviceState.of(port);
        VirtualClock clock2 = VirtualClock.deterministic(0);
        clock2.restoreState(cs);
        I8254Pit pit2 = new I8254Pit(clock2, IrqLine.NONE);
        Port61 port2 = new Port61(clock2, pit2);
        pit2.restoreState(ps);
        port2.restoreState(ss);
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            advance(3_001);
            clock2.advanceInstructions(3_001);
            clock2.runDue();
            a.add(port.read(0, 1));
            b.add(port2.read(0, 1));
        }
        assertEquals(a, b);
        assertEquals(0, a.getFirst() & 0x20);
        assertEquals(0x20, a.getLast() & 0x20, "OUT rose during the run");
    }

    @Test
    void randomAccessNeverThrowsAndResetRestoresState() {
        Random r = new Random(0x61);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long offset = r.nextInt(3) - 1 + (r.nextInt(50) == 0 ? r.nextLong() : 0);
            if (r.nextBoolean()) port.write(offset, size, r.nextLong());
            else port.read(offset, size);
            if (r.nextInt(4) == 0) advance(r.nextInt(20_000));
        }
        port.reset();
        assertEquals(0, port.read(0, 1) & 0xCF);
        assertEquals(0xFF, port.read(1, 1));
    }
}
