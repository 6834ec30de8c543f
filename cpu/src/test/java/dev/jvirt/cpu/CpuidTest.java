package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 64-bit models (QEMU's qemu64 and Nehalem) and the leaves Linux reads (SDM Vol. 2A CPUID, AMD APM Vol. 3 E). */
class CpuidTest {
    private static final int APIC = 1 << 9, HTT = 1 << 28, OSXSAVE = 1 << 27, XSAVE = 1 << 26;
    private static final long APIC_ON = 0xFEE0_0900L, APIC_OFF = 0xFEE0_0100L;

    private static int[] cpuid(Cpuid t, int leaf, int subleaf) {
        int[] out = new int[4];
        t.query(leaf, subleaf, out);
        return out;
    }

    private static int[] cpuid(CpuModel m, int leaf, int subleaf) { return cpuid(m.table(0), leaf, subleaf); }

    private static String text(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) b.putInt(w);
        return new String(b.array(), StandardCharsets.US_ASCII).replace("\0", "");
    }

    @Test
    void qemu64IsTheDefaultAsInQemuSystemX86_64() {
        CpuModel m = CpuModels.DEFAULT;
        assertEquals("qemu64", m.name());
        assertEquals("qemu64", CpuModels.names().get(0), "the default is listed first");
        int[] l0 = cpuid(m, 0, 0);
        assertEquals(0xD, l0[0]);
        assertEquals("AuthenticAMD", text(l0[1], l0[3], l0[2]));
        // Family 15 (base 0xF, extended 0), model 107 (extended 6, base 0xB), stepping 1.
        assertEquals(0x60FB1, cpuid(m, 1, 0)[0]);
        assertEquals(0x8000_000A, cpuid(m, 0x8000_0000, 0)[0]);
        int[] b2 = cpuid(m, 0x8000_0002, 0), b3 = cpuid(m, 0x8000_0003, 0), b4 = cpuid(m, 0x8000_0004, 0);
        assertEquals("QEMU Virtual CPU version 2.5+", text(b2[0], b2[1], b2[2], b2[3], b3[0], b3[1], b3[2], b3[3],
                b4[0], b4[1], b4[2], b4[3]));
        for (CpuFeature f : new CpuFeature[] {CpuFeature.MTRR, CpuFeature.CLFLUSH, CpuFeature.PSE36, CpuFeature.NX}) {
            assertTrue(m.has(f), f.qemuName);
        }
        // SVM is QEMU's too, but never implemented: it must stay out of CPUID.
        assertTrue(m.leftOut().contains(CpuFeature.SVM));
        assertEquals(0, cpuid(m, 0x8000_0001, 0)[2] & CpuFeature.SVM.mask());
        for (CpuFeature f : m.leftOut()) assertFalse(f.interpreted, f.qemuName + " is implemented but left out");
    }

    @Test
    void amdRepeatsTheLeaf1FeaturesAndAnswersZerosBeyondTheHighestLeaf() {
        CpuModel m = CpuModels.DEFAULT;
        int edx1 = cpuid(m, 1, 0)[3], ext = cpuid(m, 0x8000_0001, 0)[3];
        assertEquals(edx1 & 0x0183_F3FF, ext & 0x0183_F3FF, "AMD APM: 80000001H:EDX mirrors these leaf-1 bits");
        assertEquals(m.signature(), cpuid(m, 0x8000_0001, 0)[0]);
        assertArrayEquals(new int[4], cpuid(m, 0xE, 0));
        assertArrayEquals(new int[4], cpuid(m, 0x8000_000B, 0));
        assertArrayEquals(new int[4], cpuid(m, 4, 0), "leaf 4 is Intel's");
        // Intel: any higher leaf answers as the highest basic one.
        CpuModel n = CpuModels.get("Nehalem");
        assertArrayEquals(cpuid(n, 0xB, 0), cpuid(n, 0xD, 0));
        assertArrayEquals(cpuid(n, 0xB, 0), cpuid(n, 0x8000_0009, 0));
    }

    @Test
    void nehalemIsTheX86_64V2LevelLessWhatIsNotImplementedYet() {
        CpuModel m = CpuModels.get("Nehalem");
        assertEquals(0x106A3, m.signature(), "family 6, model 26, stepping 3");
        assertEquals("GenuineIntel", m.vendor());
        assertEquals(0xB, cpuid(m, 0, 0)[0]);
        assertEquals(0x8000_0008, cpuid(m, 0x8000_0000, 0)[0]);
        CpuFeature[] v2 = {CpuFeature.CX16, CpuFeature.LAHF_LM, CpuFeature.POPCNT, CpuFeature.PNI, CpuFeature.SSSE3,
                CpuFeature.SSE4_1, CpuFeature.SSE4_2, CpuFeature.LM, CpuFeature.SSE2};
        for (CpuFeature f : v2) {
            assertTrue(m.has(f) || m.leftOut().contains(f), f.qemuName + " belongs to Nehalem");
            assertEquals(f.interpreted, m.has(f), f.qemuName + " advertised exactly when implemented");
        }
        assertFalse(m.has(CpuFeature.XSAVE) || m.leftOut().contains(CpuFeature.XSAVE), "Nehalem predates XSAVE");
    }

    @Test
    void leaf1MirrorsCr4OsxsaveAndTheApicEnableBit() {
        Cpuid t = CpuModels.get("max").table(0);
        int[] out = new int[4];
        t.query(1, 0, 0, 1, APIC_ON, out);
        assertEquals(XSAVE, out[2] & (XSAVE | OSXSAVE));
        assertEquals(APIC, out[3] & APIC);
        t.query(1, 0, Cpuid.CR4_OSXSAVE, 1, APIC_OFF, out);
        assertEquals(XSAVE | OSXSAVE, out[2] & (XSAVE | OSXSAVE));
        assertEquals(0, out[3] & APIC, "IA32_APIC_BASE.EN clear hides the APIC (SDM 11.4.3)");
        // A model without XSAVE never reports OSXSAVE.
        CpuModels.get("max").with(CpuFeature.XSAVE, false).table(0).query(1, 0, Cpuid.CR4_OSXSAVE, 1, APIC_ON, out);
        assertEquals(0, out[2] & (XSAVE | OSXSAVE));
    }

    @Test
    void leaf0dReportsX87AndSseInA576ByteStandardArea() {
        Cpuid t = CpuModels.get("max").table(0);
        int[] out = new int[4];
        t.query(0xD, 0, Cpuid.CR4_OSXSAVE, 3, APIC_ON, out);
        assertEquals(3, out[0], "XCR0 may enable x87 and SSE");
        assertEquals(0, out[3]);
        assertEquals(576, out[1], "legacy region and header for XCR0 = x87|SSE");
        assertEquals(576, out[2], "the largest area");
        t.query(0xD, 1, 0, 1, APIC_ON, out);
        assertEquals(1, out[0] & 1, "XSAVEOPT");
        assertEquals(0, out[0] & ~1, "no XSAVEC, XGETBV with ECX=1 or XSAVES");
        t.query(0xD, 2, 0, 1, APIC_ON, out);
        assertArrayEquals(new int[4], out, "no AVX component");
        assertArrayEquals(new int[4], cpuid(CpuModels.DEFAULT, 0xD, 0), "qemu64 has no XSAVE");
    }

    @Test
    void topologyLeavesCountTheConfiguredVcpus() {
        CpuModel m = CpuModels.get("max");
        Cpuid one = m.table(0);
        assertEquals(0, cpuid(one, 1, 0)[1] & 0xFF_0000, "one logical processor: no count");
        assertEquals(0, cpuid(one, 1, 0)[3] & HTT);
        Cpuid four = m.table(2, 4);
        int[] l1 = cpuid(four, 1, 0);
        assertEquals(4, (l1[1] >> 16) & 0xFF);
        assertEquals(2, l1[1] >>> 24, "initial APIC ID");
        assertEquals(HTT, l1[3] & HTT);
        int[] smt = cpuid(four, 0xB, 0), core = cpuid(four, 0xB, 1), end = cpuid(four, 0xB, 2);
        assertEquals(0, smt[0], "one thread per core: no SMT bits");
        assertEquals(1, smt[1] & 0xFFFF);
        assertEquals(1, (smt[2] >> 8) & 0xFF, "SMT level");
        assertEquals(2, core[0], "two APIC ID bits for four cores");
        assertEquals(4, core[1] & 0xFFFF);
        assertEquals(2, (core[2] >> 8) & 0xFF, "core level");
        assertEquals(0, (end[2] >> 8) & 0xFF);
        assertEquals(2, smt[3]);
        assertEquals(2, core[3]);
        assertEquals(3, cpuid(four, 4, 0)[0] >>> 26, "cores per package - 1");
        assertEquals(3, (cpuid(four, 4, 3)[0] >> 14) & 0xFFF, "the L3 is shared by the package");
        assertEquals(0, (cpuid(four, 4, 2)[0] >> 14) & 0xFFF, "the L2 is private");
        assertEquals(3, cpuid(CpuModels.DEFAULT.table(0, 4), 0x8000_0008, 0)[2] & 0xFF, "AMD: cores - 1");
    }

    @Test
    void amdCacheLeavesDescribeTheSameCachesAsLeaf4() {
        CpuModel amd = CpuModels.DEFAULT, intel = CpuModels.get("max");
        int[] l4d = cpuid(intel, 4, 0), l4l2 = cpuid(intel, 4, 2), l4l3 = cpuid(intel, 4, 3);
        int[] e5 = cpuid(amd, 0x8000_0005, 0), e6 = cpuid(amd, 0x8000_0006, 0);
        assertEquals(bytes(l4d) / 1024, e5[2] >>> 24, "L1d KiB");
        assertEquals(((l4d[1] >>> 22) + 1), (e5[2] >> 16) & 0xFF, "L1d ways");
        assertEquals(64, e5[2] & 0xFF, "line size");
        assertEquals(e5[2], e5[3], "L1i like L1d");
        assertEquals(bytes(l4l2) / 1024, e6[2] >>> 16, "L2 KiB");
        assertEquals(bytes(l4l3) / (512 * 1024), e6[3] >>> 18, "L3 in 512 KiB units");
        assertArrayEquals(new int[4], cpuid(intel, 0x8000_0005, 0), "reserved on Intel");
        assertEquals(0, cpuid(intel, 0x8000_0006, 0)[3], "Intel reports no L3 here");
    }

    private static int bytes(int[] r) {
        return ((r[1] >>> 22) + 1) * (((r[1] >>> 12) & 0x3FF) + 1) * ((r[1] & 0xFFF) + 1) * (r[2] + 1);
    }

    @Test
    void addressSizesFollowLongMode() {
        CpuModel m = CpuModels.DEFAULT;
        int sizes = cpuid(m, 0x8000_0008, 0)[0];
        if (m.has(CpuFeature.LM)) assertEquals(48 << 8 | 40, sizes);
        else assertEquals(32 << 8 | 36, sizes, "until the interpreter has long mode: PAE's 36 bits");
    }
}
