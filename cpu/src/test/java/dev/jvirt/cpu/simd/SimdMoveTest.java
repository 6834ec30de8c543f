package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** MMX and SSE/SSE2 data movement, shuffles, unpacks, logic and mask extraction. */
class SimdMoveTest {
    /** Every instruction of the family in its MMX, XMM, memory and REX forms against the host's results. */
    @TestFactory
    Stream<DynamicTest> matchesHostResults() {
        return SimdHarness.vectors().stream().filter(v -> !SimdIntegerArithTest.isArith(v))
                .map(v -> DynamicTest.dynamicTest(v.insn(), () -> SimdHarness.check(v)));
    }
}
