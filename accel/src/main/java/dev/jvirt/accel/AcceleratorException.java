package dev.jvirt.accel;

/** A backend cannot be created or cannot continue; the message is one line for the user. */
public final class AcceleratorException extends RuntimeException {
    public AcceleratorException(String message) {
        super(message);
    }

    public AcceleratorException(String message, Throwable cause) {
        super(message, cause);
    }
}
