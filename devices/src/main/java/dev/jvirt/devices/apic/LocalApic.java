package dev.jvirt.devices.apic;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.IoHandler;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * One vCPU's local APIC (Intel SDM Vol. 3A chapter 11): the xAPIC register page (32-bit accesses at
 * the offsets of SDM Table 11-1) and the x2APIC MSRs 0x800-0x8FF, the IA32_APIC_BASE and
 * IA32_TSC_DEADLINE MSRs, interrupt acceptance and prioritisation (IRR, ISR, TMR, TPR, PPR), IPIs
 * through the {@link ApicBus}, the local vector table and the APIC timer.
 *
 * <p>The timer counts the 1 GHz bus clock QEMU models (one tick per virtual nanosecond) through the
 * divide configuration register. The TSC-deadline timer compares against a TSC of
 * {@code virtual ns * tscHz / 1e9}.
 *
 * <p>The CPU side is {@link #intrPending()}, {@link #acknowledge()} and {@link #takeNmi()} (the shape
 * of the CPU's InterruptSource) plus the {@link Signals} callbacks for INIT, SIPI and SMI. The 8259
 * PIC's INTR reaches the CPU through here: when LINT0 is unmasked in ExtINT mode (virtual wire mode,
 * MultiProcessor Specification 3.6.2.2), when an ExtINT message was received, or when the APIC is hardware
 * disabled (then LINT0 is the processor's plain INTR pin).
 */
public final class LocalApic implements Device {
    public static final long DEFAULT_BASE = 0xFEE0_0000L;
    public static final int MMIO_SIZE = 0x1000;

    public static final int MSR_IA32_APIC_BASE = 0x1B;
    public static final int MSR_IA32_TSC_DEADLINE = 0x6E0;
    public static final int MSR_X2APIC_FIRST = 0x800;
    public static final int MSR_X2APIC_LAST = 0x8FF;

    public static final long APIC_BASE_BSP = 1L << 8;
    public static final long APIC_BASE_EXTD = 1L << 10;
    public static final long APIC_BASE_EN = 1L << 11;
    /** MAXPHYADDR as QEMU's default CPU models report it. */
    public static final int PHYS_ADDR_BITS = 40;
    private static final long APIC_BASE_RESERVED = ~((1L << PHYS_ADDR_BITS) - 1) | 0x2FFL;

    /** QEMU's version register: version 0x14, max LVT entry 5 (timer, thermal, perf, LINT0, LINT1, error). */
    public static final int VERSION = 0x0005_0014;
    private static final int VERSION_DIRECTED_EOI = 1 << 24;

    // Register offsets, SDM Table 11-1.
    static final int REG_ID = 0x20;
    static final int REG_VERSION = 0x30;
    static final int REG_TPR = 0x80;
    static final int REG_APR = 0x90;
    static final int REG_PPR = 0xA0;
    static final int REG_EOI = 0xB0;
    static final int REG_RRD = 0xC0;
    static final int REG_LDR = 0xD0;
    static final int REG_DFR = 0xE0;
    static final int REG_SVR = 0xF0;
    static final int REG_ISR = 0x100;
    static final int REG_TMR = 0x180;
    static final int REG_IRR = 0x200;
    static final int REG_ESR = 0x280;
    static final int REG_ICR_LOW = 0x300;
    static final int REG_ICR_HIGH = 0x310;
    static final int REG_LVT_TIMER = 0x320;
    static final int REG_LVT_ERROR = 0x370;
    static final int REG_TIMER_INITIAL = 0x380;
    static final int REG_TIMER_CURRENT = 0x390;
    static final int REG_TIMER_DIVIDE = 0x3E0;
    static final int REG_SELF_IPI = 0x3F0; // x2APIC only

    static final int LVT_TIMER = 0;
    static final int LVT_THERMAL = 1;
    static final int LVT_PERF = 2;
    static final int LVT_LINT0 = 3;
    static final int LVT_LINT1 = 4;
    static final int LVT_ERROR = 5;
    static final int LVT_COUNT = 6;
    private static final int[] LVT_WRITABLE = {0x700FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF};

    static final int LVT_MASKED = 1 << 16;
    static final int TIMER_ONE_SHOT = 0;
    static final int TIMER_PERIODIC = 1;
    static final int TIMER_TSC_DEADLINE = 2;

    static final int SVR_ENABLE = 1 << 8;
    static final int SVR_SUPPRESS_EOI_BROADCAST = 1 << 12;

    static final int ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
    static final int ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
    static final int ESR_ILLEGAL_REGISTER = 1 << 7;

    private static final int ICR_LOW_WRITABLE = 0x000C_CFFF;
    private static final long NS_PER_S = 1_000_000_000L;
    private static final long MAX_TSC_HZ = 9_000_000_000L;

    private static final System.Logger LOG = System.getLogger(LocalApic.class.getName());

    /** What the local APIC signals to its vCPU. Called with the machine's I/O lock held. */
    public interface Signals {
        /** An interrupt or NMI may now be pending: wake the vCPU if it is halted. */
        void interruptRequest();

        /** An INIT was accepted: the vCPU enters the wait-for-SIPI state (the APIC has reset itself). */
        void init();

        /** A start-up IPI: a vCPU waiting for SIPI starts in real mode at {@code vector << 12}. */
        void startup(int vector);

        /** An SMI was accepted. */
        default void smi() { }

        Signals NONE = new Signals() {
            @Override public void interruptRequest() { }
            @Override public void init() { }
            @Override public void startup(int vector) { }
        };
    }

    private final ApicBus bus;
    private final VirtualClock clock;
    private final VirtualClock.Timer timer;
    private final int initialId;
    private final boolean bsp;
    private final Signals signals;
    private BooleanSupplier picIntr = () -> false;
    private IntSupplier picAcknowledge = () -> 0xFF;
    private boolean directedEoi;
    private long tscHz = 1_000_000_000L;

    private long apicBase;
    private int id;
    private int tpr;
    private int ldr;
    private int dfr;
    private int svr;
    private int esr;
    private int esrPending;
    private int icrLow;
    private int icrHigh;
    private final int[] lvt = new int[LVT_COUNT];
    private final long[] irr = new long[4];
    private final long[] isr = new long[4];
    private final long[] tmr = new long[4];
    private int timerInitial;
    private int timerDivide;
    private long timerStart;
    private long tscDeadline;
    private boolean extIntPending;
    private boolean nmiPending;
    private int lintLevels;

    /**
     * A local APIC with APIC ID {@code apicId} on {@code bus}; {@code bsp} sets IA32_APIC_BASE.BSP
     * (and, as QEMU's BIOS-less reset does, puts the BSP's LINT0 in ExtINT mode so the PIC works).
     */
    public LocalApic(ApicBus bus, VirtualClock clock, int apicId, boolean bsp, Signals signals) {
        this.bus = bus;
        this.clock = clock;
        this.initialId = apicId;
        this.bsp = bsp;
        this.signals = signals;
        this.timer = clock.newTimer("lapic" + apicId + "-timer", this::timerExpired);
        bus.attach(this);
        reset();
    }

    /** The 8259's INTR output and its interrupt-acknowledge cycle, wired to LINT0. */
    public void connectPic(BooleanSupplier intr, IntSupplier acknowledge) {
        this.picIntr = intr;
        this.picAcknowledge = acknowledge;
    }

    /** Advertises directed EOI (version bit 24), letting the guest suppress EOI broadcasts. */
    public void setDirectedEoiSupported(boolean supported) {
        directedEoi = supported;
        if (!supported) svr &= ~SVR_SUPPRESS_EOI_BROADCAST;
    }

    /** The TSC frequency the TSC-deadline timer compares against (at most 9 GHz). */
    public void setTscFrequency(long hz) {
        if (hz <= 0 || hz > MAX_TSC_HZ) throw new IllegalArgumentException("TSC frequency " + hz);
        tscHz = hz;
    }

    @Override
    public void reset() {
        apicBase = DEFAULT_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
        id = initialId;
        initReset();
        // No BIOS runs before the guest, so the BSP starts in virtual wire mode as QEMU resets it.
        if (bsp) lvt[LVT_LINT0] = ApicBus.DM_EXTINT << 8;
        lintLevels = 0;
        nmiPending = false;
    }

    /** The state after INIT (SDM 11.4.7.3): everything but the APIC ID and IA32_APIC_BASE. */
    private void initReset() {
        tpr = 0;
        ldr = 0;
        dfr = 0xFFFF_FFFF;
        svr = 0xFF;
        esr = 0;
        esrPending = 0;
        icrLow = 0;
        icrHigh = 0;
        for (int i = 0; i < LVT_COUNT; i++) lvt[i] = LVT_MASKED;
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
        timerInitial = 0;
        timerDivide = 0;
        timerStart = 0;
        tscDeadline = 0;
        extIntPending = false;
        timer.cancel();
        if (x2apic()) ldr = x2apicLdr();
    }

    // ---- IA32_APIC_BASE -------------------------------------------------------------------------

    public long apicBase() { return apicBase; }

    /** The guest physical address of the xAPIC register page. */
    public long mmioBase() { return apicBase & ~0xFFFL & ((1L << PHYS_ADDR_BITS) - 1); }

    public boolean hardwareEnabled() { return (apicBase & APIC_BASE_EN) != 0; }

    public boolean x2apic() { return (apicBase & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD); }

    public boolean softwareEnabled() { return (svr & SVR_ENABLE) != 0; }

    /**
     * WRMSR IA32_APIC_BASE. Returns false (#GP) for reserved bits or an illegal mode transition
     * (SDM 11.12.5: x2APIC to xAPIC, disabled to x2APIC, or EN=0 with EXTD=1). The BSP bit is
     * read-only to the guest.
     */
    public boolean setApicBase(long value) {
        if ((value & APIC_BASE_RESERVED) != 0) return false;
        boolean en = (value & APIC_BASE_EN) != 0;
        boolean extd = (value & APIC_BASE_EXTD) != 0;
        if (extd && !en) return false;
        boolean wasEnabled = hardwareEnabled();
        boolean wasX2 = x2apic();
        if (wasX2 && en && !extd) return false;
        if (!wasEnabled && extd) return false;
        apicBase = (value & ~APIC_BASE_BSP) | (apicBase & APIC_BASE_BSP);
        if (!en && wasEnabled) {
            // Re-enabling later finds the APIC in its power-up state.
            initReset();
        } else if (extd && !wasX2) {
            ldr = x2apicLdr();
        }
        return true;
    }

    private int x2apicLdr() {
        return ((id >>> 4) << 16) | (1 << (id & 0xF));
    }

    // ---- CPU interface --------------------------------------------------------------------------

    /** INTR as the CPU samples it: a deliverable fixed interrupt (SDM 11.8.3.1), or the PIC's INTR. */
    public boolean intrPending() {
        if (deliverable() >= 0) return true;
        return picRouted() && picIntr.getAsBoolean();
    }

    /**
     * The interrupt acknowledge cycle: moves the highest deliverable IRR vector to ISR and returns
     * it; otherwise runs the PIC's INTA when the PIC is routed here; otherwise the spurious vector.
     */
    public int acknowledge() {
        int v = deliverable();
        if (v >= 0) {
            clear(irr, v);
            set(isr, v);
            return v;
        }
        if (picRouted() && picIntr.getAsBoolean()) {
            extIntPending = false;
            return picAcknowledge.getAsInt() & 0xFF;
        }
        return svr & 0xFF;
    }

    /** Takes a pending NMI, returning whether there was one. */
    public boolean takeNmi() {
        boolean n = nmiPending;
        nmiPending = false;
        return n;
    }

    public boolean nmiPending() { return nmiPending; }

    /** TPR as CR8 sees it (CR8 = TPR[7:4]). */
    public int tpr() { return tpr; }

    public void setTpr(int value) { tpr = value & 0xFF; }

    /** Drives the LINT0 or LINT1 pin. ExtINT on LINT0 is sampled through {@link #connectPic} instead. */
    public void setLint(int pin, boolean level) {
        if (pin != 0 && pin != 1) return;
        int bit = 1 << pin;
        boolean rising = level && (lintLevels & bit) == 0;
        lintLevels = level ? lintLevels | bit : lintLevels & ~bit;
        int e = lvt[pin == 0 ? LVT_LINT0 : LVT_LINT1];
        if (!rising || (e & LVT_MASKED) != 0) return;
        int mode = (e >>> 8) & 7;
        if (mode == ApicBus.DM_EXTINT) return;
        accept(mode, e & 0xFF, mode == ApicBus.DM_FIXED && (e & (1 << 15)) != 0);
    }

    /** The highest IRR vector whose priority class is above PPR, or -1. */
    private int deliverable() {
        if (!hardwareEnabled() || !softwareEnabled()) return -1;
        int v = highest(irr);
        return v >= 0 && (v & 0xF0) > (ppr() & 0xF0) ? v : -1;
    }

    private boolean picRouted() {
        if (!hardwareEnabled() || extIntPending) return true;
        int e = lvt[LVT_LINT0];
        return (e & LVT_MASKED) == 0 && ((e >>> 8) & 7) == ApicBus.DM_EXTINT;
    }

    // ---- bus side --------------------------------------------------------------------------------

    boolean matchesPhysical(int dest) {
        return dest == 0xFF || dest == 0xFFFF_FFFF || dest == id;
    }

    boolean matchesLogical(int dest) {
        if (x2apic()) {
            if (dest == 0xFFFF_FFFF) return true;
            return (dest >>> 16) == (ldr >>> 16) && (dest & ldr & 0xFFFF) != 0;
        }
        dest &= 0xFF;
        if (dest == 0xFF) return true;
        int logicalId = ldr >>> 24;
        if ((dfr >>> 28) == 0xF) return (logicalId & dest) != 0; // flat model
        return (logicalId >>> 4) == (dest >>> 4) && (logicalId & dest & 0xF) != 0; // cluster model
    }

    boolean acceptsLowestPriority() {
        return hardwareEnabled() && softwareEnabled();
    }

    /** The arbitration priority (SDM 11.6.2.4, 11.8.3.1). */
    int arbitrationPriority() {
        int irrv = Math.max(highest(irr), 0);
        int isrv = Math.max(highest(isr), 0);
        if ((tpr & 0xF0) >= (irrv & 0xF0) && (tpr & 0xF0) > (isrv & 0xF0)) return tpr;
        return Math.max(tpr & 0xF0, Math.max(isrv & 0xF0, irrv & 0xF0));
    }

    /** Accepts one interrupt message; returns whether it was taken. */
    boolean accept(int mode, int vector, boolean levelTrigger) {
        if (!hardwareEnabled()) return false;
        switch (mode) {
            case ApicBus.DM_FIXED, ApicBus.DM_LOWEST_PRIORITY -> {
                if (!softwareEnabled()) return false;
                if (vector < 16) {
                    error(ESR_RECEIVE_ILLEGAL_VECTOR);
                    return false;
                }
                set(irr, vector);
                if (levelTrigger) set(tmr, vector); else clear(tmr, vector);
                signals.interruptRequest();
            }
            case ApicBus.DM_SMI -> signals.smi();
            case ApicBus.DM_NMI -> {
                nmiPending = true;
                signals.interruptRequest();
            }
            case ApicBus.DM_INIT -> {
                initReset();
                signals.init();
            }
            case ApicBus.DM_SIPI -> signals.startup(vector);
            case ApicBus.DM_EXTINT -> {
                extIntPending = true;
                signals.interruptRequest();
            }
            default -> { return false; }
        }
        return true;
    }

    // ---- priorities and EOI ----------------------------------------------------------------------

    /** PPR (SDM 11.8.3.1). */
    int ppr() {
        int isrv = Math.max(highest(isr), 0);
        return (tpr & 0xF0) >= (isrv & 0xF0) ? tpr : isrv & 0xF0;
    }

    private void eoi() {
        int v = highest(isr);
        if (v < 0) return;
        clear(isr, v);
        if (test(tmr, v) && (svr & SVR_SUPPRESS_EOI_BROADCAST) == 0) bus.broadcastEoi(v);
    }

    private void error(int bit) {
        boolean fresh = (esrPending & bit) == 0;
        esrPending |= bit;
        int e = lvt[LVT_ERROR];
        if (fresh && (e & LVT_MASKED) == 0) accept(ApicBus.DM_FIXED, e & 0xFF, false);
    }

    private void deliverLvt(int index) {
        int e = lvt[index];
        if ((e & LVT_MASKED) == 0) accept(ApicBus.DM_FIXED, e & 0xFF, false);
    }

    // ---- ICR -------------------------------------------------------------------------------------

    private void sendIcr() {
        int mode = (icrLow >>> 8) & 7;
        int vector = icrLow & 0xFF;
        if ((mode == ApicBus.DM_FIXED || mode == ApicBus.DM_LOWEST_PRIORITY) && vector < 16) {
            error(ESR_SEND_ILLEGAL_VECTOR);
            return;
        }
        int dest = x2apic() ? icrHigh : icrHigh >>> 24;
        bus.sendIpi(this, (icrLow >>> 18) & 3, dest, (icrLow & (1 << 11)) != 0, mode, vector,
                (icrLow & (1 << 15)) != 0, (icrLow & (1 << 14)) != 0);
    }

    // ---- timer -----------------------------------------------------------------------------------

    private int timerMode() { return (lvt[LVT_TIMER] >>> 17) & 3; }

    private int divideShift() {
        int v = (timerDivide & 3) | ((timerDivide >>> 1) & 4);
        return (v + 1) & 7;
    }

    private int currentCount() {
        if (timerInitial == 0 || timerMode() == TIMER_TSC_DEADLINE) return 0;
        long init = Integer.toUnsignedLong(timerInitial);
        long elapsed = (clock.nanos() - timerStart) >> divideShift();
        if (timerMode() == TIMER_PERIODIC) return (int) (init - elapsed % init);
        return elapsed >= init ? 0 : (int) (init - elapsed);
    }

    /** Arms the countdown timer for its next expiry after now, from the count start and mode. */
    private void scheduleCountdown() {
        if (timerInitial == 0 || timerMode() == TIMER_TSC_DEADLINE) {
            timer.cancel();
            return;
        }
        long periodNs = Integer.toUnsignedLong(timerInitial) << divideShift();
        long now = clock.nanos();
        if (timerMode() == TIMER_PERIODIC) {
            long k = (now - timerStart) / periodNs + 1;
            timer.arm(timerStart + k * periodNs);
        } else if (timerStart + periodNs > now) {
            timer.arm(timerStart + periodNs);
        } else {
            timer.cancel();
        }
    }

    private void timerExpired() {
        if (timerMode() == TIMER_TSC_DEADLINE) {
            tscDeadline = 0;
        } else if (timerMode() == TIMER_PERIODIC) {
            scheduleCountdown();
        }
        deliverLvt(LVT_TIMER);
    }

    /** RDMSR IA32_TSC_DEADLINE: 0 unless the timer is in TSC-deadline mode. */
    public long tscDeadline() {
        return timerMode() == TIMER_TSC_DEADLINE ? tscDeadline : 0;
    }

    /** WRMSR IA32_TSC_DEADLINE (SDM 11.5.4.1): ignored outside TSC-deadline mode; 0 disarms. */
    public void setTscDeadline(long tsc) {
        if (timerMode() != TIMER_TSC_DEADLINE) return;
        tscDeadline = tsc;
        long ns = tscToNanos(tsc);
        if (tsc == 0 || ns == Long.MAX_VALUE) timer.cancel(); else timer.arm(ns);
    }

    /** The first virtual nanosecond at which the TSC has reached {@code tsc}; MAX_VALUE if never. */
    private long tscToNanos(long tsc) {
        if (tsc < 0) return Long.MAX_VALUE;
        long whole = tsc / tscHz;
        if (whole >= Long.MAX_VALUE / NS_PER_S - 1) return Long.MAX_VALUE;
        long frac = tsc % tscHz;
        return whole * NS_PER_S + (frac * NS_PER_S + tscHz - 1) / tscHz;
    }

    private void writeLvt(int index, int value) {
        int v = value & LVT_WRITABLE[index];
        if (!softwareEnabled()) v |= LVT_MASKED; // SDM 11.4.7.2: masks cannot be cleared while software disabled
        int old = lvt[index];
        lvt[index] = v | (old & (1 << 14)); // remote IRR is read-only
        if (index == LVT_TIMER) {
            int oldMode = (old >>> 17) & 3;
            int newMode = (v >>> 17) & 3;
            boolean deadlineOld = oldMode == TIMER_TSC_DEADLINE;
            if (deadlineOld != (newMode == TIMER_TSC_DEADLINE)) {
                // SDM 11.5.4.1: moving into or out of TSC-deadline mode disarms the timer.
                timerInitial = 0;
                tscDeadline = 0;
                timer.cancel();
            } else if (oldMode != newMode) {
                if (oldMode == TIMER_PERIODIC && timerInitial != 0) {
                    // The count in progress is the current period's: a one-shot runs it down to 0.
                    long periodNs = Integer.toUnsignedLong(timerInitial) << divideShift();
                    timerStart += (clock.nanos() - timerStart) / periodNs * periodNs;
                }
                scheduleCountdown();
            }
        }
    }

    private void writeSvr(int value) {
        int mask = 0x1FF | (directedEoi ? SVR_SUPPRESS_EOI_BROADCAST : 0);
        svr = value & mask;
        if (!softwareEnabled()) {
            for (int i = 0; i < LVT_COUNT; i++) lvt[i] |= LVT_MASKED;
        }
    }

    private void writeDivide(int value) {
        int oldShift = divideShift();
        timerDivide = value & 0xB;
        int newShift = divideShift();
        if (oldShift != newShift && timerInitial != 0) {
            // Keep the count where it is: the elapsed ticks so far now take the new tick length.
            long now = clock.nanos();
            long elapsed = (now - timerStart) >> oldShift;
            timerStart = now - (elapsed << newShift);
            scheduleCountdown();
        }
    }

    private void writeInitialCount(int value) {
        if (timerMode() == TIMER_TSC_DEADLINE) return;
        timerInitial = value;
        timerStart = clock.nanos();
        scheduleCountdown();
    }

    // ---- register file ---------------------------------------------------------------------------

    /** Whether {@code reg} is a register of SDM Table 11-1 that this APIC implements (max LVT 5). */
    private static boolean implemented(int reg) {
        if (reg >= REG_ISR && reg < REG_IRR + 0x80) return true;
        if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR) return true;
        return switch (reg) {
            case REG_ID, REG_VERSION, REG_TPR, REG_APR, REG_PPR, REG_EOI, REG_RRD, REG_LDR, REG_DFR, REG_SVR, REG_ESR,
                 REG_ICR_LOW, REG_ICR_HIGH, REG_TIMER_INITIAL, REG_TIMER_CURRENT, REG_TIMER_DIVIDE -> true;
            default -> false;
        };
    }

    /** Reads an {@link #implemented} register. */
    private long readRegister(int reg) {
        if (reg >= REG_ISR && reg < REG_ISR + 0x80) return word(isr, reg - REG_ISR);
        if (reg >= REG_TMR && reg < REG_TMR + 0x80) return word(tmr, reg - REG_TMR);
        if (reg >= REG_IRR && reg < REG_IRR + 0x80) return word(irr, reg - REG_IRR);
        if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR) return Integer.toUnsignedLong(lvt[(reg - REG_LVT_TIMER) >> 4]);
        int v = switch (reg) {
            case REG_ID -> x2apic() ? id : id << 24;
            case REG_VERSION -> VERSION | (directedEoi ? VERSION_DIRECTED_EOI : 0);
            case REG_TPR -> tpr;
            case REG_APR -> arbitrationPriority();
            case REG_PPR -> ppr();
            case REG_LDR -> ldr;
            case REG_DFR -> dfr;
            case REG_SVR -> svr;
            case REG_ESR -> esr;
            case REG_ICR_LOW -> icrLow;
            case REG_ICR_HIGH -> icrHigh;
            case REG_TIMER_INITIAL -> timerInitial;
            case REG_TIMER_CURRENT -> currentCount();
            case REG_TIMER_DIVIDE -> timerDivide;
            default -> 0; // EOI and remote read are write-only / unsupported and read as 0
        };
        return Integer.toUnsignedLong(v);
    }

    private static long word(long[] bits, int off) {
        int i = off >> 4;
        return (bits[i >> 1] >>> ((i & 1) * 32)) & 0xFFFF_FFFFL;
    }

    /** Writes register {@code reg}; returns false for a read-only or unimplemented register. */
    private boolean writeRegister(int reg, int value) {
        if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR) {
            writeLvt((reg - REG_LVT_TIMER) >> 4, value);
            return true;
        }
        switch (reg) {
            case REG_ID -> id = value >>> 24;
            case REG_TPR -> tpr = value & 0xFF;
            case REG_EOI -> eoi();
            case REG_LDR -> ldr = value & 0xFF00_0000;
            case REG_DFR -> dfr = value | 0x0FFF_FFFF;
            case REG_SVR -> writeSvr(value);
            case REG_ESR -> {
                esr = esrPending;
                esrPending = 0;
            }
            case REG_ICR_LOW -> {
                icrLow = value & ICR_LOW_WRITABLE;
                sendIcr();
            }
            case REG_ICR_HIGH -> icrHigh = value & 0xFF00_0000;
            case REG_TIMER_INITIAL -> writeInitialCount(value);
            case REG_TIMER_DIVIDE -> writeDivide(value);
            default -> { return false; }
        }
        return true;
    }

    // ---- xAPIC MMIO --------------------------------------------------------------------------------

    @Override
    public long read(long offset, int size) {
        if (size != 4 || (offset & 0xF) != 0 || offset < 0 || offset >= MMIO_SIZE || !hardwareEnabled() || x2apic()) {
            return IoHandler.ones(size);
        }
        if (!implemented((int) offset)) {
            error(ESR_ILLEGAL_REGISTER);
            return 0;
        }
        return readRegister((int) offset);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size != 4 || (offset & 0xF) != 0 || offset < 0 || offset >= MMIO_SIZE || !hardwareEnabled() || x2apic()) {
            LOG.log(System.Logger.Level.DEBUG, "lapic: ignored write offset {0} size {1}", offset, size);
            return;
        }
        int reg = (int) offset;
        if (implemented(reg)) writeRegister(reg, (int) value); else error(ESR_ILLEGAL_REGISTER);
    }

    // ---- MSRs --------------------------------------------------------------------------------------

    /** Whether this APIC handles {@code msr}: IA32_APIC_BASE, IA32_TSC_DEADLINE and 0x800-0x8FF. */
    public static boolean handlesMsr(int msr) {
        return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE || (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
    }

    /** Whether RDMSR {@code msr} succeeds; false means #GP (SDM Table 11-6, and x2APIC MSRs outside x2APIC mode). */
    public boolean canReadMsr(int msr) {
        if (msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE) return true;
        if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !x2apic()) return false;
        int reg = (msr - MSR_X2APIC_FIRST) << 4;
        return switch (reg) {
            case REG_APR, REG_EOI, REG_RRD, REG_DFR, REG_ICR_HIGH, REG_SELF_IPI -> false;
            default -> implemented(reg);
        };
    }

    /** RDMSR; the value is meaningless when {@link #canReadMsr} is false. */
    public long readMsr(int msr) {
        if (msr == MSR_IA32_APIC_BASE) return apicBase;
        if (msr == MSR_IA32_TSC_DEADLINE) return tscDeadline();
        if (!canReadMsr(msr)) return 0;
        int reg = (msr - MSR_X2APIC_FIRST) << 4;
        if (reg == REG_ICR_LOW) return ((long) icrHigh << 32) | Integer.toUnsignedLong(icrLow);
        return readRegister(reg);
    }

    /** WRMSR; returns false where the SDM raises #GP. */
    public boolean writeMsr(int msr, long value) {
        if (msr == MSR_IA32_APIC_BASE) return setApicBase(value);
        if (msr == MSR_IA32_TSC_DEADLINE) {
            setTscDeadline(value);
            return true;
        }
        if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !x2apic()) return false;
        int reg = (msr - MSR_X2APIC_FIRST) << 4;
        if (reg == REG_ICR_LOW) {
            icrHigh = (int) (value >>> 32);
            icrLow = (int) value & ICR_LOW_WRITABLE;
            sendIcr();
            return true;
        }
        if ((value >>> 32) != 0) return false;
        int v = (int) value;
        return switch (reg) {
            case REG_TPR, REG_SVR, REG_TIMER_INITIAL, REG_TIMER_DIVIDE -> writeRegister(reg, v);
            case REG_EOI, REG_ESR -> v == 0 && writeRegister(reg, v);
            case REG_SELF_IPI -> {
                if ((v & ~0xFF) != 0) yield false;
                if (v < 16) error(ESR_SEND_ILLEGAL_VECTOR); else accept(ApicBus.DM_FIXED, v, false);
                yield true;
            }
            default -> reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR && writeRegister(reg, v);
        };
    }

    // ---- 256-bit registers ---------------------------------------------------------------------

    private static int highest(long[] bits) {
        for (int i = 3; i >= 0; i--) {
            if (bits[i] != 0) return i * 64 + 63 - Long.numberOfLeadingZeros(bits[i]);
        }
        return -1;
    }

    private static void set(long[] bits, int v) { bits[v >> 6] |= 1L << (v & 63); }

    private static void clear(long[] bits, int v) { bits[v >> 6] &= ~(1L << (v & 63)); }

    private static boolean test(long[] bits, int v) { return (bits[v >> 6] & (1L << (v & 63))) != 0; }

    // ---- snapshot ----------------------------------------------------------------------------------

    @Override public String stateId() { return "lapic" + initialId; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("apicBase", apicBase).put("id", Integer.toUnsignedLong(id)).put("tpr", tpr).put("ldr", Integer.toUnsignedLong(ldr))
                .put("dfr", Integer.toUnsignedLong(dfr)).put("svr", svr).put("esr", esr).put("esrPending", esrPending)
                .put("icrLow", icrLow).put("icrHigh", Integer.toUnsignedLong(icrHigh)).put("lvt", lvt)
                .put("irr", irr).put("isr", isr).put("tmr", tmr)
                .put("timerInitial", Integer.toUnsignedLong(timerInitial)).put("timerDivide", timerDivide)
                .put("timerStart", timerStart).put("timerDeadline", timer.armed() ? timer.deadline() : -1L)
                .put("timerArmed", timer.armed()).put("tscDeadline", tscDeadline)
                .put("extIntPending", extIntPending).put("nmiPending", nmiPending).put("lintLevels", lintLevels);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        apicBase = in.getLong("apicBase");
        id = in.getInt("id");
        tpr = in.getInt("tpr") & 0xFF;
        ldr = in.getInt("ldr");
        dfr = in.getInt("dfr");
        svr = in.getInt("svr");
        esr = in.getInt("esr");
        esrPending = in.getInt("esrPending");
        icrLow = in.getInt("icrLow");
        icrHigh = in.getInt("icrHigh");
        copy(in.getInts("lvt"), lvt);
        copy(in.getLongs("irr"), irr);
        copy(in.getLongs("isr"), isr);
        copy(in.getLongs("tmr"), tmr);
        timerInitial = in.getInt("timerInitial");
        timerDivide = in.getInt("timerDivide") & 0xB;
        timerStart = in.getLong("timerStart");
        tscDeadline = in.getLong("tscDeadline");
        extIntPending = in.getBoolean("extIntPending");
        nmiPending = in.getBoolean("nmiPending");
        lintLevels = in.getInt("lintLevels") & 3;
        if (in.getBoolean("timerArmed")) timer.arm(in.getLong("timerDeadline")); else timer.cancel();
    }

    private static void copy(int[] from, int[] to) {
        if (from.length != to.length) throw new IllegalStateException("lapic state: array of " + from.length);
        System.arraycopy(from, 0, to, 0, to.length);
    }

    private static void copy(long[] from, long[] to) {
        if (from.length != to.length) throw new IllegalStateException("lapic state: array of " + from.length);
        System.arraycopy(from, 0, to, 0, to.length);
    }
}
