package dev.jvirt.cpu;

import java.nio.charset.StandardCharsets;

/**
 * CPUID for one model and one logical processor (SDM Vol. 2A CPUID; AMD APM Vol. 3 Appendix E for the
 * AMD-only leaves). The static answers are precomputed; {@link #query} adds the bits that mirror
 * architectural state (CPUID.1:ECX.OSXSAVE, CPUID.1:EDX.APIC, CPUID.(EAX=0DH,ECX=0):EBX) and allocates
 * nothing.
 */
public final class Cpuid {
    // One cache hierarchy for every model, the same in leaves 2, 4 and 80000005H/6H: private 32 KiB
    // 8-way L1d and L1i, a private 2 MiB 8-way L2 and a 16 MiB 16-way L3 shared by the package, 64-byte lines.
    static final int LINE = 64;
    private static final int L1_SETS = 64, L1_WAYS = 8, L2_SETS = 4096, L2_WAYS = 8, L3_SETS = 16384, L3_WAYS = 16;
    private static final int L1_KIB = L1_SETS * L1_WAYS * LINE / 1024;
    private static final int L2_KIB = L2_SETS * L2_WAYS * LINE / 1024;
    private static final int L3_KIB = L3_SETS * L3_WAYS * LINE / 1024;
    /** Leaf 2 descriptors (SDM Table 3-12): 2CH L1d, 30H L1i, 7DH L2, 4DH L3 as above. */
    private static final int LEAF2_EDX = 0x2C30_7D4D;
    /** AMD's associativity code for leaf 80000006H (APM Vol. 3 E.4.6): 6 = 8-way, 8 = 16-way. */
    private static final int AMD_8_WAY = 6, AMD_16_WAY = 8;
    /** The leaf-1 EDX bits AMD repeats in 80000001H:EDX (QEMU's CPUID_EXT2_AMD_ALIASES). */
    private static final int AMD_ALIASES = 0x0183_F3FF;

    static final long CR4_OSXSAVE = 1L << 18;
    private static final int OSXSAVE = 1 << 27, HTT = 1 << 28;
    private static final long APIC_BASE_EN = 1L << 11;

    private final CpuModel m;
    private final int apicId, vcpus, coreBits;
    private final boolean amd, xsave;
    private final int leaf1Ecx, leaf1Edx, leaf1Ebx, leaf7Ebx, ext1Ecx, ext1Edx, xsaveSub1Eax;
    private final int[] vendorRegs, brandRegs;

    Cpuid(CpuModel m, int apicId, int vcpus) {
        if (vcpus < 1 || vcpus > 255) throw new IllegalArgumentException("vCPU count out of range: " + vcpus);
        this.m = m;
        this.apicId = apicId;
        this.vcpus = vcpus;
        coreBits = 32 - Integer.numberOfLeadingZeros(vcpus - 1);
        amd = m.amd();
        xsave = m.has(CpuFeature.XSAVE);
        leaf1Ecx = m.bits(CpuFeature.Reg.LEAF1_ECX);
        int edx = m.bits(CpuFeature.Reg.LEAF1_EDX);
        int ebx = apicId << 24 | (m.has(CpuFeature.CLFLUSH) ? (LINE / 8) << 8 : 0);
        if (vcpus > 1) {
            // More than one logical processor in the package: HTT and the count (SDM CPUID.1:EBX[23:16]).
            ebx |= vcpus << 16;
            edx |= HTT;
        }
        leaf1Edx = edx;
        leaf1Ebx = ebx;
        leaf7Ebx = m.bits(CpuFeature.Reg.LEAF7_EBX);
        ext1Ecx = m.bits(CpuFeature.Reg.EXT1_ECX);
        ext1Edx = m.bits(CpuFeature.Reg.EXT1_EDX) | (amd ? edx & AMD_ALIASES & ~HTT : 0);
        xsaveSub1Eax = m.bits(CpuFeature.Reg.LEAFD1_EAX);
        vendorRegs = words(m.vendor(), 12);
        brandRegs = words(m.brand(), 48);
    }

    public CpuModel model() { return m; }

    /** CPUID as after RESET (CR4.OSXSAVE clear, XCR0 = x87, the local APIC enabled). */
    public void query(int leaf, int subleaf, int[] out) {
        query(leaf, subleaf, 0, Xsave.X87, APIC_BASE_EN, out);
    }

