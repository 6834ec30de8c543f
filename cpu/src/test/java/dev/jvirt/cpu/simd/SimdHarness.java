package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder;
import dev.jvirt.cpu.decode.Decoder64;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link SimdUnit} on a bare {@link CpuState} with a 16-byte memory operand at {@link #BASE} (plus
 * {@link #misalign}), driven by decoded instruction bytes: enough to check one instruction's effect and
 * its exceptions without a whole machine.
 */
class SimdHarness implements SimdContext {
    static final long BASE = 0x1_0000;
    static final CpuModel MODEL = CpuModels.DEFAULT.with(CpuFeature.MMX, true).with(CpuFeature.SSE, true).with(CpuFeature.SSE2, true);

    final CpuState s = new CpuState();
    final SimdUnit unit = new SimdUnit(s, MODEL);
    final DecodedInsn d = new DecodedInsn();
    final byte[] mem = new byte[16];
    long misalign;
    long rflags = 2;

    SimdHarness() {
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_MP;
        s.cr4 = SimdUnit.CR4_OSFXSR | SimdUnit.CR4_OSXMMEXCPT;
    }

    SimdHarness model(CpuModel m) {
        unit.setModel(m);
        return this;
    }

    /** Decodes {@code hex} as 64-bit code (or 32-bit) and executes it; false if the unit does not know it. */
    boolean run(String hex, boolean longMode) {
        byte[] b = HexFormat.of().parseHex(hex);
        if (longMode) Decoder64.decode(i -> i < b.length ? b[i] & 0xFF : 0x90, d);
        else Decoder.decode(i -> i < b.length ? b[i] & 0xFF : 0x90, d, true);
        return unit.execute(d, this);
    }

    void run64(String hex) {
        assertTrue(run(hex, true), hex + " not executed");
    }

    /** The vector a run of {@code hex} faults with, or -1. */
    int faultOf(String hex) {
        try {
            return run(hex, true) ? -1 : 6;
        } catch (SimdFault f) {
            return f.vector;
        }
    }

    // ---- the state a vector file line describes: xmm0, xmm1, xmm8, xmm9 (lo, hi), mm0, mm1, rax, memory (lo, hi) ----

    void load(long[] v) {
        long[] x = s.fpu.xmm;
        x[0] = v[0]; x[1] = v[1]; x[2] = v[2]; x[3] = v[3];
        x[16] = v[4]; x[17] = v[5]; x[18] = v[6]; x[19] = v[7];
        s.fpu.mantissa[0] = v[8];
        s.fpu.mantissa[1] = v[9];
        s.gpr[0] = v[10];
        for (int i = 0; i < 8; i++) {
            mem[i] = (byte) (v[11] >>> (8 * i));
            mem[8 + i] = (byte) (v[12] >>> (8 * i));
        }
    }

    long[] save() {
        long[] x = s.fpu.xmm;
        long lo = 0, hi = 0;
        for (int i = 7; i >= 0; i--) {
            lo = lo << 8 | (mem[i] & 0xFF);
            hi = hi << 8 | (mem[8 + i] & 0xFF);
        }
        return new long[] {x[0], x[1], x[2], x[3], x[16], x[17], x[18], x[19], s.fpu.mantissa[0], s.fpu.mantissa[1], s.gpr[0], lo, hi};
    }

    /** One line of simd-int-vectors.txt: the instruction, its encoding, the state before and after it ran on the host. */
    record Vector(String insn, String hex, long[] in, long[] out) {
        String mnemonic() {
            String m = insn.startsWith("rex.w ") ? insn.substring(6) : insn;
            int sp = m.indexOf(' ');
            return sp < 0 ? m : m.substring(0, sp);
        }
    }

    static List<Vector> vectors() {
        List<Vector> out = new ArrayList<>();
        try (var in = Objects.requireNonNull(SimdHarness.class.getResourceAsStream("simd-int-vectors.txt"));
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) continue;
                String[] f = line.split(";");
                out.add(new Vector(f[0], f[1], longs(f[2]), longs(f[3])));
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        return out;
    }

    private static long[] longs(String s) {
        String[] p = s.trim().split(" ");
        long[] v = new long[p.length];
        for (int i = 0; i < p.length; i++) v[i] = Long.parseUnsignedLong(p[i], 16);
        return v;
    }

    /** Whether {@code hex} decodes the same outside 64-bit mode: no REX prefix after the legacy prefixes. */
    static boolean legacyEncodable(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        int i = 0;
        while (b[i] == 0x66 || b[i] == (byte) 0xF2 || b[i] == (byte) 0xF3) i++;
        return (b[i] & 0xF0) != 0x40;
    }

    /** Runs {@code v} in 64-bit mode and compares every register and memory byte with the host's result. */
    static void check(Vector v) {
        check(v, true);
    }

    /** {@link #check(Vector)}, decoded as 64-bit or as 32-bit code. */
    static void check(Vector v, boolean longMode) {
        SimdHarness h = new SimdHarness();
        h.load(v.in);
        h.s.gpr[6] = h.s.gpr[7] = BASE; // rsi, rdi: the memory operand
        try {
            assertTrue(h.run(v.hex, longMode), v.insn + " not executed");
        } catch (SimdFault f) {
            fail(v.insn + ": fault " + f.vector);
        }
        long[] got = h.save();
        if (!java.util.Arrays.equals(v.out, got)) {
            StringBuilder sb = new StringBuilder(v.insn + "\n in:  ");
            for (long x : v.in) sb.append(String.format("%016x ", x));
            sb.append("\n exp: ");
            for (long x : v.out) sb.append(String.format("%016x ", x));
            sb.append("\n got: ");
            for (long x : got) sb.append(String.format("%016x ", x));
            assertArrayEquals(v.out, got, sb.toString());
        }
    }

    // ---- SimdContext ----

    private int index(long offset, int size) {
        if (offset < 0 || offset + size > mem.length) throw new AssertionError("access outside the operand: " + offset + "+" + size);
        return (int) offset;
    }

    @Override
    public long read(long offset, int size) {
        int i = index(offset, size);
        long v = 0;
        for (int k = size - 1; k >= 0; k--) v = v << 8 | (mem[i + k] & 0xFF);
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        int i = index(offset, size);
        for (int k = 0; k < size; k++) mem[i + k] = (byte) (value >>> (8 * k));
    }

    @Override
    public long linearAddress() { return BASE + misalign; }

    @Override
    public void checkWritable(long offset, int len) { index(offset, len); }

    @Override
    public long gpr(int size, int reg) {
        long v = s.gpr[reg];
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    @Override
    public void setGpr(int size, int reg, long value) {
        if (size == 8 || size == 4) s.gpr[reg] = size == 8 ? value : value & 0xFFFF_FFFFL;
        else {
            long m = (1L << (8 * size)) - 1;
            s.gpr[reg] = s.gpr[reg] & ~m | value & m;
        }
    }

    @Override
    public long rflags() { return rflags; }

    @Override
    public void setRflags(long value) { rflags = value; }

    @Override
    public RuntimeException fault(int vector) { return new SimdFault(vector); }
}
