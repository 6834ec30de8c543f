package dev.jvirt.cpu.decode;

import dev.jvirt.cpu.GuestAsm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 64-bit mode decoding per SDM Vol. 2 section 2.2.1 (REX, operand/address size, RIP-relative, i64 opcodes). */
class Decoder64Test {
    private final DecodedInsn d = new DecodedInsn();

    private DecodedInsn decode(int... bytes) {
        Decoder64.decode(i -> i < bytes.length ? bytes[i] : 0x90, d);
        return d;
    }

    @Test
    void rexExtendsRegisterFieldsAndWSelects64BitOperands() {
        decode(0x4C, 0x89, 0xC0); // mov rax, r8 (REX.W REX.R)
        assertEquals(0x89, d.op);
        assertTrue(d.o64);
        assertEquals(8, d.size());
        assertEquals(8, d.regX());
        assertEquals(0, d.rmX());
        assertEquals(0, d.reg, "raw reg field stays the opcode extension");
        assertEquals(3, d.length);
        decode(0x41, 0x01, 0xC1); // add r9d, eax
        assertFalse(d.o64);
        assertEquals(4, d.size());
        assertEquals(9, d.rmX());
    }

    @Test
    void defaultOperandSizeIs32AndPrefix66Selects16UnlessRexW() {
        decode(0x89, 0xC8);
        assertEquals(4, d.size());
        decode(0x66, 0x89, 0xC8);
        assertEquals(2, d.size());
        decode(0x66, 0x48, 0x89, 0xC8); // REX.W wins over 66
        assertEquals(8, d.size());
    }

    @Test
    void rexCountsOnlyAsTheLastPrefix() {
        decode(0x48, 0x66, 0x89, 0xC8); // REX then 66: REX ignored
        assertEquals(0, d.rex);
        assertEquals(2, d.size());
        assertEquals(4, d.length);
        decode(0x41, 0x48, 0x89, 0xC8); // two REX: the last one counts
        assertEquals(0x48, d.rex);
        assertEquals(0, d.rmX());
    }

    @Test
    void stackOperationsDefaultTo64AndNearBranchesAre64() {
        decode(0x41, 0x50); // push r8
        assertTrue(d.o64);
        assertEquals(8, d.opReg());
        decode(0x66, 0x50); // push ax
        assertEquals(2, d.size());
        decode(0x66, 0x68, 0x34, 0x12); // push imm16
        assertEquals(2, d.size());
        assertEquals(4, d.length);
        decode(0x68, 0x78, 0x56, 0x34, 0x12); // push imm32 sign-extended to 64
        assertEquals(8, d.size());
        assertEquals(5, d.length);
        decode(0x66, 0xE8, 1, 0, 0, 0); // call rel32: Intel ignores 66 in 64-bit mode
        assertTrue(d.o64);
        assertEquals(6, d.length);
        decode(0xFF, 0xD0); // call rax
        assertTrue(d.o64);
        decode(0xFF, 0xC0); // inc eax
        assertFalse(d.o64);
    }

    @Test
    void movImm64IsTheOnly8ByteImmediate() {
        decode(0x49, 0xB9, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11); // movabs r9, imm64
        assertEquals(0x1122334455667788L, d.imm);
        assertEquals(9, d.opReg());
        assertEquals(10, d.length);
        decode(0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF); // mov rax, -1 (imm32)
        assertEquals(7, d.length);
        decode(0x48, 0xA1, 1, 2, 3, 4, 5, 6, 7, 8); // mov rax, [moffs64]
        assertEquals(0x0807060504030201L, d.disp);
        assertEquals(10, d.length);
        decode(0x67, 0xA1, 1, 2, 3, 4); // 32-bit address size: moffs32
        assertEquals(6, d.length);
        assertFalse(d.a64);
    }

