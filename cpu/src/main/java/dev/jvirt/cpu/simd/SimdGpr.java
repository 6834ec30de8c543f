package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * The newer general-register instructions in the SSE opcode space: POPCNT, LZCNT, TZCNT and MOVBE
 * (SDM Vol. 2). They touch neither XMM state nor CR0/CR4's SSE controls, so no checkSse.
 */
final class SimdGpr {
    private static final long ARITH = CpuState.FLAG_CF | CpuState.FLAG_PF | CpuState.FLAG_AF | CpuState.FLAG_ZF
            | CpuState.FLAG_SF | CpuState.FLAG_OF;

    private final SimdUnit u;

    SimdGpr(SimdUnit u) {
        this.u = u;
    }

    /**
     * F3 0F BC/BD is TZCNT/LZCNT only on a model with BMI1/ABM; elsewhere the F3 is ignored and the
     * executor runs BSF/BSR (SDM Vol. 2 LZCNT, TZCNT: "executes as BSR/BSF on processors that do not support").
     */
    boolean countsZeros(DecodedInsn d) {
        return d.simdPrefix() == DecodedInsn.SIMD_F3
                && u.model.has((d.op & 0xFF) == 0xBC ? CpuFeature.BMI1 : CpuFeature.ABM);
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        int op = d.op;
        int prefix = d.simdPrefix();
        if ((op == 0x1B8 || op == 0x1BC || op == 0x1BD) && prefix == DecodedInsn.SIMD_F3) {
            CpuFeature need = op == 0x1B8 ? CpuFeature.POPCNT : op == 0x1BC ? CpuFeature.BMI1 : CpuFeature.ABM;
            if (!u.model.has(need)) return false;
            if (d.lock) throw c.fault(SimdUnit.UD);
            count(d, c, op);
            return true;
        }
        if ((op == 0x2F0 || op == 0x2F1) && (prefix == DecodedInsn.SIMD_NONE || prefix == DecodedInsn.SIMD_66)) {
            if (d.lock || !d.mem || !u.model.has(CpuFeature.MOVBE)) throw c.fault(SimdUnit.UD);
            int size = d.size();
            if (op == 0x2F0) c.setGpr(size, d.regX(), swap(c.read(0, size), size));
            else c.write(0, size, swap(c.gpr(size, d.regX()), size));
            return true;
        }
        return false;
    }

    /**
     * POPCNT clears every arithmetic flag but ZF (set for a zero source); LZCNT/TZCNT set CF for a zero
     * source and ZF for a zero count, leaving the undefined OF, SF, AF, PF as they were.
     */
    private void count(DecodedInsn d, SimdContext c, int op) {
        int size = d.size(), bits = 8 * size;
        long v = d.mem ? c.read(0, size) : c.gpr(size, d.rmX());
        if (bits < 64) v &= (1L << bits) - 1;
        long f = c.rflags();
        long result;
        if (op == 0x1B8) {
            result = Long.bitCount(v);
            f &= ~ARITH;
            if (v == 0) f |= CpuState.FLAG_ZF;
        } else {
            result = v == 0 ? bits : op == 0x1BC ? Long.numberOfTrailingZeros(v) : Long.numberOfLeadingZeros(v) - (64 - bits);
            f &= ~(CpuState.FLAG_CF | CpuState.FLAG_ZF);
            if (v == 0) f |= CpuState.FLAG_CF;
            if (result == 0) f |= CpuState.FLAG_ZF;
        }
        c.setGpr(size, d.regX(), result);
        c.setRflags(f);
    }

    private static long swap(long v, int size) {
        return switch (size) {
            case 2 -> Short.reverseBytes((short) v) & 0xFFFFL;
            case 4 -> Integer.reverseBytes((int) v) & 0xFFFF_FFFFL;
            default -> Long.reverseBytes(v);
        };
    }
}
