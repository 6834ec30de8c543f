package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exception delivery through the IDT and IVT, with the error codes of SDM Vol. 3A chapter 6. */
class ExceptionTest {
    private static final String SETUP = TestMachine.GATE_PROLOGUE + """
            gate 0, h0
            gate 13, h13
            gate 14, h14
            """;
    private static final String TABLES = TestMachine.FLAT_TABLES;

    @Test
    void divideErrorIsAFaultThatRestartsAtTheDivide() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    xor %ecx, %ecx
                    mov $7, %eax
                    d: div %ecx
                    movl $1, 0x3008
                    hlt
                    h0: mov (%esp), %eax
                    mov %eax, 0x3000
                    addl $2, (%esp)
                    movl $0xD0, 0x3004
                    iret
                    h13: hlt
                    h14: hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            long divAddr = m.mem32(0x3000);
            assertEquals(0xD0, m.mem32(0x3004));
            assertEquals(0xF7, m.memory.readByte(divAddr), "pushed EIP points at the DIV");
            assertEquals(1, m.mem32(0x3008), "IRET resumed after skipping it");
        }
    }

    @Test
    void segmentLoadBeyondGdtLimitPushesSelectorErrorCode() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    mov $0x2B, %ax
                    mov %ax, %ds
                    hlt
                    h0: hlt
                    h13: pop %eax
                    mov %eax, 0x3010
                    hlt
                    h14: hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(0x28, m.mem32(0x3010), "error code: selector index with TI, without RPL");
        }
    }

    @Test
    void pageFaultReportsAddressAndErrorCodeAndRetries() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    mov $0x11000, %edi
                    mov $0x003, %eax
                    mov $512, %ecx
                    1: mov %eax, (%edi)
                    add $0x1000, %eax
                    add $4, %edi
                    loop 1b
                    movl $0, 0x11000 + 0x180*4
                    movl $0x11003, 0x10000
                    mov $0x10000, %eax
                    mov %eax, %cr3
                    mov %cr0, %eax
                    or $0x80000000, %eax
                    mov %eax, %cr0
                    movl $0xCAFE, 0x180123
                    mov 0x180123, %eax
                    mov %eax, 0x3028
                    hlt
                    h0: hlt
                    h13: hlt
                    h14: pop %eax
                    mov %eax, 0x3020
                    mov %cr2, %eax
                    mov %eax, 0x3024
                    movl $0x180003, 0x11000 + 0x180*4
                    iret
                    """ + TABLES);
            m.runToHalt(100_000);
            assertEquals(2, m.mem32(0x3020), "write to a not-present page in supervisor mode");
            assertEquals(0x180123, m.mem32(0x3024), "CR2");
            assertEquals(0xCAFE, m.mem32(0x3028), "the faulting store was retried");
            assertEquals(0x60, m.mem32(0x11000 + 0x180 * 4) & 0x60, "accessed and dirty bits set");
        }
    }

    @Test
    void paeNoExecutePageFaultsOnInstructionFetch() {
        try (TestMachine m = new TestMachine()) {
            m.flat32(SETUP + """
                    mov $0x12000, %edi
                    mov $0x003, %eax
                    mov $512, %ecx
                    1: mov %eax, (%edi)
                    movl $0, 4(%edi)
                    add $0x1000, %eax
                    add $8, %edi
                    loop 1b
                    movl $0x80000000, 0x12000 + 0x1F0*8 + 4
                    movb $0xC3, 0x1F0000
                    movl $0x12003, 0x11000
                    movl $0, 0x11004
                    movl $0x11001, 0x10000
                    movl $0, 0x10004
                    mov $0xC0000080, %ecx
                    rdmsr
                    or $0x800, %eax
                    wrmsr
                    mov %cr4, %eax
                    or $0x20, %eax
                    mov %eax, %cr4
                    mov $0x10000, %eax
                    mov %eax, %cr3
                    mov %cr0, %eax
                    or $0x80000000, %eax
                    mov %eax, %cr0
                    movzbl 0x1F0000, %eax
                    mov %eax, 0x302c
                    mov $0x1F0000, %eax
                    call *%eax
                    hlt
                    h0: hlt
                    h13: hlt
                    h14: pop %eax
                    mov %eax, 0x3020
                    mov %cr2, %eax
                    mov %eax, 0x3024
                    hlt
                    """ + TABLES);
            m.runToHalt(100_000);
            assertEquals(0xC3, m.mem32(0x302c), "NX pages stay readable");
            assertEquals(0x11, m.mem32(0x3020), "present + instruction fetch");
            assertEquals(0x1F0000, m.mem32(0x3024));
        }
    }

    @Test
    void realModeDivideErrorVectorsThroughTheIvt() {
        try (TestMachine m = new TestMachine()) {
            m.realMode("""
                    movw $handler, 0
                    movw $0, 2
                    mov $0, %bl
                    mov $5, %ax
                    div %bl
                    hlt
                    handler: mov %sp, %si
                    movw $0xBEEF, 0x500
                    hlt
                    """);
            m.runToHalt(1000);
            assertEquals(0xBEEF, m.memory.read(0x500, 2));
            assertEquals(0x7000 - 6, m.state.gpr[CpuState.RSP] & 0xFFFF, "FLAGS, CS, IP pushed");
            assertEquals(0, m.state.rflags & CpuState.FLAG_IF);
        }
    }

    @Test
    void faultWithoutUsableIdtEscalatesToTripleFault() {
        try (TestMachine m = new TestMachine()) {
            m.flat32("""
                    lidt idtr
                    xor %ecx, %ecx
                    div %ecx
                    hlt
                    idtr: .word 0
                          .long 0
                    """);
            m.runToHalt(1000);
            assertTrue(m.cpu.shutdown(), "#DE -> #GP on the IDT limit -> #DF -> triple fault");
        }
    }
}
