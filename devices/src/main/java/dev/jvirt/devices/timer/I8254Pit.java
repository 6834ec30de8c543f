package dev.jvirt.devices.timer;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;

/**
 * The Intel 8254 programmable interval timer of the PC: ports 0x40-0x42 (counters 0-2) and 0x43
 * (control word), clocked at 1.193182 MHz. Counter 0's OUT drives IRQ 0, counter 1 (DRAM refresh)
 * drives nothing, counter 2's GATE and OUT belong to port 0x61.
 *
 * <p>Nothing ticks: every counter is a closed-form function of the virtual time. The CLK pulses sit
 * on a fixed grid, pulse {@code k} at the first nanosecond where {@code ns * 1193182 / 1e9 >= k}
 * (exact integer arithmetic), and a counter remembers the pulse at which its count was loaded. A
 * VirtualClock timer is armed only for counter 0, at its next OUT transition.
 */
public final class I8254Pit implements Device {
    public static final long FREQUENCY_HZ = 1_193_182L;
    private static final long NS_PER_S = 1_000_000_000L;
    private static final long NEVER = Long.MAX_VALUE;

    private final VirtualClock clock;
    private final IrqLine irq0;
    private final VirtualClock.Timer timer;
    private final Counter[] counters = {new Counter(), new Counter(), new Counter()};
    private boolean irqLevel;
    private long nextTransitionTick = NEVER;

    public I8254Pit(VirtualClock clock, IrqLine irq0) {
        this.clock = clock;
        this.irq0 = irq0 == null ? IrqLine.NONE : irq0;
        this.timer = clock.newTimer("pit-ch0", this::onTransition);
        reset();
    }

    /** The CLK pulse count at virtual time {@code ns}: floor(ns * 1193182 / 1e9), without overflow. */
    static long tickAt(long ns) {
        long s = Math.floorDiv(ns, NS_PER_S);
        long r = Math.floorMod(ns, NS_PER_S);
        return s * FREQUENCY_HZ + r * FREQUENCY_HZ / NS_PER_S;
    }

    /** The first nanosecond at which pulse {@code tick} has happened: the inverse of {@link #tickAt}. */
    static long nanosOfTick(long tick) {
        long s = Math.floorDiv(tick, FREQUENCY_HZ);
        long r = Math.floorMod(tick, FREQUENCY_HZ);
        return s * NS_PER_S + (r * NS_PER_S + FREQUENCY_HZ - 1) / FREQUENCY_HZ;
    }

    private long now() {
        return tickAt(clock.nanos());
    }

    /** Counter 2's OUT, as port 0x61 bit 5 shows it. */
    public boolean channel2Out() {
        return counters[2].out(now());
    }

