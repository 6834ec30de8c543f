package dev.jvirt.devices.input;

import dev.jvirt.devices.DeviceState;

/**
 * A PS/2 (MF2) keyboard: the host-to-keyboard command set and key events as scan codes of the
 * selected set. Key input from the host display uses set 1 codes, where an extended key carries the
 * 0xE0 prefix in the high byte (e.g. 0xE048 for Up); the keyboard converts them to the set the guest
 * selected. The controller's translation, when on, is applied by the {@link I8042}, as in hardware.
 */
public final class Ps2Keyboard extends Ps2Device {
    static final int CMD_SET_LEDS = 0xED, CMD_ECHO = 0xEE, CMD_SCAN_SET = 0xF0, CMD_IDENTIFY = 0xF2,
            CMD_TYPEMATIC = 0xF3, CMD_ENABLE = 0xF4, CMD_DISABLE = 0xF5, CMD_DEFAULTS = 0xF6,
            CMD_RESEND = 0xFE, CMD_RESET = 0xFF;
    /** Typematic default: 10.9 characters/s, 500 ms delay. */
    static final int DEFAULT_TYPEMATIC = 0x2B;

    private boolean scanning;
    private int scanSet;
    private int leds;
    private int typematic;

    public Ps2Keyboard() {
        reset();
    }

    @Override
    public void reset() {
        queue.clear();
        pendingCommand = -1;
        lastSent = ACK;
        setDefaults();
        scanning = true;
        leds = 0;
    }

    private void setDefaults() {
        scanSet = 2;
        typematic = DEFAULT_TYPEMATIC;
    }

    /** The LED state last set by the guest: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock. */
    public int leds() { return leds; }

    public int scanSet() { return scanSet; }

    public boolean scanning() { return scanning; }

    public int typematic() { return typematic; }

    /**
     * A key press or release from the host: {@code set1Code} is a set 1 make code (0x01..0x7F), with
     * 0xE0 in bits 8-15 for the extended keys. Ignored while scanning is disabled, as a real keyboard does.
     */
    public void key(int set1Code, boolean down) {
        if (!scanning) return;
        boolean extended = (set1Code >>> 8) == 0xE0;
        int code = set1Code & 0x7F;
        if (code == 0 || ((set1Code >>> 8) != 0 && !extended)) return;
        if (scanSet == 1) {
            int c = down ? code : code | 0x80;
            if (extended) send(0xE0, c); else send(c);
            return;
        }
        int s2 = ScanCodes.SET1_TO_SET2[code];
        if (s2 == 0) return;
        if (extended) {
            if (down) send(0xE0, s2); else send(0xE0, 0xF0, s2);
        } else {
            if (down) send(s2); else send(0xF0, s2);
        }
    }

    public void keyDown(int set1Code) { key(set1Code, true); }

    public void keyUp(int set1Code) { key(set1Code, false); }

    @Override
    void receive(int b) {
        b &= 0xFF;
        if (pendingCommand >= 0 && b < 0xED) {
            parameter(b);
            return;
        }
        pendingCommand = -1;
        switch (b) {
            case CMD_SET_LEDS, CMD_TYPEMATIC, CMD_SCAN_SET -> {
                pendingCommand = b;
                send(ACK);
            }
            case CMD_ECHO -> send(CMD_ECHO);
            case CMD_IDENTIFY -> {
                send(ACK, 0xAB, 0x83);
            }
            case CMD_ENABLE -> {
                queue.clear();
                scanning = true;
                send(ACK);
            }
            case CMD_DISABLE -> {
                queue.clear();
                setDefaults();
                scanning = false;
                send(ACK);
            }
            case CMD_DEFAULTS -> {
                queue.clear();
                setDefaults();
                scanning = true;
                send(ACK);
            }
            case CMD_RESEND -> send(lastSent);
            case CMD_RESET -> {
                queue.clear();
                setDefaults();
                scanning = true;
                leds = 0;
                send(ACK, SELF_TEST_PASSED);
            }
            default -> send(RESEND);
        }
    }

    private void parameter(int b) {
        int cmd = pendingCommand;
        pendingCommand = -1;
        switch (cmd) {
            case CMD_SET_LEDS -> {
                leds = b & 7;
                send(ACK);
            }
            case CMD_TYPEMATIC -> {
                typematic = b & 0x7F;
                send(ACK);
            }
            case CMD_SCAN_SET -> {
                if (b == 0) {
                    send(ACK, scanSet);
                } else if (b <= 3) {
                    scanSet = b;
                    send(ACK);
                } else {
                    send(RESEND);
                }
            }
            default -> send(RESEND);
        }
    }

    @Override public String stateId() { return "ps2-keyboard"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        saveCommon(out);
        out.put("scanning", scanning);
        out.put("scanSet", scanSet);
        out.put("leds", leds);
        out.put("typematic", typematic);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        restoreCommon(in);
        scanning = in.getBoolean("scanning");
        scanSet = in.getInt("scanSet");
        leds = in.getInt("leds");
        typematic = in.getInt("typematic");
    }
}
