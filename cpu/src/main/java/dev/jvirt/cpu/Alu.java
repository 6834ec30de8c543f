package dev.jvirt.cpu;

import static dev.jvirt.cpu.CpuState.*;

/**
 * Integer arithmetic with its EFLAGS results, computed exactly at each instruction (SDM Vol. 1
 * Appendix A, Vol. 2 per instruction). Undefined flags get the values later Intel CPUs produce where
 * the conformance vectors pin them down; see conformance.UndefinedFlags for the list.
 */
final class Alu {
    private final CpuState s;

    Alu(CpuState s) {
        this.s = s;
    }

    private static long mask(int size) {
        return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFF_FFFFL;
    }

    private static long sext(long v, int size) {
        return size == 1 ? (byte) v : size == 2 ? (short) v : (int) v;
    }

    // =====================================================================================
    // Flags
    // =====================================================================================

    static final long ARITH = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;

    static long szp(long r, int size) {
        long f = 0;
        if (r == 0) f |= FLAG_ZF;
        if ((r & (1L << (size * 8 - 1))) != 0) f |= FLAG_SF;
        if ((Integer.bitCount((int) r & 0xFF) & 1) == 0) f |= FLAG_PF;
        return f;
    }

    boolean cf() { return (s.rflags & FLAG_CF) != 0; }

    void setFlags(long f, long which) { s.rflags = (s.rflags & ~which) | (f & which) | 2; }

    /** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP by the ModRM.reg / opcode-bits numbering. */
    long arith(int op, long a, long b, int size) {
        long m = mask(size);
        long sb = 1L << (size * 8 - 1);
        long r, f = 0;
        switch (op) {
            case 0, 2 -> {
                long c = op == 2 && cf() ? 1 : 0;
                r = a + b + c;
                if (r > m) f |= FLAG_CF;
                if (((a ^ r) & (b ^ r) & sb) != 0) f |= FLAG_OF;
                f |= (a ^ b ^ r) & FLAG_AF;
            }
            case 3, 5, 7 -> {
                long c = op == 3 && cf() ? 1 : 0;
                r = a - b - c;
                if (a < b + c) f |= FLAG_CF;
                if (((a ^ b) & (a ^ r) & sb) != 0) f |= FLAG_OF;
                f |= (a ^ b ^ r) & FLAG_AF;
            }
            case 1 -> r = a | b;
            case 4 -> r = a & b;
            default -> r = a ^ b;
        }
        r &= m;
        s.rflags = (s.rflags & ~ARITH) | f | szp(r, size);
        return r;
    }

    long incDec(long a, int size, boolean dec) {
        long m = mask(size), sb = 1L << (size * 8 - 1);
        long r = (dec ? a - 1 : a + 1) & m;
        long f = szp(r, size) | ((a ^ r) & FLAG_AF);
        if (dec ? a == sb : r == sb) f |= FLAG_OF;
        s.rflags = (s.rflags & ~(ARITH & ~FLAG_CF)) | f;
        return r;
    }

    boolean cond(int cc) {
        long f = s.rflags;
        boolean r = switch (cc >> 1) {
            case 0 -> (f & FLAG_OF) != 0;
            case 1 -> (f & FLAG_CF) != 0;
            case 2 -> (f & FLAG_ZF) != 0;
            case 3 -> (f & (FLAG_CF | FLAG_ZF)) != 0;
            case 4 -> (f & FLAG_SF) != 0;
            case 5 -> (f & FLAG_PF) != 0;
            case 6 -> ((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0);
            default -> (f & FLAG_ZF) != 0 || ((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0);
        };
        return r ^ ((cc & 1) != 0);
    }

    /** ROL ROR RCL RCR SHL SHR SAL SAR (ModRM.reg numbering); count already read. */
    long shift(int op, long a, int count, int size) {
        count &= 0x1F;
        if (count == 0) return a;
        int bits = size * 8;
        long m = mask(size), sb = 1L << (bits - 1);
        long r, f = s.rflags;
        switch (op) {
            case 0 -> { // ROL
                int c = count % bits;
                r = ((a << c) | (a >>> (bits - c))) & m;
                f = (f & ~(FLAG_CF | FLAG_OF)) | (r & 1);
                if ((((r >>> (bits - 1)) ^ r) & 1) != 0) f |= FLAG_OF;
            }
            case 1 -> { // ROR
                int c = count % bits;
                r = ((a >>> c) | (a << (bits - c))) & m;
                f = f & ~(FLAG_CF | FLAG_OF);
                if ((r & sb) != 0) f |= FLAG_CF;
                if ((((r >>> (bits - 1)) ^ (r >>> (bits - 2))) & 1) != 0) f |= FLAG_OF;
            }
            case 2 -> { // RCL
                int c = count % (bits + 1);
                r = a;
                long cfv = f & 1;
                for (int k = 0; k < c; k++) {
                    long out = (r >>> (bits - 1)) & 1;
                    r = ((r << 1) | cfv) & m;
                    cfv = out;
                }
                f = (f & ~(FLAG_CF | FLAG_OF)) | cfv;
                if ((((r >>> (bits - 1)) ^ cfv) & 1) != 0) f |= FLAG_OF;
            }
            case 3 -> { // RCR
                int c = count % (bits + 1);
                r = a;
                long cfv = f & 1;
                long of = ((a >>> (bits - 1)) ^ cfv) & 1;
                for (int k = 0; k < c; k++) {
                    long out = r & 1;
                    r = (r >>> 1) | (cfv << (bits - 1));
                    cfv = out;
                }
                f = (f & ~(FLAG_CF | FLAG_OF)) | cfv;
                if (c == 1 ? of != 0 : ((((r >>> (bits - 1)) ^ (r >>> (bits - 2))) & 1) != 0)) f |= FLAG_OF;
            }
            case 4, 6 -> { // SHL/SAL
                long wide = a << count;
                r = wide & m;
                f = (f & ~ARITH) | szp(r, size);
                if (count <= bits && ((wide >>> bits) & 1) != 0) f |= FLAG_CF;
                if ((((r >>> (bits - 1)) ^ (f & 1)) & 1) != 0) f |= FLAG_OF;
            }
            case 5 -> { // SHR
                r = count > bits ? 0 : (a >>> count) & m;
                f = (f & ~ARITH) | szp(r, size);
                if (count <= bits && ((a >>> (count - 1)) & 1) != 0) f |= FLAG_CF;
                if ((a & sb) != 0 && count == 1) f |= FLAG_OF;
            }
            default -> { // SAR
                long sa = sext(a, size);
                int c = Math.min(count, bits);
                r = (sa >> c) & m;
                f = (f & ~ARITH) | szp(r, size);
                if (((sa >> (c - 1)) & 1) != 0) f |= FLAG_CF;
            }
        }
        s.rflags = f | 2;
        return r;
    }
}
