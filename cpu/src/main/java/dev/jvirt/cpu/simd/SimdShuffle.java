package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.decode.DecodedInsn;

import static dev.jvirt.cpu.CpuFeature.MMX;
import static dev.jvirt.cpu.CpuFeature.SSE;
import static dev.jvirt.cpu.CpuFeature.SSE2;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_66;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_F2;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_F3;
import static dev.jvirt.cpu.decode.DecodedInsn.SIMD_NONE;

/**
 * The rearranging half of {@link SimdMove}: UNPCK*, PUNPCK*, SHUFPS/PD, PSHUF*, PINSRW/PEXTRW, the logical
 * operations and the sign-mask extractions (MOVMSKPS/PD, PMOVMSKB).
 */
final class SimdShuffle {
    private static final int AND = 0, ANDN = 1, OR = 2, XOR = 3;

    private final SimdUnit u;
    private final SimdForms forms;

    SimdShuffle(SimdUnit u, SimdForms forms) {
        this.u = u;
        this.forms = forms;
    }

    boolean execute(DecodedInsn d, SimdContext c, int p) {
        switch (d.op & 0xFF) {
            case 0x14, 0x15 -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                unpack(d, c, p == SIMD_66 ? 64 : 32, d.op == 0x115);
            }
            case 0x60, 0x61, 0x62 -> punpck(d, c, 8 << (d.op - 0x160), false);
            case 0x68, 0x69, 0x6A -> punpck(d, c, 8 << (d.op - 0x168), true);
            case 0x6C, 0x6D -> {
                if (!SimdForms.wide(d)) return false;
                forms.xmm(d, c, SSE2);
                unpack(d, c, 64, d.op == 0x16D);
            }
            case 0x54, 0x55, 0x56, 0x57 -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                logicXmm(d, c, d.op - 0x154);
            }
            case 0xDB -> logic(d, c, AND);
            case 0xDF -> logic(d, c, ANDN);
            case 0xEB -> logic(d, c, OR);
            case 0xEF -> logic(d, c, XOR);
            case 0x50 -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                SimdForms.regOnly(d, c);
                int s = d.rmX();
                long lo = u.lo(s), hi = u.hi(s), m;
                if (p == SIMD_66) m = lo >>> 63 | (hi >>> 63) << 1;
                else m = lo >>> 31 & 1 | (lo >>> 63) << 1 | (hi >>> 31 & 1) << 2 | (hi >>> 63) << 3;
                c.setGpr(4, d.regX(), m);
            }
            case 0xD7 -> {
                long m;
                if (SimdForms.wide(d)) {
                    forms.xmm(d, c, SSE2);
                    SimdForms.regOnly(d, c);
                    m = byteSigns(u.lo(d.rmX())) | byteSigns(u.hi(d.rmX())) << 8;
                } else {
                    forms.mmx(d, c, SSE);
                    SimdForms.regOnly(d, c);
                    m = byteSigns(u.mm(d.rm));
                }
                c.setGpr(4, d.regX(), m);
            }
            case 0x70 -> pshuf(d, c, p);
            case 0xC6 -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                shufp(d, c, p == SIMD_66);
            }
            case 0xC4 -> pinsrw(d, c);
            case 0xC5 -> pextrw(d, c);
            default -> { return false; }
        }
        return true;
    }

    /** UNPCKLPS/UNPCKHPS ({@code w} 32) and UNPCKLPD/UNPCKHPD, PUNPCKLQDQ/PUNPCKHQDQ ({@code w} 64). */
    private void unpack(DecodedInsn d, SimdContext c, int w, boolean high) {
        u.readXmmRm(d, c, true);
        int r = d.regX();
        long a = high ? u.hi(r) : u.lo(r), b = high ? u.tmp[1] : u.tmp[0];
        if (w == 64) u.setXmm(r, a, b);
        else u.setXmm(r, IntLanes.interleave(a, b, w), IntLanes.interleave(a >>> 32, b >>> 32, w));
    }

    /** PUNPCKL* read only 32 bits from memory in the MMX form (mm, mm/m32); PUNPCKH* read 64. */
    private void punpck(DecodedInsn d, SimdContext c, int w, boolean high) {
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            unpack(d, c, w, high);
            return;
        }
        forms.mmx(d, c, MMX);
        long b = d.mem ? c.read(0, high ? 8 : 4) : u.mm(d.rm), a = u.mm(d.reg);
        u.setMm(d.reg, high ? IntLanes.interleave(a >>> 32, b >>> 32, w) : IntLanes.interleave(a, b, w));
    }

    private static long logic(int op, long a, long b) {
        return switch (op) {
            case AND -> a & b;
            case ANDN -> ~a & b;
            case OR -> a | b;
            default -> a ^ b;
        };
    }

    private void logicXmm(DecodedInsn d, SimdContext c, int op) {
        u.readXmmRm(d, c, true);
        int r = d.regX();
        u.setXmm(r, logic(op, u.lo(r), u.tmp[0]), logic(op, u.hi(r), u.tmp[1]));
    }

    /** PAND/PANDN/POR/PXOR: MMX, or SSE2 with 66. */
    private void logic(DecodedInsn d, SimdContext c, int op) {
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            logicXmm(d, c, op);
        } else {
            forms.mmx(d, c, MMX);
            u.setMm(d.reg, logic(op, u.mm(d.reg), u.readMmRm(d, c)));
        }
    }

    private static long byteSigns(long v) {
        long m = 0;
        for (int i = 0; i < 8; i++) m |= (v >>> (8 * i + 7) & 1) << i;
        return m;
    }

    /** 0F 70 ib: PSHUFW mm (SSE), PSHUFD (66), PSHUFHW (F3) and PSHUFLW (F2), all SSE2 in the XMM forms. */
    private void pshuf(DecodedInsn d, SimdContext c, int p) {
        int imm = (int) d.imm;
        if (p == SIMD_NONE) {
            forms.mmx(d, c, SSE);
            u.setMm(d.reg, words(u.readMmRm(d, c), imm));
            return;
        }
        forms.xmm(d, c, SSE2);
        u.readXmmRm(d, c, true);
        long lo = u.tmp[0], hi = u.tmp[1];
        int r = d.regX();
        switch (p) {
            case SIMD_F3 -> u.setXmm(r, lo, words(hi, imm));
            case SIMD_F2 -> u.setXmm(r, words(lo, imm), hi);
            default -> u.setXmm(r, dword(lo, hi, imm) | dword(lo, hi, imm >> 2) << 32,
                    dword(lo, hi, imm >> 4) | dword(lo, hi, imm >> 6) << 32);
        }
    }

    /** The four words of {@code v} reordered by the four 2-bit selectors of {@code imm}. */
    private static long words(long v, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) r |= (v >>> (16 * (imm >> (2 * i) & 3)) & 0xFFFF) << (16 * i);
        return r;
    }

    /** Doubleword {@code sel & 3} of the 128-bit value hi:lo. */
    private static long dword(long lo, long hi, int sel) {
        long q = (sel & 2) != 0 ? hi : lo;
        return (sel & 1) != 0 ? q >>> 32 : q & 0xFFFF_FFFFL;
    }

    /** SHUFPS: the low two doublewords come from the destination, the high two from the source; SHUFPD likewise by quadword. */
    private void shufp(DecodedInsn d, SimdContext c, boolean pd) {
        int imm = (int) d.imm, r = d.regX();
        u.readXmmRm(d, c, true);
        long a0 = u.lo(r), a1 = u.hi(r), b0 = u.tmp[0], b1 = u.tmp[1];
        if (pd) {
            u.setXmm(r, (imm & 1) != 0 ? a1 : a0, (imm & 2) != 0 ? b1 : b0);
        } else {
            u.setXmm(r, dword(a0, a1, imm) | dword(a0, a1, imm >> 2) << 32,
                    dword(b0, b1, imm >> 4) | dword(b0, b1, imm >> 6) << 32);
        }
    }

    /** PINSRW mm, r32/m16, imm8 (SSE) and the 66 XMM form (SSE2): the word selected by imm8's low 2 (3) bits. */
    private void pinsrw(DecodedInsn d, SimdContext c) {
        boolean x = SimdForms.wide(d);
        if (x) forms.xmm(d, c, SSE2);
        else forms.mmx(d, c, SSE);
        long v = d.mem ? c.read(0, 2) : c.gpr(4, d.rmX()) & 0xFFFF;
        if (x) {
            int r = d.regX(), sh = 16 * ((int) d.imm & 3);
            long m = 0xFFFFL << sh;
            if ((d.imm & 4) != 0) u.setXmm(r, u.lo(r), u.hi(r) & ~m | v << sh);
            else u.setXmm(r, u.lo(r) & ~m | v << sh, u.hi(r));
        } else {
            int sh = 16 * ((int) d.imm & 3);
            u.setMm(d.reg, u.mm(d.reg) & ~(0xFFFFL << sh) | v << sh);
        }
    }

    /** PEXTRW r32, mm/xmm, imm8: the selected word zero-extended into the general register. */
    private void pextrw(DecodedInsn d, SimdContext c) {
        long v;
        int sh = 16 * ((int) d.imm & 3);
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            SimdForms.regOnly(d, c);
            v = ((d.imm & 4) != 0 ? u.hi(d.rmX()) : u.lo(d.rmX())) >>> sh;
        } else {
            forms.mmx(d, c, SSE);
            SimdForms.regOnly(d, c);
            v = u.mm(d.rm) >>> sh;
        }
        c.setGpr(4, d.regX(), v & 0xFFFF);
    }
}
