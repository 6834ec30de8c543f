package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Virtual-8086 mode (SDM Vol. 3A chapter 20): entry by IRET, real-mode addressing, #GP to the ring-0 monitor. */
class Virtual8086Test {
    @Test
    void iretEntersV86AndSensitiveInstructionsTrapToTheMonitor() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    lgdt gdtr
                    lidt idtr
                    mov $h13, %eax
                    mov %ax, idt + 13*8
                    shr $16, %eax
                    mov %ax, idt + 13*8 + 6
                    movw $0x08, idt + 13*8 + 2
                    movw $0x8E00, idt + 13*8 + 4
                    movl $0x80000, 0x5004
                    movl $0x10, 0x5008
                    mov $0x28, %ax
                    ltr %ax
                    push $0
                    push $0
                    push $0x300
                    push $0
                    push $0x7000
                    push $0x100
                    push $0x20002
                    push $0xFFFF
                    push $(v86 - 0xFFFF0)
                    iret
                    .code16
                    v86: mov $0x1234, %ax
                    mov %ax, 0x100
                    int $0x21
                    hlt
                    .code32
                    h13: mov %ss:8(%esp), %eax
                    mov %eax, %ss:0x3000
                    mov %ss:12(%esp), %eax
                    mov %eax, %ss:0x3004
                    mov %ss:28(%esp), %eax
                    mov %eax, %ss:0x3008
                    mov %ds, %eax
                    mov %eax, %ss:0x300c
                    mov %esp, %ss:0x3010
                    hlt
                    .align 8
                    gdt: .quad 0
                         .quad 0x00CF9A000000FFFF
                         .quad 0x00CF92000000FFFF
                         .quad 0
                         .quad 0
                         .quad 0x0000890050000067
                    gdtr: .word gdtr - gdt - 1
                          .long gdt
                    .align 8
                    idt: .fill 32, 8, 0
                    idtr: .word 32*8 - 1
                          .long idt
                    """);
            m.runToHalt(10_000);
            assertEquals(0x1234, m.memory.read(0x3100, 2), "DS 0x300 addressed real-mode style");
            assertEquals(0xFFFF, m.mem32(0x3000), "V86 CS in the monitor's frame");
            assertEquals(CpuState.FLAG_VM, m.mem32(0x3004) & CpuState.FLAG_VM);
            assertEquals(0x300, m.mem32(0x3008), "V86 DS saved in the frame");
            assertEquals(0, m.mem32(0x300c), "data segments nulled for the monitor");
            assertEquals(0x80000 - 40, m.mem32(0x3010), "nine dwords and the error code on the ring-0 stack");
            assertEquals(0, m.state.rflags & CpuState.FLAG_VM);
        }
    }
}
