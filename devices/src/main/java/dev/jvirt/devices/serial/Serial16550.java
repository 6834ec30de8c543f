package dev.jvirt.devices.serial;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.IoHandler;

import java.lang.System.Logger.Level;

/**
 * A National/TI PC16550D UART as wired on a PC: eight byte-wide registers, 16-byte receive FIFO,
 * interrupt output gated by MCR OUT2 onto an ISA IRQ line.
 *
 * <p>Transmission is immediate: a byte written to THR reaches the backend (or, in loopback, the
 * receiver) within the write, so THR and the transmitter shift register are empty again when the
 * write returns and the THRE interrupt re-arms at once, as QEMU does. The modem inputs of a
 * non-loopback port read as a connected line (CTS, DSR, DCD high).
 *
 * <p>Host input enters through {@link #receive}, which the board calls with the I/O lock held and
 * only while {@link #rxSpace} is positive, so the host never overruns the FIFO.
 */
public final class Serial16550 implements Device {
    public static final int COM1_BASE = 0x3F8;
    public static final int COM1_IRQ = 4;
    public static final int COM2_BASE = 0x2F8;
    public static final int COM2_IRQ = 3;
    /** Ports claimed from the base. */
    public static final int PORT_COUNT = 8;
    /** The crystal of a PC serial port; the baud rate is this / 16 / divisor. */
    public static final long CLOCK_HZ = 1_843_200;
    static final int FIFO_SIZE = 16;

    // Register offsets (DLAB selects DLL/DLM at 0/1).
    static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

    static final int IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;

    static final int IIR_NO_INT = 0x01, IIR_MODEM = 0x00, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_RLS = 0x06, IIR_CTI = 0x0C;
    static final int IIR_FIFOS_ENABLED = 0xC0;

    static final int FCR_ENABLE = 0x01, FCR_RX_RESET = 0x02, FCR_TX_RESET = 0x04, FCR_DMA_MODE = 0x08, FCR_TRIGGER = 0xC0;

    static final int LCR_WLS = 0x03, LCR_STB = 0x04, LCR_PEN = 0x08, LCR_DLAB = 0x80;

    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;

    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10;
    static final int LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_RX_FIFO_ERROR = 0x80;
    private static final int LSR_LINE_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

    static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08;
    static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    private static final int MSR_DELTAS = 0x0F;
    /** The modem inputs of a port with something (the host) attached. */
    private static final int EXTERNAL_MODEM_LINES = MSR_CTS | MSR_DSR | MSR_DCD;

    /** Power-on value is undefined; this is 9600 baud, what BIOSes program, so timeouts are sane. */
    private static final int DEFAULT_DIVISOR = 12;

    private static final System.Logger LOG = System.getLogger(Serial16550.class.getName());

    private final String stateId;
    private final IrqLine irq;
    private final VirtualClock clock;
    private final CharBackend backend;
    private final VirtualClock.Timer timeoutTimer;

    private int divisor;
    private int ier;
    private int fcr;
    private int lcr;
    private int mcr;
    private int scr;
    /** OE, PE, FE, BI and the FIFO-error bit; DR, THRE and TEMT are derived. */
    private int lsrErrors;
    private int msr;
    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead;
    private int rxCount;
    /** The last byte read from RBR, which is what an empty receiver keeps answering. */
    private int rbr;
    private boolean thrInterrupt;
    private boolean timeoutInterrupt;
    private boolean irqLevel;

    public Serial16550(String stateId, IrqLine irq, VirtualClock clock, CharBackend backend) {
        this.stateId = stateId;
        this.irq = irq;
        this.clock = clock;
        this.backend = backend;
        this.timeoutTimer = clock.newTimer(stateId + " character timeout", this::characterTimeout);
        powerOn();
    }

    @Override
    public void reset() {
        powerOn();
        updateIrq();
        backend.acceptInput();
    }

    private void powerOn() {
        timeoutTimer.cancel();
        divisor = DEFAULT_DIVISOR;
        ier = 0;
        fcr = 0;
        lcr = 0;
        mcr = 0;
        scr = 0;
        lsrErrors = 0;
        msr = EXTERNAL_MODEM_LINES;
        rxHead = 0;
        rxCount = 0;
        rbr = 0;
        thrInterrupt = false;
        timeoutInterrupt = false;
    }

    // ---- host side ----

