package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * IA-32e control transfers and system instructions that the host oracle cannot run (they leave the
 * instruction or need CPL 0): far CALL/RET between 64-bit and compatibility mode (SDM Vol. 2 CALL/RET,
 * IA-32e paths), LTR/LLDT with 16-byte system descriptors (Vol. 3A 7.2.3, 3.5.2), SGDT's 10-byte image,
 * LOOP and JRCXZ, x87 in 64-bit mode, interrupts through an IST stack (Vol. 3A 6.14.5) and #PF in 4-level paging.
 */
class LongModeSystemTest {
    /** 0x20 a 64-bit TSS (16 bytes) with base 0x1_0000_4000, 0x30 an LDT (16 bytes) at 0x5000. */
    private static final String TSS_LDT = """
            .quad 0x0000890000000067 + (0x4000 << 16), 0x0000000000000001
            .quad 0x000082000000000F + (0x5000 << 16), 0x0000000000000000
            .quad 0x0000890000000067 + (0x6000 << 16), 0x0000000000000000
            """;

    /**
     * 0x40 is a 64-bit TSS at 0x6000 and the IDT is at 0x7000: {@code SET_GATE} writes a 16-byte interrupt
     * gate (SDM Vol. 3A Figure 6-8) for vector %rcx to the handler at %rax with IST index %dl.
     */
    private static final String IDT_SETUP = """
            mov $0x40, %ax
            ltr %ax
            lidt idt64(%rip)
            jmp 1f
            set_gate:
            shl $4, %rcx
            add $0x7000, %rcx
            mov %ax, (%rcx)
            movw $0x18, 2(%rcx)
            mov %dl, 4(%rcx)
            movb $0x8E, 5(%rcx)
            shr $16, %rax
            mov %ax, 6(%rcx)
            shr $16, %rax
            mov %eax, 8(%rcx)
            movl $0, 12(%rcx)
            ret
            idt64: .word 0xFFF
                   .quad 0x7000
            1:
            """;

    private static TestMachine run(String code64) {
        TestMachine m = new TestMachine();
        m.cpu.setCpuModel(CpuModels.get("max"));
        m.cpu.setFpu(new dev.jvirt.cpu.x87.X87(m.state));
        m.long64(TestMachine.longModeEntry("", TSS_LDT) + code64 + "\nhlt\n");
        m.state.cr0 |= CpuState.CR0_NE;
        m.runToHalt(100_000);
        return m;
    }

    private static long mem64(TestMachine m, long a) { return m.memory.read(a, 8); }

    @Test
    void farCallIntoCompatibilityModeAndFarReturnBack() {
        try (TestMachine m = run("""
                lcall *farptr(%rip)          /* m16:32 -> 0x08:compat, a 32-bit code segment */
                mov %rax, 0x3000             /* back in 64-bit mode: the full register is usable */
                movabs $0x1122334455667788, %rbx
                mov %rbx, 0x3008
                mov %cs, %eax
                mov %eax, 0x3010
                hlt
                farptr: .long compat
                        .word 0x08
                .code32
                compat:
                mov %cs, %eax                /* 0x08 in compatibility mode */
                mov %eax, 0x3018
                mov $0x55, %eax
                lret                         /* 32-bit frame: EIP and CS (0x18) */
                .code64
                """)) {
            assertEquals(0x08, mem64(m, 0x3018) & 0xFFFF, "compatibility-mode CS");
            assertEquals(0x55, mem64(m, 0x3000));
            assertEquals(0x1122334455667788L, mem64(m, 0x3008), "64-bit mode again after the far return");
            assertEquals(0x18, mem64(m, 0x3010) & 0xFFFF);
        }
    }

    @Test
    void farReturnWithRexWPopsEightByteSlots() {
        try (TestMachine m = run("""
                pushq $0x18
                lea target(%rip), %rax
                push %rax
                lretq
                hlt
                target:
                movq $0x77, 0x3000
                mov %rsp, 0x3008
                """)) {
            assertEquals(0x77, mem64(m, 0x3000));
            assertEquals(0x90000, mem64(m, 0x3008), "both 8-byte slots released");
        }
    }

