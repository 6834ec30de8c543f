package dev.jvirt.cpu.oracle;

import dev.jvirt.cpu.CpuFeature;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static dev.jvirt.cpu.CpuFeature.*;

/**
 * The forms of the 64-bit oracle, one table line each: {@code mnemonic | operands | encoding}, with the CPUID
 * feature of the group. Operands use the SDM opcode map's letters: G (ModRM.reg GPR), V (XMM), P (MMX) in
 * ModRM.reg; E (GPR or memory), R (GPR register only), M (memory only), W (XMM or memory), U (XMM register),
 * Q (MMX or memory), N (MMX register) in ModRM.rm; Z a register in the opcode's low bits; sizes b w d q, and v
 * for each of 16 (66), 32 and 64 (REX.W) bits. Encoding: legacy prefixes, {@code W} for REX.W, the opcode,
 * {@code /r} or {@code /digit}, {@code +r}, and an immediate ib iw id iz (2 or 4 by size) iv (2, 4 or 8).
 * A form with E/W/Q yields a register and a memory variant; memory forms of the SDM's LOCK list also a LOCK one.
 */
final class Forms64 {
    private Forms64() { }

    private static List<Form64> all;

    static synchronized List<Form64> all() {
        if (all == null) all = build();
        return all;
    }

    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    private static List<Form64> build() {
        List<Form64> l = new ArrayList<>();
        integer(l);
        strings(l);
        stack(l);
        newerInteger(l);
        Simd64.add(l);
        locked(l);
        return l;
    }

