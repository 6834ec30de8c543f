package dev.jvirt.devices.timer;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.InterruptSink;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.IoHandler;

/**
 * The High Precision Event Timer (IA-PC HPET Specification 1.0a), as QEMU models it: one block of
 * three 64-bit comparators on a 64-bit main counter running at 100 MHz (10 ns period), registered
 * at 0xFED00000 with 0x400 bytes, 32- and 64-bit accesses.
 *
 * <p>Interrupts leave through an {@link InterruptSink}: timer n routed to I/O APIC input r drives
 * {@code setIrq(r, ...)}. Under legacy replacement (LEG_RT_CNF) timer 0 drives ISA IRQ 0
 * ({@code setIrq(0, ...)}) and timer 1 ISA IRQ 8, and the PIT's and RTC's own outputs, which the board
 * wires through {@link #pitInput()} and {@link #rtcInput()}, are cut off as the specification's
 * Table 3 requires. FSB (MSI) delivery is not offered.
 *
 * <p>A comparator matches when the main counter reaches its value (in 32-bit mode, its low 32 bits);
 * a 32-bit one-shot timer also interrupts when the counter's low 32 bits wrap, as the specification's
 * one-shot mode description requires.
 */
public final class Hpet implements Device {
    public static final long DEFAULT_BASE = 0xFED0_0000L;
    public static final int MMIO_SIZE = 0x400;
    public static final int TIMERS = 3;
    /** Main counter tick: 10 ns, as femtoseconds in the capabilities register. */
    public static final long PERIOD_FS = 10_000_000L;
    static final long NS_PER_TICK = 10;
    /** QEMU's i440FX board: every comparator may be routed to I/O APIC input 2 only. */
    public static final int DEFAULT_ROUTE_CAP = 1 << 2;
    public static final int PIT_IRQ = 0;
    public static final int RTC_IRQ = 8;

    static final int REG_CAPABILITIES = 0x000;
    static final int REG_CONFIG = 0x010;
    static final int REG_STATUS = 0x020;
    static final int REG_COUNTER = 0x0F0;
    static final int REG_TIMER0 = 0x100;
    static final int TIMER_STRIDE = 0x20;
    static final int TN_CONFIG = 0x00;
    static final int TN_COMPARATOR = 0x08;
    static final int TN_FSB_ROUTE = 0x10;

    static final long ENABLE_CNF = 1;
    static final long LEG_RT_CNF = 2;

    static final long TN_INT_TYPE_LEVEL = 1 << 1;
    static final long TN_INT_ENB = 1 << 2;
    static final long TN_TYPE_PERIODIC = 1 << 3;
    static final long TN_PER_INT_CAP = 1 << 4;
    static final long TN_SIZE_CAP = 1 << 5;
    static final long TN_VAL_SET = 1 << 6;
    static final long TN_32MODE = 1 << 8;
    static final int TN_ROUTE_SHIFT = 9;
    static final long TN_ROUTE = 0x1FL << TN_ROUTE_SHIFT;
    private static final long TN_WRITABLE = TN_INT_TYPE_LEVEL | TN_INT_ENB | TN_TYPE_PERIODIC | TN_VAL_SET | TN_32MODE | TN_ROUTE;

    static final long CAPABILITIES = (PERIOD_FS << 32) | (0x8086L << 16) | (1L << 15) /* LEG_RT_CAP */
            | (1L << 13) /* COUNT_SIZE_CAP: 64-bit */ | ((TIMERS - 1L) << 8) | 0x01 /* REV_ID */;

    private static final long LOW32 = 0xFFFF_FFFFL;
    private static final System.Logger LOG = System.getLogger(Hpet.class.getName());

    private final VirtualClock clock;
    private final InterruptSink sink;
    private final int routeCap;
    private final VirtualClock.Timer[] timers = new VirtualClock.Timer[TIMERS];

    private long config;
    private long status;
    /** The counter value while halted; while enabled, the value at {@link #enabledAtNs}. */
    private long counterBase;
    private long enabledAtNs;
    private final long[] timerConfig = new long[TIMERS];
    private final long[] comparator = new long[TIMERS];
    private final long[] period = new long[TIMERS];
    /** The counter tick of each timer's armed event. */
    private final long[] eventTick = new long[TIMERS];
    /** What this device currently drives: per timer, the asserted level-mode line and its route. */
    private int lineAsserted;
    private final int[] lineRoute = new int[TIMERS];
    private boolean pitLevel;
    private boolean rtcLevel;

