package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/** SSE4.2 string compares (PCMPESTRI/M, PCMPISTRI/M) and CRC32. */
final class SimdString {
    private final SimdUnit u;

    SimdString(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }
}
