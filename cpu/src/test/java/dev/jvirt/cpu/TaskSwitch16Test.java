package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static dev.jvirt.cpu.TestMachine.gate;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Task switches involving a 16-bit TSS (SDM Vol. 3A 8.6, Figure 8-11) and the exception conditions of
 * SDM Vol. 3A Table 8-1.
 */
class TaskSwitch16Test {
    /** GDT: 0x18 16-bit code at 0x100000, 0x20 16-bit data, 0x28/0x38 32-bit TSSs, 0x30 16-bit TSS, 0x40 task gate. */
    private static final String SETUP = """
            lgdt gdtr
            lidt idtr
            movl $0x80000, 0x5004
            movl $0x10, 0x5008
            mov $task16, %eax
            sub $0x100000, %eax
            mov %ax, 0x5100 + 0x0E
            movw $2, 0x5100 + 0x10
            movw $0x1234, 0x5100 + 0x12
            movw $0x7000, 0x5100 + 0x1A
            movw $0x20, 0x5100 + 0x22
            movw $0x18, 0x5100 + 0x24
            movw $0x20, 0x5100 + 0x26
            movw $0x20, 0x5100 + 0x28
            movl $task32, 0x5200 + 0x20
            movl $2, 0x5200 + 0x24
            movl $0x7E000, 0x5200 + 0x38
            movl $0x08, 0x5200 + 0x4C
            movl $0x10, 0x5200 + 0x48
            movl $0x10, 0x5200 + 0x50
            movl $0x10, 0x5200 + 0x54
            mov $0x28, %ax
            ltr %ax
            """;
    private static final String TABLES = """
            .align 8
            gdt: .quad 0
                 .quad 0x00CF9A000000FFFF
                 .quad 0x00CF92000000FFFF
                 .quad 0x00009A100000FFFF
                 .quad 0x000092000000FFFF
                 .quad 0x0000890050000067
            tss16: .quad 0x000081005100002B
                 .quad 0x0000890052000067
                 .quad 0x0000850000300000
                 .quad 0x0000850000380000
            gdtr: .word gdtr - gdt - 1
                  .long gdt
            .align 8
            idt: .fill 48, 8, 0
            idtr: .word 48*8 - 1
                  .long idt
            """;

