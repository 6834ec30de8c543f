package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SSE2 floating point through the real 64-bit executor: REX.W integer sources and REX.R/REX.B XMM8-15. */
class SimdFloatLongModeTest {
    private static final String ENTER = """
            .code32
            lidt idtr
            lgdt gdtr
            movl $0x11007, 0x10000
            movl $0x12007, 0x11000
            movl $0x87, 0x12000
            mov %cr4, %eax
            or $0x20, %eax
            mov %eax, %cr4
            mov $0x10000, %eax
            mov %eax, %cr3
            mov $0xC0000080, %ecx
            rdmsr
            or $0x100, %eax
            wrmsr
            mov %cr0, %eax
            or $0x80000000, %eax
            mov %eax, %cr0
            ljmp $0x18, $start64
            .p2align 3
            gdt: .quad 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF, 0x00AF9A000000FFFF
            gdtr: .word 31
                  .long gdt
            idtr: .word 0
                  .long 0
            .code64
            start64:
            """;

    /** {@code prelude32} runs in compatibility mode just before the far jump to 64-bit code. */
    private static TestMachine run(String prelude32, String code64) {
        TestMachine m = new TestMachine();
        m.cpu.setCpuModel(CpuModels.DEFAULT.with(CpuFeature.LM, true).with(CpuFeature.SSE, true).with(CpuFeature.SSE2, true));
        String enter = ENTER.replace("ljmp $0x18", prelude32 + "\nljmp $0x18");
        byte[] code = GuestAsm.assemble64(enter + code64 + "\nhlt\n", 0x100000);
        m.ram.load(0x100000, code);
        CpuState s = m.state;
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cr4 = 1 << 9; // OSFXSR
        s.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS, CpuState.FS, CpuState.GS}) s.seg[sr].setFlat(0x10, false);
        s.rip = 0x100000;
        s.gpr[CpuState.RSP] = 0x90000;
        s.rflags = 2;
        m.cpu.stateChanged();
        m.runToHalt(10_000);
        return m;
    }

    @Test
    void cvtsi2sdWithRexWIntoHighXmmRegisters() {
        try (TestMachine m = run("", """
                movabs $0x1000000000000001, %r9
                cvtsi2sdq %r9, %xmm12
                mov $3, %eax
                cvtsi2sd %eax, %xmm9
                divsd %xmm9, %xmm12
                cvttsd2si %xmm12, %rcx
                mov %rcx, 0x3008
                stmxcsr 0x3010
                """)) {
            // 2^60 + 1 rounds to 2^60 (inexact), then 2^60 / 3 rounded to nearest and truncated (the XMM-to-GPR moves are another family's)
            assertEquals((long) (0x1p60 / 3), m.memory.read(0x3008, 8));
            assertEquals(0x1F80 | 0x20, m.memory.read(0x3010, 4));
        }
    }
}
