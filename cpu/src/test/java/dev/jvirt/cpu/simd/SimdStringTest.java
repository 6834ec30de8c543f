package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.Test;

/** PCMPESTRI/M, PCMPISTRI/M and CRC32 against the host CPU. */
class SimdStringTest {
    @Test
    void stringCompareMatchesHost() {
        HostVectors.replay(m -> m.startsWith("pcmpe") && !m.equals("pcmpeqq") || m.startsWith("pcmpi"));
    }

    @Test
    void crc32MatchesHost() {
        HostVectors.replay(m -> m.startsWith("crc32"));
    }
}
