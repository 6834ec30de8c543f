package dev.jvirt.devices.input;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.mmu.A20Gate;
import dev.jvirt.mmu.IoHandler;

/**
 * The 8042 keyboard controller of the PC/AT: data port 0x60, status/command port 0x64, the
 * keyboard on IRQ 1 and the PS/2 mouse (auxiliary device) on IRQ 12, the A20 gate and the reset
 * line on its output port.
 *
 * <p>Offsets: this device decodes the range 0x60-0x64 as offsets 0 (data) and 4 (status/command),
 * but the board must not claim 0x61-0x63 for it (0x61 is port B of the PIT/speaker). It registers
 * the two one-port views instead: {@code ports.register(0x60, 1, kbc.dataPort())} and
 * {@code ports.register(0x64, 1, kbc.commandPort())}.
 *
 * <p>Bytes from the controller itself (command replies) go out before keyboard bytes, and those
 * before mouse bytes; each source queues its own bytes, so none are lost while the output buffer
 * is full.
 */
public final class I8042 implements Device {
    public static final int DATA_PORT = 0x60, COMMAND_PORT = 0x64;
    public static final int KEYBOARD_IRQ = 1, MOUSE_IRQ = 12;
    static final int OFFSET_DATA = 0, OFFSET_COMMAND = 4;

    // Status register (read at 0x64)
    static final int STS_OBF = 0x01, STS_IBF = 0x02, STS_SYS = 0x04, STS_A2 = 0x08, STS_INH = 0x10, STS_AUXB = 0x20;
    // Command byte (controller RAM byte 0)
    static final int CB_KBD_INT = 0x01, CB_AUX_INT = 0x02, CB_SYS = 0x04, CB_KBD_DISABLE = 0x10,
            CB_AUX_DISABLE = 0x20, CB_TRANSLATE = 0x40;
    // Output port
    static final int OUT_RESET = 0x01, OUT_A20 = 0x02, OUT_OBF = 0x10, OUT_AUX_OBF = 0x20;
    /** Output port at power-on: reset deasserted, A20 on, keyboard clock/data lines high. */
    static final int OUT_POWER_ON = 0xCF;
    /** Command byte at power-on, as QEMU: both interrupts on, no translation until the BIOS sets it. */
    static final int CB_POWER_ON = CB_KBD_INT | CB_AUX_INT;

    private static final System.Logger LOG = System.getLogger(I8042.class.getName());

    private final Ps2Keyboard keyboard = new Ps2Keyboard();
    private final Ps2Mouse mouse = new Ps2Mouse();
    private final IrqLine keyboardIrq;
    private final IrqLine mouseIrq;
    private final A20Gate a20;
    private final MachineControl machine;
    private final IoHandler dataPort = new PortView(OFFSET_DATA);
    private final IoHandler commandPort = new PortView(OFFSET_COMMAND);

    /** Controller RAM; byte 0 is the command byte. */
    private final byte[] ram = new byte[32];
    private int status;
    private int outputPort;
    /** The controller command waiting for its data byte at 0x60, or -1. */
    private int pendingCommand;
    /** The output buffer; after a read it keeps the last byte (software such as EMM386 rereads it). */
    private int outputBuffer;
    /** Controller replies awaiting the output buffer: byte | 0x100 for "from the auxiliary device". */
    private final Ps2Queue controllerQueue = new Ps2Queue(16);
    private final Ps2Queue controllerAux = new Ps2Queue(16);
    /** Translation saw the set 2 break prefix F0; the next byte is sent with bit 7 set. */
    private boolean translateBreak;
    private boolean refilling;
    private boolean keyboardIrqLevel, mouseIrqLevel;

    public I8042(IrqLine keyboardIrq, IrqLine mouseIrq, A20Gate a20, MachineControl machine) {
        this.keyboardIrq = keyboardIrq;
        this.mouseIrq = mouseIrq;
        this.a20 = a20;
        this.machine = machine;
        keyboard.setDataListener(this::refill);
        mouse.setDataListener(this::refill);
        reset();
    }

    public Ps2Keyboard keyboard() { return keyboard; }

    public Ps2Mouse mouse() { return mouse; }

    /** Port 0x60 as a one-port handler. */
    public IoHandler dataPort() { return dataPort; }

    /** Port 0x64 as a one-port handler. */
    public IoHandler commandPort() { return commandPort; }

