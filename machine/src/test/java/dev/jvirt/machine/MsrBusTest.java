package dev.jvirt.machine;

import dev.jvirt.accel.interp.InterpProvider;
import dev.jvirt.accel.interp.InterpVCpu;
import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.devices.apic.ApicBus;
import dev.jvirt.devices.apic.LocalApic;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RDMSR/WRMSR of the local APIC's MSRs (SDM Vol. 3A 11.4.4, 11.12) reach the board's LocalApic; others #GP. */
class MsrBusTest {
    private static final int CODE = 0x7C00, GP_HANDLER = 0x500;

    private final GuestRam ram = GuestRam.allocate(1 << 20);
    private final AddressSpace memory = new AddressSpace(ram);
    private final CpuState state = new CpuState();
    private final X86Cpu cpu;
    private final LocalApic apic = new LocalApic(new ApicBus(), VirtualClock.deterministic(0), 3, true, LocalApic.Signals.NONE);

    MsrBusTest() {
        memory.addRam("ram", 0, 1 << 20, 0, 0);
        cpu = new X86Cpu(state, memory, new PortSpace());
        apic.reset();
        cpu.setCpuModel(CpuModels.get("max"));
        cpu.setMsrDevice(new LapicMsrs(apic));
    }

    @AfterEach
    void close() { ram.close(); }

    /** A real-mode program builder: each step is mov ecx/eax/edx, imm32 then RDMSR or WRMSR. */
    private static final class Program {
        final ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);

        Program wrmsr(int msr, long value) {
            mov(0xB9, msr).mov(0xB8, (int) value).mov(0xBA, (int) (value >>> 32));
            b.put((byte) 0x0F).put((byte) 0x30);
            return this;
        }

        Program rdmsr(int msr) {
            mov(0xB9, msr);
            b.put((byte) 0x0F).put((byte) 0x32);
            return this;
        }

        private Program mov(int op, int imm) {
            b.put((byte) 0x66).put((byte) op).putInt(imm);
            return this;
        }

        byte[] bytes() {
            b.put((byte) 0xF4); // hlt
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    /** Runs the program at 0:7C00 in real mode (CPL 0); #GP goes through IVT vector 13 to a HLT at 0:0500. */
    private void run(Program p) {
        ram.load(CODE, p.bytes());
        ram.load(GP_HANDLER, new byte[] {(byte) 0xF4});
        ram.load(13 * 4, new byte[] {(byte) GP_HANDLER, (byte) (GP_HANDLER >> 8), 0, 0});
        state.cs.loadReal(0);
        state.ss.loadReal(0);
        state.gpr[CpuState.RSP] = 0x7000;
        state.rip = CODE;
        state.halted = false;
        cpu.stateChanged();
        for (int i = 0; i < 100 && !state.halted; i++) cpu.run(100);
        assertTrue(state.halted);
    }

    private boolean tookGp() { return state.rip == GP_HANDLER + 1; }

    private long edxEax() { return (state.gpr[CpuState.RDX] & 0xFFFF_FFFFL) << 32 | (state.gpr[CpuState.RAX] & 0xFFFF_FFFFL); }

    @Test
    void apicBaseReadsAndWritesTheLocalApic() {
        run(new Program().rdmsr(0x1B));
        assertFalse(tookGp());
        assertEquals(0xFEE0_0000L | LocalApic.APIC_BASE_EN | LocalApic.APIC_BASE_BSP, edxEax());

        run(new Program().wrmsr(0x1B, 0xFEE0_0000L | LocalApic.APIC_BASE_EN | LocalApic.APIC_BASE_EXTD));
        assertFalse(tookGp());
        assertTrue(apic.x2apic(), "the write reached the board's APIC");
        assertEquals(apic.apicBase(), state.apicBase, "CpuState carries IA32_APIC_BASE to other backends");
    }

    @Test
    void x2apicRegistersAreMsrsInX2apicMode() {
        run(new Program().wrmsr(0x1B, 0xFEE0_0000L | LocalApic.APIC_BASE_EN | LocalApic.APIC_BASE_EXTD)
                .wrmsr(0x808, 0x20)   // TPR
                .rdmsr(0x802));       // x2APIC ID: the full 32-bit ID in bits 31:0
        assertFalse(tookGp());
        assertEquals(3, edxEax());
        assertEquals(0x20, apic.tpr());
        run(new Program().rdmsr(0x803));
        assertEquals(LocalApic.VERSION, edxEax() & 0xFF_00FF);
    }

    @Test
    void x2apicMsrsFaultInXapicMode() {
        run(new Program().rdmsr(0x802));
        assertTrue(tookGp(), "SDM 11.12.1.2: x2APIC MSRs #GP unless x2APIC mode is on");
        run(new Program().wrmsr(0x808, 0x20));
        assertTrue(tookGp());
        assertEquals(0, apic.tpr());
    }

    @Test
    void illegalApicBaseTransitionsFault() {
        // SDM 11.12.5: x2APIC to xAPIC directly is illegal.
        run(new Program().wrmsr(0x1B, 0xFEE0_0000L | LocalApic.APIC_BASE_EN | LocalApic.APIC_BASE_EXTD)
                .wrmsr(0x1B, 0xFEE0_0000L | LocalApic.APIC_BASE_EN));
        assertTrue(tookGp());
        assertTrue(apic.x2apic());
    }

    @Test
    void unknownMsrsFault() {
        run(new Program().rdmsr(0x1234_5678));
        assertTrue(tookGp());
        cpu.setCpuModel(CpuModels.get("qemu32"));
        run(new Program().wrmsr(0xC000_0100, 1)); // FS.base: no long mode in this CPU
        assertTrue(tookGp());
        run(new Program().rdmsr(0x174)); // the CPU's own MSRs still work next to the bus
        assertFalse(tookGp());
    }

    @Test
    void thePcBoardRoutesVcpu0sMsrsToItsLocalApic() {
        MachineConfig cfg = MachineConfig.from(Options.parse(new String[] {"-accel", "interp", "-cpu", "max"}), false);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PcMachine m = new PcMachine(cfg, new InterpProvider(), new PrintStream(sink), new PrintStream(sink))) {
            X86Cpu c = ((InterpVCpu) m.vcpu()).cpu();
            assertEquals("max", c.cpuModel().name());
            assertTrue(c.effectiveCpuModel().has(CpuFeature.APIC));
            assertTrue(c.effectiveCpuModel().has(CpuFeature.X2APIC));
            Program p = new Program().wrmsr(0x1B, 0xFEE0_0000L | LocalApic.APIC_BASE_EN | LocalApic.APIC_BASE_EXTD).rdmsr(0x803);
            m.ram.load(CODE, p.bytes());
            CpuState s = c.s;
            s.cs.loadReal(0);
            s.rip = CODE;
            s.halted = false;
            c.stateChanged();
            for (int i = 0; i < 100 && !s.halted; i++) c.run(100);
            assertTrue(s.halted);
            assertEquals(LocalApic.VERSION, s.gpr[CpuState.RAX] & 0xFF_00FF, "the x2APIC version register of the board's APIC");
        }
    }

