package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;

import static dev.jvirt.cpu.x87.Float80.BIAS;
import static dev.jvirt.cpu.x87.Float80.DE;
import static dev.jvirt.cpu.x87.Float80.IE;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_M;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_SE;
import static dev.jvirt.cpu.x87.Float80.INT_BIT;
import static dev.jvirt.cpu.x87.Float80.PE;
import static dev.jvirt.cpu.x87.Float80.ZE;

/**
 * The x87 FPU: executes the D8-DF instructions on {@link CpuState#fpu} (SDM Vol. 1 ch. 8, Vol. 2).
 * The register stack, tag word, condition codes, stack faults and the exception model (masked
 * default results, unmasked flags with ES/B and the destination left unchanged) live here; value
 * arithmetic is {@link Float80}, transcendentals {@link X87Transcendental}, state images
 * {@link X87StateImage}.
 */
public final class X87 implements FpuUnit {
    static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, SF = 0x40, ES = 0x80, B = 0x8000;
    static final int TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;
    private static final long FLAG_CF = 1, FLAG_PF = 4, FLAG_ZF = 0x40;

    private final CpuState state;
    private final FpuState fpu;
    private final Float80 f = new Float80();
    private final X87Transcendental tr = new X87Transcendental(f);

    public X87(CpuState state) {
        this.state = state;
        this.fpu = state.fpu;
    }

    // ---------------------------------------------------------------- register stack

    int top() {
        return (fpu.fsw >> 11) & 7;
    }

    private void setTop(int t) {
        fpu.fsw = (fpu.fsw & ~0x3800) | ((t & 7) << 11);
    }

    private int phys(int i) {
        return (top() + i) & 7;
    }

    private int tag(int p) {
        return (fpu.ftw >> (2 * p)) & 3;
    }

    private void setTag(int p, int t) {
        fpu.ftw = (fpu.ftw & ~(3 << (2 * p))) | (t << (2 * p));
    }

    private boolean empty(int i) {
        return tag(phys(i)) == TAG_EMPTY;
    }

    private int stSe(int i) {
        return fpu.signExp[phys(i)] & 0xFFFF;
    }

    private long stM(int i) {
        return fpu.mantissa[phys(i)];
    }

