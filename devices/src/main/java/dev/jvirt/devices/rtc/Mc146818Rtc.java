package dev.jvirt.devices.rtc;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;
import java.time.LocalDate;

/**
 * The Motorola MC146818A real-time clock and its CMOS RAM, as on the PC: port 0x70 (offset 0)
 * selects a register (bit 7 is the chipset's NMI mask), port 0x71 (offset 1) reads or writes it.
 * Registers 0-9 are the time, alarm and date, A-D the control registers, 0x32 the IBM century byte,
 * the rest of the 128 bytes battery-backed RAM. The interrupt output is ISA IRQ 8.
 *
 * <p>The clock counts seconds of a UTC-like calendar: it starts at the constructor's base (host wall
 * time, or a fixed date for reproducible runs) and advances with the VirtualClock. Nothing ticks:
 * the time, the update cycles, periodic ticks and alarms are computed from the virtual time when the
 * guest looks, and a timer is armed only for the next event that would raise IRQ 8.
 *
 * <p>The divider chain's phase is {@code phaseNs}: update cycles end where {@code (ns + phaseNs)} is
 * a whole second, periodic ticks fall on the 32.768 kHz grid of the same sum.
 */
public final class Mc146818Rtc implements Device {
    private static final System.Logger LOG = System.getLogger(Mc146818Rtc.class.getName());

    public static final int IRQ = 8;
    public static final int REG_A = 0x0A;
    public static final int REG_B = 0x0B;
    public static final int REG_C = 0x0C;
    public static final int REG_D = 0x0D;
    public static final int CENTURY = 0x32;

    static final int A_UIP = 0x80;
    static final int B_SET = 0x80;
    static final int B_PIE = 0x40;
    static final int B_AIE = 0x20;
    static final int B_UIE = 0x10;
    static final int B_SQWE = 0x08;
    static final int B_DM_BINARY = 0x04;
    static final int B_24H = 0x02;
    static final int C_IRQF = 0x80;
    static final int C_PF = 0x40;
    static final int C_AF = 0x20;
    static final int C_UF = 0x10;
    static final int D_VRT = 0x80;

    private static final long NS_PER_S = 1_000_000_000L;
    private static final long DIVIDER_HZ = 32_768L;
    /** UIP rises this long (8 cycles of 32.768 kHz) before the time registers change. */
    private static final long UIP_NS = 8 * NS_PER_S / DIVIDER_HZ;
    private static final int[] TIME_REGS = {0, 2, 4, 6, 7, 8, 9, CENTURY};

    private final VirtualClock clock;
    private final IrqLine irq;
    private final VirtualClock.Timer timer;
    private final byte[] cmos = new byte[128];
    private int index;
    private boolean nmiMasked;
    private long secOffset;   // calendar seconds = floorDiv(ns + phaseNs, 1e9) + secOffset, while running
    private long phaseNs;     // 0 <= phaseNs < 1e9
    private int flags;        // register C
    private long flagsUntil;  // events up to this virtual time are folded into flags
    private boolean irqLevel;

    /**
     * @param baseEpochSeconds the calendar time at construction (the clock's current virtual time), as
     *                         seconds since 1970-01-01T00:00 of the RTC's own calendar: the host's
     *                         {@code Instant.now().getEpochSecond()} for base=utc, plus the zone offset for
     *                         base=localtime, or a fixed date such as 2026-01-01T00:00:00 for reproducible runs
     * @param irq8             ISA IRQ 8
     */
    public Mc146818Rtc(long baseEpochSeconds, VirtualClock clock, IrqLine irq8) {
        this.clock = clock;
        this.irq = irq8 == null ? IrqLine.NONE : irq8;
        this.timer = clock.newTimer("rtc", this::onTimer);
        cmos[REG_A] = 0x26;                // 32.768 kHz divider, 1024 Hz periodic rate
        cmos[REG_B] = B_24H;               // BCD, 24-hour
        cmos[REG_D] = (byte) D_VRT;
        long now = clock.nanos();
        flagsUntil = now;
        setTime(baseEpochSeconds, now, 0);
    }

