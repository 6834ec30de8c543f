package dev.jvirt.devices.pci;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.IoHandler;

/**
 * The 82371AB PIIX4 power management function, 8086:7113 at 01.3, as QEMU's pc machine has it: the
 * ACPI fixed hardware in a 64-byte I/O block at PMBA (config 0x40, enabled by PMREGMISC 0x80 bit 0;
 * firmware puts it at {@link #DEFAULT_PM_BASE}), the GPE0 block at {@link #GPE0_PORT}, and the SCI
 * on ISA IRQ {@link #SCI_IRQ}, level-triggered, active high.
 *
 * <p>PM block layout: PM1a_EVT at +0 (PM1_STS, write-1-to-clear, then PM1_EN at +2), PM1a_CNT at +4,
 * PM_TMR at +8 (24-bit, 3.579545 MHz, from the virtual clock). SMBus registers are stored only.
 */
public final class Piix4Pm extends PciDevice {
    public static final int VENDOR = 0x8086, DEVICE = 0x7113;
    public static final int PMBA = 0x40, PMREGMISC = 0x80, SMBBA = 0x90, SMBHSTCFG = 0xD2;
    public static final int DEFAULT_PM_BASE = 0x600, PM_BLOCK_LENGTH = 64;
    public static final int PM1_EVT_OFFSET = 0, PM1_CNT_OFFSET = 4, PM_TMR_OFFSET = 8;
    public static final int PM1_EVT_LENGTH = 4, PM1_CNT_LENGTH = 2, PM_TMR_LENGTH = 4;
    public static final int GPE0_PORT = 0xAFE0, GPE0_LENGTH = 4;
    public static final int SCI_IRQ = 9;
    /** The APM control/status ports; the FADT's SMI_CMD with ACPI_ENABLE/ACPI_DISABLE, as on QEMU. */
    public static final int APM_PORT = 0xB2, APM_LENGTH = 2, ACPI_ENABLE = 0xF1, ACPI_DISABLE = 0xF0;
    /** SLP_TYP for S5 in QEMU's DSDT ({@code _S5 = 0}). */
    public static final int SLP_TYP_S5 = 0;
    public static final long PM_TIMER_HZ = 3_579_545;

    public static final int TMR_STS = 0x0001, BM_STS = 0x0010, GBL_STS = 0x0020, PWRBTN_STS = 0x0100,
            RTC_STS = 0x0400, WAK_STS = 0x8000;
    public static final int TMR_EN = 0x0001, GBL_EN = 0x0020, PWRBTN_EN = 0x0100, RTC_EN = 0x0400;
    public static final int SCI_EN = 0x0001, SLP_EN = 0x2000;
    static final int PM1_STS_BITS = TMR_STS | BM_STS | GBL_STS | PWRBTN_STS | RTC_STS | WAK_STS;
    static final int PM1_EN_BITS = TMR_EN | GBL_EN | PWRBTN_EN | RTC_EN;
    /** The status bits that raise an SCI when their enable is set. */
    static final int SCI_EVENTS = TMR_STS | GBL_STS | PWRBTN_STS | RTC_STS;
    static final int PM1_CNT_BITS = 0x1C07; // SCI_EN, BM_RLD, GBL_RLS, SLP_TYP
    private static final long NS_PER_S = 1_000_000_000L;

    private static final System.Logger LOG = System.getLogger(Piix4Pm.class.getName());

    private final VirtualClock clock;
    private final IrqLine sci;
    private final MachineControl machine;
    private final VirtualClock.Timer overflowTimer;
    private final PciRegion pmBlock;
    private final IoHandler gpe0 = new Gpe0Port();
    private final IoHandler apm = new ApmPort();

    private int pm1Sts, pm1En, pm1Cnt;
    private int gpeSts, gpeEn;
    private int apmControl, apmStatus;
    /** Virtual time of the next toggle of timer bit 23, when TMR_STS gets set. */
    private long nextToggleNs;
    private boolean sciLevel;

    public Piix4Pm(VirtualClock clock, IrqLine sci, MachineControl machine) {
        super("piix4-pm", VENDOR, DEVICE, 0x068000, 0x03, 0x00);
        this.clock = clock;
        this.sci = sci;
        this.machine = machine;
        this.overflowTimer = clock.newTimer("acpi-pm-timer", this::timerFired);
        setInterruptPin(1);
        config[PMBA] = 0x01; // I/O space indicator
        setWriteMask(PMBA, 4, 0x0000_FFC0L);
        setWriteMask(PMREGMISC, 1, 0x01);
        config[SMBBA] = 0x01;
        setWriteMask(SMBBA, 4, 0x0000_FFF0L);
        setWriteMask(SMBHSTCFG, 1, 0x0F);
        pmBlock = defineRegion("pm", true, PM_BLOCK_LENGTH, new PmBlock());
        resetRegisters();
    }

    /** The GPE0 block (status, then enable; two bytes each) for {@code ports.register(GPE0_PORT, GPE0_LENGTH, ...)}. */
    public IoHandler gpe0Port() { return gpe0; }

