package dev.jvirt.machine;

import java.util.Locale;

/** QEMU's size syntax: a number with an optional K/M/G/T suffix (binary units), MiB when bare for -m. */
final class Sizes {
    private Sizes() { }

    /**
     * Parses {@code text}; a bare number is in {@code defaultUnit} bytes.
     *
     * @throws UsageException naming {@code option} when the text is not a size
     */
    static long parse(String option, String text, long defaultUnit) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) s = s.substring(0, s.length() - 1);
        long unit = defaultUnit;
        if (!s.isEmpty()) {
            char last = s.charAt(s.length() - 1);
            long u = switch (last) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                case 'B' -> 1L;
                default -> 0;
            };
            if (u != 0) {
                unit = u;
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            if (s.contains(".")) {
                double d = Double.parseDouble(s);
                if (d < 0 || d * unit > Long.MAX_VALUE / 2) throw new NumberFormatException();
                return (long) (d * unit);
            }
            long n = Long.parseLong(s);
            if (n < 0 || (n > 0 && Long.MAX_VALUE / n < unit)) throw new NumberFormatException();
            return n * unit;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " " + text + ": not a size (examples: 512, 512M, 2G)");
        }
    }

    /** Parses an integer in C syntax (0x hex, leading 0 octal, decimal). */
    static long parseInt(String option, String text) {
        try {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.startsWith("0x")) return Long.parseLong(t.substring(2), 16);
            if (t.length() > 1 && t.startsWith("0")) return Long.parseLong(t.substring(1), 8);
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a number");
        }
    }
}
