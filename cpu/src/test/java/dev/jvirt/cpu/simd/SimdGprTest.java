package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** POPCNT, LZCNT, TZCNT and MOVBE. */
class SimdGprTest {
    @Test
    void countsAndMovbeMatchHost() {
        HostVectors.replay(m -> m.equals("popcnt") || m.equals("lzcnt") || m.equals("tzcnt") || m.equals("movbe"));
    }

    @Test
    void undefinedForms() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        assertEquals(6, h.faultOf("0f 38 f0 c2", true), "MOVBE has no register form");
        assertEquals(6, h.faultOf("f0 0f 38 f0 03", true), "LOCK MOVBE");
        assertEquals(6, h.faultOf("f0 f3 0f b8 c2", true), "LOCK POPCNT");
        assertEquals(6, h.faultOf("0f b8 c2", true), "0F B8 without F3 (JMPE) is not POPCNT");
        assertEquals(6, new SimdSse4Harness(SimdSse4Harness.fullModel().with(CpuFeature.POPCNT, false)).faultOf("f3 0f b8 c2", true));
        assertEquals(6, new SimdSse4Harness(SimdSse4Harness.fullModel().with(CpuFeature.MOVBE, false)).faultOf("0f 38 f0 03", true));
    }

    @Test
    void countsZerosOnlyWithTheFeature() {
        var d = new dev.jvirt.cpu.decode.DecodedInsn();
        byte[] lz = SimdSse4Harness.hex("f3 0f bd c2"), tz = SimdSse4Harness.hex("f3 0f bc c2"), bsr = SimdSse4Harness.hex("0f bd c2");
        SimdUnit abmOnly = new SimdUnit(new dev.jvirt.cpu.CpuState(), SimdSse4Harness.fullModel().with(CpuFeature.BMI1, false));
        dev.jvirt.cpu.decode.Decoder64.decode(i -> lz[i] & 0xFF, d);
        assertEquals(true, abmOnly.countsZeros(d));
        dev.jvirt.cpu.decode.Decoder64.decode(i -> tz[i] & 0xFF, d);
        assertEquals(false, abmOnly.countsZeros(d), "TZCNT is BSF without BMI1");
        dev.jvirt.cpu.decode.Decoder64.decode(i -> bsr[i] & 0xFF, d);
        assertEquals(false, abmOnly.countsZeros(d), "no F3: BSR");
    }
}
