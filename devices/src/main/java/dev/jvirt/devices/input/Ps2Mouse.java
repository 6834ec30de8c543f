package dev.jvirt.devices.input;

import dev.jvirt.devices.DeviceState;

/**
 * A PS/2 mouse (with the IntelliMouse wheel extension, enabled by the sample-rate knock 200, 100,
 * 80): the auxiliary-device command set, stream and remote modes, and 3- or 4-byte movement packets.
 * Host movement that does not fit into the queue stays accumulated, so no motion is lost.
 */
public final class Ps2Mouse extends Ps2Device {
    static final int CMD_SCALING_1_1 = 0xE6, CMD_SCALING_2_1 = 0xE7, CMD_SET_RESOLUTION = 0xE8,
            CMD_STATUS = 0xE9, CMD_STREAM_MODE = 0xEA, CMD_READ_DATA = 0xEB, CMD_RESET_WRAP = 0xEC,
            CMD_WRAP = 0xEE, CMD_REMOTE_MODE = 0xF0, CMD_GET_ID = 0xF2, CMD_SAMPLE_RATE = 0xF3,
            CMD_ENABLE = 0xF4, CMD_DISABLE = 0xF5, CMD_DEFAULTS = 0xF6, CMD_RESEND = 0xFE, CMD_RESET = 0xFF;

    /** Buttons as in packet byte 0: bit 0 left, bit 1 right, bit 2 middle. */
    public static final int BUTTON_LEFT = 1, BUTTON_RIGHT = 2, BUTTON_MIDDLE = 4;

    private boolean reporting;
    private boolean remote;
    private boolean wrap;
    private boolean scaling21;
    private int resolution;
    private int sampleRate;
    private int deviceId;
    /** Last three sample rates written, for the IntelliMouse knock. */
    private int rateHistory;
    private int buttons;
    private int dx, dy, dz;

    public Ps2Mouse() {
        reset();
    }

    @Override
    public void reset() {
        queue.clear();
        pendingCommand = -1;
        lastSent = ACK;
        deviceId = 0;
        wrap = false;
        setDefaults();
        buttons = 0;
    }

    private void setDefaults() {
        sampleRate = 100;
        resolution = 2;
        scaling21 = false;
        reporting = false;
        remote = false;
        rateHistory = 0;
        dx = dy = dz = 0;
    }

    public boolean reporting() { return reporting; }

    public int deviceId() { return deviceId; }

    public int sampleRate() { return sampleRate; }

    public int resolution() { return resolution; }

    /**
     * Host mouse input: relative motion with {@code dy} positive downwards (screen convention; the
     * PS/2 packet's Y axis points up), wheel {@code dz}, and the buttons held now (BUTTON_* bits).
     */
    public void move(int dx, int dy, int dz, int buttons) {
        if (!reporting) return;
        boolean buttonsChanged = (buttons & 7) != this.buttons;
        this.buttons = buttons & 7;
        this.dx = clampAdd(this.dx, dx);
        this.dy = clampAdd(this.dy, -dy);
        this.dz = clampAdd(this.dz, dz);
        if (!remote) stream(buttonsChanged);
    }

    public void move(int dx, int dy, int buttons) { move(dx, dy, 0, buttons); }

    private static int clampAdd(int a, int b) {
        long s = (long) a + b;
        return (int) Math.max(-(1 << 24), Math.min(1 << 24, s));
    }

    private int packetSize() { return deviceId == 3 ? 4 : 3; }

    /** Sends packets while motion is pending and the queue has room for whole packets. */
    private void stream(boolean force) {
        while (queue.free() >= packetSize() && (force || dx != 0 || dy != 0 || dz != 0)) {
            packet();
            force = false;
        }
    }

    private void packet() {
        int px = Math.max(-256, Math.min(255, dx));
        int py = Math.max(-256, Math.min(255, dy));
        int pz = Math.max(-8, Math.min(7, dz));
        dx -= px;
        dy -= py;
        dz -= pz;
        int rx = scaling21 && !remote ? scale(px) : px;
        int ry = scaling21 && !remote ? scale(py) : py;
        boolean ox = rx < -256 || rx > 255, oy = ry < -256 || ry > 255;
        rx = Math.max(-256, Math.min(255, rx));
        ry = Math.max(-256, Math.min(255, ry));
        int b0 = 0x08 | buttons | (rx < 0 ? 0x10 : 0) | (ry < 0 ? 0x20 : 0) | (ox ? 0x40 : 0) | (oy ? 0x80 : 0);
        if (deviceId == 3) send(b0, rx & 0xFF, ry & 0xFF, pz & 0xFF);
        else send(b0, rx & 0xFF, ry & 0xFF);
    }

