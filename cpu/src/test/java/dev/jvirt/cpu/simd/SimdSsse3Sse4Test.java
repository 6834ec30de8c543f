package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.Test;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuState;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SSSE3 (MMX and XMM forms), the integer SSE4.1 instructions and PCMPGTQ against the host CPU. */
class SimdSsse3Sse4Test {
    private static final Set<String> SSSE3 = Set.of("pshufb", "phaddw", "phaddd", "phaddsw", "pmaddubsw", "phsubw",
            "phsubd", "phsubsw", "psignb", "psignw", "psignd", "pmulhrsw", "pabsb", "pabsw", "pabsd", "palignr");

    @Test
    void ssse3MatchesHost() {
        HostVectors.replay(SSSE3::contains);
    }

    @Test
    void sse41IntegerMatchesHost() {
        HostVectors.replay(m -> !SSSE3.contains(m) && m.startsWith("p") && !m.startsWith("pcmp") && !m.equals("popcnt")
                || m.equals("pcmpeqq") || m.equals("pcmpgtq") || m.equals("movntdqa") || m.equals("mpsadbw"));
    }

    /** RBX = MEM + 1: a misaligned operand for the 16-byte forms (bytes as GNU as encodes them). */
    private static SimdSse4Harness misaligned() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.g[3] = SimdSse4Harness.MEM + 1;
        return h;
    }

    @Test
    void packedMemoryOperandsMustBeAligned() {
        assertEquals(13, misaligned().faultOf("66 0f 38 00 0b", true), "PSHUFB xmm, m128");
        assertEquals(13, misaligned().faultOf("66 0f 38 2a 0b", true), "MOVNTDQA");
        assertEquals(13, misaligned().faultOf("66 0f 38 17 0b", true), "PTEST");
        assertEquals(13, misaligned().faultOf("66 0f 3a 0f 0b 03", true), "PALIGNR xmm");
        assertEquals(-1, misaligned().faultOf("0f 38 00 0b", true), "PSHUFB mm, m64 has no alignment rule");
        assertEquals(-1, misaligned().faultOf("66 0f 38 20 0b", true), "PMOVSXBW reads 8 bytes unaligned");
        assertEquals(-1, misaligned().faultOf("66 0f 3a 22 0b 01", true), "PINSRD m32");
    }

    @Test
    void undefinedAndUnavailableForms() {
        SimdSse4Harness noSsse3 = new SimdSse4Harness(SimdSse4Harness.fullModel().with(CpuFeature.SSSE3, false));
        assertEquals(6, noSsse3.faultOf("66 0f 38 00 ca", true), "PSHUFB needs SSSE3");
        SimdSse4Harness noSse42 = new SimdSse4Harness(SimdSse4Harness.fullModel().with(CpuFeature.SSE4_2, false));
        assertEquals(-1, noSse42.faultOf("66 0f 38 29 ca", true), "PCMPEQQ is SSE4.1");
        assertEquals(6, noSse42.faultOf("66 0f 38 37 ca", true), "PCMPGTQ is SSE4.2");
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        assertEquals(6, h.faultOf("66 0f 38 2a ca", true), "MOVNTDQA has no register form");
        assertEquals(6, h.faultOf("f0 66 0f 38 00 0b", true), "LOCK");
        assertEquals(6, h.faultOf("f3 0f 38 00 ca", true), "PSHUFB with F3");
        assertEquals(6, h.faultOf("0f 38 10 ca", true), "PBLENDVB has no MMX form");
        h.s.cr0 |= CpuState.CR0_TS;
        assertEquals(7, h.faultOf("66 0f 38 40 ca", true), "CR0.TS: #NM");
        assertEquals(7, h.faultOf("0f 38 1c ca", true), "CR0.TS: #NM for the MMX form too");
        h.s.cr0 &= ~CpuState.CR0_TS;
        h.s.cr4 &= ~SimdUnit.CR4_OSFXSR;
        assertEquals(6, h.faultOf("66 0f 38 40 ca", true), "no CR4.OSFXSR: #UD");
        assertEquals(-1, h.faultOf("0f 38 1c ca", true), "MMX forms do not need CR4.OSFXSR");
        h.s.cr0 |= CpuState.CR0_EM;
        assertEquals(6, h.faultOf("0f 38 1c ca", true), "CR0.EM: #UD for the MMX form");
    }

    @Test
    void mmxFormMakesTheX87StackMmxShaped() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.s.fpu.ftw = 0xFFFF;
        h.s.fpu.fsw = 0x3800;
        h.faultOf("0f 38 1c ca", true);
        assertEquals(0, h.s.fpu.ftw);
        assertEquals(0, h.s.fpu.fsw & 0x3800, "TOP = 0");
        assertEquals(0xFFFF, h.s.fpu.signExp[1], "the written MMX register's exponent is all ones");
    }

    @Test
    void thirtyTwoBitDecodingIgnoresRex() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.unit.setXmm(1, 0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L);
        h.g[0] = 0x12345678;
        // 66 0F 3A 16 C8 01: PEXTRD $1, %xmm1, %eax in 32-bit code
        assertEquals(-1, h.faultOf("66 0f 3a 16 c8 01", false));
        assertEquals(0x1111_2222L, h.g[0]);
    }

    @Test
    void pextrwRegisterFormOfTheThreeByteMapZeroExtends() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.unit.setXmm(1, 0, 0xBEEF_0000_0000_0000L);
        h.g[0] = -1L;
        // 66 REX.W 0F 3A 15 /r ib: PEXTRW r64, xmm1, 7 (GNU as prefers 0F C5 for the register form)
        assertEquals(-1, h.faultOf("66 48 0f 3a 15 c8 07", true));
        assertEquals(0xBEEFL, h.g[0]);
    }
}
