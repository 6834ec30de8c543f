package dev.jvirt.cpu.x87;

/**
 * The floating-point unit as the interpreter (and later the translator) calls it. The caller has
 * already made the device-not-available checks (CR0.EM/TS: #NM) and the pending-exception check
 * before a waiting instruction (FSW.ES with CR0.NE: #MF); this unit only executes.
 */
public interface FpuUnit {
    /** Returned by {@link #execute} when EFLAGS is untouched. */
    long NO_FLAGS = -1;

    /**
     * Executes one x87 instruction: primary opcode 0xD8..0xDF and its ModRM byte.
     *
     * @param mem the memory operand for mod != 3, else null
     * @return {@link #NO_FLAGS}, or for FCOMI/FCOMIP/FUCOMI/FUCOMIP the new ZF|PF|CF bits of EFLAGS
     *         (the caller clears OF, SF and AF)
     */
    long execute(int opcode, int modrm, X87Memory mem, X87Env env);

    /** FSW.ES: an unmasked exception is pending; the next waiting instruction raises #MF (or FERR#). */
    boolean exceptionPending();

    /** FXSAVE: the 512-byte image (SDM Vol. 1 Table 10-2), 64-bit form when {@code env.rexW}. */
    void fxsave(X87Memory mem, X87Env env);

    /** FXRSTOR; the caller checks MXCSR reserved bits (#GP) before or via {@link #fxrstorMxcsrValid}. */
    void fxrstor(X87Memory mem, X87Env env);

    /** Whether the MXCSR value in an FXRSTOR image is acceptable (reserved bits clear). */
    boolean fxrstorMxcsrValid(X87Memory mem);
}
