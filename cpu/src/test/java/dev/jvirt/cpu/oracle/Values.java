package dev.jvirt.cpu.oracle;

import java.util.Random;

/** Random inputs biased toward edges: integer boundaries, and for XMM lanes the special floating-point values. */
final class Values {
    private Values() { }

    static final long[] EDGES = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
            0x7FFF_FFFF_FFFF_FFFFL, 0x8000_0000_0000_0000L, -1L, -2L};
    /** float: ±0, ±1, ±inf, QNaN, SNaN, the smallest denormal and normal, the largest finite, 2^24 and 1.5. */
    static final int[] FLOATS = {0, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0001,
            0x7FA0_0000, 1, 0x8000_0001, 0x0080_0000, 0x7F7F_FFFF, 0x4B80_0000, 0x3FC0_0000, 0x4F00_0000};
    static final long[] DOUBLES = {0, 0x8000_0000_0000_0000L, 0x3FF0_0000_0000_0000L, 0x7FF0_0000_0000_0000L, 0xFFF8_0000_0000_0000L,
            0x7FF4_0000_0000_0000L, 1, 0x0010_0000_0000_0000L, 0x7FEF_FFFF_FFFF_FFFFL, 0x41E0_0000_0000_0000L, 0xC3E0_0000_0000_0000L,
            0x3FF8_0000_0000_0000L, 0x4330_0000_0000_0000L};

    static long value(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> EDGES[r.nextInt(EDGES.length)];
            case 1 -> r.nextInt(256) - 128;
            case 2 -> r.nextLong() & 0xFFFF_FFFFL;
            default -> r.nextLong();
        };
    }

    /** A shift or rotate count around the operand size's edges (the CPU masks it to 5 or 6 bits). */
    static long count(Random r, int bits) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(4);
            case 1 -> bits - 1 + r.nextInt(3);
            case 2 -> r.nextInt(256);
            default -> r.nextInt(2 * bits);
        };
    }

    /** 128 bits as two quadwords: random, integer edges, floats or doubles (sometimes small integers as floats). */
    static void xmm(Random r, long[] q, int at) {
        switch (r.nextInt(5)) {
            case 0 -> {
                q[at] = value(r);
                q[at + 1] = value(r);
            }
            case 1, 2 -> {
                for (int h = 0; h < 2; h++) {
                    long lo = floatLane(r) & 0xFFFF_FFFFL, hi = floatLane(r) & 0xFFFF_FFFFL;
                    q[at + h] = hi << 32 | lo;
                }
            }
            case 3 -> {
                for (int h = 0; h < 2; h++) q[at + h] = r.nextInt(3) == 0 ? DOUBLES[r.nextInt(DOUBLES.length)]
                        : Double.doubleToRawLongBits((r.nextInt(2001) - 1000) / (double) (1 << r.nextInt(12)));
            }
            default -> {
                q[at] = r.nextLong();
                q[at + 1] = r.nextLong();
            }
        }
    }

    private static int floatLane(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> FLOATS[r.nextInt(FLOATS.length)];
            case 1 -> Float.floatToRawIntBits((r.nextInt(2001) - 1000) / (float) (1 << r.nextInt(12)));
            default -> r.nextInt();
        };
    }

    /** Fills every input of a case: GPRs, loadable flags, XMM, MMX, MXCSR (exceptions masked), scratch memory. */
    static void randomize(Case64 c, Random r) {
        NativeExecutor.Regs s = c.in;
        for (int i = 0; i < 16; i++) s.gpr[i] = value(r);
        s.rflags = r.nextLong() & NativeExecutor.LOADABLE_FLAGS;
        for (int i = 0; i < 16; i++) xmm(r, s.xmm, 2 * i);
        for (int i = 0; i < 8; i++) s.mm[i] = value(r);
        // Rounding control, FZ, DAZ and sticky flags random; every exception masked (an unmasked one is #XM natively).
        s.mxcsr = NativeExecutor.MXCSR_MASKS | (r.nextInt(4) << 13) | (r.nextBoolean() ? 0x8000 : 0) | (r.nextBoolean() ? 0x40 : 0)
                | (r.nextInt(4) == 0 ? r.nextInt(0x40) : 0);
        if (r.nextBoolean()) {
            r.nextBytes(c.buf);
        } else {
            // Memory operands of the XMM forms see the same special values as registers.
            long[] q = new long[2];
            for (int i = 0; i < c.buf.length; i += 16) {
                xmm(r, q, 0);
                for (int k = 0; k < 16; k++) c.buf[i + k] = (byte) (q[k >> 3] >>> 8 * (k & 7));
            }
        }
    }
}
