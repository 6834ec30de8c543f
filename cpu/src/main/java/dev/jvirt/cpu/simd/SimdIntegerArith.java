package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/** MMX and SSE2 packed-integer arithmetic, comparisons, shifts, packs and multiplies (SDM Vol. 1 chapters 9 and 11). */
final class SimdIntegerArith {
    private final SimdUnit u;

    SimdIntegerArith(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }
}
