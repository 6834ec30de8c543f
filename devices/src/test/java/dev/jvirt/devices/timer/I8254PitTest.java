package dev.jvirt.devices.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.devices.pic.DualPic;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class I8254PitTest {
    private static final int CH0 = 0;
    private static final int CH2 = 2;
    private static final int CTRL = 3;

    private VirtualClock clock;
    private I8254Pit pit;
    private List<long[]> edges; // {nanos, level}

    @BeforeEach
    void setUp() {
        clock = VirtualClock.deterministic(0);
        edges = new ArrayList<>();
        pit = newPit(clock, edges);
    }

    private static I8254Pit newPit(VirtualClock c, List<long[]> log) {
        return new I8254Pit(c, level -> log.add(new long[] {c.nanos(), level ? 1 : 0}));
    }

    /** Runs the machine to {@code ns}, stopping at each timer deadline so callbacks see their own time. */
    private static void runUntil(VirtualClock c, long ns) {
        if (ns < c.nanos()) throw new IllegalArgumentException("time runs forward only");
        while (c.nextDeadline() <= ns) {
            long d = Math.max(c.nextDeadline(), c.nanos());
            c.advanceInstructions(d - c.nanos());
            c.runDue();
        }
        c.advanceInstructions(ns - c.nanos());
        c.runDue();
    }

    private void runUntil(long ns) { runUntil(clock, ns); }

    private List<Long> risingEdges() {
        return edges.stream().filter(e -> e[1] == 1).map(e -> e[0]).toList();
    }

    private int latchAndRead(int ch) {
        pit.write(CTRL, 1, ch << 6);
        int lo = (int) pit.read(ch, 1);
        return lo | (int) pit.read(ch, 1) << 8;
    }

    private int readBackStatus(int ch) {
        pit.write(CTRL, 1, 0xE0 | (2 << ch)); // latch status only
        return (int) pit.read(ch, 1);
    }

    private void writeCount(int ch, int count) {
        pit.write(ch, 1, count & 0xFF);
        pit.write(ch, 1, count >> 8 & 0xFF);
    }

    private void program(int ch, int control, int count) {
        pit.write(CTRL, 1, (ch << 6) | control);
        pit.write(ch, 1, count & 0xFF);
        pit.write(ch, 1, count >> 8 & 0xFF);
    }

    @Test
    void tickArithmeticIsExactAndInvertible() {
        Random r = new Random(1193182);
        for (int i = 0; i < 10_000; i++) {
            long k = i < 5000 ? r.nextLong(1L << 50) : r.nextInt(5_000_000);
            long ns = I8254Pit.nanosOfTick(k);
            assertEquals(k, I8254Pit.tickAt(ns));
            assertEquals(k - 1, I8254Pit.tickAt(ns - 1));
            BigInteger[] qr = BigInteger.valueOf(k).multiply(BigInteger.TEN.pow(9)).divideAndRemainder(BigInteger.valueOf(1_193_182));
            assertEquals(qr[0].longValue() + (qr[1].signum() == 0 ? 0 : 1), ns, "ceil(k * 1e9 / 1193182)");
        }
        assertEquals(1_193_182L * 3600 * 24 * 365, I8254Pit.tickAt(1_000_000_000L * 3600 * 24 * 365), "a year, no drift");
    }

    @Test
    void mode2RateGeneratorInterruptsEveryNTicksWithoutDrift() {
        runUntil(5_000);
        edges.clear();
        long writeTick = I8254Pit.tickAt(clock.nanos());
        program(CH0, 0x34, 1193);
        runUntil(clock.nanos() + 2_000_000_000L);
        List<Long> rises = risingEdges();
        long loadTick = writeTick + 1;
        // OUT falls when the count reaches 1 and rises at the reload, every 1193 pulses.
        assertEquals((I8254Pit.tickAt(2_000_005_000L) - loadTick) / 1193, rises.size());
        for (int k = 0; k < rises.size(); k++) {
            assertEquals(I8254Pit.nanosOfTick(loadTick + (k + 1) * 1193L), rises.get(k), "edge " + k);
        }
        assertEquals(2 * rises.size(), edges.size(), "one low pulse per period");
    }

    @Test
    void counter0DrivesIrq0OfThePic() {
        DualPic pic = new DualPic();
        VirtualClock c = VirtualClock.deterministic(0);
        I8254Pit p = new I8254Pit(c, pic.line(0));
        for (int v : new int[] {0x11, 0x08, 0x04, 0x01}) pic.master().write(v == 0x11 ? 0 : 1, 1, v);
        p.write(CTRL, 1, 0x34);
        p.write(CH0, 1, 1193 & 0xFF);
        p.write(CH0, 1, 1193 >> 8);
        List<Integer> vectors = new ArrayList<>();
        for (long ns = 0; ns <= 10_000_000; ns += 10_000) {
            runUntil(c, ns);
            if (pic.intrPending()) {
                vectors.add(pic.acknowledge());
                pic.master().write(0, 1, 0x20);
            }
        }
        assertEquals(java.util.Collections.nCopies(10, 0x08), vectors, "1 kHz for 10 ms");
    }

    @Test
    void mode0InterruptsOnceAtTerminalCountAndCounterWraps() {
        edges.clear();
        long t0 = clock.nanos();
        long writeTick = I8254Pit.tickAt(t0);
        program(CH0, 0x30, 100);
        assertEquals(List.of(0L), edges.stream().map(e -> e[1]).toList(), "control word sets OUT low");
        edges.clear();
        runUntil(I8254Pit.nanosOfTick(writeTick + 1 + 40));
        assertEquals(60, latchAndRead(CH0));
        assertEquals(0, readBackStatus(CH0) >> 7, "OUT still low");
        runUntil(I8254Pit.nanosOfTick(writeTick + 1 + 100) + 10_000_000);
        assertEquals(List.of(I8254Pit.nanosOfTick(writeTick + 1 + 100)), risingEdges(), "N+1 pulses after the write");
        assertEquals(1, edges.size(), "OUT stays high");
        long d = I8254Pit.tickAt(clock.nanos()) - writeTick - 1;
        assertEquals(Math.floorMod(100 - d, 65536), latchAndRead(CH0), "counting continues through zero");
    }

    @Test
    void readBackStatusShowsOutputNullCountAndMode() {
        pit.write(CTRL, 1, 0x34);
        assertEquals(0x40 | 0x80 | 0x34, readBackStatus(CH0), "mode 2 OUT high, null count after control word");
        pit.write(CH0, 1, 0x10);
        pit.write(CH0, 1, 0x00);
        assertEquals(0x40, readBackStatus(CH0) & 0x40, "count not yet in CE");
        runUntil(clock.nanos() + 2_000);
        assertEquals(0x80 | 0x34, readBackStatus(CH0));
        // Read-back of count and status together: status byte first, then the count.
        runUntil(I8254Pit.nanosOfTick(I8254Pit.tickAt(clock.nanos()) + 3));
        pit.write(CTRL, 1, 0xC2);
        int status = (int) pit.read(CH0, 1);
        int count = (int) pit.read(CH0, 1) | (int) pit.read(CH0, 1) << 8;
        assertEquals(0x34, status & 0x3F);
        assertTrue(count >= 1 && count <= 0x10);
    }

    @Test
    void latchHoldsValueUntilRead() {
        program(CH0, 0x34, 50_000);
        long load = I8254Pit.tickAt(clock.nanos()) + 1;
        runUntil(clock.nanos() + 1_000_000);
        pit.write(CTRL, 1, 0x00);
        long latchedAt = I8254Pit.tickAt(clock.nanos());
        runUntil(clock.nanos() + 1_000_000);
        pit.write(CTRL, 1, 0x00); // ignored while a latch is unread
        int v = (int) pit.read(CH0, 1) | (int) pit.read(CH0, 1) << 8;
        assertEquals(50_000 - (latchedAt - load) % 50_000, v);
        long now = I8254Pit.tickAt(clock.nanos());
        assertEquals(50_000 - (now - load) % 50_000, latchAndRead(CH0), "a read releases the latch");
        assertEquals(50_000 - (now - load) % 50_000, pit.read(CH0, 1) | pit.read(CH0, 1) << 8, "unlatched LSB/MSB reads");
    }

    @Test
    void bcdCountsInDecimal() {
        program(CH0, 0x35, 0x1000); // mode 2, BCD, 1000
        long writeTick = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(writeTick + 1 + 1));
        assertEquals(0x0999, latchAndRead(CH0));
        runUntil(I8254Pit.nanosOfTick(writeTick + 1 + 345));
        assertEquals(0x0655, latchAndRead(CH0));
        edges.clear();
        program(CH0, 0x35, 0x0000); // 0 means 10000 in BCD
        long w2 = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(w2 + 1 + 10_000) + 1);
        assertEquals(List.of(I8254Pit.nanosOfTick(w2 + 1 + 10_000)), risingEdges());
    }

    @Test
    void lsbOnlyAndMsbOnlyAccess() {
        pit.write(CTRL, 1, 0x14); // counter 0, LSB only, mode 2
        pit.write(CH0, 1, 0x80);
        long w = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(w + 1 + 0x10));
        assertEquals(0x70, pit.read(CH0, 1));
        assertEquals(0x70, pit.read(CH0, 1), "LSB-only reads never toggle to the MSB");
        pit.write(CTRL, 1, 0x24); // MSB only: count 0x0200
        pit.write(CH0, 1, 0x02);
        w = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(w + 1 + 0x101));
        assertEquals(0x00, pit.read(CH0, 1), "MSB of 0x00FF");
    }

    @Test
    void channel2GateControlsMode0AndOutputIsVisible() {
        pit.setChannel2Gate(false);
        program(CH2, 0x30, 1000);
        runUntil(clock.nanos() + 100_000);
        assertEquals(1000, latchAndRead(CH2), "gate low holds the count");
        assertFalse(pit.channel2Out());
        pit.setChannel2Gate(true);
        long g = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(g + 999));
        assertFalse(pit.channel2Out());
        assertEquals(1, latchAndRead(CH2));
        runUntil(I8254Pit.nanosOfTick(g + 1000));
        assertTrue(pit.channel2Out());
        assertTrue(edges.stream().allMatch(e -> e[0] == 0), "counter 2 does not touch IRQ 0");
    }

    @Test
    void mode3SquareWaveHalves() {
        pit.setChannel2Gate(true);
        program(CH2, 0x36 | 0x80, 10);
        long load = I8254Pit.tickAt(clock.nanos()) + 1;
        StringBuilder wave = new StringBuilder();
        for (int k = 0; k < 20; k++) {
            runUntil(I8254Pit.nanosOfTick(load + k));
            wave.append(pit.channel2Out() ? '1' : '0');
        }
        assertEquals("11111000001111100000", wave.toString());
        // Now at pulse load+19, in the low half: an odd count (high (N+1)/2, low (N-1)/2) starts at the
        // end of this half-cycle.
        writeCount(CH2, 7);
        long w = I8254Pit.tickAt(clock.nanos());
        assertEquals(load + 19, w);
        StringBuilder wave2 = new StringBuilder();
        for (long k = w; k < w + 16; k++) {
            runUntil(I8254Pit.nanosOfTick(k));
            wave2.append(pit.channel2Out() ? '1' : '0');
        }
        assertEquals("0" + "1111000" + "1111000" + "1", wave2.toString());
        // Written in the high half: the new count begins with its low half when this half ends.
        runUntil(I8254Pit.nanosOfTick(w + 16 + 1));
        writeCount(CH2, 4);
        StringBuilder wave3 = new StringBuilder();
        for (long k = w + 17; k < w + 17 + 10; k++) {
            runUntil(I8254Pit.nanosOfTick(k));
            wave3.append(pit.channel2Out() ? '1' : '0');
        }
        // Pulse w+17 is phase 2 of the 7-count's 4-pulse high half: two more high pulses, then 2 low, 2 high...
        assertEquals("11" + "00" + "11" + "00" + "11", wave3.toString());
    }

    @Test
    void mode1OneShotIsTriggeredAndRetriggeredByGate() {
        pit.setChannel2Gate(false);
        program(CH2, 0xB2, 5); // counter 2, mode 1
        runUntil(clock.nanos() + 50_000);
        assertTrue(pit.channel2Out(), "waits for the trigger");
        pit.setChannel2Gate(true);
        long trig = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(trig + 1));
        assertFalse(pit.channel2Out());
        runUntil(I8254Pit.nanosOfTick(trig + 3));
        pit.setChannel2Gate(false);
        pit.setChannel2Gate(true); // retrigger restarts the 5-pulse low time
        long trig2 = I8254Pit.tickAt(clock.nanos());
        runUntil(I8254Pit.nanosOfTick(trig + 1 + 5));
        assertFalse(pit.channel2Out());
        runUntil(I8254Pit.nanosOfTick(trig2 + 1 + 5));
        assertTrue(pit.channel2Out());
    }

    @Test
    void mode4StrobeIsOnePulseLow() {
        program(CH0, 0x38, 20);
        edges.clear();
        long w = I8254Pit.tickAt(clock.nanos());
        runUntil(clock.nanos() + 1_000_000);
        assertEquals(2, edges.size());
        assertEquals(I8254Pit.nanosOfTick(w + 1 + 20), edges.get(0)[0]);
        assertEquals(0, edges.get(0)[1]);
        assertEquals(I8254Pit.nanosOfTick(w + 1 + 21), edges.get(1)[0]);
    }

    @Test
    void mode2NewCountStartsAtNextPeriod() {
        program(CH0, 0x34, 1000);
        long load = I8254Pit.tickAt(clock.nanos()) + 1;
        runUntil(I8254Pit.nanosOfTick(load + 300));
        edges.clear();
        pit.write(CH0, 1, 500 & 0xFF);
        pit.write(CH0, 1, 500 >> 8);
        runUntil(I8254Pit.nanosOfTick(load + 3000));
        assertEquals(List.of(I8254Pit.nanosOfTick(load + 1000), I8254Pit.nanosOfTick(load + 1500),
                I8254Pit.nanosOfTick(load + 2000), I8254Pit.nanosOfTick(load + 2500), I8254Pit.nanosOfTick(load + 3000)),
                risingEdges());
    }

    @Test
    void resetStateIsMode3WithIrq0At18Hz() {
        program(CH0, 0x30, 7);
        pit.write(CTRL, 1, 0x00);
        pit.reset();
        runUntil(clock.nanos() + 10_000);
        assertEquals(0x80 | 0x36, readBackStatus(CH0));
        assertEquals(0x36, readBackStatus(1) & 0x7F);
        assertEquals(0x36 | 0x40, readBackStatus(CH2) & 0x7F, "counter 2 waits for its gate with the count unloaded");
        edges.clear();
        runUntil(clock.nanos() + 1_000_000_000L);
        assertEquals(18, risingEdges().size(), "65536 pulses per period: 18.2 Hz");
    }

    @Test
    void saveRestoreMidCountContinuesExactly() {
        program(CH0, 0x34, 4321);
        pit.setChannel2Gate(true);
        program(CH2, 0xB6, 777);
        runUntil(12_345_678);
        pit.write(CTRL, 1, 0x00); // an unread latch travels too
        pit.write(CH0, 1, 0x10);  // and a pending count
        pit.write(CH0, 1, 0x02);
        DeviceState clockState = DeviceState.of(clock);
        DeviceState pitState = DeviceState.of(pit);

        VirtualClock clock2 = VirtualClock.deterministic(0);
        clock2.restoreState(clockState);
        List<long[]> edges2 = new ArrayList<>();
        I8254Pit pit2 = newPit(clock2, edges2);
        edges2.clear();
        pit2.restoreState(pitState);
        edges2.clear();
        edges.clear();

        List<Long> a = trace(clock, pit);
        List<Long> b = trace(clock2, pit2);
        assertEquals(a, b);
        assertEquals(edges.stream().map(e -> e[0] * 2 + e[1]).toList(), edges2.stream().map(e -> e[0] * 2 + e[1]).toList());
        assertTrue(edges.size() >= 4, "IRQ 0 kept running");
    }

    private static List<Long> trace(VirtualClock c, I8254Pit p) {
        List<Long> out = new ArrayList<>();
        out.add(p.read(CH0, 1));
        out.add(p.read(CH0, 1));
        for (int i = 0; i < 40; i++) {
            runUntil(c, c.nanos() + 100_003);
            p.write(CTRL, 1, 0xEA); // read-back status, counters 0 and 2 (bits 1, 3)
            p.write(CTRL, 1, 0xDA); // read-back count, counters 0 and 2
            for (int ch : new int[] {0, 2}) {
                out.add(p.read(ch, 1));
                out.add(p.read(ch, 1) | p.read(ch, 1) << 8);
            }
            out.add(p.channel2Out() ? 1L : 0L);
        }
        return out;
    }

    @Test
    void randomAccessNeverThrowsAndResetRestoresState() {
        Random r = new Random(8254);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long offset = r.nextInt(6) - 1 + (r.nextInt(50) == 0 ? r.nextLong() : 0);
            if (r.nextBoolean()) pit.write(offset, size, r.nextLong());
            else pit.read(offset, size);
            if (r.nextInt(10) == 0) pit.setChannel2Gate(r.nextBoolean());
            if (r.nextInt(4) == 0) runUntil(clock.nanos() + r.nextInt(3000));
        }
        pit.setChannel2Gate(false);
        pit.reset();
        runUntil(clock.nanos() + 10_000);
        assertEquals(0x80 | 0x36, readBackStatus(CH0));
        assertEquals(0x80 | 0x36, readBackStatus(1));
        assertEquals(0xFFFF_FFFFL, pit.read(CTRL, 4), "the control port and beyond read all-ones");
        edges.clear();
        runUntil(clock.nanos() + 1_000_000_000L);
        assertEquals(18, risingEdges().size());
    }
}
