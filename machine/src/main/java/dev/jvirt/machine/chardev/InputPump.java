package dev.jvirt.machine.chardev;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves host input to the board on a daemon thread: reads what the host has, applies the terminal
 * escape when enabled, and offers the data bytes to the board, waiting (for {@link #acceptInput} or a
 * short timeout) while the guest device's buffer is full, so nothing is dropped.
 */
final class InputPump {
    /** Retry interval if no acceptInput() arrives, e.g. when the guest polls with interrupts off. */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final System.Logger LOG = System.getLogger(InputPump.class.getName());

    private final InputStream in;
    private final ChardevInput input;
    private final EscapeDecoder escape;
    private final Commands commands;
    private volatile boolean waiting;
    private volatile Thread thread;

    /** What the escape commands do besides passing data. */
    interface Commands {
        void help();

        void quit();
    }

    /** @param escape null to pass every byte through */
    InputPump(InputStream in, ChardevInput input, EscapeDecoder escape, Commands commands) {
        this.in = in;
        this.input = input;
        this.escape = escape;
        this.commands = commands;
    }

    void start(String name) {
        thread = Thread.ofPlatform().daemon().name("chardev-" + name + "-in").start(this::run);
    }

    /** The guest device took input; wake the pump if it is waiting for room. Cheap when it is not. */
    void acceptInput() {
        if (waiting) {
            Thread t = thread;
            if (t != null) LockSupport.unpark(t);
        }
    }

    private void run() {
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) return; // host input closed: the guest simply sees no more
                if (!process(buf, n)) return;
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "chardev input ended: " + e.getMessage());
        }
    }

    /** Delivers one chunk in order; commands act where they occur. Returns false after quit. */
    boolean process(byte[] buf, int n) {
        if (escape == null) {
            deliver(buf, 0, n);
            return true;
        }
        int data = 0; // data bytes are compacted in place at buf[0..data)
        for (int i = 0; i < n; i++) {
            int r = escape.feed(buf[i]);
            if (r >= 0) {
                buf[data++] = (byte) r;
                continue;
            }
            if (r == EscapeDecoder.CONSUMED) continue;
            deliver(buf, 0, data);
            data = 0;
            switch (r) {
                case EscapeDecoder.QUIT -> {
                    commands.quit();
                    return false;
                }
                case EscapeDecoder.HELP -> commands.help();
                case EscapeDecoder.BREAK -> input.sendBreak();
                default -> { }
            }
        }
        deliver(buf, 0, data);
        return true;
    }

    private void deliver(byte[] buf, int off, int len) {
        while (len > 0) {
            // Set before offering, so an acceptInput() that races with a refusal leaves a permit.
            waiting = true;
            int took = Math.min(input.offer(buf, off, len), len);
            if (took > 0) {
                waiting = false;
                off += took;
                len -= took;
            } else {
                LockSupport.parkNanos(this, RETRY_NANOS);
            }
        }
        waiting = false;
    }
}