    private static void integer(List<Form64> l) {
        for (int i = 0; i < 8; i++) {
            String m = ALU[i];
            int b = 8 * i;
            add(l, null, m, "Eb,Gb", hex(b) + " /r");
            add(l, null, m, "Ev,Gv", hex(b + 1) + " /r");
            add(l, null, m, "Gb,Eb", hex(b + 2) + " /r");
            add(l, null, m, "Gv,Ev", hex(b + 3) + " /r");
            add(l, null, m, "AL,Ib", hex(b + 4) + " ib");
            add(l, null, m, "rAXv,Iz", hex(b + 5) + " iz");
            add(l, null, m, "Eb,Ib", "80 /" + i + " ib");
            add(l, null, m, "Ev,Iz", "81 /" + i + " iz");
            add(l, null, m, "Ev,Ib", "83 /" + i + " ib");
        }
        add(l, null, "test", "Eb,Gb", "84 /r");
        add(l, null, "test", "Ev,Gv", "85 /r");
        add(l, null, "test", "AL,Ib", "A8 ib");
        add(l, null, "test", "rAXv,Iz", "A9 iz");
        add(l, null, "test", "Eb,Ib", "F6 /0 ib");
        add(l, null, "test", "Ev,Iz", "F7 /0 iz");
        String[] grp3 = {null, null, "not", "neg", "mul", "imul", "div", "idiv"};
        for (int r = 2; r < 8; r++) {
            for (Form64 f : add(l, null, grp3[r], "Eb", "F6 /" + r)) if (r >= 6) divide(f, r == 7);
            for (Form64 f : add(l, null, grp3[r], "Ev", "F7 /" + r)) if (r >= 6) divide(f, r == 7);
            if (r >= 4) for (Form64 f : l.subList(l.size() - 8, l.size())) f.implicit |= 1 | 4;
        }
        add(l, null, "inc", "Eb", "FE /0");
        add(l, null, "dec", "Eb", "FE /1");
        add(l, null, "inc", "Ev", "FF /0");
        add(l, null, "dec", "Ev", "FF /1");
        add(l, null, "imul", "Gv,Ev", "0F AF /r");
        add(l, null, "imul", "Gv,Ev,Iz", "69 /r iz");
        add(l, null, "imul", "Gv,Ev,Ib", "6B /r ib");
        for (int r = 0; r < 8; r++) {
            if (r == 6) continue; // /6 is not in the SDM's opcode map (SAL is /4)
            count(add(l, null, SHIFT[r], "Eb,1", "D0 /" + r), Form64.Count.ONE);
            count(add(l, null, SHIFT[r], "Ev,1", "D1 /" + r), Form64.Count.ONE);
            count(add(l, null, SHIFT[r], "Eb,CL", "D2 /" + r), Form64.Count.CL);
            count(add(l, null, SHIFT[r], "Ev,CL", "D3 /" + r), Form64.Count.CL);
            count(add(l, null, SHIFT[r], "Eb,Ib", "C0 /" + r + " ib"), Form64.Count.IMM8);
            count(add(l, null, SHIFT[r], "Ev,Ib", "C1 /" + r + " ib"), Form64.Count.IMM8);
        }
        count(add(l, null, "shld", "Ev,Gv,Ib", "0F A4 /r ib"), Form64.Count.IMM8);
        count(add(l, null, "shld", "Ev,Gv,CL", "0F A5 /r"), Form64.Count.CL);
        count(add(l, null, "shrd", "Ev,Gv,Ib", "0F AC /r ib"), Form64.Count.IMM8);
        count(add(l, null, "shrd", "Ev,Gv,CL", "0F AD /r"), Form64.Count.CL);
        String[] bt = {"bt", "bts", "btr", "btc"};
        String[] btOp = {"A3", "AB", "B3", "BB"};
        for (int i = 0; i < 4; i++) {
            for (Form64 f : add(l, null, bt[i], "Ev,Gv", "0F " + btOp[i] + " /r")) {
                // A register bit offset addresses a bit string beyond the operand; keep it within the buffer.
                if (f.mem) f.tweak = (c, r) -> c.setGpr(c.reg, f.regBits, r.nextInt(4096) - 2048);
            }
            add(l, null, bt[i], "Ev,Ib", "0F BA /" + (4 + i) + " ib");
        }
        for (String[] b : new String[][] {{"bsf", "BC"}, {"bsr", "BD"}}) {
            for (Form64 f : add(l, null, b[0], "Gv,Ev", "0F " + b[1] + " /r")) {
                f.tweak = (c, r) -> {
                    if (r.nextInt(8) == 0) c.setRm(f.rmBits, 0);
                };
                // SDM BSF/BSR: "If the content of the source operand is 0, the content of the destination operand is undefined."
                f.destUndefined = c -> c.rmValue(f.rmBits) == 0;
            }
        }
        add(l, null, "bswap", "Zd", "0F C8+r");
        add(l, null, "bswap", "Zq", "W 0F C8+r");
        for (Form64 f : add(l, CX8, "cmpxchg8b", "Mq", "0F C7 /1")) cmpxchgDouble(f, 32);
        for (Form64 f : add(l, CX16, "cmpxchg16b", "Mdq", "W 0F C7 /1")) cmpxchgDouble(f, 64);
        add(l, null, "xadd", "Eb,Gb", "0F C0 /r");
        add(l, null, "xadd", "Ev,Gv", "0F C1 /r");
        for (Form64 f : add(l, null, "cmpxchg", "Eb,Gb", "0F B0 /r")) cmpxchg(f);
        for (Form64 f : add(l, null, "cmpxchg", "Ev,Gv", "0F B1 /r")) cmpxchg(f);
        for (int cc = 0; cc < 16; cc++) {
            add(l, null, "set" + CC[cc], "Eb", "0F " + hex(0x90 + cc) + " /0");
            add(l, null, "cmov" + CC[cc], "Gv,Ev", "0F " + hex(0x40 + cc) + " /r");
        }
        add(l, null, "movzx", "Gv,Eb", "0F B6 /r");
        add(l, null, "movzx", "Gv,Ew", "0F B7 /r");
        add(l, null, "movsx", "Gv,Eb", "0F BE /r");
        add(l, null, "movsx", "Gv,Ew", "0F BF /r");
        add(l, null, "movsxd", "Gq,Ed", "W 63 /r");
        add(l, null, "movsxd", "Gd,Ed", "63 /r");
        add(l, null, "lea", "Gv,M", "8D /r");
        add(l, null, "nop", "Ev", "0F 1F /0");
        add(l, null, "xchg", "Eb,Gb", "86 /r");
        add(l, null, "xchg", "Ev,Gv", "87 /r");
        for (Form64 f : add(l, null, "xchg", "Zv,rAXv", "90+r")) f.valid = c -> c.rm != 0; // 90 is NOP
        add(l, null, "mov", "Eb,Gb", "88 /r");
        add(l, null, "mov", "Ev,Gv", "89 /r");
        add(l, null, "mov", "Gb,Eb", "8A /r");
        add(l, null, "mov", "Gv,Ev", "8B /r");
        add(l, null, "mov", "Eb,Ib", "C6 /0 ib");
        add(l, null, "mov", "Ev,Iz", "C7 /0 iz");
        add(l, null, "mov", "Zb,Ib", "B0+r ib");
        add(l, null, "mov", "Zv,Iv", "B8+r iv");
        add(l, null, "cbw/cwde/cdqe", "rAXv", "98");
        add(l, null, "cwd/cdq/cqo", "rAXv", "99");
        add(l, LAHF_LM, "sahf", "", "9E");
        add(l, LAHF_LM, "lahf", "", "9F");
        for (String[] m : new String[][] {{"cmc", "F5"}, {"clc", "F8"}, {"stc", "F9"}, {"cld", "FC"}, {"std", "FD"}}) add(l, null, m[0], "", m[1]);
        for (Form64 f : add(l, null, "xlat", "", "D7")) {
            f.implicit = 1 | 8;
            f.tweak = (c, r) -> c.in.gpr[3] = c.scratch + r.nextInt(Form64.BUFFER - 256);
        }
    }

