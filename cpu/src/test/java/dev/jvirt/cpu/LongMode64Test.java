package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 64-bit mode execution (SDM Vol. 1 3.3.7, 3.4.1.1; Vol. 2 2.2.1): a 32-bit loader enables IA-32e mode
 * and far-jumps to a code segment with L=1, then 64-bit code runs with REX registers, imm64,
 * RIP-relative addressing, zero-extension of 32-bit results and canonical-address checks.
 */
class LongMode64Test {
    private static TestMachine run(String code64) {
        return run("", code64);
    }

    /** {@code prelude32} runs in compatibility mode just before the far jump to 64-bit code. */
    static TestMachine run(String prelude32, String code64) {
        return TestMachine.run64(CpuModels.DEFAULT.with(CpuFeature.LM, true).with(CpuFeature.SYSCALL, true), false,
                TestMachine.longModeEntry(prelude32, "") + code64, 10_000);
    }

    private static long mem64(TestMachine m, long a) { return m.memory.read(a, 8); }

    @Test
    void integerCoreIn64BitMode() {
        try (TestMachine m = run("""
                movabs $0x1122334455667788, %rax
                mov %rax, 0x3000
                mov $-1, %r8
                mov $5, %r8d
                mov %r8, 0x3008
                lea data(%rip), %rbx
                mov (%rbx), %rcx
                add data(%rip), %rcx
                mov %rcx, 0x3010
                mov $0xFFFFFFFF, %eax
                movslq %eax, %r9
                mov %r9, 0x3018
                push %r9
                pop %r11
                add $1, %r11
                mov %r11, 0x3020
                call func
                mov %rax, 0x3028
                mov $0x5A, %sil
                mov %sil, 0x3030
                mov $-5, %rax
                cqto
                mov %rdx, 0x3038
                mov $0xFFFFFFFF, %r12d
                add $1, %r12
                mov %r12, 0x3040
                mov %rsp, 0x3048
                hlt
                func: mov $42, %eax
                ret
                .p2align 3
                data: .quad 0x0102030405060708
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x1122334455667788L, mem64(m, 0x3000), "imm64");
            assertEquals(5, mem64(m, 0x3008), "a 32-bit write zero-extends into R8");
            assertEquals(0x020406080A0C0E10L, mem64(m, 0x3010), "RIP-relative loads");
            assertEquals(-1L, mem64(m, 0x3018), "MOVSXD");
            assertEquals(0, mem64(m, 0x3020), "64-bit push/pop/add");
            assertEquals(42, mem64(m, 0x3028), "CALL/RET with a 64-bit return address");
            assertEquals(0x5A, m.memory.read(0x3030, 1), "SIL with REX");
            assertEquals(-1L, mem64(m, 0x3038), "CQO");
            assertEquals(0x1_0000_0000L, mem64(m, 0x3040), "64-bit carry out of the low dword");
            assertEquals(0x90000, mem64(m, 0x3048), "balanced stack");
        }
    }

    @Test
    void shiftsMultiplyDivideAndCompareExchangeOn64BitOperands() {
        try (TestMachine m = run("""
                movabs $0x8000000000000001, %rax
                shl $1, %rax
                setc %bl
                mov %rax, 0x3100
                mov $-1, %rax
                mov $3, %rcx
                mul %rcx
                mov %rax, 0x3108
                mov %rdx, 0x3110
                div %rcx
                mov %rax, 0x3118
                mov %rdx, 0x3120
                mov $-7, %rax
                cqto
                mov $2, %rcx
                idiv %rcx
                mov %rax, 0x3128
                mov %rdx, 0x3130
                movabs $0x123456789, %rax
                sar $4, %rax
                mov %rax, 0x3138
                imul $-2, %rax, %r9
                mov %r9, 0x3140
                movzbq %bl, %r10
                mov $0, %r11
                cmp $0, %r10
                cmovne %r9, %r11
                mov %r11, 0x3148
                movq $5, 0x3200
                movq $6, 0x3208
                mov $5, %eax
                mov $6, %edx
                mov $7, %ebx
                mov $8, %ecx
                cmpxchg16b 0x3200
                setz 0x3150
                cmpxchg16b 0x3200
                setz 0x3151
                mov %rax, 0x3158
                mov %rdx, 0x3160
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(2, mem64(m, 0x3100), "SHL 64 drops bit 63 into CF");
            assertEquals(-3L, mem64(m, 0x3108), "MUL low half");
            assertEquals(2, mem64(m, 0x3110), "MUL high half");
            assertEquals(-1L, mem64(m, 0x3118), "128/64 DIV quotient");
            assertEquals(0, mem64(m, 0x3120), "DIV remainder");
            assertEquals(-3L, mem64(m, 0x3128), "IDIV truncates toward zero");
            assertEquals(-1L, mem64(m, 0x3130), "IDIV remainder has the dividend's sign");
            assertEquals(0x12345678L, mem64(m, 0x3138), "SAR 64");
            assertEquals(-0x2468ACF0L, mem64(m, 0x3140), "IMUL r64, r/m64, imm8");
            assertEquals(-0x2468ACF0L, mem64(m, 0x3148), "SETC then MOVZX then CMOVNE");
            assertEquals(1, m.memory.read(0x3150, 1), "CMPXCHG16B match sets ZF");
            assertEquals(0, m.memory.read(0x3151, 1), "second CMPXCHG16B mismatches");
            assertEquals(7, mem64(m, 0x3200));
            assertEquals(8, mem64(m, 0x3208));
            assertEquals(7, mem64(m, 0x3158), "mismatch loads RDX:RAX from memory");
            assertEquals(8, mem64(m, 0x3160));
        }
    }

    @Test
    void misalignedCmpxchg16bIsGpAndDivideByZeroIsDe() {
        try (TestMachine m = run("cmpxchg16b 0x3208\nmovl $1, 0x3000")) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
        try (TestMachine m = run("xor %ecx, %ecx\ndiv %rcx\nmovl $1, 0x3000")) {
            assertEquals(0, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }

    @Test
    void exceptionThrough64BitIdtGateAndIretq() {
        try (TestMachine m = run("""
                lea de(%rip), %rax
                mov %ax, 0x4000
                movw $0x18, 0x4002
                movw $0x8E00, 0x4004
                shr $16, %rax
                mov %ax, 0x4006
                movl $0, 0x4008
                movl $0, 0x400C
                lidt idt64(%rip)
                sub $8, %rsp
                xor %ecx, %ecx
                div %rcx
                movl $0x600D, 0x3000
                mov %rsp, 0x3008
                hlt
                de:
                mov %rsp, 0x3010
                mov 8(%rsp), %rax
                mov %rax, 0x3018
                mov 32(%rsp), %rax
                mov %rax, 0x3020
                addq $3, (%rsp)
                iretq
                .p2align 3
                idt64: .word 0xFFF
                       .quad 0x4000
                """)) {
            assertEquals(0, m.cpu.lastException(), "#DE");
            assertEquals(0x600D, m.memory.read(0x3000, 4), "IRETQ returned past the DIV");
            assertEquals(0x90000 - 8, mem64(m, 0x3008), "IRETQ restored RSP");
            assertEquals(0x90000 - 16 - 40, mem64(m, 0x3010), "RSP aligned to 16 then five 8-byte pushes");
            assertEquals(0x18, mem64(m, 0x3018), "saved CS");
            assertEquals(0x10, mem64(m, 0x3020), "saved SS");
        }
    }

    @Test
    void fsGsBaseMsrsAndSwapgs() {
        try (TestMachine m = run("""
                mov $0xC0000100, %ecx
                mov $0x3300, %eax
                xor %edx, %edx
                wrmsr
                mov $0xC0000102, %ecx
                mov $0x3400, %eax
                wrmsr
                movl $0x11111111, 0x3308
                movl $0x22222222, 0x3408
                """, """
                mov %fs:8, %eax
                mov %eax, 0x3000
                swapgs
                mov %gs:8, %eax
                mov %eax, 0x3004
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x11111111, m.memory.read(0x3000, 4), "FS override adds IA32_FS_BASE");
            assertEquals(0x22222222, m.memory.read(0x3004, 4), "SWAPGS loaded IA32_KERNEL_GS_BASE into GS");
            assertEquals(0x3400, m.state.gs.base);
            assertEquals(0, m.state.kernelGsBase, "and the old GS base into IA32_KERNEL_GS_BASE");
        }
    }

    @Test
    void nonCanonicalFsBaseIsGp() {
        try (TestMachine m = run("""
                mov $0xC0000100, %ecx
                xor %eax, %eax
                mov $0x8000, %edx
                wrmsr
                movl $1, 0x3000
                """, "")) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }

    @Test
    void systemInstructionsIn64BitMode() {
        try (TestMachine m = run("""
                cli
                mov $0xC0000080, %ecx
                rdmsr
                mov %eax, 0x3000
                xor %eax, %eax
                cpuid
                mov %ebx, 0x3004
                mov %cr3, %r13
                mov %r13, 0x3008
                mov %cr4, %rax
                or $0x80, %rax
                mov %rax, %cr4
                mov %cr4, %rax
                mov %rax, 0x3010
                stc
                setc 0x3018
                nopl 0x10(%rax)
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x500, m.memory.read(0x3000, 4), "RDMSR IA32_EFER: LME|LMA");
            assertEquals(0x68747541, m.memory.read(0x3004, 4), "CPUID vendor 'Auth' (qemu64)");
            assertEquals(0x10000, mem64(m, 0x3008), "MOV r64, CR3 with REX.B");
            assertEquals(0xA0, mem64(m, 0x3010), "MOV CR4 round trip");
            assertEquals(1, m.memory.read(0x3018, 1));
            assertEquals(0, m.state.rflags & CpuState.FLAG_IF, "CLI");
        }
    }

    @Test
    void pagingCannotBeTurnedOffFrom64BitModeAndCr0HighBitsAreReserved() {
        try (TestMachine m = run("""
                mov %cr0, %rax
                and $0x7FFFFFFF, %eax
                mov %rax, %cr0
                movl $1, 0x3000
                """)) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
            assertTrue(m.state.longMode());
        }
        try (TestMachine m = run("""
                mov %cr0, %rax
                mov $1, %edx
                shl $32, %rdx
                or %rdx, %rax
                mov %rax, %cr0
                movl $1, 0x3000
                """)) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }

    @Test
    void flagsStringsAndExchangeInstructions() {
        try (TestMachine m = run("""
                mov $0x8D5, %eax
                push %rax
                popfq
                pushfq
                pop %rbx
                mov %rbx, 0x3000
                push $0
                popfq
                cld
                mov $0x3100, %edi
                movabs $0x1122334455667788, %rax
                mov $4, %ecx
                rep stosq
                mov $0x3100, %esi
                mov $0x3200, %edi
                mov $32, %ecx
                rep movsb
                mov %rdi, 0x3008
                mov %rcx, 0x3010
                movabs $0x0102030405060708, %rdx
                bswap %rdx
                mov %rdx, 0x3018
                mov $5, %eax
                mov $5, %r8
                mov $9, %r9
                cmpxchg %r9, %r8
                mov %r8, 0x3020
                mov $10, %r10
                mov $3, %r11
                xadd %r11, %r10
                mov %r10, 0x3028
                mov %r11, 0x3030
                push $1
                call f
                mov %rsp, 0x3038
                hlt
                f: push %rbp
                mov %rsp, %rbp
                sub $64, %rsp
                leave
                ret $8
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x8D7, mem64(m, 0x3000) & 0xFFF, "POPFQ/PUSHFQ round trip of the arithmetic flags");
            assertEquals(0x1122334455667788L, mem64(m, 0x3218), "REP STOSQ then REP MOVSB copied 32 bytes");
            assertEquals(0x3220, mem64(m, 0x3008), "RDI advanced");
            assertEquals(0, mem64(m, 0x3010), "RCX counted down");
            assertEquals(0x0807060504030201L, mem64(m, 0x3018), "BSWAP r64");
            assertEquals(9, mem64(m, 0x3020), "CMPXCHG stored the source on a match");
            assertEquals(13, mem64(m, 0x3028), "XADD sum");
            assertEquals(10, mem64(m, 0x3030), "XADD old destination");
            assertEquals(0x90000, mem64(m, 0x3038), "LEAVE and RET imm16 balance the stack");
        }
    }

    @Test
    void sysretToUserAndSyscallBack() {
        try (TestMachine m = run("""
                mov $0xC0000080, %ecx
                rdmsr
                or $1, %eax
                wrmsr
                mov $0xC0000081, %ecx
                xor %eax, %eax
                mov $0x00200018, %edx
                wrmsr
                mov $0xC0000082, %ecx
                mov $handler, %eax
                xor %edx, %edx
                wrmsr
                mov $0xC0000084, %ecx
                mov $0x200, %eax
                wrmsr
                """, """
                lea user(%rip), %rcx
                mov $0x802, %r11d
                sysretq
                user:
                movl $0xAB, 0x3000
                lea after(%rip), %rbx
                syscall
                after:
                hlt
                handler:
                mov %rcx, 0x3008
                mov %r11, 0x3010
                mov %rbx, 0x3018
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0xAB, m.memory.read(0x3000, 4), "user code ran after SYSRETQ");
            assertEquals(mem64(m, 0x3018), mem64(m, 0x3008), "SYSCALL saved the next RIP in RCX");
            assertEquals(0x802, mem64(m, 0x3010) & 0xFFF, "SYSCALL saved RFLAGS in R11");
            assertEquals(0x18, m.state.cs.selector, "kernel CS from STAR[47:32]");
            assertEquals(0x20, m.state.ss.selector, "kernel SS = CS + 8");
            assertEquals(0, m.state.cpl());
        }
    }

    @Test
    void syscallWithoutEferSceIsUd() {
        try (TestMachine m = run("syscall\nmovl $1, 0x3000")) {
            assertEquals(6, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }

    @Test
    void softwareInterruptSegmentMovesAndXchg() {
        try (TestMachine m = run("""
                lea h80(%rip), %rax
                mov %ax, 0x4800
                movw $0x18, 0x4802
                movw $0x8E00, 0x4804
                shr $16, %rax
                mov %ax, 0x4806
                movl $0, 0x4808
                movl $0, 0x480C
                lidt idt64(%rip)
                mov $7, %edi
                int $0x80
                mov %rdi, 0x3000
                xor %eax, %eax
                mov %eax, %es
                mov %es, %ebx
                mov %rbx, 0x3008
                mov $0x10, %eax
                mov %eax, %es
                mov %es, %ecx
                mov %rcx, 0x3010
                movabs $0x1111111122222222, %rax
                mov $3, %edx
                xchg %rdx, %rax
                mov %rax, 0x3018
                mov %rdx, 0x3020
                hlt
                h80:
                add $1, %rdi
                iretq
                .p2align 3
                idt64: .word 0xFFF
                       .quad 0x4000
                """)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(8, mem64(m, 0x3000), "INT 0x80 ran its handler and IRETQ came back");
            assertEquals(0, mem64(m, 0x3008), "a null selector loads into ES in 64-bit mode");
            assertEquals(0x10, mem64(m, 0x3010), "MOV ES then MOV from ES");
            assertEquals(3, mem64(m, 0x3018), "XCHG rAX, r64");
            assertEquals(0x1111111122222222L, mem64(m, 0x3020));
        }
    }

    @Test
    void nonCanonicalDataAccessIsGp() {
        try (TestMachine m = run("""
                movabs $0x0000800000000000, %rax
                mov (%rax), %rbx
                movl $1, 0x3000
                """)) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }

    @Test
    void nonCanonicalStackAccessIsSs() {
        try (TestMachine m = run("""
                movabs $0xFFFF000000000000, %rsp
                push %rbx
                movl $1, 0x3000
                """)) {
            assertEquals(12, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }

    @Test
    void legacyOnlyOpcodeIsUd() {
        try (TestMachine m = run(".byte 0x06\nmovl $1, 0x3000")) { // PUSH ES
            assertEquals(6, m.cpu.lastException());
            assertEquals(0, m.memory.read(0x3000, 4));
        }
    }
}
