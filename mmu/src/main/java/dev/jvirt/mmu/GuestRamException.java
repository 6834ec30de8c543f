package dev.jvirt.mmu;

/** A guest RAM request the host cannot satisfy; the message is one line for the user. */
public final class GuestRamException extends RuntimeException {
    public GuestRamException(String message) {
        super(message);
    }
}
