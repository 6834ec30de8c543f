package dev.jvirt.cpu.conformance;

import java.util.Map;

/**
 * Where the 80286 that captured the vectors behaves differently from the i686-class CPU this
 * interpreter models, and which behaviour the interpreter follows. Only entries where the model
 * deliberately keeps the later behaviour are masked in the comparison; everything else follows the
 * 286 vectors exactly.
 *
 * <table>
 * <tr><th>Form</th><th>80286</th><th>i686 (followed)</th></tr>
 * <tr><td>9D POPF, CF IRET</td><td>real mode: IOPL and NT (bits 12-14) and bit 15 always 0</td>
 *     <td>real mode runs at CPL 0, POPF/IRET load IOPL and NT; software (CPU detection) relies on it,
 *     so bits 12-15 are not compared</td></tr>
 * </table>
 */
public final class Cpu286Differences {
    private static final Map<String, Integer> FLAGS_IGNORED = Map.of(
            "9D", 0xF000,
            "CF", 0xF000);

    private Cpu286Differences() { }

    /** FLAGS bits not compared for a form because the i686 behaviour is kept on purpose. */
    public static int flagsIgnored(String form) {
        return FLAGS_IGNORED.getOrDefault(form, 0);
    }
}
