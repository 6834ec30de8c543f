package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.FpuState;

/**
 * The x87 state in memory: the FSTENV/FLDENV environment and FSAVE/FRSTOR image in their four
 * formats (SDM Vol. 1 Figures 8-9 to 8-12: 32/16-bit operand size by protected/real mode), and the
 * 512-byte FXSAVE/FXRSTOR image (Vol. 1 Tables 10-2 and 10-3, with the abridged tag byte).
 */
final class X87StateImage {
    /** MXCSR bits this processor implements (DAZ included); the rest must be clear for FXRSTOR. */
    static final int MXCSR_MASK = 0xFFFF;

    private X87StateImage() { }

    /** FNINIT: the state of SDM Vol. 2 FINIT/FNINIT (data registers untouched). */
    static void init(FpuState fpu) {
        fpu.fcw = 0x37F;
        fpu.fsw = 0;
        fpu.ftw = 0xFFFF;
        fpu.fop = 0;
        fpu.fip = fpu.fdp = 0;
        fpu.fcs = fpu.fds = 0;
    }

    /** The full tag word as FSTENV stores it: empty, or computed from the register's contents. */
    static int computedTags(FpuState fpu) {
        int t = 0;
        for (int p = 0; p < 8; p++) {
            int tag = (fpu.ftw >> (2 * p)) & 3;
            if (tag != X87Stack.TAG_EMPTY) tag = X87Stack.tagFor(fpu.signExp[p], fpu.mantissa[p]);
            t |= tag << (2 * p);
        }
        return t;
    }

    /** Stores the environment; returns its size (28 or 14 bytes). */
    static int storeEnv(FpuState fpu, X87Memory mem, X87Env env) {
        int ftw = computedTags(fpu);
        if (env.operand32) {
            mem.write(0, 4, 0xFFFF_0000L | fpu.fcw);
            mem.write(4, 4, 0xFFFF_0000L | fpu.fsw);
            mem.write(8, 4, 0xFFFF_0000L | ftw);
            if (env.realMode) {
                long ip = realLinear(fpu.fcs, fpu.fip), dp = realLinear(fpu.fds, fpu.fdp);
                mem.write(12, 4, 0xFFFF_0000L | (ip & 0xFFFF));
                mem.write(16, 4, ((ip >>> 16) & 0xFFFF) << 12 | (fpu.fop & 0x7FF));
                mem.write(20, 4, 0xFFFF_0000L | (dp & 0xFFFF));
                mem.write(24, 4, ((dp >>> 16) & 0xFFFF) << 12);
            } else {
                mem.write(12, 4, fpu.fip & 0xFFFF_FFFFL);
                mem.write(16, 4, (long) (fpu.fop & 0x7FF) << 16 | (fpu.fcs & 0xFFFF));
                mem.write(20, 4, fpu.fdp & 0xFFFF_FFFFL);
                mem.write(24, 4, 0xFFFF_0000L | (fpu.fds & 0xFFFF));
            }
            return 28;
        }
        mem.write(0, 2, fpu.fcw);
        mem.write(2, 2, fpu.fsw);
        mem.write(4, 2, ftw);
        if (env.realMode) {
            long ip = realLinear(fpu.fcs, fpu.fip), dp = realLinear(fpu.fds, fpu.fdp);
            mem.write(6, 2, ip & 0xFFFF);
            mem.write(8, 2, ((ip >>> 16) & 0xF) << 12 | (fpu.fop & 0x7FF));
            mem.write(10, 2, dp & 0xFFFF);
            mem.write(12, 2, ((dp >>> 16) & 0xF) << 12);
        } else {
            mem.write(6, 2, fpu.fip & 0xFFFF);
            mem.write(8, 2, fpu.fcs & 0xFFFF);
            mem.write(10, 2, fpu.fdp & 0xFFFF);
            mem.write(12, 2, fpu.fds & 0xFFFF);
        }
        return 14;
    }

    /** Real mode images hold the 20/32-bit linear pointer (segment * 16 + offset). */
    private static long realLinear(int seg, long off) {
        return (((long) (seg & 0xFFFF) << 4) + off) & 0xFFFF_FFFFL;
    }

    /**
     * Loads the environment at {@code base}; returns its size. All fields are read before any is
     * changed, so a fault part way leaves the state intact. Non-empty tags are recomputed.
     */
    static int loadEnv(FpuState fpu, X87Memory mem, X87Env env, int base) {
        int unit = env.operand32 ? 4 : 2;
        long w0 = mem.read(base, 2), w1 = mem.read(base + unit, 2), w2 = mem.read(base + 2L * unit, 2);
        long w3 = mem.read(base + 3L * unit, unit), w4 = mem.read(base + 4L * unit, unit);
        long w5 = mem.read(base + 5L * unit, unit), w6 = mem.read(base + 6L * unit, unit);
        fpu.fcw = ((int) w0 & 0x1F7F) | 0x40;
        fpu.fsw = (int) w1;
        fpu.ftw = (int) w2;
        if (env.realMode) {
            // 32-bit: bits 12-27 hold pointer bits 31..16; 16-bit: bits 12-15 hold bits 19..16
            long highMask = env.operand32 ? 0xFFFF : 0xF;
            fpu.fip = (w3 & 0xFFFF) | ((w4 >>> 12) & highMask) << 16;
            fpu.fop = (int) (w4 & 0x7FF);
            fpu.fdp = (w5 & 0xFFFF) | ((w6 >>> 12) & highMask) << 16;
            fpu.fcs = fpu.fds = 0;
        } else if (env.operand32) {
            fpu.fip = w3;
            fpu.fcs = (int) (w4 & 0xFFFF);
            fpu.fop = (int) ((w4 >>> 16) & 0x7FF);
            fpu.fdp = w5;
            fpu.fds = (int) (w6 & 0xFFFF);
        } else {
            fpu.fip = w3;
            fpu.fcs = (int) w4;
            fpu.fop = 0; // the 16-bit protected-mode image has no opcode field
            fpu.fdp = w5;
            fpu.fds = (int) w6;
        }
        fpu.ftw = computedTags(fpu);
        return env.operand32 ? 28 : 14;
    }

