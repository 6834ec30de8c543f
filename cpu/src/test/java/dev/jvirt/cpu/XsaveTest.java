package dev.jvirt.cpu;

import dev.jvirt.cpu.x87.X87;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * XSETBV/XGETBV, XSAVE/XSAVEOPT/XRSTOR in the standard format (SDM Vol. 1 chapter 13, Vol. 2 XSAVE,
 * XRSTOR, XSETBV) and RDTSCP, run by the interpreter in flat 32-bit mode and in 64-bit mode. A fault
 * stores its vector at {@link #FAULT} and halts.
 */
class XsaveTest {
    private static final int FAULT = 0x5000, AREA = 0x6000, OUT = 0x7000;
    private static final int NONE = 0xFF;
    private static final int CR4_OSXSAVE = 1 << 18;

    private static final String SETUP = TestMachine.GATE_PROLOGUE + """
            gate 6, ud
            gate 7, nm
            gate 13, gp
            movl $0xFF, 0x5000
            mov %cr4, %eax
            or $0x40000, %eax
            mov %eax, %cr4
            """;
    private static final String TAIL = """
            hlt
            ud: movl $6, 0x5000
                hlt
            nm: movl $7, 0x5000
                hlt
            gp: movl $13, 0x5000
                hlt
            """ + TestMachine.FLAT_TABLES;

    private static TestMachine run(CpuModel model, String body) {
        TestMachine m = new TestMachine();
        m.cpu.setFpu(new X87(m.state));
        m.cpu.setCpuModel(model);
        m.flat32(SETUP + body + TAIL);
        return m;
    }

    private static TestMachine run(String body) { return run(CpuModels.get("max"), body); }

    private static TestMachine runPrepared(String body, java.util.function.Consumer<TestMachine> prepare) {
        TestMachine m = new TestMachine();
        m.cpu.setFpu(new X87(m.state));
        m.cpu.setCpuModel(CpuModels.get("max"));
        m.flat32(SETUP + body + TAIL);
        prepare.accept(m);
        m.runToHalt(10_000);
        return m;
    }

    private static long fault(TestMachine m) { return m.mem32(FAULT); }

    private static long mem64(TestMachine m, long a) { return m.memory.read(a, 8); }

    @Test
    void xsetbvLoadsXcr0AndCpuidFollowsIt() {
        try (TestMachine m = run("""
                xor %ecx, %ecx
                xgetbv
                mov %eax, 0x7000
                mov $3, %eax
                xor %edx, %edx
                xsetbv
                xgetbv
                mov %eax, 0x7004
                mov $0xD, %eax
                xor %ecx, %ecx
                cpuid
                mov %ebx, 0x7008
                mov $1, %eax
                cpuid
                mov %ecx, 0x700C
                """)) {
            m.runToHalt(10_000);
            assertEquals(NONE, fault(m));
            assertEquals(1, m.mem32(OUT), "XCR0 after RESET: x87 only");
            assertEquals(3, m.mem32(OUT + 4));
            assertEquals(3, m.state.xcr0);
            assertEquals(576, m.mem32(OUT + 8), "XSAVE area size for the enabled components");
            assertEquals(1L << 27, m.mem32(OUT + 12) & (1L << 27), "CPUID.1:ECX.OSXSAVE mirrors CR4.OSXSAVE");
        }
    }

    @Test
    void xsetbvRefusesXcr0WithoutX87OrWithUnsupportedComponents() {
        // SDM XSETBV: #GP(0) for bit 0 clear, AVX without SSE, bits the processor does not support, ECX != 0.
        long[][] cases = {{0, 0, 0}, {0, 2, 0}, {0, 5, 0}, {0, 7, 0}, {0, 0x8000_0003L, 0}, {0, 1, 1}, {1, 3, 0}};
        for (long[] c : cases) {
            try (TestMachine m = run(String.format("""
                    mov $%d, %%edx
                    mov $%d, %%eax
                    mov $%d, %%ecx
                    xsetbv
                    """, c[0], c[1], c[2]))) {
                m.runToHalt(10_000);
                assertEquals(13, fault(m), "XSETBV ecx=" + c[2] + " edx:eax=" + c[0] + ":" + c[1]);
                assertEquals(1, m.state.xcr0);
            }
        }
    }

    @Test
    void withoutCr4OsxsaveTheInstructionsAreUndefined() {
        String[] insns = {"xgetbv", "xsetbv", "xsave 0x6000", "xrstor 0x6000", "xsaveopt 0x6000"};
        for (String insn : insns) {
            try (TestMachine m = run("""
                    mov %cr4, %eax
                    and $~0x40000, %eax
                    mov %eax, %cr4
                    xor %ecx, %ecx
                    mov $1, %eax
                    xor %edx, %edx
                    """ + insn + "\n")) {
                m.runToHalt(10_000);
                assertEquals(6, fault(m), insn);
            }
        }
    }

    @Test
    void cr4OsxsaveIsReservedWithoutXsave() {
        try (TestMachine m = run(CpuModels.parse("max,-xsave"), "")) {
            m.runToHalt(10_000);
            assertEquals(13, fault(m), "MOV to CR4 setting OSXSAVE on a model without XSAVE");
        }
    }

    /** Fills the area with 0xAA bytes and the header with {@code bv}, and puts known x87/SSE state in the CPU. */
    private static void prepare(TestMachine m, long bv) {
        for (int i = 0; i < 576; i += 8) m.memory.write(AREA + i, 8, 0xAAAA_AAAA_AAAA_AAAAL);
        m.memory.write(AREA + 512, 8, bv);
        for (int i = 520; i < 576; i += 8) m.memory.write(AREA + i, 8, 0);
        FpuState f = m.state.fpu;
        f.fcw = 0x27F;
        f.fsw = 0x3800; // TOP = 7
        f.ftw = 0x3FFF; // R7 valid, the rest empty
        f.mantissa[7] = 0x8000_0000_0000_0000L;
        f.signExp[7] = 0x3FFF; // 1.0
        f.mxcsr = 0x1F00;
        f.xmm[0] = 0x1111_2222_3333_4444L;
        f.xmm[1] = 0x5555_6666_7777_8888L;
        f.xmm[14] = 0x7777; // XMM7
        f.xmm[16] = 0x8888; // XMM8
    }

    private static final String XCR0_3 = """
            mov $3, %eax
            xor %edx, %edx
            xor %ecx, %ecx
            xsetbv
            """;

    @Test
    void xsaveWritesOnlyTheRequestedComponentsAndMergesXstateBv() {
        try (TestMachine m = runPrepared(XCR0_3 + """
                mov $1, %eax
                xor %edx, %edx
                xsave 0x6000
                """, t -> prepare(t, 0x2))) {
            assertEquals(NONE, fault(m));
            assertEquals(0x27F, m.memory.read(AREA, 2), "FCW");
            assertEquals(0x80, m.memory.read(AREA + 4, 1), "abridged tag: R7 valid");
            assertEquals(0x3FFF, m.memory.read(AREA + 32 + 8, 2), "ST0 = R7 = 1.0");
            assertEquals(0xAAAA_AAAAL, m.mem32(AREA + 24), "MXCSR belongs to SSE: not requested, not written");
            assertEquals(0xAAAA_AAAA_AAAA_AAAAL, mem64(m, AREA + 160), "XMM0 not written");
            assertEquals(3, mem64(m, AREA + 512), "XSTATE_BV: bit 0 written, bit 1 kept");
            assertEquals(0, mem64(m, AREA + 520), "XCOMP_BV untouched");
        }
        try (TestMachine m = runPrepared(XCR0_3 + """
                mov $-1, %eax
                mov $-1, %edx
                xsaveopt 0x6000
                """, t -> prepare(t, 0))) {
            assertEquals(NONE, fault(m));
            assertEquals(0x1F00, m.mem32(AREA + 24), "MXCSR");
            assertEquals(0x1111_2222_3333_4444L, mem64(m, AREA + 160));
            assertEquals(0x5555_6666_7777_8888L, mem64(m, AREA + 168));
            assertEquals(0xAAAA_AAAA_AAAA_AAAAL, mem64(m, AREA + 160 + 16 * 8), "no XMM8 outside 64-bit mode");
            assertEquals(3, mem64(m, AREA + 512), "RFBM = EDX:EAX AND XCR0");
        }
    }

    @Test
    void xrstorLoadsWhatXstateBvHasAndInitialisesTheRest() {
        // XSTATE_BV = x87 only, RFBM = x87|SSE: x87 from memory, XMM initialised, MXCSR loaded anyway.
        try (TestMachine m = runPrepared(XCR0_3 + """
                mov $-1, %eax
                mov $-1, %edx
                xsave 0x6000
                movl $0x1F80, 0x6018
                movw $0x37F, 0x6000
                movl $1, 0x6200
                fld1
                fld1
                xrstor 0x6000
                """, t -> prepare(t, 0))) {
            assertEquals(NONE, fault(m));
            FpuState f = m.state.fpu;
            assertEquals(0x37F, f.fcw);
            assertEquals(7, (f.fsw >> 11) & 7, "TOP back to the saved one");
            assertEquals(0x3FFF, f.ftw, "only R7 valid again");
            assertEquals(0, f.xmm[0]);
            assertEquals(0, f.xmm[1]);
            assertEquals(0x1F80, f.mxcsr);
            assertEquals(0, f.xmm[14], "XMM7 initialised");
            assertEquals(0x8888, f.xmm[16], "XMM8-15 not touched outside 64-bit mode");
        }
        // RFBM = SSE only: the x87 state stays, even with XSTATE_BV[0] = 0.
        try (TestMachine m = runPrepared(XCR0_3 + """
                mov $2, %eax
                xor %edx, %edx
                xrstor 0x6000
                """, t -> {
                    prepare(t, 0x2);
                    t.memory.write(AREA + 24, 4, 0x1F80);
                })) {
            assertEquals(NONE, fault(m));
            FpuState f = m.state.fpu;
            assertEquals(0x27F, f.fcw);
            assertEquals(0xAAAA_AAAA_AAAA_AAAAL, f.xmm[0]);
            assertEquals(0x1F80, f.mxcsr);
        }
        // Neither component in XSTATE_BV: both initialised.
        try (TestMachine m = runPrepared(XCR0_3 + """
                mov $3, %eax
                xor %edx, %edx
                xrstor 0x6000
                """, t -> {
                    prepare(t, 0);
                    t.memory.write(AREA + 24, 4, 0x1F80);
                })) {
            assertEquals(NONE, fault(m));
            FpuState f = m.state.fpu;
            assertEquals(0x37F, f.fcw);
            assertEquals(0, f.fsw);
            assertEquals(0xFFFF, f.ftw);
            assertEquals(0, f.signExp[7]);
            assertEquals(0, f.xmm[1]);
        }
    }

    @Test
    void xrstorFaultsOnABadHeaderOrMxcsrOrAlignment() {
        String[][] cases = {
                {"movl $4, 0x6200", "xrstor 0x6000", "13"},          // XSTATE_BV bit not in XCR0
                {"movl $1, 0x6208", "xrstor 0x6000", "13"},          // XCOMP_BV: no compacted form
                {"movl $1, 0x6214", "xrstor 0x6000", "13"},          // header bytes 23:16 reserved
                {"movl $0x10000, 0x6018", "xrstor 0x6000", "13"},    // MXCSR reserved bit
                {"", "xrstor 0x6020", "13"},                         // not 64-byte aligned
                {"", "xsave 0x6010", "13"},
                {"mov %cr0, %ebx; or $8, %ebx; mov %ebx, %cr0", "xsave 0x6000", "7"}, // CR0.TS
        };
        for (String[] c : cases) {
            try (TestMachine m = runPrepared(XCR0_3 + c[0] + "\nmov $3, %eax\nxor %edx, %edx\n" + c[1] + "\n", t -> {
                prepare(t, 3);
                t.memory.write(AREA + 24, 4, 0x1F80);
            })) {
                assertEquals(Integer.parseInt(c[2]), fault(m), c[0] + " / " + c[1]);
                if (c[1].startsWith("xrstor")) assertEquals(0x27F, m.state.fpu.fcw, "a faulting XRSTOR changes nothing");
            }
        }
    }

    @Test
    void xsaveoptIsUndefinedWithoutTheFeature() {
        try (TestMachine m = run(CpuModels.parse("max,-xsaveopt"), XCR0_3 + "xsaveopt 0x6000\n")) {
            m.runToHalt(10_000);
            assertEquals(6, fault(m));
        }
    }

    @Test
    void rdtscpReadsTheTscAndTscAux() {
        try (TestMachine m = run("""
                mov $0xC0000103, %ecx
                mov $0x1234, %eax
                xor %edx, %edx
                wrmsr
                rdtsc
                mov %eax, 0x7000
                mov %edx, 0x7004
                xor %ecx, %ecx
                rdtscp
                mov %eax, 0x7008
                mov %edx, 0x700C
                mov %ecx, 0x7010
                mov $0xC0000103, %ecx
                rdmsr
                mov %eax, 0x7014
                mov $1, %edx
                wrmsr
                """)) {
            m.runToHalt(10_000);
            assertEquals(0x1234, m.mem32(OUT + 0x10), "ECX = IA32_TSC_AUX");
            assertEquals(0x1234, m.mem32(OUT + 0x14));
            long before = mem64(m, OUT), after = mem64(m, OUT + 8);
            assertEquals(true, after > before, "the TSC advanced: " + before + " -> " + after);
            assertEquals(13, fault(m), "IA32_TSC_AUX bits 63:32 are reserved");
        }
        try (TestMachine m = run(CpuModels.parse("max,-rdtscp"), "rdtscp\n")) {
            m.runToHalt(10_000);
            assertEquals(6, fault(m));
        }
        try (TestMachine m = run(CpuModels.parse("max,-rdtscp"), "mov $0xC0000103, %ecx\nrdmsr\n")) {
            m.runToHalt(10_000);
            assertEquals(13, fault(m), "no IA32_TSC_AUX without RDTSCP");
        }
    }

    @Test
    void in64BitModeRexWSelectsThe64BitImageAndXmm8To15AreSaved() {
        try (TestMachine m = new TestMachine()) {
            m.cpu.setFpu(new X87(m.state));
            m.cpu.setCpuModel(CpuModels.get("max").with(CpuFeature.LM, true));
            m.long64(TestMachine.longModeEntry(CR4_OSXSAVE, "", "") + """
                    mov $3, %eax
                    xor %edx, %edx
                    xor %ecx, %ecx
                    xsetbv
                    xgetbv
                    mov %eax, 0x7000
                    fxsave64 0x6000
                    fxsave 0x6400
                    mov $-1, %eax
                    mov $-1, %edx
                    xsave64 0x6800
                    mov $0xC0000103, %ecx
                    mov $0x55, %eax
                    xor %edx, %edx
                    wrmsr
                    mov $-1, %rcx
                    rdtscp
                    mov %rcx, 0x7008
                    movl $0x37F, 0x6800
                    xrstor64 0x6800
                    hlt
                    """);
            CpuState s = m.state;
            s.fpu.fip = 0x1234_5678_9ABCL;
            s.fpu.fcs = 0x33;
            s.fpu.xmm[16] = 0x8888; // XMM8
            m.cpu.stateChanged();
            m.runToHalt(10_000);
            assertEquals(true, s.halted && s.cs.l, "reached the HLT in 64-bit mode");
            assertEquals(3, m.mem32(OUT));
            assertEquals(0x1234_5678_9ABCL, mem64(m, 0x6008), "FXSAVE64: 64-bit FPU IP");
            assertEquals(0x5678_9ABCL, m.mem32(0x6408), "FXSAVE: 32-bit FPU IP ...");
            assertEquals(0x33, m.memory.read(0x640C, 2), "... and FCS");
            assertEquals(0x8888, mem64(m, 0x6000 + 160 + 16 * 8), "XMM8 is in the image in 64-bit mode");
            assertEquals(0x1234_5678_9ABCL, mem64(m, 0x6808), "XSAVE64's legacy region is FXSAVE64's");
            assertEquals(3, mem64(m, 0x6A00), "XSTATE_BV");
            assertEquals(0x55, mem64(m, OUT + 8), "RDTSCP: RCX = TSC_AUX, zero-extended");
            assertEquals(0x37F, s.fpu.fcw, "XRSTOR64 loaded the edited image");
            assertEquals(0x1234_5678_9ABCL, s.fpu.fip);
        }
    }
}
