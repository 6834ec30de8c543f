package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Entering protected mode the way a boot loader does: LGDT, CR0.PE, far jump, segment reloads. */
class ProtectedModeTest {
    private static final String GDT = """
            .align 8
            gdt: .quad 0
                 .quad 0x00CF9A000000FFFF
                 .quad 0x00CF92000000FFFF
                 .quad 0x0000920000000FFF
            gdtr: .word gdtr - gdt - 1
                  .long gdt
            """;

    @Test
    void realModeBootLoaderEntersFlat32BitProtectedMode() {
        try (TestMachine m = new TestMachine()) {
            m.realMode("""
                    cli
                    lgdt gdtr
                    mov %cr0, %eax
                    or $1, %eax
                    mov %eax, %cr0
                    ljmp $0x08, $pm
                    .code32
                    pm: mov $0x10, %ax
                    mov %ax, %ds
                    mov %ax, %es
                    mov %ax, %ss
                    mov $0x90000, %esp
                    xor %eax, %eax
                    mov $100, %ecx
                    1: add %ecx, %eax
                    loop 1b
                    mov %eax, 0x2000
                    push $0x12345678
                    pop %ebx
                    mov %ebx, 0x2004
                    movzbl 0x2004, %edx
                    movsbl 0x2007, %esi
                    mov %edx, 0x2008
                    mov %esi, 0x200c
                    hlt
                    """ + GDT);
            m.runToHalt(10_000);
            assertTrue(m.state.protectedMode());
            assertEquals(0x08, m.state.cs.selector);
            assertTrue(m.state.cs.db, "CS.D from the descriptor: 32-bit code");
            assertEquals(0xFFFF_FFFF, m.state.ds.limit, "granular limit expanded");
            assertEquals(5050, m.mem32(0x2000));
            assertEquals(0x12345678, m.mem32(0x2004));
            assertEquals(0x78, m.mem32(0x2008));
            assertEquals(0x12, m.mem32(0x200c));
            assertEquals(-1, m.cpu.lastException());
        }
    }

    @Test
    void dataSegmentLimitViolationRaisesGeneralProtection() {
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
                    mov $0x18, %ax
                    mov %ax, %es
                    movl $1, %es:0xFFC
                    movl $2, %es:0x1000
                    hlt
                    h13: pop %eax
                    mov %eax, %ds:0x3000
                    movl $0xAA, %ds:0x3004
                    hlt
                    .align 8
                    idt: .fill 32, 8, 0
                    idtr: .word 32*8 - 1
                          .long idt
                    """ + GDT);
            m.runToHalt(10_000);
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.mem32(0x3000), "#GP(0) for a limit violation");
            assertEquals(0xAA, m.mem32(0x3004));
            assertEquals(1, m.mem32(0xFFC), "the access inside the limit happened");
            assertEquals(0, m.mem32(0x1000), "the access past the limit did not");
        }
    }
}
