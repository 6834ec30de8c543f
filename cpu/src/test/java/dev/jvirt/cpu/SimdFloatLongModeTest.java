package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SSE2 floating point through the real 64-bit executor: REX.W integer sources and REX.R/REX.B XMM8-15. */
class SimdFloatLongModeTest {
    private static final int OSFXSR = 1 << 9;

    /** {@code prelude32} runs in compatibility mode just before the far jump to 64-bit code. */
    private static TestMachine run(String prelude32, String code64) {
        return TestMachine.run64(CpuModels.DEFAULT.with(CpuFeature.LM, true).with(CpuFeature.SSE, true).with(CpuFeature.SSE2, true),
                false, TestMachine.longModeEntry(OSFXSR, prelude32, "") + code64, 10_000);
    }

    @Test
    void cvtsi2sdWithRexWIntoHighXmmRegisters() {
        try (TestMachine m = run("", """
                movabs $0x1000000000000001, %r9
                cvtsi2sdq %r9, %xmm12
                mov $3, %eax
                cvtsi2sd %eax, %xmm9
                divsd %xmm9, %xmm12
                cvttsd2si %xmm12, %rcx
                mov %rcx, 0x3008
                stmxcsr 0x3010
                """)) {
            // 2^60 + 1 rounds to 2^60 (inexact), then 2^60 / 3 rounded to nearest and truncated (the XMM-to-GPR moves are another family's)
            assertEquals((long) (0x1p60 / 3), m.memory.read(0x3008, 8));
            assertEquals(0x1F80 | 0x20, m.memory.read(0x3010, 4));
        }
    }
}
