package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Stores into code already executed (and so already decoded) take effect at the next execution: on
 * P6-family processors even a store to the very next instruction is seen (SDM Vol. 3A 11.6).
 */
class SelfModifyingCodeTest {
    @Test
    void patchingTheNextInstructionTakesEffectAtOnce() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    xor %eax, %eax
                    xor %ecx, %ecx
                    loop:
                    cmp $1, %ecx
                    jne next
                    movb $0x40, next      # second pass: the NOP below becomes INC EAX
                    next:
                    nop
                    inc %ecx
                    cmp $3, %ecx
                    jne loop
                    mov %eax, 0x3000
                    hlt
                    """);
            m.runToHalt(1000);
            assertEquals(2, m.mem32(0x3000), "INC EAX ran on the second and third pass, not the first");
        }
    }

    @Test
    void patchedImmediateIsUsedOnTheNextPass() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    xor %ebx, %ebx
                    xor %ecx, %ecx
                    again:
                    patch:
                    mov $1, %eax
                    add %eax, %ebx
                    movl $0x100, patch+1
                    inc %ecx
                    cmp $2, %ecx
                    jne again
                    mov %ebx, 0x3000
                    hlt
                    """);
            m.runToHalt(1000);
            assertEquals(0x101, m.mem32(0x3000));
        }
    }

    @Test
    void patchingTheTailOfALongInstructionIsSeen() {
        try (TestMachine m = new TestMachine()) {
            // MOVL $imm32, disp32 is 10 bytes; the patched byte is the immediate's last, past the first 8.
            m.flat32("""
                    xor %ecx, %ecx
                    again:
                    patch:
                    movl $0x11111111, 0x3000
                    mov 0x3000, %eax
                    mov %eax, 0x3004(,%ecx,4)
                    movb $0x77, patch+9
                    inc %ecx
                    cmp $2, %ecx
                    jne again
                    hlt
                    """);
            m.runToHalt(1000);
            assertEquals(0x11111111L, m.mem32(0x3004));
            assertEquals(0x77111111L, m.mem32(0x3008));
        }
    }

    @Test
    void sameBytesDecodeAgainAfterTheCodeSegmentSizeChanges() {
        try (TestMachine m = new TestMachine()) {
            // B8 imm: MOV EAX, imm32 in a 32-bit segment; in a 16-bit one MOV AX, imm16 then two more bytes.
            m.ram.load(0x1000, new byte[] {(byte) 0xB8, 0x34, 0x12, (byte) 0x90, (byte) 0x90, (byte) 0xF4});
            CpuState s = m.state;
            s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
            s.cs.setFlat(0x08, true);
            for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS}) s.seg[sr].setFlat(0x10, false);
            s.gpr[CpuState.RSP] = 0x9000;
            s.rip = 0x1000;
            m.cpu.stateChanged();
            m.runToHalt(100);
            assertEquals(0x90901234L, s.gpr[CpuState.RAX]);
            s.halted = false;
            s.cs.db = false;
            s.rip = 0x1000;
            s.gpr[CpuState.RAX] = 0;
            m.cpu.stateChanged();
            m.cpu.run(1);
            assertEquals(0x1234L, s.gpr[CpuState.RAX]);
            assertEquals(0x1003L, s.rip, "a 16-bit MOV AX, imm16 is 3 bytes long");
        }
    }
}
