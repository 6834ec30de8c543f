package dev.jvirt.devices.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalApicTest {
    private final VirtualClock clock = VirtualClock.deterministic(0);
    private final ApicBus bus = new ApicBus();
    private final RecordingSignals cpu0 = new RecordingSignals();
    private final RecordingSignals cpu1 = new RecordingSignals();
    private final LocalApic bsp = new LocalApic(bus, clock, 0, true, cpu0);
    private final LocalApic ap = new LocalApic(bus, clock, 1, false, cpu1);

    private static final int LVT_LINT0 = 0x350;
    private static final int LVT_LINT1 = 0x360;
    private static final int LVT_ERROR = 0x370;

    private void enable(LocalApic l) { l.write(LocalApic.REG_SVR, 4, 0x1FF); }

    private void fixed(LocalApic target, int vector) {
        bus.deliver((int) (target.read(LocalApic.REG_ID, 4) >>> 24), false, ApicBus.DM_FIXED, vector, false, true);
    }

    private static int ackEoi(LocalApic l) {
        int v = l.acknowledge();
        l.write(LocalApic.REG_EOI, 4, 0);
        return v;
    }

    /** Runs the clock one nanosecond at a time, acknowledging and EOI-ing each interrupt; returns when each came. */
    private List<Long> runAndCollect(LocalApic l, long ns) {
        List<Long> at = new ArrayList<>();
        for (long i = 0; i < ns; i++) {
            clock.advanceInstructions(1);
            clock.runDue();
            if (l.intrPending()) {
                l.acknowledge();
                l.write(LocalApic.REG_EOI, 4, 0);
                at.add(clock.nanos());
            }
        }
        return at;
    }

    @Test
    void resetState() {
        assertEquals(0xFEE0_0900L, bsp.apicBase(), "enabled, BSP");
        assertEquals(0xFEE0_0800L, ap.apicBase());
        assertEquals(0x0005_0014, bsp.read(LocalApic.REG_VERSION, 4));
        assertEquals(0x0100_0000, ap.read(LocalApic.REG_ID, 4));
        assertEquals(0xFF, bsp.read(LocalApic.REG_SVR, 4));
        assertEquals(0xFFFF_FFFFL, bsp.read(LocalApic.REG_DFR, 4));
        for (int off = 0x320; off <= 0x370; off += 0x10) {
            assertEquals(0x0001_0000, ap.read(off, 4), "AP LVT masked: " + Integer.toHexString(off));
        }
        assertEquals(0x700, bsp.read(LVT_LINT0, 4), "BSP LINT0 in ExtINT (virtual wire) as QEMU resets it");
    }

    @Test
    void mmioIsThirtyTwoBitAlignedOnly() {
        bsp.write(LocalApic.REG_TPR, 4, 0x35);
        assertEquals(0x35, bsp.read(LocalApic.REG_TPR, 4));
        assertEquals(0xFFFF_FFFFL, bsp.read(LocalApic.REG_TPR + 4, 4));
        assertEquals(0xFFFF, bsp.read(LocalApic.REG_TPR, 2));
        bsp.write(LocalApic.REG_TPR, 1, 0x77);
        assertEquals(0x35, bsp.read(LocalApic.REG_TPR, 4));
    }

    @Test
    void priorityOrderingAndTaskPriority() {
        enable(bsp);
        fixed(bsp, 0x45);
        fixed(bsp, 0x92);
        fixed(bsp, 0x61);
        assertEquals(1 << 5, bsp.read(LocalApic.REG_IRR + 0x20, 4), "IRR bit of vector 0x45");
        assertEquals(0x92, bsp.acknowledge());
        assertEquals(1 << (0x92 - 0x80), bsp.read(LocalApic.REG_ISR + 0x40, 4));
        assertEquals(0x90, bsp.read(LocalApic.REG_PPR, 4));
        assertFalse(bsp.intrPending(), "0x61 is below the in-service class");
        bsp.write(LocalApic.REG_EOI, 4, 0);
        assertEquals(0, bsp.read(LocalApic.REG_PPR, 4));
        bsp.write(LocalApic.REG_TPR, 4, 0x61);
        assertEquals(0x61, bsp.read(LocalApic.REG_PPR, 4));
        assertFalse(bsp.intrPending(), "class 6 does not exceed TPR class 6");
        bsp.write(LocalApic.REG_TPR, 4, 0x50);
        assertEquals(0x61, bsp.acknowledge());
        bsp.write(LocalApic.REG_EOI, 4, 0);
        assertFalse(bsp.intrPending(), "0x45 is below TPR");
        assertEquals(0xFF, bsp.acknowledge(), "nothing deliverable: the spurious vector");
    }

    @Test
    void softwareDisabledApicTakesNoFixedInterruptsAndKeepsLvtMasked() {
        fixed(ap, 0x40);
        assertFalse(ap.intrPending());
        ap.write(LVT_LINT1, 4, 0x400);
        assertEquals(0x0001_0400, ap.read(LVT_LINT1, 4));
        bus.deliver(1, false, ApicBus.DM_NMI, 0, false, true);
        assertTrue(ap.takeNmi(), "NMI is accepted while software disabled");
    }

    @Test
    void errorStatusIsWriteThenRead() {
        enable(bsp);
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_0005); // fixed IPI with illegal vector 5
        assertEquals(0, bsp.read(LocalApic.REG_ESR, 4), "errors show only after a write to ESR");
        bsp.write(LocalApic.REG_ESR, 4, 0);
        assertEquals(LocalApic.ESR_SEND_ILLEGAL_VECTOR, bsp.read(LocalApic.REG_ESR, 4));
        bsp.write(LocalApic.REG_ESR, 4, 0);
        assertEquals(0, bsp.read(LocalApic.REG_ESR, 4));
        bsp.write(LVT_ERROR, 4, 0xFE);
        bsp.read(0x40, 4); // reserved register
        assertEquals(0xFE, bsp.acknowledge(), "the error LVT interrupt");
        bsp.write(LocalApic.REG_ESR, 4, 0);
        assertEquals(LocalApic.ESR_ILLEGAL_REGISTER, bsp.read(LocalApic.REG_ESR, 4));
    }

    @Test
    void eoiOfLevelVectorIsBroadcastUnlessSuppressed() {
        enable(bsp);
        IoApic io = new IoApic(bus);
        io.write(IoApic.IOREGSEL, 4, 0x10 + 2 * 7);
        io.write(IoApic.IOWIN, 4, 0xA7 | IoApic.RTE_TRIGGER_LEVEL);
        io.setIrq(7, true);
        assertEquals(0xA7, bsp.acknowledge());
        bsp.write(LocalApic.REG_EOI, 4, 0);
        assertEquals(0xA7, bsp.acknowledge(), "broadcast EOI cleared remote IRR and the line re-delivered");

        bsp.setDirectedEoiSupported(true);
        assertEquals(0x0105_0014, bsp.read(LocalApic.REG_VERSION, 4));
        bsp.write(LocalApic.REG_SVR, 4, 0x11FF);
        assertEquals(0x11FF, bsp.read(LocalApic.REG_SVR, 4));
        bsp.write(LocalApic.REG_EOI, 4, 0);
        assertTrue((io.redirectionEntry(7) & IoApic.RTE_REMOTE_IRR) != 0, "suppressed: the I/O APIC waits for its own EOI");
        io.write(IoApic.EOI, 4, 0xA7);
        assertEquals(0xA7, bsp.acknowledge());
    }

    @Test
    void ipisByIcr() {
        enable(bsp);
        enable(ap);
        bsp.write(LocalApic.REG_ICR_HIGH, 4, 0x0100_0000);
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_0031);
        assertEquals(0x31, ackEoi(ap));
        assertFalse(bsp.intrPending());
        assertEquals(0x31, bsp.read(LocalApic.REG_ICR_LOW, 4), "delivery status reads idle");

        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x000C_0032); // all excluding self
        assertEquals(0x32, ackEoi(ap));
        assertFalse(bsp.intrPending());
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0004_0033); // self
        assertEquals(0x33, ackEoi(bsp));
        assertFalse(ap.intrPending());
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0008_0034); // all including self
        assertEquals(0x34, ackEoi(bsp));
        assertEquals(0x34, ackEoi(ap));

        ap.write(LocalApic.REG_LDR, 4, 0x0400_0000);
        bsp.write(LocalApic.REG_ICR_HIGH, 4, 0x0400_0000);
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_0835); // logical
        assertEquals(0x35, ackEoi(ap));

        bsp.write(LocalApic.REG_ICR_HIGH, 4, 0x0100_0000);
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_0400); // NMI
        assertTrue(ap.takeNmi());
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_C500); // INIT assert
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_8500); // INIT de-assert: ignored
        assertEquals(1, cpu1.inits);
        assertEquals(0xFF, ap.read(LocalApic.REG_SVR, 4), "INIT resets the APIC");
        assertEquals(0x0100_0000, ap.read(LocalApic.REG_ID, 4), "but keeps its ID");
        bsp.write(LocalApic.REG_ICR_LOW, 4, 0x0000_0610); // SIPI to 0x10000
        assertEquals(List.of(0x10), cpu1.startups);
    }

    @Test
    void apicBaseTransitionsFollowSdm() {
        long xapic = 0xFEE0_0800L;
        long x2 = xapic | LocalApic.APIC_BASE_EXTD;
        assertTrue(ap.setApicBase(x2));
        assertTrue(ap.x2apic());
        assertFalse(ap.setApicBase(xapic), "x2APIC to xAPIC is illegal");
        assertTrue(ap.setApicBase(0xFEE0_0000L), "x2APIC to disabled");
        assertFalse(ap.setApicBase(0xFEE0_0000L | LocalApic.APIC_BASE_EXTD), "EXTD without EN");
        assertFalse(ap.setApicBase(x2), "disabled to x2APIC is illegal");
        assertTrue(ap.setApicBase(xapic));
        assertFalse(ap.setApicBase(xapic | 1), "reserved bit");
        assertFalse(ap.setApicBase(xapic | (1L << 45)), "above MAXPHYADDR");
        assertTrue(bsp.writeMsr(LocalApic.MSR_IA32_APIC_BASE, xapic));
        assertEquals(0xFEE0_0900L, bsp.readMsr(LocalApic.MSR_IA32_APIC_BASE), "BSP bit is read-only");
    }

    @Test
    void hardwareDisabledApicPassesPicIntrStraightThrough() {
        boolean[] intr = {true};
        ap.connectPic(() -> intr[0], () -> 0x21);
        assertFalse(ap.intrPending(), "AP's LINT0 is masked");
        assertTrue(ap.setApicBase(0xFEE0_0000L));
        assertTrue(ap.intrPending());
        assertEquals(0x21, ap.acknowledge());
        assertEquals(0xFFFF_FFFFL, ap.read(LocalApic.REG_ID, 4), "no register page while disabled");
    }

    @Test
    void virtualWireModeDeliversPicThroughLint0() {
        boolean[] intr = {false};
        int[] acks = {0};
        bsp.connectPic(() -> intr[0], () -> { acks[0]++; return 0x08; });
        assertFalse(bsp.intrPending());
        intr[0] = true;
        assertTrue(bsp.intrPending());
        assertEquals(0x08, bsp.acknowledge());
        assertEquals(1, acks[0]);
        enable(bsp);
        bsp.write(LVT_LINT0, 4, 0x0001_0700);
        assertFalse(bsp.intrPending(), "LINT0 masked");
    }

    @Test
    void lint1NmiOnRisingEdge() {
        enable(bsp);
        bsp.write(LVT_LINT1, 4, 0x400);
        bsp.setLint(1, true);
        bsp.setLint(1, true);
        assertTrue(bsp.takeNmi());
        assertFalse(bsp.takeNmi());
    }

    @Test
    void x2apicMsrInterface() {
        enable(ap);
        assertFalse(ap.canReadMsr(0x802), "x2APIC MSRs #GP in xAPIC mode");
        assertFalse(ap.writeMsr(0x808, 0));
        ap.write(LocalApic.REG_ID, 4, 0x2300_0000);
        assertTrue(ap.setApicBase(0xFEE0_0C00L));
        assertEquals(0x23, ap.readMsr(0x802));
        assertEquals((2L << 16) | (1 << 3), ap.readMsr(0x80D), "LDR derived from the x2APIC ID");
        assertFalse(ap.writeMsr(0x80D, 0), "LDR read-only");
        assertFalse(ap.canReadMsr(0x80E), "no DFR");
        assertFalse(ap.canReadMsr(0x80B), "EOI is write-only");
        assertFalse(ap.canReadMsr(0x809), "no APR");
        assertFalse(ap.writeMsr(0x80B, 1), "EOI with a non-zero value");
        assertFalse(ap.writeMsr(0x808, 1L << 32), "reserved high bits");
        assertTrue(ap.writeMsr(0x808, 0x20));
        assertEquals(0x20, ap.readMsr(0x808));
        assertEquals(0xFFFF_FFFFL, ap.read(LocalApic.REG_TPR, 4), "no MMIO in x2APIC mode");

        assertTrue(ap.writeMsr(0x83F, 0x66)); // SELF IPI
        assertEquals(0x66, ap.acknowledge());
        assertTrue(ap.writeMsr(0x80B, 0));

        enable(bsp);
        assertTrue(ap.writeMsr(0x830, 0x0000_0041L)); // physical, destination 0
        assertEquals(0x41, bsp.acknowledge());
        assertEquals(0x41, ap.readMsr(0x830));
        assertTrue(ap.writeMsr(0x830, (5L << 32) | 0x42)); // no APIC 5
        assertFalse(bsp.intrPending());
        assertEquals((5L << 32) | 0x42, ap.readMsr(0x830));
    }

    @Test
    void oneShotTimerWithDivider() {
        enable(bsp);
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x40);
        bsp.write(LocalApic.REG_TIMER_DIVIDE, 4, 0x0); // divide by 2
        bsp.write(LocalApic.REG_TIMER_INITIAL, 4, 100);
        clock.advanceInstructions(50);
        assertEquals(75, bsp.read(LocalApic.REG_TIMER_CURRENT, 4));
        List<Long> at = runAndCollect(bsp, 500);
        assertEquals(List.of(200L), at, "100 ticks of 2 ns");
        assertEquals(0, bsp.read(LocalApic.REG_TIMER_CURRENT, 4));
    }

    @Test
    void periodicTimerAndDivideChange() {
        enable(bsp);
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x2_0041); // periodic
        bsp.write(LocalApic.REG_TIMER_DIVIDE, 4, 0xB); // divide by 1
        bsp.write(LocalApic.REG_TIMER_INITIAL, 4, 30);
        assertEquals(List.of(30L, 60L, 90L), runAndCollect(bsp, 100));
        assertEquals(20, bsp.read(LocalApic.REG_TIMER_CURRENT, 4));
        bsp.write(LocalApic.REG_TIMER_DIVIDE, 4, 0x1); // divide by 4: the remaining 20 ticks take 80 ns
        assertEquals(20, bsp.read(LocalApic.REG_TIMER_CURRENT, 4));
        assertEquals(List.of(180L, 300L), runAndCollect(bsp, 230));
    }

    @Test
    void periodicSwitchedToOneShotRunsTheCurrentCountDown() {
        enable(bsp);
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x2_0041);
        bsp.write(LocalApic.REG_TIMER_DIVIDE, 4, 0xB);
        bsp.write(LocalApic.REG_TIMER_INITIAL, 4, 40);
        assertEquals(List.of(40L, 80L), runAndCollect(bsp, 90));
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x0_0041);
        assertEquals(30, bsp.read(LocalApic.REG_TIMER_CURRENT, 4));
        assertEquals(List.of(120L), runAndCollect(bsp, 200));
    }

    @Test
    void maskedTimerCountsButDoesNotInterrupt() {
        enable(bsp);
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x1_0040);
        bsp.write(LocalApic.REG_TIMER_DIVIDE, 4, 0xB);
        bsp.write(LocalApic.REG_TIMER_INITIAL, 4, 10);
        assertEquals(List.of(), runAndCollect(bsp, 50));
        assertEquals(0, bsp.read(LocalApic.REG_TIMER_CURRENT, 4));
    }

    @Test
    void tscDeadlineTimer() {
        enable(bsp);
        bsp.setTscFrequency(2_000_000_000L); // 2 TSC cycles per ns
        bsp.setTscDeadline(1000);
        assertEquals(0, bsp.tscDeadline(), "ignored outside TSC-deadline mode");
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x4_0050);
        bsp.write(LocalApic.REG_TIMER_INITIAL, 4, 5); // ignored in TSC-deadline mode
        assertEquals(0, bsp.read(LocalApic.REG_TIMER_INITIAL, 4));
        assertTrue(bsp.writeMsr(LocalApic.MSR_IA32_TSC_DEADLINE, 1001));
        assertEquals(1001, bsp.readMsr(LocalApic.MSR_IA32_TSC_DEADLINE));
        assertEquals(List.of(501L), runAndCollect(bsp, 1000), "TSC 1001 is reached at 500.5 ns");
        assertEquals(0, bsp.tscDeadline(), "the deadline clears when it fires");
        bsp.setTscDeadline(3000);
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x0_0050); // leaving the mode disarms
        assertEquals(List.of(), runAndCollect(bsp, 1000));
    }

    @Test
    void saveRestoreWithTimerArmedFiresAtTheSameTime() {
        enable(bsp);
        bsp.write(LocalApic.REG_LVT_TIMER, 4, 0x2_0041);
        bsp.write(LocalApic.REG_TIMER_DIVIDE, 4, 0x3); // divide by 16
        bsp.write(LocalApic.REG_TIMER_INITIAL, 4, 7);
        fixed(bsp, 0x90);
        clock.advanceInstructions(33);
        DeviceState cs = DeviceState.of(clock);
        DeviceState ls = DeviceState.of(bsp);
        int count = (int) bsp.read(LocalApic.REG_TIMER_CURRENT, 4);
        assertEquals(0x90, bsp.acknowledge());
        bsp.write(LocalApic.REG_EOI, 4, 0);
        List<Long> expected = runAndCollect(bsp, 400);

        VirtualClock clock2 = VirtualClock.deterministic(0);
        ApicBus bus2 = new ApicBus();
        LocalApic copy = new LocalApic(bus2, clock2, 0, true, new RecordingSignals());
        clock2.restoreState(cs);
        copy.restoreState(ls);
        assertEquals(count, copy.read(LocalApic.REG_TIMER_CURRENT, 4));
        assertEquals(0x90, copy.acknowledge(), "pending IRR survives");
        copy.write(LocalApic.REG_EOI, 4, 0);
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            clock2.advanceInstructions(1);
            clock2.runDue();
            if (copy.intrPending()) {
                copy.acknowledge();
                copy.write(LocalApic.REG_EOI, 4, 0);
                got.add(clock2.nanos());
            }
        }
        assertEquals(List.of(112L, 224L, 336L), expected);
        assertEquals(expected, got);
    }

    @Test
    void randomAccessesNeverThrowAndResetRestoresState() {
        Random r = new Random(0xA91C);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long off = r.nextInt(8) == 0 ? r.nextLong() : r.nextInt(0x1100);
            if (r.nextInt(4) != 0 && off >= 0 && off < 0x1000) {
                off &= ~0xFL;
                size = 4;
            }
            switch (r.nextInt(6)) {
                case 0, 1 -> ap.read(off, size);
                case 2, 3 -> ap.write(off, size, r.nextLong());
                case 4 -> ap.writeMsr(0x800 + r.nextInt(0x100), r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(0x100));
                default -> {
                    if (r.nextInt(50) == 0) ap.setApicBase(r.nextLong() & 0xFFFF_FFFF_FFFFL);
                    if (ap.canReadMsr(0x800 + r.nextInt(0x100))) ap.readMsr(0x800 + r.nextInt(0x100));
                    ap.intrPending();
                    ap.acknowledge();
                }
            }
            if ((i & 127) == 0) {
                clock.advanceInstructions(r.nextInt(100_000));
                clock.runDue();
            }
        }
        ap.reset();
        assertEquals(0xFEE0_0800L, ap.apicBase());
        assertEquals(0x0100_0000, ap.read(LocalApic.REG_ID, 4));
        assertEquals(0x0005_0014, ap.read(LocalApic.REG_VERSION, 4));
        assertEquals(0, ap.read(LocalApic.REG_TPR, 4));
        assertEquals(0xFF, ap.read(LocalApic.REG_SVR, 4));
        assertEquals(0xFFFF_FFFFL, ap.read(LocalApic.REG_DFR, 4));
        assertEquals(0, ap.read(LocalApic.REG_LDR, 4));
        for (int off = 0x100; off < 0x280; off += 0x10) assertEquals(0, ap.read(off, 4), "ISR/TMR/IRR");
        for (int off = 0x320; off <= 0x370; off += 0x10) assertEquals(0x0001_0000, ap.read(off, 4));
        assertEquals(0, ap.read(LocalApic.REG_TIMER_INITIAL, 4));
        assertEquals(0, ap.read(LocalApic.REG_TIMER_CURRENT, 4));
        assertEquals(0, ap.read(LocalApic.REG_TIMER_DIVIDE, 4));
        assertFalse(ap.takeNmi());
    }
}
