package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

/** Data movement, shuffles, unpacks and logical operations of SSE/SSE2 (MOV*, UNPCK*, SHUF*, PSHUF*, AND/OR/XOR/ANDN, MOVMSK*, MOVNT*, MASKMOVDQU) in their MMX and XMM forms, and EMMS. */
final class SimdMove {
    private final SimdUnit u;

    SimdMove(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }
}
