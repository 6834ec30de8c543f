package dev.jvirt.cpu;

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
        state.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        state.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS, CpuState.FS, CpuState.GS}) state.seg[sr].setFlat(0x10, false);
        state.rip = 0x100000;
        state.gpr[CpuState.RSP] = 0x90000;
        state.gpr[CpuState.RAX] = 0x2BADB002L;
        state.rflags = 2;
        cpu.stateChanged();
        return this;
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
