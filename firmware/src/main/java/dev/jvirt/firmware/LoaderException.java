package dev.jvirt.firmware;

/** A kernel, module or firmware image that cannot be loaded; the message is one line for the user. */
public class LoaderException extends Exception {
    public LoaderException(String message) {
        super(message, null, false, false);
    }
}