    @Test
    void callThroughTaskGateInto16BitTaskAndIretBack() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    mov $0x77, %ebx
                    lcall $0x40, $0
                    mov %ebx, 0x3010
                    hlt
                    task32: hlt
                    .code16
                    task16: mov %ax, 0x3000
                    str %ax
                    mov %ax, 0x3002
                    pushf
                    pop %ax
                    mov %ax, 0x3004
                    mov 0x5100, %ax
                    mov %ax, 0x3006
                    mov %sp, 0x3008
                    mov %ss, %ax
                    mov %ax, 0x300a
                    mov $0x55, %bx
                    iret
                    .code32
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(0x1234, m.memory.read(0x3000, 2), "AX from the 16-bit TSS");
            assertEquals(0x30, m.memory.read(0x3002, 2), "TR is the 16-bit task");
            assertEquals(CpuState.FLAG_NT, m.memory.read(0x3004, 2) & CpuState.FLAG_NT, "nested task");
            assertEquals(0x28, m.memory.read(0x3006, 2), "back link in the 16-bit TSS");
            assertEquals(0x7000, m.memory.read(0x3008, 2), "SP from the 16-bit TSS");
            assertEquals(0x20, m.memory.read(0x300a, 2), "SS from the 16-bit TSS");
            assertEquals(0x77, m.mem32(0x3010), "IRET restored the 32-bit caller");
            assertEquals(0x55, m.memory.read(0x5100 + 0x18, 2), "BX saved in the 16-bit TSS on IRET");
            assertEquals(0x28, m.state.tr.selector);
            assertEquals(0x01, (m.memory.read(gdtAddress(m) + 0x30 + 5, 1)) & 0x0F, "16-bit TSS available again");
            assertEquals(0x0B, (m.memory.read(gdtAddress(m) + 0x28 + 5, 1)) & 0x0F, "caller's TSS still busy");
        }
    }

    @Test
    void interruptThroughTaskGateFrom16BitTaskTo32BitTask() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    movw $0x38, idt + 0x20*8 + 2
                    movw $0x8500, idt + 0x20*8 + 4
                    ljmp $0x30, $0
                    task32: movzwl 0x5200, %eax
                    mov %eax, 0x3000
                    pushf
                    popl 0x3004
                    movzwl 0x5100 + 0x0E, %eax
                    mov %eax, 0x3008
                    movzwl 0x5100 + 0x12, %eax
                    mov %eax, 0x300c
                    movzbl tss16 + 5, %eax
                    mov %eax, 0x3010
                    movzbl gdt + 0x28 + 5, %eax
                    mov %eax, 0x3014
                    iret
                    .code16
                    task16: mov $0x4321, %ax
                    int $0x20
                    after: movw $0xAA, 0x3020
                    hlt
                    .code32
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(0x30, m.mem32(0x3000), "back link names the 16-bit task");
            assertEquals(CpuState.FLAG_NT, m.mem32(0x3004) & CpuState.FLAG_NT);
            assertEquals(m.memory.read(0x5100 + 0x0E, 2), m.mem32(0x3008));
            assertEquals(0x4321, m.mem32(0x300c), "AX saved in the 16-bit TSS");
            assertEquals(0x83, m.mem32(0x3010) & 0x8F, "interrupted 16-bit task stays busy");
            assertEquals(0x89, m.mem32(0x3014) & 0x8F, "JMP freed the first task");
            assertEquals(0xAA, m.mem32(0x3020), "IRET resumed the 16-bit task after INT");
            assertEquals(0x30, m.state.tr.selector);
        }
    }

    @Test
    void tssLimitBelowMinimumIsInvalidTss() {
        // 16-bit TSS with limit 0x2A, then a 32-bit TSS with limit 0x66 (Table 8-1: #TS(new TSS)).
        assertEquals(TS << 16 | 0x30, faultOf("movb $0x2A, tss16", "ljmp $0x30, $0"));
        assertEquals(TS << 16 | 0x38, faultOf("movb $0x66, tss16 + 8", "ljmp $0x38, $0"));
    }

    @Test
    void notPresentTssIsNp() {
        assertEquals(NP << 16 | 0x30, faultOf("andb $0x7F, tss16 + 5", "lcall $0x30, $0"));
    }

    @Test
    void busyTssIsGp() {
        assertEquals(GP << 16 | 0x28, faultOf("", "ljmp $0x28, $0"));
        assertEquals(GP << 16 | 0x30, faultOf("orb $2, tss16 + 5", "lcall $0x40, $0"));
    }

    @Test
    void newCodeSegmentRplMustMatchDpl() {
        // A CS whose RPL differs from its non-conforming DPL: #TS(new CS) (Table 8-1), raised in the new
        // task's context, so on its stack.
        assertEquals(TS << 16 | 0x08, faultOf("movl $0x0B, 0x5200 + 0x4C", "ljmp $0x38, $0"));
        // From a 16-bit TSS the new ESP has undefined upper bits, so only the vector is observable.
        assertEquals(TS, faultOf("movw $0x1B, 0x5100 + 0x24", "ljmp $0x30, $0") >>> 16);
    }

    private static final int TS = 10, NP = 11, GP = 13;

    /** Runs {@code code} with #TS/#NP/#GP handlers; returns vector << 16 | error code. */
    private static long faultOf(String patch, String code) {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + gate(10, "h10") + gate(11, "h11") + gate(13, "h13") + patch + "\n" + code + """

                    hlt
                    task32: hlt
                    .code16
                    task16: hlt
                    .code32
                    h10: movl $10, 0x3104
                    jmp 1f
                    h11: movl $11, 0x3104
                    jmp 1f
                    h13: movl $13, 0x3104
                    1: popl 0x3100
                    hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            return m.mem32(0x3104) << 16 | (m.mem32(0x3100) & 0xFFFF);
        }
    }

    private static long gdtAddress(TestMachine m) { return m.state.gdtBase; }
}
