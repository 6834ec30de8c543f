package dev.jvirt.accel.interp;

import dev.jvirt.cpu.GuestAsm;

import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.IoHandler;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interpreter backend's run loop: exits, port I/O under the lock, timers, interrupts and HLT. */
@Timeout(120) // a broken run loop hangs; this only bounds it
class InterpVCpuTest {
    private final GuestRam ram = GuestRam.allocate(2 << 20);
    private final AddressSpace memory = new AddressSpace(ram);
    private final PortSpace ports = new PortSpace();
    private final Object ioLock = new Object();
    private final List<Long> portWrites = new ArrayList<>();
    private VirtualClock clock = VirtualClock.deterministic(0);
    private boolean intr;
    private int acks;

    private final InterruptSource pic = new InterruptSource() {
        @Override public boolean intrPending() { return intr; }
        @Override public int acknowledge() {
            intr = false;
            acks++;
            return 0x20;
        }
    };

    InterpVCpuTest() {
        memory.addRam("ram", 0, 2 << 20, 0, 0);
        ports.register(0x80, 1, new IoHandler() {
            @Override public long read(long offset, int size) { return 0x5A; }
            @Override public void write(long offset, int size, long value) {
                assertTrue(Thread.holdsLock(ioLock), "devices are called with the I/O lock held");
                portWrites.add(value);
            }
        });
    }

    @AfterEach
    void close() { ram.close(); }

