package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The 64-bit decoded-instruction cache: stores into code already decoded take effect at the next execution
 * (SDM Vol. 3A 11.6), and the same bytes mean what the current mode decodes them as.
 */
class LongModeDecodeCacheTest {
    private static long mem64(TestMachine m, long a) { return m.memory.read(a, 8); }

    @Test
    void patchingTheNextInstructionTakesEffectAtOnce() {
        try (TestMachine m = LongMode64Test.run("", """
                xor %eax, %eax
                xor %ecx, %ecx
                again:
                cmp $1, %ecx
                jne next
                movb $0x10, next+3(%rip)   # second pass: the ADD's immediate becomes 0x10 just before it runs
                next:
                add $1, %rax
                inc %ecx
                cmp $3, %ecx
                jne again
                mov %rax, 0x3000
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x21, mem64(m, 0x3000));
        }
    }

    @Test
    void patchingTheTailOfALongInstructionIsSeen() {
        try (TestMachine m = LongMode64Test.run("", """
                xor %ecx, %ecx
                again:
                patch:
                movabs $0x1111111111111111, %rax
                mov %rax, 0x3000(,%rcx,8)
                movb $0x77, patch+9(%rip)   # the immediate's last byte, past the first 8 of the instruction
                inc %ecx
                cmp $2, %ecx
                jne again
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x1111111111111111L, mem64(m, 0x3000));
            assertEquals(0x7711111111111111L, mem64(m, 0x3008));
        }
    }

    @Test
    void theSameBytesDecodeByMode() {
        // 48 FF C0: DEC EAX; INC EAX in compatibility mode, INC RAX in 64-bit mode.
        try (TestMachine m = LongMode64Test.run("""
                mov $5, %eax
                call f
                mov %eax, 0x3000
                """, """
                mov $5, %eax
                call f
                mov %rax, 0x3008
                jmp done
                f:
                .byte 0x48, 0xFF, 0xC0
                ret
                done:
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(5, mem64(m, 0x3000) & 0xFFFF_FFFFL);
            assertEquals(6, mem64(m, 0x3008));
        }
    }
}
