package dev.jvirt.cpu;

/**
 * A CPUID feature flag, by the name QEMU's {@code -cpu} option gives it, with the leaf register and
 * bit that report it (SDM Vol. 2A CPUID, Tables 3-10, 3-11 and the leaf 7 / 0x80000001 listings).
 * {@link #interpreted} says whether {@link X86Cpu} implements what the flag promises: only those
 * may be advertised.
 */
public enum CpuFeature {
    // CPUID.1:EDX
    FPU("fpu", Reg.LEAF1_EDX, 0, true),
    VME("vme", Reg.LEAF1_EDX, 1, false),
    DE("de", Reg.LEAF1_EDX, 2, true),
    PSE("pse", Reg.LEAF1_EDX, 3, true),
    TSC("tsc", Reg.LEAF1_EDX, 4, true),
    MSR("msr", Reg.LEAF1_EDX, 5, true),
    PAE("pae", Reg.LEAF1_EDX, 6, true),
    MCE("mce", Reg.LEAF1_EDX, 7, false),
    CX8("cx8", Reg.LEAF1_EDX, 8, true),
    APIC("apic", Reg.LEAF1_EDX, 9, true),
    SEP("sep", Reg.LEAF1_EDX, 11, true),
    MTRR("mtrr", Reg.LEAF1_EDX, 12, true),
    PGE("pge", Reg.LEAF1_EDX, 13, true),
    MCA("mca", Reg.LEAF1_EDX, 14, false),
    CMOV("cmov", Reg.LEAF1_EDX, 15, true),
    PAT("pat", Reg.LEAF1_EDX, 16, true),
    PSE36("pse36", Reg.LEAF1_EDX, 17, true),
    PN("pn", Reg.LEAF1_EDX, 18, false),
    CLFLUSH("clflush", Reg.LEAF1_EDX, 19, true),
    DS("ds", Reg.LEAF1_EDX, 21, false),
    ACPI("acpi", Reg.LEAF1_EDX, 22, false),
    MMX("mmx", Reg.LEAF1_EDX, 23, true),
    FXSR("fxsr", Reg.LEAF1_EDX, 24, true),
    SSE("sse", Reg.LEAF1_EDX, 25, true),
    SSE2("sse2", Reg.LEAF1_EDX, 26, true),
    SS("ss", Reg.LEAF1_EDX, 27, false),
    HT("ht", Reg.LEAF1_EDX, 28, false),
    TM("tm", Reg.LEAF1_EDX, 29, false),
    PBE("pbe", Reg.LEAF1_EDX, 31, false),
    // CPUID.1:ECX
    PNI("pni", Reg.LEAF1_ECX, 0, true),
    PCLMULQDQ("pclmulqdq", Reg.LEAF1_ECX, 1, false),
    MONITOR("monitor", Reg.LEAF1_ECX, 3, false),
    VMX("vmx", Reg.LEAF1_ECX, 5, false),
    EST("est", Reg.LEAF1_ECX, 7, false),
    SSSE3("ssse3", Reg.LEAF1_ECX, 9, true),
    FMA("fma", Reg.LEAF1_ECX, 12, false),
    CX16("cx16", Reg.LEAF1_ECX, 13, true),
    PCID("pcid", Reg.LEAF1_ECX, 17, false),
    SSE4_1("sse4.1", Reg.LEAF1_ECX, 19, true),
    SSE4_2("sse4.2", Reg.LEAF1_ECX, 20, true),
    /** Needs the board's local APIC behind the MSR bus (0x800-0x8FF). */
    X2APIC("x2apic", Reg.LEAF1_ECX, 21, true),
    MOVBE("movbe", Reg.LEAF1_ECX, 22, true),
    POPCNT("popcnt", Reg.LEAF1_ECX, 23, true),
    /** The interpreter's TSC runs at an offset from the clock the local APIC's deadline timer counts. */
    TSC_DEADLINE("tsc-deadline", Reg.LEAF1_ECX, 24, false),
    AES("aes", Reg.LEAF1_ECX, 25, false),
    /** XSETBV/XGETBV, XSAVE/XRSTOR in the standard format for x87 and SSE state ({@link Xsave}). */
    XSAVE("xsave", Reg.LEAF1_ECX, 26, true),
    AVX("avx", Reg.LEAF1_ECX, 28, false),
    F16C("f16c", Reg.LEAF1_ECX, 29, false),
    RDRAND("rdrand", Reg.LEAF1_ECX, 30, false),
    HYPERVISOR("hypervisor", Reg.LEAF1_ECX, 31, false),
    // CPUID.(EAX=7,ECX=0):EBX
    FSGSBASE("fsgsbase", Reg.LEAF7_EBX, 0, false),
    BMI1("bmi1", Reg.LEAF7_EBX, 3, false),
    AVX2("avx2", Reg.LEAF7_EBX, 5, false),
    SMEP("smep", Reg.LEAF7_EBX, 7, false),
    BMI2("bmi2", Reg.LEAF7_EBX, 8, false),
    ERMS("erms", Reg.LEAF7_EBX, 9, false),
    INVPCID("invpcid", Reg.LEAF7_EBX, 10, false),
    RDSEED("rdseed", Reg.LEAF7_EBX, 18, false),
    ADX("adx", Reg.LEAF7_EBX, 19, false),
    SMAP("smap", Reg.LEAF7_EBX, 20, false),
    // CPUID.(EAX=0DH,ECX=1):EAX
    XSAVEOPT("xsaveopt", Reg.LEAFD1_EAX, 0, true),
    // CPUID.80000001H:EDX
    SYSCALL("syscall", Reg.EXT1_EDX, 11, true),
    NX("nx", Reg.EXT1_EDX, 20, true),
    PDPE1GB("pdpe1gb", Reg.EXT1_EDX, 26, true),
    RDTSCP("rdtscp", Reg.EXT1_EDX, 27, true),
    LM("lm", Reg.EXT1_EDX, 29, true),
    // CPUID.80000001H:ECX
    LAHF_LM("lahf-lm", Reg.EXT1_ECX, 0, true),
    SVM("svm", Reg.EXT1_ECX, 2, false),
    ABM("abm", Reg.EXT1_ECX, 5, true);

    /** The CPUID output register a feature is reported in. */
    public enum Reg { LEAF1_EDX, LEAF1_ECX, LEAF7_EBX, LEAFD1_EAX, EXT1_EDX, EXT1_ECX }

    public final String qemuName;
    public final Reg reg;
    public final int bit;
    /** X86Cpu implements it (for FPU/FXSR: when it has an x87 unit; APIC/x2APIC: when the board has a local APIC). */
    public final boolean interpreted;

    CpuFeature(String qemuName, Reg reg, int bit, boolean interpreted) {
        this.qemuName = qemuName;
        this.reg = reg;
        this.bit = bit;
        this.interpreted = interpreted;
    }

    /** The feature QEMU calls {@code name} (QEMU also accepts '_' for '-'), or null. */
    public static CpuFeature byName(String name) {
        String n = name.replace('_', '-');
        if (n.equals("sse3")) n = "pni";
        if (n.equals("sse4-1")) n = "sse4.1";
        if (n.equals("sse4-2")) n = "sse4.2";
        if (n.equals("xd")) n = "nx";
        for (CpuFeature f : values()) if (f.qemuName.equals(n)) return f;
        return null;
    }

    public int mask() { return 1 << bit; }
}
