package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.LoaderException;

/** The image has no Multiboot header: the caller may try another loader (e.g. Linux bzImage). */
public final class NotMultibootException extends LoaderException {
    public NotMultibootException(String message) {
        super(message);
    }
}
