package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entering and leaving IA-32e mode (SDM Vol. 3A 10.8.5): EFER.LMA follows EFER.LME when CR0.PG is set
 * with CR4.PAE, 32-bit code keeps running in compatibility mode under 4-level paging, and the illegal
 * transitions raise #GP(0).
 */
class LongModeSwitchTest {
    /** Identity-maps the first 2 MiB with a 2 MiB page and linear 1 GiB with a 1 GiB page to physical 0. */
    private static final String TABLES = """
            lidt idtr
            movl $0x11003, 0x10000
            movl $0x12003, 0x11000
            movl $0x83, 0x11008
            movl $0x83, 0x12000
            """;
    private static final String PAE_CR3_LME = TestMachine.paeCr3Lme(0);
    private static final String PAGING_ON = TestMachine.PAGING_ON;
    private static final String IDTR = """
            hlt
            idtr: .word 0
                  .long 0
            """;

    private static TestMachine longModeCpu(String asm) {
        TestMachine m = new TestMachine();
        m.cpu.setCpuModel(CpuModels.DEFAULT.with(CpuFeature.LM, true));
        m.flat32(asm);
        m.runToHalt(10_000);
        return m;
    }

    @Test
    void pagingWithLmeActivatesCompatibilityModeThatRuns32BitCode() {
        try (TestMachine m = longModeCpu(TABLES + PAE_CR3_LME + PAGING_ON + """
                rdmsr
                mov %eax, 0x3000
                mov $7, %ebx
                add $5, %ebx
                mov %ebx, 0x3004
                mov 0x40003000, %eax
                mov %eax, 0x3008
                """ + IDTR)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x500, m.mem32(0x3000), "EFER.LME and LMA");
            assertTrue(m.state.longMode());
            assertEquals(12, m.mem32(0x3004), "32-bit code runs in compatibility mode");
            assertEquals(0x500, m.mem32(0x3008), "linear 0x4000_3000 through the 1 GiB page");
            assertEquals(0x20, m.mem32(0x10000) & 0x20, "the walk went through the PML4 (accessed bit)");
        }
    }

    @Test
    void leavingLongModeFromCompatibilityModeClearsLma() {
        try (TestMachine m = longModeCpu(TABLES + PAE_CR3_LME + PAGING_ON + """
                mov %cr0, %eax
                and $0x7FFFFFFF, %eax
                mov %eax, %cr0
                rdmsr
                mov %eax, 0x3000
                """ + IDTR)) {
            assertEquals(-1, m.cpu.lastException());
            assertEquals(0x100, m.mem32(0x3000), "LME stays, LMA clears with CR0.PG");
        }
    }

    @Test
    void pagingWithLmeButWithoutPaeIsGp() {
        try (TestMachine m = longModeCpu(TABLES + """
                mov $0x10000, %eax
                mov %eax, %cr3
                mov $0xC0000080, %ecx
                rdmsr
                or $0x100, %eax
                wrmsr
                """ + PAGING_ON + "movl $1, 0x3000\n" + IDTR)) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.mem32(0x3000));
            assertEquals(0, m.state.efer & LongMode.EFER_LMA);
        }
    }

    @Test
    void changingLmeWhilePagingIsOnIsGp() {
        try (TestMachine m = longModeCpu(TABLES + PAE_CR3_LME + PAGING_ON + """
                rdmsr
                and $~0x100, %eax
                wrmsr
                movl $1, 0x3000
                """ + IDTR)) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.mem32(0x3000));
        }
    }

    @Test
    void clearingPaeInLongModeIsGp() {
        try (TestMachine m = longModeCpu(TABLES + PAE_CR3_LME + PAGING_ON + """
                mov %cr4, %eax
                and $~0x20, %eax
                mov %eax, %cr4
                movl $1, 0x3000
                """ + IDTR)) {
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.mem32(0x3000));
        }
    }

    @Test
    void lmeIsReservedOnAModelWithoutLongMode() {
        try (TestMachine m = new TestMachine()) {
            m.cpu.setCpuModel(CpuModels.get("qemu32"));
            m.flat32(TABLES + PAE_CR3_LME + "movl $1, 0x3000\n" + IDTR);
            m.runToHalt(10_000);
            assertEquals(13, m.cpu.lastException());
            assertEquals(0, m.mem32(0x3000));
        }
    }
}
