package dev.jvirt.cpu.x87;

import static dev.jvirt.cpu.x87.Float80.IE;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_M;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_SE;
import static dev.jvirt.cpu.x87.Float80.PE;

/**
 * The x87 loads and stores with a memory operand: FLD/FST(P) m32/m64/m80, FILD/FIST(P)/FISTTP and
 * FBLD/FBSTP, with the conversions' exceptions and the masked default values (real, integer and
 * packed BCD indefinite) on stack underflow or invalid operands.
 */
final class X87LoadStore {
    private final Float80 f;
    private final X87Stack st;

    X87LoadStore(Float80 f, X87Stack st) {
        this.f = f;
        this.st = st;
    }

    /** FLD m32/m64: exact; an SNaN is quieted with IE, a denormal source raises DE. */
    void loadReal(X87Memory mem, int p, int ebits) {
        f.fromBinary(mem.read(0, p == 24 ? 4 : 8), p, ebits);
        int se = f.se;
        long m = f.m;
        if (!st.pushCheck()) return;
        if (Float80.classify(se, m) == Float80.SNAN) {
            f.flags |= IE;
            m |= 0x4000_0000_0000_0000L;
        }
        if (st.raise(f.flags)) return;
        st.setC1(false);
        st.push(se, m);
    }

    /** FILD m16/m32/m64: always exact. */
    void loadInt(X87Memory mem, int size) {
        long v = mem.read(0, size);
        f.fromLong(size == 2 ? (short) v : size == 4 ? (int) v : v);
        if (!st.pushCheck()) return;
        st.setC1(false);
        st.push(f.se, f.m);
    }

    void loadExtended(X87Memory mem) {
        long m = mem.read(0, 8);
        int se = (int) mem.read(8, 2);
        if (!st.pushCheck()) return;
        st.setC1(false);
        st.push(se, m);
    }

    // Stores write memory before touching any FPU state, so a faulting write can simply be restarted.

    /** FSTP m80: a raw copy (no exceptions beyond stack underflow). */
    void storeExtended(X87Memory mem) {
        if (st.empty(0)) {
            if (!st.invalidMasked()) {
                st.stackFault(false);
                return;
            }
            mem.write(0, 8, INDEFINITE_M);
            mem.write(8, 2, INDEFINITE_SE);
            st.stackFault(false);
        } else {
            mem.write(0, 8, st.m(0));
            mem.write(8, 2, st.se(0));
            st.setC1(false);
        }
        st.pop();
    }

    /** FST/FSTP m32/m64 with rounding by RC to the destination format. */
    void storeReal(X87Memory mem, int p, int ebits, boolean pop) {
        int size = p == 24 ? 4 : 8;
        if (st.empty(0)) {
            if (st.invalidMasked()) {
                mem.write(0, size, p == 24 ? 0xFFC0_0000L : 0xFFF8_0000_0000_0000L);
                if (pop) st.pop();
            }
            st.stackFault(false);
            return;
        }
        boolean ok = f.toBinary(st.se(0), st.m(0), p, ebits);
        if (ok) mem.write(0, size, f.bits);
        st.raise(f.flags);
        if (!ok) return;
        st.roundingC1();
        if (pop) st.pop();
    }

    /** FIST/FISTP/FISTTP m16/m32/m64; the integer indefinite when invalid and IE is masked. */
    void storeInt(X87Memory mem, int size, boolean pop, boolean truncate) {
        long indefinite = 1L << (size * 8 - 1);
        if (st.empty(0)) {
            if (st.invalidMasked()) {
                mem.write(0, size, indefinite);
                if (pop) st.pop();
            }
            st.stackFault(false);
            return;
        }
        boolean ok = f.toInt(st.se(0), st.m(0), size * 8, truncate);
        if (st.blocks(f.flags)) {
            st.raise(f.flags);
            return;
        }
        mem.write(0, size, ok ? f.bits : indefinite);
        st.raise(f.flags);
        if (ok) st.roundingC1();
        else st.setC1(false);
        if (pop) st.pop();
    }

    void loadBcd(X87Memory mem) {
        long lo = mem.read(0, 8);
        int hi = (int) mem.read(8, 2);
        if (!st.pushCheck()) return;
        long v = 0;
        for (int i = 8; i >= 0; i--) {
            int b = i == 8 ? hi & 0xFF : (int) (lo >>> (8 * i)) & 0xFF;
            v = v * 100 + (b >> 4) * 10 + (b & 15); // invalid digits give an undefined result
        }
        f.fromLong(v);
        st.setC1(false);
        st.push(f.se | (hi & 0x8000), f.m);
    }

    /** FBSTP: round by RC to an 18-digit packed BCD; IE (masked: BCD indefinite) when out of range. */
    void storeBcd(X87Memory mem) {
        long lo = 0xC000_0000_0000_0000L; // packed BCD indefinite
        long hi = 0xFFFF;
        boolean ok = false;
        if (st.empty(0)) {
            if (!st.invalidMasked()) {
                st.stackFault(false);
                return;
            }
        } else {
            ok = f.toInt(st.se(0), st.m(0), 64, false) && f.bits >= -999_999_999_999_999_999L && f.bits <= 999_999_999_999_999_999L;
            if (!ok) f.flags = (f.flags & ~PE) | IE;
            if (st.blocks(f.flags)) {
                st.raise(f.flags);
                return;
            }
            if (ok) {
                long v = Math.abs(f.bits);
                lo = 0;
                for (int i = 0; i < 8; i++, v /= 100) lo |= (v % 100 / 10 << 4 | v % 10) << (8 * i);
                hi = (st.se(0) & 0x8000) | (v / 10 << 4 | v % 10);
            }
        }
        mem.write(0, 8, lo);
        mem.write(8, 2, hi);
        if (st.empty(0)) st.stackFault(false);
        else st.raise(f.flags);
        if (ok) st.roundingC1();
        st.pop();
    }
}
