package dev.jvirt.cpu;

import static dev.jvirt.cpu.CpuState.*;

/**
 * 64-bit operand forms of shifts, rotates, multiply and divide (SDM Vol. 2: SAL/SAR/SHL/SHR, ROL/ROR/RCL/RCR,
 * MUL, IMUL, DIV, IDIV), with the flags of {@link Alu}'s narrower forms. Shift counts are masked to 6 bits.
 */
final class Alu64 {
    private final CpuState s;

    Alu64(CpuState s) { this.s = s; }

    private static long szp(long r) { return Alu.szp(r, 8); }

    long shift(int op, long a, int count) {
        count &= 0x3F;
        if (count == 0) return a;
        long r, f = s.rflags;
        switch (op) {
            case 0 -> {
                r = Long.rotateLeft(a, count);
                f = (f & ~(FLAG_CF | FLAG_OF)) | (r & 1);
                if (((r >>> 63) ^ r & 1) != 0) f |= FLAG_OF;
            }
            case 1 -> {
                r = Long.rotateRight(a, count);
                f = (f & ~(FLAG_CF | FLAG_OF)) | (r >>> 63);
                if (((r >>> 63) ^ (r >>> 62) & 1) != 0) f |= FLAG_OF;
            }
            case 2 -> {
                long cf = f & 1;
                r = a;
                for (int k = 0; k < count; k++) {
                    long out = r >>> 63;
                    r = r << 1 | cf;
                    cf = out;
                }
                f = (f & ~(FLAG_CF | FLAG_OF)) | cf;
                if (((r >>> 63) ^ cf) != 0) f |= FLAG_OF;
            }
            case 3 -> {
                long cf = f & 1;
                long of = (a >>> 63) ^ cf;
                r = a;
                for (int k = 0; k < count; k++) {
                    long out = r & 1;
                    r = r >>> 1 | cf << 63;
                    cf = out;
                }
                f = (f & ~(FLAG_CF | FLAG_OF)) | cf;
                if (count == 1 ? of != 0 : ((r >>> 63) ^ (r >>> 62) & 1) != 0) f |= FLAG_OF;
            }
            case 4, 6 -> {
                r = a << count;
                long cf = (a >>> (64 - count)) & 1;
                f = (f & ~Alu.ARITH) | szp(r) | cf;
                if (((r >>> 63) ^ cf) != 0) f |= FLAG_OF;
            }
            case 5 -> {
                r = a >>> count;
                f = (f & ~Alu.ARITH) | szp(r) | (a >>> (count - 1)) & 1;
                if (a < 0 && count == 1) f |= FLAG_OF;
            }
            default -> {
                r = a >> count;
                f = (f & ~Alu.ARITH) | szp(r) | (a >> (count - 1)) & 1;
            }
        }
        s.rflags = f | 2;
        return r;
    }

    /** MUL/IMUL RDX:RAX = RAX * src. */
    void mul(long src, boolean signed) {
        long a = s.gpr[RAX];
        long lo = a * src;
        long hi = signed ? Math.multiplyHigh(a, src) : Math.unsignedMultiplyHigh(a, src);
        boolean ovf = signed ? hi != (lo >> 63) : hi != 0;
        s.gpr[RAX] = lo;
        s.gpr[RDX] = hi;
        s.rflags = (s.rflags & ~Alu.ARITH) | szp(lo) | (ovf ? FLAG_CF | FLAG_OF : 0);
    }

    /** IMUL r64, r/m64 [, imm]: the low 64 bits; CF=OF when the full product does not fit. */
    long imul(long a, long b) {
        long lo = a * b;
        boolean ovf = Math.multiplyHigh(a, b) != (lo >> 63);
        s.rflags = (s.rflags & ~Alu.ARITH) | szp(lo) | (ovf ? FLAG_CF | FLAG_OF : 0);
        return lo;
    }

    /** DIV/IDIV RDX:RAX by {@code divisor}; returns false for #DE (zero divisor or quotient overflow). */
    boolean div(long divisor, boolean signed) {
        if (divisor == 0) return false;
        long hi = s.gpr[RDX], lo = s.gpr[RAX];
        boolean neg = false, negDivisor = false;
        if (signed) {
            if (hi < 0) { // negate the 128-bit dividend
                neg = true;
                lo = -lo;
                hi = ~hi + (lo == 0 ? 1 : 0);
            }
            if (divisor < 0) { negDivisor = true; divisor = -divisor; }
        }
        if (Long.compareUnsigned(hi, divisor) >= 0) return false; // the quotient needs more than 64 bits
        long q = 0, rem = hi;
        for (int i = 63; i >= 0; i--) { // restoring division of rem:lo by divisor, one bit at a time
            boolean carry = rem < 0;
            rem = rem << 1 | (lo >>> i) & 1;
            q <<= 1;
            if (carry || Long.compareUnsigned(rem, divisor) >= 0) {
                rem -= divisor;
                q |= 1;
            }
        }
        if (signed) {
            boolean qNeg = neg != negDivisor;
            if (qNeg ? Long.compareUnsigned(q, Long.MIN_VALUE) > 0 : q < 0) return false;
            q = qNeg ? -q : q;
            rem = neg ? -rem : rem;
        }
        s.gpr[RAX] = q;
        s.gpr[RDX] = rem;
        return true;
    }
}
