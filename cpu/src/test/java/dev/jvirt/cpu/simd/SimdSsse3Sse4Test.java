package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.Test;

import java.util.Set;

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
}