    /** An HPET whose comparators may be routed to the I/O APIC inputs set in {@code routeCap}. */
    public Hpet(VirtualClock clock, InterruptSink sink, int routeCap) {
        this.clock = clock;
        this.sink = sink;
        this.routeCap = routeCap;
        for (int i = 0; i < TIMERS; i++) {
            int n = i;
            timers[i] = clock.newTimer("hpet-t" + i, () -> expired(n));
        }
        resetRegisters();
    }

    public Hpet(VirtualClock clock, InterruptSink sink) {
        this(clock, sink, DEFAULT_ROUTE_CAP);
    }

    /** Where the PIT's output (ISA IRQ 0) enters: passed on unless legacy replacement is on. */
    public IrqLine pitInput() {
        return level -> {
            pitLevel = level;
            if (!legacy()) sink.setIrq(PIT_IRQ, level);
        };
    }

    /** Where the RTC's output (ISA IRQ 8) enters: passed on unless legacy replacement is on. */
    public IrqLine rtcInput() {
        return level -> {
            rtcLevel = level;
            if (!legacy()) sink.setIrq(RTC_IRQ, level);
        };
    }

    @Override
    public void reset() {
        boolean wasLegacy = legacy();
        resetRegisters();
        updateLines();
        if (wasLegacy) reconnectLegacySources();
    }

    private void resetRegisters() {
        config = 0;
        status = 0;
        counterBase = 0;
        enabledAtNs = 0;
        for (int i = 0; i < TIMERS; i++) {
            timers[i].cancel();
            timerConfig[i] = 0;
            comparator[i] = -1L;
            period[i] = 0;
            eventTick[i] = 0;
        }
    }

    private boolean enabled() { return (config & ENABLE_CNF) != 0; }

    private boolean legacy() { return (config & LEG_RT_CNF) != 0; }

    /** The main counter now. */
    long counter() {
        if (!enabled()) return counterBase;
        return counterBase + Math.floorDiv(clock.nanos() - enabledAtNs, NS_PER_TICK);
    }

    // ---- MMIO ------------------------------------------------------------------------------------

    @Override
    public long read(long offset, int size) {
        if ((size != 4 && size != 8) || (offset & (size - 1)) != 0 || offset < 0 || offset >= MMIO_SIZE) {
            return IoHandler.ones(size);
        }
        long v = readRegister((int) offset & ~7);
        if (size == 8) return v;
        return (offset & 4) == 0 ? v & LOW32 : v >>> 32;
    }

    @Override
    public void write(long offset, int size, long value) {
        if ((size != 4 && size != 8) || (offset & (size - 1)) != 0 || offset < 0 || offset >= MMIO_SIZE) {
            LOG.log(System.Logger.Level.DEBUG, "hpet: ignored write offset {0} size {1}", offset, size);
            return;
        }
        long lanes = size == 8 ? -1L : (offset & 4) == 0 ? LOW32 : ~LOW32;
        long v = size == 8 ? value : (offset & 4) == 0 ? value & LOW32 : value << 32;
        writeRegister((int) offset & ~7, v, lanes);
    }

    private long readRegister(int reg) {
        if (reg >= REG_TIMER0) {
            int n = (reg - REG_TIMER0) / TIMER_STRIDE;
            if (n >= TIMERS) return 0;
            return switch ((reg - REG_TIMER0) % TIMER_STRIDE) {
                case TN_CONFIG -> timerConfig[n] | TN_PER_INT_CAP | TN_SIZE_CAP | ((long) routeCap << 32);
                case TN_COMPARATOR -> (timerConfig[n] & TN_32MODE) != 0 ? comparator[n] & LOW32 : comparator[n];
                default -> 0; // FSB route: FSB delivery is not offered
            };
        }
        return switch (reg) {
            case REG_CAPABILITIES -> CAPABILITIES;
            case REG_CONFIG -> config;
            case REG_STATUS -> status;
            case REG_COUNTER -> counter();
            default -> 0;
        };
    }

    private void writeRegister(int reg, long value, long lanes) {
        if (reg >= REG_TIMER0) {
            int n = (reg - REG_TIMER0) / TIMER_STRIDE;
            if (n >= TIMERS) return;
            switch ((reg - REG_TIMER0) % TIMER_STRIDE) {
                case TN_CONFIG -> writeTimerConfig(n, (timerConfig[n] & ~lanes) | (value & lanes));
                case TN_COMPARATOR -> writeComparator(n, value, lanes);
                default -> { }
            }
            return;
        }
        switch (reg) {
            case REG_CONFIG -> writeConfig((config & ~lanes) | (value & lanes));
            case REG_STATUS -> {
                status &= ~(value & lanes);
                updateLines();
            }
            case REG_COUNTER -> {
                // The counter may only be written while halted; a write while running is lost (as in QEMU).
                if (!enabled()) counterBase = (counterBase & ~lanes) | (value & lanes);
            }
            default -> { }
        }
    }

