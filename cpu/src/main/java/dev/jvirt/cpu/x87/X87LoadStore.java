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

    void storeExtended(X87Memory mem) {
        int se = INDEFINITE_SE;
        long m = INDEFINITE_M;
        if (st.empty(0)) {
            if (!st.stackFault(false)) return;
        } else {
            se = st.se(0);
            m = st.m(0);
            st.setC1(false);
        }
        mem.write(0, 8, m);
        mem.write(8, 2, se);
        st.pop();
    }

    void storeReal(X87Memory mem, int p, int ebits, boolean pop) {
        int size = p == 24 ? 4 : 8;
        if (st.empty(0)) {
            if (st.stackFault(false)) {
                mem.write(0, size, p == 24 ? 0xFFC0_0000L : 0xFFF8_0000_0000_0000L);
                if (pop) st.pop();
            }
            return;
        }
        boolean ok = f.toBinary(st.se(0), st.m(0), p, ebits);
        st.raise(f.flags);
        if (!ok) return;
        mem.write(0, size, f.bits);
        st.roundingC1();
        if (pop) st.pop();
    }

    void storeInt(X87Memory mem, int size, boolean pop, boolean truncate) {
        long indefinite = 1L << (size * 8 - 1);
        if (st.empty(0)) {
            if (st.stackFault(false)) {
                mem.write(0, size, indefinite);
                if (pop) st.pop();
            }
            return;
        }
        boolean ok = f.toInt(st.se(0), st.m(0), size * 8, truncate);
        if (st.raise(f.flags)) return;
        mem.write(0, size, ok ? f.bits : indefinite);
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
        boolean ok = false;
        long v = 0;
        int sign = 0;
        if (st.empty(0)) {
            if (!st.stackFault(false)) return;
        } else {
            ok = f.toInt(st.se(0), st.m(0), 64, false) && f.bits >= -999_999_999_999_999_999L && f.bits <= 999_999_999_999_999_999L;
            if (!ok) f.flags = (f.flags & ~PE) | IE;
            if (st.raise(f.flags)) return;
            v = Math.abs(f.bits);
            sign = st.se(0) & 0x8000;
        }
        if (ok) {
            long lo = 0;
            for (int i = 0; i < 9; i++) {
                long d = v % 100;
                v /= 100;
                lo = i < 8 ? lo | (((d / 10) << 4 | d % 10) << (8 * i)) : lo;
                if (i == 8) mem.write(8, 2, sign | ((d / 10) << 4 | d % 10));
            }
            mem.write(0, 8, lo);
            st.roundingC1();
        } else {
            mem.write(0, 8, 0xC000_0000_0000_0000L);
            mem.write(8, 2, 0xFFFF);
        }
        st.pop();
    }
}