    private void setSt(int i, int se, long m) {
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

    private void pop() {
        setTag(phys(0), TAG_EMPTY);
        setTop(top() + 1);
    }

    /** Room for a push; on a stack overflow with IE masked pushes the indefinite (SDM 8.5.1.1). */
    private boolean pushCheck() {
        if (empty(7)) return true;
        if (stackFault(true)) {
            setTop(top() - 1);
            setSt(0, INDEFINITE_SE, INDEFINITE_M);
        }
        return false;
    }

    private void push(int se, long m) {
        setTop(top() - 1);
        setSt(0, se, m);
    }

    // ---------------------------------------------------------------- exceptions and condition codes

    /** Records exception flags; true when an unmasked IE, DE or ZE forbids writing the destination. */
    private boolean raise(int flags) {
        fpu.fsw |= flags & 0x3F;
        return (flags & ~fpu.fcw & (IE | DE | ZE)) != 0;
    }

    /** Stack overflow/underflow: IE, SF and C1 = overflow. True when IE is masked (use the indefinite). */
    private boolean stackFault(boolean overflow) {
        fpu.fsw = (fpu.fsw & ~C1) | IE | SF | (overflow ? C1 : 0);
        return (fpu.fcw & IE) != 0;
    }

    private void setC1(boolean on) {
        fpu.fsw = on ? fpu.fsw | C1 : fpu.fsw & ~C1;
    }

    /** C1 after a rounded result: set when the result was rounded up (SDM 8.1.3.3). */
    private void roundingC1() {
        setC1((f.flags & PE) != 0 && f.roundedUp);
    }

    private void setCompareCodes(int r) {
        int cc = switch (r) {
            case Float80.CMP_LESS -> C0;
            case Float80.CMP_EQUAL -> C3;
            case Float80.CMP_GREATER -> 0;
            default -> C3 | C2 | C0;
        };
        fpu.fsw = (fpu.fsw & ~(C0 | C1 | C2 | C3)) | cc;
    }

    private void updateErrorSummary() {
        if ((fpu.fsw & ~fpu.fcw & 0x3F) != 0) fpu.fsw |= ES | B;
        else fpu.fsw &= ~(ES | B);
    }

    @Override
    public boolean exceptionPending() {
        return (fpu.fsw & ES) != 0;
    }

    // ---------------------------------------------------------------- dispatch

    /** Whether D8-DF with this ModRM is a defined instruction (else the caller raises #UD). */
    public static boolean isDefined(int opcode, int modrm) {
        int reg = (modrm >> 3) & 7;
        boolean mem = (modrm & 0xC0) != 0xC0;
        switch (opcode & 0xFF) {
            case 0xD9:
                if (mem) return reg != 1;
                return switch (modrm & 0xFF) {
                    case 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xE2, 0xE3, 0xE6, 0xE7, 0xEF -> false;
                    default -> true;
                };
            case 0xDA:
                return mem || reg < 4 || (modrm & 0xFF) == 0xE9;
            case 0xDB:
                if (mem) return reg != 4 && reg != 6;
                return reg != 4 && reg != 7 || ((modrm & 0xFF) >= 0xE0 && (modrm & 0xFF) <= 0xE4);
            case 0xDD:
                return mem ? reg != 5 : reg != 6 && reg != 7;
            case 0xDE:
                return mem || reg != 3 || (modrm & 0xFF) == 0xD9;
            case 0xDF:
                return mem || reg < 4 || (modrm & 0xFF) == 0xE0 || reg == 5 || reg == 6;
            default:
                return (opcode & 0xFF) >= 0xD8 && (opcode & 0xFF) <= 0xDF;
        }
    }

    /** Control instructions, which leave FIP/FCS/FOP/FDP/FDS alone (SDM Vol. 1 8.1.8). */
    private static boolean isControl(int opcode, int modrm) {
        boolean mem = (modrm & 0xC0) != 0xC0;
        int reg = (modrm >> 3) & 7;
        return switch (opcode) {
            case 0xD9 -> mem && reg >= 4;
            case 0xDB -> !mem && modrm >= 0xE0 && modrm <= 0xE4;
            case 0xDD -> mem && (reg == 4 || reg == 6 || reg == 7);
            case 0xDF -> modrm == 0xE0;
            default -> false;
        };
    }

    @Override
    public long execute(int opcode, int modrm, X87Memory mem, X87Env env) {
        opcode &= 0xFF;
        modrm &= 0xFF;
        if (!isDefined(opcode, modrm)) return NO_FLAGS;
        f.setControl(fpu.fcw);
        f.clear();
        boolean isMem = (modrm & 0xC0) != 0xC0;
        if (!isControl(opcode, modrm)) {
            fpu.fip = env.fip;
            fpu.fcs = env.fcs & 0xFFFF;
            fpu.fop = ((opcode & 7) << 8) | modrm;
            if (isMem) {
                fpu.fdp = env.fdp;
                fpu.fds = env.fds & 0xFFFF;
            }
        }
        long result = NO_FLAGS;
        int reg = (modrm >> 3) & 7, rm = modrm & 7;
        if (isMem) executeMemory(opcode, reg, mem, env);
        else result = executeRegister(opcode, reg, rm, modrm, env);
        updateErrorSummary();
        return result;
    }

    private void executeMemory(int opcode, int reg, X87Memory mem, X87Env env) {
        switch (opcode) {
            case 0xD8 -> {
                readReal(mem, 24, 8);
                arithMemory(reg);
            }
            case 0xDC -> {
                readReal(mem, 53, 11);
                arithMemory(reg);
            }
            case 0xDA -> {
                readInt(mem, 4);
                arithMemory(reg);
            }
            case 0xDE -> {
                readInt(mem, 2);
                arithMemory(reg);
            }
            case 0xD9 -> {
                switch (reg) {
                    case 0 -> loadReal(mem, 24, 8);
                    case 2, 3 -> storeReal(mem, 24, 8, reg == 3);
                    case 4 -> X87StateImage.loadEnv(fpu, mem, env, 0);
                    case 5 -> fpu.fcw = ((int) mem.read(0, 2) & 0x1F7F) | 0x40;
                    case 6 -> {
                        X87StateImage.storeEnv(fpu, mem, env);
                        fpu.fcw |= 0x3F; // FSTENV masks all exceptions after saving
                    }
                    case 7 -> mem.write(0, 2, fpu.fcw);
                    default -> { }
                }
            }
            case 0xDB -> {
                switch (reg) {
                    case 0 -> loadInt(mem, 4);
                    case 1 -> storeInt(mem, 4, true, true);
                    case 2, 3 -> storeInt(mem, 4, reg == 3, false);
                    case 5 -> loadExtended(mem);
                    case 7 -> storeExtended(mem);
                    default -> { }
                }
            }
            case 0xDD -> {
                switch (reg) {
                    case 0 -> loadReal(mem, 53, 11);
                    case 1 -> storeInt(mem, 8, true, true);
                    case 2, 3 -> storeReal(mem, 53, 11, reg == 3);
                    case 4 -> X87StateImage.frstor(fpu, mem, env);
                    case 6 -> {
                        X87StateImage.fsave(fpu, mem, env);
                        X87StateImage.init(fpu);
                    }
                    case 7 -> mem.write(0, 2, fpu.fsw);
                    default -> { }
                }
            }
            case 0xDF -> {
                switch (reg) {
                    case 0 -> loadInt(mem, 2);
                    case 1 -> storeInt(mem, 2, true, true);
                    case 2, 3 -> storeInt(mem, 2, reg == 3, false);
                    case 4 -> loadBcd(mem);
                    case 5 -> loadInt(mem, 8);
                    case 6 -> storeBcd(mem);
                    case 7 -> storeInt(mem, 8, true, false);
                    default -> { }
                }
            }
            default -> { }
        }
    }

    private long executeRegister(int opcode, int reg, int i, int modrm, X87Env env) {
        switch (opcode) {
            case 0xD8 -> {
                if (reg == 2 || reg == 3) compareSt(i, false, reg == 3 ? 1 : 0);
                else arithRegister(reg, 0, i, false);
            }
            case 0xDC -> {
                if (reg == 2 || reg == 3) compareSt(i, false, reg == 3 ? 1 : 0);
                else arithRegister(reg >= 4 ? reg ^ 1 : reg, i, 0, false);
            }
            case 0xDE -> {
                if (reg == 2) compareSt(i, false, 1);
                else if (reg == 3) compareSt(1, false, 2); // FCOMPP
                else arithRegister(reg >= 4 ? reg ^ 1 : reg, i, 0, true);
            }
            case 0xD9 -> executeD9(reg, i, modrm);
            case 0xDA -> {
                if (reg < 4) fcmov(reg, false, i, env);
                else compareSt(1, true, 2); // FUCOMPP
            }
            case 0xDB -> {
                switch (reg) {
                    case 0, 1, 2, 3 -> fcmov(reg, true, i, env);
                    case 4 -> {
                        if (modrm == 0xE2) fpu.fsw &= ~(0x3F | SF | ES | B); // FNCLEX
                        else if (modrm == 0xE3) X87StateImage.init(fpu); // FNINIT
                        // E0 FENI, E1 FDISI, E4 FSETPM: no-ops since the 80387
                    }
                    case 5 -> { return compareFlags(i, true, false); }
                    case 6 -> { return compareFlags(i, false, false); }
                    default -> { }
                }
            }
            case 0xDD -> {
                switch (reg) {
                    case 0 -> setTag(phys(i), TAG_EMPTY); // FFREE
                    case 1 -> fxch(i);
                    case 2, 3 -> storeSt(i, reg == 3);
                    case 4, 5 -> compareSt(i, true, reg == 5 ? 1 : 0);
                    default -> { }
                }
            }
            case 0xDF -> {
                switch (reg) {
                    case 0 -> { // FFREEP
                        setTag(phys(i), TAG_EMPTY);
                        pop();
                    }
                    case 1 -> fxch(i);
                    case 2, 3 -> storeSt(i, true);
                    case 4 -> state.gpr[CpuState.RAX] = (state.gpr[CpuState.RAX] & ~0xFFFFL) | fpu.fsw; // FNSTSW AX
                    case 5 -> { return compareFlags(i, true, true); }
                    case 6 -> { return compareFlags(i, false, true); }
                    default -> { }
                }
            }
            default -> { }
        }
        return NO_FLAGS;
    }

    private void executeD9(int reg, int i, int modrm) {
        switch (reg) {
            case 0 -> fldSt(i);
            case 1 -> fxch(i);
            case 2 -> { } // FNOP
            case 3 -> storeSt(i, true); // FSTP1 alias
            case 4 -> {
                switch (modrm) {
                    case 0xE0, 0xE1 -> { // FCHS, FABS
                        if (!underflowSt0()) return;
                        setSt(0, modrm == 0xE0 ? stSe(0) ^ 0x8000 : stSe(0) & 0x7FFF, stM(0));
                        setC1(false);
                    }
                    case 0xE4 -> ftst();
                    case 0xE5 -> fxam();
                    default -> { }
                }
            }
            case 5 -> loadConstant(modrm);
            case 6 -> executeD9F0(modrm);
            default -> executeD9F8(modrm);
        }
    }

    private void executeD9F0(int modrm) {
        switch (modrm) {
            case 0xF0 -> unary(0xF0);
            case 0xF1 -> binaryPop(0xF1);
            case 0xF2 -> trigPush(true);
            case 0xF3 -> binaryPop(0xF3);
            case 0xF4 -> fxtract();
            case 0xF5 -> fprem(true);
            case 0xF6 -> {
                setTop(top() - 1);
                setC1(false);
            }
            case 0xF7 -> {
                setTop(top() + 1);
                setC1(false);
            }
            default -> { }
        }
    }

    private void executeD9F8(int modrm) {
        switch (modrm) {
            case 0xF8 -> fprem(false);
            case 0xF9 -> binaryPop(0xF9);
            case 0xFA, 0xFC, 0xFE, 0xFF -> unary(modrm);
            case 0xFB -> trigPush(false);
            case 0xFD -> fscale();
            default -> { }
        }
    }

    // ---------------------------------------------------------------- arithmetic

    private int srcSe;
    private long srcM;

    /** A memory real converted into srcSe/srcM (DE noted in f.flags for a denormal source). */
    private void readReal(X87Memory mem, int p, int ebits) {
        f.fromBinary(mem.read(0, p == 24 ? 4 : 8), p, ebits);
        srcSe = f.se;
        srcM = f.m;
    }

    /** A memory integer converted (exactly) into srcSe/srcM. */
    private void readInt(X87Memory mem, int size) {
        long v = mem.read(0, size);
        v = size == 2 ? (short) v : size == 4 ? (int) v : v;
        f.fromLong(v);
        srcSe = f.se;
        srcM = f.m;
    }

    /** D8/DC/DA/DE with a memory operand already converted into srcSe/srcM. */
    private void arithMemory(int reg) {
        if (reg == 2 || reg == 3) {
            compareValue(srcSe, srcM, false, reg == 3 ? 1 : 0);
            return;
        }
        if (empty(0)) {
            if (stackFault(false)) setSt(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        arith(reg, 0, srcSe, srcM, false);
    }

    /** ST(dst) = ST(dst) op ST(src); op as in {@link #arith}. */
    private void arithRegister(int op, int dst, int src, boolean pop) {
        if (empty(0) || empty(dst == 0 ? src : dst)) {
            if (stackFault(false)) {
                setSt(dst, INDEFINITE_SE, INDEFINITE_M);
                if (pop) pop();
            }
            return;
        }
        arith(op, dst, stSe(src), stM(src), pop);
    }

    /** op: 0 add, 1 mul, 4 dst - src, 5 src - dst, 6 dst / src, 7 src / dst. */
    private void arith(int op, int dst, int sSe, long sM, boolean pop) {
        int dSe = stSe(dst);
        long dM = stM(dst);
        switch (op) {
            case 0 -> f.add(dSe, dM, sSe, sM, false);
            case 1 -> f.mul(dSe, dM, sSe, sM);
            case 4 -> f.add(dSe, dM, sSe, sM, true);
            case 5 -> f.add(sSe, sM, dSe, dM, true);
            case 6 -> f.div(dSe, dM, sSe, sM);
            default -> f.div(sSe, sM, dSe, dM);
        }
        complete(dst, pop);
    }

    /** Writes f's result to ST(dst) unless an unmasked IE/DE/ZE forbids it. */
    private void complete(int dst, boolean pop) {
        if (raise(f.flags)) return;
        setSt(dst, f.se, f.m);
        roundingC1();
        if (pop) pop();
    }

    private boolean underflowSt0() {
        if (!empty(0)) return true;
        if (stackFault(false)) setSt(0, INDEFINITE_SE, INDEFINITE_M);
        return false;
    }

    private void unary(int modrm) {
        if (!underflowSt0()) return;
        int se = stSe(0);
        long m = stM(0);
        switch (modrm) {
            case 0xF0 -> {
                tr.f2xm1(se, m);
                f.set(tr.se1, tr.m1);
            }
            case 0xFA -> f.sqrt(se, m);
            case 0xFC -> f.roundToIntegral(se, m);
            default -> { // FSIN, FCOS
                if (!tr.trig(se, m, false)) {
                    fpu.fsw |= C2;
                    return;
                }
                fpu.fsw &= ~C2;
                if (modrm == 0xFE) f.set(tr.se1, tr.m1);
                else f.set(tr.se2, tr.m2);
            }
        }
        complete(0, false);
    }

    /** FPTAN (ST0 = tan, push 1.0) and FSINCOS (ST0 = sin, push cos). */
    private void trigPush(boolean tan) {
        if (!underflowSt0()) return;
        if (!empty(7)) {
            if (stackFault(true)) {
                setSt(0, INDEFINITE_SE, INDEFINITE_M);
                push(INDEFINITE_SE, INDEFINITE_M);
            }
            return;
        }
        if (!tr.trig(stSe(0), stM(0), tan)) {
            fpu.fsw |= C2;
            return;
        }
        fpu.fsw &= ~C2;
        if (raise(f.flags)) return;
        roundingC1();
        setSt(0, tr.se1, tr.m1);
        if (tan) push(Float80.isNaN(tr.se1, tr.m1) ? tr.se1 : BIAS, Float80.isNaN(tr.se1, tr.m1) ? tr.m1 : INT_BIT);
        else push(tr.se2, tr.m2);
    }

    /** FYL2X, FPATAN, FYL2XP1: ST(1) = f(ST(1), ST(0)), then pop. */
    private void binaryPop(int modrm) {
        if (empty(0) || empty(1)) {
            if (stackFault(false)) {
                setSt(1, INDEFINITE_SE, INDEFINITE_M);
                pop();
            }
            return;
        }
        int ySe = stSe(1), xSe = stSe(0);
        long yM = stM(1), xM = stM(0);
        switch (modrm) {
            case 0xF1 -> tr.yl2x(ySe, yM, xSe, xM);
            case 0xF3 -> tr.atan2(ySe, yM, xSe, xM);
            default -> tr.yl2xp1(ySe, yM, xSe, xM);
        }
        f.set(tr.se1, tr.m1);
        complete(1, true);
    }

    private void fprem(boolean ieee) {
        if (empty(0) || empty(1)) {
            if (stackFault(false)) setSt(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        int q = f.remainder(stSe(0), stM(0), stSe(1), stM(1), ieee);
        if (raise(f.flags)) return;
        setSt(0, f.se, f.m);
        int cc = 0;
        if ((q & 8) != 0) cc = C2;
        else {
            if ((q & 1) != 0) cc |= C1;
            if ((q & 2) != 0) cc |= C3;
            if ((q & 4) != 0) cc |= C0;
        }
        fpu.fsw = (fpu.fsw & ~(C0 | C1 | C2 | C3)) | cc;
    }

    private void fscale() {
        if (empty(0) || empty(1)) {
            if (stackFault(false)) setSt(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        f.scale(stSe(0), stM(0), stSe(1), stM(1));
        complete(0, false);
    }

    /** FXTRACT: ST(0) = exponent, then push the significand. */
    private void fxtract() {
        if (!underflowSt0()) return;
        if (!empty(7)) {
            if (stackFault(true)) {
                setSt(0, INDEFINITE_SE, INDEFINITE_M);
                push(INDEFINITE_SE, INDEFINITE_M);
            }
            return;
        }
        int se = stSe(0);
        long m = stM(0);
        int c = Float80.classify(se, m);
        int expSe, sigSe;
        long expM, sigM;
        switch (c) {
            case Float80.QNAN, Float80.SNAN, Float80.UNSUPPORTED -> {
                f.nanOrInvalid(se, m, se, m, c, c);
                expSe = sigSe = f.se;
                expM = sigM = f.m;
            }
            case Float80.ZERO -> {
                f.flags |= ZE;
                expSe = 0xFFFF;
                expM = INT_BIT;
                sigSe = se;
                sigM = m;
            }
            case Float80.INFINITY -> {
                expSe = 0x7FFF;
                expM = INT_BIT;
                sigSe = se;
                sigM = m;
            }
            default -> {
                if (c == Float80.DENORMAL) f.flags |= DE;
                int e = f.normalizedExponent(se, m);
                sigSe = (se & 0x8000) | BIAS;
                sigM = f.normalizedSignificand(se, m);
                f.fromLong(e - BIAS);
                expSe = f.se;
                expM = f.m;
            }
        }
        if (raise(f.flags)) return;
        setSt(0, expSe, expM);
        push(sigSe, sigM);
    }

    // ---------------------------------------------------------------- compares

    /** FCOM/FCOMP/FCOMPP/FUCOM*: ST(0) against ST(i), then {@code pops} pops. */
    private void compareSt(int i, boolean quiet, int pops) {
        if (empty(0) || empty(i)) {
            if (stackFault(false)) {
                setCompareCodes(Float80.CMP_UNORDERED);
                for (int k = 0; k < pops; k++) pop();
            }
            return;
        }
        compareValue(stSe(i), stM(i), quiet, pops);
    }

    private void compareValue(int bSe, long bM, boolean quiet, int pops) {
        if (empty(0)) {
            if (stackFault(false)) {
                setCompareCodes(Float80.CMP_UNORDERED);
                for (int k = 0; k < pops; k++) pop();
            }
            return;
        }
        int r = f.compare(stSe(0), stM(0), bSe, bM, quiet);
        if (raise(f.flags)) return;
        setCompareCodes(r);
        for (int k = 0; k < pops; k++) pop();
    }

    /** FCOMI/FCOMIP/FUCOMI/FUCOMIP: ZF, PF, CF (SDM Vol. 2 FCOMI table). */
    private long compareFlags(int i, boolean quiet, boolean pop) {
        int r;
        if (empty(0) || empty(i)) {
            if (!stackFault(false)) return NO_FLAGS;
            r = Float80.CMP_UNORDERED;
        } else {
            r = f.compare(stSe(0), stM(0), stSe(i), stM(i), quiet);
            if (raise(f.flags)) return NO_FLAGS;
            setC1(false);
        }
        if (pop) pop();
        return switch (r) {
            case Float80.CMP_LESS -> FLAG_CF;
            case Float80.CMP_EQUAL -> FLAG_ZF;
            case Float80.CMP_GREATER -> 0;
            default -> FLAG_ZF | FLAG_PF | FLAG_CF;
        };
    }

    private void ftst() {
        compareValue(0, 0, false, 0);
    }

    /** FXAM: C3 C2 C0 class and C1 sign (SDM Vol. 2 FXAM). */
    private void fxam() {
        int se = stSe(0);
        long m = stM(0);
        int cc;
        if (empty(0)) cc = C3 | C0;
        else cc = switch (Float80.classify(se, m)) {
            case Float80.UNSUPPORTED -> 0;
            case Float80.QNAN, Float80.SNAN -> C0;
            case Float80.NORMAL -> C2;
            case Float80.INFINITY -> C2 | C0;
            case Float80.ZERO -> C3;
            default -> C3 | C2; // denormal
        };
        if ((se & 0x8000) != 0) cc |= C1;
        fpu.fsw = (fpu.fsw & ~(C0 | C1 | C2 | C3)) | cc;
    }

    // ---------------------------------------------------------------- moves

    private void fldSt(int i) {
        int se = stSe(i);
        long m = stM(i);
        boolean wasEmpty = empty(i);
        if (!pushCheck()) return;
        if (wasEmpty) {
            if (stackFault(false)) push(INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        setC1(false);
        push(se, m);
    }

    private void fxch(int i) {
        if (empty(0) || empty(i)) {
            if (!stackFault(false)) return;
            if (empty(0)) setSt(0, INDEFINITE_SE, INDEFINITE_M);
            if (empty(i)) setSt(i, INDEFINITE_SE, INDEFINITE_M);
        } else {
            setC1(false);
        }
        int se = stSe(0);
        long m = stM(0);
        setSt(0, stSe(i), stM(i));
        setSt(i, se, m);
    }

    /** FST/FSTP ST(i): a copy without rounding. */
    private void storeSt(int i, boolean pop) {
        if (empty(0)) {
            if (stackFault(false)) {
                setSt(i, INDEFINITE_SE, INDEFINITE_M);
                if (pop) pop();
            }
            return;
        }
        setC1(false);
        setSt(i, stSe(0), stM(0));
        if (pop) pop();
    }

    private void fcmov(int reg, boolean negate, int i, X87Env env) {
        if (empty(0) || empty(i)) {
            if (stackFault(false)) setSt(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        long fl = env.eflags;
        boolean cond = switch (reg) {
            case 0 -> (fl & FLAG_CF) != 0;
            case 1 -> (fl & FLAG_ZF) != 0;
            case 2 -> (fl & (FLAG_CF | FLAG_ZF)) != 0;
            default -> (fl & FLAG_PF) != 0;
        };
        setC1(false);
        if (cond != negate) setSt(0, stSe(i), stM(i));
    }

    private void loadConstant(int modrm) {
        if (!pushCheck()) return;
        setC1(false);
        switch (modrm) {
            case 0xE8 -> push(BIAS, INT_BIT);
            case 0xEE -> push(0, 0);
            case 0xE9, 0xEA, 0xEB, 0xEC, 0xED -> {
                int c = modrm - 0xE9;
                push(X87Transcendental.constSe(c, f.rc), X87Transcendental.constM(c, f.rc));
            }
            default -> { } // D9 EF is undefined and filtered out by isDefined
        }
    }

    // ---------------------------------------------------------------- loads and stores

    private void loadReal(X87Memory mem, int p, int ebits) {
        readReal(mem, p, ebits);
        if (!pushCheck()) return;
        if (Float80.classify(srcSe, srcM) == Float80.SNAN) {
            f.flags |= IE;
            srcM |= 0x4000_0000_0000_0000L;
        }
        if (raise(f.flags)) return;
        setC1(false);
        push(srcSe, srcM);
    }

    private void loadInt(X87Memory mem, int size) {
        readInt(mem, size);
        if (!pushCheck()) return;
        setC1(false);
        push(srcSe, srcM);
    }

    private void loadExtended(X87Memory mem) {
        long m = mem.read(0, 8);
        int se = (int) mem.read(8, 2);
        if (!pushCheck()) return;
        setC1(false);
        push(se, m);
    }

    private void storeExtended(X87Memory mem) {
        int se = INDEFINITE_SE;
        long m = INDEFINITE_M;
        if (empty(0)) {
            if (!stackFault(false)) return;
        } else {
            se = stSe(0);
            m = stM(0);
            setC1(false);
        }
        mem.write(0, 8, m);
        mem.write(8, 2, se);
        pop();
    }

    private void storeReal(X87Memory mem, int p, int ebits, boolean pop) {
        int size = p == 24 ? 4 : 8;
        if (empty(0)) {
            if (stackFault(false)) {
                mem.write(0, size, p == 24 ? 0xFFC0_0000L : 0xFFF8_0000_0000_0000L);
                if (pop) pop();
            }
            return;
        }
        boolean ok = f.toBinary(stSe(0), stM(0), p, ebits);
        raise(f.flags);
        if (!ok) return;
        mem.write(0, size, f.bits);
        roundingC1();
        if (pop) pop();
    }

    private void storeInt(X87Memory mem, int size, boolean pop, boolean truncate) {
        long indefinite = 1L << (size * 8 - 1);
        if (empty(0)) {
            if (stackFault(false)) {
                mem.write(0, size, indefinite);
                if (pop) pop();
            }
            return;
        }
        boolean ok = f.toInt(stSe(0), stM(0), size * 8, truncate);
        if (raise(f.flags)) return;
        mem.write(0, size, ok ? f.bits : indefinite);
        if (ok) roundingC1();
        else setC1(false);
        if (pop) pop();
    }

    private void loadBcd(X87Memory mem) {
        long lo = mem.read(0, 8);
        int hi = (int) mem.read(8, 2);
        if (!pushCheck()) return;
        long v = 0;
        for (int i = 8; i >= 0; i--) {
            int b = i == 8 ? hi & 0xFF : (int) (lo >>> (8 * i)) & 0xFF;
            v = v * 100 + (b >> 4) * 10 + (b & 15); // invalid digits give an undefined result
        }
        f.fromLong(v);
        setC1(false);
        push(f.se | (hi & 0x8000), f.m);
    }

    /** FBSTP: round by RC to an 18-digit packed BCD; IE (masked: BCD indefinite) when out of range. */
    private void storeBcd(X87Memory mem) {
        boolean ok = false;
        long v = 0;
        int sign = 0;
        if (empty(0)) {
            if (!stackFault(false)) return;
        } else {
            ok = f.toInt(stSe(0), stM(0), 64, false) && f.bits >= -999_999_999_999_999_999L && f.bits <= 999_999_999_999_999_999L;
            if (!ok) f.flags = (f.flags & ~PE) | IE;
            if (raise(f.flags)) return;
            v = Math.abs(f.bits);
            sign = stSe(0) & 0x8000;
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
            roundingC1();
        } else {
            mem.write(0, 8, 0xC000_0000_0000_0000L);
            mem.write(8, 2, 0xFFFF);
        }
        pop();
    }

    // ---------------------------------------------------------------- FXSAVE / FXRSTOR

    @Override
    public void fxsave(X87Memory mem, X87Env env) {
        X87StateImage.fxsave(fpu, mem, env, xmmRegisters());
    }

    @Override
    public void fxrstor(X87Memory mem, X87Env env) {
        X87StateImage.fxrstor(fpu, mem, env, xmmRegisters());
        updateErrorSummary();
    }

    @Override
    public boolean fxrstorMxcsrValid(X87Memory mem) {
        return (mem.read(24, 4) & ~X87StateImage.MXCSR_MASK) == 0;
    }

    /** XMM8-15 are in the image only in 64-bit mode. */
    private int xmmRegisters() {
        return state.longMode() && state.cs.l ? 16 : 8;
    }
}
