package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/** SSSE3 and the integer half of SSE4.1 (PSHUFB, PHADD*, PMADDUBSW, PALIGNR, PMOVSX/ZX, PMINxx/PMAXxx, PBLEND*, PEXTR and PINSR forms, PTEST, ...) and PCMPGTQ. */
final class SimdSsse3Sse4 {
    private final SimdUnit u;

    SimdSsse3Sse4(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }
}