    /** MOVS CMPS STOS LODS SCAS, plain, REP/REPE (F3) and REPNE (F2, compares only), 8 and 16/32/64 bits, both directions. */
    private static void strings(List<Form64> l) {
        String[][] ops = {{"A4", "movs"}, {"A6", "cmps"}, {"AA", "stos"}, {"AC", "lods"}, {"AE", "scas"}};
        for (String[] op : ops) {
            boolean compares = op[1].equals("cmps") || op[1].equals("scas");
            for (String rep : compares ? new String[] {"", "F3 ", "F2 "} : new String[] {"", "F3 "}) {
                String mn = (rep.isEmpty() ? "" : rep.equals("F2 ") ? "repne " : compares ? "repe " : "rep ") + op[1];
                List<Form64> fs = new ArrayList<>(add(l, null, mn, "Xb", rep + op[0]));
                fs.addAll(add(l, null, mn, "Xv", rep + hex(Integer.parseInt(op[0], 16) + 1)));
                for (Form64 f : fs) {
                    f.implicit = 1 | 2 | 1 << 6 | 1 << 7;
                    f.tweak = (c, r) -> {
                        c.in.gpr[6] = c.scratch + 128 + r.nextInt(Form64.BUFFER - 256);
                        c.in.gpr[7] = c.scratch + 128 + r.nextInt(Form64.BUFFER - 256);
                        c.in.gpr[1] = r.nextInt(10);
                        if (compares && r.nextBoolean()) {
                            // Runs of equal bytes so that REPE/REPNE stop for both reasons.
                            for (int i = 0; i < Form64.BUFFER; i++) c.buf[i] = (byte) (r.nextInt(8) == 0 ? 1 : 0);
                            c.in.gpr[0] &= r.nextBoolean() ? 0 : 0x0101_0101_0101_0101L;
                        }
                    };
                }
            }
        }
    }

    /** PUSH/POP (default 64-bit operand size, 16 with 66), PUSHF/POPF, LEAVE: RSP points into the compared buffer. */
    private static void stack(List<Form64> l) {
        add(l, null, "push", "Zs", "50+r");
        add(l, null, "pop", "Zs", "58+r");
        add(l, null, "push", "Es", "FF /6");
        add(l, null, "pop", "Es", "8F /0");
        add(l, null, "push", "Ib", "6A ib");
        add(l, null, "push", "Iz", "68 id");
        add(l, null, "push", "Iw", "66 68 iw");
        add(l, null, "pushf", "s", "9C");
        for (Form64 f : add(l, null, "popf", "s", "9D")) {
            // Only the flags the native side may load: TF would trap and AC would fault at CPL 3.
            f.tweak = (c, r) -> {
                long v = 2 | (Values.value(r) & NativeExecutor.LOADABLE_FLAGS);
                long sp = c.in.gpr[Form64.RSP] - c.scratch;
                for (int i = 0; i < 8; i++) c.buf[(int) sp + i] = (byte) (v >>> 8 * i);
            };
        }
        for (Form64 f : add(l, null, "leave", "", "C9")) {
            f.implicit = 1 << 5;
            f.tweak = (c, r) -> c.in.gpr[5] = c.scratch + Form64.STACK_AT - 64 + 8 * r.nextInt(16);
        }
    }

