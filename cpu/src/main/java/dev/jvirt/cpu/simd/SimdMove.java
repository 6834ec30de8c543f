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
 * Data movement of MMX and SSE/SSE2 (MOV*, MOVNT*, MASKMOV*, MOVQ2DQ/MOVDQ2Q) and EMMS; shuffles, unpacks,
 * logic and mask extraction are in {@link SimdShuffle}.
 */
final class SimdMove {
    private final SimdUnit u;
    private final SimdForms forms;
    private final SimdShuffle shuffle;

    SimdMove(SimdUnit u) {
        this.u = u;
        this.forms = new SimdForms(u);
        this.shuffle = new SimdShuffle(u, forms);
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        if ((d.op & 0xF00) != 0x100) return false;
        int p = d.simdPrefix();
        if (p >= SIMD_F3 && !hasRepForm(d.op & 0xFF)) return false;
        switch (d.op & 0xFF) {
            case 0x10 -> load(d, c, p);
            case 0x11 -> store(d, c, p);
            case 0x12, 0x13, 0x16, 0x17 -> { return p <= SIMD_66 && halves(d, c, p); }
            case 0x28 -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                u.readXmmRm(d, c, true);
                u.setXmm(d.regX(), u.tmp[0], u.tmp[1]);
            }
            case 0x29 -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                storeXmm(d, c, true);
            }
            case 0x2B -> {
                if (p > SIMD_66) return false;
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                SimdForms.memOnly(d, c);
                storeXmm(d, c, true);
            }
            case 0x6E -> movdToVector(d, c);
            case 0x7E -> { return movdFromVector(d, c, p); }
            case 0x6F -> { return moveQuadOrDouble(d, c, p, false); }
            case 0x7F -> { return moveQuadOrDouble(d, c, p, true); }
            case 0xD6 -> { return movqD6(d, c, p); }
            case 0xE7 -> nonTemporal(d, c);
            case 0xF7 -> maskedStore(d, c);
            case 0xC3 -> {
                if (d.lock || !u.model.has(SSE2)) throw c.fault(SimdUnit.UD);
                SimdForms.memOnly(d, c);
                int size = (d.rex & 8) != 0 ? 8 : 4;
                c.write(0, size, c.gpr(size, d.regX()));
            }
            case 0x77 -> {
                if (p != SIMD_NONE) return false;
                forms.mmx(d, c, MMX);
                u.f.ftw = 0xFFFF; // all empty; checkMmx already set TOP = 0 (SDM Vol. 1 Table 9-3)
            }
            default -> { return shuffle.execute(d, c, p); }
        }
        return true;
    }

    /** Opcodes of this family whose F3 or F2 form is an instruction (of this family or another). */
    private static boolean hasRepForm(int op) {
        return switch (op) {
            case 0x10, 0x11, 0x12, 0x13, 0x16, 0x17, 0x6F, 0x7F, 0x70, 0x7E, 0xD6 -> true;
            default -> false;
        };
    }

    /** 0F 10: MOVUPS/MOVUPD, and MOVSS/MOVSD, which zero the rest of the register only when loading from memory. */
    private void load(DecodedInsn d, SimdContext c, int p) {
        int r = d.regX();
        switch (p) {
            case SIMD_F3 -> {
                forms.xmm(d, c, SSE);
                long v = u.readXmmRmScalar(d, c, 4);
                u.setXmm(r, d.mem ? v : (u.lo(r) & ~0xFFFF_FFFFL) | v, d.mem ? 0 : u.hi(r));
            }
            case SIMD_F2 -> {
                forms.xmm(d, c, SSE2);
                long v = u.readXmmRmScalar(d, c, 8);
                u.setXmm(r, v, d.mem ? 0 : u.hi(r));
            }
            default -> {
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                u.readXmmRm(d, c, false);
                u.setXmm(r, u.tmp[0], u.tmp[1]);
            }
        }
    }

    /** 0F 11: the stores; MOVSS/MOVSD to a register replace only its low element. */
    private void store(DecodedInsn d, SimdContext c, int p) {
        int r = d.regX(), t = d.rmX();
        switch (p) {
            case SIMD_F3 -> {
                forms.xmm(d, c, SSE);
                long v = u.lo(r) & 0xFFFF_FFFFL;
                if (d.mem) c.write(0, 4, v);
                else u.setXmm(t, (u.lo(t) & ~0xFFFF_FFFFL) | v, u.hi(t));
            }
            case SIMD_F2 -> {
                forms.xmm(d, c, SSE2);
                if (d.mem) c.write(0, 8, u.lo(r));
                else u.setXmm(t, u.lo(r), u.hi(t));
            }
            default -> {
                forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
                storeXmm(d, c, false);
            }
        }
    }

    private void storeXmm(DecodedInsn d, SimdContext c, boolean aligned) {
        int r = d.regX();
        u.writeXmmRm(d, c, aligned, u.lo(r), u.hi(r));
    }

    /**
     * 0F 12/13/16/17 without F2/F3: MOVLPS/MOVLPD and MOVHPS/MOVHPD (64-bit memory, any alignment), and with
     * a register source MOVHLPS (12) and MOVLHPS (16); 13/17 and the PD loads have no register form.
     */
    private boolean halves(DecodedInsn d, SimdContext c, int p) {
        forms.xmm(d, c, p == SIMD_66 ? SSE2 : SSE);
        int r = d.regX();
        boolean high = d.op >= 0x116;
        if ((d.op & 1) != 0) {
            SimdForms.memOnly(d, c);
            c.write(0, 8, high ? u.hi(r) : u.lo(r));
            return true;
        }
        if (!d.mem) {
            if (p == SIMD_66) throw c.fault(SimdUnit.UD);
            int s = d.rmX();
            if (high) u.setXmm(r, u.lo(r), u.lo(s));
            else u.setXmm(r, u.hi(s), u.hi(r));
            return true;
        }
        long v = c.read(0, 8);
        if (high) u.setXmm(r, u.lo(r), v);
        else u.setXmm(r, v, u.hi(r));
        return true;
    }

    /** 0F 6E: MOVD/MOVQ mm, r/m32(64); with 66 the XMM form, zero-extended to 128 bits. REX.W selects 64 bits. */
    private void movdToVector(DecodedInsn d, SimdContext c) {
        int size = (d.rex & 8) != 0 ? 8 : 4;
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            u.setXmm(d.regX(), d.mem ? c.read(0, size) : c.gpr(size, d.rmX()), 0);
        } else {
            forms.mmx(d, c, MMX);
            u.setMm(d.reg, d.mem ? c.read(0, size) : c.gpr(size, d.rmX()));
        }
    }

    /** 0F 7E: MOVD/MOVQ r/m32(64), mm or (66) xmm; F3 0F 7E is MOVQ xmm, xmm/m64 (upper quadword cleared). */
    private boolean movdFromVector(DecodedInsn d, SimdContext c, int p) {
        if (p == SIMD_F2) return false;
        if (p == SIMD_F3) {
            forms.xmm(d, c, SSE2);
            u.setXmm(d.regX(), u.readXmmRmScalar(d, c, 8), 0);
            return true;
        }
        long v;
        if (p == SIMD_66) {
            forms.xmm(d, c, SSE2);
            v = u.lo(d.regX());
        } else {
            forms.mmx(d, c, MMX);
            v = u.mm(d.reg);
        }
        int size = (d.rex & 8) != 0 ? 8 : 4;
        if (d.mem) c.write(0, size, v);
        else c.setGpr(size, d.rmX(), size == 8 ? v : v & 0xFFFF_FFFFL);
        return true;
    }

    /** 0F 6F/7F: MOVQ mm, mm/m64 (and the store), MOVDQA (66, aligned) and MOVDQU (F3). */
    private boolean moveQuadOrDouble(DecodedInsn d, SimdContext c, int p, boolean toRm) {
        if (p == SIMD_F2) return false;
        if (p == SIMD_NONE) {
            forms.mmx(d, c, MMX);
            if (toRm) {
                if (d.mem) c.write(0, 8, u.mm(d.reg));
                else u.setMm(d.rm, u.mm(d.reg));
            } else {
                u.setMm(d.reg, u.readMmRm(d, c));
            }
            return true;
        }
        forms.xmm(d, c, SSE2);
        boolean aligned = p == SIMD_66;
        if (toRm) {
            storeXmm(d, c, aligned);
        } else {
            u.readXmmRm(d, c, aligned);
            u.setXmm(d.regX(), u.tmp[0], u.tmp[1]);
        }
        return true;
    }

    /** 0F D6: 66 MOVQ xmm/m64, xmm; F3 MOVQ2DQ xmm, mm; F2 MOVDQ2Q mm, xmm (both register only, both touch MMX state). */
    private boolean movqD6(DecodedInsn d, SimdContext c, int p) {
        switch (p) {
            case SIMD_66 -> {
                forms.xmm(d, c, SSE2);
                long v = u.lo(d.regX());
                if (d.mem) c.write(0, 8, v);
                else u.setXmm(d.rmX(), v, 0);
            }
            case SIMD_F3 -> {
                forms.xmm(d, c, SSE2);
                SimdForms.regOnly(d, c);
                forms.mmx(d, c, SSE2);
                u.setXmm(d.regX(), u.mm(d.rm), 0);
            }
            case SIMD_F2 -> {
                forms.xmm(d, c, SSE2);
                SimdForms.regOnly(d, c);
                forms.mmx(d, c, SSE2);
                u.setMm(d.reg, u.lo(d.rmX()));
            }
            default -> { return false; }
        }
        return true;
    }

    /** 0F E7: MOVNTQ m64, mm (SSE) and 66 MOVNTDQ m128, xmm (SSE2, aligned); the hint has no effect here. */
    private void nonTemporal(DecodedInsn d, SimdContext c) {
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            SimdForms.memOnly(d, c);
            storeXmm(d, c, true);
        } else {
            forms.mmx(d, c, SSE);
            SimdForms.memOnly(d, c);
            c.write(0, 8, u.mm(d.reg));
        }
    }

    /**
     * 0F F7: MASKMOVQ (SSE) and 66 MASKMOVDQU (SSE2): the bytes of the first operand whose byte in the
     * second has its top bit set go to DS:rDI (the executor points the memory operand there); the others
     * are not written, so they cannot fault.
     */
    private void maskedStore(DecodedInsn d, SimdContext c) {
        if (SimdForms.wide(d)) {
            forms.xmm(d, c, SSE2);
            SimdForms.regOnly(d, c);
            int r = d.regX(), m = d.rmX();
            long m0 = u.lo(m), m1 = u.hi(m);
            if (((m0 | m1) & 0x8080_8080_8080_8080L) == 0) return;
            c.checkWritable(0, 16);
            writeMasked(c, 0, u.lo(r), m0);
            writeMasked(c, 8, u.hi(r), m1);
        } else {
            forms.mmx(d, c, SSE);
            SimdForms.regOnly(d, c);
            long m = u.mm(d.rm);
            if ((m & 0x8080_8080_8080_8080L) == 0) return;
            c.checkWritable(0, 8);
            writeMasked(c, 0, u.mm(d.reg), m);
        }
    }

    private static void writeMasked(SimdContext c, int offset, long v, long mask) {
        for (int i = 0; i < 8; i++) {
            if ((mask >>> (8 * i + 7) & 1) != 0) c.write(offset + i, 1, v >>> (8 * i) & 0xFF);
        }
    }
}