    /** CPUID with EAX={@code leaf}, ECX={@code subleaf} in the given state: out = {EAX, EBX, ECX, EDX}. */
    public void query(int leaf, int subleaf, long cr4, long xcr0, long apicBase, int[] out) {
        out[0] = out[1] = out[2] = out[3] = 0;
        boolean extended = Integer.compareUnsigned(leaf, 0x8000_0000) >= 0;
        if (extended ? m.xlevel() == 0 || Integer.compareUnsigned(leaf, m.xlevel()) > 0 : leaf > m.level()) {
            // Intel answers as the highest basic leaf (SDM CPUID, "INPUT EAX = 0"); AMD answers zeros (APM CPUID).
            if (amd) return;
            leaf = m.level();
        }
        boolean apicOff = (apicBase & APIC_BASE_EN) == 0;
        switch (leaf) {
            case 0 -> {
                out[0] = m.level();
                out[1] = vendorRegs[0];
                out[3] = vendorRegs[1];
                out[2] = vendorRegs[2];
            }
            case 1 -> {
                out[0] = m.signature();
                out[1] = leaf1Ebx;
                out[2] = leaf1Ecx | (xsave && (cr4 & CR4_OSXSAVE) != 0 ? OSXSAVE : 0);
                out[3] = apicOff ? leaf1Edx & ~CpuFeature.APIC.mask() : leaf1Edx;
            }
            case 2 -> {
                if (amd) return; // reserved on AMD
                out[0] = 1; // one CPUID(2) call gives all descriptors
                out[3] = LEAF2_EDX;
            }
            case 4 -> {
                if (amd) return;
                switch (subleaf) {
                    case 0 -> cache(out, 1, 1, L1_WAYS, L1_SETS, 0);
                    case 1 -> cache(out, 2, 1, L1_WAYS, L1_SETS, 0);
                    case 2 -> cache(out, 3, 2, L2_WAYS, L2_SETS, 0);
                    case 3 -> cache(out, 3, 3, L3_WAYS, L3_SETS, (1 << coreBits) - 1);
                    default -> { }
                }
                if (out[0] != 0) out[0] |= ((1 << coreBits) - 1) << 26;
            }
            case 7 -> {
                if (subleaf == 0) out[1] = leaf7Ebx; // EAX = 0: no subleaf beyond 0
            }
            case 0xB -> {
                // One thread per core and vcpus cores per package (SDM 9.9.1 / CPUID leaf 0BH).
                if (subleaf == 0) {
                    out[1] = 1;
                    out[2] = 1 << 8;
                } else if (subleaf == 1) {
                    out[0] = coreBits;
                    out[1] = vcpus;
                    out[2] = 2 << 8 | 1;
                } else {
                    out[2] = subleaf & 0xFF;
                }
                out[3] = apicId;
            }
            case 0xD -> {
                if (!xsave) return;
                if (subleaf == 0) {
                    out[0] = (int) Xsave.SUPPORTED;
                    out[1] = Xsave.areaSize(xcr0);
                    out[2] = Xsave.areaSize(Xsave.SUPPORTED);
                } else if (subleaf == 1) {
                    out[0] = xsaveSub1Eax;
                }
            }
            case 0x8000_0000 -> {
                out[0] = m.xlevel();
                if (amd) { // AMD repeats the vendor here
                    out[1] = vendorRegs[0];
                    out[3] = vendorRegs[1];
                    out[2] = vendorRegs[2];
                }
            }
            case 0x8000_0001 -> {
                out[0] = m.signature();
                out[2] = ext1Ecx;
                out[3] = amd && apicOff ? ext1Edx & ~CpuFeature.APIC.mask() : ext1Edx;
            }
            case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> {
                int base = (leaf - 0x8000_0002) * 4;
                for (int i = 0; i < 4; i++) out[i] = brandRegs[base + i];
            }
            case 0x8000_0005 -> {
                if (!amd) return; // reserved on Intel
                out[0] = out[1] = 0x01FF_01FF; // L1 TLBs: 255 entries, direct-mapped, for 2M/4M and 4K pages
                out[2] = L1_KIB << 24 | L1_WAYS << 16 | 1 << 8 | LINE;
                out[3] = out[2];
            }
            case 0x8000_0006 -> {
                if (amd) {
                    out[2] = L2_KIB << 16 | AMD_8_WAY << 12 | 1 << 8 | LINE;
                    out[3] = (L3_KIB / 512) << 18 | AMD_16_WAY << 12 | 1 << 8 | LINE;
                } else {
                    out[2] = L2_KIB << 16 | AMD_8_WAY << 12 | LINE; // Intel uses the same 8-way code here
                }
            }
            case 0x8000_0008 -> {
                out[0] = m.virtBits() << 8 | m.physBits();
                if (amd) out[2] = coreBits << 12 | (vcpus - 1);
            }
            default -> { }
        }
    }

    /** Leaf 4 for one cache: type (1 data, 2 instruction, 3 unified), level, self-initialising, ways, sets, sharing. */
    private static void cache(int[] out, int type, int level, int ways, int sets, int sharingMinus1) {
        out[0] = type | level << 5 | 1 << 8 | sharingMinus1 << 14;
        out[1] = (ways - 1) << 22 | (LINE - 1);
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
