package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.decode.DecodedInsn;

import static dev.jvirt.cpu.simd.SimdSsse3Sse4.bS;
import static dev.jvirt.cpu.simd.SimdSsse3Sse4.bU;
import static dev.jvirt.cpu.simd.SimdSsse3Sse4.wS;
import static dev.jvirt.cpu.simd.SimdSsse3Sse4.wU;

/**
 * The SSE4.2 string and checksum instructions: PCMPESTRM, PCMPESTRI, PCMPISTRM, PCMPISTRI (SDM Vol. 2B
 * 4.1, the imm8 control byte) and CRC32 (CRC-32C, the Castagnoli polynomial 11EDC6F41H, bit-reflected).
 */
final class SimdString {
    private static final long FLAGS = CpuState.FLAG_CF | CpuState.FLAG_PF | CpuState.FLAG_AF | CpuState.FLAG_ZF
            | CpuState.FLAG_SF | CpuState.FLAG_OF;
    /** CRC-32C of each byte value, reflected (the polynomial reversed: 82F63B78H). */
    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i;
            for (int k = 0; k < 8; k++) crc = crc >>> 1 ^ (0x82F6_3B78 & -(crc & 1));
            CRC_TABLE[i] = crc;
        }
    }

    private final SimdUnit u;
    /** The first (register) and second (register or memory) operands. */
    private final long[] s1 = new long[2], s2 = new long[2];

    SimdString(SimdUnit u) {
        this.u = u;
    }

    /** Executes {@code d} if it belongs to this family; false otherwise. */
    boolean execute(DecodedInsn d, SimdContext c) {
        int op = d.op;
        if ((op == 0x2F0 || op == 0x2F1) && d.simdPrefix() == DecodedInsn.SIMD_F2) {
            crc32(d, c, op);
            return true;
        }
        if (op < 0x360 || op > 0x363 || d.simdPrefix() != DecodedInsn.SIMD_66) return false;
        if (d.lock || !u.model.has(CpuFeature.SSE4_2)) throw c.fault(SimdUnit.UD);
        u.checkSse(c);
        u.readXmmRm(d, c, false);
        s2[0] = u.tmp[0];
        s2[1] = u.tmp[1];
        s1[0] = u.lo(d.regX());
        s1[1] = u.hi(d.regX());
        compare(d, c, op, (int) d.imm & 0xFF);
        return true;
    }

    /** Source bytes are folded in least significant first; the destination's upper half is cleared. */
    private void crc32(DecodedInsn d, SimdContext c, int op) {
        if (d.lock || !u.model.has(CpuFeature.SSE4_2)) throw c.fault(SimdUnit.UD);
        int size = op == 0x2F0 ? 1 : d.size();
        long src = d.mem ? c.read(0, size) : c.gpr(size, d.rmX());
        int dstSize = (d.rex & 8) != 0 ? 8 : 4;
        int crc = (int) c.gpr(4, d.regX());
        for (int i = 0; i < size; i++) crc = crc >>> 8 ^ CRC_TABLE[(crc ^ (int) (src >>> 8 * i)) & 0xFF];
        c.setGpr(dstSize, d.regX(), crc & 0xFFFF_FFFFL);
    }

    private void compare(DecodedInsn d, SimdContext c, int op, int imm) {
        boolean words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        int len1, len2;
        if (op <= 0x361) {
            boolean wide = (d.rex & 8) != 0;
            len1 = explicitLength(wide ? c.gpr(8, 0) : (int) c.gpr(4, 0), n);
            len2 = explicitLength(wide ? c.gpr(8, 2) : (int) c.gpr(4, 2), n);
        } else {
            len1 = implicitLength(s1, words, n);
            len2 = implicitLength(s2, words, n);
        }
        int res = aggregate(imm >> 2 & 3, words, signed, n, len1, len2);
        int all = (1 << n) - 1;
        switch (imm >> 4 & 3) {
            case 1 -> res ^= all;
            case 3 -> res ^= (1 << len2) - 1;
            default -> { }
        }
        if ((op & 1) != 0) {
            int index = res == 0 ? n : (imm & 0x40) != 0 ? 31 - Integer.numberOfLeadingZeros(res) : Integer.numberOfTrailingZeros(res);
            c.setGpr(4, 1, index);
        } else if ((imm & 0x40) == 0) {
            u.setXmm(0, res, 0);
        } else {
            long lo = 0, hi = 0;
            for (int i = 0; i < n; i++) {
                if ((res >> i & 1) == 0) continue;
                int bit = words ? 16 * i : 8 * i;
                long m = (words ? 0xFFFFL : 0xFFL) << (bit & 63);
                if (bit < 64) lo |= m; else hi |= m;
            }
            u.setXmm(0, lo, hi);
        }
        long f = c.rflags() & ~FLAGS;
        if (res != 0) f |= CpuState.FLAG_CF;
        if (len2 < n) f |= CpuState.FLAG_ZF;
        if (len1 < n) f |= CpuState.FLAG_SF;
        if ((res & 1) != 0) f |= CpuState.FLAG_OF;
        c.setRflags(f);
    }

    /** The absolute value of EAX/EDX (RAX/RDX), saturated to the element count. */
    private static int explicitLength(long v, int n) {
        if (v < 0) v = -v;
        return v < 0 || v > n ? n : (int) v;
    }

    /** The index of the first zero element, or the element count. */
    private static int implicitLength(long[] v, boolean words, int n) {
        for (int i = 0; i < n; i++) if ((words ? wU(v, i) : bU(v, i)) == 0) return i;
        return n;
    }

    /** IntRes1: bit j set when element j of the second operand matches under the aggregation mode. */
    private int aggregate(int mode, boolean words, boolean signed, int n, int len1, int len2) {
        int res = 0;
        for (int j = 0; j < n; j++) {
            boolean hit;
            switch (mode) {
                case 0 -> { // equal any
                    hit = false;
                    if (j < len2) for (int i = 0; i < len1 && !hit; i++) hit = elem(s1, i, words, signed) == elem(s2, j, words, signed);
                }
                case 1 -> { // ranges: pairs of the first operand are inclusive [low, high] bounds
                    hit = false;
                    if (j < len2) {
                        int v = elem(s2, j, words, signed);
                        for (int i = 0; i + 1 < len1 && !hit; i += 2) {
                            hit = elem(s1, i, words, signed) <= v && v <= elem(s1, i + 1, words, signed);
                        }
                    }
                }
                case 2 -> { // equal each: two invalid elements compare equal, one invalid does not
                    hit = j >= len1 && j >= len2
                            || j < len1 && j < len2 && elem(s1, j, words, signed) == elem(s2, j, words, signed);
                }
                default -> { // equal ordered: the first operand (needle) starts at element j of the second
                    hit = true;
                    for (int i = 0; i < n - j && hit; i++) {
                        if (i >= len1) break; // the needle has ended: matches whatever follows
                        hit = j + i < len2 && elem(s1, i, words, signed) == elem(s2, j + i, words, signed);
                    }
                }
            }
            if (hit) res |= 1 << j;
        }
        return res;
    }

    private static int elem(long[] v, int i, boolean words, boolean signed) {
        return words ? signed ? wS(v, i) : wU(v, i) : signed ? bS(v, i) : bU(v, i);
    }
}
