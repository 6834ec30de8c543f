package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.decode.DecodedInsn;

import static dev.jvirt.cpu.CpuFeature.MMX;
import static dev.jvirt.cpu.CpuFeature.SSE;
import static dev.jvirt.cpu.CpuFeature.SSE2;
import static dev.jvirt.cpu.simd.IntLanes.*;

/** MMX and SSE2 packed-integer arithmetic, comparisons, shifts, packs and multiplies (SDM Vol. 1 chapters 9 and 11). */
final class SimdIntegerArith {
    private static final int PACK = 16, MADD = 17, SAD = 18, MULUDQ = 19, SHIFT = 20;

    private final SimdUnit u;
    private final SimdForms forms;

    SimdIntegerArith(SimdUnit u) {
        this.u = u;
        this.forms = new SimdForms(u);
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        if ((d.op & 0xF00) != 0x100 || SimdForms.foreignRep(d)) return false;
        switch (d.op & 0xFF) {
            case 0x63 -> binary(d, c, PACK, 16, 0, MMX);
            case 0x67 -> binary(d, c, PACK, 16, 1, MMX);
            case 0x6B -> binary(d, c, PACK, 32, 0, MMX);
            case 0x64 -> binary(d, c, CMPGT, 8, 0, MMX);
            case 0x65 -> binary(d, c, CMPGT, 16, 0, MMX);
            case 0x66 -> binary(d, c, CMPGT, 32, 0, MMX);
            case 0x74 -> binary(d, c, CMPEQ, 8, 0, MMX);
            case 0x75 -> binary(d, c, CMPEQ, 16, 0, MMX);
            case 0x76 -> binary(d, c, CMPEQ, 32, 0, MMX);
            case 0x71, 0x72, 0x73 -> { return shiftImmediate(d, c); }
            case 0xD1 -> binary(d, c, SHIFT, 16, 0, MMX);
            case 0xD2 -> binary(d, c, SHIFT, 32, 0, MMX);
            case 0xD3 -> binary(d, c, SHIFT, 64, 0, MMX);
            case 0xE1 -> binary(d, c, SHIFT, 16, 1, MMX);
            case 0xE2 -> binary(d, c, SHIFT, 32, 1, MMX);
            case 0xF1 -> binary(d, c, SHIFT, 16, 2, MMX);
            case 0xF2 -> binary(d, c, SHIFT, 32, 2, MMX);
            case 0xF3 -> binary(d, c, SHIFT, 64, 2, MMX);
            case 0xD4 -> binary(d, c, ADD, 64, 0, SSE2);
            case 0xD5 -> binary(d, c, MULL, 16, 0, MMX);
            case 0xD8 -> binary(d, c, SUBUS, 8, 0, MMX);
            case 0xD9 -> binary(d, c, SUBUS, 16, 0, MMX);
            case 0xDA -> binary(d, c, MINU, 8, 0, SSE);
            case 0xDC -> binary(d, c, ADDUS, 8, 0, MMX);
            case 0xDD -> binary(d, c, ADDUS, 16, 0, MMX);
            case 0xDE -> binary(d, c, MAXU, 8, 0, SSE);
            case 0xE0 -> binary(d, c, AVG, 8, 0, SSE);
            case 0xE3 -> binary(d, c, AVG, 16, 0, SSE);
            case 0xE4 -> binary(d, c, MULHU, 16, 0, SSE);
            case 0xE5 -> binary(d, c, MULH, 16, 0, MMX);
            case 0xE8 -> binary(d, c, SUBS, 8, 0, MMX);
            case 0xE9 -> binary(d, c, SUBS, 16, 0, MMX);
            case 0xEA -> binary(d, c, MINS, 16, 0, SSE);
            case 0xEC -> binary(d, c, ADDS, 8, 0, MMX);
            case 0xED -> binary(d, c, ADDS, 16, 0, MMX);
            case 0xEE -> binary(d, c, MAXS, 16, 0, SSE);
            case 0xF4 -> binary(d, c, MULUDQ, 64, 0, SSE2);
            case 0xF5 -> binary(d, c, MADD, 32, 0, MMX);
            case 0xF6 -> binary(d, c, SAD, 64, 0, SSE);
            case 0xF8 -> binary(d, c, SUB, 8, 0, MMX);
            case 0xF9 -> binary(d, c, SUB, 16, 0, MMX);
            case 0xFA -> binary(d, c, SUB, 32, 0, MMX);
            case 0xFB -> binary(d, c, SUB, 64, 0, SSE2);
            case 0xFC -> binary(d, c, ADD, 8, 0, MMX);
            case 0xFD -> binary(d, c, ADD, 16, 0, MMX);
            case 0xFE -> binary(d, c, ADD, 32, 0, MMX);
            default -> { return false; }
        }
        return true;
    }

