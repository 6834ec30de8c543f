package dev.jvirt.machine;

/** Bad input from the user: printed as one line "jvirt: message", then exit with {@link #status()}. */
public final class UsageException extends RuntimeException {
    /** A value the user gave is wrong (file, size, device option). */
    public static final int BAD_INPUT = 1;
    /** The command line itself is malformed (unknown option), as getopt-style tools do. */
    public static final int BAD_USAGE = 2;

    private final int status;

    public UsageException(String message) {
        this(message, BAD_INPUT);
    }

    public UsageException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() { return status; }
}
