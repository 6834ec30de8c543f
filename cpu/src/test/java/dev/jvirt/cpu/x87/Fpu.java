package dev.jvirt.cpu.x87;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;

/** Test driver: runs x87 instructions by opcode and ModRM on a fresh CPU state. */
final class Fpu {
    final CpuState cpu = new CpuState();
    final FpuState s = cpu.fpu;
    final X87 x87 = new X87(cpu);
    final X87Env env = new X87Env();
    final ByteMemory mem = new ByteMemory(4096);

    Fpu() {
        env.operand32 = true;
    }

    /** Register form: opcode and the full ModRM byte (0xC0..0xFF). */
    long op(int opcode, int modrm) {
        return x87.execute(opcode, modrm, null, env);
    }

    /** Memory form with ModRM.reg = reg, operand at offset 0 of {@link #mem}. */
    long opMem(int opcode, int reg) {
        return x87.execute(opcode, reg << 3, mem.at(0), env);
    }

    void fldcw(int cw) {
        mem.at(0).write(0, 2, cw);
        opMem(0xD9, 5);
    }

    void rc(int rc) {
        fldcw((s.fcw & ~0xC00) | rc << 10);
    }

    void pc(int bits) {
        int p = bits == 24 ? 0 : bits == 53 ? 2 : 3;
        fldcw((s.fcw & ~0x300) | p << 8);
    }

    void push80(int se, long m) {
        mem.at(0).write(0, 8, m);
        mem.write(8, 2, se);
        opMem(0xDB, 5);
    }

    void pushDouble(double d) {
        mem.at(0).write(0, 8, Double.doubleToRawLongBits(d));
        opMem(0xDD, 0);
    }

    void pushInt(long v) {
        mem.at(0).write(0, 8, v);
        opMem(0xDF, 5);
    }

    int top() {
        return (s.fsw >> 11) & 7;
    }

    int se(int i) {
        return s.signExp[(top() + i) & 7] & 0xFFFF;
    }

    long m(int i) {
        return s.mantissa[(top() + i) & 7];
    }

    int tag(int i) {
        return (s.ftw >> (2 * ((top() + i) & 7))) & 3;
    }

    /** FSTP m64 and the double. */
    double popDouble() {
        opMem(0xDD, 3);
        return Double.longBitsToDouble(mem.at(0).read(0, 8));
    }

    boolean c(int bit) {
        int mask = switch (bit) { case 0 -> 0x100; case 1 -> 0x200; case 2 -> 0x400; default -> 0x4000; };
        return (s.fsw & mask) != 0;
    }
}