    /** FNSAVE's image (the caller then reinitialises): environment plus ST(0)..ST(7). */
    static void fsave(FpuState fpu, X87Memory mem, X87Env env) {
        int base = storeEnv(fpu, mem, env);
        int top = (fpu.fsw >> 11) & 7;
        for (int i = 0; i < 8; i++) {
            int p = (top + i) & 7;
            mem.write(base + 10L * i, 8, fpu.mantissa[p]);
            mem.write(base + 10L * i + 8, 2, fpu.signExp[p] & 0xFFFF);
        }
    }

    static void frstor(FpuState fpu, X87Memory mem, X87Env env) {
        int base = env.operand32 ? 28 : 14;
        long[] m = new long[8];
        int[] se = new int[8];
        for (int i = 0; i < 8; i++) { // read everything before changing state (a fault leaves it intact)
            m[i] = mem.read(base + 10L * i, 8);
            se[i] = (int) mem.read(base + 10L * i + 8, 2);
        }
        loadEnv(fpu, mem, env, 0);
        int top = (fpu.fsw >> 11) & 7;
        for (int i = 0; i < 8; i++) {
            int p = (top + i) & 7;
            fpu.mantissa[p] = m[i];
            fpu.signExp[p] = se[i];
        }
        fpu.ftw = computedTags(fpu);
    }

    /** FXSAVE / FXSAVE64 (REX.W: 64-bit FPU IP and DP, no selectors). */
    static void fxsave(FpuState fpu, X87Memory mem, X87Env env, int xmmCount) {
        mem.write(0, 2, fpu.fcw);
        mem.write(2, 2, fpu.fsw);
        mem.write(4, 1, fpu.abridgedTag());
        mem.write(5, 1, 0);
        mem.write(6, 2, fpu.fop & 0x7FF);
        if (env.rexW) {
            mem.write(8, 8, fpu.fip);
            mem.write(16, 8, fpu.fdp);
        } else {
            mem.write(8, 4, fpu.fip & 0xFFFF_FFFFL);
            mem.write(12, 2, fpu.fcs & 0xFFFF);
            mem.write(14, 2, 0);
            mem.write(16, 4, fpu.fdp & 0xFFFF_FFFFL);
            mem.write(20, 2, fpu.fds & 0xFFFF);
            mem.write(22, 2, 0);
        }
        mem.write(24, 4, fpu.mxcsr & 0xFFFF_FFFFL);
        mem.write(28, 4, MXCSR_MASK);
        int top = (fpu.fsw >> 11) & 7;
        for (int i = 0; i < 8; i++) {
            int p = (top + i) & 7;
            mem.write(32 + 16L * i, 8, fpu.mantissa[p]);
            mem.write(40 + 16L * i, 2, fpu.signExp[p] & 0xFFFF);
            mem.write(42 + 16L * i, 2, 0);
            mem.write(44 + 16L * i, 4, 0);
        }
        for (int i = 0; i < xmmCount; i++) {
            mem.write(160 + 16L * i, 8, fpu.xmm[2 * i]);
            mem.write(168 + 16L * i, 8, fpu.xmm[2 * i + 1]);
        }
    }

    static void fxrstor(FpuState fpu, X87Memory mem, X87Env env, int xmmCount) {
        int fcw = (int) mem.read(0, 2), fsw = (int) mem.read(2, 2), tag = (int) mem.read(4, 1);
        int fop = (int) mem.read(6, 2) & 0x7FF;
        long fip, fdp;
        int fcs = 0, fds = 0;
        if (env.rexW) {
            fip = mem.read(8, 8);
            fdp = mem.read(16, 8);
        } else {
            fip = mem.read(8, 4);
            fcs = (int) mem.read(12, 2);
            fdp = mem.read(16, 4);
            fds = (int) mem.read(20, 2);
        }
        int mxcsr = (int) mem.read(24, 4);
        long[] m = new long[8];
        int[] se = new int[8];
        for (int i = 0; i < 8; i++) {
            m[i] = mem.read(32 + 16L * i, 8);
            se[i] = (int) mem.read(40 + 16L * i, 2);
        }
        long[] xmm = new long[2 * xmmCount];
        for (int i = 0; i < xmmCount; i++) {
            xmm[2 * i] = mem.read(160 + 16L * i, 8);
            xmm[2 * i + 1] = mem.read(168 + 16L * i, 8);
        }
        fpu.fcw = (fcw & 0x1F7F) | 0x40;
        fpu.fsw = fsw;
        fpu.fop = fop;
        fpu.fip = fip;
        fpu.fdp = fdp;
        fpu.fcs = fcs;
        fpu.fds = fds;
        fpu.mxcsr = mxcsr & MXCSR_MASK;
        int top = (fsw >> 11) & 7;
        for (int i = 0; i < 8; i++) {
            int p = (top + i) & 7;
            fpu.mantissa[p] = m[i];
            fpu.signExp[p] = se[i];
        }
        int ftw = 0;
        for (int p = 0; p < 8; p++) {
            int t = (tag >> p & 1) == 0 ? X87Stack.TAG_EMPTY : X87Stack.tagFor(fpu.signExp[p], fpu.mantissa[p]);
            ftw |= t << (2 * p);
        }
        fpu.ftw = ftw;
        System.arraycopy(xmm, 0, fpu.xmm, 0, xmm.length);
    }
}
