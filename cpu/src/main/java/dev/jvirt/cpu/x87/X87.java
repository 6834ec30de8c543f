package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;

import static dev.jvirt.cpu.x87.Float80.BIAS;
import static dev.jvirt.cpu.x87.Float80.DE;
import static dev.jvirt.cpu.x87.Float80.IE;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_M;
import static dev.jvirt.cpu.x87.Float80.INDEFINITE_SE;
import static dev.jvirt.cpu.x87.Float80.INT_BIT;
import static dev.jvirt.cpu.x87.Float80.ZE;
import static dev.jvirt.cpu.x87.X87Stack.B;
import static dev.jvirt.cpu.x87.X87Stack.C0;
import static dev.jvirt.cpu.x87.X87Stack.C1;
import static dev.jvirt.cpu.x87.X87Stack.C2;
import static dev.jvirt.cpu.x87.X87Stack.C3;
import static dev.jvirt.cpu.x87.X87Stack.ES;
import static dev.jvirt.cpu.x87.X87Stack.SF;
import static dev.jvirt.cpu.x87.X87Stack.TAG_EMPTY;

/**
 * The x87 FPU: executes the D8-DF instructions on {@link CpuState#fpu} (SDM Vol. 1 ch. 8, Vol. 2).
 * The register stack, tag word, condition codes, stack faults and the exception model (masked
 * default results, unmasked flags with ES/B and the destination left unchanged) live here; value
 * arithmetic is {@link Float80}, transcendentals {@link X87Transcendental}, state images
 * {@link X87StateImage}, the register stack {@link X87Stack}, memory loads/stores {@link X87LoadStore}.
 */
public final class X87 implements FpuUnit {
    private static final long FLAG_CF = 1, FLAG_PF = 4, FLAG_ZF = 0x40;

    private final CpuState state;
    private final FpuState fpu;
    private final Float80 f = new Float80();
    private final X87Transcendental tr = new X87Transcendental(f);
    private final X87Stack st;
    private final X87LoadStore ls;