    /**
     * How many bytes {@link #receive} can take now without an overrun: free FIFO entries, 1 or 0 for
     * the single RBR with FIFOs off, 0 in loopback (the receiver is disconnected from the line).
     */
    public int rxSpace() {
        if ((mcr & MCR_LOOP) != 0) return 0;
        return rxCapacity() - rxCount;
    }

    /** A byte arriving on the serial input line. Dropped in loopback, where the input is disconnected. */
    public void receive(int b) {
        if ((mcr & MCR_LOOP) != 0) {
            LOG.log(Level.DEBUG, "{0}: input dropped in loopback mode", stateId);
            return;
        }
        receiveCharacter(b & 0xFF);
    }

    /** A break condition on the serial input: a zero character flagged BI (magic SysRq on Linux). */
    public void receiveBreak() {
        if ((mcr & MCR_LOOP) != 0) return;
        receiveCharacter(0);
        lsrErrors |= LSR_BI | (fifoEnabled() ? LSR_RX_FIFO_ERROR : 0);
        updateIrq();
    }

    // ---- guest side ----

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size && i < 8; i++) {
            long reg = offset + i;
            int b = reg >= 0 && reg < PORT_COUNT ? readRegister((int) reg) : 0xFF;
            v |= (long) b << (8 * i);
        }
        return size >= 8 ? v : v & IoHandler.ones(size);
    }

    /** A wider access reaches this 8-bit device as consecutive byte accesses, as the ISA bus splits it. */
    @Override
    public void write(long offset, int size, long value) {
        for (int i = 0; i < size && i < 8; i++) {
            long reg = offset + i;
            if (reg >= 0 && reg < PORT_COUNT) writeRegister((int) reg, (int) (value >>> (8 * i)) & 0xFF);
        }
    }

    private int readRegister(int reg) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch (reg) {
            case RBR -> dlab ? divisor & 0xFF : readRbr();
            case IER -> dlab ? divisor >>> 8 : ier;
            case IIR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            default -> scr;
        };
    }

    private void writeRegister(int reg, int v) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case THR -> {
                if (dlab) divisor = (divisor & 0xFF00) | v;
                else transmit(v);
            }
            case IER -> {
                if (dlab) divisor = (divisor & 0x00FF) | (v << 8);
                else writeIer(v);
            }
            case FCR -> writeFcr(v);
            case LCR -> lcr = v;
            case MCR -> writeMcr(v);
            case LSR, MSR -> LOG.log(Level.DEBUG, "{0}: write {1} to read-only register {2} ignored", stateId, v, reg);
            default -> scr = v;
        }
    }

    private int readRbr() {
        if (rxCount > 0) {
            rbr = rx[rxHead] & 0xFF;
            rxHead = (rxHead + 1) % FIFO_SIZE;
            rxCount--;
        }
        if (fifoEnabled()) {
            // A CPU read clears a pending timeout and restarts the timeout count.
            timeoutInterrupt = false;
            restartTimeout();
        }
        updateIrq();
        if ((mcr & MCR_LOOP) == 0) backend.acceptInput();
        return rbr;
    }

    private int readIir() {
        int id = interruptId();
        if (id == IIR_THRE) {
            thrInterrupt = false;
            updateIrq();
        }
        return id | (fifoEnabled() ? IIR_FIFOS_ENABLED : 0);
    }

    private int readLsr() {
        int v = lsr();
        lsrErrors = 0;
        updateIrq();
        return v;
    }

    private int readMsr() {
        int v = msr;
        msr &= ~MSR_DELTAS;
        updateIrq();
        return v;
    }

    private int lsr() {
        // Transmission is immediate, so the holding and shift registers are always empty between accesses.
        return lsrErrors | (rxCount > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
    }

    private void transmit(int b) {
        // Writing THR drops the THRE interrupt, so the line falls before it rises again below: an
        // edge-triggered PIC input sees a new interrupt for every byte, as with real hardware.
        thrInterrupt = false;
        updateIrq();
        if ((mcr & MCR_LOOP) != 0) receiveCharacter(b);
        else backend.write(b);
        // The transmitter took the byte at once: THR is empty again, which is a new THRE interrupt.
        thrInterrupt = true;
        updateIrq();
    }

    private void writeIer(int v) {
        int old = ier;
        ier = v & 0x0F;
        // Enabling ETBEI with THR empty interrupts at once (drivers and Windows rely on it); on the
        // rising edge only, as Bochs and QEMU do.
        if ((old & IER_ETBEI) == 0 && (ier & IER_ETBEI) != 0) thrInterrupt = true;
        else if ((ier & IER_ETBEI) == 0) thrInterrupt = false;
        updateIrq();
    }

    private void writeFcr(int v) {
        boolean wasEnabled = fifoEnabled();
        if ((v & FCR_ENABLE) == 0) {
            // FCR0 = 0 disables the FIFOs, clears them, and the other bits are not programmed.
            fcr = 0;
            if (wasEnabled) clearReceiver();
        } else {
            fcr = v & (FCR_ENABLE | FCR_DMA_MODE | FCR_TRIGGER);
            // Changing FCR0 resets both FIFOs; the transmit FIFO is always empty here (FCR2 is a no-op).
            if (!wasEnabled || (v & FCR_RX_RESET) != 0) clearReceiver();
        }
        updateIrq();
    }

    private void clearReceiver() {
        rxHead = 0;
        rxCount = 0;
        timeoutInterrupt = false;
        timeoutTimer.cancel();
        lsrErrors &= ~LSR_RX_FIFO_ERROR;
        if ((mcr & MCR_LOOP) == 0) backend.acceptInput();
    }

    private void writeMcr(int v) {
        boolean wasLoop = (mcr & MCR_LOOP) != 0;
        mcr = v & 0x1F;
        int lines = (mcr & MCR_LOOP) != 0 ? loopbackModemLines(mcr) : EXTERNAL_MODEM_LINES;
        setModemLines(lines);
        updateIrq();
        if (wasLoop && (mcr & MCR_LOOP) == 0) backend.acceptInput();
    }

    /** In loopback the modem outputs feed the inputs: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD. */
    private static int loopbackModemLines(int mcr) {
        return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0)
                | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0)
                | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    private void setModemLines(int lines) {
        int old = msr & ~MSR_DELTAS;
        int changed = old ^ lines;
        int deltas = 0;
        if ((changed & MSR_CTS) != 0) deltas |= MSR_DCTS;
        if ((changed & MSR_DSR) != 0) deltas |= MSR_DDSR;
        if ((changed & MSR_DCD) != 0) deltas |= MSR_DDCD;
        // TERI flags only the trailing edge of ring: RI going from on to off.
        if ((old & MSR_RI) != 0 && (lines & MSR_RI) == 0) deltas |= MSR_TERI;
        msr = lines | (msr & MSR_DELTAS) | deltas;
    }

    // ---- receiver ----

    private boolean fifoEnabled() { return (fcr & FCR_ENABLE) != 0; }

    private int rxCapacity() { return fifoEnabled() ? FIFO_SIZE : 1; }

    int triggerLevel() {
        return switch (fcr & FCR_TRIGGER) {
            case 0x00 -> 1;
            case 0x40 -> 4;
            case 0x80 -> 8;
            default -> 14;
        };
    }

    private void receiveCharacter(int b) {
        if (rxCount < rxCapacity()) {
            rx[(rxHead + rxCount) % FIFO_SIZE] = (byte) b;
            rxCount++;
        } else {
            lsrErrors |= LSR_OE;
            // Without FIFOs the new character overwrites RBR; a full FIFO keeps its contents and the
            // character in the shift register is lost.
            if (!fifoEnabled()) rx[rxHead] = (byte) b;
        }
        if (fifoEnabled()) restartTimeout();
        updateIrq();
    }

    /** (Re)starts the four-character timeout while the FIFO holds data; stops it when empty. */
    private void restartTimeout() {
        if (rxCount > 0) timeoutTimer.arm(clock.nanos() + 4 * characterTimeNanos());
        else timeoutTimer.cancel();
    }

    private void characterTimeout() {
        if (fifoEnabled() && rxCount > 0) {
            timeoutInterrupt = true;
            updateIrq();
        }
    }

    /** One character on the line: start bit, 5..8 data bits, parity, 1, 1.5 or 2 stop bits, 16 clocks per bit. */
    long characterTimeNanos() {
        int wordBits = (lcr & LCR_WLS) + 5;
        int halfBits = 2 + 2 * wordBits + ((lcr & LCR_PEN) != 0 ? 2 : 0);
        if ((lcr & LCR_STB) == 0) halfBits += 2;
        else halfBits += wordBits == 5 ? 3 : 4;
        long div = divisor == 0 ? 0x10000 : divisor;
        return halfBits * div * 8 * 1_000_000_000L / CLOCK_HZ;
    }

    // ---- interrupts ----

    /** The highest-priority pending source, as IIR bits 3..0. */
    private int interruptId() {
        if ((ier & IER_ELSI) != 0 && (lsrErrors & LSR_LINE_ERRORS) != 0) return IIR_RLS;
        if ((ier & IER_ERBFI) != 0) {
            if (rxCount > 0 && (!fifoEnabled() || rxCount >= triggerLevel())) return IIR_RDA;
            if (timeoutInterrupt) return IIR_CTI;
        }
        if ((ier & IER_ETBEI) != 0 && thrInterrupt) return IIR_THRE;
        if ((ier & IER_EDSSI) != 0 && (msr & MSR_DELTAS) != 0) return IIR_MODEM;
        return IIR_NO_INT;
    }

    /**
     * On a PC the INTR pin reaches the IRQ line through a buffer enabled by OUT2. The register bit is
     * used even in loopback (where the pin itself is forced inactive), so a driver that tests
     * interrupts in loopback still sees them, as under QEMU.
     */
    private void updateIrq() {
        boolean level = (mcr & MCR_OUT2) != 0 && interruptId() != IIR_NO_INT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- state ----

    @Override public String stateId() { return stateId; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        byte[] fifo = new byte[rxCount];
        for (int i = 0; i < rxCount; i++) fifo[i] = rx[(rxHead + i) % FIFO_SIZE];
        out.put("divisor", divisor)
                .put("ier", ier)
                .put("fcr", fcr)
                .put("lcr", lcr)
                .put("mcr", mcr)
                .put("scr", scr)
                .put("lsrErrors", lsrErrors)
                .put("msr", msr)
                .put("rxFifo", fifo)
                .put("rbr", rbr)
                .put("thrInterrupt", thrInterrupt)
                .put("timeoutInterrupt", timeoutInterrupt)
                .put("timeoutArmed", timeoutTimer.armed())
                .put("timeoutDeadline", timeoutTimer.armed() ? timeoutTimer.deadline() : 0);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        // Read and check everything before changing anything, so a bad state leaves the device intact.
        int newFcr = in.getInt("fcr") & (FCR_ENABLE | FCR_DMA_MODE | FCR_TRIGGER);
        byte[] fifo = in.getBytes("rxFifo");
        int capacity = (newFcr & FCR_ENABLE) != 0 ? FIFO_SIZE : 1;
        if (fifo.length > capacity) {
            throw new IllegalStateException("state " + stateId + ": " + fifo.length + " bytes in a receiver of " + capacity);
        }
        int newDivisor = in.getInt("divisor") & 0xFFFF;
        int newIer = in.getInt("ier") & 0x0F;
        int newLcr = in.getInt("lcr") & 0xFF;
        int newMcr = in.getInt("mcr") & 0x1F;
        int newScr = in.getInt("scr") & 0xFF;
        int newLsrErrors = in.getInt("lsrErrors") & (LSR_LINE_ERRORS | LSR_RX_FIFO_ERROR);
        int newMsr = in.getInt("msr") & 0xFF;
        int newRbr = in.getInt("rbr") & 0xFF;
        boolean newThr = in.getBoolean("thrInterrupt");
        boolean newTimeout = in.getBoolean("timeoutInterrupt");
        boolean armed = in.getBoolean("timeoutArmed");
        long deadline = in.getLong("timeoutDeadline");

        divisor = newDivisor;
        ier = newIer;
        fcr = newFcr;
        lcr = newLcr;
        mcr = newMcr;
        scr = newScr;
        lsrErrors = newLsrErrors;
        msr = newMsr;
        rxHead = 0;
        rxCount = fifo.length;
        System.arraycopy(fifo, 0, rx, 0, fifo.length);
        rbr = newRbr;
        thrInterrupt = newThr;
        timeoutInterrupt = newTimeout;
        if (armed) timeoutTimer.arm(deadline);
        else timeoutTimer.cancel();
        // Re-drive the line so the interrupt controller sees this device's level.
        irqLevel = (mcr & MCR_OUT2) != 0 && interruptId() != IIR_NO_INT;
        irq.set(irqLevel);
    }
}
