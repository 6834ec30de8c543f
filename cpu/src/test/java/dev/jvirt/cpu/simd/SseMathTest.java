package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SseMath against the host CPU: ssemath-vectors.txt.gz was produced by ssemath-vectors.c (beside it)
 * on an x86-64 host; each line is an operation under one MXCSR (the four rounding modes, FTZ, DAZ) on
 * edge operands (zeros, denormals, the normal limits, infinities, QNaN, SNaN, values that overflow,
 * underflow or round across the normal boundary) with the result and the exception flags it raised.
 */
class SseMathTest {
    private final SseMath m = new SseMath();

    private long run(String op, long a, long b) {
        return switch (op) {
            case "addss" -> m.arith(SseMath.ADD, false, a, b);
            case "subss" -> m.arith(SseMath.SUB, false, a, b);
            case "mulss" -> m.arith(SseMath.MUL, false, a, b);
            case "divss" -> m.arith(SseMath.DIV, false, a, b);
            case "minss" -> m.arith(SseMath.MIN, false, a, b);
            case "maxss" -> m.arith(SseMath.MAX, false, a, b);
            case "addsd" -> m.arith(SseMath.ADD, true, a, b);
            case "subsd" -> m.arith(SseMath.SUB, true, a, b);
            case "mulsd" -> m.arith(SseMath.MUL, true, a, b);
            case "divsd" -> m.arith(SseMath.DIV, true, a, b);
            case "minsd" -> m.arith(SseMath.MIN, true, a, b);
            case "maxsd" -> m.arith(SseMath.MAX, true, a, b);
            case "cmpltss" -> m.compare(false, a, b, 1) ? 0xFFFF_FFFFL : 0;
            case "cmpunordss" -> m.compare(false, a, b, 3) ? 0xFFFF_FFFFL : 0;
            case "sqrtss" -> m.sqrt(false, a);
            case "sqrtsd" -> m.sqrt(true, a);
            case "cvtss2si" -> m.toInt(false, a, false, false);
            case "cvttss2si" -> m.toInt(false, a, false, true);
            case "cvtss2si64" -> m.toInt(false, a, true, false);
            case "cvtsd2si" -> m.toInt(true, a, false, false);
            case "cvttsd2si64" -> m.toInt(true, a, true, true);
            case "cvtss2sd" -> m.singleToDouble(a);
            case "cvtsd2ss" -> m.doubleToSingle(a);
            case "roundss4", "roundsd4" -> m.roundIntegral(op.endsWith("sd4"), a, m.rc(), false);
            case "roundss1" -> m.roundIntegral(false, a, 1, false);
            case "roundss10" -> m.roundIntegral(false, a, 2, true);
            case "roundsd2" -> m.roundIntegral(true, a, 2, false);
            case "cvtsi2ss" -> m.fromInt(false, (int) a);
            case "cvtsi642sd" -> m.fromInt(true, a);
            case "cvtsi642ss" -> m.fromInt(false, a);
            default -> throw new IllegalArgumentException(op);
        };
    }

    @Test
    void matchesHostCpuUnderEveryRoundingModeFtzAndDaz() throws IOException {
        List<String> bad = new ArrayList<>();
        int n = 0;
        try (var r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                SseMathTest.class.getResourceAsStream("ssemath-vectors.txt.gz"))))) {
            for (String line; (line = r.readLine()) != null; n++) {
                String[] f = line.split(" ");
                int csr = Integer.parseInt(f[1], 16);
                long a = Long.parseUnsignedLong(f[2], 16), b = Long.parseUnsignedLong(f[3], 16);
                long want = Long.parseUnsignedLong(f[4], 16);
                int wantFlags = Integer.parseInt(f[5], 16);
                m.begin(csr);
                long got = run(f[0], a, b);
                if (got != want || m.flags != wantFlags) {
                    bad.add(line + "  got " + Long.toHexString(got) + " " + Integer.toHexString(m.flags));
                }
            }
        }
        assertTrue(n > 30000, "vectors read: " + n);
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first:\n" + String.join("\n", bad.subList(0, Math.min(40, bad.size()))));
    }

    @Test
    void reciprocalApproximationsStayWithinTheDocumentedErrorAndMatchHostSpecialCases() {
        for (float x : new float[] {3f, 2f, 0.7f, 1e-30f, 1e30f, -5.5f, 1.5f * 0x1p125f}) {
            float r = Float.intBitsToFloat((int) SseMath.rcp(Float.floatToRawIntBits(x)));
            assertTrue(Math.abs(r * (double) x - 1) <= 1.5 * 0x1p-12, "rcp " + x);
            if (x > 0) {
                float q = Float.intBitsToFloat((int) SseMath.rsqrt(Float.floatToRawIntBits(x)));
                assertTrue(Math.abs(q * Math.sqrt(x) - 1) <= 1.5 * 0x1p-12, "rsqrt " + x);
            }
        }
        // host: a denormal reads as zero, 2^-127 flushes to zero, -0 gives -inf, negatives the indefinite
        assertEquals(0x7F80_0000L, SseMath.rcp(0x100));
        assertEquals(0L, SseMath.rcp(0x7F00_0000L));
        assertEquals(0xFF80_0000L, SseMath.rsqrt(0x8000_0000L));
        assertEquals(SseMath.S_INDEFINITE, SseMath.rsqrt(0xBF80_0000L));
    }
}