    /** Host key input (set 1 codes, 0xE0xx for extended keys); see {@link Ps2Keyboard#key}. */
    public void keyDown(int set1Code) { keyboard.keyDown(set1Code); }

    public void keyUp(int set1Code) { keyboard.keyUp(set1Code); }

    /** Host mouse input; see {@link Ps2Mouse#move(int, int, int, int)}. */
    public void mouseMove(int dx, int dy, int buttons) { mouse.move(dx, dy, 0, buttons); }

    public void mouseMove(int dx, int dy, int dz, int buttons) { mouse.move(dx, dy, dz, buttons); }

    /** Power-on state; drives A20 on, as the output port comes up with it set. */
    @Override
    public void reset() {
        java.util.Arrays.fill(ram, (byte) 0);
        ram[0] = (byte) CB_POWER_ON;
        status = STS_INH;
        outputPort = OUT_POWER_ON;
        pendingCommand = -1;
        outputBuffer = 0;
        controllerQueue.clear();
        controllerAux.clear();
        translateBreak = false;
        keyboard.reset();
        mouse.reset();
        a20.set(true);
        updateIrqs();
    }

    private int commandByte() { return ram[0] & 0xFF; }

    @Override
    public long read(long offset, int size) {
        if (offset == OFFSET_DATA) return readData();
        if (offset == OFFSET_COMMAND) return status;
        return IoHandler.ones(size);
    }

    @Override
    public void write(long offset, int size, long value) {
        int b = (int) (value & 0xFF);
        if (offset == OFFSET_DATA) writeData(b);
        else if (offset == OFFSET_COMMAND) writeCommand(b);
    }

    private int readData() {
        int v = outputBuffer;
        if ((status & STS_OBF) != 0) {
            status &= ~(STS_OBF | STS_AUXB);
            refill();
            updateIrqs();
        }
        return v;
    }

    /** Moves the next pending byte into the empty output buffer. */
    private void refill() {
        if (refilling) return;
        refilling = true;
        try {
            while ((status & STS_OBF) == 0) {
                if (!controllerQueue.isEmpty()) {
                    load(controllerQueue.poll(), controllerAux.poll() != 0);
                } else if (keyboard.hasData() && (commandByte() & CB_KBD_DISABLE) == 0) {
                    int b = keyboard.poll();
                    if ((commandByte() & CB_TRANSLATE) != 0) {
                        if (b == 0xF0) {
                            translateBreak = true;
                            continue;
                        }
                        b = ScanCodes.SET2_TO_SET1[b] | (translateBreak ? 0x80 : 0);
                        translateBreak = false;
                    }
                    load(b, false);
                } else if (mouse.hasData() && (commandByte() & CB_AUX_DISABLE) == 0) {
                    load(mouse.poll(), true);
                } else {
                    break;
                }
            }
        } finally {
            refilling = false;
        }
        updateIrqs();
    }

    private void load(int b, boolean aux) {
        outputBuffer = b & 0xFF;
        status |= STS_OBF;
        if (aux) status |= STS_AUXB; else status &= ~STS_AUXB;
    }

    private void reply(int b, boolean aux) {
        if (controllerQueue.offer(b)) controllerAux.offer(aux ? 1 : 0);
        refill();
    }

    private void updateIrqs() {
        boolean full = (status & STS_OBF) != 0, aux = (status & STS_AUXB) != 0;
        boolean kbd = full && !aux && (commandByte() & CB_KBD_INT) != 0;
        boolean mou = full && aux && (commandByte() & CB_AUX_INT) != 0;
        if (kbd != keyboardIrqLevel) {
            keyboardIrqLevel = kbd;
            keyboardIrq.set(kbd);
        }
        if (mou != mouseIrqLevel) {
            mouseIrqLevel = mou;
            mouseIrq.set(mou);
        }
    }

    private void writeData(int b) {
        status &= ~STS_A2;
        int cmd = pendingCommand;
        pendingCommand = -1;
        if (cmd >= 0x60 && cmd <= 0x7F) {
            ram[cmd & 0x1F] = (byte) b;
            if (cmd == 0x60) status = (status & ~STS_SYS) | (b & CB_SYS);
        } else if (cmd == 0xD1) {
            writeOutputPort(b);
        } else if (cmd == 0xD2) {
            reply(b, false);
        } else if (cmd == 0xD3) {
            reply(b, true);
        } else if (cmd == 0xD4) {
            mouse.receive(b);
        } else {
            // Sending to the keyboard re-enables its interface, as an 8042 does when it clocks a byte out.
            ram[0] &= (byte) ~CB_KBD_DISABLE;
            keyboard.receive(b);
        }
        refill();
    }