    private static final long X2APIC_ON = 0xFEE0_0000L | LocalApic.APIC_BASE_EN | LocalApic.APIC_BASE_EXTD;

    @Test
    void x2apicModeNeedsTheModelsX2apicFeature() {
        cpu.setCpuModel(CpuModels.get("qemu64"));
        run(new Program().wrmsr(0x1B, X2APIC_ON));
        assertTrue(tookGp(), "qemu64 has no x2APIC: EXTD is reserved");
        assertFalse(apic.x2apic());
        cpu.setCpuModel(CpuModels.parse("qemu64,+x2apic"));
        run(new Program().wrmsr(0x1B, X2APIC_ON));
        assertFalse(tookGp());
        assertTrue(apic.x2apic());
    }

    @Test
    void readOnlyWriteOnlyAndReservedX2apicRegistersFault() {
        run(new Program().wrmsr(0x1B, X2APIC_ON));
        // SDM Vol. 3A Table 11-6: ID, version, ISR/TMR/IRR, LDR and the current count are read-only;
        // EOI and SELF IPI write-only; DFR, APR, PPR's neighbour RRD and ICR high do not exist as MSRs.
        for (int msr : new int[] {0x802, 0x803, 0x80A, 0x80D, 0x810, 0x818, 0x820, 0x839}) {
            run(new Program().wrmsr(msr, 0));
            assertTrue(tookGp(), "WRMSR " + Integer.toHexString(msr));
        }
        for (int msr : new int[] {0x80B, 0x83F, 0x80E, 0x809, 0x831, 0x804, 0x840, 0x8FF}) {
            run(new Program().rdmsr(msr));
            assertTrue(tookGp(), "RDMSR " + Integer.toHexString(msr));
        }
        run(new Program().wrmsr(0x80B, 1));
        assertTrue(tookGp(), "EOI takes only 0");
        run(new Program().wrmsr(0x808, 1L << 32));
        assertTrue(tookGp(), "bits 63:32 of a 32-bit register are reserved");
        run(new Program().wrmsr(0x83F, 0x100));
        assertTrue(tookGp(), "SELF IPI: vector only");
        run(new Program().rdmsr(0x80A)); // PPR reads fine
        assertFalse(tookGp());
    }

    @Test
    void icrIsOne64BitMsrAndSelfIpiRaisesTheVector() {
        run(new Program().wrmsr(0x1B, X2APIC_ON)
                .wrmsr(0x80F, 0x1FF)                   // SVR: software-enabled
                .wrmsr(0x830, 3L << 32 | 0x41)         // fixed, physical, destination APIC ID 3 in bits 63:32
                .rdmsr(0x830));
        assertFalse(tookGp());
        assertEquals(3L << 32 | 0x41, edxEax() & ~(1L << 12), "destination in EDX, command in EAX");
        assertTrue(apic.intrPending());
        assertEquals(0x41, apic.acknowledge());
        run(new Program().wrmsr(0x83F, 0x52));
        assertFalse(tookGp());
        assertTrue(apic.intrPending());
        assertEquals(0x52, apic.acknowledge());
    }
}
