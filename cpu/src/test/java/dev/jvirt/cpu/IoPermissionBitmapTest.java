package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TSS I/O permission bitmap at CPL 3 > IOPL 0 (SDM Vol. 1 19.5.2): every byte of the access checked,
 * two bitmap bytes always read, bits beyond the TSS limit count as set.
 */
class IoPermissionBitmapTest {
    @Test
    void wordAccessSpanningTwoBitmapBytesNeedsBothBitsClear() {
        // Port 0x47 is bit 7 of byte 8, port 0x48 bit 0 of byte 9.
        assertTrue(allowed(0x2068, "movb $0x7F, 0x5068 + 8\nmovb $0xFE, 0x5068 + 9", "inw $0x47, %ax"));
        assertFalse(allowed(0x2068, "movb $0x7F, 0x5068 + 8", "inw $0x47, %ax"));
        assertFalse(allowed(0x2068, "movb $0xFE, 0x5068 + 9", "inw $0x47, %ax"));
        assertTrue(allowed(0x2068, "movb $0x7F, 0x5068 + 8", "inb $0x47, %al"));
    }

    @Test
    void doublewordAccessChecksAllFourPorts() {
        assertTrue(allowed(0x2068, "movb $0xF0, 0x5068 + 8", "inl $0x40, %eax"));
        assertFalse(allowed(0x2068, "movb $0xF7, 0x5068 + 8", "inl $0x40, %eax"));
    }

    @Test
    void bitsBeyondTheTssLimitCountAsSet() {
        // Limit 0x70: bitmap bytes 0..8 only, all clear.
        String clear = "movb $0, 0x5068 + 7\nmovb $0, 0x5068 + 8\nmovb $0, 0x5068 + 9";
        assertTrue(allowed(0x70, clear, "inb $0x38, %al"));
        // Port 0x40 is in byte 8, but the processor reads two bytes and byte 9 is beyond the limit.
        assertFalse(allowed(0x70, clear, "inb $0x40, %al"));
        assertFalse(allowed(0x70, clear, "inb $0x48, %al"));
        assertTrue(allowed(0x71, clear, "inb $0x40, %al"));
    }

    @Test
    void outsAndInsUseTheBitmapToo() {
        assertTrue(allowed(0x2068, "movb $0xFE, 0x5068 + 8", "mov $0x40, %dx\nmov $0x1000, %esi\noutsb"));
        assertFalse(allowed(0x2068, "movb $0xFE, 0x5068 + 8", "mov $0x41, %dx\nmov $0x1000, %esi\noutsb"));
    }

    @Test
    void sixteenBitTssHasNoBitmap() {
        String clearAll = "mov $0x5068, %edi\nmov $0x2001, %ecx\nxor %al, %al\nrep stosb\n";
        assertTrue(allowed(0x2068, clearAll, "inb $0x40, %al"));
        // The same TSS as a 16-bit TSS (type 1, ring-0 stack at SP0/SS0): every check fails.
        assertFalse(allowed(0x2068, clearAll + "movb $0x81, gdt + 0x28 + 5\nmovw $0xF000, 0x5002\nmovw $0x10, 0x5004",
                "inb $0x40, %al"));
    }

    /** Runs {@code io} at CPL 3; true if it completed (the next HLT faulted), false if it faulted itself. */
    private static boolean allowed(int tssLimit, String bitmap, String io) {
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
                    movw $0x68, 0x5066
                    mov $0x5068, %edi
                    mov $0x2001, %ecx
                    mov $0xFF, %al
                    rep stosb
                    """ + bitmap + """

                    movw $%d, gdt + 0x28
                    mov $0x28, %%ax
                    ltr %%ax
                    movl $io, 0x3010
                    movl $after, 0x3014
                    mov $0x23, %%ax
                    mov %%ax, %%ds
                    mov %%ax, %%es
                    push $0x23
                    push $0x70000
                    push $2
                    push $0x1B
                    push $io
                    iret
                    io:
                    """.formatted(tssLimit) + io + """

                    after: hlt
                    h13: mov 4(%esp), %eax
                    mov %eax, 0x3000
                    hlt
                    .align 8
                    gdt: .quad 0
                         .quad 0x00CF9A000000FFFF
                         .quad 0x00CF92000000FFFF
                         .quad 0x00CFFA000000FFFF
                         .quad 0x00CFF2000000FFFF
                         .quad 0x0000890050000000
                    gdtr: .word gdtr - gdt - 1
                          .long gdt
                    .align 8
                    idt: .fill 32, 8, 0
                    idtr: .word 32*8 - 1
                          .long idt
                    """);
            m.runToHalt(100_000);
            long at = m.mem32(0x3000);
            if (at == m.mem32(0x3014)) return true;
            if (at == m.mem32(0x3010) || at > m.mem32(0x3010) && at < m.mem32(0x3014)) return false;
            throw new AssertionError("unexpected fault at 0x" + Long.toHexString(at));
        }
    }
}
