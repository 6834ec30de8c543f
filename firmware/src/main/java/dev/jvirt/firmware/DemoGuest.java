package dev.jvirt.firmware;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The built-in demo guest: a small Multiboot v1 kernel (source in src/main/guest/demo) that prints
 * a banner, a few computed results and the Multiboot memory information over COM1, then writes 0
 * to the isa-debug-exit port (0xF4; 0x501 as well, QEMU's default).
 */
public final class DemoGuest {
    /** The name the image is known by, e.g. as the first word of its Multiboot command line. */
    public static final String NAME = "demo.elf";

    private DemoGuest() { }

    public static byte[] image() {
        try (InputStream in = DemoGuest.class.getResourceAsStream(NAME)) {
            if (in == null) throw new IllegalStateException("demo guest resource " + NAME + " is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