    public X87(CpuState state) {
        this.state = state;
        this.fpu = state.fpu;
        this.st = new X87Stack(fpu, f);
        this.ls = new X87LoadStore(f, st);
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
        st.updateErrorSummary();
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
                    case 0 -> ls.loadReal(mem, 24, 8);
                    case 2, 3 -> ls.storeReal(mem, 24, 8, reg == 3);
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
                    case 0 -> ls.loadInt(mem, 4);
                    case 1 -> ls.storeInt(mem, 4, true, true);
                    case 2, 3 -> ls.storeInt(mem, 4, reg == 3, false);
                    case 5 -> ls.loadExtended(mem);
                    case 7 -> ls.storeExtended(mem);
                    default -> { }
                }
            }
            case 0xDD -> {
                switch (reg) {
                    case 0 -> ls.loadReal(mem, 53, 11);
                    case 1 -> ls.storeInt(mem, 8, true, true);
                    case 2, 3 -> ls.storeReal(mem, 53, 11, reg == 3);
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
                    case 0 -> ls.loadInt(mem, 2);
                    case 1 -> ls.storeInt(mem, 2, true, true);
                    case 2, 3 -> ls.storeInt(mem, 2, reg == 3, false);
                    case 4 -> ls.loadBcd(mem);
                    case 5 -> ls.loadInt(mem, 8);
                    case 6 -> ls.storeBcd(mem);
                    case 7 -> ls.storeInt(mem, 8, true, false);
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
                    case 0 -> st.setTag(st.phys(i), TAG_EMPTY); // FFREE
                    case 1 -> fxch(i);
                    case 2, 3 -> storeSt(i, reg == 3);
                    case 4, 5 -> compareSt(i, true, reg == 5 ? 1 : 0);
                    default -> { }
                }
            }
            case 0xDF -> {
                switch (reg) {
                    case 0 -> { // FFREEP
                        st.setTag(st.phys(i), TAG_EMPTY);
                        st.pop();
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
                        if (!st.underflowSt0()) return;
                        st.set(0, modrm == 0xE0 ? st.se(0) ^ 0x8000 : st.se(0) & 0x7FFF, st.m(0));
                        st.setC1(false);
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
                st.setTop(st.top() - 1);
                st.setC1(false);
            }
            case 0xF7 -> {
                st.setTop(st.top() + 1);
                st.setC1(false);
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
        if (st.empty(0)) {
            if (st.stackFault(false)) st.set(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        arith(reg, 0, srcSe, srcM, false);
    }

    /** ST(dst) = ST(dst) op ST(src); op as in {@link #arith}. */
    private void arithRegister(int op, int dst, int src, boolean pop) {
        if (st.empty(0) || st.empty(dst == 0 ? src : dst)) {
            if (st.stackFault(false)) {
                st.set(dst, INDEFINITE_SE, INDEFINITE_M);
                if (pop) st.pop();
            }
            return;
        }
        arith(op, dst, st.se(src), st.m(src), pop);
    }

    /** op: 0 add, 1 mul, 4 dst - src, 5 src - dst, 6 dst / src, 7 src / dst. */
    private void arith(int op, int dst, int sSe, long sM, boolean pop) {
        int dSe = st.se(dst);
        long dM = st.m(dst);
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
        if (st.raise(f.flags)) return;
        st.set(dst, f.se, f.m);
        st.roundingC1();
        if (pop) st.pop();
    }

    private void unary(int modrm) {
        if (!st.underflowSt0()) return;
        int se = st.se(0);
        long m = st.m(0);
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
        if (!st.underflowSt0()) return;
        if (!st.empty(7)) {
            if (st.stackFault(true)) {
                st.set(0, INDEFINITE_SE, INDEFINITE_M);
                st.push(INDEFINITE_SE, INDEFINITE_M);
            }
            return;
        }
        if (!tr.trig(st.se(0), st.m(0), tan)) {
            fpu.fsw |= C2;
            return;
        }
        fpu.fsw &= ~C2;
        if (st.raise(f.flags)) return;
        st.roundingC1();
        st.set(0, tr.se1, tr.m1);
        if (tan) st.push(Float80.isNaN(tr.se1, tr.m1) ? tr.se1 : BIAS, Float80.isNaN(tr.se1, tr.m1) ? tr.m1 : INT_BIT);
        else st.push(tr.se2, tr.m2);
    }

    /** FYL2X, FPATAN, FYL2XP1: ST(1) = f(ST(1), ST(0)), then pop. */
    private void binaryPop(int modrm) {
        if (st.empty(0) || st.empty(1)) {
            if (st.stackFault(false)) {
                st.set(1, INDEFINITE_SE, INDEFINITE_M);
                st.pop();
            }
            return;
        }
        int ySe = st.se(1), xSe = st.se(0);
        long yM = st.m(1), xM = st.m(0);
        switch (modrm) {
            case 0xF1 -> tr.yl2x(ySe, yM, xSe, xM);
            case 0xF3 -> tr.atan2(ySe, yM, xSe, xM);
            default -> tr.yl2xp1(ySe, yM, xSe, xM);
        }
        f.set(tr.se1, tr.m1);
        complete(1, true);
    }

    private void fprem(boolean ieee) {
        if (st.empty(0) || st.empty(1)) {
            if (st.stackFault(false)) st.set(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        int q = f.remainder(st.se(0), st.m(0), st.se(1), st.m(1), ieee);
        if (st.raise(f.flags)) return;
        st.set(0, f.se, f.m);
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
        if (st.empty(0) || st.empty(1)) {
            if (st.stackFault(false)) st.set(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        f.scale(st.se(0), st.m(0), st.se(1), st.m(1));
        complete(0, false);
    }

    /** FXTRACT: ST(0) = exponent, then push the significand. */
    private void fxtract() {
        if (!st.underflowSt0()) return;
        if (!st.empty(7)) {
            if (st.stackFault(true)) {
                st.set(0, INDEFINITE_SE, INDEFINITE_M);
                st.push(INDEFINITE_SE, INDEFINITE_M);
            }
            return;
        }
        int se = st.se(0);
        long m = st.m(0);
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
        if (st.raise(f.flags)) return;
        st.set(0, expSe, expM);
        st.push(sigSe, sigM);
    }

    // ---------------------------------------------------------------- compares

    /** FCOM/FCOMP/FCOMPP/FUCOM*: ST(0) against ST(i), then {@code pops} pops. */
    private void compareSt(int i, boolean quiet, int pops) {
        if (st.empty(0) || st.empty(i)) {
            if (st.stackFault(false)) {
                st.setCompareCodes(Float80.CMP_UNORDERED);
                for (int k = 0; k < pops; k++) st.pop();
            }
            return;
        }
        compareValue(st.se(i), st.m(i), quiet, pops);
    }

    private void compareValue(int bSe, long bM, boolean quiet, int pops) {
        if (st.empty(0)) {
            if (st.stackFault(false)) {
                st.setCompareCodes(Float80.CMP_UNORDERED);
                for (int k = 0; k < pops; k++) st.pop();
            }
            return;
        }
        int r = f.compare(st.se(0), st.m(0), bSe, bM, quiet);
        if (st.raise(f.flags)) return;
        st.setCompareCodes(r);
        for (int k = 0; k < pops; k++) st.pop();
    }

    /** FCOMI/FCOMIP/FUCOMI/FUCOMIP: ZF, PF, CF (SDM Vol. 2 FCOMI table). */
    private long compareFlags(int i, boolean quiet, boolean pop) {
        int r;
        if (st.empty(0) || st.empty(i)) {
            if (!st.stackFault(false)) return NO_FLAGS;
            r = Float80.CMP_UNORDERED;
        } else {
            r = f.compare(st.se(0), st.m(0), st.se(i), st.m(i), quiet);
            if (st.raise(f.flags)) return NO_FLAGS;
            st.setC1(false);
        }
        if (pop) st.pop();
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
        int se = st.se(0);
        long m = st.m(0);
        int cc;
        if (st.empty(0)) cc = C3 | C0;
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
        int se = st.se(i);
        long m = st.m(i);
        boolean wasEmpty = st.empty(i);
        if (!st.pushCheck()) return;
        if (wasEmpty) {
            if (st.stackFault(false)) st.push(INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        st.setC1(false);
        st.push(se, m);
    }

    private void fxch(int i) {
        if (st.empty(0) || st.empty(i)) {
            if (!st.stackFault(false)) return;
            if (st.empty(0)) st.set(0, INDEFINITE_SE, INDEFINITE_M);
            if (st.empty(i)) st.set(i, INDEFINITE_SE, INDEFINITE_M);
        } else {
            st.setC1(false);
        }
        int se = st.se(0);
        long m = st.m(0);
        st.set(0, st.se(i), st.m(i));
        st.set(i, se, m);
    }

    /** FST/FSTP ST(i): a copy without rounding. */
    private void storeSt(int i, boolean pop) {
        if (st.empty(0)) {
            if (st.stackFault(false)) {
                st.set(i, INDEFINITE_SE, INDEFINITE_M);
                if (pop) st.pop();
            }
            return;
        }
        st.setC1(false);
        st.set(i, st.se(0), st.m(0));
        if (pop) st.pop();
    }

    private void fcmov(int reg, boolean negate, int i, X87Env env) {
        if (st.empty(0) || st.empty(i)) {
            if (st.stackFault(false)) st.set(0, INDEFINITE_SE, INDEFINITE_M);
            return;
        }
        long fl = env.eflags;
        boolean cond = switch (reg) {
            case 0 -> (fl & FLAG_CF) != 0;
            case 1 -> (fl & FLAG_ZF) != 0;
            case 2 -> (fl & (FLAG_CF | FLAG_ZF)) != 0;
            default -> (fl & FLAG_PF) != 0;
        };
        st.setC1(false);
        if (cond != negate) st.set(0, st.se(i), st.m(i));
    }

    private void loadConstant(int modrm) {
        if (!st.pushCheck()) return;
        st.setC1(false);
        switch (modrm) {
            case 0xE8 -> st.push(BIAS, INT_BIT);
            case 0xEE -> st.push(0, 0);
            case 0xE9, 0xEA, 0xEB, 0xEC, 0xED -> {
                int c = modrm - 0xE9;
                st.push(X87Transcendental.constSe(c, f.rc), X87Transcendental.constM(c, f.rc));
            }
            default -> { } // D9 EF is undefined and filtered out by isDefined
        }
    }

    // ---------------------------------------------------------------- FXSAVE / FXRSTOR

    @Override
    public void fxsave(X87Memory mem, X87Env env) {
        X87StateImage.fxsave(fpu, mem, env, xmmRegisters());
    }

    @Override
    public void fxrstor(X87Memory mem, X87Env env) {
        X87StateImage.fxrstor(fpu, mem, env, xmmRegisters());
        st.updateErrorSummary();
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
