package dev.jvirt.cpu;

import static dev.jvirt.cpu.CpuState.*;

/**
 * {@link Alu#arith} for 32- and 64-bit operands without the size dispatch, for the interpreters' fast
 * paths: the same results and exactly the same flags (the differential oracles compare both).
 */
final class FastArith {
    private FastArith() { }

    private static final long M32 = 0xFFFF_FFFFL;

    /** PF of a result's low byte (SDM Vol. 1 3.4.3.1: set for an even number of 1 bits). */
    static final long[] PARITY = new long[256];

    static {
        for (int i = 0; i < 256; i++) PARITY[i] = (Integer.bitCount(i) & 1) == 0 ? FLAG_PF : 0;
    }

    /** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP (ModRM.reg numbering; 4 is also TEST) on 64-bit operands. */
    static long eagerArith64(CpuState s, int op, long a, long b) {
        long r, f;
        switch (op) {
            case 0 -> {
                r = a + b;
                f = (Long.compareUnsigned(r, a) < 0 ? FLAG_CF : 0) | ((((a ^ r) & (b ^ r)) >>> 52) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            }
            case 2 -> {
                long c = s.rflags & FLAG_CF;
                r = a + b + c;
                boolean cf = c == 0 ? Long.compareUnsigned(r, a) < 0 : Long.compareUnsigned(r, a) <= 0;
                f = (cf ? FLAG_CF : 0) | ((((a ^ r) & (b ^ r)) >>> 52) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            }
            case 3 -> {
                long c = s.rflags & FLAG_CF;
                r = a - b - c;
                boolean cf = c == 0 ? Long.compareUnsigned(a, b) < 0 : Long.compareUnsigned(a, b) <= 0;
                f = (cf ? FLAG_CF : 0) | ((((a ^ b) & (a ^ r)) >>> 52) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            }
            case 5, 7 -> {
                r = a - b;
                f = (Long.compareUnsigned(a, b) < 0 ? FLAG_CF : 0) | ((((a ^ b) & (a ^ r)) >>> 52) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            }
            case 1 -> { r = a | b; f = 0; }
            case 4 -> { r = a & b; f = 0; }
            default -> { r = a ^ b; f = 0; }
        }
        f |= PARITY[(int) r & 0xFF] | (r == 0 ? FLAG_ZF : 0) | ((r >>> 56) & FLAG_SF);
        s.rflags = (s.rflags & ~Alu.ARITH) | f;
        return r;
    }

    /** The same on 32-bit operands (zero-extended in {@code a} and {@code b}); the result is zero-extended. */
    static long eagerArith32(CpuState s, int op, long a, long b) {
        long r, f;
        switch (op) {
            case 0, 2 -> {
                r = a + b + (op == 2 ? s.rflags & FLAG_CF : 0);
                f = (r >>> 32) | ((((a ^ r) & (b ^ r)) >>> 20) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            }
            case 3, 5, 7 -> {
                r = a - b - (op == 3 ? s.rflags & FLAG_CF : 0);
                f = (r >>> 63) | ((((a ^ b) & (a ^ r)) >>> 20) & FLAG_OF) | ((a ^ b ^ r) & FLAG_AF);
            }
            case 1 -> { r = a | b; f = 0; }
            case 4 -> { r = a & b; f = 0; }
            default -> { r = a ^ b; f = 0; }
        }
        r &= M32;
        f |= PARITY[(int) r & 0xFF] | (r == 0 ? FLAG_ZF : 0) | ((r >>> 24) & FLAG_SF);
        s.rflags = (s.rflags & ~Alu.ARITH) | f;
        return r;
    }

    /** INC (or DEC with {@code dec}) of a 64-bit or zero-extended 32-bit operand; CF is kept. */
    static long eagerIncDec(CpuState s, long a, boolean wide, boolean dec) {
        long r = dec ? a - 1 : a + 1;
        long sign;
        if (wide) {
            sign = Long.MIN_VALUE;
        } else {
            r &= M32;
            sign = 0x8000_0000L;
        }
        long f = PARITY[(int) r & 0xFF] | (r == 0 ? FLAG_ZF : 0) | ((a ^ r) & FLAG_AF)
                | ((r & sign) != 0 ? FLAG_SF : 0) | ((dec ? a == sign : r == sign) ? FLAG_OF : 0);
        s.rflags = (s.rflags & ~(Alu.ARITH & ~FLAG_CF)) | f;
        return r;
    }

    // ---- lazy forms: record the operation in CpuState (flags computed when read, see CpuState.flags) ----

    /** {@link #eagerArith64} with the flags left pending (ADC/SBB read CF, so they resolve it and run eagerly). */
    static long arith64(CpuState s, int op, long a, long b) {
        long r;
        int k;
        switch (op) {
            case 0 -> { r = a + b; k = LZ_ADD64; }
            case 5, 7 -> { r = a - b; k = LZ_SUB64; }
            case 1 -> { r = a | b; k = LZ_LOGIC64; }
            case 4 -> { r = a & b; k = LZ_LOGIC64; }
            case 6 -> { r = a ^ b; k = LZ_LOGIC64; }
            default -> {
                s.flags();
                return eagerArith64(s, op, a, b);
            }
        }
        s.lazyA = a;
        s.lazyB = b;
        s.lazyRes = r;
        s.lazyOp = k;
        return r;
    }

    /** {@link #eagerArith32} with the flags left pending. */
    static long arith32(CpuState s, int op, long a, long b) {
        long r;
        int k;
        switch (op) {
            case 0 -> { r = (a + b) & M32; k = LZ_ADD32; }
            case 5, 7 -> { r = (a - b) & M32; k = LZ_SUB32; }
            case 1 -> { r = a | b; k = LZ_LOGIC32; }
            case 4 -> { r = a & b; k = LZ_LOGIC32; }
            case 6 -> { r = a ^ b; k = LZ_LOGIC32; }
            default -> {
                s.flags();
                return eagerArith32(s, op, a, b);
            }
        }
        s.lazyA = a;
        s.lazyB = b;
        s.lazyRes = r;
        s.lazyOp = k;
        return r;
    }

    /** {@link #eagerIncDec} with the flags left pending (the kept CF is taken from the pending operation). */
    static long incDec(CpuState s, long a, boolean wide, boolean dec) {
        long cf = s.carry();
        long r = dec ? a - 1 : a + 1;
        if (!wide) r &= M32;
        s.lazyA = a;
        s.lazyB = cf;
        s.lazyRes = r;
        s.lazyOp = dec ? (wide ? LZ_DEC64 : LZ_DEC32) : (wide ? LZ_INC64 : LZ_INC32);
        return r;
    }
}
