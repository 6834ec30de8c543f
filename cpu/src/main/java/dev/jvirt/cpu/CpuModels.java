package dev.jvirt.cpu;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.jvirt.cpu.CpuFeature.*;

/**
 * The CPU models {@code -cpu} knows, named and defined as QEMU's (target/i386/cpu.c), each reduced to
 * what the interpreter implements, and the parser of QEMU's {@code NAME[,+feat][,-feat][,feat=on|off]}.
 */
public final class CpuModels {
    private CpuModels() { }

    static final String INTEL = "GenuineIntel", AMD = "AuthenticAMD";
    private static final Set<CpuFeature> I486 = EnumSet.of(FPU, VME, PSE);
    private static final Set<CpuFeature> PENTIUM = union(I486, DE, TSC, CpuFeature.MSR, MCE, CX8, MMX, APIC);
    private static final Set<CpuFeature> PENTIUM2 = union(PENTIUM, PAE, SEP, MTRR, PGE, MCA, CMOV, PAT, PSE36, FXSR);
    private static final Set<CpuFeature> PENTIUM3 = union(PENTIUM2, SSE);
    private static final Set<CpuFeature> PPRO = EnumSet.of(FPU, DE, PSE, TSC, CpuFeature.MSR, MCE, CX8, PGE, CMOV, PAT, FXSR,
            MMX, SSE, SSE2, PAE, SEP, APIC, PNI);
    /**
     * QEMU 8/9's qemu64. QEMU also sets SVM, which the interpreter will not implement: it stays in
     * {@link CpuModel#leftOut()} like every other unimplemented flag.
     */
    private static final Set<CpuFeature> QEMU64 = union(PPRO, MTRR, CLFLUSH, MCA, PSE36, CX16, LM, SYSCALL, NX, LAHF_LM, SVM);
    /** QEMU's Nehalem: the x86-64-v2 level (SSSE3, SSE4.1/4.2, POPCNT, CX16, LAHF/SAHF in 64-bit mode). */
    private static final Set<CpuFeature> NEHALEM = EnumSet.of(FPU, VME, DE, PSE, TSC, CpuFeature.MSR, PAE, MCE, CX8, APIC, SEP, MTRR,
            PGE, MCA, CMOV, PAT, PSE36, CLFLUSH, MMX, FXSR, SSE, SSE2, PNI, SSSE3, CX16, SSE4_1, SSE4_2, POPCNT,
            LM, SYSCALL, NX, LAHF_LM);

    private static final Map<String, CpuModel> MODELS = new LinkedHashMap<>();

    static {
        add("qemu64", AMD, 15, 107, 1, 0xD, 0x8000_000A, QEMU64, "QEMU Virtual CPU version 2.5+");
        add("qemu32", 6, 6, 3, 4, 0x8000_0004, PPRO, "QEMU Virtual CPU version 2.5+");
        add("Nehalem", INTEL, 6, 26, 3, 0xB, 0x8000_0008, NEHALEM, "Intel Core i7 9xx (Nehalem Class Core i7)");
        add("486", 4, 8, 0, 1, 0, I486, "");
        add("pentium", 5, 4, 3, 1, 0, PENTIUM, "");
        add("pentium2", 6, 5, 2, 2, 0, PENTIUM2, "");
        add("pentium3", 6, 7, 3, 3, 0, PENTIUM3, "");
        EnumSet<CpuFeature> all = EnumSet.noneOf(CpuFeature.class);
        for (CpuFeature f : CpuFeature.values()) if (f.interpreted) all.add(f);
        add("max", 6, 6, 3, 0xD, 0x8000_0008, all, "jvirt Virtual CPU (max)");
    }

    /** The model used when {@code -cpu} is not given: qemu-system-x86_64's default. */
    public static final CpuModel DEFAULT = MODELS.get("qemu64");

    /** The known model names, default first. */
    public static List<String> names() { return List.copyOf(MODELS.keySet()); }

    /** The model {@code name}, or null. */
    public static CpuModel get(String name) { return MODELS.get(name); }

    /**
     * Parses {@code NAME[,+feat][,-feat][,feat=on|off]} as QEMU's -cpu does (later toggles win).
     *
     * @throws IllegalArgumentException with a one-line message for an unknown model or feature, or a
     *                                  feature the interpreter does not implement being switched on
     */
    public static CpuModel parse(String spec) {
        String[] parts = spec.split(",");
        String name = parts[0].trim();
        CpuModel m = MODELS.get(name);
        if (m == null) {
            String why = name.equals("host") ? "host is only meaningful with KVM" : name.isEmpty() ? "no model name" : "unknown CPU model " + name;
            throw new IllegalArgumentException(why + " (known: " + String.join(", ", names()) + ")");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            boolean on;
            String feat;
            if (p.startsWith("+") || p.startsWith("-")) {
                on = p.charAt(0) == '+';
                feat = p.substring(1);
            } else if (p.contains("=")) {
                feat = p.substring(0, p.indexOf('='));
                String v = p.substring(p.indexOf('=') + 1).toLowerCase(Locale.ROOT);
                on = switch (v) {
                    case "on", "true", "yes" -> true;
                    case "off", "false", "no" -> false;
                    default -> throw new IllegalArgumentException(p + ": expected " + feat + "=on or " + feat + "=off");
                };
            } else {
                feat = p;
                on = true;
            }
            CpuFeature f = CpuFeature.byName(feat.toLowerCase(Locale.ROOT));
            if (f == null) throw new IllegalArgumentException("unknown CPU feature " + feat + " (known: " + known() + ")");
            if (on && !f.interpreted) {
                throw new IllegalArgumentException("CPU feature " + f.qemuName + " is not implemented by the interpreter (implemented: "
                        + implemented() + ")");
            }
            m = m.with(f, on);
        }
        return m;
    }

    private static String known() {
        StringBuilder b = new StringBuilder();
        for (CpuFeature f : CpuFeature.values()) b.append(b.isEmpty() ? "" : " ").append(f.qemuName);
        return b.toString();
    }

    private static String implemented() {
        StringBuilder b = new StringBuilder();
        for (CpuFeature f : CpuFeature.values()) if (f.interpreted) b.append(b.isEmpty() ? "" : " ").append(f.qemuName);
        return b.toString();
    }

    private static void add(String name, int family, int model, int stepping, int level, int xlevel, Set<CpuFeature> qemu, String brand) {
        add(name, INTEL, family, model, stepping, level, xlevel, qemu, brand);
    }

    private static void add(String name, String vendor, int family, int model, int stepping, int level, int xlevel,
                            Set<CpuFeature> qemu, String brand) {
        EnumSet<CpuFeature> have = EnumSet.noneOf(CpuFeature.class), left = EnumSet.noneOf(CpuFeature.class);
        for (CpuFeature f : qemu) (f.interpreted ? have : left).add(f);
        boolean lm = have.contains(LM);
        int phys = lm ? 40 : have.contains(PAE) ? 36 : 32;
        MODELS.put(name, new CpuModel(name, vendor, family, model, stepping, level, xlevel, have, left, brand, phys, lm ? 48 : 32));
    }

    private static Set<CpuFeature> union(Set<CpuFeature> base, CpuFeature... more) {
        EnumSet<CpuFeature> s = EnumSet.copyOf(base);
        s.addAll(List.of(more));
        return s;
    }
}
