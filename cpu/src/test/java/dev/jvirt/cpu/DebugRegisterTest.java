package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static dev.jvirt.cpu.TestMachine.gate;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** MOV to/from DR0-DR7 (SDM Vol. 2 MOV-Debug Registers, Vol. 3A 18.2). */
class DebugRegisterTest {
    @Test
    void storeAndLoadWithFixedReservedBits() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    mov $0x12345678, %eax
                    mov %eax, %dr0
                    mov $0x9ABCDEF0, %eax
                    mov %eax, %dr3
                    mov %dr0, %ebx
                    mov %ebx, 0x3000
                    mov %dr3, %ebx
                    mov %ebx, 0x3004
                    xor %eax, %eax
                    mov %eax, %dr6
                    mov %dr6, %ebx
                    mov %ebx, 0x3008
                    mov %eax, %dr7
                    mov %dr7, %ebx
                    mov %ebx, 0x300c
                    mov $0xFFFFFFFF, %eax
                    mov %eax, %dr6
                    mov %dr6, %ebx
                    mov %ebx, 0x3010
                    mov $0x000F0003, %eax
                    mov %eax, %dr7
                    mov %dr5, %ebx
                    mov %ebx, 0x3014
                    mov %dr4, %ebx
                    mov %ebx, 0x3018
                    hlt
                    """);
            m.runToHalt(1_000);
            assertEquals(0x12345678L, m.mem32(0x3000));
            assertEquals(0x9ABCDEF0L, m.mem32(0x3004));
            assertEquals(0xFFFF0FF0L, m.mem32(0x3008), "DR6 reserved bits read as ones");
            assertEquals(0x400, m.mem32(0x300c), "DR7 bit 10 reads as one");
            assertEquals(0xFFFF0FF0L | 0xE00F, m.mem32(0x3010), "DR6 bit 12 reads as zero");
            assertEquals(0x000F0403L, m.mem32(0x3014), "DR5 aliases DR7 with CR4.DE clear");
            assertEquals(0xFFFF_EFFFL, m.mem32(0x3018), "DR4 aliases DR6 with CR4.DE clear");
        }
    }

    @Test
    void dr4IsUndefinedWithDebuggingExtensions() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("lgdt gdtr\nlidt idtr\n" + gate(6, "h6") + """
                    mov %cr4, %eax
                    or $8, %eax
                    mov %eax, %cr4
                    mov %dr7, %ebx
                    mov %ebx, 0x3004
                    mov %dr4, %ebx
                    movl $0xBAD, 0x3000
                    hlt
                    h6: movl $6, 0x3000
                    hlt
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(1_000);
            assertEquals(6, m.mem32(0x3000), "#UD");
            assertEquals(0x400, m.mem32(0x3004), "DR7 still readable");
        }
    }

    @Test
    void generalDetectFaultsBeforeTheMove() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("lgdt gdtr\nlidt idtr\n" + gate(1, "h1") + """
                    mov $0x2000, %eax
                    mov %eax, %dr7
                    mov $0x55, %eax
                    gd: mov %eax, %dr0
                    hlt
                    h1: mov (%esp), %eax
                    mov %eax, 0x3000
                    mov %dr6, %eax
                    mov %eax, 0x3004
                    mov %dr7, %eax
                    mov %eax, 0x3008
                    mov %dr0, %eax
                    mov %eax, 0x300c
                    movl $gd, 0x3010
                    hlt
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(1_000);
            assertEquals(m.mem32(0x3010), m.mem32(0x3000), "#DB is a fault: EIP of the MOV");
            assertEquals(0x2000, m.mem32(0x3004) & 0x2000, "DR6.BD");
            assertEquals(0x400, m.mem32(0x3008), "DR7.GD cleared on entry to the handler");
            assertEquals(0, m.mem32(0x300c), "DR0 not written");
        }
    }

    @Test
    void instructionBreakpointFaultsBeforeExecutionAndRfResumes() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("lgdt gdtr\nlidt idtr\n" + gate(1, "h1") + """
                    mov $bp, %eax
                    mov %eax, %dr2
                    mov $0x20, %eax
                    mov %eax, %dr7
                    movl $0, 0x3000
                    bp: incl 0x3000
                    incl 0x3000
                    mov %dr6, %eax
                    mov %eax, 0x3008
                    hlt
                    h1: incl 0x3004
                    mov (%esp), %eax
                    mov %eax, 0x300c
                    mov 0x3000, %eax
                    mov %eax, 0x3010
                    orl $0x10000, 8(%esp)
                    iret
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(1_000);
            assertEquals(1, m.mem32(0x3004), "one #DB: RF suppressed the repeat after IRET");
            assertEquals(0, m.mem32(0x3010), "fault: the instruction had not executed yet");
            assertEquals(2, m.mem32(0x3000), "the instruction ran once after the handler");
            assertEquals(0x4, m.mem32(0x3008) & 0xF, "DR6.B2");
            assertEquals(0, m.state.rflags & CpuState.FLAG_RF, "RF cleared after one instruction");
        }
    }

    @Test
    void dataBreakpointsDoNotFireOnExecution() {
        // DR0 with R/W = 01 (data write) on an instruction address is not an instruction breakpoint.
        try (TestMachine m = new TestMachine()) {
            m.flat32("lgdt gdtr\nlidt idtr\n" + gate(1, "h1") + """
                    mov $bp, %eax
                    mov %eax, %dr0
                    mov $0x10001, %eax
                    mov %eax, %dr7
                    bp: movl $1, 0x3000
                    hlt
                    h1: movl $0xDB, 0x3004
                    hlt
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(1_000);
            assertEquals(1, m.mem32(0x3000));
            assertEquals(0, m.mem32(0x3004));
        }
    }

    @Test
    void dataWriteBreakpointTrapsAfterTheWrite() {
        // DR1: write breakpoint (R/W = 01), 4 bytes (LEN = 11) at 0x3200; a byte write to 0x3203 overlaps it.
        try (TestMachine m = new TestMachine()) {
            m.flat32("lgdt gdtr\nlidt idtr\n" + gate(1, "h1") + """
                    mov $0x3200, %eax
                    mov %eax, %dr1
                    mov $0x00D00008, %eax
                    mov %eax, %dr7
                    mov 0x3200, %eax
                    movb $0x11, 0x3204
                    movb $0x22, 0x3203
                    after: nop
                    hlt
                    h1: incl 0x3004
                    mov (%esp), %eax
                    mov %eax, 0x3008
                    movzbl 0x3203, %eax
                    mov %eax, 0x300c
                    mov %dr6, %eax
                    mov %eax, 0x3010
                    movl $after, 0x3014
                    iret
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(1_000);
            assertEquals(1, m.mem32(0x3004), "only the overlapping write hit (reads and 0x3204 did not)");
            assertEquals(m.mem32(0x3014), m.mem32(0x3008), "trap: EIP after the writing instruction");
            assertEquals(0x22, m.mem32(0x300c), "the write completed before #DB");
            assertEquals(0x2, m.mem32(0x3010) & 0xF, "DR6.B1");
        }
    }

    @Test
    void dataReadWriteBreakpointHitsReads() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("lgdt gdtr\nlidt idtr\n" + gate(1, "h1") + """
                    mov $0x3300, %eax
                    mov %eax, %dr3
                    mov $0xF0000080, %eax
                    mov %eax, %dr7
                    mov 0x3302, %ax
                    hlt
                    h1: mov %dr6, %eax
                    mov %eax, 0x3010
                    hlt
                    """ + TestMachine.FLAT_TABLES);
            m.runToHalt(1_000);
            assertEquals(0x8, m.mem32(0x3010) & 0xF, "DR6.B3 for a read inside the 4-byte range");
        }
    }
}
