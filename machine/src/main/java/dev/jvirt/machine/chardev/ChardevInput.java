package dev.jvirt.machine.chardev;

/**
 * Where a host character device delivers input: implemented by the board. Called on the chardev's
 * own reader thread, so the board takes the machine's I/O lock inside {@link #offer}.
 */
public interface ChardevInput {
    /**
     * Offers host bytes to the guest device; returns how many it took (0 when its receive buffer is
     * full). The chardev keeps the rest and offers them again when the device calls
     * {@code CharBackend.acceptInput()}, or after a short wait.
     */
    int offer(byte[] buf, int off, int len);

    /** The user asked to quit the emulator (Ctrl-A x on a terminal). */
    void quit();

    /** The user asked for a serial break (Ctrl-A b on a terminal). */
    default void sendBreak() { }

    /** Input with nowhere to go, e.g. for a chardev that only carries -debugcon output. */
    static ChardevInput discard(Runnable quit) {
        return new ChardevInput() {
            @Override public int offer(byte[] buf, int off, int len) { return len; }
            @Override public void quit() { quit.run(); }
        };
    }
}
