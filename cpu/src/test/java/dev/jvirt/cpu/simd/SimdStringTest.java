package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /** CRC32 r32, r/m of each width, folding a buffer in chunks of {@code size} bytes. */
    private static long crc32(byte[] data, int size) {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        String insn = switch (size) {
            case 1 -> "f2 0f 38 f0 c2";
            case 2 -> "66 f2 0f 38 f1 c2";
            case 4 -> "f2 0f 38 f1 c2";
            default -> "f2 48 0f 38 f1 c2";
        };
        h.g[0] = 0xFFFF_FFFFL;
        for (int i = 0; i < data.length; i += size) {
            long v = 0;
            for (int k = size - 1; k >= 0; k--) v = v << 8 | data[i + k] & 0xFF;
            h.g[2] = v | 0xDEAD_0000_0000_0000L & (size == 8 ? 0 : -1L); // bits above the source width are ignored
            assertEquals(-1, h.faultOf(insn, true));
        }
        return ~h.g[0] & 0xFFFF_FFFFL;
    }

    @Test
    void crc32IsCrc32c() {
        byte[] data = new byte[64];
        new Random(42).nextBytes(data);
        CRC32C ref = new CRC32C();
        ref.update(data);
        for (int size : new int[] {1, 2, 4, 8}) assertEquals(ref.getValue(), crc32(data, size), size + "-byte source");
    }

    @Test
    void crc32IsNotAnSseInstruction() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.s.cr4 = 0;
        assertEquals(-1, h.faultOf("f2 0f 38 f0 c2", true), "no CR4.OSFXSR needed");
        h.g[0] = -1L;
        assertEquals(-1, h.faultOf("f2 48 0f 38 f1 c2", true));
        assertEquals(0, h.g[0] >>> 32, "a 64-bit destination's upper half is cleared");
        assertEquals(6, new SimdSse4Harness(SimdSse4Harness.fullModel().with(CpuFeature.SSE4_2, false)).faultOf("f2 0f 38 f0 c2", true));
        assertEquals(6, h.faultOf("f0 f2 0f 38 f0 c2", true), "LOCK");
    }

    @Test
    void stringCompareAllowsUnalignedMemory() {
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.g[3] = SimdSse4Harness.MEM + 3;
        assertEquals(-1, h.faultOf("66 0f 3a 63 0b 0c", true), "PCMPISTRI xmm1, [rbx+3]");
        assertEquals(6, new SimdSse4Harness(SimdSse4Harness.fullModel().with(CpuFeature.SSE4_2, false)).faultOf("66 0f 3a 63 ca 00", true));
    }
}
