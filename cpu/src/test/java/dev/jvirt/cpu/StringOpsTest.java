package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** REP string instructions: counts, direction, termination conditions (SDM Vol. 2 REP/REPE/REPNE). */
class StringOpsTest {
    @Test
    void repMovsStosScasCmpsBehaveAsSpecified() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    cld
                    mov $src, %esi
                    mov $0x4000, %edi
                    mov $12, %ecx
                    rep movsb
                    mov %ecx, 0x3000
                    mov %edi, 0x3004
                    std
                    mov $0xABCD, %ax
                    mov $0x5006, %edi
                    mov $4, %ecx
                    rep stosw
                    mov %edi, 0x3008
                    cld
                    mov $0x4000, %edi
                    mov $'W', %al
                    mov $100, %ecx
                    repne scasb
                    mov %ecx, 0x300c
                    mov %edi, 0x3010
                    mov $src, %esi
                    mov $other, %edi
                    mov $12, %ecx
                    repe cmpsb
                    mov %ecx, 0x3014
                    pushf
                    pop %eax
                    mov %eax, 0x3018
                    xor %ecx, %ecx
                    rep stosb
                    hlt
                    src: .ascii "Hello, World"
                    other: .ascii "Hello, Wxrld"
                    """);
            m.runToHalt(10_000);
            byte[] copied = new byte[12];
            m.memory.readBytes(0x4000, copied, 0, 12);
            assertEquals("Hello, World", new String(copied));
            assertEquals(0, m.mem32(0x3000));
            assertEquals(0x400C, m.mem32(0x3004));
            assertEquals(0x5006 - 8, m.mem32(0x3008), "DF=1 stores downwards");
            for (int i = 0; i < 4; i++) assertEquals(0xABCD, m.memory.read(0x5000 + 2 * i, 2));
            assertEquals(0x4008, m.mem32(0x3010), "EDI one past the match");
            assertEquals(100 - 8, m.mem32(0x300c));
            assertEquals(12 - 9, m.mem32(0x3014), "stops after the first mismatch");
            assertEquals(0, m.mem32(0x3018) & CpuState.FLAG_ZF);
        }
    }

    @Test
    void longRepMovsIsInterruptibleAndCompletes() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    mov $0x200000 - 0x40000, %edi
                    mov $0x11, %al
                    mov $0x30000, %ecx
                    rep stosb
                    hlt
                    """);
            int batches = 0;
            while (!m.state.halted && batches < 10_000) {
                m.cpu.run(1);
                batches++;
            }
            assertEquals(0, m.state.gpr[CpuState.RCX]);
            assertEquals(0x11, m.memory.readByte(0x200000 - 0x40000 + 0x2FFFF));
            assertEquals(true, batches > 10, "a long REP yields to the run loop between chunks");
        }
    }
}
