package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuState;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * MMX and SSE/SSE2 data movement, shuffles, unpacks, logic and mask extraction. The results are the host
 * processor's: cpu/src/test/c/simd_int_vectors.py ran every form natively.
 */
class SimdMoveTest {
    /** Every instruction of the family in its MMX, XMM, memory and REX forms against the host's results. */
    @TestFactory
    Stream<DynamicTest> matchesHostResults() {
        return SimdHarness.vectors().stream().filter(v -> !SimdIntegerArithTest.isArith(v))
                .map(v -> DynamicTest.dynamicTest(v.insn(), () -> SimdHarness.check(v)));
    }

    /** The same encodings decoded as 32-bit code (legacy decoder, no REX). */
    @TestFactory
    Stream<DynamicTest> matchesHostResultsDecodedAs32BitCode() {
        return SimdHarness.vectors().stream().filter(v -> !SimdIntegerArithTest.isArith(v) && SimdHarness.legacyEncodable(v.hex()))
                .map(v -> DynamicTest.dynamicTest(v.insn(), () -> SimdHarness.check(v, false)));
    }

    @Test
    void alignedFormsFaultOnAMisalignedOperandAndTheOthersDoNot() {
        SimdHarness h = new SimdHarness();
        h.misalign = 4;
        h.s.fpu.xmm[0] = 0x55;
        for (String aligned : new String[] {"0f2806", "0f2906", "660f6f06", "660f7f06", "660fe706", "0f2b06", "0f5706",
                "660f7006e4", "0fc60600", "0f1406", "660f6c06", "660fdb06"}) {
            assertEquals(13, h.faultOf(aligned), aligned);
        }
        assertEquals(0x55, h.s.fpu.xmm[0], "a faulting instruction changes nothing");
        for (String unaligned : new String[] {"0f1006", "0f1106", "f30f6f06", "f30f7f06", "0f1206", "0f1706", "f30f1006",
                "f20f1106", "660fd606", "0f6f06", "0fe706", "0f7006e4", "0f6006", "0fdb06", "660f6e06"}) {
            assertEquals(-1, h.faultOf(unaligned), unaligned);
        }
    }

    @Test
    void memoryOnlyAndRegisterOnlyFormsAreUndefinedOtherwise() {
        SimdHarness h = new SimdHarness();
        for (String ud : new String[] {"0f13c1", "0f17c1", "660f12c1", "660f16c1", "0f2bc1", "660fe7c1", "0fe7c1", "0fc3c1",
                "0fd706", "660fd706", "0f5006", "0fc50601", "0ff706", "660ff706", "f30fd606", "f20fd606", "f00f28c1"}) {
            assertEquals(6, h.faultOf(ud), ud);
        }
    }

    @Test
    void opcodesOfOtherFamiliesAreLeftToThem() {
        SimdHarness h = new SimdHarness();
        // MOVSLDUP/MOVSHDUP/MOVDDUP (F3/F2 0F 12/16) belong to SimdFloat; these belong to no family
        for (String other : new String[] {"f20f6fc1", "0fd6c1", "0f6cc1", "f20f28c1"}) {
            assertFalse(h.run(other, true), other);
        }
    }

    @Test
    void f2OrF3OnAnOpcodeWithoutSuchAFormIsNoInstruction() {
        // On the host, F3 0F FC (PADDB) and F2 0F 6F raise SIGILL rather than ignoring the prefix.
        SimdHarness h = new SimdHarness();
        for (String ud : new String[] {"f20f6fc1", "f30fdbc1", "f2660fefc1", "f30f60c1", "f30fd7c1", "f20fc4c101", "f30f6ec0",
                "f30ff7c1", "f30f77", "f30fc306"}) {
            assertFalse(h.run(ud, true), ud);
        }
    }

    @Test
    void emmsEmptiesEveryTagAndLeavesTopZero() {
        // On the host, FNSTENV after FLD1; FLD1; PADDB mm; EMMS shows FSW 0000 and FTW FFFF.
        SimdHarness h = new SimdHarness();
        h.s.fpu.fsw = 6 << 11;
        h.s.fpu.ftw = 0x0FFF;
        h.run64("0f77");
        assertEquals(0xFFFF, h.s.fpu.ftw);
        assertEquals(0, h.s.fpu.fsw >> 11 & 7);
    }

