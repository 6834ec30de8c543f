package dev.jvirt.machine.chardev;

import java.nio.file.Path;

/**
 * A parsed host character device spec, not yet opened (so a command line can be checked before
 * anything on the host changes).
 *
 * @param path the file for {@link Kind#FILE}, else null
 */
public record ChardevSpec(Kind kind, Path path) {
    public enum Kind {
        /** {@code none}: no device at all (QEMU creates no serial port for {@code -serial none}). */
        NONE,
        /** {@code null}: the device exists, its output is discarded, it never receives input. */
        NULL,
        /** {@code stdio}: the emulator's standard input and output. */
        STDIO,
        /** {@code file:PATH}: output written to PATH (created or truncated), no input. */
        FILE
    }

    /** Whether the guest-facing device should exist at all. */
    public boolean present() { return kind != Kind.NONE; }

    /**
     * Opens the host side. {@code none} opens as {@code null}.
     *
     * @throws IllegalArgumentException with a one-line message if the host resource cannot be opened
     */
    public HostChardev open() {
        return switch (kind) {
            case NONE, NULL -> new NullChardev();
            case STDIO -> StdioChardev.open();
            case FILE -> FileChardev.open(path);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case NULL -> "null";
            case STDIO -> "stdio";
            case FILE -> "file:" + path;
        };
    }
}
