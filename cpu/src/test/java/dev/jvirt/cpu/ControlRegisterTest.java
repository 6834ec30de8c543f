package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** MOV to CR4 (SDM Vol. 2B MOV—Move to/from Control Registers, Vol. 3A 2.5): only reserved bits fault. */
class ControlRegisterTest {
    @Test
    void cr4ReservedBitRaisesGp() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    lidt idtr
                    mov $0x1000, %eax
                    mov %eax, %cr4
                    hlt
                    idtr: .word 0
                          .long 0
                    """);
            m.runToHalt(1000);
            assertEquals(13, m.cpu.lastException(), "bit 12 (LA57) is reserved on this 32-bit CPU model");
        }
    }

    @Test
    void cr4PceIsAcceptedOnAP6FamilyCpu() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    mov %cr4, %eax
                    or $0x100, %eax
                    mov %eax, %cr4
                    mov %cr4, %eax
                    mov %eax, 0x3000
                    hlt
                    """);
            m.runToHalt(1000);
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x100, m.mem32(0x3000));
        }
    }
}
