package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.FpuState;

import static dev.jvirt.cpu.x87.Float80.DE;
import static dev.jvirt.cpu.x87.Float80.IE;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_M;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_SE;
import static dev.jvirt.cpu.x87.Float80.PE;
import static dev.jvirt.cpu.x87.Float80.ZE;

/**
 * The x87 register stack and status word as instructions see them: ST(i) over the physical registers
 * by TOP, the tags, stack overflow/underflow (#IS with C1), exception flags with ES/B, and the
 * condition codes (SDM Vol. 1 8.1).
 */
final class X87Stack {
    static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, SF = 0x40, ES = 0x80, B = 0x8000;
    static final int TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;

    private final FpuState fpu;
    private final Float80 f;

    X87Stack(FpuState fpu, Float80 f) {
        this.fpu = fpu;
        this.f = f;
    }

    // ---------------------------------------------------------------- register stack

    int top() {
        return (fpu.fsw >> 11) & 7;
    }

    void setTop(int t) {
        fpu.fsw = (fpu.fsw & ~0x3800) | ((t & 7) << 11);
    }

    int phys(int i) {
        return (top() + i) & 7;
    }

    int tag(int p) {
        return (fpu.ftw >> (2 * p)) & 3;
    }

    void setTag(int p, int t) {
        fpu.ftw = (fpu.ftw & ~(3 << (2 * p))) | (t << (2 * p));
    }

    boolean empty(int i) {
        return tag(phys(i)) == TAG_EMPTY;
    }

    int se(int i) {
        return fpu.signExp[phys(i)] & 0xFFFF;
    }

    long m(int i) {
        return fpu.mantissa[phys(i)];
    }

    void set(int i, int se, long m) {
        int p = phys(i);
        fpu.signExp[p] = se & 0xFFFF;
        fpu.mantissa[p] = m;
        setTag(p, tagFor(se, m));
    }

    /** The tag the hardware computes from a register's contents (SDM Vol. 1 8.1.7). */
    static int tagFor(int se, long m) {
        int e = se & 0x7FFF;
        if (e == 0x7FFF) return TAG_SPECIAL;
        if (e == 0) return m == 0 ? TAG_ZERO : TAG_SPECIAL;
        return m < 0 ? TAG_VALID : TAG_SPECIAL;
    }

    void pop() {
        setTag(phys(0), TAG_EMPTY);
        setTop(top() + 1);
    }

    /** Room for a push; on a stack overflow with IE masked pushes the indefinite (SDM 8.5.1.1). */
    boolean pushCheck() {
        if (empty(7)) return true;
        if (stackFault(true)) {
            setTop(top() - 1);
            set(0, INDEFINITE_SE, INDEFINITE_M);
        }
        return false;
    }

    void push(int se, long m) {
        setTop(top() - 1);
        set(0, se, m);
    }

    // ---------------------------------------------------------------- exceptions and condition codes

    /** Records exception flags; true when an unmasked IE, DE or ZE forbids writing the destination. */
    boolean raise(int flags) {
        fpu.fsw |= flags & 0x3F;
        return (flags & ~fpu.fcw & (IE | DE | ZE)) != 0;
    }

    /** Whether these flags include an unmasked IE, DE or ZE (the destination must stay unchanged). */
    boolean blocks(int flags) {
        return (flags & ~fpu.fcw & (IE | DE | ZE)) != 0;
    }

    boolean invalidMasked() {
        return (fpu.fcw & IE) != 0;
    }

    /** Stack overflow/underflow: IE, SF and C1 = overflow. True when IE is masked (use the indefinite). */
    boolean stackFault(boolean overflow) {
        fpu.fsw = (fpu.fsw & ~C1) | IE | SF | (overflow ? C1 : 0);
        return (fpu.fcw & IE) != 0;
    }

    void setC1(boolean on) {
        fpu.fsw = on ? fpu.fsw | C1 : fpu.fsw & ~C1;
    }

    /** C1 after a rounded result: set when the result was rounded up (SDM 8.1.3.3). */
    void roundingC1() {
        setC1((f.flags & PE) != 0 && f.roundedUp);
    }

    void setCompareCodes(int r) {
        int cc = switch (r) {
            case Float80.CMP_LESS -> C0;
            case Float80.CMP_EQUAL -> C3;
            case Float80.CMP_GREATER -> 0;
            default -> C3 | C2 | C0;
        };
        fpu.fsw = (fpu.fsw & ~(C0 | C1 | C2 | C3)) | cc;
    }

    void updateErrorSummary() {
        if ((fpu.fsw & ~fpu.fcw & 0x3F) != 0) fpu.fsw |= ES | B;
        else fpu.fsw &= ~(ES | B);
    }


    boolean underflowSt0() {
        if (!empty(0)) return true;
        if (stackFault(false)) set(0, INDEFINITE_SE, INDEFINITE_M);
        return false;
    }
}
