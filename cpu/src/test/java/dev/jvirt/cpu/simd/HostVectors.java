package dev.jvirt.cpu.simd;

import dev.jvirt.cpu.GuestAsm;
import dev.jvirt.cpu.decode.DecodedInsn;
import dev.jvirt.cpu.decode.Decoder64;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays sse4-host-vectors.txt: every instruction there was run on an x86-64 host CPU (SSE4.2, ABM,
 * BMI1, MOVBE) by cpu/src/test/c/simd_sse4_vectors.py (gcc -msse4.2, inline asm), which recorded XMM0,
 * XMM1, MM1, RAX, RCX, RDX, RFLAGS and the first 16 bytes at RBX afterwards. Here the same instruction,
 * assembled with GNU as, runs on {@link SimdUnit} from the same inputs and must leave the same state.
 */
final class HostVectors {
    /** CF PF AF ZF SF OF. */
    private static final long ARITH_FLAGS = 0x8D5;
    /** LZCNT and TZCNT leave OF, SF, AF and PF undefined (SDM Vol. 2). */
    private static final long COUNT_FLAGS = 0x41;

    private record Row(String asm, int set, long[] out) { }

    private static final Map<Integer, long[]> SETS = new HashMap<>();
    private static final List<Row> ROWS = new ArrayList<>();

    static {
        try (var in = HostVectors.class.getResourceAsStream("sse4-host-vectors.txt");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("set ")) {
                    String[] f = line.split(" ");
                    SETS.put(Integer.parseInt(f[1]), parse(f, 2));
                } else {
                    String[] p = line.split("\\|");
                    ROWS.add(new Row(p[0], Integer.parseInt(p[1]), parse(p[2].split(" "), 0)));
                }
            }
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long[] parse(String[] f, int from) {
        long[] v = new long[f.length - from];
        for (int i = 0; i < v.length; i++) v[i] = Long.parseUnsignedLong(f[from + i], 16);
        return v;
    }

    private HostVectors() { }

    /** Replays the rows whose mnemonic {@code mnemonics} accepts; fails listing the mismatches. */
    static void replay(Predicate<String> mnemonics) {
        List<Row> rows = ROWS.stream().filter(r -> mnemonics.test(mnemonic(r.asm))).toList();
        assertTrue(rows.size() > 0, "no vectors selected");
        Map<String, byte[]> code = assemble(rows);
        List<String> bad = new ArrayList<>();
        for (Row row : rows) {
            String diff = run(row, code.get(row.asm));
            if (diff != null) bad.add(row.asm + " (set " + row.set + "): " + diff);
        }
        assertEquals(List.of(), bad.subList(0, Math.min(bad.size(), 25)), bad.size() + " of " + rows.size() + " vectors differ");
    }

    private static String mnemonic(String asm) {
        String m = asm.startsWith("rex.W ") ? asm.substring(6) : asm;
        return m.substring(0, m.indexOf(' '));
    }

    /** One as/ld run for all the selected instructions, split again by the decoder's lengths. */
    private static Map<String, byte[]> assemble(List<Row> rows) {
        List<String> texts = rows.stream().map(Row::asm).distinct().toList();
        byte[] all = GuestAsm.assemble64(String.join("\n", texts), 0);
        Map<String, byte[]> code = new LinkedHashMap<>();
        DecodedInsn d = new DecodedInsn();
        int at = 0;
        for (String t : texts) {
            int from = at;
            Decoder64.decode(i -> all[from + i] & 0xFF, d);
            code.put(t, java.util.Arrays.copyOfRange(all, from, from + d.length));
            at += d.length;
        }
        return code;
    }

    private static String run(Row row, byte[] code) {
        long[] in = SETS.get(row.set);
        SimdSse4Harness h = new SimdSse4Harness(SimdSse4Harness.fullModel());
        h.unit.setXmm(1, in[0], in[1]);
        h.unit.setXmm(2, in[2], in[3]);
        h.unit.setXmm(0, in[4], in[5]);
        h.unit.setMm(1, in[0]);
        h.unit.setMm(2, in[2]);
        h.g[0] = in[6];
        h.g[1] = in[7];
        h.g[2] = in[8];
        h.g[3] = SimdSse4Harness.MEM;
        h.rflags = in[9];
        h.setMem64(0, in[2]);
        h.setMem64(8, in[3]);
        h.setMem64(16, in[4]);
        h.setMem64(24, in[5]);
        try {
            h.run(code, 0, true);
        } catch (SimdFault f) {
            return "fault " + f.vector;
        }
        long flagMask = row.asm.startsWith("lzcnt") || row.asm.startsWith("tzcnt") ? COUNT_FLAGS : ARITH_FLAGS;
        long[] got = {h.unit.lo(0), h.unit.hi(0), h.unit.lo(1), h.unit.hi(1), h.unit.mm(1), h.g[0], h.g[1], h.g[2],
                h.rflags & flagMask, h.mem64(0), h.mem64(8)};
        long[] want = row.out.clone();
        want[8] &= flagMask;
        String[] names = {"xmm0.lo", "xmm0.hi", "xmm1.lo", "xmm1.hi", "mm1", "rax", "rcx", "rdx", "rflags", "mem.lo", "mem.hi"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < got.length; i++) {
            if (got[i] != want[i]) sb.append(String.format("%s=%x want %x; ", names[i], got[i], want[i]));
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
