package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;
import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * Executes the MMX, SSE..SSE4.2 instructions and the newer integer ones that share their opcode space
 * (POPCNT, LZCNT/TZCNT, MOVBE, CRC32). Each family is one class; the unit tries them in turn, and the
 * shared operand and exception helpers live here. State lives in {@link FpuState}: XMM0-15, MXCSR, and
 * the x87 registers that MMX aliases.
 */
public final class SimdUnit {
    static final int UD = 6, NM = 7, MF = 16, XM = 19, GP = 13;
    static final long CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10;

    final CpuState s;
    final FpuState f;
    final long[] xmm;
    CpuModel model;

    private final SimdMove move = new SimdMove(this);
    private final SimdIntegerArith integer = new SimdIntegerArith(this);
    private final SimdSsse3Sse4 ssse3 = new SimdSsse3Sse4(this);
    private final SimdString string = new SimdString(this);
    private final SimdGpr gprOps = new SimdGpr(this);
    private final SimdFloat fp = new SimdFloat(this);

    public SimdUnit(CpuState s, CpuModel model) {
        this.s = s;
        this.f = s.fpu;
        this.xmm = s.fpu.xmm;
        this.model = model;
    }

    public void setModel(CpuModel model) { this.model = model; }

    /**
     * Executes {@code d} if it is an instruction of this unit.
     *
     * @return false if the opcode is none of its instructions (the caller raises #UD)
     */
    public boolean execute(DecodedInsn d, SimdContext c) {
        return move.execute(d, c) || integer.execute(d, c) || fp.execute(d, c) || ssse3.execute(d, c)
                || string.execute(d, c) || gprOps.execute(d, c);
    }

    /** F3 0F BC/BD is TZCNT/LZCNT here, not BSF/BSR: the executors ask before their own bit scans. */
    public boolean countsZeros(DecodedInsn d) { return gprOps.countsZeros(d); }

    // ---- exception checks (SDM Vol. 2 2.5, Vol. 3A 13.1.4 / 12.1) ----

    /** Before an SSE instruction: #UD with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS. */
    void checkSse(SimdContext c) {
        if ((s.cr0 & CpuState.CR0_EM) != 0 || (s.cr4 & CR4_OSFXSR) == 0) throw c.fault(UD);
        if ((s.cr0 & CpuState.CR0_TS) != 0) throw c.fault(NM);
    }

    /**
     * Before an MMX instruction: #UD with CR0.EM, #NM with CR0.TS, #MF for a pending unmasked x87
     * exception (FSW.ES) with CR0.NE; then the x87 becomes MMX-shaped: TOP = 0 and every tag valid
     * (SDM Vol. 1 9.5.1).
     */
    void checkMmx(SimdContext c) {
        if ((s.cr0 & CpuState.CR0_EM) != 0) throw c.fault(UD);
        if ((s.cr0 & CpuState.CR0_TS) != 0) throw c.fault(NM);
        if ((f.fsw & 0x80) != 0 && (s.cr0 & CpuState.CR0_NE) != 0) throw c.fault(MF);
        f.fsw &= ~0x3800;
        f.ftw = 0;
    }

    /**
     * An unmasked SIMD floating-point exception: #XM with CR4.OSXMMEXCPT, else #UD (SDM Vol. 3A 6.15,
     * interrupt 19).
     */
    RuntimeException simdFpException(SimdContext c) {
        return c.fault((s.cr4 & CR4_OSXMMEXCPT) != 0 ? XM : UD);
    }

    // ---- registers ----

    /** XMM register {@code r}, low and high quadwords. */
    long lo(int r) { return xmm[2 * r]; }

    long hi(int r) { return xmm[2 * r + 1]; }

    void setXmm(int r, long lo, long hi) {
        xmm[2 * r] = lo;
        xmm[2 * r + 1] = hi;
    }

    /** MMX register {@code i} (the significand of physical x87 register R{@code i}). */
    long mm(int i) { return f.mantissa[i & 7]; }

    /** Writing an MMX register sets the exponent field of its x87 register to all ones (SDM Vol. 1 9.5.1). */
    void setMm(int i, long v) {
        f.mantissa[i & 7] = v;
        f.signExp[i & 7] = 0xFFFF;
    }

    // ---- operands; results go to tmp[0] (low) and tmp[1] (high) ----

    /** Scratch for 128-bit operands: no allocation per instruction. */
    final long[] tmp = new long[2];

    /**
     * Reads the 128-bit r/m operand (XMM register or memory) into {@link #tmp}. {@code aligned}: a
     * memory operand not on a 16-byte boundary raises #GP(0) (MOVAPS, most packed forms).
     */
    void readXmmRm(DecodedInsn d, SimdContext c, boolean aligned) {
        if (!d.mem) {
            int r = d.rmX();
            tmp[0] = xmm[2 * r];
            tmp[1] = xmm[2 * r + 1];
            return;
        }
        if (aligned && (c.linearAddress() & 15) != 0) throw c.fault(GP);
        tmp[0] = c.read(0, 8);
        tmp[1] = c.read(8, 8);
    }

    /** Writes a 128-bit value to the r/m operand, all or nothing. */
    void writeXmmRm(DecodedInsn d, SimdContext c, boolean aligned, long lo, long hi) {
        if (!d.mem) {
            setXmm(d.rmX(), lo, hi);
            return;
        }
        if (aligned && (c.linearAddress() & 15) != 0) throw c.fault(GP);
        c.checkWritable(0, 16);
        c.write(0, 8, lo);
        c.write(8, 8, hi);
    }

    /** Reads {@code size} (4 or 8) bytes of the r/m operand: the low bits of an XMM register, or memory. */
    long readXmmRmScalar(DecodedInsn d, SimdContext c, int size) {
        if (!d.mem) {
            long v = xmm[2 * d.rmX()];
            return size == 8 ? v : v & ((1L << (8 * size)) - 1);
        }
        return c.read(0, size);
    }

    /** The 64-bit r/m operand of an MMX instruction: an MMX register (ModRM.rm, no REX) or memory. */
    long readMmRm(DecodedInsn d, SimdContext c) {
        return d.mem ? c.read(0, 8) : mm(d.rm);
    }
}
