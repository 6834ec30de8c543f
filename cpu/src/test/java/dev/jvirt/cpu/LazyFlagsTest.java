package dev.jvirt.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The lazy flag record of {@link FastArith} gives exactly the eager flags, conditions and kept CF. */
class LazyFlagsTest {
    private static final long M32 = 0xFFFF_FFFFL;
    private static final long[] EDGE = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
            0x8000_0000_0000_0000L, 0x7FFF_FFFF_FFFF_FFFFL, -1L, 0x1_0000_0000L, 0x0F, 0x10};

    @Test
    void lazyMatchesEager() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long a = i < 225 ? EDGE[i % 15] : rnd.nextLong(), b = i < 225 ? EDGE[i / 15] : rnd.nextLong();
            if (rnd.nextInt(4) == 0) b = a;
            boolean wide = rnd.nextBoolean();
            if (!wide) { a &= M32; b &= M32; }
            long before = (rnd.nextLong() & 0x8D5L) | 2 | 0x200;
            int op = rnd.nextInt(8);
            CpuState eager = new CpuState(), lazy = new CpuState();
            eager.rflags = lazy.rflags = before;
            long re = wide ? FastArith.eagerArith64(eager, op, a, b) : FastArith.eagerArith32(eager, op, a, b);
            long rl = wide ? FastArith.arith64(lazy, op, a, b) : FastArith.arith32(lazy, op, a, b);
            assertEquals(re, rl);
            check(eager, lazy, "op " + op + " " + Long.toHexString(a) + "," + Long.toHexString(b) + " w" + wide);
            // INC/DEC on top of a pending operation keep its CF.
            boolean dec = rnd.nextBoolean();
            long c = wide ? rnd.nextLong() : rnd.nextLong() & M32;
            if (rnd.nextInt(4) == 0) c = EDGE[rnd.nextInt(EDGE.length)] & (wide ? -1L : M32);
            eager.rflags = eager.flags();
            assertEquals(FastArith.eagerIncDec(eager, c, wide, dec), FastArith.incDec(lazy, c, wide, dec));
            check(eager, lazy, "incdec " + Long.toHexString(c));
        }
    }

    private static void check(CpuState eager, CpuState lazy, String what) {
        for (int cc = 0; cc < 16; cc++) {
            assertEquals(CpuState.condOf(eager.rflags, cc), lazy.cond(cc), what + " cc " + cc);
        }
        CpuState copy = new CpuState();
        copy.lazyOp = lazy.lazyOp;
        copy.lazyA = lazy.lazyA;
        copy.lazyB = lazy.lazyB;
        copy.lazyRes = lazy.lazyRes;
        copy.rflags = lazy.rflags;
        assertEquals(eager.rflags & 1, copy.carry(), what + " carry");
        assertEquals(Long.toHexString(eager.rflags), Long.toHexString(copy.flags()), what);
    }
}
