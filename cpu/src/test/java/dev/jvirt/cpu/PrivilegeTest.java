package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ring transitions: IRET to ring 3, INT through a DPL-3 gate with the TSS stack switch, #GP for HLT at CPL 3. */
class PrivilegeTest {
    @Test
    void misalignedUserAccessWithAlignmentCheckingRaisesAc() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    lgdt gdtr
                    lidt idtr
                    mov $h17, %eax
                    mov %ax, idt + 17*8
                    shr $16, %eax
                    mov %ax, idt + 17*8 + 6
                    movw $0x08, idt + 17*8 + 2
                    movw $0x8E00, idt + 17*8 + 4
                    movl $0x80000, 0x5004
                    movl $0x10, 0x5008
                    mov $0x28, %ax
                    ltr %ax
                    mov %cr0, %eax
                    or $0x40000, %eax
                    mov %eax, %cr0
                    push $0x23
                    push $0x70000
                    push $0x40002
                    push $0x1B
                    push $user
                    iret
                    user: mov $0x23, %ax
                    mov %ax, %ds
                    mov 0x3000, %eax
                    movl $1, 0x3048
                    mov 0x3001, %eax
                    movl $2, 0x3048
                    h17: pop %eax
                    mov %eax, 0x3040
                    movl $17, 0x3044
                    hlt
                    .align 8
                    gdt: .quad 0
                         .quad 0x00CF9A000000FFFF
                         .quad 0x00CF92000000FFFF
                         .quad 0x00CFFA000000FFFF
                         .quad 0x00CFF2000000FFFF
                         .quad 0x0000890050000067
                    gdtr: .word gdtr - gdt - 1
                          .long gdt
                    .align 8
                    idt: .fill 32, 8, 0
                    idtr: .word 32*8 - 1
                          .long idt
                    """);
            m.runToHalt(10_000);
            assertEquals(1, m.mem32(0x3048), "aligned access passed, misaligned one faulted");
            assertEquals(17, m.mem32(0x3044));
            assertEquals(0, m.mem32(0x3040));
        }
    }

    @Test
    void sysenterAndSysexitSwitchBetweenFlatRings() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    lgdt gdtr
                    xor %edx, %edx
                    mov $0x174, %ecx
                    mov $0x08, %eax
                    wrmsr
                    mov $0x175, %ecx
                    mov $0x80000, %eax
                    wrmsr
                    mov $0x176, %ecx
                    mov $kernel, %eax
                    wrmsr
                    mov $user, %edx
                    mov $0x70000, %ecx
                    sysexit
                    user: mov %cs, %eax
                    mov %eax, 0x3000
                    mov %ss, %eax
                    mov %eax, 0x3004
                    sysenter
                    kernel: mov %cs, %eax
                    mov %eax, 0x3008
                    mov %esp, 0x300c
                    hlt
                    .align 8
                    gdt: .quad 0
                         .quad 0x00CF9A000000FFFF
                         .quad 0x00CF92000000FFFF
                         .quad 0x00CFFA000000FFFF
                         .quad 0x00CFF2000000FFFF
                    gdtr: .word gdtr - gdt - 1
                          .long gdt
                    """);
            m.runToHalt(10_000);
            assertEquals(0x1B, m.mem32(0x3000) & 0xFFFF);
            assertEquals(0x23, m.mem32(0x3004) & 0xFFFF);
            assertEquals(0x08, m.mem32(0x3008) & 0xFFFF);
            assertEquals(0x80000, m.mem32(0x300c));
        }
    }

    @Test
    void userModeSystemCallSwitchesStacksAndPrivilegedInstructionsFault() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    .macro gate vec, handler, attr
                      mov $\\handler, %eax
                      mov %ax, idt + \\vec*8
                      shr $16, %eax
                      mov %ax, idt + \\vec*8 + 6
                      movw $0x08, idt + \\vec*8 + 2
                      movw $\\attr, idt + \\vec*8 + 4
                    .endm
                    lgdt gdtr
                    lidt idtr
                    gate 13, h13, 0x8E00
                    gate 0x80, h80, 0xEE00
                    movl $0x80000, 0x5004
                    movl $0x10, 0x5008
                    mov $0x28, %ax
                    ltr %ax
                    mov $gatefn, %eax
                    mov %ax, gdt + 0x30
                    movw $0x08, gdt + 0x30 + 2
                    movw $0xEC01, gdt + 0x30 + 4
                    shr $16, %eax
                    mov %ax, gdt + 0x30 + 6
                    push $0x23
                    push $0x70000
                    pushf
                    push $0x1B
                    push $user
                    iret
                    user: mov $0x23, %ax
                    mov %ax, %ds
                    mov %cs, %eax
                    mov %eax, 0x3004
                    mov $7, %eax
                    int $0x80
                    mov %eax, 0x3000
                    push $0x55
                    lcall $0x33, $0
                    mov %esp, 0x3034
                    hlt
                    gatefn: mov 8(%esp), %eax
                    mov %eax, 0x3030
                    mov 16(%esp), %eax
                    mov %eax, 0x3038
                    lret $4
                    h80: mov 12(%esp), %ecx
                    mov %ecx, 0x3010
                    mov 16(%esp), %edx
                    mov %edx, 0x3014
                    mov %cs, %ecx
                    mov %ecx, 0x3018
                    mov %esp, 0x301c
                    add $1, %eax
                    iret
                    h13: pop %eax
                    mov %eax, 0x3020
                    mov 4(%esp), %eax
                    mov %eax, 0x3024
                    hlt
                    .align 8
                    gdt: .quad 0
                         .quad 0x00CF9A000000FFFF
                         .quad 0x00CF92000000FFFF
                         .quad 0x00CFFA000000FFFF
                         .quad 0x00CFF2000000FFFF
                         .quad 0x0000890050000067
                         .quad 0
                    gdtr: .word gdtr - gdt - 1
                          .long gdt
                    .align 8
                    idt: .fill 256, 8, 0
                    idtr: .word 256*8 - 1
                          .long idt
                    """);
            m.runToHalt(10_000);
            assertEquals(0x1B, m.mem32(0x3004), "running at CPL 3");
            assertEquals(8, m.mem32(0x3000), "system call returned its result");
            assertEquals(0x70000, m.mem32(0x3010), "user ESP pushed on the kernel stack");
            assertEquals(0x23, m.mem32(0x3014), "user SS pushed");
            assertEquals(0x08, m.mem32(0x3018), "handler ran in ring 0");
            assertEquals(0x80000 - 20, m.mem32(0x301c), "kernel stack from TSS.ESP0 with 5 dwords pushed");
            assertEquals(0x55, m.mem32(0x3030), "call gate copied one parameter to the inner stack");
            assertEquals(0x23, m.mem32(0x3038), "caller SS above the copied parameter");
            assertEquals(0x70000, m.mem32(0x3034), "RETF 4 returned to ring 3 and released the parameter");
            assertEquals(0, m.mem32(0x3020), "HLT at CPL 3: #GP(0)");
            assertEquals(0x1B, m.mem32(0x3024), "faulting CS was user code");
            assertEquals(0, m.state.cpl());
        }
    }
}
