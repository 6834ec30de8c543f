package dev.jvirt.devices.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.InterruptSink;
import dev.jvirt.devices.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HpetTest {
    /** Records every line change with the virtual time it happened at. */
    static final class Recorder implements InterruptSink {
        final VirtualClock clock;
        final List<long[]> events = new ArrayList<>(); // {gsi, level, ns}
        final boolean[] level = new boolean[32];

        Recorder(VirtualClock clock) { this.clock = clock; }

        @Override
        public void setIrq(int gsi, boolean l) {
            events.add(new long[] {gsi, l ? 1 : 0, clock.nanos()});
            level[gsi] = l;
        }

        /** Virtual times of rising edges on {@code gsi}. */
        List<Long> rises(int gsi) {
            List<Long> r = new ArrayList<>();
            for (long[] e : events) if (e[0] == gsi && e[1] == 1) r.add(e[2]);
            return r;
        }
    }

    private final VirtualClock clock = VirtualClock.deterministic(0);
    private final Recorder sink = new Recorder(clock);
    private final Hpet hpet = new Hpet(clock, sink, (1 << 2) | (1 << 20));

    private void run(long ns) {
        for (long i = 0; i < ns; i++) {
            clock.advanceInstructions(1);
            clock.runDue();
        }
    }

    private static long timerReg(int n, int reg) { return Hpet.REG_TIMER0 + Hpet.TIMER_STRIDE * n + reg; }

    @Test
    void capabilitiesDescribeQemusHpet() {
        long cap = hpet.read(Hpet.REG_CAPABILITIES, 8);
        assertEquals(10_000_000L, cap >>> 32, "period in femtoseconds (100 MHz)");
        assertEquals(0x8086, (cap >>> 16) & 0xFFFF);
        assertEquals(2, (cap >>> 8) & 0x1F, "NUM_TIM_CAP is the last timer's index");
        assertTrue((cap & (1 << 13)) != 0, "64-bit counter");
        assertTrue((cap & (1 << 15)) != 0, "legacy replacement capable");
        assertEquals(cap & 0xFFFF_FFFFL, hpet.read(0x000, 4));
        assertEquals(cap >>> 32, hpet.read(0x004, 4));
    }

    @Test
    void timerCapabilitiesAndResetState() {
        for (int n = 0; n < 3; n++) {
            long conf = hpet.read(timerReg(n, Hpet.TN_CONFIG), 8);
            assertEquals((1L << 2) | (1L << 20), conf >>> 32, "route capability");
            assertTrue((conf & Hpet.TN_PER_INT_CAP) != 0);
            assertTrue((conf & Hpet.TN_SIZE_CAP) != 0);
            assertEquals(0, conf & (1 << 15), "no FSB delivery");
            assertEquals(-1L, hpet.read(timerReg(n, Hpet.TN_COMPARATOR), 8), "comparators reset to all ones");
        }
        assertEquals(0, hpet.read(Hpet.REG_CONFIG, 8));
        assertEquals(0, hpet.read(Hpet.REG_COUNTER, 8));
    }

    @Test
    void counterRunsAt100MHzOnlyWhileEnabled() {
        run(1000);
        assertEquals(0, hpet.read(Hpet.REG_COUNTER, 8), "halted counter does not move");
        hpet.write(Hpet.REG_CONFIG, 4, Hpet.ENABLE_CNF);
        run(1005);
        assertEquals(100, hpet.read(Hpet.REG_COUNTER, 8));
        hpet.write(Hpet.REG_COUNTER, 8, 5); // ignored while running
        assertEquals(100, hpet.read(Hpet.REG_COUNTER, 4));
        hpet.write(Hpet.REG_CONFIG, 4, 0);
        run(500);
        assertEquals(100, hpet.read(Hpet.REG_COUNTER, 8));
        hpet.write(Hpet.REG_COUNTER + 4, 4, 0x12);
        hpet.write(Hpet.REG_COUNTER, 4, 0x3456);
        assertEquals(0x12_0000_3456L, hpet.read(Hpet.REG_COUNTER, 8));
        assertEquals(0x12, hpet.read(Hpet.REG_COUNTER + 4, 4));
    }

    @Test
    void oneShotEdgeInterruptFiresWhenCounterReachesComparator() {
        hpet.write(timerReg(2, Hpet.TN_CONFIG), 4, Hpet.TN_INT_ENB | (20 << Hpet.TN_ROUTE_SHIFT));
        hpet.write(timerReg(2, Hpet.TN_COMPARATOR), 8, 50);
        hpet.write(Hpet.REG_CONFIG, 4, Hpet.ENABLE_CNF);
        run(2000);
        assertEquals(List.of(500L), sink.rises(20), "tick 50 = 500 ns, and only once");
        assertFalse(sink.level[20], "edge mode pulses the line");
        assertEquals(0, hpet.read(Hpet.REG_STATUS, 4), "status is for level mode");
    }

    @Test
    void unsupportedRouteIsNotTaken() {
        hpet.write(timerReg(0, Hpet.TN_CONFIG), 4, 20 << Hpet.TN_ROUTE_SHIFT);
        hpet.write(timerReg(0, Hpet.TN_CONFIG), 4, 5 << Hpet.TN_ROUTE_SHIFT);
        assertEquals(20, (hpet.read(timerReg(0, Hpet.TN_CONFIG), 4) >>> Hpet.TN_ROUTE_SHIFT) & 0x1F);
    }

    @Test
    void periodicWithValSetAsLinuxProgramsIt() {
        // Linux: PERIODIC|VAL_SET|32MODE, comparator = now + delta, then comparator = delta (the period).
        hpet.write(Hpet.REG_CONFIG, 4, Hpet.ENABLE_CNF | Hpet.LEG_RT_CNF);
        hpet.write(timerReg(0, Hpet.TN_CONFIG), 4, Hpet.TN_INT_ENB | Hpet.TN_TYPE_PERIODIC | Hpet.TN_VAL_SET | Hpet.TN_32MODE);
        hpet.write(timerReg(0, Hpet.TN_COMPARATOR), 4, 100);
        hpet.write(timerReg(0, Hpet.TN_COMPARATOR), 4, 30);
        assertEquals(0, hpet.read(timerReg(0, Hpet.TN_CONFIG), 4) & Hpet.TN_VAL_SET, "VAL_SET clears itself");
        run(1700);
        assertEquals(List.of(1000L, 1300L, 1600L), sink.rises(Hpet.PIT_IRQ), "timer 0 drives IRQ 0 in legacy mode");
        assertEquals(190, hpet.read(timerReg(0, Hpet.TN_COMPARATOR), 8), "the accumulator holds the next match");
    }

    @Test
    void levelInterruptHoldsLineUntilStatusCleared() {
        hpet.write(timerReg(1, Hpet.TN_CONFIG), 4, Hpet.TN_INT_ENB | Hpet.TN_INT_TYPE_LEVEL | (2 << Hpet.TN_ROUTE_SHIFT));
        hpet.write(timerReg(1, Hpet.TN_COMPARATOR), 8, 10);
        hpet.write(Hpet.REG_CONFIG, 8, Hpet.ENABLE_CNF);
        run(150);
        assertTrue(sink.level[2]);
        assertEquals(2, hpet.read(Hpet.REG_STATUS, 4));
        hpet.write(Hpet.REG_STATUS, 4, 1); // another timer's bit: no effect
        assertTrue(sink.level[2]);
        hpet.write(Hpet.REG_STATUS, 4, 2);
        assertFalse(sink.level[2]);
        assertEquals(0, hpet.read(Hpet.REG_STATUS, 4));
    }

    @Test
    void thirtyTwoBitOneShotAlsoInterruptsOnWrap() {
        hpet.write(Hpet.REG_COUNTER, 8, 0xFFFF_FFF0L);
        hpet.write(timerReg(2, Hpet.TN_CONFIG), 4, Hpet.TN_INT_ENB | Hpet.TN_32MODE | (2 << Hpet.TN_ROUTE_SHIFT));
        hpet.write(timerReg(2, Hpet.TN_COMPARATOR), 8, 0x1_0000_0020L);
        assertEquals(0x20, hpet.read(timerReg(2, Hpet.TN_COMPARATOR), 8), "32-bit comparator has no high half");
        hpet.write(Hpet.REG_CONFIG, 4, Hpet.ENABLE_CNF);
        run(1000);
        assertEquals(List.of(160L, 480L), sink.rises(2), "wrap at 16 ticks, match at 0x20 after the wrap");
    }

    @Test
    void legacyReplacementCutsOffPitAndRtc() {
        var pit = hpet.pitInput();
        var rtc = hpet.rtcInput();
        pit.raise();
        assertTrue(sink.level[0]);
        hpet.write(Hpet.REG_CONFIG, 4, Hpet.LEG_RT_CNF);
        assertFalse(sink.level[0], "entering legacy mode releases IRQ 0 from the PIT");
        pit.lower();
        pit.raise();
        rtc.raise();
        assertFalse(sink.level[0]);
        assertFalse(sink.level[8]);
        hpet.write(Hpet.REG_CONFIG, 4, 0);
        assertTrue(sink.level[0], "the PIT's level returns");
        assertTrue(sink.level[8]);
    }

    @Test
    void saveRestoreMidPeriodContinuesExactly() {
        hpet.write(timerReg(0, Hpet.TN_CONFIG), 4, Hpet.TN_INT_ENB | Hpet.TN_TYPE_PERIODIC | Hpet.TN_VAL_SET | (2 << Hpet.TN_ROUTE_SHIFT));
        hpet.write(timerReg(0, Hpet.TN_COMPARATOR), 8, 40);
        hpet.write(timerReg(0, Hpet.TN_COMPARATOR), 8, 25);
        hpet.write(Hpet.REG_CONFIG, 4, Hpet.ENABLE_CNF);
        run(555);
        DeviceState cs = DeviceState.of(clock);
        DeviceState hs = DeviceState.of(hpet);
        run(2000);
        List<Long> expected = sink.rises(2).subList(1, sink.rises(2).size());

        VirtualClock clock2 = VirtualClock.deterministic(0);
        Recorder sink2 = new Recorder(clock2);
        Hpet copy = new Hpet(clock2, sink2, (1 << 2) | (1 << 20));
        clock2.restoreState(cs);
        copy.restoreState(hs);
        assertEquals(hpet.read(Hpet.REG_CAPABILITIES, 8), copy.read(Hpet.REG_CAPABILITIES, 8));
        for (long i = 0; i < 2000; i++) {
            clock2.advanceInstructions(1);
            clock2.runDue();
        }
        assertEquals(expected, sink2.rises(2));
        assertEquals(hpet.read(Hpet.REG_COUNTER, 8), copy.read(Hpet.REG_COUNTER, 8));
        assertEquals(hpet.read(timerReg(0, Hpet.TN_COMPARATOR), 8), copy.read(timerReg(0, Hpet.TN_COMPARATOR), 8));
    }

    @Test
    void randomAccessesNeverThrowAndResetRestoresState() {
        Random r = new Random(0x4E7);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long off = r.nextInt(8) == 0 ? r.nextLong() : r.nextInt(0x500);
            if (r.nextBoolean()) hpet.read(off, size); else hpet.write(off, size, r.nextLong());
            if ((i & 63) == 0) {
                clock.advanceInstructions(r.nextInt(10_000));
                clock.runDue();
            }
        }
        hpet.reset();
        assertEquals(0, hpet.read(Hpet.REG_CONFIG, 8));
        assertEquals(0, hpet.read(Hpet.REG_STATUS, 8));
        assertEquals(0, hpet.read(Hpet.REG_COUNTER, 8));
        for (int n = 0; n < 3; n++) {
            assertEquals(Hpet.TN_PER_INT_CAP | Hpet.TN_SIZE_CAP | (((1L << 2) | (1L << 20)) << 32), hpet.read(timerReg(n, Hpet.TN_CONFIG), 8));
            assertEquals(-1L, hpet.read(timerReg(n, Hpet.TN_COMPARATOR), 8));
        }
        for (int g = 0; g < 32; g++) assertFalse(sink.level[g], "reset leaves no line asserted: " + g);
        assertEquals(Hpet.CAPABILITIES, hpet.read(0, 8));
    }
}