    /**
     * {@code op mm, mm/m64} (the MMX form, feature {@code mmxFeature}) or {@code op xmm, xmm/m128} with 66
     * (SSE2, aligned memory). {@code arg}: PACK unsigned (1), or the SHIFT direction.
     */
    private void binary(DecodedInsn d, SimdContext c, int kind, int w, int arg, CpuFeature mmxFeature) {
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            u.readXmmRm(d, c, true);
            int r = d.regX();
            long a0 = u.lo(r), a1 = u.hi(r), b0 = u.tmp[0], b1 = u.tmp[1];
            switch (kind) {
                case PACK -> u.setXmm(r, pack(a0, a1, w, arg != 0), pack(b0, b1, w, arg != 0));
                case SHIFT -> u.setXmm(r, shift(arg, w, a0, b0), shift(arg, w, a1, b0));
                default -> u.setXmm(r, chunk(kind, w, a0, b0), chunk(kind, w, a1, b1));
            }
        } else {
            forms.mmx(d, c, mmxFeature);
            long b = u.readMmRm(d, c);
            long a = u.mm(d.reg);
            u.setMm(d.reg, kind == PACK ? pack(a, b, w, arg != 0) : kind == SHIFT ? shift(arg, w, a, b) : chunk(kind, w, a, b));
        }
    }

    private static long chunk(int kind, int w, long a, long b) {
        return switch (kind) {
            case MADD -> maddwd(a, b);
            case SAD -> sadbw(a, b);
            case MULUDQ -> muludq(a, b);
            default -> apply(kind, w, a, b);
        };
    }

    /**
     * Groups 12-14 (0F 71/72/73 /r ib, register operand only): PSRLW/PSRAW/PSLLW, the D and Q forms, and
     * with 66 PSRLDQ (/3) and PSLLDQ (/7), which shift the whole register by bytes.
     */
    private boolean shiftImmediate(DecodedInsn d, SimdContext c) {
        int w = 16 << (d.op - 0x171);
        int dir = switch (d.reg) {
            case 2 -> 0;
            case 4 -> w == 64 ? -1 : 1;
            case 6 -> 2;
            case 3, 7 -> w == 64 && SimdForms.wide(d) ? 3 : -1;
            default -> -1;
        };
        if (dir < 0) return false;
        if (d.mem) throw c.fault(SimdUnit.UD);
        long count = d.imm & 0xFF;
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            int r = d.rmX();
            if (dir == 3) {
                shiftBytes(r, (int) count, d.reg == 7);
                return true;
            }
            u.setXmm(r, shift(dir, w, u.lo(r), count), shift(dir, w, u.hi(r), count));
        } else {
            forms.mmx(d, c, MMX);
            u.setMm(d.rm, shift(dir, w, u.mm(d.rm), count));
        }
        return true;
    }

    /** PSLLDQ/PSRLDQ: the 128-bit register shifted by {@code n} bytes, zeros shifted in (n > 15 clears it). */
    private void shiftBytes(int r, int n, boolean left) {
        long lo = u.lo(r), hi = u.hi(r);
        if (n > 15) {
            u.setXmm(r, 0, 0);
            return;
        }
        int bits = 8 * n;
        if (bits == 0) return;
        if (left) {
            if (bits >= 64) u.setXmm(r, 0, lo << (bits - 64));
            else u.setXmm(r, lo << bits, hi << bits | lo >>> (64 - bits));
        } else {
            if (bits >= 64) u.setXmm(r, hi >>> (bits - 64), 0);
            else u.setXmm(r, lo >>> bits | hi << (64 - bits), hi >>> bits);
        }
    }
}