    @Test
    void movq2dqAndMovdq2qFollowBothSseAndMmxRules() {
        SimdHarness h = new SimdHarness();
        h.s.fpu.fsw = 3 << 11;
        h.s.fpu.ftw = 0xFFFF;
        h.s.fpu.mantissa[1] = 0x1122_3344_5566_7788L;
        h.run64("f30fd6c1");
        assertEquals(0x1122_3344_5566_7788L, h.s.fpu.xmm[0]);
        assertEquals(0xFF, h.s.fpu.abridgedTag(), "the MMX transition: every tag valid");
        assertEquals(0, h.s.fpu.fsw >> 11 & 7);
        h.s.cr4 = 0;
        assertEquals(6, h.faultOf("f20fd6c1"), "needs CR4.OSFXSR");
        h.s.cr4 = SimdUnit.CR4_OSFXSR;
        h.s.fpu.fsw = 0x81;
        assertEquals(16, h.faultOf("f20fd6c1"), "and reports a pending x87 exception");
    }

    @Test
    void exceptionsFollowCr0AndCr4() {
        SimdHarness h = new SimdHarness();
        h.s.cr4 = 0;
        assertEquals(6, h.faultOf("0f28c1"), "MOVAPS without CR4.OSFXSR");
        assertEquals(6, h.faultOf("660fefc1"), "PXOR xmm without CR4.OSFXSR");
        assertEquals(-1, h.faultOf("0fefc1"), "PXOR mm");
        assertEquals(-1, h.faultOf("0fc306"), "MOVNTI is a general-register store");
        h.s.cr4 = SimdUnit.CR4_OSFXSR;
        h.s.cr0 |= CpuState.CR0_TS;
        assertEquals(7, h.faultOf("0f28c1"));
        assertEquals(7, h.faultOf("0f6fc1"));
        assertEquals(7, h.faultOf("0f77"), "EMMS");
        h.s.cr0 ^= CpuState.CR0_TS | CpuState.CR0_EM;
        assertEquals(6, h.faultOf("0f28c1"));
        assertEquals(6, h.faultOf("0f77"));
    }

    @Test
    void formsNeedTheirFeature() {
        SimdHarness sseOnly = new SimdHarness().model(SimdHarness.MODEL.with(CpuFeature.SSE2, false));
        assertEquals(-1, sseOnly.faultOf("0f28c1"));
        assertEquals(6, sseOnly.faultOf("660f28c1"), "MOVAPD");
        assertEquals(6, sseOnly.faultOf("660f6fc1"), "MOVDQA");
        assertEquals(6, sseOnly.faultOf("0fc306"), "MOVNTI");
        assertEquals(-1, sseOnly.faultOf("0f70c11b"), "PSHUFW");
        assertEquals(-1, sseOnly.faultOf("0fd7c1"), "PMOVMSKB r32, mm");
        SimdHarness mmxOnly = new SimdHarness().model(sseOnly.unit.model.with(CpuFeature.SSE, false));
        assertEquals(6, mmxOnly.faultOf("0f70c11b"));
        assertEquals(6, mmxOnly.faultOf("0f57c1"), "XORPS");
        assertEquals(6, mmxOnly.faultOf("0ff7c1"), "MASKMOVQ");
        assertEquals(-1, mmxOnly.faultOf("0f6ec0"), "MOVD mm, r32");
    }

    @Test
    void maskedStoreWithAnEmptyMaskTouchesNoMemory() {
        SimdHarness h = new SimdHarness() {
            @Override
            public void checkWritable(long offset, int len) { throw new AssertionError("probed"); }
        };
        h.s.fpu.mantissa[1] = 0x7F7F_7F7F_7F7F_7F7FL;
        h.run64("0ff7c1");
        h.s.fpu.mantissa[1] = 0x80;
        assertThrows(AssertionError.class, () -> h.run64("0ff7c1"), "a set mask bit probes the destination");
    }
}
