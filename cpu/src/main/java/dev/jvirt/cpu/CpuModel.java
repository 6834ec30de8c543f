package dev.jvirt.cpu;

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

    /** The CPUID answers of one logical processor of a one-vCPU machine. */
    public Cpuid table(int apicId) { return new Cpuid(this, apicId, 1); }

    /** The CPUID answers of logical processor {@code apicId} in a package of {@code vcpus} single-threaded cores. */
    public Cpuid table(int apicId, int vcpus) { return new Cpuid(this, apicId, vcpus); }

    /** AMD's conventions apply (extended-leaf cache descriptors, zeros beyond the highest leaf). */
    public boolean amd() { return vendor.equals(CpuModels.AMD); }
}
