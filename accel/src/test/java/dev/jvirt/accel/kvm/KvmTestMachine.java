package dev.jvirt.accel.kvm;

import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.Assumptions;

/** A bare machine (RAM, ports, no devices) on KVM for tiny hand-assembled guests. */
final class KvmTestMachine implements AutoCloseable {
    static final long RAM_SIZE = 2 << 20;
    static final int CODE = 0x1000;

    final GuestRam ram = GuestRam.allocate(RAM_SIZE);
    final AddressSpace space = new AddressSpace(ram);
    final PortSpace ports = new PortSpace();
    final MachineResources resources;
    final KvmAccelerator accel;
    final VCpu vcpu;

    KvmTestMachine() {
        this(VirtualClock.realtime(), i -> InterruptSource.NONE);
    }

    KvmTestMachine(VirtualClock clock, java.util.function.IntFunction<InterruptSource> interrupts) {
        PcMemoryLayout.forRamSize(RAM_SIZE).map(space);
        resources = new MachineResources(space, ports, clock, interrupts, MachineControl.NONE, new Object());
        accel = (KvmAccelerator) new KvmProvider().create(resources);
        vcpu = accel.createVcpu(0);
    }

    /** Skips the calling test, saying why, when this host cannot run KVM guests. */
    static void assumeKvm() {
        var probe = new KvmProvider().probe();
        if (!probe.usable()) System.out.println("KVM test skipped: " + probe.reason());
        Assumptions.assumeTrue(probe.usable(), probe.reason());
    }

    /** Loads {@code code} at 0x1000 and points a real-mode CPU (CS=0, SS:SP=0:0x8000) at it. */
    CpuState startRealMode(byte[] code) {
        ram.load(CODE, code);
        CpuState s = new CpuState();
        s.cs.loadReal(0);
        s.rip = CODE;
        s.ss.loadReal(0);
        s.gpr[CpuState.RSP] = 0x8000;
        vcpu.setState(s);
        return s;
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    @Override
    public void close() {
        accel.close();
        ram.close();
    }
}