    @Test
    void ripRelativeAndSibForms() {
        decode(0x48, 0x8B, 0x05, 0xF8, 0xFF, 0xFF, 0xFF); // mov rax, [rip-8]
        assertTrue(d.ripRel);
        assertEquals(-1, d.base);
        assertEquals(-8, d.disp, "disp32 is sign-extended");
        decode(0x41, 0x8B, 0x45, 0x00); // mov eax, [r13+0]: REX.B does not make mod=00 rm=101 a base
        assertFalse(d.ripRel);
        assertEquals(13, d.base);
        assertEquals(3, d.seg, "R13 is not a stack reference");
        decode(0x42, 0x8B, 0x04, 0x25, 0, 0x10, 0, 0); // mov eax, [r12*1 + 0x1000]: REX.X makes index 100 R12
        assertEquals(12, d.index);
        assertEquals(-1, d.base);
        assertFalse(d.ripRel);
        decode(0x8B, 0x04, 0x24); // mov eax, [rsp]
        assertEquals(4, d.base);
        assertEquals(-1, d.index);
        assertEquals(2, d.seg);
        decode(0x41, 0x8B, 0x04, 0x24); // mov eax, [r12]
        assertEquals(12, d.base);
        assertEquals(3, d.seg);
    }

    @Test
    void segmentOverridesOtherThanFsGsAreIgnored() {
        decode(0x26, 0x8B, 0x00);
        assertEquals(DecodedInsn.NO_SEG, d.segOverride);
        decode(0x64, 0x8B, 0x00);
        assertEquals(4, d.segOverride);
        assertEquals(4, d.seg);
    }

    @Test
    void opcodesInvalidIn64BitModeAreFlagged() {
        for (int op : new int[]{0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x62,
                0xCE, 0xD4, 0xD5}) {
            decode(op, 0x00, 0x00);
            assertTrue(d.invalid64, Integer.toHexString(op));
        }
        decode(0xEA, 0, 0, 0, 0, 0, 0);
        assertTrue(d.invalid64);
        decode(0x48, 0x63, 0xC1); // movsxd rax, ecx replaces ARPL
        assertFalse(d.invalid64);
        assertEquals(0x63, d.op);
        assertTrue(d.o64);
    }

    @Test
    void byteRegistersNeedAnyRexForSplBplSilDil() {
        decode(0x88, 0xE0); // mov al, ah
        assertFalse(d.byteRegsUniform());
        decode(0x40, 0x88, 0xE0); // mov al, spl
        assertTrue(d.byteRegsUniform());
        assertEquals(4, d.regX());
    }

    @Test
    void instructionLengthsAgreeWithGnuAssembler() {
        String[] insns = {
                "mov %r8, %rax", "movabs $0x1122334455667788, %r9", "mov 0x12345678(%rip), %r10", "lea -8(%rip), %rax",
                "mov (%r12,%r13,8), %r14d", "mov 0x10(%r13), %al", "mov %sil, %dil", "push %r15", "pop %rbx",
                "pushw $0x1234", "push $0x12345678", "call .+0x100", "jmp .-0x80", "jne .+0x1000", "ret", "ret $8",
                "movslq %ecx, %rax", "add $0x12345678, %rax", "addq $-1, (%rax,%rbx,4)", "imul $0x1000, %r8, %r9",
                "test $0x12345678, %r11", "testb $1, 0x100(%rip)", "shl $3, %r12", "cqto", "cltq", "cmpxchg16b (%rdi)",
                "movabs 0x1122334455667788, %rax", "mov 0x12345678, %eax", "addr32 mov (%eax), %ecx", "mov %ax, (%rbx)",
                "lock xadd %r8, (%rsi)", "rep movsq", "mov %fs:0x28, %rax", "mov %cr3, %rax", "mov %rax, %cr4",
                "enter $0x10, $0", "leave", "jmp *%rax", "call *0x10(%rip)", "movzbl %r8b, %eax", "bswap %r10",
                "xchg %rax, %r8", "mov $1, %r8w", "incl (%r9)", "setne %r10b", "cmovz %rax, %rdx", "bt $63, %rax",
        };
        byte[] code = GuestAsm.assemble64(".code64\n" + String.join("\n", insns), 0x1000);
        int pos = 0;
        for (String insn : insns) {
            final int at = pos;
            Decoder64.decode(i -> code[at + i] & 0xFF, d);
            assertTrue(d.length > 0, insn);
            assertFalse(d.invalid64, insn);
            pos += d.length;
            assertTrue(pos <= code.length, insn);
        }
        assertEquals(code.length, pos, "sum of decoded lengths");
    }
}