    private void writeConfig(long value) {
        long old = config;
        config = value & (ENABLE_CNF | LEG_RT_CNF);
        long now = clock.nanos();
        if ((old & ENABLE_CNF) == 0 && enabled()) {
            enabledAtNs = now;
            for (int i = 0; i < TIMERS; i++) schedule(i, counterBase);
        } else if ((old & ENABLE_CNF) != 0 && !enabled()) {
            counterBase += Math.floorDiv(now - enabledAtNs, NS_PER_TICK);
            for (VirtualClock.Timer t : timers) t.cancel();
        }
        boolean wasLegacy = (old & LEG_RT_CNF) != 0;
        if (!wasLegacy && legacy()) {
            if (pitLevel) sink.setIrq(PIT_IRQ, false);
            if (rtcLevel) sink.setIrq(RTC_IRQ, false);
        }
        updateLines();
        if (wasLegacy && !legacy()) reconnectLegacySources();
    }

    private void reconnectLegacySources() {
        sink.setIrq(PIT_IRQ, pitLevel);
        sink.setIrq(RTC_IRQ, rtcLevel);
    }

    private void writeTimerConfig(int n, long value) {
        long v = value & TN_WRITABLE;
        int route = (int) ((v & TN_ROUTE) >>> TN_ROUTE_SHIFT);
        // An input this timer cannot reach does not take: the old route reads back (Tn_INT_ROUTE_CNF).
        if ((routeCap & (1 << route)) == 0) v = (v & ~TN_ROUTE) | (timerConfig[n] & TN_ROUTE);
        timerConfig[n] = v;
        if ((v & TN_32MODE) != 0) {
            comparator[n] &= LOW32;
            period[n] &= LOW32;
        }
        if (enabled()) schedule(n, counter());
        updateLines();
    }

    private void writeComparator(int n, long value, long lanes) {
        long c = timerConfig[n];
        if ((c & TN_32MODE) != 0) lanes &= LOW32;
        long v = value & lanes;
        boolean periodic = (c & TN_TYPE_PERIODIC) != 0;
        // In periodic mode a write sets the period (the accumulator's increment); with Tn_VAL_SET_CNF
        // it also sets the comparator itself (Tn_VAL_SET_CNF), as QEMU and Bochs read the specification.
        if (!periodic || (c & TN_VAL_SET) != 0) comparator[n] = (comparator[n] & ~lanes) | v;
        if (periodic) period[n] = (period[n] & ~lanes) | v;
        timerConfig[n] = c & ~TN_VAL_SET;
        if (enabled()) schedule(n, counter());
    }

    // ---- comparators -------------------------------------------------------------------------------

    /** Arms timer n for its first event strictly after counter tick {@code from}. */
    private void schedule(int n, long from) {
        long c = timerConfig[n];
        long ticks;
        if ((c & TN_32MODE) != 0) {
            ticks = ((comparator[n] - from - 1) & LOW32) + 1;
            if ((c & TN_TYPE_PERIODIC) == 0) ticks = Math.min(ticks, (~from & LOW32) + 1);
        } else {
            ticks = comparator[n] - from;
            if (Long.compareUnsigned(comparator[n], from) <= 0) {
                timers[n].cancel(); // passed: the next match is after a 64-bit wrap
                return;
            }
        }
        long event = from + ticks;
        long sinceBase = event - counterBase;
        if (sinceBase < 0 || sinceBase > (Long.MAX_VALUE - enabledAtNs) / NS_PER_TICK) {
            timers[n].cancel();
            return;
        }
        eventTick[n] = event;
        timers[n].arm(enabledAtNs + sinceBase * NS_PER_TICK);
    }

