package dev.jvirt.cpu.conformance;

import java.util.HashMap;
import java.util.Map;

/**
 * The ONE table of EFLAGS bits that the Intel SDM (Vol. 2, each instruction's "Flags Affected")
 * documents as undefined after an instruction; conformance comparisons ignore exactly these.
 * Keys are test forms: "OP" for a whole opcode, "OP.R" for a group opcode's ModRM.reg.
 */
public final class UndefinedFlags {
    static final int CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

    private static final Map<String, Integer> TABLE = new HashMap<>();

    private static void put(int mask, String... forms) {
        for (String f : forms) TABLE.put(f, mask);
    }

    static {
        // AND/OR/XOR/TEST: "The state of the AF flag is undefined."
        put(AF, "08", "09", "0A", "0B", "0C", "0D", "20", "21", "22", "23", "24", "25", "30", "31", "32", "33", "34", "35",
                "84", "85", "A8", "A9", "F6.0", "F6.1", "F7.0", "F7.1");
        for (String g : new String[] {"80", "81", "82", "83"}) put(AF, g + ".1", g + ".4", g + ".6");
        // DAA/DAS: "The OF flag is undefined."
        put(OF, "27", "2F");
        // AAA/AAS: "The OF, SF, ZF, and PF flags are undefined."
        put(OF | SF | ZF | PF, "37", "3F");
        // AAM/AAD: "The OF, AF, and CF flags are undefined."
        put(OF | AF | CF, "D4", "D5");
        // MUL/IMUL: "The SF, ZF, AF, and PF flags are undefined."
        put(SF | ZF | AF | PF, "F6.4", "F6.5", "F7.4", "F7.5", "69", "6B", "0FAF");
        // DIV/IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined."
        put(CF | OF | SF | ZF | AF | PF, "F6.6", "F6.7", "F7.6", "F7.7");
        // BT/BTS/BTR/BTC: "The OF, SF, AF, and PF flags are undefined."
        put(OF | SF | AF | PF, "0FA3", "0FAB", "0FB3", "0FBB", "0FBA.4", "0FBA.5", "0FBA.6", "0FBA.7");
        // BSF/BSR: "The CF, OF, SF, AF, and PF flags are undefined."
        put(CF | OF | SF | AF | PF, "0FBC", "0FBD");
        // LZCNT/TZCNT (F3-prefixed 0FBD/0FBC): "ZF and CF flags are modified ... The OF, SF, PF and AF flags are undefined."
        put(OF | SF | PF | AF, "F30FBC", "F30FBD");
    }

    private UndefinedFlags() { }

    /**
     * The undefined bits for a form. Shifts and rotates depend on the masked count (SDM SAL/SAR/SHL/SHR,
     * RCL/RCR/ROL/ROR): OF is undefined unless the count is 1, and after a shift by a non-zero count AF
     * is undefined; with a zero count no flag changes.
     */
    public static int mask(String form, int shiftCount) {
        Integer m = TABLE.get(form);
        if (m != null) return m;
        int dot = form.indexOf('.');
        if (dot > 0) {
            String op = form.substring(0, dot);
            int reg = form.charAt(dot + 1) - '0';
            if (op.equals("C0") || op.equals("C1") || op.equals("D0") || op.equals("D1") || op.equals("D2") || op.equals("D3")) {
                int c = shiftCount & 0x1F;
                if (c == 0) return 0;
                int r = c == 1 ? 0 : OF;
                if (reg >= 4) r |= AF;
                return r;
            }
        }
        return 0;
    }

    /**
     * The undefined bits for a form executed with {@code operandBits}-bit operands (8, 16, 32), for
     * the 386+ forms as well, and 64 (REX.W); {@code count} is the shift count as encoded, masked here as the
     * CPU masks it: to 6 bits with a 64-bit operand, else to 5 bits (SDM SAL/SAR/SHL/SHR, SHLD, SHRD).
     * Beyond {@link #mask(String, int)}:
     * <ul>
     * <li>SHL/SHR (C0-D3 /4 /5 /6): "[CF] is undefined for SHL and SHR instructions where the count is
     *     greater than or equal to the size (in bits) of the destination operand" (SDM SAL/SAR/SHL/SHR).
     * <li>SHLD/SHRD (0FA4 0FA5 0FAC 0FAD): "If the count operand is 0, the flags are not affected";
     *     "If a shift occurs, the AF flag is undefined"; "For shifts greater than 1 bit, the OF flag is
     *     undefined"; "If the count is greater than the operand size, the flags are undefined"
     *     (SDM SHLD, SHRD), i.e. all six arithmetic flags.
     * </ul>
     */
    public static int mask(String form, int count, int operandBits) {
        int c = count & (operandBits == 64 ? 0x3F : 0x1F);
        switch (form) {
            case "0FA4", "0FA5", "0FAC", "0FAD" -> {
                if (c == 0) return 0;
                if (c > operandBits) return CF | PF | AF | ZF | SF | OF;
                return c == 1 ? AF : AF | OF;
            }
            default -> { }
        }
        int m = isShiftGroup(form) ? mask(form, c == 0 ? 0 : c == 1 ? 1 : 2) : mask(form, count);
        if (c >= operandBits && isShiftGroup(form) && (form.endsWith(".4") || form.endsWith(".5") || form.endsWith(".6"))) {
            m |= CF;
        }
        return m;
    }

    /**
     * Whether the destination itself is undefined: SHLD/SHRD "If the count is greater than the operand
     * size, the result is undefined" (possible only with 16-bit operands, the count being masked to 5 bits).
     */
    public static boolean resultUndefined(String form, int count, int operandBits) {
        return switch (form) {
            case "0FA4", "0FA5", "0FAC", "0FAD" -> (count & (operandBits == 64 ? 0x3F : 0x1F)) > operandBits;
            default -> false;
        };
    }

    private static boolean isShiftGroup(String form) {
        return form.length() == 4 && form.charAt(2) == '.'
                && switch (form.substring(0, 2)) {
                    case "C0", "C1", "D0", "D1", "D2", "D3" -> true;
                    default -> false;
                };
    }
}