    /**
     * APM control (0xB2) and status (0xB3) for {@code ports.register(APM_PORT, APM_LENGTH, ...)}:
     * writing ACPI_ENABLE to the control port sets SCI_EN, ACPI_DISABLE clears it. There is no SMM,
     * so no SMI is raised.
     */
    public IoHandler apmPort() { return apm; }

    /** The PM block's handler (normally mapped through the bus's {@link PciMapper}). */
    public IoHandler pmBlockHandler() { return pmBlock.handler(); }

    /** Where the PM block is decoded now, or -1. */
    public long pmBase() { return pmBlock.address(); }

    /** What firmware does before the OS uses ACPI: PMBA = {@code base}, PMREGMISC.PMIOSE = 1. */
    public void enablePmIo(int base) {
        writeConfig(PMBA, 4, base);
        writeConfig(PMREGMISC, 1, 1);
    }

    /** The power button was pressed: PWRBTN_STS, and an SCI if PWRBTN_EN. */
    public void pressPowerButton() {
        pm1Sts |= PWRBTN_STS;
        updateSci();
    }

    /** Sets a GPE0 status bit (0..15), for hotplug and similar events; SCI if enabled. */
    public void raiseGpe(int bit) {
        gpeSts |= 1 << (bit & 15);
        updateSci();
    }

    public boolean sciLevel() { return sciLevel; }

    @Override
    protected long regionAddress(PciRegion region) {
        if (region != pmBlock) return super.regionAddress(region);
        if ((get8(PMREGMISC) & 1) == 0) return PciRegion.UNMAPPED;
        long base = get32(PMBA) & 0xFFC0;
        return base == 0 ? PciRegion.UNMAPPED : base;
    }

    @Override
    protected void configWritten(int offset, int size) {
        super.configWritten(offset, size);
        if (overlaps(offset, size, PMBA, 4) || overlaps(offset, size, PMREGMISC, 1)) updateMappings();
    }

    // ---- the PM timer --------------------------------------------------------------------------

    /** PM timer ticks since virtual time 0. */
    static long ticksAt(long ns) {
        return ns / NS_PER_S * PM_TIMER_HZ + (ns % NS_PER_S) * PM_TIMER_HZ / NS_PER_S;
    }

    /** The first virtual time at which the tick count reaches {@code tick}. */
    static long nsAtTick(long tick) {
        long rem = tick % PM_TIMER_HZ;
        return tick / PM_TIMER_HZ * NS_PER_S + (rem * NS_PER_S + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
    }

    public int timerValue() {
        return (int) (ticksAt(clock.nanos()) & 0xFF_FFFF);
    }

    private long nextToggleAfter(long ns) {
        return nsAtTick(((ticksAt(ns) >> 23) + 1) << 23);
    }

    /** Sets TMR_STS if bit 23 toggled since we last looked. */
    private void catchUpTimer() {
        long now = clock.nanos();
        if (now >= nextToggleNs) {
            pm1Sts |= TMR_STS;
            nextToggleNs = nextToggleAfter(now);
        }
    }

    private void timerFired() {
        catchUpTimer();
        updateSci();
        armTimer();
    }

    private void armTimer() {
        if ((pm1En & TMR_EN) != 0) overflowTimer.arm(nextToggleNs);
        else overflowTimer.cancel();
    }

    // ---- registers -----------------------------------------------------------------------------

    private void updateSci() {
        boolean level = (pm1Sts & pm1En & SCI_EVENTS) != 0 || (gpeSts & gpeEn) != 0;
        if (level != sciLevel) {
            sciLevel = level;
            sci.set(level);
        }
    }

    private void resetRegisters() {
        pm1Sts = 0;
        pm1En = 0;
        pm1Cnt = 0;
        gpeSts = 0;
        gpeEn = 0;
        apmControl = 0;
        apmStatus = 0;
        nextToggleNs = nextToggleAfter(clock.nanos());
        armTimer();
        updateSci();
    }

    @Override
    protected void resetDevice() {
        resetRegisters();
    }

    private int pmByte(int off, int timer) {
        return switch (off) {
            case 0 -> pm1Sts & 0xFF;
            case 1 -> pm1Sts >> 8;
            case 2 -> pm1En & 0xFF;
            case 3 -> pm1En >> 8;
            case 4 -> pm1Cnt & 0xFF;
            case 5 -> pm1Cnt >> 8;
            case 8, 9, 10, 11 -> (timer >>> (8 * (off - 8))) & 0xFF;
            default -> 0xFF;
        };
    }

    private long pmRead(long offset, int size) {
        if (offset < 0 || offset >= PM_BLOCK_LENGTH) return IoHandler.ones(size);
        catchUpTimer();
        int timer = timerValue();
        long v = 0;
        for (int i = 0; i < size; i++) {
            long off = offset + i;
            long b = off < PM_BLOCK_LENGTH ? pmByte((int) off, timer) : 0xFF;
            v |= b << (8 * i);
        }
        return v;
    }

    private void pmWrite(long offset, int size, long value) {
        if (offset < 0 || offset >= PM_BLOCK_LENGTH) return;
        boolean cntWritten = false;
        for (int i = 0; i < size && offset + i < PM_BLOCK_LENGTH; i++) {
            int b = (int) (value >>> (8 * i)) & 0xFF;
            switch ((int) offset + i) {
                case 0 -> { catchUpTimer(); pm1Sts &= ~(b & PM1_STS_BITS); }
                case 1 -> pm1Sts &= ~((b << 8) & PM1_STS_BITS);
                case 2 -> pm1En = (pm1En & 0xFF00) | (b & PM1_EN_BITS);
                case 3 -> pm1En = (pm1En & 0x00FF) | ((b << 8) & PM1_EN_BITS);
                case 4 -> { pm1Cnt = (pm1Cnt & ~0xFF & PM1_CNT_BITS) | (b & PM1_CNT_BITS); cntWritten = true; }
                case 5 -> {
                    pm1Cnt = (pm1Cnt & 0xFF) | ((b << 8) & PM1_CNT_BITS);
                    if (((b << 8) & SLP_EN) != 0) sleep();
                }
                default -> { }
            }
        }
        if (cntWritten) LOG.log(System.Logger.Level.DEBUG, "PM1_CNT = {0}", Integer.toHexString(pm1Cnt));
        armTimer();
        updateSci();
    }

    private void sleep() {
        int slpTyp = (pm1Cnt >> 10) & 7;
        if (slpTyp == SLP_TYP_S5) {
            machine.requestPowerOff();
        } else {
            LOG.log(System.Logger.Level.DEBUG, "sleep type {0} not supported; ignored", slpTyp);
        }
    }

    private long gpeRead(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            long off = offset + i;
            long b;
            if (off == 0 || off == 1) b = (gpeSts >> (8 * off)) & 0xFF;
            else if (off == 2 || off == 3) b = (gpeEn >> (8 * (off - 2))) & 0xFF;
            else b = 0xFF;
            v |= b << (8 * i);
        }
        return v;
    }

