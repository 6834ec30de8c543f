package dev.jvirt.cpu.simd;

import org.junit.jupiter.api.Test;

/** POPCNT, LZCNT, TZCNT and MOVBE. */
class SimdGprTest {
    @Test
    void countsAndMovbeMatchHost() {
        HostVectors.replay(m -> m.equals("popcnt") || m.equals("lzcnt") || m.equals("tzcnt") || m.equals("movbe"));
    }
}
