package dev.jvirt.cpu.conformance;

import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder;

import java.util.Map;

/**
 * Where the 80286 that captured the vectors behaves differently from the i686-class CPU this
 * interpreter models, and which behaviour the interpreter follows. Everything not listed here
 * follows the 286 vectors exactly (e.g. PUSH SP pushes the old SP, shift counts are masked to 5 bits,
 * real-mode PUSHF pushes bits 12-15 as they are, i.e. clear).
 *
 * <table>
 * <caption>80286 vs i686</caption>
 * <tr><th>Case</th><th>80286</th><th>i686 (followed)</th><th>Comparison</th></tr>
 * <tr><td>POPF (9D), IRET (CF)</td><td>real mode: IOPL, NT and bit 15 always 0</td>
 *     <td>real mode is CPL 0: POPF/IRET load IOPL and NT; 386-detection code relies on it</td>
 *     <td>FLAGS bits 12-15 not compared</td></tr>
 * <tr><td>LOCK on a non-lockable instruction</td><td>prefix ignored</td>
 *     <td>#UD (SDM Vol. 2 LOCK)</td><td>vector skipped</td></tr>
 * <tr><td>instruction longer than 10 bytes (redundant prefixes)</td><td>#GP</td>
 *     <td>limit is 15 bytes (SDM Vol. 2 2.3.11)</td><td>vector skipped</td></tr>
 * <tr><td>MOV Sreg with ModRM.reg 4/5 (8C, 8E)</td><td>no FS/GS: #UD</td><td>FS/GS</td>
 *     <td>vector skipped</td></tr>
 * <tr><td>string instruction faulting on a segment-limit overrun</td>
 *     <td>SI/DI already advanced when #GP is taken</td><td>fault leaves SI/DI unchanged (restartable)</td>
 *     <td>SI, DI, CX not compared for those vectors</td></tr>
 * <tr><td>real-mode SS-relative access past the segment limit</td><td>#GP (13)</td>
 *     <td>#SS (12), SDM Vol. 2 real-address-mode exceptions</td><td>vector skipped when the interpreter raised #SS</td></tr>
 * </table>
 */
public final class Cpu286Differences {
    private static final Map<String, Integer> FLAGS_IGNORED = Map.of(
            "9D", 0xF000,
            "CF", 0xF000);
    private static final int CX = 2, SI = 10, DI = 11;

    private Cpu286Differences() { }

    /** FLAGS bits not compared for a form because the i686 behaviour is kept on purpose. */
    public static int flagsIgnored(String form) {
        return FLAGS_IGNORED.getOrDefault(form, 0);
    }

    /** Registers (bit i = MooFile.REG_NAMES[i]) not compared for this vector. */
    public static int registersIgnored(String form, MooFile.Vector v) {
        if (v.exception() == 13 && isString(decode(v.bytes()).op)) return 1 << SI | 1 << DI | 1 << CX;
        return 0;
    }

    /** Why a vector exercises only 286-specific behaviour, or null to run it. */
    public static String skipReason(MooFile.Vector v) {
        DecodedInsn d = decode(v.bytes());
        if (d.lock && !X86Cpu.lockAllowed(d)) return "LOCK on a non-lockable instruction";
        if (v.bytes().length > 10 && v.exception() == 13) return "286 10-byte instruction limit";
        if ((d.op == 0x8C || d.op == 0x8E) && (d.reg == 4 || d.reg == 5)) return "no FS/GS on the 286";
        return null;
    }

    private static boolean isString(int op) {
        return (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) || (op >= 0x6C && op <= 0x6F);
    }

    private static DecodedInsn decode(byte[] bytes) {
        DecodedInsn d = new DecodedInsn();
        Decoder.decode(i -> i < bytes.length ? bytes[i] & 0xFF : 0xF4, d, false);
        return d;
    }
}