    @Test
    void ltrAndLldtReadSixteenByteDescriptorsWithTheUpperBase() {
        try (TestMachine m = run("""
                mov $0x20, %ax
                ltr %ax
                mov $0x30, %ax
                lldt %ax
                str 0x3000
                sldt 0x3008
                sgdt 0x3010
                """)) {
            CpuState s = m.state;
            assertEquals(0x20, mem64(m, 0x3000) & 0xFFFF);
            assertEquals(0x30, mem64(m, 0x3008) & 0xFFFF);
            assertEquals(0x1_0000_4000L, s.tr.base, "TSS base bits 63:32 come from the descriptor's upper half");
            assertEquals(0x67, s.tr.limit);
            assertEquals(0x5000, s.ldtr.base);
            assertEquals(11, s.tr.type, "LTR marks the TSS busy");
            assertEquals(s.gdtBase, m.memory.read(0x3012, 8), "SGDT stores an 8-byte base in 64-bit mode");
        }
    }

    @Test
    void loopAndJrcxzCountWithRcx() {
        try (TestMachine m = run("""
                mov $5, %ecx
                xor %eax, %eax
                1: add $2, %eax
                loop 1b
                mov %rax, 0x3000
                mov %rcx, 0x3008
                xor %ecx, %ecx
                jrcxz 2f
                movq $1, 0x3010
                2:
                """)) {
            assertEquals(10, mem64(m, 0x3000));
            assertEquals(0, mem64(m, 0x3008));
            assertEquals(0, mem64(m, 0x3010), "JRCXZ jumps with RCX = 0");
        }
    }

    @Test
    void x87LoadsAndStoresThroughRipRelativeOperands() {
        try (TestMachine m = run("""
                fninit
                fldl two(%rip)
                fsqrt
                fstpl 0x3000
                fildq big(%rip)
                fistpq 0x3008
                jmp 1f
                two: .double 2.0
                big: .quad 0x123456789ABCDEF
                1:
                """)) {
            assertEquals(Double.doubleToLongBits(Math.sqrt(2.0)), mem64(m, 0x3000));
            assertEquals(0x123456789ABCDEFL, mem64(m, 0x3008), "64-bit integers survive the 80-bit round trip");
        }
    }

    @Test
    void rdpmcReadsAnIdleCounterAtCpl0() {
        try (TestMachine m = run("""
                mov $-1, %rax
                mov $-1, %rdx
                xor %ecx, %ecx
                rdpmc
                mov %rax, 0x3000
                mov %rdx, 0x3008
                movq $1, 0x3010
                """)) {
            assertEquals(1, mem64(m, 0x3010), "RDPMC of counter 0 does not fault at CPL 0");
            assertEquals(0, mem64(m, 0x3000), "EAX zero-extended into RAX");
            assertEquals(0, mem64(m, 0x3008));
        }
    }

    @Test
    void interruptThroughAnIstStackAndIretqBack() {
        try (TestMachine m = run(IDT_SETUP + """
                movq $0x9F000, 0x6024        /* TSS.IST1 */
                lea h3(%rip), %rax
                mov $3, %ecx
                mov $1, %dl
                call set_gate
                mov %rsp, 0x3000
                int3
                mov %rsp, 0x3018
                movq $1, 0x3020
                hlt
                h3:
                mov %rsp, 0x3008
                mov 8(%rsp), %rax
                mov %rax, 0x3010
                iretq
                """)) {
            assertEquals(0x9F000 - 40, mem64(m, 0x3008), "the handler runs on IST1 with SS, RSP, RFLAGS, CS, RIP pushed");
            assertEquals(0x18, mem64(m, 0x3010), "the pushed CS");
            assertEquals(mem64(m, 0x3000), mem64(m, 0x3018), "IRETQ restores the interrupted stack");
            assertEquals(1, mem64(m, 0x3020));
        }
    }

    @Test
    void pageFaultInFourLevelPagingHasItsErrorCodeAndCr2() {
        try (TestMachine m = run(IDT_SETUP + """
                lea h14(%rip), %rax
                mov $14, %ecx
                xor %edx, %edx
                call set_gate
                movq $1, 0x400008            /* beyond the identity-mapped 2 MiB: PD entry 2 is not present */
                hlt
                h14:
                pop %rax
                mov %rax, 0x3000
                mov %cr2, %rax
                mov %rax, 0x3008
                """)) {
            assertEquals(2, mem64(m, 0x3000), "#PF error code: not present, write, supervisor");
            assertEquals(0x400008, mem64(m, 0x3008), "CR2 holds the faulting linear address");
        }
    }
}
