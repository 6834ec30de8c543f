package dev.jvirt.cpu.oracle;

/** One random case of a {@link Form64}: the inputs, the chosen operands and the encoded instruction. */
final class Case64 {
    final Form64 form;
    /** The scratch area's address (host and guest alike). */
    final long scratch;
    final NativeExecutor.Regs in = new NativeExecutor.Regs();
    final byte[] buf = new byte[Form64.BUFFER];
    byte[] insn;
    int reg = -1, rm = -1;
    /** A REX prefix is present (it changes what byte registers 4-7 mean). */
    boolean rex;
    long imm;
    /** 0 [base], 1 [base+disp8], 2 [base+disp32], 3 [base+index*scale], 4 [base+index*scale+disp32], 5 [rip+disp32]. */
    int addressing, base = -1, index = -1, scale, disp;

    Case64(Form64 form, long scratch) {
        this.form = form;
        this.scratch = scratch;
    }

    /** GPR operand {@code n} (as encoded) of {@code bits}. */
    long gpr(int n, int bits) {
        int i = Form64.gprIndex(this, n, bits);
        long v = in.gpr[i] >>> (i != n ? 8 : 0);
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    void setGpr(int n, int bits, long v) {
        int i = Form64.gprIndex(this, n, bits);
        int shift = i != n ? 8 : 0;
        long mask = (bits == 64 ? -1L : (1L << bits) - 1) << shift;
        in.gpr[i] = (in.gpr[i] & ~mask) | ((v << shift) & mask);
    }

    long memory(int bits) {
        long v = 0;
        for (int i = bits / 8 - 1; i >= 0; i--) v = v << 8 | (buf[Form64.OPERAND_AT + i] & 0xFF);
        return v;
    }

    void setMemory(int bits, long v) {
        for (int i = 0; i < bits / 8; i++) buf[Form64.OPERAND_AT + i] = (byte) (v >>> 8 * i);
    }

    /** The r/m operand (GPR or memory) of {@code bits}. */
    long rmValue(int bits) { return form.mem ? memory(bits) : gpr(rm, bits); }

    void setRm(int bits, long v) {
        if (form.mem) setMemory(bits, v);
        else setGpr(rm, bits, v);
    }

    long regValue() { return gpr(reg, form.regBits); }
}