    /** Port 0x70 bit 7 as last written: NMIs are masked. */
    public boolean nmiMasked() {
        return nmiMasked;
    }

    /** For the board: a CMOS RAM byte (0x0E-0x7F), e.g. the memory sizes and the equipment byte 0x14. */
    public void setNvram(int index, int value) {
        if (index < 0x0E || index > 0x7F) {
            LOG.log(System.Logger.Level.DEBUG, "setNvram({0}) is not a RAM byte", index);
            return;
        }
        cmos[index] = (byte) value;
    }

    /**
     * The memory sizes that SeaBIOS and older BIOSes read, as QEMU's pc_cmos_init writes them: base
     * memory in KiB (0x15/0x16), extended memory above 1 MiB in KiB, capped at 0xFFFF (0x17/0x18 and
     * 0x30/0x31), 64 KiB blocks from 16 MiB to the PCI hole (0x34/0x35) and above 4 GiB (0x5B-0x5D).
     */
    public static void fillMemorySizes(Mc146818Rtc rtc, long ramBelow4g, long ramAbove4g) {
        final long kib = 1024;
        final long mib = 1024 * kib;
        long base = Math.min(ramBelow4g / kib, 640);
        rtc.setNvram(0x15, (int) base);
        rtc.setNvram(0x16, (int) (base >> 8));
        long ext = ramBelow4g > mib ? Math.min((ramBelow4g - mib) / kib, 0xFFFF) : 0;
        rtc.setNvram(0x17, (int) ext);
        rtc.setNvram(0x18, (int) (ext >> 8));
        rtc.setNvram(0x30, (int) ext);
        rtc.setNvram(0x31, (int) (ext >> 8));
        long above16 = ramBelow4g > 16 * mib ? Math.min((ramBelow4g - 16 * mib) / (64 * kib), 0xFFFF) : 0;
        rtc.setNvram(0x34, (int) above16);
        rtc.setNvram(0x35, (int) (above16 >> 8));
        long high = Math.max(0, ramAbove4g) / (64 * kib);
        rtc.setNvram(0x5B, (int) high);
        rtc.setNvram(0x5C, (int) (high >> 8));
        rtc.setNvram(0x5D, (int) (high >> 16));
    }

