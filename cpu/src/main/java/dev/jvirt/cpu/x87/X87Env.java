package dev.jvirt.cpu.x87;

/**
 * The context of the x87 instruction being executed, filled in by the CPU before each call (one
 * reused instance, so the hot path allocates nothing). It selects the FSTENV/FSAVE image format and
 * supplies the last-instruction and last-operand pointers (FIP/FCS/FOP, FDP/FDS).
 */
public final class X87Env {
    /** 32-bit operand size (else 16): the FSTENV/FSAVE image format. */
    public boolean operand32;
    /** Real or virtual-8086 mode: the real-mode FSTENV/FSAVE image format. */
    public boolean realMode;
    /** 64-bit mode with REX.W, for FXSAVE64/FXRSTOR64. */
    public boolean rexW;
    public int fcs;
    public long fip;
    public int fds;
    public long fdp;
    /** The architectural EFLAGS (CF, PF, ZF) before the instruction, for FCMOVcc. */
    public long eflags;
}