    private VCpu vcpu(String asm) {
        byte[] code = GuestAsm.assemble(".code32\n" + asm + """

                .align 8
                gdt: .quad 0
                     .quad 0x00CF9A000000FFFF
                     .quad 0x00CF92000000FFFF
                gdtr: .word gdtr - gdt - 1
                      .long gdt
                .align 8
                idt: .fill 64, 8, 0
                idtr: .word 64*8 - 1
                      .long idt
                """, 0x100000);
        ram.load(0x100000, code);
        MachineResources res = new MachineResources(memory, ports, clock, i -> pic, MachineControl.NONE, ioLock);
        VCpu v = new InterpProvider().create(res).createVcpu(0);
        CpuState s = new CpuState();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS, CpuState.FS, CpuState.GS}) s.seg[sr].setFlat(0x10, false);
        s.rip = 0x100000;
        s.gpr[CpuState.RSP] = 0x90000;
        s.rflags = 2;
        v.setState(s);
        return v;
    }

    @Test
    void providerIsFoundAndAlwaysUsable() {
        AcceleratorProvider p = ServiceLoader.load(AcceleratorProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(x -> x.name().equals("interp")).findFirst().orElseThrow();
        assertTrue(p.probe().usable());
        assertTrue(p.probe().fullSpeed());
    }

    @Test
    void haltWithInterruptsDisabledEndsTheRunAndPortsSeeTheWrites() {
        VCpu v = vcpu("""
                mov $0x42, %al
                out %al, $0x80
                in $0x80, %al
                movzbl %al, %ebx
                cli
                hlt
                """);
        assertEquals(VCpu.Exit.Kind.HALTED_FOREVER, v.run().kind());
        assertEquals(List.of(0x42L), portWrites);
        CpuState s = new CpuState();
        v.getState(s);
        assertEquals(0x5A, s.gpr[CpuState.RBX]);
        assertTrue(s.halted);
    }

    @Test
    void a20GateMasksAddressBit20AndFlushesTranslations() {
        dev.jvirt.mmu.A20Gate gate = new dev.jvirt.mmu.A20Gate();
        byte[] code = GuestAsm.assemble(".code32\n" + """
                movl $0x11111111, 0x1000
                movl $0x22222222, 0x101000
                out %al, $0x80
                mov 0x101000, %ebx
                cli
                hlt
                """, 0x8000);
        ram.load(0x8000, code); // below 1 MiB: the code itself must not move when A20 is masked
        MachineResources res = new MachineResources(memory, ports, clock, i -> pic, MachineControl.NONE, ioLock);
        InterpAccelerator acc = (InterpAccelerator) new InterpProvider().create(res);
        acc.setA20Gate(gate);
        gate.set(true);
        VCpu v = acc.createVcpu(0);
        CpuState s = new CpuState();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cs.setFlat(0x08, true);
        for (int sr : new int[] {CpuState.DS, CpuState.ES, CpuState.SS}) s.seg[sr].setFlat(0x10, false);
        s.rip = 0x8000;
        s.gpr[CpuState.RSP] = 0x90000;
        v.setState(s);
        ports.unregister(0x80, 1);
        ports.register(0x80, 1, new IoHandler() {
            @Override public long read(long offset, int size) { return 0; }
            @Override public void write(long offset, int size, long value) { gate.set(false); }
        });
        assertEquals(VCpu.Exit.Kind.HALTED_FOREVER, v.run().kind());
        v.getState(s);
        assertEquals(0x11111111L, s.gpr[CpuState.RBX], "with A20 masked, 0x101000 reads 0x001000");
        assertEquals(0x22222222L, memory.read(0x101000, 4));
    }

    @Test
    void stateMovedToAFreshVcpuMidRunContinuesIdentically() {
        String program = """
                xor %ebx, %ebx
                mov $1, %esi
                mov $200, %ecx
                1: imul $31, %esi, %esi
                add %ecx, %esi
                xor %esi, %ebx
                rol $3, %ebx
                mov %cl, %al
                out %al, $0x80
                loop 1b
                pushf
                pop %edx
                cli
                hlt
                """;
        VCpu reference = vcpu(program);
        assertEquals(VCpu.Exit.Kind.HALTED_FOREVER, reference.run().kind());
        CpuState expected = new CpuState();
        reference.getState(expected);

        portWrites.clear();
        VCpu first = vcpu(program);
        ports.unregister(0x80, 1);
        ports.register(0x80, 1, new IoHandler() {
            @Override public long read(long offset, int size) { return 0; }
            @Override public void write(long offset, int size, long value) {
                portWrites.add(value);
                if (portWrites.size() == 77) first.requestStop();
            }
        });
        assertEquals(VCpu.Exit.Kind.STOPPED, first.run().kind());
        CpuState mid = new CpuState();
        first.getState(mid);
        MachineResources res = new MachineResources(memory, ports, clock, i -> pic, MachineControl.NONE, ioLock);
        VCpu second = new InterpProvider().create(res).createVcpu(0);
        second.setState(mid);
        assertEquals(VCpu.Exit.Kind.HALTED_FOREVER, second.run().kind());
        CpuState actual = new CpuState();
        second.getState(actual);
        assertEquals(expected.gpr[CpuState.RBX], actual.gpr[CpuState.RBX]);
        assertEquals(expected.gpr[CpuState.RSI], actual.gpr[CpuState.RSI]);
        assertEquals(expected.gpr[CpuState.RDX], actual.gpr[CpuState.RDX], "flags image");
        assertEquals(expected.rip, actual.rip);
        assertEquals(200, portWrites.size(), "every iteration ran exactly once across the move");
    }

    @Test
    void tripleFaultIsShutdown() {
        VCpu v = vcpu("""
                lidt bad
                int3
                bad: .word 0
                     .long 0
                """);
        assertEquals(VCpu.Exit.Kind.SHUTDOWN, v.run().kind());
    }

    @Test
    void requestStopEndsARunningGuest() throws Exception {
        VCpu v = vcpu("""
                out %al, $0x80
                1: inc %ecx
                jmp 1b
                """);
        Thread stopper = new Thread(() -> {
            while (true) {
                synchronized (ioLock) {
                    if (!portWrites.isEmpty()) break;
                }
                Thread.onSpinWait();
            }
            v.requestStop();
        });
        stopper.start();
        assertEquals(VCpu.Exit.Kind.STOPPED, v.run().kind());
        stopper.join();
        CpuState s = new CpuState();
        v.getState(s);
        assertTrue(s.gpr[CpuState.RCX] > 0, "the guest ran until stopped");
        assertEquals(VCpu.Exit.Kind.STOPPED, runAgainAfterStop(v), "a new run continues and can be stopped again");
    }

    private VCpu.Exit.Kind runAgainAfterStop(VCpu v) {
        v.requestStop();
        return v.run().kind();
    }

    @Test
    void haltedGuestIsWokenByTimerInterruptsInDeterministicTime() {
        VirtualClock.Timer[] timer = new VirtualClock.Timer[1];
        timer[0] = clock.newTimer("tick", () -> {
            intr = true;
            timer[0].arm(clock.nanos() + 1_000_000);
        });
        timer[0].arm(1_000_000);
        VCpu v = vcpu("""
                lgdt gdtr
                lidt idtr
                mov $tick, %eax
                mov %ax, idt + 0x20*8
                shr $16, %eax
                mov %ax, idt + 0x20*8 + 6
                movw $0x08, idt + 0x20*8 + 2
                movw $0x8E00, idt + 0x20*8 + 4
                xor %ebx, %ebx
                rdtsc
                mov %eax, 0x3000
                sti
                1: hlt
                cmp $3, %ebx
                jb 1b
                cli
                rdtsc
                sub 0x3000, %eax
                mov %eax, 0x3004
                hlt
                tick: inc %ebx
                iret
                """);
        assertEquals(VCpu.Exit.Kind.HALTED_FOREVER, v.run().kind());
        CpuState s = new CpuState();
        v.getState(s);
        assertEquals(3, s.gpr[CpuState.RBX]);
        assertEquals(3, acks);
        assertTrue(clock.nanos() >= 3_000_000, "idle time was skipped to each deadline");
        assertTrue(memory.read(0x3004, 4) >= 2_000_000, "the TSC counts virtual time, idle included");
    }
}
