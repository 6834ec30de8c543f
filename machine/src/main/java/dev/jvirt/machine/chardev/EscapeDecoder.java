package dev.jvirt.machine.chardev;

/**
 * QEMU's terminal escape on an interactive console: Ctrl-A followed by a command key. Ctrl-A x quits,
 * Ctrl-A h (or ?) prints help, Ctrl-A b sends a break, Ctrl-A Ctrl-A sends one Ctrl-A; any other key
 * after Ctrl-A is swallowed, as in QEMU. Pure state, fed one input byte at a time.
 */
public final class EscapeDecoder {
    public static final int ESCAPE_CHAR = 0x01; // Ctrl-A

    /** {@link #feed} results other than a data byte (data bytes are 0..255). */
    public static final int CONSUMED = -1, QUIT = -2, HELP = -3, BREAK = -4;

    private boolean gotEscape;

    /** Returns the byte to pass to the guest (0..255), or {@link #CONSUMED}, {@link #QUIT}, {@link #HELP}, {@link #BREAK}. */
    public int feed(int b) {
        b &= 0xFF;
        if (!gotEscape) {
            if (b == ESCAPE_CHAR) {
                gotEscape = true;
                return CONSUMED;
            }
            return b;
        }
        gotEscape = false;
        return switch (b) {
            case ESCAPE_CHAR -> ESCAPE_CHAR;
            case 'x' -> QUIT;
            case 'h', '?' -> HELP;
            case 'b' -> BREAK;
            default -> CONSUMED;
        };
    }

    /** Whether the last byte fed was an unfinished Ctrl-A. */
    public boolean pendingEscape() { return gotEscape; }

    /** The help text, with CR LF line ends for a raw terminal. */
    public static String help() {
        return "\r\n"
                + "C-a h    print this help\r\n"
                + "C-a x    exit emulator\r\n"
                + "C-a b    send break (magic sysrq)\r\n"
                + "C-a C-a  sends C-a\r\n";
    }
}
