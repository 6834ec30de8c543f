package dev.jvirt.cpu;

import dev.jvirt.cpu.x87.FpuUnit;
import dev.jvirt.cpu.x87.X87Env;
import dev.jvirt.cpu.x87.X87Memory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CPU's side of x87 instructions: #NM, pending #MF, operand access, FCOMI flags (SDM Vol. 1 8.7, Vol. 3A 2.5). */
class FpuDispatchTest {
    /** Records each call; FCOMI (DB F0+i) answers ZF|CF; reads a memory operand's first dword. */
    static final class RecordingFpu implements FpuUnit {
        final List<String> calls = new ArrayList<>();
        boolean pending;
        long operand = -1;

        @Override
        public long execute(int opcode, int modrm, X87Memory mem, X87Env env) {
            calls.add(Integer.toHexString(opcode) + "/" + Integer.toHexString(modrm));
            if (mem != null) operand = mem.read(0, 4);
            if (opcode == 0xDB && (modrm & 0xF8) == 0xF0) return CpuState.FLAG_ZF | CpuState.FLAG_CF;
            return NO_FLAGS;
        }

        @Override public boolean exceptionPending() { return pending; }
        @Override public void fxsave(X87Memory mem, X87Env env) { mem.write(0, 2, 0x37F); }
        @Override public void fxrstor(X87Memory mem, X87Env env) { }
        @Override public boolean fxrstorMxcsrValid(X87Memory mem) { return true; }
    }

    private static final String IDT = TestMachine.GATE_PROLOGUE + """
            gate 7, h7
            gate 16, h16
            """;
    private static final String TABLES = """
            h7: movl $7, 0x3000
            hlt
            h16: movl $16, 0x3000
            hlt
            """ + TestMachine.FLAT_TABLES;

    @Test
    void operandAndComparisonFlagsPassThrough() {
        try (TestMachine m = new TestMachine()) {
            RecordingFpu fpu = new RecordingFpu();
            m.cpu.setFpu(fpu);
            m.flat32(IDT + """
                    movl $0x40490FDB, 0x2000
                    flds 0x2000
                    mov $0xFFFFFFFF, %eax
                    add $1, %eax
                    fcomi %st(1), %st
                    pushf
                    popl 0x3004
                    fxsave 0x2100
                    hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(List.of("d9/5", "db/f1"), fpu.calls);
            assertEquals(0x40490FDBL, fpu.operand);
            long fl = m.mem32(0x3004);
            assertEquals(CpuState.FLAG_ZF | CpuState.FLAG_CF, fl & (CpuState.FLAG_ZF | CpuState.FLAG_CF | CpuState.FLAG_PF));
            assertEquals(0, fl & (CpuState.FLAG_AF | CpuState.FLAG_SF | CpuState.FLAG_OF), "FCOMI clears OF, SF, AF");
            assertEquals(0x37F, m.memory.read(0x2100, 2), "FXSAVE wrote through the operand view");
        }
    }

    @Test
    void taskSwitchedRaisesDeviceNotAvailable() {
        try (TestMachine m = new TestMachine()) {
            RecordingFpu fpu = new RecordingFpu();
            m.cpu.setFpu(fpu);
            m.flat32(IDT + """
                    mov %cr0, %eax
                    or $8, %eax
                    mov %eax, %cr0
                    fninit
                    hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(7, m.mem32(0x3000));
            assertEquals(List.of(), fpu.calls);
        }
    }

    @Test
    void pendingExceptionRaisesMathFaultOnWaitingInstructionsOnly() {
        try (TestMachine m = new TestMachine()) {
            RecordingFpu fpu = new RecordingFpu();
            fpu.pending = true;
            m.cpu.setFpu(fpu);
            m.flat32(IDT + """
                    mov %cr0, %eax
                    or $0x20, %eax
                    mov %eax, %cr0
                    fnstsw %ax
                    fnclex
                    fadd %st(1), %st
                    hlt
                    """ + TABLES);
            m.runToHalt(10_000);
            assertEquals(16, m.mem32(0x3000));
            assertEquals(List.of("df/e0", "db/e2"), fpu.calls, "no-wait forms run, FADD faults first");
        }
    }
}
