package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/** The newer general-register instructions in the SSE opcode space: POPCNT, LZCNT, TZCNT and MOVBE. */
final class SimdGpr {
    private final SimdUnit u;

    SimdGpr(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }
}
