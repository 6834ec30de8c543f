package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 64-bit mode execution (SDM Vol. 1 3.3.7, 3.4.1.1; Vol. 2 2.2.1): a 32-bit loader enables IA-32e mode
 * and far-jumps to a code segment with L=1, then 64-bit code runs with REX registers, imm64,
 * RIP-relative addressing, zero-extension of 32-bit results and canonical-address checks.
 */
class LongMode64Test {
    private static final String ENTER = """
            .code32
            lidt idtr
            lgdt gdtr
            movl $0x11003, 0x10000
            movl $0x12003, 0x11000
            movl $0x83, 0x12000
            mov %cr4, %eax
            or $0x20, %eax
            mov %eax, %cr4
            mov $0x10000, %eax
            mov %eax, %cr3
            mov $0xC0000080, %ecx
            rdmsr
            or $0x100, %eax
            wrmsr
            mov %cr0, %eax
            or $0x80000000, %eax
            mov %eax, %cr0
            ljmp $0x18, $start64
            .p2align 3
            gdt: .quad 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF, 0x00AF9A000000FFFF
            gdtr: .word 31
                  .long gdt
            idtr: .word 0
                  .long 0
            .code64
            start64:
            """;

    private static TestMachine run(String code64) {
        TestMachine m = new TestMachine();
        m.cpu.setCpuModel(CpuModels.DEFAULT.with(CpuFeature.LM, true));
        byte[] code = GuestAsm.assemble64(ENTER + code64 + "\nhlt\n", 0x100000);
        m.ram.load(0x100000, code);
        CpuState s = m.state;
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS, CpuState.FS, CpuState.GS}) s.seg[sr].setFlat(0x10, false);
        s.rip = 0x100000;
        s.gpr[CpuState.RSP] = 0x90000;
        s.rflags = 2;
        m.cpu.stateChanged();
        m.runToHalt(10_000);
        return m;
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
