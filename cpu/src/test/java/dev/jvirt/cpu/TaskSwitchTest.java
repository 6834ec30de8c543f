package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hardware task switches (SDM Vol. 3A chapter 7): CALL/IRET through TSSs and a double fault via a task gate. */
class TaskSwitchTest {
    private static final String SETUP = """
            lgdt gdtr
            lidt idtr
            movl $0x80000, 0x5004
            movl $0x10, 0x5008
            movl $task2, 0x5100 + 0x20
            movl $2, 0x5100 + 0x24
            movl $0x7F000, 0x5100 + 0x38
            movl $0x08, 0x5100 + 0x4C
            movl $0x10, 0x5100 + 0x48
            movl $0x10, 0x5100 + 0x50
            movl $0x10, 0x5100 + 0x54
            movl $0x10, 0x5100 + 0x58
            movl $0x10, 0x5100 + 0x5C
            movl $0x1234, 0x5100 + 0x28
            mov $0x28, %ax
            ltr %ax
            """;
    private static final String TABLES = """
            .align 8
            gdt: .quad 0
                 .quad 0x00CF9A000000FFFF
                 .quad 0x00CF92000000FFFF
                 .quad 0
                 .quad 0
                 .quad 0x0000890050000067
                 .quad 0x0000890051000067
            gdtr: .word gdtr - gdt - 1
                  .long gdt
            .align 8
            idt: .fill 32, 8, 0
            idtr: .word 32*8 - 1
                  .long idt
            """;

    @Test
    void callToTssNestsAndIretReturns() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    mov $0x77, %ebx
                    lcall $0x30, $0
                    mov %ebx, 0x3010
                    hlt
                    task2: mov %eax, 0x3000
                    str %ax
                    mov %eax, 0x3004
                    pushf
                    popl 0x3008
                    movzwl 0x5100, %eax
                    mov %eax, 0x300c
                    iret
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(0x1234, m.mem32(0x3000), "EAX from the new TSS");
            assertEquals(0x30, m.mem32(0x3004) & 0xFFFF, "TR is the new task");
            assertEquals(CpuState.FLAG_NT, m.mem32(0x3008) & CpuState.FLAG_NT, "nested task");
            assertEquals(0x28, m.mem32(0x300c), "back link");
            assertEquals(0x77, m.mem32(0x3010), "IRET restored the caller's registers");
            assertEquals(0x28, m.state.tr.selector);
            assertEquals(CpuState.CR0_TS, m.state.cr0 & CpuState.CR0_TS);
        }
    }

    @Test
    void doubleFaultThroughTaskGateRunsOnItsOwnStack() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    movw $0x30, idt + 8*8 + 2
                    movw $0x8500, idt + 8*8 + 4
                    mov $0x4B, %ax
                    mov %ax, %ds
                    hlt
                    task2: pop %eax
                    mov %eax, 0x3000
                    mov %esp, 0x3004
                    movl $0xDF, 0x3008
                    hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(0xDF, m.mem32(0x3008), "#GP with a not-present #GP gate became #DF");
            assertEquals(0, m.mem32(0x3000), "#DF error code is 0");
            assertEquals(0x7F000, m.mem32(0x3004), "stack from the double-fault TSS");
        }
    }
}
