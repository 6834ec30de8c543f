package dev.jvirt.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever bytes a guest executes, the CPU answers architecturally and never throws out of its loop. */
class UntrustedGuestTest {
    @Test
    void randomCodeInEveryModeNeverEscapesTheInterpreter() {
        Random rnd = new Random(1234);
        try (TestMachine m = new TestMachine()) {
            byte[] junk = new byte[TestMachine.RAM];
            for (int round = 0; round < 150; round++) {
                rnd.nextBytes(junk);
                m.ram.load(0, junk);
                m.state.reset();
                switch (round % 3) {
                    case 0 -> { // real mode
                        m.state.cs.loadReal(rnd.nextInt(0x10000));
                        m.state.rip = rnd.nextInt(0x10000);
                    }
                    case 1 -> { // flat protected mode with random tables
                        m.state.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
                        m.state.cs.setFlat(8, true);
                        for (int sr : new int[] {0, 2, 3, 4, 5}) m.state.seg[sr].setFlat(16, false);
                        m.state.rip = rnd.nextInt(TestMachine.RAM);
                        m.state.gdtBase = rnd.nextInt(TestMachine.RAM);
                        m.state.idtBase = rnd.nextInt(TestMachine.RAM);
                    }
                    default -> { // paging on, random page tables
                        m.state.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_PG;
                        m.state.cr3 = rnd.nextInt(TestMachine.RAM) & ~0xFFF;
                        m.state.cr4 = rnd.nextBoolean() ? 0x20 : 0x10;
                        m.state.cs.setFlat(8, true);
                        for (int sr : new int[] {0, 2, 3, 4, 5}) m.state.seg[sr].setFlat(16, false);
                        m.state.rip = rnd.nextLong() & 0xFFFF_FFFFL;
                        m.state.idtBase = rnd.nextInt(TestMachine.RAM);
                    }
                }
                for (int r = 0; r < 8; r++) m.state.gpr[r] = rnd.nextLong() & 0xFFFF_FFFFL;
                m.state.rflags = 2 | (rnd.nextInt() & 0xCD5);
                m.cpu.stateChanged();
                m.cpu.clearShutdown();
                for (int k = 0; k < 200 && !m.state.halted; k++) m.cpu.run(50);
                assertTrue(m.state.halted || !m.cpu.shutdown());
                assertEquals(0, m.state.gpr[0] >>> 32, "registers stay 32-bit");
            }
        }
    }
}