    private void writeOutputPort(int b) {
        outputPort = b;
        a20.set((b & OUT_A20) != 0);
        if ((b & OUT_RESET) == 0) machine.requestReset();
    }

    /** The A20-only commands (0xDD/0xDF) leave the reset line alone. */
    private void setA20(boolean on) {
        outputPort = on ? outputPort | OUT_A20 : outputPort & ~OUT_A20;
        a20.set(on);
    }

    private void writeCommand(int cmd) {
        status |= STS_A2;
        pendingCommand = -1;
        if (cmd >= 0x20 && cmd <= 0x3F) {
            reply(ram[cmd & 0x1F] & 0xFF, false);
            return;
        }
        if (cmd >= 0x60 && cmd <= 0x7F) {
            pendingCommand = cmd;
            return;
        }
        if (cmd >= 0xF0) {
            // Pulse output port lines whose mask bit is 0; line 0 is the CPU reset.
            if ((cmd & OUT_RESET) == 0) machine.requestReset();
            return;
        }
        switch (cmd) {
            case 0xA4 -> reply(0xF1, false); // no password installed
            case 0xA7 -> ram[0] |= CB_AUX_DISABLE;
            case 0xA8 -> ram[0] &= (byte) ~CB_AUX_DISABLE;
            case 0xA9, 0xAB -> reply(0x00, false); // interface test: no error
            case 0xAA -> {
                status |= STS_SYS;
                reply(0x55, false);
            }
            case 0xAD -> ram[0] |= CB_KBD_DISABLE;
            case 0xAE -> ram[0] &= (byte) ~CB_KBD_DISABLE;
            case 0xC0 -> reply(0x80, false); // input port: keyboard not inhibited
            case 0xD0 -> {
                int v = outputPort & ~(OUT_OBF | OUT_AUX_OBF);
                if ((status & STS_OBF) != 0) v |= (status & STS_AUXB) != 0 ? OUT_AUX_OBF : OUT_OBF;
                reply(v, false);
            }
            case 0xD1, 0xD2, 0xD3, 0xD4 -> pendingCommand = cmd;
            case 0xDD -> setA20(false);
            case 0xDF -> setA20(true);
            case 0xE0 -> reply(0x00, false); // test inputs
            default -> LOG.log(System.Logger.Level.DEBUG, "i8042: unknown command {0}", Integer.toHexString(cmd));
        }
        refill();
    }

    @Override public String stateId() { return "i8042"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("ram", ram);
        out.put("status", status);
        out.put("outputPort", outputPort);
        out.put("pendingCommand", pendingCommand);
        out.put("outputBuffer", outputBuffer);
        out.put("controllerQueue", controllerQueue.toArray());
        out.put("controllerAux", controllerAux.toArray());
        out.put("translateBreak", translateBreak);
        out.put("keyboard", DeviceState.of(keyboard));
        out.put("mouse", DeviceState.of(mouse));
    }

    /**
     * Restores registers and queues and drives the IRQ lines to match. The A20 gate is shared with
     * port 0x92, so its state is the board's to restore, not this device's.
     */
    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        byte[] r = in.getBytes("ram");
        System.arraycopy(r, 0, ram, 0, Math.min(r.length, ram.length));
        status = in.getInt("status");
        outputPort = in.getInt("outputPort");
        pendingCommand = in.getInt("pendingCommand");
        outputBuffer = in.getInt("outputBuffer");
        controllerQueue.load(in.getBytes("controllerQueue"));
        controllerAux.load(in.getBytes("controllerAux"));
        translateBreak = in.getBoolean("translateBreak");
        keyboard.restoreState(in.getState("keyboard"));
        mouse.restoreState(in.getState("mouse"));
        keyboardIrqLevel = mouseIrqLevel = false;
        keyboardIrq.lower();
        mouseIrq.lower();
        updateIrqs();
    }

    /** One of the controller's two ports, seen as a one-port device. */
    private final class PortView implements IoHandler {
        private final int offset;

        PortView(int offset) { this.offset = offset; }

        @Override public long read(long off, int size) {
            return off == 0 ? I8042.this.read(offset, size) : IoHandler.ones(size);
        }

        @Override public void write(long off, int size, long value) {
            if (off == 0) I8042.this.write(offset, size, value);
        }
    }
}
