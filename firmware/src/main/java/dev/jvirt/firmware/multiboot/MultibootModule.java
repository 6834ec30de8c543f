package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.LoaderException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A Multiboot boot module: its bytes and its string (by QEMU's convention "path args"). */
public record MultibootModule(String string, byte[] data) {
    public MultibootModule {
        if (string.indexOf('\0') >= 0) throw new IllegalArgumentException("module string contains NUL");
    }

    /**
     * Reads the modules of a QEMU-style {@code -initrd} value: comma-separated entries (",," stands
     * for a literal comma), each a file path optionally followed by a space and arguments; the whole
     * entry becomes the module's string, as QEMU passes it.
     */
    public static List<MultibootModule> fromOption(String initrd) throws LoaderException {
        List<MultibootModule> out = new ArrayList<>();
        for (String entry : splitOption(initrd)) {
            int space = entry.indexOf(' ');
            String path = space < 0 ? entry : entry.substring(0, space);
            if (path.isEmpty()) throw new LoaderException("empty module path in '" + initrd + "'");
            try {
                out.add(new MultibootModule(entry, Files.readAllBytes(Path.of(path))));
            } catch (IOException | RuntimeException e) {
                throw new LoaderException("cannot read module '" + path + "': " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
            }
        }
        return out;
    }

    static List<String> splitOption(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',') {
                if (i + 1 < value.length() && value.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                    continue;
                }
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
