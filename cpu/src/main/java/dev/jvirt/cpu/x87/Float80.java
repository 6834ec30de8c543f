package dev.jvirt.cpu.x87;

import java.math.BigInteger;

/**
 * Double extended-precision arithmetic in software (SDM Vol. 1 4.2.2, 4.8 and 8.x): a value is a
 * 16-bit sign+exponent word and a 64-bit significand with an explicit integer bit, exactly as in an
 * x87 register. One instance is the arithmetic unit: it holds the rounding and precision control and
 * the exception masks of FCW, accumulates the exception flags of the current operation, and leaves
 * the result in {@link #se}/{@link #m} so that no operation allocates.
 *
 * <p>Every operation computes the masked response (the default result). The only unmasked behaviour
 * that changes the value is the exponent bias adjustment of an unmasked overflow/underflow into a
 * register (SDM Vol. 1 8.5.4, 8.5.5). Whether a destination is written at all is the caller's call.
 */
public final class Float80 {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20;
    public static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;
    public static final int BIAS = 16383;
    public static final long INT_BIT = 0x8000_0000_0000_0000L;
    static final long QUIET_BIT = 0x4000_0000_0000_0000L;
    /** The "real indefinite" QNaN: negative, exponent all ones, significand 1.1000... */
    public static final int INDEFINITE_SE = 0xFFFF;
    public static final long INDEFINITE_M = 0xC000_0000_0000_0000L;
    /** Exponent bias adjustment for unmasked overflow/underflow with a register destination. */
    static final int BIAS_ADJUST = 24576;

    public static final int ZERO = 0, DENORMAL = 1, NORMAL = 2, INFINITY = 3, QNAN = 4, SNAN = 5, UNSUPPORTED = 6;
    public static final int CMP_LESS = 0, CMP_EQUAL = 1, CMP_GREATER = 2, CMP_UNORDERED = 3;

    /** Rounding control (RC field encoding). */
    public int rc;
    /** Precision control in significand bits: 24, 53 or 64. */
    public int pc = 64;
    /** FCW exception mask bits (set = masked). */
    public int masks = 0x3F;

    /** Exception flags raised by the operations since {@link #clear}. */
    public int flags;
    /** The last rounding increased the magnitude (C1 after an inexact result). */
    public boolean roundedUp;
    /** Result sign+exponent and significand. */
    public int se;
    public long m;

    // Unpacked operand: biased exponent (may be <= 0 for a normalised denormal) and normalised significand.
    private int ue;
    private long us;
    // Wide (128-bit significand) intermediate: value = (wHi:wLo) * 2^(wExp - BIAS - 127), wHi bit 63 set.
    boolean wNeg;
    int wExp;
    long wHi, wLo;
    /** Result of a store conversion or integer conversion. */
    public long bits;

    public void setControl(int fcw) {
        masks = fcw & 0x3F;
        rc = (fcw >> 10) & 3;
        int p = (fcw >> 8) & 3;
        pc = p == 0 ? 24 : p == 2 ? 53 : 64; // 01 is reserved; hardware rounds to 64 bits
    }

    public void clear() {
        flags = 0;
        roundedUp = false;
    }

    // ---------------------------------------------------------------- classification

    public static int classify(int se, long m) {
        int e = se & 0x7FFF;
        if (e == 0) return m == 0 ? ZERO : DENORMAL;
        if (m >= 0) return UNSUPPORTED; // integer bit clear: unnormal, pseudo-infinity, pseudo-NaN
        if (e == 0x7FFF) {
            if (m == INT_BIT) return INFINITY;
            return (m & QUIET_BIT) != 0 ? QNAN : SNAN;
        }
        return NORMAL;
    }

    public static boolean isNaN(int se, long m) {
        int c = classify(se, m);
        return c == QNAN || c == SNAN;
    }

    static boolean neg(int se) {
        return (se & 0x8000) != 0;
    }

    private void unpack(int se, long m) {
        int e = se & 0x7FFF;
        if (e == 0) { // denormal or pseudo-denormal: the exponent is that of 2^-16382
            int s = Long.numberOfLeadingZeros(m);
            us = m << s;
            ue = 1 - s;
        } else {
            us = m;
            ue = e;
        }
    }

    void set(int se, long m) {
        this.se = se;
        this.m = m;
    }

    void invalid() {
        flags |= IE;
        set(INDEFINITE_SE, INDEFINITE_M);
    }

    void setInf(boolean neg) {
        set((neg ? 0x8000 : 0) | 0x7FFF, INT_BIT);
    }

    void setZero(boolean neg) {
        set(neg ? 0x8000 : 0, 0);
    }

