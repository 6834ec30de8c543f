package dev.jvirt.devices.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Mc146818RtcTest {
    private static final long S = 1_000_000_000L;
    private static final long BASE = LocalDateTime.of(2026, 1, 1, 0, 0, 0).toEpochSecond(ZoneOffset.UTC);

    private VirtualClock clock;
    private Mc146818Rtc rtc;
    private boolean irq;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.deterministic(0);
        rtc = new Mc146818Rtc(BASE, clock, level -> irq = level);
    }

    private int reg(int index) {
        rtc.write(0, 1, index);
        return (int) rtc.read(1, 1);
    }

    private void set(int index, int value) {
        rtc.write(0, 1, index);
        rtc.write(1, 1, value);
    }

    private void runTo(long ns) {
        runTo(clock, ns);
    }

    private static void runTo(VirtualClock c, long ns) {
        if (ns < c.nanos()) throw new IllegalArgumentException("time runs forward only");
        while (c.nextDeadline() <= ns) {
            c.advanceInstructions(Math.max(c.nextDeadline(), c.nanos()) - c.nanos());
            c.runDue();
        }
        c.advanceInstructions(ns - c.nanos());
        c.runDue();
    }

    /** Runs to {@code end}, acknowledging each interrupt by reading C as a driver would; returns {time, C}. */
    private List<long[]> serviceUntil(long end) {
        List<long[]> out = new ArrayList<>();
        while (true) {
            if (irq) out.add(new long[] {clock.nanos(), reg(Mc146818Rtc.REG_C)});
            if (clock.nanos() >= end) return out;
            runTo(Math.max(clock.nanos(), Math.min(clock.nextDeadline(), end)));
        }
    }

    private String time() {
        return String.format("%02x-%02x-%02x%02x %02x:%02x:%02x dow%x", reg(8), reg(7), reg(0x32), reg(9), reg(4), reg(2), reg(0), reg(6));
    }

    @Test
    void readsTheBaseTimeInBcdAndCountsWithVirtualTime() {
        assertEquals("01-01-2026 00:00:00 dow5", time(), "2026-01-01 is a Thursday");
        runTo(3661 * S + S / 2);
        assertEquals("01-01-2026 01:01:01 dow5", time());
        runTo((86_400L * 58 + 23 * 3600 + 59 * 60 + 59) * S + 999_999_999);
        assertEquals("02-28-2026 23:59:59 dow7", time());
        runTo(86_400L * 59 * S);
        assertEquals("03-01-2026 00:00:00 dow1", time());
    }

    @Test
    void binaryAnd12HourFormats() {
        runTo((13 * 3600 + 5 * 60 + 9) * S);
        set(Mc146818Rtc.REG_B, 0x06); // binary, 24h
        assertEquals(13, reg(4));
        assertEquals(5, reg(2));
        assertEquals(9, reg(0));
        assertEquals(26, reg(9));
        assertEquals(20, reg(0x32));
        set(Mc146818Rtc.REG_B, 0x04); // binary, 12h
        assertEquals(0x80 | 1, reg(4), "1 PM");
        set(Mc146818Rtc.REG_B, 0x00); // BCD, 12h
        assertEquals(0x81, reg(4));
        runTo((24 * 3600 + 30) * S);
        assertEquals(0x12, reg(4), "12 AM is 12 without the PM bit");
        runTo((24 * 3600 + 12 * 3600) * S);
        assertEquals(0x92, reg(4), "noon is 12 PM");
    }

    @Test
    void registerDefaultsAndReadOnlyBits() {
        assertEquals(0x26, reg(Mc146818Rtc.REG_A));
        assertEquals(0x02, reg(Mc146818Rtc.REG_B));
        assertEquals(0x00, reg(Mc146818Rtc.REG_C));
        assertEquals(0x80, reg(Mc146818Rtc.REG_D), "VRT");
        set(Mc146818Rtc.REG_D, 0x00);
        set(Mc146818Rtc.REG_C, 0xF0);
        assertEquals(0x80, reg(Mc146818Rtc.REG_D));
        assertEquals(0x00, reg(Mc146818Rtc.REG_C));
        set(Mc146818Rtc.REG_A, 0xA6);
        assertEquals(0x26, reg(Mc146818Rtc.REG_A) & 0x7F, "UIP is read-only");
        assertEquals(0xFF, rtc.read(0, 1), "the index port is write-only");
    }

    @Test
    void uipIsSetJustBeforeEachUpdate() {
        runTo(5 * S - 300_000);
        assertEquals(0, reg(Mc146818Rtc.REG_A) & 0x80);
        runTo(5 * S - 200_000);
        assertEquals(0x80, reg(Mc146818Rtc.REG_A) & 0x80);
        assertEquals(0x04, reg(0), "the registers still show the old second");
        runTo(5 * S);
        assertEquals(0, reg(Mc146818Rtc.REG_A) & 0x80);
        assertEquals(0x05, reg(0));
    }

    @Test
    void periodicInterruptAt1024Hz() {
        set(Mc146818Rtc.REG_B, 0x42); // PIE
        List<long[]> ints = serviceUntil(S);
        assertEquals(1024, ints.size());
        for (int k = 0; k < ints.size(); k++) {
            long expected = ((k + 1) * 32L * S + 32_767) / 32_768; // every 32 cycles of 32.768 kHz
            assertEquals(expected, ints.get(k)[0], "tick " + k);
            assertEquals(0xC0, ints.get(k)[1] & 0xC0, "IRQF and PF");
        }
        set(Mc146818Rtc.REG_A, 0x2F); // 2 Hz
        ints = serviceUntil(3 * S);
        assertEquals(4, ints.size());
        set(Mc146818Rtc.REG_A, 0x20); // rate 0: none
        assertTrue(serviceUntil(4 * S).isEmpty());
    }

    @Test
    void periodicFlagIsSetWithoutItsInterrupt() {
        runTo(S / 100);
        assertEquals(0x40, reg(Mc146818Rtc.REG_C) & 0xC0, "PF without PIE, no IRQF");
        assertFalse(irq);
        assertEquals(0x00, reg(Mc146818Rtc.REG_C) & 0x40, "cleared on read");
    }

    @Test
    void updateEndedInterruptEverySecond() {
        set(Mc146818Rtc.REG_B, 0x12); // UIE
        List<long[]> ints = serviceUntil(5 * S + 1);
        assertEquals(5, ints.size());
        for (int k = 0; k < 5; k++) {
            assertEquals((k + 1) * S, ints.get(k)[0]);
            assertEquals(0x90, ints.get(k)[1] & 0x90, "IRQF and UF");
        }
    }

    @Test
    void alarmFiresAtMatchAndDontCareBytesMatchAnything() {
        set(1, 0x30);
        set(3, 0x00);
        set(5, 0x00);
        set(Mc146818Rtc.REG_B, 0x22); // AIE
        List<long[]> ints = serviceUntil(120 * S);
        assertEquals(1, ints.size());
        assertEquals(30 * S, ints.get(0)[0]);
        assertEquals(0xB0, ints.get(0)[1] & 0xB0, "IRQF, AF and UF");
        set(1, 0x05);
        set(3, 0xFF);
        set(5, 0xC0);
        ints = serviceUntil(300 * S);
        assertEquals(List.of(125 * S, 185 * S, 245 * S), ints.stream().map(x -> x[0]).toList(), "every minute at :05");
    }

    @Test
    void setBitFreezesTimeAndGuestSetsClock() {
        runTo(10 * S + S / 3);
        set(Mc146818Rtc.REG_B, 0x82 | 0x10); // SET (clears UIE)
        assertEquals(0x82, reg(Mc146818Rtc.REG_B), "SET clears UIE");
        runTo(20 * S);
        assertEquals(0x10, reg(0), "frozen at 10 s");
        // Linux order: seconds, minutes, hours, day, month, year; day 31 before month 3 must survive.
        set(0, 0x56);
        set(2, 0x34);
        set(4, 0x12);
        set(7, 0x31);
        set(8, 0x03);
        set(9, 0x30);
        set(0x32, 0x20);
        runTo(25 * S);
        assertEquals("03-31-2030 12:34:56 dow5", time(), "held while SET; the day of week was not written");
        set(Mc146818Rtc.REG_B, 0x02);
        runTo(26 * S - 1);
        assertEquals(0x56, reg(0));
        runTo(26 * S);
        assertEquals(0x57, reg(0), "the first update ends one second after SET clears");
        runTo(26 * S + 86_400 * S);
        assertEquals("04-01-2030 12:34:57 dow2", time());
    }

    @Test
    void writingATimeRegisterWhileRunningSetsTheClock() {
        runTo(7 * S + S / 4);
        set(2, 0x45);
        assertEquals("01-01-2026 00:45:07 dow5", time());
        runTo(8 * S + S / 4);
        assertEquals(0x08, reg(0), "one second after the write");
    }

    @Test
    void dividerResetStopsTimeAndRestartsHalfASecondLater() {
        runTo(3 * S + 100);
        set(Mc146818Rtc.REG_A, 0x76);
        runTo(10 * S);
        assertEquals(0x03, reg(0));
        set(Mc146818Rtc.REG_A, 0x26);
        runTo(10 * S + S / 2 - 1);
        assertEquals(0x03, reg(0));
        runTo(10 * S + S / 2);
        assertEquals(0x04, reg(0));
    }

    @Test
    void nmiMaskAndIndexPort() {
        assertFalse(rtc.nmiMasked());
        rtc.write(0, 1, 0x80 | Mc146818Rtc.REG_D);
        assertTrue(rtc.nmiMasked());
        assertEquals(0x80, rtc.read(1, 1), "bit 7 is not part of the index");
        rtc.write(0, 2, 0x55_40); // index 0x40, then data 0x55 to port 0x71
        assertFalse(rtc.nmiMasked());
        assertEquals(0x55, reg(0x40));
    }

    @Test
    void nvramAndMemorySizes() {
        Mc146818Rtc.fillMemorySizes(rtc, 512L << 20, 1L << 30);
        assertEquals(640, reg(0x15) | reg(0x16) << 8);
        assertEquals(0xFFFF, reg(0x17) | reg(0x18) << 8, "extended memory caps at 0xFFFF KiB");
        assertEquals(0xFFFF, reg(0x30) | reg(0x31) << 8);
        assertEquals((512 - 16) * 16, reg(0x34) | reg(0x35) << 8);
        assertEquals(16_384, reg(0x5B) | reg(0x5C) << 8 | reg(0x5D) << 16);
        Mc146818Rtc.fillMemorySizes(rtc, 8L << 20, 0);
        assertEquals(7 * 1024, reg(0x17) | reg(0x18) << 8);
        assertEquals(0, reg(0x34) | reg(0x35) << 8);
        assertEquals(0, reg(0x5B) | reg(0x5C) << 8 | reg(0x5D) << 16);
        rtc.setNvram(0x14, 0x06);
        assertEquals(0x06, reg(0x14));
        rtc.setNvram(0x00, 0x99);
        assertEquals(0x00, reg(0x00), "setNvram leaves the clock alone");
        set(0x7F, 0xA5);
        assertEquals(0xA5, reg(0x7F));
    }

    @Test
    void resetClearsInterruptEnablesAndFlagsButNotTimeOrRam() {
        set(Mc146818Rtc.REG_B, 0x7A);
        set(0x50, 0x12);
        runTo(2 * S + 5);
        assertTrue(irq);
        rtc.reset();
        assertFalse(irq);
        assertEquals(0x02, reg(Mc146818Rtc.REG_B));
        assertEquals(0x00, reg(Mc146818Rtc.REG_C));
        assertEquals(0x26, reg(Mc146818Rtc.REG_A));
        assertEquals(0x80, reg(Mc146818Rtc.REG_D));
        assertEquals(0x12, reg(0x50));
        assertEquals(0x02, reg(0));
        assertFalse(rtc.nmiMasked());
    }

    @Test
    void deterministicBaseIsReproducible() {
        VirtualClock c2 = VirtualClock.deterministic(0);
        Mc146818Rtc other = new Mc146818Rtc(BASE, c2, IrqLine.NONE);
        runTo(123_456_789_012L);
        runTo(c2, 123_456_789_012L);
        String a = time();
        Mc146818Rtc keep = rtc;
        rtc = other;
        String b = time();
        rtc = keep;
        assertEquals(a, b);
    }

    @Test
    void saveRestoreWithPendingAlarmContinuesExactly() {
        set(1, 0x15);
        set(3, 0x00);
        set(5, 0x00);
        set(Mc146818Rtc.REG_B, 0x62); // AIE + PIE
        set(Mc146818Rtc.REG_A, 0x2E); // 4 Hz
        serviceUntil(4 * S + 123_456);
        set(0x20, 0x77);
        runTo(4 * S + 900_000_000L); // a periodic flag is pending, not yet serviced
        DeviceState cs = DeviceState.of(clock);
        DeviceState rs = DeviceState.of(rtc);

        VirtualClock clock2 = VirtualClock.deterministic(0);
        clock2.restoreState(cs);
        boolean irqBefore = irq;
        List<long[]> a = serviceUntil(40 * S);
        String ta = time() + reg(0x20);

        clock = VirtualClock.deterministic(0);
        clock.restoreState(cs);
        rtc = new Mc146818Rtc(0, clock, level -> irq = level);
        rtc.restoreState(rs);
        assertEquals(irqBefore, irq);
        List<long[]> b = serviceUntil(40 * S);
        assertEquals(ta, time() + reg(0x20));
        assertEquals(a.stream().map(x -> x[0] + ":" + x[1]).toList(), b.stream().map(x -> x[0] + ":" + x[1]).toList());
        assertTrue(a.stream().anyMatch(x -> x[0] == 15 * S && (x[1] & 0x20) != 0), "the alarm at 00:00:15 fired: "
                + a.stream().map(x -> x[0] + ":" + Long.toHexString(x[1])).toList());
    }

    @Test
    void randomAccessNeverThrowsAndResetRestoresState() {
        Random r = new Random(146818);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long offset = r.nextInt(4) - 1 + (r.nextInt(50) == 0 ? r.nextLong() : 0);
            if (r.nextBoolean()) rtc.write(offset, size, r.nextLong());
            else rtc.read(offset, size);
            if (r.nextInt(4) == 0) runTo(clock.nanos() + r.nextInt(5_000_000));
        }
        rtc.reset();
        set(Mc146818Rtc.REG_A, 0x26);
        set(Mc146818Rtc.REG_B, 0x02);
        assertEquals(0x02, reg(Mc146818Rtc.REG_B));
        reg(Mc146818Rtc.REG_C);
        assertEquals(0x00, reg(Mc146818Rtc.REG_C));
        assertFalse(irq);
        set(Mc146818Rtc.REG_B, 0x82);
        for (int[] rv : new int[][] {{0, 0x58}, {2, 0}, {4, 0}, {7, 1}, {8, 1}, {9, 0x26}, {0x32, 0x20}}) set(rv[0], rv[1]);
        set(Mc146818Rtc.REG_B, 0x02);
        long t = clock.nanos();
        runTo(t + S);
        assertEquals(0x59, reg(0));
        runTo(t + 2 * S);
        assertEquals("01-01-2026 00:01:00 dow5", time(), "the clock still runs");
    }
}