    private static void newerInteger(List<Form64> l) {
        add(l, MOVBE, "movbe", "Gv,M", "0F 38 F0 /r");
        add(l, MOVBE, "movbe", "M,Gv", "0F 38 F1 /r");
        add(l, POPCNT, "popcnt", "Gv,Ev", "F3 0F B8 /r");
        add(l, ABM, "lzcnt", "Gv,Ev", "F3 0F BD /r");
        add(l, BMI1, "tzcnt", "Gv,Ev", "F3 0F BC /r");
        add(l, SSE4_2, "crc32", "Gd,Eb", "F2 0F 38 F0 /r");
        add(l, SSE4_2, "crc32", "Gq,Eb", "F2 W 0F 38 F0 /r");
        add(l, SSE4_2, "crc32", "Gd,Ew", "66 F2 0F 38 F1 /r");
        add(l, SSE4_2, "crc32", "Gd,Ed", "F2 0F 38 F1 /r");
        add(l, SSE4_2, "crc32", "Gq,Eq", "F2 W 0F 38 F1 /r");
    }

    /** LOCK-prefixed memory-destination forms of the SDM's LOCK list (behave as without LOCK). */
    private static void locked(List<Form64> l) {
        List<Form64> extra = new ArrayList<>();
        for (Form64 f : l) {
            if (!f.mem || f.feature != null && f.feature != CX8 && f.feature != CX16) continue;
            boolean destMem = f.name.contains(" E") || f.name.contains(" M");
            boolean ok = switch (f.mnemonic) {
                case "add", "or", "adc", "sbb", "and", "sub", "xor", "not", "neg", "inc", "dec", "xadd", "cmpxchg", "xchg",
                     "bts", "btr", "btc", "cmpxchg8b", "cmpxchg16b" -> destMem && !f.name.contains(",E");
                default -> false;
            };
            if (!ok) continue;
            byte[] p = new byte[f.prefixes.length + 1];
            p[0] = (byte) 0xF0;
            System.arraycopy(f.prefixes, 0, p, 1, f.prefixes.length);
            Form64 g = new Form64(f.mnemonic, "lock " + f.name, f.key, f.feature, p, f.rexW, f.opcode, f.ext, f.regKind, f.regBits,
                    f.rmKind, f.rmBits, true, f.plusReg, f.immBytes, f.bits);
            g.tweak = f.tweak;
            g.valid = f.valid;
            g.implicit = f.implicit;
            extra.add(g);
        }
        l.addAll(extra);
    }

    private static void count(List<Form64> fs, Form64.Count c) {
        for (Form64 f : fs) {
            f.count = c;
            if (c == Form64.Count.CL) f.implicit |= 2;
        }
    }

    private static void cmpxchg(Form64 f) {
        f.implicit |= 1;
        f.tweak = (c, r) -> {
            if (r.nextBoolean()) c.setGpr(0, f.rmBits, c.rmValue(f.rmBits));
        };
    }

    private static void cmpxchgDouble(Form64 f, int half) {
        f.implicit |= 1 | 2 | 4 | 8;
        f.tweak = (c, r) -> {
            if (r.nextBoolean()) {
                long lo = c.memory(64), hi = 0;
                for (int i = 15; i >= 8; i--) hi = hi << 8 | (c.buf[Form64.OPERAND_AT + i] & 0xFF);
                if (half == 32) {
                    c.in.gpr[0] = lo & 0xFFFF_FFFFL;
                    c.in.gpr[2] = lo >>> 32;
                } else {
                    c.in.gpr[0] = lo;
                    c.in.gpr[2] = hi;
                }
            }
        };
    }

