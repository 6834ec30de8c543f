package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MMX/SSE2 integer instructions through the real executors: the 32-bit interpreter (memory operands through
 * segmentation, MASKMOVQ's DS:EDI, #GP for a misaligned MOVDQA delivered through the IDT) and 64-bit mode
 * (XMM8-15, REX.W MOVQ, RIP-relative operands). Expected values follow from the SDM's definitions of
 * each instruction on the chosen inputs.
 */
class SimdGuestTest {
    private static final CpuModel MODEL = CpuModels.DEFAULT.with(CpuFeature.MMX, true).with(CpuFeature.SSE, true)
            .with(CpuFeature.SSE2, true);
    private static final String ENABLE_SSE = """
            mov %cr4, %eax
            or $0x200, %eax
            mov %eax, %cr4
            """;

    private static long mem64(TestMachine m, long a) { return m.memory.read(a, 8); }

    @Test
    void integerSseAndMmxIn32BitProtectedMode() {
        try (TestMachine m = new TestMachine()) {
            m.cpu.setCpuModel(MODEL);
            m.flat32(TestMachine.GATE_PROLOGUE + """
                    gate 13, h13
                    """ + ENABLE_SSE + """
                    movdqa a, %xmm0
                    paddw b, %xmm0
                    movdqa %xmm0, 0x3000
                    movq a, %mm0
                    psubusb b, %mm0
                    movq %mm0, 0x3010
                    movq mask, %mm1
                    mov $0x3020, %edi
                    movl $-1, 0x3020
                    movl $-1, 0x3024
                    maskmovq %mm1, %mm0
                    pshufd $0x1b, a, %xmm1
                    movdqu %xmm1, 0x3031
                    movd %xmm1, %ecx
                    mov %ecx, 0x3048
                    pextrw $7, %xmm0, %edx
                    mov %edx, 0x304C
                    emms
                    movl $0, 0x3050
                    movdqa 0x3001, %xmm2
                    hlt
                    h13: movl $13, 0x3050
                    hlt
                    .p2align 4
                    a: .word 1, 2, 3, 0x7FFF, 0xFFFF, 0x8000, 7, 8
                    b: .word 0x10, 0x20, 0x30, 1, 1, 0x8000, 0x70, 0x80
                    mask: .quad 0x80000000000080FF
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(10_000);
            // PADDW wraps: 0x7FFF + 1 = 0x8000, 0xFFFF + 1 = 0, 0x8000 + 0x8000 = 0.
            assertEquals(0x8000_0033_0022_0011L, mem64(m, 0x3000));
            assertEquals(0x0088_0077_0000_0000L, mem64(m, 0x3008));
            // PSUBUSB on bytes 01 00 02 00 03 00 FF 7F minus 10 00 20 00 30 00 01 00: saturates at 0.
            assertEquals(0x7FFE_0000_0000_0000L, mem64(m, 0x3010));
            // MASKMOVQ: mask bytes 0, 1 and 7 have their top bit set, so only those bytes of 0x7FFE000000000000 are stored.
            assertEquals(0x7FFF_FFFF_FFFF_0000L, mem64(m, 0x3020));
            // PSHUFD 0x1B reverses the doublewords: 0x00080007 0x8000FFFF 0x7FFF0003 0x00020001.
            assertEquals(0x8000_FFFF_0008_0007L, m.memory.read(0x3031, 8));
            assertEquals(0x0002_0001_7FFF_0003L, m.memory.read(0x3039, 8));
            assertEquals(0x0008_0007L, m.mem32(0x3048));
            assertEquals(0x0088, m.mem32(0x304C));
            assertEquals(13, m.mem32(0x3050), "#GP(0) for MOVDQA from 0x3001");
            assertEquals(0xFFFF, m.state.fpu.ftw, "EMMS");
        }
    }

    @Test
    void highXmmRegistersAndRexWMovqIn64BitMode() {
        try (TestMachine m = TestMachine.run64(MODEL.with(CpuFeature.LM, true), false, TestMachine.longModeEntry(0x200, "", "") + """
                    movabs $0x8877665544332211, %rax
                    movq %rax, %xmm8
                    movdqa a(%rip), %xmm15
                    punpcklqdq %xmm15, %xmm8
                    pshufd $0x4E, %xmm8, %xmm9
                    psrldq $3, %xmm9
                    movq %xmm9, %rbx
                    mov %rbx, 0x3000
                    movdqu %xmm8, 0x3008
                    movq %rax, %mm3
                    paddd a(%rip), %mm3
                    movq %mm3, %r10
                    mov %r10, 0x3018
                    movd %xmm15, %r11d
                    mov %r11, 0x3020
                    mov $0x3030, %rdi
                    pcmpeqb %xmm10, %xmm10
                    maskmovdqu %xmm10, %xmm15
                    movq2dq %mm3, %xmm12
                    movq %xmm12, 0x3040
                    hlt
                    .p2align 4
                    a: .quad 0x0000000100000002, 0xCAFEBABEDEADBEEF
                    """, 10_000)) {
            assertEquals(-1, m.cpu.lastException());
            // xmm8 = 0x0000000100000002 : 0x8877665544332211; PSHUFD 0x4E swaps the quadwords; PSRLDQ 3 moves the
            // 128-bit value 24 bits down, so bytes 11 22 33 of the high quadword enter the top of the low one.
            assertEquals(0x3322_1100_0000_0100L, mem64(m, 0x3000), "low quadword after the byte shift");
            assertEquals(0x8877_6655_4433_2211L, mem64(m, 0x3008));
            assertEquals(0x0000_0001_0000_0002L, mem64(m, 0x3010));
            // PADDD per doubleword: 0x44332211 + 2, 0x88776655 + 1.
            assertEquals(0x8877_6656_4433_2213L, mem64(m, 0x3018));
            assertEquals(2, mem64(m, 0x3020), "MOVD r32 zero-extends into R11");
            assertEquals(0x0000_0001_0000_0002L, mem64(m, 0x3030), "MASKMOVDQU to [RDI], every byte selected");
            assertEquals(0xCAFE_BABE_DEAD_BEEFL, mem64(m, 0x3038));
            assertEquals(0x8877_6656_4433_2213L, mem64(m, 0x3040));
        }
    }
}
