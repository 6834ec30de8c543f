package dev.jvirt.machine.chardev;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The controlling terminal on standard input: detection, raw mode for a guest console, and putting
 * the user's settings back. Raw mode is QEMU's: no line editing, no echo, no signals from Ctrl-C
 * (it goes to the guest; Ctrl-A x quits), but output post-processing kept so LF still returns the carriage.
 */
final class Terminal {
    private static final System.Logger LOG = System.getLogger(Terminal.class.getName());

    private String saved;
    private Thread restoreHook;

    /** Whether file descriptor 0 is a terminal (and a console is attached). */
    @SuppressWarnings("restricted") // the machine module runs with native access enabled
    static boolean stdinIsTerminal() {
        if (System.console() == null) return false;
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(
                    linker.defaultLookup().find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(0) == 1;
        } catch (Throwable t) {
            LOG.log(Level.DEBUG, "isatty unavailable: " + t);
            return false;
        }
    }

    /** Puts the terminal on stdin into raw mode; returns false (terminal untouched) if stty fails. */
    synchronized boolean enterRawMode() {
        if (saved != null) return true;
        String settings = stty("-g");
        if (settings == null || settings.isBlank()) return false;
        if (stty("raw", "-echo", "opost") == null) return false;
        saved = settings.strip();
        restoreHook = Thread.ofPlatform().name("terminal-restore").unstarted(this::restoreQuietly);
        Runtime.getRuntime().addShutdownHook(restoreHook);
        return true;
    }

    /** Puts back the settings saved by {@link #enterRawMode}. */
    synchronized void restore() {
        if (saved == null) return;
        stty(saved);
        saved = null;
        try {
            Runtime.getRuntime().removeShutdownHook(restoreHook);
        } catch (IllegalStateException shuttingDown) {
            // running as the hook itself
        }
    }

    private void restoreQuietly() {
        synchronized (this) {
            if (saved != null) stty(saved);
            saved = null;
        }
    }

    /** Runs stty on our own standard input (inherited, so it acts on fd 0); returns its output or null. */
    private static String stty(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("stty");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                LOG.log(Level.DEBUG, "stty " + String.join(" ", args) + " failed");
                return null;
            }
            return out;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stty unavailable: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
