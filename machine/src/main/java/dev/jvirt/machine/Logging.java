package dev.jvirt.machine;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Routes System.Logger (java.util.logging underneath) to one-line messages on stderr. By default only
 * warnings show; {@code -d guest_errors} shows the debug lines devices and CPUs log for guest mistakes.
 */
final class Logging {
    /** Held strongly: java.util.logging keeps loggers only weakly, and the level would be lost with it. */
    private static final Logger JVIRT = Logger.getLogger("dev.jvirt");
    private static final Logger INT = Logger.getLogger("dev.jvirt.cpu.int");

    private Logging() { }

    static void configure(boolean debug, boolean interrupts, PrintStream err) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) root.removeHandler(h);
        // Not ConsoleHandler: redirecting it would close System.err.
        StreamHandler h = new StreamHandler(err, new Formatter() {
            @Override
            public String format(LogRecord r) {
                String logger = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
                return "jvirt: " + logger + ": " + formatMessage(r) + System.lineSeparator();
            }
        }) {
            @Override
            public synchronized void publish(LogRecord r) {
                super.publish(r);
                flush();
            }
        };
        h.setLevel(debug ? Level.FINE : Level.WARNING);
        root.addHandler(h);
        root.setLevel(Level.WARNING);
        // Only jvirt's own debug lines: the JDK logs at FINE too (Runtime.exit, for one).
        JVIRT.setLevel(debug ? Level.FINE : Level.WARNING);
        INT.setLevel(interrupts ? Level.FINE : Level.WARNING);
        if (interrupts) h.setLevel(Level.FINE);
    }
}
