package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SSE4 and the counting instructions through the real executors: F3 0F BC/BD are TZCNT/LZCNT only with
 * BMI1/ABM and BSF/BSR otherwise (SDM Vol. 2 LZCNT, TZCNT), and REX.W PEXTRQ/PINSRQ reach XMM8-15.
 */
class Sse4ExecutorTest {
    private static final String COUNTS = """
            mov $0x10, %ecx
            mov $0x5555, %eax
            lzcnt %ecx, %eax
            mov %eax, 0x3000
            xor %ecx, %ecx
            mov $0x5555, %eax
            tzcnt %ecx, %eax
            mov %eax, 0x3004
            pushf
            popl 0x3008
            popcnt 0x3000, %edx
            mov %edx, 0x300c
            hlt
            """;

    @Test
    void lzcntWithAbmAndTzcntWithoutBmi1() {
        try (TestMachine m = new TestMachine()) {
            m.cpu.setCpuModel(CpuModels.DEFAULT.with(CpuFeature.ABM, true).with(CpuFeature.POPCNT, true));
            m.flat32(COUNTS);
            m.runToHalt(1000);
            assertEquals(27, m.mem32(0x3000), "LZCNT of 10H in 32 bits");
            assertEquals(0x5555, m.mem32(0x3004), "without BMI1, TZCNT is BSF: a zero source leaves the destination");
            assertEquals(CpuState.FLAG_ZF, m.mem32(0x3008) & CpuState.FLAG_ZF, "BSF of zero sets ZF");
            assertEquals(Long.bitCount(27), m.mem32(0x300c));
        }
    }

    @Test
    void bsrAndTzcntWithoutAbmButWithBmi1() {
        try (TestMachine m = new TestMachine()) {
            m.cpu.setCpuModel(CpuModels.DEFAULT.with(CpuFeature.BMI1, true).with(CpuFeature.POPCNT, true));
            m.flat32(COUNTS);
            m.runToHalt(1000);
            assertEquals(4, m.mem32(0x3000), "without ABM, LZCNT is BSR");
            assertEquals(32, m.mem32(0x3004), "TZCNT of zero is the operand size");
            assertEquals(CpuState.FLAG_CF, m.mem32(0x3008) & (CpuState.FLAG_CF | CpuState.FLAG_ZF), "CF for a zero source");
        }
    }

    @Test
    void rexWideExtractAndInsertReachUpperXmmRegisters() {
        try (TestMachine m = TestMachine.run64(CpuModels.DEFAULT.with(CpuFeature.LM, true).with(CpuFeature.SSE4_1, true)
                .with(CpuFeature.SSE4_2, true), false, TestMachine.longModeEntry(0x200, "", "") + """
                    movabs $0x1122334455667788, %rax
                    pinsrq $1, %rax, %xmm9
                    movabs $0x99AABBCCDDEEFF00, %r8
                    pinsrq $0, %r8, %xmm9
                    pextrq $1, %xmm9, %r10
                    mov %r10, 0x3000
                    pextrq $0, %xmm9, 0x3008
                    pinsrd $3, %r8d, %xmm15
                    pextrd $3, %xmm15, %r11d
                    mov %r11, 0x3010
                    movq $-1, %r12
                    pextrb $9, %xmm9, %r12
                    mov %r12, 0x3018
                    mov $0xFFFFFFFF, %r13d
                    crc32q %r10, %r13
                    not %r13d
                    mov %r13, 0x3020
                    hlt
                    """, 10_000)) {
            assertEquals(0x1122334455667788L, m.memory.read(0x3000, 8));
            assertEquals(0x99AABBCCDDEEFF00L, m.memory.read(0x3008, 8));
            assertEquals(0xDDEEFF00L, m.memory.read(0x3010, 8), "PEXTRD zero-extends into R11");
            assertEquals(0x77L, m.memory.read(0x3018, 8), "PEXTRB zero-extends into the whole register");
            java.util.zip.CRC32C ref = new java.util.zip.CRC32C();
            ref.update(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11});
            // java.util.zip.CRC32C starts from all ones and inverts the result; the guest did both by hand.
            assertEquals(ref.getValue(), m.memory.read(0x3020, 8));
        }
    }
}
