package dev.jvirt.machine.chardev;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Parses host character device specs in QEMU's spelling: {@code stdio}, {@code none}, {@code null}, {@code file:PATH}. */
public final class Chardevs {
    private Chardevs() { }

    /**
     * @throws IllegalArgumentException with a one-line message naming the spec and what is accepted
     */
    public static ChardevSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty character device; expected stdio, null, none or file:PATH");
        }
        if (spec.startsWith("file:")) {
            String p = spec.substring("file:".length());
            if (p.isEmpty()) throw new IllegalArgumentException("character device 'file:' needs a path, e.g. file:serial.log");
            try {
                return new ChardevSpec(ChardevSpec.Kind.FILE, Path.of(p));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("character device '" + spec + "': invalid path: " + e.getReason());
            }
        }
        return switch (spec) {
            case "stdio" -> new ChardevSpec(ChardevSpec.Kind.STDIO, null);
            case "null" -> new ChardevSpec(ChardevSpec.Kind.NULL, null);
            case "none" -> new ChardevSpec(ChardevSpec.Kind.NONE, null);
            default -> throw new IllegalArgumentException(
                    "unknown character device '" + oneLine(spec) + "'; expected stdio, null, none or file:PATH");
        };
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