    /** 2:1 scaling as the PS/2 mouse specifies it: 1->1, 2->1, 3->3, 4->6, 5->9, then doubled. */
    private static int scale(int v) {
        int a = Math.abs(v);
        int s = switch (a) {
            case 0 -> 0;
            case 1, 2 -> 1;
            case 3 -> 3;
            case 4 -> 6;
            case 5 -> 9;
            default -> 2 * a;
        };
        return v < 0 ? -s : s;
    }

    @Override
    int poll() {
        int b = super.poll();
        if (!remote && reporting && queue.isEmpty() && (dx != 0 || dy != 0 || dz != 0)) stream(false);
        return b;
    }

    @Override
    void receive(int b) {
        b &= 0xFF;
        if (pendingCommand >= 0) {
            parameter(b);
            return;
        }
        if (wrap && b != CMD_RESET_WRAP && b != CMD_RESET) {
            send(b);
            return;
        }
        switch (b) {
            case CMD_SCALING_1_1 -> { scaling21 = false; send(ACK); }
            case CMD_SCALING_2_1 -> { scaling21 = true; send(ACK); }
            case CMD_SET_RESOLUTION, CMD_SAMPLE_RATE -> { pendingCommand = b; send(ACK); }
            case CMD_STATUS -> {
                send(ACK, (remote ? 0x40 : 0) | (reporting ? 0x20 : 0) | (scaling21 ? 0x10 : 0)
                        | ((buttons & BUTTON_LEFT) != 0 ? 4 : 0) | ((buttons & BUTTON_MIDDLE) != 0 ? 2 : 0)
                        | ((buttons & BUTTON_RIGHT) != 0 ? 1 : 0), resolution, sampleRate);
            }
            case CMD_STREAM_MODE -> { remote = false; dx = dy = dz = 0; send(ACK); }
            case CMD_READ_DATA -> { send(ACK); packet(); }
            case CMD_RESET_WRAP -> { wrap = false; dx = dy = dz = 0; send(ACK); }
            case CMD_WRAP -> { wrap = true; dx = dy = dz = 0; send(ACK); }
            case CMD_REMOTE_MODE -> { remote = true; dx = dy = dz = 0; send(ACK); }
            case CMD_GET_ID -> send(ACK, deviceId);
            case CMD_ENABLE -> { reporting = true; dx = dy = dz = 0; send(ACK); }
            case CMD_DISABLE -> { reporting = false; dx = dy = dz = 0; send(ACK); }
            case CMD_DEFAULTS -> { setDefaults(); send(ACK); }
            case CMD_RESEND -> send(lastSent);
            case CMD_RESET -> {
                queue.clear();
                wrap = false;
                deviceId = 0;
                setDefaults();
                send(ACK, SELF_TEST_PASSED, deviceId);
            }
            default -> send(RESEND);
        }
    }

    private void parameter(int b) {
        int cmd = pendingCommand;
        pendingCommand = -1;
        if (cmd == CMD_SET_RESOLUTION) {
            if (b > 3) { send(RESEND); return; }
            resolution = b;
        } else {
            sampleRate = b;
            rateHistory = ((rateHistory << 8) | b) & 0xFFFFFF;
            if (rateHistory == ((200 << 16) | (100 << 8) | 80)) deviceId = 3;
        }
        send(ACK);
    }

    @Override public String stateId() { return "ps2-mouse"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        saveCommon(out);
        out.put("reporting", reporting);
        out.put("remote", remote);
        out.put("wrap", wrap);
        out.put("scaling21", scaling21);
        out.put("resolution", resolution);
        out.put("sampleRate", sampleRate);
        out.put("deviceId", deviceId);
        out.put("rateHistory", rateHistory);
        out.put("buttons", buttons);
        out.put("motion", new long[] {dx, dy, dz});
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        restoreCommon(in);
        reporting = in.getBoolean("reporting");
        remote = in.getBoolean("remote");
        wrap = in.getBoolean("wrap");
        scaling21 = in.getBoolean("scaling21");
        resolution = in.getInt("resolution");
        sampleRate = in.getInt("sampleRate");
        deviceId = in.getInt("deviceId");
        rateHistory = in.getInt("rateHistory");
        buttons = in.getInt("buttons");
        long[] m = in.getLongs("motion");
        dx = (int) m[0];
        dy = (int) m[1];
        dz = (int) m[2];
    }
}
