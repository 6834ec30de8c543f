package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * The checks before an MMX-register or XMM-register form runs (SDM Vol. 2 2.5 exception classes, Vol. 3A
 * 13.1.4): LOCK and a feature the model lacks are #UD before the CR0/CR4 checks.
 */
final class SimdForms {
    private final SimdUnit u;

    SimdForms(SimdUnit u) {
        this.u = u;
    }

    /** An XMM form introduced with {@code f} (SSE or SSE2). */
    void xmm(DecodedInsn d, SimdContext c, CpuFeature f) {
        if (d.lock || !u.model.has(f)) throw c.fault(SimdUnit.UD);
        u.checkSse(c);
    }

    /**
     * An MMX-register form; {@code f} is MMX, or SSE/SSE2 for the MMX forms those added (PAVGB, PSHUFW,
     * PADDQ, ...), which still follow the MMX rules: no CR4.OSFXSR check, x87 state taken over.
     */
    void mmx(DecodedInsn d, SimdContext c, CpuFeature f) {
        if (d.lock || !u.model.has(CpuFeature.MMX) || !u.model.has(f)) throw c.fault(SimdUnit.UD);
        u.checkMmx(c);
    }

    /** An instruction that needs its r/m to be a register (mod = 3); a memory form is #UD. */
    static void regOnly(DecodedInsn d, SimdContext c) {
        if (d.mem) throw c.fault(SimdUnit.UD);
    }

    /** An instruction that needs its r/m to be memory. */
    static void memOnly(DecodedInsn d, SimdContext c) {
        if (!d.mem) throw c.fault(SimdUnit.UD);
    }

    /** The XMM form (66) of an opcode without F2/F3 forms; callers have already refused F2/F3 ({@link #foreignRep}). */
    static boolean wide(DecodedInsn d) { return d.prefixCount > 0; }

    /** F2/F3 on an opcode that has no such form: #UD, as the processor does (checked on an x86-64 host). */
    static boolean foreignRep(DecodedInsn d) { return d.rep != DecodedInsn.REP_NONE; }
}