    private void expired(int n) {
        long tick = eventTick[n];
        long c = timerConfig[n];
        long width = (c & TN_32MODE) != 0 ? LOW32 : -1L;
        boolean match = ((tick ^ comparator[n]) & width) == 0;
        long now = counter();
        long from = Long.compareUnsigned(now, tick) > 0 ? now : tick;
        if (match && (c & TN_TYPE_PERIODIC) != 0 && period[n] != 0) {
            long p = period[n];
            long cmp = (comparator[n] + p) & width;
            long behind = (now - cmp) & width;
            // If the event ran late by whole periods, skip them (as QEMU does) rather than burst.
            if (behind != 0 && Long.compareUnsigned(behind, width >>> 1) < 0) cmp = (cmp + (Long.divideUnsigned(behind - 1, p) + 1) * p) & width;
            comparator[n] = cmp;
            if (((cmp ^ from) & width) == 0) from--; // the next period ends right now
        }
        interrupt(n);
        schedule(n, from);
    }

    private void interrupt(int n) {
        long c = timerConfig[n];
        if ((c & TN_INT_TYPE_LEVEL) != 0) {
            status |= 1L << n;
            updateLines();
        } else if ((c & TN_INT_ENB) != 0 && enabled()) {
            int r = route(n);
            sink.setIrq(r, true);
            sink.setIrq(r, false);
        }
    }

    private int route(int n) {
        if (legacy() && n == 0) return PIT_IRQ;
        if (legacy() && n == 1) return RTC_IRQ;
        return (int) ((timerConfig[n] & TN_ROUTE) >>> TN_ROUTE_SHIFT);
    }

    /** Drives each level-mode timer's line from its status bit, enables and route. */
    private void updateLines() {
        for (int n = 0; n < TIMERS; n++) {
            long c = timerConfig[n];
            boolean level = enabled() && (c & (TN_INT_TYPE_LEVEL | TN_INT_ENB)) == (TN_INT_TYPE_LEVEL | TN_INT_ENB)
                    && (status & (1L << n)) != 0;
            int r = route(n);
            boolean was = (lineAsserted & (1 << n)) != 0;
            if (was && (!level || r != lineRoute[n])) sink.setIrq(lineRoute[n], false);
            if (level && (!was || r != lineRoute[n])) sink.setIrq(r, true);
            lineAsserted = level ? lineAsserted | (1 << n) : lineAsserted & ~(1 << n);
            lineRoute[n] = r;
        }
    }

    // ---- snapshot --------------------------------------------------------------------------------

    @Override public String stateId() { return "hpet"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        long[] deadlines = new long[TIMERS];
        long[] armed = new long[TIMERS];
        for (int i = 0; i < TIMERS; i++) {
            armed[i] = timers[i].armed() ? 1 : 0;
            deadlines[i] = timers[i].armed() ? timers[i].deadline() : 0;
        }
        out.put("config", config).put("status", status).put("counterBase", counterBase).put("enabledAtNs", enabledAtNs)
                .put("timerConfig", timerConfig).put("comparator", comparator).put("period", period)
                .put("eventTick", eventTick).put("armed", armed).put("deadline", deadlines)
                .put("lineAsserted", lineAsserted).put("lineRoute", lineRoute)
                .put("pitLevel", pitLevel).put("rtcLevel", rtcLevel);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        config = in.getLong("config") & (ENABLE_CNF | LEG_RT_CNF);
        status = in.getLong("status") & ((1L << TIMERS) - 1);
        counterBase = in.getLong("counterBase");
        enabledAtNs = in.getLong("enabledAtNs");
        copy(in.getLongs("timerConfig"), timerConfig);
        for (int i = 0; i < TIMERS; i++) timerConfig[i] &= TN_WRITABLE;
        copy(in.getLongs("comparator"), comparator);
        copy(in.getLongs("period"), period);
        copy(in.getLongs("eventTick"), eventTick);
        lineAsserted = in.getInt("lineAsserted") & ((1 << TIMERS) - 1);
        int[] routes = in.getInts("lineRoute");
        if (routes.length != TIMERS) throw new IllegalStateException("hpet state: " + routes.length + " routes");
        System.arraycopy(routes, 0, lineRoute, 0, TIMERS);
        pitLevel = in.getBoolean("pitLevel");
        rtcLevel = in.getBoolean("rtcLevel");
        long[] armed = in.getLongs("armed");
        long[] deadlines = in.getLongs("deadline");
        for (int i = 0; i < TIMERS; i++) {
            if (armed[i] != 0) timers[i].arm(deadlines[i]); else timers[i].cancel();
        }
    }

    private static void copy(long[] from, long[] to) {
        if (from.length != to.length) throw new IllegalStateException("hpet state: array of " + from.length);
        System.arraycopy(from, 0, to, 0, to.length);
    }
}
