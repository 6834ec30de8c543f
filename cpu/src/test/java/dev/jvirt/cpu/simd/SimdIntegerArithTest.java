package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuState;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * MMX and SSE2 packed-integer arithmetic, compares, shifts and packs (SDM Vol. 1 chapters 9 and 11). The
 * results are the host processor's: cpu/src/test/c/simd_int_vectors.py ran every form natively.
 */
class SimdIntegerArithTest {
    static boolean isArith(SimdHarness.Vector v) {
        return v.mnemonic().matches("pack.*|pcmp.*|psrl[wdq]|psll[wdq]|psra[wd]|psrldq|pslldq|padd.*|psub.*|pmul.*|pmadd.*|pavg.*|pmin.*|pmax.*|psadbw");
    }

    /** Every instruction of the family in its MMX, XMM, memory and REX forms against the host's results. */
    @TestFactory
    Stream<DynamicTest> matchesHostResults() {
        return SimdHarness.vectors().stream().filter(SimdIntegerArithTest::isArith)
                .map(v -> DynamicTest.dynamicTest(v.insn(), () -> SimdHarness.check(v)));
    }

    /** The same encodings decoded as 32-bit code (legacy decoder, no REX). */
    @TestFactory
    Stream<DynamicTest> matchesHostResultsDecodedAs32BitCode() {
        return SimdHarness.vectors().stream().filter(v -> isArith(v) && SimdHarness.legacyEncodable(v.hex()))
                .map(v -> DynamicTest.dynamicTest(v.insn(), () -> SimdHarness.check(v, false)));
    }

    private static final String PADDB_MM = "0ffcc1", PADDB_XMM = "660ffcc1", PADDB_XMM_MEM = "660ffc06", PADDB_MM_MEM = "0ffc06";

    @Test
    void packedMemoryOperandMustBeAlignedOnlyInTheXmmForm() {
        SimdHarness h = new SimdHarness();
        h.misalign = 8;
        h.s.fpu.xmm[0] = 0x1234;
        assertEquals(13, h.faultOf(PADDB_XMM_MEM), "#GP(0) for a misaligned m128");
        assertEquals(0x1234, h.s.fpu.xmm[0], "a faulting instruction changes nothing");
        assertEquals(-1, h.faultOf(PADDB_MM_MEM), "MMX m64 has no alignment rule");
        h.misalign = 0;
        assertEquals(-1, h.faultOf(PADDB_XMM_MEM));
    }

    @Test
    void xmmFormsNeedCr4OsfxsrButMmxFormsDoNot() {
        SimdHarness h = new SimdHarness();
        h.s.cr4 = 0;
        assertEquals(6, h.faultOf(PADDB_XMM));
        assertEquals(-1, h.faultOf(PADDB_MM));
        assertEquals(-1, h.faultOf("0fe0c1"), "PAVGB mm, an SSE addition, follows the MMX rules");
    }

    @Test
    void cr0EmIsUdAndCr0TsIsNmForBothForms() {
        SimdHarness h = new SimdHarness();
        h.s.cr0 |= CpuState.CR0_EM;
        assertEquals(6, h.faultOf(PADDB_XMM));
        assertEquals(6, h.faultOf(PADDB_MM));
        h.s.cr0 &= ~CpuState.CR0_EM;
        h.s.cr0 |= CpuState.CR0_TS;
        assertEquals(7, h.faultOf(PADDB_XMM));
        assertEquals(7, h.faultOf(PADDB_MM));
        assertEquals(7, h.faultOf("0f71d001"), "PSRLW mm, imm8");
        assertEquals(7, h.faultOf("660f73d801"), "PSRLDQ xmm, imm8");
    }

    @Test
    void pendingX87ExceptionIsMfBeforeAnMmxInstructionOnly() {
        SimdHarness h = new SimdHarness();
        h.s.fpu.fsw = 0x80 | 0x01; // ES with an unmasked invalid operation
        assertEquals(16, h.faultOf(PADDB_MM));
        assertEquals(-1, h.faultOf(PADDB_XMM));
    }

    @Test
    void mmxInstructionEmptiesNothingAndSetsTopToZero() {
        SimdHarness h = new SimdHarness();
        h.s.fpu.fsw = 5 << 11; // TOP = 5
        h.s.fpu.ftw = 0xFFFF;
        h.run64(PADDB_MM);
        assertEquals(0, h.s.fpu.fsw >> 11 & 7, "TOP = 0 (SDM Vol. 1 9.5.1)");
        assertEquals(0xFF, h.s.fpu.abridgedTag(), "every register tagged valid");
        assertEquals(0xFFFF, h.s.fpu.signExp[0], "the written MMX register's exponent is all ones");
    }

    @Test
    void formsNeedTheirFeature() {
        SimdHarness noSse2 = new SimdHarness().model(SimdHarness.MODEL.with(CpuFeature.SSE2, false));
        assertEquals(6, noSse2.faultOf(PADDB_XMM));
        assertEquals(-1, noSse2.faultOf(PADDB_MM));
        assertEquals(-1, noSse2.faultOf("0fe0c1"), "PAVGB mm is SSE");
        assertEquals(6, noSse2.faultOf("0fd4c1"), "PADDQ mm is SSE2");
        assertEquals(6, noSse2.faultOf("0ff4c1"), "PMULUDQ mm is SSE2");
        SimdHarness mmxOnly = new SimdHarness().model(SimdHarness.MODEL.with(CpuFeature.SSE2, false).with(CpuFeature.SSE, false));
        assertEquals(-1, mmxOnly.faultOf(PADDB_MM));
        assertEquals(6, mmxOnly.faultOf("0fe0c1"));
        assertEquals(6, mmxOnly.faultOf("0ff6c1"), "PSADBW mm is SSE");
        SimdHarness none = new SimdHarness().model(SimdHarness.MODEL.with(CpuFeature.MMX, false));
        assertEquals(6, none.faultOf(PADDB_MM));
    }

    @Test
    void lockPrefixAndMemoryFormsOfRegisterOnlyGroupsAreUndefined() {
        SimdHarness h = new SimdHarness();
        assertEquals(6, h.faultOf("f00ffcc1"), "LOCK PADDB");
        assertEquals(6, h.faultOf("0f711601"), "PSRLW with a memory operand");
        assertFalse(h.run("0f71c001", true), "group 12 /0 is no instruction");
        assertFalse(h.run("0f73e001", true), "no PSRAQ before AVX-512");
        assertFalse(h.run("0f73d801", true), "PSRLDQ has no MMX form");
        assertFalse(h.run("f30ffcc1", true), "F3 PADDB: #UD on the host too, not an ignored prefix");
        assertFalse(h.run("f2660ffcc1", true));
    }
}
