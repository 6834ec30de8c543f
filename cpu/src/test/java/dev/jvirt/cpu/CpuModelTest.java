package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPUID of each model against SDM Vol. 2A (CPUID) and QEMU's definitions, and -cpu's feature syntax. */
class CpuModelTest {
    // CPUID.1:EDX bits, SDM Vol. 2A Table 3-11.
    private static final int FPU = 1, VME = 1 << 1, DE = 1 << 2, PSE = 1 << 3, TSC = 1 << 4, MSR = 1 << 5, PAE = 1 << 6,
            MCE = 1 << 7, CX8 = 1 << 8, APIC = 1 << 9, SEP = 1 << 11, MTRR = 1 << 12, PGE = 1 << 13, MCA = 1 << 14,
            CMOV = 1 << 15, PAT = 1 << 16, PSE36 = 1 << 17, CLFLUSH = 1 << 19, MMX = 1 << 23, FXSR = 1 << 24, SSE = 1 << 25,
            SSE2 = 1 << 26;
    private static final int ECX_SSE3 = 1, ECX_X2APIC = 1 << 21, ECX_XSAVE = 1 << 26, EXT_NX = 1 << 20, EXT_RDTSCP = 1 << 27,
            EXT_LM = 1 << 29;

    private static int[] cpuid(CpuModel m, int leaf, int subleaf) {
        int[] out = new int[4];
        m.table(0).query(leaf, subleaf, out);
        return out;
    }

