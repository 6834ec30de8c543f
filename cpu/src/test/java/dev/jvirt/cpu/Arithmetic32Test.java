package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 32-bit operand forms that the 16-bit hardware vectors cannot cover (results per SDM Vol. 2). */
class Arithmetic32Test {
    @Test
    void nestedEnterBuildsTheDisplayAndLeaveUndoesIt() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    mov $0x8F000, %ebp
                    movl $0xAAAA, 0x8EFFC
                    enter $8, $2
                    mov %esp, 0x3000
                    mov %ebp, 0x3004
                    mov 0x8FFF8, %eax
                    mov %eax, 0x3008
                    mov 0x8FFF4, %eax
                    mov %eax, 0x300c
                    leave
                    mov %esp, 0x3010
                    mov %ebp, 0x3014
                    hlt
                    """);
            m.runToHalt(1000);
            assertEquals(0x8FFEC, m.mem32(0x3000));
            assertEquals(0x8FFFC, m.mem32(0x3004));
            assertEquals(0xAAAA, m.mem32(0x3008), "outer frame pointer copied from the old display");
            assertEquals(0x8FFFC, m.mem32(0x300c), "own frame pointer");
            assertEquals(0x90000, m.mem32(0x3010));
            assertEquals(0x8F000, m.mem32(0x3014));
        }
    }

    @Test
    void wideMultiplyDivideShiftAndBitInstructions() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    mov $0xFFFFFFFF, %eax
                    mov $0xFFFFFFFF, %ecx
                    mul %ecx
                    mov %eax, 0x3000
                    mov %edx, 0x3004
                    pushf
                    popl 0x3008
                    mov $-7, %eax
                    cdq
                    mov $2, %ecx
                    idiv %ecx
                    mov %eax, 0x300c
                    mov %edx, 0x3010
                    mov $0x12345678, %eax
                    mov $0x9ABCDEF0, %edx
                    shld $8, %edx, %eax
                    mov %eax, 0x3014
                    mov $0x12345678, %eax
                    shrd $8, %edx, %eax
                    mov %eax, 0x3018
                    mov $0x00F00000, %eax
                    bsr %eax, %ebx
                    bsf %eax, %ecx
                    mov %ebx, 0x301c
                    mov %ecx, 0x3020
                    mov $0x12345678, %eax
                    bswap %eax
                    mov %eax, 0x3024
                    movl $5, 0x3028
                    mov $3, %eax
                    lock xadd %eax, 0x3028
                    mov %eax, 0x302c
                    movl $10, 0x3030
                    mov $10, %eax
                    mov $20, %ecx
                    lock cmpxchg %ecx, 0x3030
                    movl $0x11111111, 0x3040
                    movl $0x22222222, 0x3044
                    mov $0x11111111, %eax
                    mov $0x22222222, %edx
                    mov $0x33333333, %ebx
                    mov $0x44444444, %ecx
                    lock cmpxchg8b 0x3040
                    mov $-3, %eax
                    imul $100000, %eax, %esi
                    mov %esi, 0x3034
                    mov $0x80000000, %eax
                    sar $31, %eax
                    mov %eax, 0x3038
                    movl $0, 0x3050
                    mov $37, %eax
                    bts %eax, 0x3050
                    mov 0x3054, %edi
                    mov %edi, 0x303c
                    hlt
                    """);
            m.runToHalt(10_000);
            assertEquals(0x00000001L, m.mem32(0x3000));
            assertEquals(0xFFFFFFFEL, m.mem32(0x3004));
            assertEquals(CpuState.FLAG_CF | CpuState.FLAG_OF, m.mem32(0x3008) & (CpuState.FLAG_CF | CpuState.FLAG_OF));
            assertEquals(0xFFFFFFFDL, m.mem32(0x300c), "idiv truncates towards zero");
            assertEquals(0xFFFFFFFFL, m.mem32(0x3010), "remainder has the dividend's sign");
            assertEquals(0x3456789AL, m.mem32(0x3014));
            assertEquals(0xF0123456L, m.mem32(0x3018));
            assertEquals(23, m.mem32(0x301c));
            assertEquals(20, m.mem32(0x3020));
            assertEquals(0x78563412L, m.mem32(0x3024));
            assertEquals(8, m.mem32(0x3028));
            assertEquals(5, m.mem32(0x302c));
            assertEquals(20, m.mem32(0x3030));
            assertEquals(0x33333333L, m.mem32(0x3040));
            assertEquals(0x44444444L, m.mem32(0x3044));
            assertEquals(-300000 & 0xFFFFFFFFL, m.mem32(0x3034));
            assertEquals(0xFFFFFFFFL, m.mem32(0x3038));
            assertEquals(0x20, m.mem32(0x303c), "BT with a register offset addresses beyond the dword");
        }
    }
}
