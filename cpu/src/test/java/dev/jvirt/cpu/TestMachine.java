package dev.jvirt.cpu;

import dev.jvirt.cpu.x87.X87;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PortSpace;

/** 2 MiB of RAM, a port space and one interpreter, for guest-program tests. */
final class TestMachine implements AutoCloseable {
    static final int RAM = 2 << 20;

    /**
     * Guest prologue for flat 32-bit tests: a {@code gate VEC, HANDLER} macro that fills a ring-0
     * interrupt gate (SDM Vol. 3A Figure 6-2), then LGDT/LIDT of {@link #FLAT_TABLES}.
     */
    static final String GATE_PROLOGUE = """
            .macro gate vec, handler
              mov $\\handler, %eax
              mov %ax, idt + \\vec*8
              shr $16, %eax
              mov %ax, idt + \\vec*8 + 6
              movw $0x08, idt + \\vec*8 + 2
              movw $0x8E00, idt + \\vec*8 + 4
            .endm
            lgdt gdtr
            lidt idtr
            """;

    /** A flat code (0x08) and data (0x10) GDT and a 32-entry IDT, for {@link #GATE_PROLOGUE}. */
    static final String FLAT_TABLES = """
            .align 8
            gdt: .quad 0
                 .quad 0x00CF9A000000FFFF
                 .quad 0x00CF92000000FFFF
            gdtr: .word gdtr - gdt - 1
                  .long gdt
            .align 8
            idt: .fill 32, 8, 0
            idtr: .word 32*8 - 1
                  .long idt
            """;

    /**
     * Fills the ring-0 interrupt gate {@code vec} of {@link #FLAT_TABLES}' IDT with {@code handler}, as the
     * {@code gate} macro of {@link #GATE_PROLOGUE} does.
     */
    static String gate(int vec, String handler) {
        return """
                mov $%2$s, %%eax
                mov %%ax, idt + %1$d*8
                shr $16, %%eax
                mov %%ax, idt + %1$d*8 + 6
                movw $0x08, idt + %1$d*8 + 2
                movw $0x8E00, idt + %1$d*8 + 4
                """.formatted(vec, handler);
    }

    /**
     * Sets CR4.PAE (with {@code cr4Bits}), CR3 = 0x10000 and EFER.LME: IA-32e mode then waits for CR0.PG
     * (SDM Vol. 3A 10.8.5).
     */
    static String paeCr3Lme(int cr4Bits) {
        return """
                mov %%cr4, %%eax
                or $0x%X, %%eax
                mov %%eax, %%cr4
                mov $0x10000, %%eax
                mov %%eax, %%cr3
                mov $0xC0000080, %%ecx
                rdmsr
                or $0x100, %%eax
                wrmsr
                """.formatted(0x20 | cr4Bits);
    }

    /** Sets CR0.PG. */
    static final String PAGING_ON = """
            mov %cr0, %eax
            or $0x80000000, %eax
            mov %eax, %cr0
            """;

    /** {@link #longModeEntry(int, String, String)} with no CR4 bit but PAE. */
    static String longModeEntry(String prelude32, String extraGdtQuads) {
        return longModeEntry(0, prelude32, extraGdtQuads);
    }

    /**
     * A 32-bit loader into 64-bit mode, for {@link #long64}: loads an empty IDTR and the GDT, identity-maps the
     * first 2 MiB with one 2 MiB page (PML4 at 0x10000, PDPT at 0x11000, PD at 0x12000), {@link #paeCr3Lme}
     * with {@code cr4Bits}, {@link #PAGING_ON}, runs {@code prelude32} (in compatibility mode) and far-jumps to
     * {@code start64} through CS 0x18 (L=1). The GDT holds null, 0x08 32-bit code, 0x10 data, 0x18 64-bit
     * code, then {@code extraGdtQuads} (".quad" lines from 0x20 on, or empty). What follows the returned text
     * is 64-bit code at {@code start64}.
     */
    static String longModeEntry(int cr4Bits, String prelude32, String extraGdtQuads) {
        return """
                .code32
                lidt idtr
                lgdt gdtr
                movl $0x11007, 0x10000
                movl $0x12007, 0x11000
                movl $0x87, 0x12000
                """ + paeCr3Lme(cr4Bits) + PAGING_ON + prelude32 + """

                ljmp $0x18, $start64
                .p2align 3
                gdt: .quad 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF, 0x00AF9A000000FFFF
                """ + extraGdtQuads + """

                gdtr: .word gdtr - gdt - 1
                      .long gdt
                idtr: .word 0
                      .long 0
                .code64
                start64:
                """;
    }

    final GuestRam ram = GuestRam.allocate(RAM);
    final AddressSpace memory = new AddressSpace(ram);
    final PortSpace ports = new PortSpace();
    final CpuState state = new CpuState();
    final X86Cpu cpu;

    TestMachine() {
        memory.addRam("ram", 0, RAM, 0, 0);
        cpu = new X86Cpu(state, memory, ports);
    }

    /** Loads a real-mode program at 0000:7C00 and points CS:IP at it. */
    TestMachine realMode(String asm) {
        byte[] code = GuestAsm.assemble(".code16\n" + asm, 0x7C00);
        ram.load(0x7C00, code);
        state.cs.loadReal(0);
        state.rip = 0x7C00;
        state.ss.loadReal(0);
        state.gpr[CpuState.RSP] = 0x7000;
        state.idtBase = 0;
        state.idtLimit = 0x3FF;
        cpu.stateChanged();
        return this;
    }

    /** Loads a 32-bit program at 0x100000 and enters it as a multiboot loader does (flat segments, paging off). */
    TestMachine flat32(String asm) {
        byte[] code = GuestAsm.assemble(".code32\n" + asm, 0x100000);
        ram.load(0x100000, code);
        state.gpr[CpuState.RAX] = 0x2BADB002L;
        return enterFlat();
    }

    /**
     * Loads a program that starts with {@link #longModeEntry} at 0x100000 (assembled as 64-bit code) and enters
     * its 32-bit loader with flat segments, paging off and RSP = 0x90000.
     */
    TestMachine long64(String asm) {
        byte[] code = GuestAsm.assemble64(asm, 0x100000);
        ram.load(0x100000, code);
        return enterFlat();
    }

    /** Flat 32-bit protected mode (CS 0x08, data 0x10), paging off, at 0x100000 with RSP = 0x90000. */
    private TestMachine enterFlat() {
        state.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        state.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS, CpuState.FS, CpuState.GS}) state.seg[sr].setFlat(0x10, false);
        state.rip = 0x100000;
        state.gpr[CpuState.RSP] = 0x90000;
        state.rflags = 2;
        cpu.stateChanged();
        return this;
    }

    /**
     * A machine with {@code model} (and an x87 unit if {@code x87}) that has run {@code asm} (see
     * {@link #long64}) with a HLT appended, until HLT or {@code limit} instructions.
     */
    static TestMachine run64(CpuModel model, boolean x87, String asm, long limit) {
        TestMachine m = new TestMachine();
        m.cpu.setCpuModel(model);
        if (x87) m.cpu.setFpu(new X87(m.state));
        m.long64(asm + "\nhlt\n");
        m.runToHalt(limit);
        return m;
    }

    /** Runs until HLT (or a limit); returns the instruction count. */
    long runToHalt(long limit) {
        long n = 0;
        while (!state.halted && n < limit) n += cpu.run(10_000);
        return n;
    }

    long mem32(long addr) { return memory.read(addr, 4); }

    @Override
    public void close() { ram.close(); }
}