    private static String text(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) b.putInt(w);
        return new String(b.array(), StandardCharsets.US_ASCII).replace("\0", "");
    }

    @Test
    void qemu32ReportsFamily6Model6Stepping3() {
        CpuModel m = CpuModels.get("qemu32");
        int[] l0 = cpuid(m, 0, 0);
        assertEquals(4, l0[0], "highest basic leaf");
        assertEquals("GenuineIntel", text(l0[1], l0[3], l0[2]));
        int[] l1 = cpuid(m, 1, 0);
        assertEquals(0x663, l1[0]);
        // QEMU's qemu32 is PPRO_FEATURES + SSE3; the interpreter has no machine checks.
        assertEquals(FPU | DE | PSE | TSC | MSR | PAE | CX8 | APIC | SEP | PGE | CMOV | PAT | FXSR | MMX | SSE | SSE2, l1[3]);
        assertEquals(ECX_SSE3, l1[2]);
        assertEquals(0, l1[3] & MCE, "nothing unimplemented is advertised");
        assertEquals(0x8000_0004, cpuid(m, 0x8000_0000, 0)[0]);
        int[] b2 = cpuid(m, 0x8000_0002, 0), b3 = cpuid(m, 0x8000_0003, 0), b4 = cpuid(m, 0x8000_0004, 0);
        assertEquals("QEMU Virtual CPU version 2.5+", text(b2[0], b2[1], b2[2], b2[3], b3[0], b3[1], b3[2], b3[3],
                b4[0], b4[1], b4[2], b4[3]));
        assertEquals(0, cpuid(m, 0x8000_0001, 0)[3] & EXT_NX, "QEMU's qemu32 has no NX");
    }

    @Test
    void historicModelsHaveTheirSignaturesAndFeatureLists() {
        assertEquals(0x480, CpuModels.get("486").signature());
        assertEquals(FPU | PSE, cpuid(CpuModels.get("486"), 1, 0)[3]);
        assertEquals(0x543, cpuid(CpuModels.get("pentium"), 1, 0)[0]);
        assertEquals(FPU | PSE | DE | TSC | MSR | CX8 | APIC | MMX, cpuid(CpuModels.get("pentium"), 1, 0)[3]);
        int p2 = FPU | PSE | DE | TSC | MSR | CX8 | APIC | PAE | SEP | MTRR | PGE | CMOV | PAT | PSE36 | FXSR | MMX;
        assertEquals(0x652, cpuid(CpuModels.get("pentium2"), 1, 0)[0]);
        assertEquals(p2, cpuid(CpuModels.get("pentium2"), 1, 0)[3]);
        assertEquals(0x673, cpuid(CpuModels.get("pentium3"), 1, 0)[0]);
        assertEquals(p2 | SSE, cpuid(CpuModels.get("pentium3"), 1, 0)[3], "pentium3 is pentium2 plus SSE");
        assertFalse(CpuModels.get("pentium3").leftOut().contains(CpuFeature.SSE));
    }

    @Test
    void maxHasEverythingTheInterpreterImplementsAndNothingElse() {
        CpuModel m = CpuModels.get("max");
        assertEquals(FPU | DE | PSE | TSC | MSR | PAE | CX8 | APIC | SEP | MTRR | PGE | CMOV | PAT | PSE36 | CLFLUSH | FXSR
                | MMX | SSE | SSE2, cpuid(m, 1, 0)[3]);
        int ecx = 0, ext = 0;
        for (CpuFeature f : CpuFeature.values()) {
            if (!f.interpreted) continue;
            if (f.reg == CpuFeature.Reg.LEAF1_ECX) ecx |= f.mask();
            if (f.reg == CpuFeature.Reg.EXT1_EDX) ext |= f.mask();
        }
        assertEquals(ecx, cpuid(m, 1, 0)[2]);
        assertEquals(ECX_X2APIC | ECX_XSAVE, ecx & (ECX_X2APIC | ECX_XSAVE));
        assertEquals(8 << 8, cpuid(m, 1, 0)[1] & 0xFF00, "CLFLUSH line size in 8-byte units");
        assertEquals(ext, cpuid(m, 0x8000_0001, 0)[3]);
        assertEquals(EXT_NX | EXT_RDTSCP | EXT_LM, ext & (EXT_NX | EXT_RDTSCP | EXT_LM));
        assertEquals(0xD, cpuid(m, 0, 0)[0], "up to the XSAVE leaf");
        assertEquals(0, cpuid(m, 7, 0)[1]);
        // With long mode: 40 physical, 48 linear address bits.
        assertEquals(48 << 8 | 40, cpuid(m, 0x8000_0008, 0)[0]);
    }

    @Test
    void leavesAboveTheHighestAnswerAsTheHighestBasicLeaf() {
        CpuModel p = CpuModels.get("pentium");
        assertEquals(1, cpuid(p, 0, 0)[0]);
        assertArrayEqualsInts(cpuid(p, 1, 0), cpuid(p, 4, 0));
        assertArrayEqualsInts(cpuid(p, 1, 0), cpuid(p, 0x8000_0001, 0), "no extended leaves at all");
        CpuModel q = CpuModels.get("qemu32");
        assertArrayEqualsInts(cpuid(q, 4, 0), cpuid(q, 0x8000_0008, 0));
    }

    private static void assertArrayEqualsInts(int[] a, int[] b, String... msg) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, msg.length > 0 ? msg[0] : null);
    }

    @Test
    void leaf4DescribesTheSameCachesAsLeaf2AndLeaf80000006() {
        CpuModel m = CpuModels.get("max");
        int[] l1d = cpuid(m, 4, 0), l1i = cpuid(m, 4, 1), l2 = cpuid(m, 4, 2), l3 = cpuid(m, 4, 3), none = cpuid(m, 4, 4);
        assertEquals(1, l1d[0] & 0x1F, "data");
        assertEquals(2, l1i[0] & 0x1F, "instruction");
        assertEquals(3, l2[0] & 0x1F, "unified");
        assertEquals(3, l3[0] & 0x1F, "unified");
        assertEquals(3, (l3[0] >> 5) & 7);
        assertEquals(0, none[0] & 0x1F, "no more caches");
        assertEquals(1, (l1d[0] >> 5) & 7);
        assertEquals(2, (l2[0] >> 5) & 7);
        assertEquals(32 * 1024, cacheBytes(l1d));      // descriptor 0x2C
        assertEquals(32 * 1024, cacheBytes(l1i));      // descriptor 0x30
        assertEquals(2 * 1024 * 1024, cacheBytes(l2)); // descriptor 0x7D
        assertEquals(16 * 1024 * 1024, cacheBytes(l3)); // descriptor 0x4D
        assertEquals(0x2C30_7D4D, cpuid(m, 2, 0)[3]);
        assertEquals(2048, cpuid(m, 0x8000_0006, 0)[2] >>> 16, "L2 KiB");
    }

    /** SDM CPUID leaf 4: ways * partitions * line size * sets. */
    private static int cacheBytes(int[] r) {
        return ((r[1] >>> 22) + 1) * (((r[1] >>> 12) & 0x3FF) + 1) * ((r[1] & 0xFFF) + 1) * (r[2] + 1);
    }

    @Test
    void leafBNamesTheThreadAndCoreLevelsAndTheX2apicId() {
        CpuModel m = CpuModels.get("max");
        int[] out = new int[4];
        m.table(5).query(0xB, 0, out);
        assertEquals(1, (out[2] >> 8) & 0xFF, "SMT level");
        assertEquals(5, out[3]);
        m.table(5).query(0xB, 1, out);
        assertEquals(2, (out[2] >> 8) & 0xFF, "core level");
        m.table(5).query(0xB, 2, out);
        assertEquals(0, (out[2] >> 8) & 0xFF, "invalid level ends the enumeration");
        assertEquals(2, out[2] & 0xFF);
        m.table(5).query(1, 0, out);
        assertEquals(5, out[1] >>> 24, "initial APIC ID");
    }

    @Test
    void featuresToggleAsQemuSpellsThem() {
        CpuModel m = CpuModels.parse("qemu32,-pae,+pse36,mtrr=on,apic=off");
        int edx = cpuid(m, 1, 0)[3];
        assertEquals(0, edx & (PAE | APIC));
        assertEquals(PSE36 | MTRR, edx & (PSE36 | MTRR));
        assertEquals(0x663, m.signature());
        assertTrue(CpuModels.parse("qemu32,-apic,+apic").has(CpuFeature.APIC), "later toggles win");
        assertTrue(CpuModels.parse("qemu32,+xd").has(CpuFeature.NX), "QEMU's alias");
        assertTrue(CpuModels.parse("max,tsc_deadline=off").has(CpuFeature.X2APIC));
    }

    @Test
    void unknownModelsAndFeaturesAreRefusedWithTheKnownOnesListed() {
        String e = assertThrows(IllegalArgumentException.class, () -> CpuModels.parse("core2duo-v9")).getMessage();
        assertTrue(e.contains("unknown CPU model core2duo-v9") && e.contains("qemu32") && e.contains("pentium3"), e);
        e = assertThrows(IllegalArgumentException.class, () -> CpuModels.parse("host")).getMessage();
        assertTrue(e.contains("KVM") && e.contains("max"), e);
        e = assertThrows(IllegalArgumentException.class, () -> CpuModels.parse("qemu32,+frob")).getMessage();
        assertTrue(e.contains("unknown CPU feature frob") && e.contains("pse36"), e);
        e = assertThrows(IllegalArgumentException.class, () -> CpuModels.parse("qemu32,+avx")).getMessage();
        assertTrue(e.contains("avx is not implemented"), e);
        e = assertThrows(IllegalArgumentException.class, () -> CpuModels.parse("qemu32,pae=maybe")).getMessage();
        assertTrue(e.contains("pae=on"), e);
        assertFalse(CpuModels.parse("qemu32,-sse2").has(CpuFeature.SSE2), "switching off what is absent is fine");
    }

    @Test
    void resetPutsTheModelSignatureInEdx() {
        CpuState s = new CpuState();
        assertEquals(CpuModels.DEFAULT.signature(), s.gpr[CpuState.RDX]);
        s.reset(CpuModels.get("pentium").signature());
        assertEquals(0x543, s.gpr[CpuState.RDX]);
    }

    // ---- through the interpreter -----------------------------------------------------------------

    /** mov eax, leaf; mov ecx, 0; cpuid; hlt, in real mode at 0:7C00. */
    private static int[] runCpuid(TestMachine t, int leaf) {
        ByteBuffer code = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        code.put((byte) 0x66).put((byte) 0xB8).putInt(leaf);
        code.put((byte) 0x66).put((byte) 0xB9).putInt(0);
        code.put((byte) 0x0F).put((byte) 0xA2).put((byte) 0xF4);
        t.ram.load(0x7C00, java.util.Arrays.copyOf(code.array(), code.position()));
        t.state.cs.loadReal(0);
        t.state.rip = 0x7C00;
        t.state.halted = false;
        t.cpu.stateChanged();
        t.runToHalt(100);
        long[] g = t.state.gpr;
        return new int[] {(int) g[CpuState.RAX], (int) g[CpuState.RBX], (int) g[CpuState.RCX], (int) g[CpuState.RDX]};
    }

    @Test
    void cpuidInstructionReportsTheInstalledModelLessWhatTheCpuLacks() {
        try (TestMachine t = new TestMachine()) {
            // No x87 unit and no board local APIC: FPU, FXSR and APIC are withheld.
            int[] r = runCpuid(t, 1);
            assertEquals(CpuModels.DEFAULT.signature(), r[0]);
            assertEquals(0, r[3] & (FPU | FXSR | APIC));
            assertEquals(PAE | SEP | CMOV, r[3] & (PAE | SEP | CMOV));

            t.cpu.setCpuModel(CpuModels.parse("pentium2,-pae"));
            t.cpu.setMsrDevice(new MsrDevice() {
                @Override public boolean handles(int msr) { return msr == 0x1B; }
                @Override public boolean canRead(int msr) { return true; }
                @Override public long read(int msr) { return 0xFEE0_0900L; }
                @Override public boolean write(int msr, long value) { return true; }
            });
            r = runCpuid(t, 1);
            assertEquals(0x652, r[0]);
            assertEquals(APIC | MTRR | PSE36, r[3] & (APIC | MTRR | PSE36 | PAE));
            r = runCpuid(t, 0);
            assertEquals("GenuineIntel", text(r[1], r[3], r[2]));
        }
    }
}
