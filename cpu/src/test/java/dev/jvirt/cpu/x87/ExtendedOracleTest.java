package dev.jvirt.cpu.x87;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Full 64-bit precision: add, subtract, multiply, divide and square root of random extended operands
 * must be the exact result (BigDecimal) rounded to 64 significant bits by each rounding mode.
 */
class ExtendedOracleTest {
    private static final MathContext MC = new MathContext(90);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void correctlyRoundedInEveryMode(int rc) {
        Random rnd = new Random(77 + rc);
        Fpu f = new Fpu();
        f.rc(rc);
        for (int n = 0; n < 1500; n++) {
            int aSe = (rnd.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 60 + rnd.nextInt(120));
            long aM = rnd.nextLong() | Long.MIN_VALUE;
            int bSe = n % 7 == 0 ? aSe ^ 0x8000 : (rnd.nextBoolean() ? 0x8000 : 0) | (0x3FFF - 60 + rnd.nextInt(120));
            long bM = n % 7 == 0 ? aM + rnd.nextInt(1000) : rnd.nextLong() | Long.MIN_VALUE;
            BigDecimal a = X87TranscendentalTest.value(aSe, aM), b = X87TranscendentalTest.value(bSe, bM);
            for (int op = 0; op < 5; op++) {
                BigDecimal exact = switch (op) {
                    case 0 -> a.add(b);
                    case 1 -> a.subtract(b);
                    case 2 -> a.multiply(b);
                    case 3 -> a.divide(b, MC);
                    default -> a.abs().sqrt(MC);
                };
                f.push80(op == 4 ? aSe & 0x7FFF : aSe, aM);
                f.push80(bSe, bM);
                switch (op) {
                    case 0 -> f.op(0xDE, 0xC1); // FADDP: ST1 = a + b
                    case 1 -> f.op(0xDE, 0xE9); // FSUBP: ST1 = a - b
                    case 2 -> f.op(0xDE, 0xC9);
                    case 3 -> f.op(0xDE, 0xF9); // FDIVP: ST1 = a / b
                    default -> {
                        f.op(0xDD, 0xD8); // drop b
                        f.op(0xD9, 0xFA);
                    }
                }
                String what = op + ": " + Integer.toHexString(aSe) + ":" + Long.toHexString(aM) + " , " + Integer.toHexString(bSe) + ":" + Long.toHexString(bM) + " rc " + rc;
                long[] expect = round(exact, rc);
                assertEquals(expect[0], f.se(0), what);
                assertEquals(expect[1], f.m(0), what);
                f.op(0xDD, 0xD8); // FSTP ST0
            }
        }
    }

    /** The exact value rounded to a 64-bit significand: {sign+exponent, significand}. */
    private static long[] round(BigDecimal exact, int rc) {
        if (exact.signum() == 0) return new long[] {rc == 1 ? 0x8000 : 0, 0};
        boolean neg = exact.signum() < 0;
        BigDecimal mag = exact.abs();
        int k = (int) Math.floor(Math.log(mag.doubleValue()) / Math.log(2)) - 63;
        BigDecimal two64 = new BigDecimal(BigInteger.ONE.shiftLeft(64)), two63 = new BigDecimal(BigInteger.ONE.shiftLeft(63));
        BigDecimal q;
        while (true) {
            q = k >= 0 ? mag.divide(new BigDecimal(BigInteger.TWO.pow(k))) : mag.multiply(new BigDecimal(BigInteger.TWO.pow(-k)));
            if (q.compareTo(two64) >= 0) k++;
            else if (q.compareTo(two63) < 0) k--;
            else break;
        }
        RoundingMode mode = switch (rc) {
            case 0 -> RoundingMode.HALF_EVEN;
            case 1 -> neg ? RoundingMode.UP : RoundingMode.DOWN;
            case 2 -> neg ? RoundingMode.DOWN : RoundingMode.UP;
            default -> RoundingMode.DOWN;
        };
        BigInteger sig = q.setScale(0, mode).toBigIntegerExact();
        if (sig.bitLength() > 64) {
            sig = sig.shiftRight(1);
            k++;
        }
        return new long[] {(neg ? 0x8000 : 0) | (k + 63 + 16383), sig.longValue()};
    }
}