    private static void divide(Form64 f, boolean signed) {
        int bits = f.rmBits;
        f.tweak = (c, r) -> {
            // Mostly a dividend whose high half is 0 or the sign of the low half, so the quotient fits.
            int pick = r.nextInt(4);
            if (pick == 3) return;
            long lowSign = bits == 8 ? (c.in.gpr[0] >>> 7) & 1 : (c.gpr(0, bits) >>> (bits - 1)) & 1;
            long high = signed && pick == 1 && lowSign != 0 ? -1 : 0;
            if (bits == 8) c.in.gpr[0] = (c.in.gpr[0] & ~0xFF00L) | (high & 0xFF) << 8;
            else c.setGpr(2, bits, high);
        };
        f.valid = c -> !divideFaults(c, bits, signed);
    }

    /** Whether DIV/IDIV with these inputs raises #DE (divisor 0 or quotient too large), SDM DIV/IDIV. */
    static boolean divideFaults(Case64 c, int bits, boolean signed) {
        BigInteger divisor = big(c.rmValue(bits), bits, signed);
        if (divisor.signum() == 0) return true;
        BigInteger dividend;
        if (bits == 8) {
            dividend = big(c.in.gpr[0] & 0xFFFF, 16, signed);
        } else {
            BigInteger hi = BigInteger.valueOf(c.gpr(2, bits)).and(mask(bits));
            BigInteger lo = BigInteger.valueOf(c.gpr(0, bits)).and(mask(bits));
            dividend = hi.shiftLeft(bits).or(lo);
            if (signed && dividend.testBit(2 * bits - 1)) dividend = dividend.subtract(BigInteger.ONE.shiftLeft(2 * bits));
        }
        BigInteger q = dividend.divide(divisor);
        BigInteger min = signed ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = signed ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE) : mask(bits);
        return q.compareTo(min) < 0 || q.compareTo(max) > 0;
    }

    private static BigInteger mask(int bits) { return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE); }

    private static BigInteger big(long v, int bits, boolean signed) {
        BigInteger b = BigInteger.valueOf(v).and(mask(bits));
        return signed && b.testBit(bits - 1) ? b.subtract(BigInteger.ONE.shiftLeft(bits)) : b;
    }

    static String hex(int v) { return String.format("%02X", v); }

    // =====================================================================================
    // The table line parser
    // =====================================================================================

    /**
     * Adds the forms of one table line: per operand size when an operand has size v (16, 32, 64) or s
     * (16 and the default 64 of stack operations), and a register and a memory variant for E, W and Q.
     */
    static List<Form64> add(List<Form64> l, CpuFeature feature, String mnemonic, String operands, String encoding) {
        List<Form64> added = new ArrayList<>();
        boolean v = operands.matches(".*[A-Za-z]v\\b.*|^v$|.*,v$") || operands.contains("rAXv") || operands.contains("Xv");
        boolean s = operands.matches("(Z|E)?s");
        int[] sizes = v ? new int[] {16, 32, 64} : s ? new int[] {16, 64} : new int[] {0};
        String[] ops = operands.isEmpty() ? new String[0] : operands.split(",");
        String rmOp = null, regOp = null;
        for (String o : ops) {
            char k = o.charAt(0);
            if ("GVP".indexOf(k) >= 0 && o.length() <= 2) regOp = o;
            else if ("ERMWUQNZ".indexOf(k) >= 0 && o.length() <= 3) rmOp = o;
        }
        for (int size : sizes) {
            boolean hasMemVariant = rmOp != null && "EWQ".indexOf(rmOp.charAt(0)) >= 0;
            boolean memOnly = rmOp != null && rmOp.charAt(0) == 'M';
            for (int variant = 0; variant < (hasMemVariant ? 2 : 1); variant++) {
                boolean mem = memOnly || variant == 1;
                added.add(form(feature, mnemonic, operands, encoding, size, regOp, rmOp, mem, hasMemVariant));
            }
        }
        l.addAll(added);
        return added;
    }

    private static int sizeOf(String op, int size) {
        if (op == null || op.length() < 2) return size == 0 ? 32 : size;
        return switch (op.substring(1)) {
            case "b" -> 8;
            case "w" -> 16;
            case "d" -> 32;
            case "q" -> 64;
            case "dq" -> 128;
            default -> size == 0 ? 32 : size;
        };
    }

    private static Form64 form(CpuFeature feature, String mnemonic, String operands, String encoding, int size, String regOp,
                               String rmOp, boolean mem, boolean bothVariants) {
        List<Byte> prefixes = new ArrayList<>(), opcode = new ArrayList<>();
        boolean rexW = size == 64 && !operands.matches(".*s\\b.*|^s$"), plusReg = false;
        int ext = -2, imm = 0;
        if (size == 16) prefixes.add((byte) 0x66);
        for (String t : encoding.split(" ")) {
            if (t.equals("W")) rexW = true;
            else if (t.equals("/r")) ext = -1;
            else if (t.startsWith("/")) ext = t.charAt(1) - '0';
            else if (t.equals("ib")) imm = 1;
            else if (t.equals("iw")) imm = 2;
            else if (t.equals("id")) imm = 4;
            else if (t.equals("iz")) imm = size == 16 ? 2 : 4;
            else if (t.equals("iv")) imm = size / 8;
            else if (t.endsWith("+r")) {
                plusReg = true;
                opcode.add((byte) Integer.parseInt(t.substring(0, 2), 16));
            } else {
                byte b = (byte) Integer.parseInt(t, 16);
                boolean prefix = opcode.isEmpty() && (b == 0x66 || b == (byte) 0xF2 || b == (byte) 0xF3 || b == (byte) 0xF0);
                (prefix ? prefixes : opcode).add(b);
            }
        }
        Form64.Kind regKind = Form64.Kind.NONE, rmKind = Form64.Kind.NONE;
        if (regOp != null) regKind = regOp.charAt(0) == 'G' ? Form64.Kind.GPR : regOp.charAt(0) == 'V' ? Form64.Kind.XMM : Form64.Kind.MMX;
        if (rmOp != null) rmKind = switch (rmOp.charAt(0)) {
            case 'W', 'U' -> Form64.Kind.XMM;
            case 'Q', 'N' -> Form64.Kind.MMX;
            default -> Form64.Kind.GPR;
        };
        int regBits = regKind == Form64.Kind.GPR ? sizeOf(regOp, size) : 0;
        int rmBits = rmKind == Form64.Kind.GPR ? sizeOf(rmOp, size) : 0;
        int bits = rmBits > 0 && rmBits <= 64 ? rmBits : regBits > 0 ? regBits : size == 0 ? sizeOfImplicit(operands) : size;
        StringBuilder key = new StringBuilder();
        for (byte b : prefixes) if (b == (byte) 0xF3 && feature != null) key.append("F3");
        for (byte b : opcode) key.append(String.format("%02X", b));
        if (ext >= 0) key.append('.').append(ext);
        StringBuilder enc = new StringBuilder();
        for (byte b : prefixes) enc.append(String.format("%02X ", b));
        if (rexW) enc.append("W ");
        for (byte b : opcode) enc.append(String.format("%02X ", b));
        String shown = operands.replace("v", size == 0 ? "v" : size == 16 ? "w" : size == 32 ? "d" : "q");
        if (operands.matches(".*s\\b.*|^s$")) shown = operands.replaceAll("s\\b", size == 16 ? "w" : "q");
        String name = mnemonic + (shown.isEmpty() ? "" : " " + shown) + " [" + enc.toString().trim() + (plusReg ? "+r" : "")
                + (ext >= 0 ? " /" + ext : ext == -1 ? " /r" : "") + "]" + (bothVariants ? (mem ? " mem" : " reg") : "");
        byte[] pre = new byte[prefixes.size()], op = new byte[opcode.size()];
        for (int i = 0; i < pre.length; i++) pre[i] = prefixes.get(i);
        for (int i = 0; i < op.length; i++) op[i] = opcode.get(i);
        if (plusReg) rmBits = sizeOf(rmOp, size);
        return new Form64(mnemonic, name, key.toString(), feature, pre, rexW, op, ext, regKind, regBits, rmKind, rmBits, mem, plusReg, imm,
                bits);
    }

    private static int sizeOfImplicit(String operands) {
        return operands.startsWith("AL") || operands.equals("Xb") ? 8 : 32;
    }
}
