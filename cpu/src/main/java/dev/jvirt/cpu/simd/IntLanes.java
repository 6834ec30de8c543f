package dev.jvirt.cpu.simd;

/**
 * Packed-integer arithmetic on one 64-bit chunk (an MMX register, or half of an XMM register): every
 * operation here works lane by lane inside 64 bits, so the XMM forms apply it to both halves (SDM Vol. 1
 * 9.2, 11.4). Lane widths are in bits (8, 16, 32, 64).
 */
final class IntLanes {
    static final int ADD = 0, SUB = 1, ADDS = 2, ADDUS = 3, SUBS = 4, SUBUS = 5, CMPEQ = 6, CMPGT = 7,
            MINU = 8, MAXU = 9, MINS = 10, MAXS = 11, AVG = 12, MULL = 13, MULH = 14, MULHU = 15;

    private IntLanes() { }

    /** Operation {@code kind} on each {@code w}-bit lane of {@code a} and {@code b}. */
    static long apply(int kind, int w, long a, long b) {
        if (w == 64) return kind == ADD ? a + b : kind == SUB ? a - b : kind == CMPEQ ? (a == b ? -1 : 0) : a > b ? -1 : 0;
        long m = (1L << w) - 1, r = 0;
        int up = 64 - w;
        for (int i = 0; i < 64; i += w) {
            long x = (a >>> i) & m, y = (b >>> i) & m;
            long sx = (a << (up - i)) >> up, sy = (b << (up - i)) >> up;
            long v = switch (kind) {
                case ADD -> x + y;
                case SUB -> x - y;
                case ADDS -> saturateSigned(sx + sy, w);
                case ADDUS -> Math.min(x + y, m);
                case SUBS -> saturateSigned(sx - sy, w);
                case SUBUS -> Math.max(x - y, 0);
                case CMPEQ -> x == y ? m : 0;
                case CMPGT -> sx > sy ? m : 0;
                case MINU -> Math.min(x, y);
                case MAXU -> Math.max(x, y);
                case MINS -> Math.min(sx, sy);
                case MAXS -> Math.max(sx, sy);
                case AVG -> (x + y + 1) >>> 1;
                case MULL -> sx * sy;
                case MULH -> (sx * sy) >> w;
                default -> (x * y) >>> w; // MULHU
            };
            r |= (v & m) << i;
        }
        return r;
    }

    static long saturateSigned(long v, int w) {
        long max = (1L << (w - 1)) - 1;
        return Math.max(-max - 1, Math.min(max, v));
    }

    /**
     * PACKSSWB/PACKUSWB/PACKSSDW on one chunk: the {@code w}-bit signed lanes of {@code a} narrowed to the
     * low half of the result, those of {@code b} to the high half, saturating signed or ({@code unsigned}) unsigned.
     */
    static long pack(long a, long b, int w, boolean unsigned) {
        int n = w / 2, lanes = 64 / w;
        long nm = (1L << n) - 1, r = 0;
        for (int i = 0; i < 2 * lanes; i++) {
            long src = i < lanes ? a : b;
            int sh = (i % lanes) * w;
            long v = (src << (64 - w - sh)) >> (64 - w);
            v = unsigned ? Math.max(0, Math.min(nm, v)) : saturateSigned(v, n);
            r |= (v & nm) << (i * n);
        }
        return r;
    }

    /** PMADDWD: each doubleword is the sum of the two signed word products (0x8000 * 0x8000 * 2 wraps to 0x80000000). */
    static long maddwd(long a, long b) {
        long r = 0;
        for (int i = 0; i < 64; i += 32) {
            long p = (long) (short) (a >>> i) * (short) (b >>> i) + (long) (short) (a >>> (i + 16)) * (short) (b >>> (i + 16));
            r |= (p & 0xFFFF_FFFFL) << i;
        }
        return r;
    }

    /** PSADBW: the sum of the absolute byte differences in the low word, zeros above. */
    static long sadbw(long a, long b) {
        long s = 0;
        for (int i = 0; i < 64; i += 8) s += Math.abs(((a >>> i) & 0xFF) - ((b >>> i) & 0xFF));
        return s;
    }

    /** PMULUDQ: the unsigned product of the low doublewords. */
    static long muludq(long a, long b) { return (a & 0xFFFF_FFFFL) * (b & 0xFFFF_FFFFL); }

    /**
     * Shifts each {@code w}-bit lane by {@code count} (unsigned, the whole 64-bit count operand): 0 = logical
     * right, 1 = arithmetic right, 2 = left. Counts past the lane width clear it, or fill it with its sign.
     */
    static long shift(int dir, int w, long a, long count) {
        if (Long.compareUnsigned(count, w - 1) > 0) {
            if (dir != 1) return 0;
            count = w - 1;
        }
        int n = (int) count;
        if (w == 64) return dir == 0 ? a >>> n : dir == 1 ? a >> n : a << n;
        long m = (1L << w) - 1, r = 0;
        int up = 64 - w;
        for (int i = 0; i < 64; i += w) {
            long v = dir == 0 ? ((a >>> i) & m) >>> n : dir == 1 ? ((a << (up - i)) >> up) >> n : (a >>> i) << n;
            r |= (v & m) << i;
        }
        return r;
    }

    /** Interleaves the low {@code w}-bit lanes of the low doublewords of {@code a} and {@code b}: a0 b0 a1 b1 ... */
    static long interleave(long a, long b, int w) {
        if (w == 32) return (a & 0xFFFF_FFFFL) | b << 32;
        long m = (1L << w) - 1, r = 0;
        for (int i = 0, j = 0; j < 64; i += w, j += 2 * w) {
            r |= ((a >>> i) & m) << j;
            r |= ((b >>> i) & m) << (j + w);
        }
        return r;
    }
}
