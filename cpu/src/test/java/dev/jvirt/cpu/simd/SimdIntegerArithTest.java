package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** MMX and SSE2 packed-integer arithmetic, compares, shifts and packs (SDM Vol. 1 chapters 9 and 11). */
class SimdIntegerArithTest {
    static boolean isArith(SimdHarness.Vector v) {
        return v.mnemonic().matches("pack.*|pcmp.*|ps[rl][la][wdq]|psr[la]dq|psll[wdq]|psra[wd]|padd.*|psub.*|pmul.*|pmadd.*|pavg.*|pmin.*|pmax.*|psadbw");
    }

    /** Every instruction of the family in its MMX, XMM, memory and REX forms against the host's results. */
    @TestFactory
    Stream<DynamicTest> matchesHostResults() {
        return SimdHarness.vectors().stream().filter(SimdIntegerArithTest::isArith)
                .map(v -> DynamicTest.dynamicTest(v.insn(), () -> SimdHarness.check(v)));
    }
}