    // ---- port interface ----

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            long b = o == 1 ? readRegister(index) : 0xFF; // port 0x70 is write-only
            v |= b << (8 * i);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size && i < 8; i++) {
            long o = offset + i;
            int b = (int) (value >>> (8 * i)) & 0xFF;
            if (o == 0) {
                index = b & 0x7F;
                nmiMasked = (b & 0x80) != 0;
            } else if (o == 1) {
                writeRegister(index, b);
            }
        }
    }

    private int readRegister(int reg) {
        long now = clock.nanos();
        catchUp(now);
        switch (reg) {
            case REG_A: {
                int a = cmos[REG_A] & 0x7F;
                return running() && Math.floorMod(now + phaseNs, NS_PER_S) >= NS_PER_S - UIP_NS ? a | A_UIP : a;
            }
            case REG_B: return cmos[REG_B] & 0xFF;
            case REG_C: {
                int c = flags;
                flags = 0;
                updateIrq();
                schedule(now);
                return c;
            }
            case REG_D: return D_VRT;
            default: break;
        }
        if (isTimeRegister(reg) && running()) return encodeTime(reg, secondsAt(now));
        return cmos[reg] & 0xFF;
    }

    private void writeRegister(int reg, int v) {
        long now = clock.nanos();
        catchUp(now);
        switch (reg) {
            case REG_A -> writeA(v, now);
            case REG_B -> writeB(v, now);
            case REG_C, REG_D -> { } // read-only
            default -> {
                if (isTimeRegister(reg) && running()) {
                    // Setting the clock without SET: the written field replaces the running one at once.
                    holdTime(now);
                    cmos[reg] = (byte) v;
                    setTime(decodeTime(), now, 0);
                } else {
                    cmos[reg] = (byte) v;
                }
            }
        }
        updateIrq();
        schedule(now);
    }

    private void writeA(int v, long now) {
        boolean wasHeld = held();
        boolean dividerWasRunning = dividerRunning();
        cmos[REG_A] = (byte) (v & 0x7F);
        if (!wasHeld && held()) {
            holdTime(now);
        } else if (!dividerWasRunning && dividerRunning()) {
            // Taking the divider out of reset: the first update cycle ends half a second later.
            setTime(held() ? 0 : decodeTime(), now, NS_PER_S / 2);
        }
    }

    private void writeB(int v, long now) {
        boolean wasHeld = held();
        if ((v & B_SET) != 0) v &= ~B_UIE; // SET clears UIE
        cmos[REG_B] = (byte) v;
        if (!wasHeld && held()) {
            holdTime(now);
        } else if (wasHeld && !held()) {
            setTime(decodeTime(), now, 0); // the next update ends one second after SET clears
        }
    }

    // ---- time keeping ----

    private boolean dividerRunning() {
        return (cmos[REG_A] & 0x70) <= 0x20;
    }

    /** The time registers hold still: SET, or the divider held in reset. */
    private boolean held() {
        return (cmos[REG_B] & B_SET) != 0 || !dividerRunning();
    }

    private boolean running() {
        return !held();
    }

    private long secondsAt(long ns) {
        return Math.floorDiv(ns + phaseNs, NS_PER_S) + secOffset;
    }

    /** Sets the calendar to {@code seconds} at {@code now}, the next update ending {@code 1s - fractionNs} later. */
    private void setTime(long seconds, long now, long fractionNs) {
        phaseNs = Math.floorMod(fractionNs - now, NS_PER_S);
        secOffset = seconds - Math.floorDiv(now + phaseNs, NS_PER_S);
    }

    /** Copies the running time into the registers, which then hold it. */
    private void holdTime(long now) {
        long s = secondsAt(now);
        for (int reg : TIME_REGS) cmos[reg] = (byte) encodeTime(reg, s);
    }

    private static boolean isTimeRegister(int reg) {
        return reg == 0 || reg == 2 || reg == 4 || (reg >= 6 && reg <= 9) || reg == CENTURY;
    }

    private boolean bcd() {
        return (cmos[REG_B] & B_DM_BINARY) == 0;
    }

    private int toReg(long x) {
        return bcd() ? (int) ((x / 10 % 10) << 4 | x % 10) : (int) x & 0xFF;
    }

    private int fromReg(int v) {
        return bcd() ? (v >> 4 & 0xF) * 10 + (v & 0xF) : v;
    }

    private int encodeHour(int h) {
        if ((cmos[REG_B] & B_24H) != 0) return toReg(h);
        int h12 = h % 12 == 0 ? 12 : h % 12;
        return toReg(h12) | (h >= 12 ? 0x80 : 0);
    }

    /** The hour 0-23 in a register, or -1 if it cannot be one. */
    private int decodeHour(int v) {
        if ((cmos[REG_B] & B_24H) != 0) return fromReg(v);
        int h = fromReg(v & 0x7F);
        if (h < 1 || h > 12) return -1;
        return h % 12 + ((v & 0x80) != 0 ? 12 : 0);
    }

    private int encodeTime(int reg, long seconds) {
        long days = Math.floorDiv(seconds, 86_400);
        int tod = (int) Math.floorMod(seconds, 86_400);
        return switch (reg) {
            case 0 -> toReg(tod % 60);
            case 2 -> toReg(tod / 60 % 60);
            case 4 -> encodeHour(tod / 3600);
            case 6 -> toReg(Math.floorMod(days + 4, 7) + 1); // 1970-01-01 was a Thursday; Sunday is 1
            default -> {
                LocalDate d = LocalDate.ofEpochDay(Math.clamp(days, -365_000_000L, 365_000_000L));
                yield switch (reg) {
                    case 7 -> toReg(d.getDayOfMonth());
                    case 8 -> toReg(d.getMonthValue());
                    case 9 -> toReg(Math.floorMod(d.getYear(), 100));
                    default -> toReg(Math.floorMod(Math.floorDiv(d.getYear(), 100), 100));
                };
            }
        };
    }

    /** The calendar seconds the time registers hold; out-of-range fields are carried, never rejected. */
    private long decodeTime() {
        long sec = fromReg(cmos[0] & 0xFF);
        long min = fromReg(cmos[2] & 0xFF);
        long hour = Math.max(0, decodeHour(cmos[4] & 0xFF));
        long day = Math.max(1, fromReg(cmos[7] & 0xFF));
        int month = Math.clamp(fromReg(cmos[8] & 0xFF), 1, 12);
        long year = fromReg(cmos[CENTURY] & 0xFF) * 100L + fromReg(cmos[9] & 0xFF);
        long days = LocalDate.of((int) year, month, 1).toEpochDay() + day - 1;
        return days * 86_400 + hour * 3600 + min * 60 + sec;
    }

    // ---- interrupts ----

    /** The periodic interrupt period in 32.768 kHz cycles, 0 for none (register A RS3-RS0). */
    private long periodCycles() {
        int rs = cmos[REG_A] & 0x0F;
        if (rs == 0) return 0;
        return rs <= 2 ? 1L << (rs + 6) : 1L << (rs - 1);
    }

    private long cycleAt(long ns) {
        long t = ns + phaseNs;
        return Math.floorDiv(t, NS_PER_S) * DIVIDER_HZ + Math.floorMod(t, NS_PER_S) * DIVIDER_HZ / NS_PER_S;
    }

    private long nanosOfCycle(long cycle) {
        long s = Math.floorDiv(cycle, DIVIDER_HZ);
        long r = Math.floorMod(cycle, DIVIDER_HZ);
        return s * NS_PER_S + (r * NS_PER_S + DIVIDER_HZ - 1) / DIVIDER_HZ - phaseNs;
    }

    /** Folds the periodic, update-ended and alarm events of (flagsUntil, now] into register C. */
    private void catchUp(long now) {
        long from = flagsUntil;
        if (now <= from) return;
        flagsUntil = now;
        long period = periodCycles();
        if (dividerRunning() && period != 0 && Math.floorDiv(cycleAt(now), period) > Math.floorDiv(cycleAt(from), period)) {
            flags |= C_PF;
        }
        if (running()) {
            long s0 = secondsAt(from);
            long s1 = secondsAt(now);
            if (s1 > s0) {
                flags |= C_UF;
                long alarm = nextAlarm(s0);
                if (alarm != Long.MAX_VALUE && alarm <= s1) flags |= C_AF;
            }
        }
        updateIrq();
    }

    /** IRQF = PF.PIE + AF.AIE + UF.UIE; the IRQ pin follows it. */
    private void updateIrq() {
        boolean irqf = (flags & cmos[REG_B] & (C_PF | C_AF | C_UF)) != 0;
        flags = irqf ? flags | C_IRQF : flags & ~C_IRQF;
        if (irqf != irqLevel) {
            irqLevel = irqf;
            irq.set(irqf);
        }
    }

    /** Arms the timer at the next event that would raise IRQF; none while IRQF is already set. */
    private void schedule(long now) {
        long next = Long.MAX_VALUE;
        int b = cmos[REG_B];
        if ((flags & C_IRQF) == 0) {
            long period = periodCycles();
            if ((b & B_PIE) != 0 && dividerRunning() && period != 0) {
                next = nanosOfCycle((Math.floorDiv(cycleAt(now), period) + 1) * period);
            }
            if (running() && (b & (B_UIE | B_AIE)) != 0) {
                long s = secondsAt(now);
                if ((b & B_UIE) != 0) next = Math.min(next, nanosOfSecond(s + 1));
                if ((b & B_AIE) != 0) {
                    long alarm = nextAlarm(s);
                    if (alarm != Long.MAX_VALUE) next = Math.min(next, nanosOfSecond(alarm));
                }
            }
        }
        if (next == Long.MAX_VALUE) timer.cancel();
        else timer.arm(next);
    }

    /** The virtual time at which the update cycle that makes the calendar read {@code seconds} ends. */
    private long nanosOfSecond(long seconds) {
        return (seconds - secOffset) * NS_PER_S - phaseNs;
    }

    private void onTimer() {
        long now = clock.nanos();
        catchUp(now);
        schedule(now);
    }

    /** The alarm field in register {@code reg} for a value range, -2 for don't care, -1 for never. */
    private int alarmField(int reg, int max) {
        int v = cmos[reg] & 0xFF;
        if ((v & 0xC0) == 0xC0) return -2;
        int x = reg == 5 ? decodeHour(v) : fromReg(v);
        return x >= 0 && x <= max ? x : -1;
    }

    /** The first calendar second after {@code after} whose time of day matches the alarm, or MAX_VALUE. */
    private long nextAlarm(long after) {
        int as = alarmField(1, 59);
        int am = alarmField(3, 59);
        int ah = alarmField(5, 23);
        if (as == -1 || am == -1 || ah == -1) return Long.MAX_VALUE;
        long day = Math.floorDiv(after, 86_400);
        int tod = (int) Math.floorMod(after, 86_400);
        for (int dayOffset = 0; dayOffset <= 1; dayOffset++) {
            for (int h = 0; h < 24; h++) {
                if (ah != -2 && h != ah) continue;
                for (int m = 0; m < 60; m++) {
                    if (am != -2 && m != am) continue;
                    int base = h * 3600 + m * 60;
                    int s;
                    if (as != -2) {
                        s = base + as;
                        if (dayOffset == 0 && s <= tod) continue;
                    } else {
                        if (dayOffset == 0 && base + 59 <= tod) continue;
                        s = dayOffset == 0 ? Math.max(base, tod + 1) : base;
                    }
                    return (day + dayOffset) * 86_400 + s;
                }
            }
        }
        return Long.MAX_VALUE;
    }

    // ---- reset and snapshots ----

    /** The RESET pin: clears PIE, AIE, UIE, SQWE and the flags; the time, the format and the RAM stay. */
    @Override
    public void reset() {
        long now = clock.nanos();
        catchUp(now);
        cmos[REG_B] &= (byte) ~(B_PIE | B_AIE | B_UIE | B_SQWE);
        flags = 0;
        nmiMasked = false;
        updateIrq();
        schedule(now);
    }

    @Override public String stateId() { return "rtc"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("cmos", cmos).put("index", index).put("nmiMasked", nmiMasked).put("secOffset", secOffset)
                .put("phaseNs", phaseNs).put("flags", flags).put("flagsUntil", flagsUntil).put("irq", irqLevel);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        byte[] saved = in.getBytes("cmos");
        System.arraycopy(saved, 0, cmos, 0, Math.min(saved.length, cmos.length));
        index = in.getInt("index") & 0x7F;
        nmiMasked = in.getBoolean("nmiMasked");
        secOffset = in.getLong("secOffset");
        phaseNs = Math.floorMod(in.getLong("phaseNs"), NS_PER_S);
        flags = in.getInt("flags") & 0xF0;
        flagsUntil = in.getLong("flagsUntil");
        irqLevel = in.getBoolean("irq");
        irq.set(irqLevel);
        schedule(clock.nanos());
    }
}