    /** Counter 2's GATE, from port 0x61 bit 0. */
    public void setChannel2Gate(boolean level) {
        counters[2].setGate(level, now());
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            long b = o >= 0 && o < 3 ? counters[(int) o].readByte(now()) : 0xFF;
            v |= b << (8 * i);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            int b = (int) (value >>> (8 * i)) & 0xFF;
            if (o >= 0 && o < 3) {
                counters[(int) o].writeByte(b, now());
                if (o == 0) refreshIrq();
            } else if (o == 3) {
                controlWord(b);
            }
        }
    }

    private void controlWord(int v) {
        long t = now();
        int sc = v >> 6;
        if (sc == 3) { // read-back: bit 5 low latches counts, bit 4 low latches status, bits 3-1 select
            for (int c = 0; c < 3; c++) {
                if ((v & (2 << c)) == 0) continue;
                if ((v & 0x20) == 0) counters[c].latchCount(t);
                if ((v & 0x10) == 0) counters[c].latchStatus(t);
            }
            return;
        }
        if ((v & 0x30) == 0) {
            counters[sc].latchCount(t);
            return;
        }
        counters[sc].program(v & 0x3F, t);
        if (sc == 0) refreshIrq();
    }

    /** Drives IRQ 0 from counter 0's OUT now and arms the timer at its next transition. */
    private void refreshIrq() {
        long t = now();
        drive(counters[0].out(t));
        schedule(counters[0].nextTransition(t));
    }

    /** Fires at a scheduled transition; evaluating at that pulse (not at the late "now") keeps every edge. */
    private void onTransition() {
        long t = nextTransitionTick;
        if (t == NEVER) return;
        drive(counters[0].out(t));
        schedule(counters[0].nextTransition(t));
    }

    private void schedule(long tick) {
        nextTransitionTick = tick;
        if (tick == NEVER) timer.cancel();
        else timer.arm(nanosOfTick(tick));
    }

    private void drive(boolean level) {
        if (level != irqLevel) {
            irqLevel = level;
            irq0.set(level);
        }
    }

    /**
     * Power-on as QEMU models it (the datasheet leaves it undefined): every counter in mode 3 with
     * count 65536 (LSB then MSB, binary), counters 0 and 1 running with GATE high, counter 2 waiting
     * for its gate. So IRQ 0 ticks at 18.2 Hz before any guest code runs.
     */
    @Override
    public void reset() {
        long t = now();
        for (int c = 0; c < 3; c++) {
            Counter k = counters[c];
            k.gate = c != 2;
            k.heldCe = 0;
            k.program(0x36, t);
            k.writeByte(0, t);
            k.writeByte(0, t);
        }
        irqLevel = !counters[0].out(t); // force one drive, so the interrupt controller sees the reset level
        drive(counters[0].out(t));
        schedule(counters[0].nextTransition(t));
    }

    @Override public String stateId() { return "pit"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        for (int c = 0; c < 3; c++) {
            DeviceState s = new DeviceState("pit-counter", 1);
            counters[c].save(s);
            out.put("counter" + c, s);
        }
        out.put("irqLevel", irqLevel).put("nextTransitionTick", nextTransitionTick);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        for (int c = 0; c < 3; c++) counters[c].restore(in.getState("counter" + c));
        irqLevel = in.getBoolean("irqLevel");
        irq0.set(irqLevel);
        schedule(in.getLong("nextTransitionTick"));
    }

    private enum Phase { IDLE, WAITING, COUNTING }

    /** One counter: CR, CE, OUT, the latches and the GATE input. Times are CLK pulse numbers. */
    private static final class Counter {
        int controlBits = 0x36; // RW1 RW0 M2 M1 M0 BCD, as the read-back status shows them
        int mode;
        int access;             // 1 LSB, 2 MSB, 3 LSB then MSB
        boolean bcd;
        boolean gate;
        int cr;
        int crLow;
        boolean writeMsbNext;
        boolean readMsbNext;
        boolean countLatched;
        int latchedCount;
        boolean latchMsbNext;
        boolean statusLatched;
        int status;
        Phase phase = Phase.IDLE;
        long n;                 // the count in use, 1..65536 (10000 in BCD)
        long loadTick;          // the pulse that loaded the CE; the CE is n at d = 0
        boolean frozen;         // modes 0 and 4 with GATE low: counting suspended at frozenD
        long frozenD;
        boolean pending;        // modes 2 and 3: a new count takes over at pendingTick
        long pendingN;
        long pendingTick;
        long pendingLoadTick;
        int heldCe;             // the CE while it is not counting (binary)
        long nullUntil = NEVER; // status NULL COUNT until this pulse

        private long modulus() {
            return bcd ? 10_000 : 65_536;
        }

        private long decodedCr() {
            long v = bcd ? fromBcd(cr) : cr;
            return v == 0 ? modulus() : v;
        }

        private void settle(long t) {
            if (pending && t >= pendingTick) {
                n = pendingN;
                loadTick = pendingLoadTick;
                pending = false;
            }
        }

        private long elapsed(long t) {
            return frozen ? frozenD : t - loadTick;
        }

        boolean out(long t) {
            settle(t);
            switch (phase) {
                case IDLE: return mode != 0;
                case WAITING: return true;
                default: break;
            }
            long d = elapsed(t);
            if (d < 0) return mode != 0;
            return switch (mode) {
                case 0, 1 -> d >= n;
                case 2 -> d % n != n - 1;
                case 3 -> d % n < (n + 1) / 2;
                default -> d != n;
            };
        }

        /** The counting element, binary. */
        long ce(long t) {
            settle(t);
            if (phase != Phase.COUNTING) return heldCe;
            long d = elapsed(t);
            if (d < 0) return heldCe;
            long v = switch (mode) {
                case 2 -> n - d % n;
                case 3 -> {
                    long p = d % n;
                    long hi = (n + 1) / 2;
                    long q = p < hi ? p : p - hi;
                    yield (n & 1) == 0 ? n - 2 * q : n - 1 - 2 * q;
                }
                default -> n - d;
            };
            return Math.floorMod(v, modulus());
        }

        /** The pulse after {@code t} at which OUT next changes, or NEVER. */
        long nextTransition(long t) {
            settle(t);
            if (phase != Phase.COUNTING || frozen) return NEVER;
            long d = t - loadTick;
            long next;
            switch (mode) {
                case 0 -> next = d < n ? loadTick + n : NEVER;
                case 1 -> next = d < 0 ? loadTick : d < n ? loadTick + n : NEVER;
                case 2 -> {
                    if (d < 0) next = loadTick + n - 1;
                    else if (n == 1) next = NEVER;
                    else {
                        long p = d % n;
                        next = p < n - 1 ? loadTick + d - p + n - 1 : loadTick + d + 1;
                    }
                }
                case 3 -> {
                    long hi = (n + 1) / 2;
                    if (n == hi) next = NEVER;
                    else if (d < 0) next = loadTick + hi;
                    else {
                        long p = d % n;
                        next = loadTick + d - p + (p < hi ? hi : n);
                    }
                }
                default -> next = d < n ? loadTick + n : d == n ? loadTick + n + 1 : NEVER;
            }
            if (next <= t) next = NEVER; // d < 0 cases with a past load cannot happen; be safe
            return pending ? Math.min(next, pendingTick) : next;
        }

        void program(int bits, long t) {
            heldCe = (int) ce(t);
            controlBits = bits;
            access = (bits >> 4) & 3;
            int m = (bits >> 1) & 7;
            mode = m > 5 ? m - 4 : m;
            bcd = (bits & 1) != 0;
            phase = Phase.IDLE;
            pending = false;
            frozen = false;
            nullUntil = NEVER;
            writeMsbNext = false;
            readMsbNext = false;
            countLatched = false;
            statusLatched = false;
        }

        void writeByte(int b, long t) {
            switch (access) {
                case 1 -> cr = b;
                case 2 -> cr = b << 8;
                default -> {
                    if (!writeMsbNext) {
                        crLow = b;
                        writeMsbNext = true;
                        if (mode == 0) { // the first byte stops the count and sets OUT low at once
                            heldCe = (int) ce(t);
                            phase = Phase.IDLE;
                            pending = false;
                            frozen = false;
                        }
                        return;
                    }
                    writeMsbNext = false;
                    cr = crLow | b << 8;
                }
            }
            load(t);
        }

        /** A complete count was written to CR. */
        private void load(long t) {
            settle(t);
            long count = decodedCr();
            switch (mode) {
                case 0, 4 -> {
                    start(t + 1, count, t);
                    if (!gate) {
                        frozen = true;
                        frozenD = 0;
                    }
                }
                case 1, 5 -> { // the count waits for a GATE trigger; a running one-shot is unaffected
                    if (phase == Phase.IDLE) phase = Phase.WAITING;
                    nullUntil = NEVER;
                }
                default -> {
                    if (phase == Phase.COUNTING && t - loadTick >= 0) {
                        reloadAtBoundary(count, t);
                    } else if (gate) {
                        start(t + 1, count, t);
                    } else {
                        heldCe = (int) ce(t);
                        phase = Phase.WAITING;
                        nullUntil = NEVER;
                    }
                }
            }
        }

        /** Modes 2 and 3: a new count starts at the end of the period (mode 3: of the half-cycle). */
        private void reloadAtBoundary(long count, long t) {
            long d = t - loadTick;
            long p = d % n;
            long periodStart = loadTick + d - p;
            long hi = (n + 1) / 2;
            if (mode == 3 && p < hi) {
                pendingTick = periodStart + hi;
                pendingLoadTick = pendingTick - (count + 1) / 2; // the new count begins in its low half
            } else {
                pendingTick = periodStart + n;
                pendingLoadTick = pendingTick;
            }
            pendingN = count;
            pending = true;
            nullUntil = pendingTick;
        }

        private void start(long loadAt, long count, long t) {
            heldCe = (int) ce(t);
            phase = Phase.COUNTING;
            n = count;
            loadTick = loadAt;
            frozen = false;
            pending = false;
            nullUntil = loadAt;
        }

        void setGate(boolean level, long t) {
            if (level == gate) return;
            settle(t);
            gate = level;
            if (phase == Phase.IDLE) return;
            switch (mode) {
                case 0, 4 -> {
                    if (phase != Phase.COUNTING) return;
                    if (!level) {
                        frozenD = Math.max(0, t - loadTick);
                        frozen = true;
                    } else if (frozen) {
                        loadTick = t - frozenD;
                        frozen = false;
                    }
                }
                case 1, 5 -> {
                    if (level) start(t + 1, decodedCr(), t);
                }
                default -> {
                    if (level) {
                        start(t + 1, decodedCr(), t);
                    } else {
                        heldCe = (int) ce(t);
                        phase = Phase.WAITING;
                        pending = false;
                    }
                }
            }
        }

        private int encode(long v) {
            return (int) (bcd ? toBcd(v) : v) & 0xFFFF;
        }

        void latchCount(long t) {
            if (countLatched) return;
            latchedCount = encode(ce(t));
            countLatched = true;
            latchMsbNext = false;
        }

        void latchStatus(long t) {
            if (statusLatched) return;
            status = (out(t) ? 0x80 : 0) | (t < nullUntil ? 0x40 : 0) | controlBits;
            statusLatched = true;
        }

        int readByte(long t) {
            if (statusLatched) {
                statusLatched = false;
                return status;
            }
            if (countLatched) {
                return switch (access) {
                    case 1 -> { countLatched = false; yield latchedCount & 0xFF; }
                    case 2 -> { countLatched = false; yield latchedCount >> 8; }
                    default -> {
                        if (latchMsbNext) {
                            countLatched = false;
                            yield latchedCount >> 8;
                        }
                        latchMsbNext = true;
                        yield latchedCount & 0xFF;
                    }
                };
            }
            int v = encode(ce(t));
            return switch (access) {
                case 1 -> v & 0xFF;
                case 2 -> v >> 8;
                default -> {
                    readMsbNext = !readMsbNext;
                    yield readMsbNext ? v & 0xFF : v >> 8;
                }
            };
        }

        void save(DeviceState s) {
            s.put("controlBits", controlBits).put("gate", gate).put("cr", cr).put("crLow", crLow)
                    .put("writeMsbNext", writeMsbNext).put("readMsbNext", readMsbNext)
                    .put("countLatched", countLatched).put("latchedCount", latchedCount).put("latchMsbNext", latchMsbNext)
                    .put("statusLatched", statusLatched).put("status", status).put("phase", phase.ordinal())
                    .put("n", n).put("loadTick", loadTick).put("frozen", frozen).put("frozenD", frozenD)
                    .put("pending", pending).put("pendingN", pendingN).put("pendingTick", pendingTick)
                    .put("pendingLoadTick", pendingLoadTick).put("heldCe", heldCe).put("nullUntil", nullUntil);
        }

        void restore(DeviceState s) {
            int bits = s.getInt("controlBits") & 0x3F;
            controlBits = bits;
            access = Math.max(1, (bits >> 4) & 3);
            int m = (bits >> 1) & 7;
            mode = m > 5 ? m - 4 : m;
            bcd = (bits & 1) != 0;
            gate = s.getBoolean("gate");
            cr = s.getInt("cr") & 0xFFFF;
            crLow = s.getInt("crLow") & 0xFF;
            writeMsbNext = s.getBoolean("writeMsbNext");
            readMsbNext = s.getBoolean("readMsbNext");
            countLatched = s.getBoolean("countLatched");
            latchedCount = s.getInt("latchedCount") & 0xFFFF;
            latchMsbNext = s.getBoolean("latchMsbNext");
            statusLatched = s.getBoolean("statusLatched");
            status = s.getInt("status") & 0xFF;
            phase = Phase.values()[Math.clamp(s.getInt("phase"), 0, 2)];
            n = Math.clamp(s.getLong("n"), 1, 65_536);
            loadTick = s.getLong("loadTick");
            frozen = s.getBoolean("frozen");
            frozenD = s.getLong("frozenD");
            pending = s.getBoolean("pending");
            pendingN = Math.clamp(s.getLong("pendingN"), 1, 65_536);
            pendingTick = s.getLong("pendingTick");
            pendingLoadTick = s.getLong("pendingLoadTick");
            heldCe = s.getInt("heldCe") & 0xFFFF;
            nullUntil = s.getLong("nullUntil");
        }

        private static long fromBcd(int v) {
            return (v >> 12 & 0xF) * 1000L + (v >> 8 & 0xF) * 100L + (v >> 4 & 0xF) * 10L + (v & 0xF);
        }

        private static long toBcd(long v) {
            v = Math.floorMod(v, 10_000);
            return (v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
        }
    }
}
