package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * Executes the MMX, SSE..SSE4.2 instructions and the newer integer ones that share their opcode space
 * (POPCNT, LZCNT/TZCNT, MOVBE, CRC32). Each family is one class; the unit tries them in turn.
 * State lives in {@link FpuState} (XMM0-15, MXCSR, and the x87 registers that MMX aliases).
 */
public final class SimdUnit {
    static final int UD = 6, NM = 7, MF = 16, XM = 19, GP = 13;

    final CpuState s;
    final FpuState f;
    CpuModel model;

    public SimdUnit(CpuState s, CpuModel model) {
        this.s = s;
        this.f = s.fpu;
        this.model = model;
    }

    public void setModel(CpuModel model) { this.model = model; }

    /**
     * Executes {@code d} if it is an instruction of this unit.
     *
     * @return false if the opcode is none of its instructions (the caller raises #UD)
     */
    public boolean execute(DecodedInsn d, SimdContext c) {
        return false;
    }

    /**
     * The checks before an SSE instruction (SDM Vol. 3A 13.1.4, Vol. 2 Table 2-? "Exception conditions"):
     * #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS.
     */
    void checkSse(SimdContext c) {
        if ((s.cr0 & CpuState.CR0_EM) != 0 || (s.cr4 & 0x200) == 0) throw c.fault(UD);
        if ((s.cr0 & CpuState.CR0_TS) != 0) throw c.fault(NM);
    }
}