    private void gpeWrite(long offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            long off = offset + i;
            int b = (int) (value >>> (8 * i)) & 0xFF;
            if (off == 0 || off == 1) gpeSts &= ~(b << (8 * off));
            else if (off == 2 || off == 3) {
                int sh = (int) (8 * (off - 2));
                gpeEn = (gpeEn & ~(0xFF << sh)) | (b << sh);
            }
        }
        updateSci();
    }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        super.saveState(out);
        out.put("pm1Sts", pm1Sts);
        out.put("pm1En", pm1En);
        out.put("pm1Cnt", pm1Cnt);
        out.put("gpeSts", gpeSts);
        out.put("gpeEn", gpeEn);
        out.put("nextToggleNs", nextToggleNs);
        out.put("apmControl", apmControl);
        out.put("apmStatus", apmStatus);
    }

    /** Restore after the clock's own state, so the timer is re-armed on restored time. */
    @Override
    public void restoreState(DeviceState in) {
        super.restoreState(in);
        pm1Sts = in.getInt("pm1Sts") & PM1_STS_BITS;
        pm1En = in.getInt("pm1En") & PM1_EN_BITS;
        pm1Cnt = in.getInt("pm1Cnt") & PM1_CNT_BITS;
        gpeSts = in.getInt("gpeSts") & 0xFFFF;
        gpeEn = in.getInt("gpeEn") & 0xFFFF;
        nextToggleNs = in.getLong("nextToggleNs");
        apmControl = in.getInt("apmControl") & 0xFF;
        apmStatus = in.getInt("apmStatus") & 0xFF;
        armTimer();
        updateSci();
    }

    private final class PmBlock implements IoHandler {
        @Override public long read(long offset, int size) { return pmRead(offset, size); }

        @Override public void write(long offset, int size, long value) { pmWrite(offset, size, value); }
    }

    private final class ApmPort implements IoHandler {
        @Override public long read(long offset, int size) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                long off = offset + i;
                long b = off == 0 ? apmControl : off == 1 ? apmStatus : 0xFF;
                v |= b << (8 * i);
            }
            return v;
        }

        @Override public void write(long offset, int size, long value) {
            for (int i = 0; i < size; i++) {
                long off = offset + i;
                int b = (int) (value >>> (8 * i)) & 0xFF;
                if (off == 0) {
                    apmControl = b;
                    if (b == ACPI_ENABLE) pm1Cnt |= SCI_EN;
                    else if (b == ACPI_DISABLE) pm1Cnt &= ~SCI_EN;
                } else if (off == 1) {
                    apmStatus = b;
                }
            }
        }
    }

    private final class Gpe0Port implements IoHandler {
        @Override public long read(long offset, int size) { return gpeRead(offset, size); }

        @Override public void write(long offset, int size, long value) { gpeWrite(offset, size, value); }
    }
}
