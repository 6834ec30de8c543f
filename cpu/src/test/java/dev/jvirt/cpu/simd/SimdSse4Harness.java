package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder;
import dev.jvirt.cpu.decode.Decoder64;

/**
 * One SIMD unit behind a fake {@link SimdContext}: 64 bytes of memory at linear {@link #MEM}, sixteen
 * general registers and RFLAGS. Instructions are decoded from bytes (64-bit mode unless told otherwise)
 * and executed by {@link SimdUnit#execute}; an opcode no family owns raises #UD as the executors do.
 */
final class SimdSse4Harness implements SimdContext {
    static final long MEM = 0x1000;

    final CpuState s = new CpuState();
    final SimdUnit unit;
    final long[] g = new long[16];
    final byte[] mem = new byte[64];
    long rflags = 2;
    private final DecodedInsn d = new DecodedInsn();
    private long ea;

    SimdSse4Harness(CpuModel model) {
        unit = new SimdUnit(s, model);
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cr4 |= SimdUnit.CR4_OSFXSR;
    }

    /** The "max" model with every feature this family set needs. */
    static CpuModel fullModel() {
        CpuModel m = CpuModels.get("max");
        for (CpuFeature f : new CpuFeature[] {CpuFeature.MMX, CpuFeature.SSE, CpuFeature.SSE2, CpuFeature.SSSE3,
                CpuFeature.SSE4_1, CpuFeature.SSE4_2, CpuFeature.POPCNT, CpuFeature.ABM, CpuFeature.BMI1, CpuFeature.MOVBE}) {
            m = m.with(f, true);
        }
        return m;
    }

    /** Executes the instruction at the start of {@code code}; returns its length. */
    int run(byte[] code, int at, boolean longMode) {
        if (longMode) Decoder64.decode(i -> code[at + i] & 0xFF, d);
        else Decoder.decode(i -> code[at + i] & 0xFF, d, true);
        if (d.mem) {
            ea = d.disp;
            if (d.base >= 0) ea += g[d.base];
            if (d.index >= 0) ea += g[d.index] << d.scale;
        }
        if (!unit.execute(d, this)) throw new SimdFault(6);
        return d.length;
    }

    static byte[] hex(String h) {
        h = h.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    /** Runs one instruction given as hex bytes and returns the fault vector, or -1 if none. */
    int faultOf(String hexBytes, boolean longMode) {
        try {
            run(hex(hexBytes), 0, longMode);
            return -1;
        } catch (SimdFault f) {
            return f.vector;
        }
    }

    long mem64(int offset) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | mem[offset + i] & 0xFF;
        return v;
    }

    void setMem64(int offset, long v) {
        for (int i = 0; i < 8; i++) mem[offset + i] = (byte) (v >>> 8 * i);
    }

    @Override
    public long read(long offset, int size) {
        int at = checked(offset, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | mem[at + i] & 0xFF;
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        int at = checked(offset, size);
        for (int i = 0; i < size; i++) mem[at + i] = (byte) (value >>> 8 * i);
    }

    /** Outside the 64 bytes is a #GP, as an access beyond a segment limit would be. */
    private int checked(long offset, int size) {
        long a = ea + offset - MEM;
        if (a < 0 || a + size > mem.length) throw new SimdFault(13);
        return (int) a;
    }

    @Override
    public long linearAddress() { return ea; }

    @Override
    public void checkWritable(long offset, int len) { checked(offset, len); }

    @Override
    public long gpr(int size, int reg) {
        return switch (size) {
            case 1 -> d.rex == 0 && reg >= 4 && reg < 8 ? g[reg - 4] >>> 8 & 0xFF : g[reg] & 0xFF;
            case 2 -> g[reg] & 0xFFFF;
            case 4 -> g[reg] & 0xFFFF_FFFFL;
            default -> g[reg];
        };
    }

    @Override
    public void setGpr(int size, int reg, long value) {
        switch (size) {
            case 1 -> g[reg] = g[reg] & ~0xFFL | value & 0xFF;
            case 2 -> g[reg] = g[reg] & ~0xFFFFL | value & 0xFFFF;
            case 4 -> g[reg] = value & 0xFFFF_FFFFL;
            default -> g[reg] = value;
        }
    }

    @Override
    public long rflags() { return rflags; }

    @Override
    public void setRflags(long value) { rflags = value; }

    @Override
    public RuntimeException fault(int vector) { return new SimdFault(vector); }
}