    /** NaN operand(s): IE for an SNaN, and the x87 choice of result (SDM Vol. 1 Table 4-7). */
    private void propagateNaN(int aSe, long aM, int bSe, long bM) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        boolean aNan = ca == QNAN || ca == SNAN, bNan = cb == QNAN || cb == SNAN;
        if (ca == SNAN || cb == SNAN) flags |= IE;
        if (aNan && bNan) {
            if (ca != cb) { // an SNaN and a QNaN: the QNaN
                if (ca == QNAN) set(aSe, aM);
                else set(bSe, bM);
            } else if (Long.compareUnsigned(bM, aM) > 0) set(bSe, bM);
            else set(aSe, aM);
        } else if (aNan) set(aSe, aM);
        else set(bSe, bM);
        m |= QUIET_BIT;
    }

    void nanOrInvalid(int aSe, long aM, int bSe, long bM, int ca, int cb) {
        if (ca == UNSUPPORTED || cb == UNSUPPORTED) invalid();
        else propagateNaN(aSe, aM, bSe, bM);
    }

    private static boolean special(int c) {
        return c >= QNAN;
    }

    // ---------------------------------------------------------------- rounding

    /**
     * Rounds sign * (sig:extra) * 2^(exp - BIAS - 127) (sig normalised) to {@code prec} bits of
     * significand with the 15-bit exponent range, and writes {@link #se}/{@link #m}. Tininess is
     * detected after rounding, as on Intel processors (and in Berkeley SoftFloat's 8086 model).
     */
    void roundPack(boolean neg, int exp, long sig, long extra, int prec) {
        roundedUp = false;
        if (prec == 64) {
            round64(neg, exp, sig, extra);
            return;
        }
        long roundMask = prec == 53 ? 0x7FFL : 0xFF_FFFF_FFFFL;
        long half = (roundMask >>> 1) + 1;
        if (extra != 0) sig |= 1;
        boolean nearest = rc == RC_NEAREST;
        long inc = nearest ? half : rc == (neg ? RC_DOWN : RC_UP) ? roundMask : 0;
        if (exp <= 0) {
            boolean tiny = exp < 0 || Long.compareUnsigned(sig, sig + inc) <= 0;
            if (tiny && (masks & UE) == 0) flags |= UE;
            if (tiny && (masks & UE) == 0 && exp + BIAS_ADJUST > 0) {
                flags |= UE;
                exp += BIAS_ADJUST;
            } else {
                sig = shiftRightJam(sig, 1 - exp);
                long roundBits = sig & roundMask;
                if (roundBits != 0) flags |= (tiny ? UE : 0) | PE;
                long before = sig & ~roundMask;
                sig += inc;
                long mask = roundMask;
                if (nearest && (roundBits << 1) == roundMask + 1) mask |= roundMask + 1;
                sig &= ~mask;
                roundedUp = Long.compareUnsigned(sig, before) > 0;
                set((neg ? 0x8000 : 0) | (sig < 0 ? 1 : 0), sig);
                return;
            }
        }
        if (exp > 0x7FFE || (exp == 0x7FFE && Long.compareUnsigned(sig + inc, sig) < 0)) {
            if ((masks & OE) == 0 && exp - BIAS_ADJUST <= 0x7FFE) {
                flags |= OE;
                exp -= BIAS_ADJUST;
            } else {
                overflow(neg, ~roundMask);
                return;
            }
        }
        long roundBits = sig & roundMask;
        if (roundBits != 0) flags |= PE;
        long before = sig & ~roundMask;
        long s2 = sig + inc;
        if (Long.compareUnsigned(s2, sig) < 0) {
            exp++;
            s2 = INT_BIT;
            roundedUp = true;
        } else {
            long mask = roundMask;
            if (nearest && (roundBits << 1) == roundMask + 1) mask |= roundMask + 1;
            s2 &= ~mask;
            roundedUp = Long.compareUnsigned(s2, before) > 0;
        }
        set((neg ? 0x8000 : 0) | exp, s2);
    }

    private void round64(boolean neg, int exp, long sig, long extra) {
        boolean nearest = rc == RC_NEAREST;
        boolean directedUp = rc == (neg ? RC_DOWN : RC_UP);
        boolean inc = nearest ? extra < 0 : directedUp && extra != 0;
        if (exp <= 0) {
            boolean tiny = exp < 0 || !inc || sig != -1L;
            if (tiny && (masks & UE) == 0) flags |= UE;
            if (tiny && (masks & UE) == 0 && exp + BIAS_ADJUST > 0) {
                flags |= UE;
                exp += BIAS_ADJUST;
            } else {
                int dist = 1 - exp;
                boolean sticky = extra != 0;
                if (dist < 64) {
                    extra = sig << (64 - dist);
                    sig >>>= dist;
                } else if (dist == 64) {
                    extra = sig;
                    sig = 0;
                } else {
                    sticky |= sig != 0;
                    extra = 0;
                    sig = 0;
                }
                if (sticky) extra |= 1;
                if (extra != 0) flags |= (tiny ? UE : 0) | PE;
                inc = nearest ? extra < 0 : directedUp && extra != 0;
                long before = sig;
                if (inc) {
                    sig++;
                    if (nearest && (extra << 1) == 0) sig &= ~1L;
                }
                roundedUp = sig != before;
                set((neg ? 0x8000 : 0) | (sig < 0 ? 1 : 0), sig);
                return;
            }
        }
        if (exp > 0x7FFE || (exp == 0x7FFE && sig == -1L && inc)) {
            if ((masks & OE) == 0 && exp - BIAS_ADJUST <= 0x7FFE) {
                flags |= OE;
                exp -= BIAS_ADJUST;
            } else {
                overflow(neg, -1L);
                return;
            }
        }
        if (extra != 0) flags |= PE;
        if (inc) {
            long before = sig;
            sig++;
            if (sig == 0) {
                exp++;
                sig = INT_BIT;
            } else if (nearest && (extra << 1) == 0) {
                sig &= ~1L;
            }
            roundedUp = exp > 0x7FFF || sig != before;
        }
        set((neg ? 0x8000 : 0) | exp, sig);
    }

    /** Masked overflow: infinity or the largest finite value of the precision, by rounding mode. */
    private void overflow(boolean neg, long maxSig) {
        flags |= OE | PE;
        if (rc == RC_NEAREST || rc == (neg ? RC_DOWN : RC_UP)) {
            setInf(neg);
            roundedUp = true;
        } else {
            set((neg ? 0x8000 : 0) | 0x7FFE, maxSig);
        }
    }

    static long shiftRightJam(long sig, int dist) {
        if (dist <= 0) return sig;
        if (dist >= 64) return sig != 0 ? 1 : 0;
        return (sig >>> dist) | ((sig << (64 - dist)) != 0 ? 1 : 0);
    }

    // ---------------------------------------------------------------- arithmetic

    /** a + b, or a - b when {@code subtract}, rounded to the precision control. */
    public void add(int aSe, long aM, int bSe, long bM, boolean subtract) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        if (special(ca) || special(cb)) {
            nanOrInvalid(aSe, aM, bSe, bM, ca, cb);
            return;
        }
        if (ca == DENORMAL || cb == DENORMAL) flags |= DE;
        boolean an = neg(aSe), bn = neg(bSe) ^ subtract;
        if (ca == INFINITY || cb == INFINITY) {
            if (ca == INFINITY && cb == INFINITY && an != bn) invalid();
            else setInf(ca == INFINITY ? an : bn);
            return;
        }
        if (ca == ZERO && cb == ZERO) {
            setZero(an == bn ? an : rc == RC_DOWN);
            return;
        }
        if (cb == ZERO) {
            unpack(aSe, aM);
            roundPack(an, ue, us, 0, pc);
            return;
        }
        if (ca == ZERO) {
            unpack(bSe, bM);
            roundPack(bn, ue, us, 0, pc);
            return;
        }
        unpack(aSe, aM);
        int ea = ue;
        long sa = us;
        unpack(bSe, bM);
        if (addWide(an, ea, sa, 0, bn, ue, us, 0)) roundPack(wNeg, wExp, wHi, wLo, pc);
        else setZero(rc == RC_DOWN);
    }

    /** Exact-as-possible 128-bit sum into the wide register; false when the sum is exactly zero. */
    boolean addWide(boolean an, int ea, long ah, long al, boolean bn, int eb, long bh, long bl) {
        if (eb > ea || (eb == ea && (Long.compareUnsigned(bh, ah) > 0 || (bh == ah && Long.compareUnsigned(bl, al) > 0)))) {
            boolean tn = an; an = bn; bn = tn;
            int te = ea; ea = eb; eb = te;
            long th = ah; ah = bh; bh = th;
            long tl = al; al = bl; bl = tl;
        }
        int d = ea - eb;
        if (d > 0) {
            long nh, nl;
            boolean jam;
            if (d < 64) {
                nl = (bl >>> d) | (bh << (64 - d));
                jam = (bl << (64 - d)) != 0;
                nh = bh >>> d;
            } else if (d == 64) {
                nl = bh;
                jam = bl != 0;
                nh = 0;
            } else if (d < 128) {
                nl = bh >>> (d - 64);
                jam = bl != 0 || (bh << (128 - d)) != 0;
                nh = 0;
            } else {
                nl = 0;
                jam = (bh | bl) != 0;
                nh = 0;
            }
            bh = nh;
            bl = nl | (jam ? 1 : 0);
        }
        long h, l;
        if (an == bn) {
            l = al + bl;
            long c = Long.compareUnsigned(l, al) < 0 ? 1 : 0;
            long s = ah + bh;
            boolean carry = Long.compareUnsigned(s, ah) < 0;
            h = s + c;
            carry |= c == 1 && h == 0;
            if (carry) {
                l = (l >>> 1) | (h << 63) | (l & 1);
                h = (h >>> 1) | INT_BIT;
                ea++;
            }
        } else {
            l = al - bl;
            long borrow = Long.compareUnsigned(al, bl) < 0 ? 1 : 0;
            h = ah - bh - borrow;
            if (h == 0 && l == 0) return false;
            int s = h != 0 ? Long.numberOfLeadingZeros(h) : 64 + Long.numberOfLeadingZeros(l);
            if (s >= 64) {
                h = l << (s - 64);
                l = 0;
            } else if (s > 0) {
                h = (h << s) | (l >>> (64 - s));
                l <<= s;
            }
            ea -= s;
        }
        wNeg = an;
        wExp = ea;
        wHi = h;
        wLo = l;
        return true;
    }

    public void mul(int aSe, long aM, int bSe, long bM) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        if (special(ca) || special(cb)) {
            nanOrInvalid(aSe, aM, bSe, bM, ca, cb);
            return;
        }
        if (ca == DENORMAL || cb == DENORMAL) flags |= DE;
        boolean n = neg(aSe) ^ neg(bSe);
        if (ca == INFINITY || cb == INFINITY) {
            if (ca == ZERO || cb == ZERO) invalid();
            else setInf(n);
            return;
        }
        if (ca == ZERO || cb == ZERO) {
            setZero(n);
            return;
        }
        unpack(aSe, aM);
        int ea = ue;
        long sa = us;
        unpack(bSe, bM);
        long h = Math.unsignedMultiplyHigh(sa, us), l = sa * us;
        int exp = ea + ue - BIAS + 1;
        if (h >= 0) {
            h = (h << 1) | (l >>> 63);
            l <<= 1;
            exp--;
        }
        roundPack(n, exp, h, l, pc);
    }

    public void div(int aSe, long aM, int bSe, long bM) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        if (special(ca) || special(cb)) {
            nanOrInvalid(aSe, aM, bSe, bM, ca, cb);
            return;
        }
        boolean n = neg(aSe) ^ neg(bSe);
        if ((ca == INFINITY && cb == INFINITY) || (ca == ZERO && cb == ZERO)) {
            invalid();
            return;
        }
        if (ca == DENORMAL || cb == DENORMAL) flags |= DE;
        if (ca == INFINITY || cb == ZERO) {
            if (cb == ZERO && ca != INFINITY) flags |= ZE;
            setInf(n);
            return;
        }
        if (ca == ZERO || cb == INFINITY) {
            setZero(n);
            return;
        }
        unpack(aSe, aM);
        int ea = ue;
        long sa = us;
        unpack(bSe, bM);
        long sb = us;
        // 66 quotient bits by restoring division; the remainder becomes the sticky bit.
        long r = sa, qh = 0, ql = 0;
        boolean carry = false;
        for (int i = 0; i < 66; i++) {
            qh = (qh << 1) | (ql >>> 63);
            ql <<= 1;
            if (carry || Long.compareUnsigned(r, sb) >= 0) {
                r -= sb;
                ql |= 1;
            }
            carry = r < 0;
            r <<= 1;
        }
        boolean sticky = r != 0 || carry;
        int exp = ea - ue + BIAS;
        // qh:ql has its top bit at 65 (a >= b) or 64; normalise to bit 127.
        int s = (qh & 2) != 0 ? 62 : 63;
        long h = (qh << s) | (ql >>> (64 - s)), l = ql << s;
        if (s == 63) exp--;
        if (sticky) l |= 1;
        roundPack(n, exp, h, l, pc);
    }

    public void sqrt(int aSe, long aM) {
        int ca = classify(aSe, aM);
        if (special(ca)) {
            nanOrInvalid(aSe, aM, aSe, aM, ca, ca);
            return;
        }
        if (ca == ZERO) {
            set(aSe, aM);
            return;
        }
        if (neg(aSe)) {
            invalid();
            return;
        }
        if (ca == DENORMAL) flags |= DE;
        if (ca == INFINITY) {
            set(aSe, aM);
            return;
        }
        unpack(aSe, aM);
        // value = us * 2^t. A 127/128-bit radicand N with an even exponent has a 64-bit integer root;
        // the remainder then gives the round bit (rem > root) and the sticky bit.
        int t = ue - BIAS - 63;
        long nh, nl;
        int half;
        if ((t & 1) == 0) {
            nh = us;
            nl = 0;
            half = (t - 64) / 2;
        } else {
            nh = us >>> 1;
            nl = us << 63;
            half = (t - 63) / 2;
        }
        long remHi = 0, remLo = 0, root = 0;
        for (int i = 0; i < 64; i++) {
            long pair = nh >>> 62;
            nh = (nh << 2) | (nl >>> 62);
            nl <<= 2;
            remHi = (remHi << 2) | (remLo >>> 62);
            remLo = (remLo << 2) | pair;
            long tHi = root >>> 62, tLo = (root << 2) | 1;
            if (remHi > tHi || (remHi == tHi && Long.compareUnsigned(remLo, tLo) >= 0)) {
                remHi = remHi - tHi - (Long.compareUnsigned(remLo, tLo) < 0 ? 1 : 0);
                remLo -= tLo;
                root = (root << 1) | 1;
            } else {
                root <<= 1;
            }
        }
        boolean roundBit = remHi != 0 || Long.compareUnsigned(remLo, root) > 0;
        long extra = roundBit ? INT_BIT | 1 : (remLo | remHi) != 0 ? 1 : 0;
        roundPack(false, half + BIAS + 63, root, extra, pc);
    }


    /**
     * FPREM ({@code ieee} false: quotient truncated) or FPREM1 (quotient rounded to nearest) of a by b.
     * Returns the low three quotient bits in bits 0-2 and, in bit 3, that the reduction is partial
     * (C2): an exponent difference of 64 or more is reduced by 32..63 bits per execution (SDM FPREM).
     */
    public int remainder(int aSe, long aM, int bSe, long bM, boolean ieee) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        if (special(ca) || special(cb)) {
            nanOrInvalid(aSe, aM, bSe, bM, ca, cb);
            return 0;
        }
        if (ca == INFINITY || cb == ZERO) {
            invalid();
            return 0;
        }
        if (ca == DENORMAL || cb == DENORMAL) flags |= DE;
        boolean an = neg(aSe);
        if (ca == ZERO || cb == INFINITY) {
            unpackExact(aSe, aM, ca);
            return 0;
        }
        unpack(aSe, aM);
        int ea = ue;
        long sa = us;
        unpack(bSe, bM);
        int eb = ue;
        long sb = us;
        int d = ea - eb;
        if (d < 0) {
            if (ieee && d == -1 && Long.compareUnsigned(sa, sb) > 0) {
                // |a| > |b|/2: the nearest quotient is 1; r = b - |a| with the sign flipped
                long r = 2 * sb - sa; // exact modulo 2^64, and the true value is below sb
                int s = Long.numberOfLeadingZeros(r);
                roundPack(!an, eb - 1 - s, r << s, 0, 64);
                return 1;
            }
            unpackExact(aSe, aM, ca);
            return 0;
        }
        boolean partial = d >= 64;
        int n = partial ? (d & 31) | 32 : d;
        int resExp = eb + (d - n);
        long r = sa, q = 0;
        if (Long.compareUnsigned(r, sb) >= 0) {
            r -= sb;
            q = 1;
        }
        for (int i = 0; i < n; i++) {
            boolean carry = r < 0;
            r <<= 1;
            q <<= 1;
            if (carry || Long.compareUnsigned(r, sb) >= 0) {
                r -= sb;
                q |= 1;
            }
        }
        boolean rn = an;
        if (ieee && !partial) {
            int c = r < 0 ? 1 : Long.compareUnsigned(r << 1, sb);
            if (c > 0 || (c == 0 && (q & 1) != 0)) {
                r = sb - r;
                rn = !an;
                q++;
            }
        }
        if (r == 0) setZero(an);
        else {
            int s = Long.numberOfLeadingZeros(r);
            roundPack(rn, resExp - s, r << s, 0, 64);
        }
        return (int) (q & 7) | (partial ? 8 : 0);
    }

    /** A finite operand as the result, re-encoded (a pseudo-denormal becomes its canonical form). */
    private void unpackExact(int aSe, long aM, int c) {
        if (c == ZERO || c == INFINITY) {
            set(aSe, aM);
            return;
        }
        unpack(aSe, aM);
        int saveMasks = masks;
        masks |= UE; // an exact tiny value is not an underflow
        roundPack(neg(aSe), ue, us, 0, 64);
        masks = saveMasks;
    }

    /** FRNDINT: round to an integral value by RC. */
    public void roundToIntegral(int aSe, long aM) {
        int ca = classify(aSe, aM);
        if (special(ca)) {
            nanOrInvalid(aSe, aM, aSe, aM, ca, ca);
            return;
        }
        if (ca == DENORMAL) flags |= DE;
        if (ca == ZERO || ca == INFINITY || (aSe & 0x7FFF) >= BIAS + 63) {
            set(aSe, aM);
            return;
        }
        boolean n = neg(aSe);
        long mag = roundIntMagnitude(n, aSe & 0x7FFF, aM, rc);
        if (mag == 0) setZero(n);
        else {
            int s = Long.numberOfLeadingZeros(mag);
            set((n ? 0x8000 : 0) | (BIAS + 63 - s), mag << s);
        }
    }

    /**
     * |value| rounded to an integer by {@code mode}; sets PE and {@link #roundedUp}. The exponent
     * must be below BIAS + 64 (the magnitude then fits in an unsigned long).
     */
    long roundIntMagnitude(boolean n, int exp, long sig, int mode) {
        long kept, rem;
        if (exp == 0) {
            kept = 0;
            rem = sig != 0 ? 1 : 0;
        } else {
            int e = exp - BIAS;
            if (e >= 63) return sig;
            if (e >= 0) {
                int drop = 63 - e;
                kept = sig >>> drop;
                rem = sig << (64 - drop);
            } else {
                kept = 0;
                rem = e == -1 ? sig : shiftRightJam(sig, -1 - e);
            }
        }
        boolean inexact = rem != 0;
        boolean inc = switch (mode) {
            case RC_NEAREST -> rem < 0 && ((rem << 1) != 0 || (kept & 1) != 0);
            case RC_DOWN -> n && inexact;
            case RC_UP -> !n && inexact;
            default -> false;
        };
        if (inexact) flags |= PE;
        roundedUp = inc;
        return inc ? kept + 1 : kept;
    }

    /**
     * FIST/FISTP/FISTTP: the integer of {@code size} bits in {@link #bits}; false (IE raised) when the
     * operand is a NaN, infinity, unsupported or out of range, and the caller stores the integer
     * indefinite when IE is masked.
     */
    public boolean toInt(int aSe, long aM, int size, boolean truncate) {
        roundedUp = false;
        int ca = classify(aSe, aM);
        if (ca >= INFINITY) {
            flags |= IE;
            return false;
        }
        // FIST/FISTTP/FBSTP list no #D: a denormal simply rounds to 0 or +-1
        if (ca == ZERO) {
            bits = 0;
            return true;
        }
        boolean n = neg(aSe);
        int exp = aSe & 0x7FFF;
        if (exp >= BIAS + 64) {
            flags |= IE;
            return false;
        }
        int saveFlags = flags;
        long mag = roundIntMagnitude(n, exp, aM, truncate ? RC_ZERO : rc);
        long limit = 1L << (size - 1); // magnitude limit for negative; positive is limit - 1
        boolean fits = n ? Long.compareUnsigned(mag, limit) <= 0 : Long.compareUnsigned(mag, limit - 1) <= 0;
        if (size == 64 && n && mag == Long.MIN_VALUE) fits = true;
        if (!fits) {
            flags = saveFlags | IE;
            roundedUp = false;
            return false;
        }
        bits = n ? -mag : mag;
        if (size < 64) bits &= (1L << size) - 1;
        return true;
    }

    /** An integer, exactly (FILD). */
    public void fromLong(long v) {
        if (v == 0) {
            setZero(false);
            return;
        }
        boolean n = v < 0;
        long mag = n ? -v : v;
        int s = Long.numberOfLeadingZeros(mag);
        set((n ? 0x8000 : 0) | (BIAS + 63 - s), mag << s);
    }

    /**
     * A single (p=24, ebits=8) or double (p=53, ebits=11) value, exactly; DE for a denormal source.
     * SNaNs stay signalling: the instruction that uses the value decides about IE.
     */
    public void fromBinary(long b, int p, int ebits) {
        int fracBits = p - 1;
        int bias = (1 << (ebits - 1)) - 1;
        boolean n = ((b >>> (fracBits + ebits)) & 1) != 0;
        int exp = (int) ((b >>> fracBits) & ((1 << ebits) - 1));
        long frac = b & ((1L << fracBits) - 1);
        int sign = n ? 0x8000 : 0;
        if (exp == (1 << ebits) - 1) {
            set(sign | 0x7FFF, INT_BIT | (frac << (64 - p)));
        } else if (exp == 0) {
            if (frac == 0) setZero(n);
            else {
                flags |= DE;
                int s = Long.numberOfLeadingZeros(frac);
                set(sign | (1 - bias - fracBits + 63 - s + BIAS), frac << s);
            }
        } else {
            set(sign | (exp - bias + BIAS), INT_BIT | (frac << (64 - p)));
        }
    }

    /**
     * FST/FSTP to single (p=24, ebits=8) or double (p=53, ebits=11): the encoding in {@link #bits}.
     * Returns false when nothing may be stored: an unmasked overflow or underflow (SDM Vol. 1 4.9.1.4:
     * the memory destination is left unchanged), or IE on an invalid operand with IE unmasked.
     */
    public boolean toBinary(int aSe, long aM, int p, int ebits) {
        roundedUp = false;
        int fracBits = p - 1;
        int bias = (1 << (ebits - 1)) - 1;
        int maxExp = (1 << ebits) - 1;
        int emin = 1 - bias, emax = bias;
        boolean n = neg(aSe);
        long sign = n ? 1L << (fracBits + ebits) : 0;
        long expAllOnes = (long) maxExp << fracBits;
        int ca = classify(aSe, aM);
        switch (ca) {
            case UNSUPPORTED -> {
                flags |= IE;
                bits = (1L << (fracBits + ebits)) | expAllOnes | (1L << (fracBits - 1));
                return (masks & IE) != 0;
            }
            case QNAN, SNAN -> {
                if (ca == SNAN) flags |= IE;
                bits = sign | expAllOnes | ((aM << 1) >>> (64 - fracBits)) | (1L << (fracBits - 1));
                return ca == QNAN || (masks & IE) != 0;
            }
            case INFINITY -> {
                bits = sign | expAllOnes;
                return true;
            }
            case ZERO -> {
                bits = sign;
                return true;
            }
            default -> { }
        }
        unpack(aSe, aM);
        int e = ue - BIAS;
        long sig = us;
        int drop = 64 - p + (e < emin ? emin - e : 0);
        long kept;
        boolean half, sticky;
        if (drop >= 65) {
            kept = 0;
            half = false;
            sticky = true;
        } else if (drop == 64) {
            kept = 0;
            half = sig < 0;
            sticky = (sig << 1) != 0;
        } else {
            kept = sig >>> drop;
            half = ((sig >>> (drop - 1)) & 1) != 0;
            sticky = (sig & ((1L << (drop - 1)) - 1)) != 0;
        }
        boolean inexact = half || sticky;
        boolean inc = roundIncrement(n, half, sticky, (kept & 1) != 0);
        boolean tiny = e < emin && !(e == emin - 1 && carriesAtPrecision(n, sig, p));
        if (tiny && (masks & UE) == 0) {
            flags |= UE;
            return false;
        }
        if (tiny && inexact) flags |= UE;
        kept += inc ? 1 : 0;
        long field = e >= emin ? e + bias - 1 : 0;
        long enc = (field << fracBits) + kept;
        if ((enc >>> fracBits) >= maxExp) {
            if ((masks & OE) == 0) {
                flags |= OE;
                return false;
            }
            flags |= OE | PE;
            if (rc == RC_NEAREST || rc == (n ? RC_DOWN : RC_UP)) {
                bits = sign | expAllOnes;
                roundedUp = true;
            } else {
                bits = sign | (expAllOnes - 1);
            }
            return true;
        }
        if (inexact) flags |= PE;
        roundedUp = inc;
        bits = sign | enc;
        return true;
    }

    private boolean roundIncrement(boolean n, boolean half, boolean sticky, boolean odd) {
        return switch (rc) {
            case RC_NEAREST -> half && (sticky || odd);
            case RC_DOWN -> n && (half || sticky);
            case RC_UP -> !n && (half || sticky);
            default -> false;
        };
    }

    /** Whether rounding the normalised sig to p bits carries out (to the next binade). */
    private boolean carriesAtPrecision(boolean n, long sig, int p) {
        int drop = 64 - p;
        long kept = sig >>> drop;
        boolean half = ((sig >>> (drop - 1)) & 1) != 0;
        boolean sticky = (sig & ((1L << (drop - 1)) - 1)) != 0;
        return kept == (1L << p) - 1 && roundIncrement(n, half, sticky, true);
    }

    // ---------------------------------------------------------------- scale, extract, compare

    /** FSCALE: a * 2^trunc(b). */
    public void scale(int aSe, long aM, int bSe, long bM) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        if (special(ca) || special(cb)) {
            nanOrInvalid(aSe, aM, bSe, bM, ca, cb);
            return;
        }
        if (ca == DENORMAL || cb == DENORMAL) flags |= DE;
        boolean an = neg(aSe);
        if (cb == INFINITY) {
            if (neg(bSe)) {
                if (ca == INFINITY) invalid();
                else setZero(an);
            } else {
                if (ca == ZERO) invalid();
                else setInf(an);
            }
            return;
        }
        if (ca == ZERO || ca == INFINITY) {
            set(aSe, aM);
            return;
        }
        int be = bSe & 0x7FFF;
        long n;
        if (cb == ZERO || cb == DENORMAL || be < BIAS) n = 0;
        else if (be - BIAS >= 20) n = 1 << 20; // far beyond any representable result
        else n = bM >>> (63 - (be - BIAS));
        if (neg(bSe)) n = -n;
        unpack(aSe, aM);
        roundPack(an, (int) (ue + n), us, 0, 64);
    }

    /**
     * Compares a with b; IE for an SNaN or unsupported operand, and for a QNaN unless {@code quiet}
     * (FUCOM/FUCOMI). Returns one of the CMP_ constants.
     */
    public int compare(int aSe, long aM, int bSe, long bM, boolean quiet) {
        int ca = classify(aSe, aM), cb = classify(bSe, bM);
        if (ca == UNSUPPORTED || cb == UNSUPPORTED || ca == SNAN || cb == SNAN) {
            flags |= IE;
            return CMP_UNORDERED;
        }
        if (ca == QNAN || cb == QNAN) {
            if (!quiet) flags |= IE;
            return CMP_UNORDERED;
        }
        if (ca == DENORMAL || cb == DENORMAL) flags |= DE;
        if (ca == ZERO && cb == ZERO) return CMP_EQUAL;
        boolean an = neg(aSe) && ca != ZERO, bn = neg(bSe) && cb != ZERO;
        if (an != bn) return an ? CMP_LESS : CMP_GREATER;
        int mag = compareMagnitude(aSe, aM, ca, bSe, bM, cb);
        if (mag == 0) return CMP_EQUAL;
        return (mag > 0) ^ an ? CMP_GREATER : CMP_LESS;
    }

    private int compareMagnitude(int aSe, long aM, int ca, int bSe, long bM, int cb) {
        int ea;
        long sa;
        if (ca == ZERO) { ea = Integer.MIN_VALUE; sa = 0; }
        else { unpack(aSe, aM); ea = ue; sa = us; }
        int eb;
        long sb;
        if (cb == ZERO) { eb = Integer.MIN_VALUE; sb = 0; }
        else { unpack(bSe, bM); eb = ue; sb = us; }
        if (ea != eb) return ea > eb ? 1 : -1;
        return Long.compareUnsigned(sa, sb);
    }

    /** The normalised (biased) exponent of a finite nonzero value, for FXTRACT. */
    int normalizedExponent(int aSe, long aM) {
        unpack(aSe, aM);
        return ue;
    }

    long normalizedSignificand(int aSe, long aM) {
        unpack(aSe, aM);
        return us;
    }

    // ---------------------------------------------------------------- wide values for transcendentals

    /** Loads a finite nonzero register value into the wide register. */
    void wideFrom(int aSe, long aM) {
        unpack(aSe, aM);
        wNeg = neg(aSe);
        wExp = ue;
        wHi = us;
        wLo = 0;
    }

    /** Loads hi + lo (a double-double, hi != 0) exactly into the wide register. */
    void wideFromDoubleDouble(double hi, double lo) {
        long hb = Double.doubleToRawLongBits(hi);
        boolean hn = hb < 0;
        int he = expOfDouble(hb);
        long hs = sigOfDouble(hb);
        if (lo == 0) {
            wNeg = hn; wExp = he; wHi = hs; wLo = 0;
            return;
        }
        long lb = Double.doubleToRawLongBits(lo);
        if (!addWide(hn, he, hs, 0, lb < 0, expOfDouble(lb), sigOfDouble(lb), 0)) {
            wNeg = false; wExp = 0; wHi = 0; wLo = 0;
        }
    }

    private static int expOfDouble(long b) {
        int e = (int) ((b >>> 52) & 0x7FF);
        long f = b & 0xF_FFFF_FFFF_FFFFL;
        if (e == 0) return 1 - 1023 + BIAS - (Long.numberOfLeadingZeros(f) - 11);
        return e - 1023 + BIAS;
    }

    private static long sigOfDouble(long b) {
        int e = (int) ((b >>> 52) & 0x7FF);
        long f = b & 0xF_FFFF_FFFF_FFFFL;
        if (e == 0) return f << Long.numberOfLeadingZeros(f);
        return (f | (1L << 52)) << 11;
    }

    /** wide *= (register value y, finite nonzero). */
    void wideMultiply(int ySe, long yM) {
        unpack(ySe, yM);
        long y = us;
        long p1h = Math.unsignedMultiplyHigh(y, wHi), p1l = y * wHi;
        long p2h = Math.unsignedMultiplyHigh(y, wLo), p2l = y * wLo;
        long mid = p1l + p2h;
        long top = p1h + (Long.compareUnsigned(mid, p1l) < 0 ? 1 : 0);
        if (p2l != 0) mid |= 1;
        int exp = ue + wExp - BIAS + 1;
        if (top >= 0) {
            top = (top << 1) | (mid >>> 63);
            mid = (mid << 1) | (mid & 1);
            exp--;
        }
        wNeg ^= neg(ySe);
        wExp = exp;
        wHi = top;
        wLo = mid;
    }

    /** Nudges the wide value's magnitude by far less than an ulp, to round a "x - tiny" result right. */
    void wideNudge(boolean up) {
        if (up) {
            wLo |= 1;
        } else {
            if (wLo == 0) wHi--;
            wLo--;
            if (wHi >= 0) { // 1.000...0 - tiny: renormalise
                wHi = (wHi << 1) | (wLo >>> 63);
                wLo = (wLo << 1) | 1;
                wExp--;
            }
        }
    }

    /** Rounds the wide register to 64 bits (transcendental results are not subject to PC). */
    void roundWide() {
        roundPack(wNeg, wExp, wHi, wLo, 64);
    }

    /** A positive value m * 2^-scale (m > 0) rounded by RC to extended precision (constants). */
    void fromBigFixed(BigInteger mag, int scale) {
        int len = mag.bitLength();
        BigInteger top = len > 128 ? mag.shiftRight(len - 128) : mag.shiftLeft(128 - len);
        boolean sticky = len > 128 && mag.getLowestSetBit() < len - 128;
        long h = top.shiftRight(64).longValue(), l = top.longValue() | (sticky ? 1 : 0);
        roundPack(false, BIAS + len - 1 - scale, h, l, 64);
    }
}
