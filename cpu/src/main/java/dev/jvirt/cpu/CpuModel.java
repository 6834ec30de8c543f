package dev.jvirt.cpu;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A named CPU model: what CPUID reports (SDM Vol. 2A, CPUID). Immutable; {@link #with} gives the
 * model with one feature toggled. The feature set holds only what the interpreter implements; a
 * QEMU model's other features are listed in {@link #leftOut()}.
 *
 * @param level  the highest basic leaf
 * @param xlevel the highest extended leaf (0: none)
 */
public record CpuModel(String name, String vendor, int family, int model, int stepping, int level, int xlevel,
                       Set<CpuFeature> features, Set<CpuFeature> leftOut, String brand, int physBits, int virtBits) {
    // Caches of every model (SDM Vol. 2A Table 3-12 descriptors 0x2C, 0x30, 0x7D; leaf 4 says the same).
    private static final int L1_SETS = 64, L2_SETS = 4096, WAYS = 8, LINE = 64;
    private static final int L2_KIB = L2_SETS * WAYS * LINE / 1024;

    public CpuModel {
        if (vendor.length() != 12) throw new IllegalArgumentException("vendor must be 12 characters: " + vendor);
        if (brand.length() > 47) throw new IllegalArgumentException("brand longer than 47 characters: " + brand);
        features = Collections.unmodifiableSet(features.isEmpty() ? EnumSet.noneOf(CpuFeature.class) : EnumSet.copyOf(features));
        leftOut = Collections.unmodifiableSet(leftOut.isEmpty() ? EnumSet.noneOf(CpuFeature.class) : EnumSet.copyOf(leftOut));
    }

    /** The processor signature (CPUID.1:EAX, and EDX after RESET): stepping, model, family with their extensions. */
    public int signature() {
        int fam = Math.min(family, 0xF);
        int ext = family >= 0xF ? family - 0xF : 0;
        return (ext << 20) | ((model >> 4) << 16) | (fam << 8) | ((model & 0xF) << 4) | (stepping & 0xF);
    }

    public boolean has(CpuFeature f) { return features.contains(f); }

    /** This model with {@code f} on or off. */
    public CpuModel with(CpuFeature f, boolean on) {
        EnumSet<CpuFeature> s = features.isEmpty() ? EnumSet.noneOf(CpuFeature.class) : EnumSet.copyOf(features);
        if (on) s.add(f); else s.remove(f);
        EnumSet<CpuFeature> l = leftOut.isEmpty() ? EnumSet.noneOf(CpuFeature.class) : EnumSet.copyOf(leftOut);
        l.remove(f);
        return new CpuModel(name, vendor, family, model, stepping, level, xlevel, s, l, brand, physBits, virtBits);
    }

    /** The feature bits of one CPUID register. */
    public int bits(CpuFeature.Reg reg) {
        int v = 0;
        for (CpuFeature f : features) if (f.reg == reg) v |= f.mask();
        return v;
    }

    /** The CPUID table with every register value precomputed, for the interpreter's hot-path-free lookup. */
    public Cpuid table(int apicId) { return new Cpuid(this, apicId); }

    /** CPUID for one model and one logical processor: {@link #query} fills EAX, EBX, ECX, EDX without allocating. */
    public static final class Cpuid {
        private final CpuModel m;
        private final int apicId;
        private final int leaf1Ecx, leaf1Edx, leaf7Ebx, ext1Ecx, ext1Edx;
        private final int[] vendorRegs, brandRegs;

        Cpuid(CpuModel m, int apicId) {
            this.m = m;
            this.apicId = apicId;
            leaf1Ecx = m.bits(CpuFeature.Reg.LEAF1_ECX);
            leaf1Edx = m.bits(CpuFeature.Reg.LEAF1_EDX);
            leaf7Ebx = m.bits(CpuFeature.Reg.LEAF7_EBX);
            ext1Ecx = m.bits(CpuFeature.Reg.EXT1_ECX);
            ext1Edx = m.bits(CpuFeature.Reg.EXT1_EDX);
            vendorRegs = words(m.vendor, 12);
            brandRegs = words(m.brand, 48);
        }

        public CpuModel model() { return m; }

        /** CPUID with EAX={@code leaf}, ECX={@code subleaf}: out = {EAX, EBX, ECX, EDX}. */
        public void query(int leaf, int subleaf, int[] out) {
            out[0] = out[1] = out[2] = out[3] = 0;
            boolean extended = Integer.compareUnsigned(leaf, 0x8000_0000) >= 0;
            // Intel: a leaf above the highest one answers as the highest basic leaf does (SDM CPUID, "INPUT EAX = 0").
            if (extended ? Integer.compareUnsigned(leaf, m.xlevel) > 0 || m.xlevel == 0 : leaf > m.level) {
                leaf = m.level;
            }
            switch (leaf) {
                case 0 -> {
                    out[0] = m.level;
                    out[1] = vendorRegs[0];
                    out[3] = vendorRegs[1];
                    out[2] = vendorRegs[2];
                }
                case 1 -> {
                    out[0] = m.signature();
                    out[1] = (apicId << 24) | ((leaf1Edx & CpuFeature.CLFLUSH.mask()) != 0 ? (LINE / 8) << 8 : 0);
                    out[2] = leaf1Ecx;
                    out[3] = leaf1Edx;
                }
                case 2 -> {
                    out[0] = 1; // one CPUID(2) call gives all descriptors
                    out[3] = 0x002C_307D;
                }
                case 4 -> {
                    switch (subleaf) {
                        case 0 -> cache(out, 1, 1, L1_SETS);
                        case 1 -> cache(out, 2, 1, L1_SETS);
                        case 2 -> cache(out, 3, 2, L2_SETS);
                        default -> { }
                    }
                }
                case 7 -> {
                    if (subleaf == 0) out[1] = leaf7Ebx;
                }
                case 0xB -> {
                    // One thread per core, one core per package: both levels count 1 and shift 0.
                    if (subleaf == 0 || subleaf == 1) {
                        out[1] = 1;
                        out[2] = (subleaf + 1) << 8 | subleaf;
                    } else {
                        out[2] = subleaf & 0xFF;
                    }
                    out[3] = apicId;
                }
                case 0x8000_0000 -> out[0] = m.xlevel;
                case 0x8000_0001 -> {
                    out[2] = ext1Ecx;
                    out[3] = ext1Edx;
                }
                case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> {
                    int base = (leaf - 0x8000_0002) * 4;
                    for (int i = 0; i < 4; i++) out[i] = brandRegs[base + i];
                }
                case 0x8000_0006 -> out[2] = L2_KIB << 16 | 6 << 12 | LINE; // 6: 8-way (SDM CPUID leaf 80000006H)
                case 0x8000_0008 -> out[0] = m.virtBits << 8 | m.physBits;
                default -> { }
            }
        }

        /** Leaf 4 for one cache: type (1 data, 2 instruction, 3 unified), level, self-initialising, 8-way, 64-byte lines. */
        private static void cache(int[] out, int type, int level, int sets) {
            out[0] = type | level << 5 | 1 << 8;
            out[1] = (WAYS - 1) << 22 | (LINE - 1);
            out[2] = sets - 1;
        }

        private static int[] words(String s, int len) {
            byte[] b = java.util.Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), len);
            int[] w = new int[len / 4];
            for (int i = 0; i < w.length; i++) {
                w[i] = (b[4 * i] & 0xFF) | (b[4 * i + 1] & 0xFF) << 8 | (b[4 * i + 2] & 0xFF) << 16 | (b[4 * i + 3] & 0xFF) << 24;
            }
            return w;
        }
    }
}
