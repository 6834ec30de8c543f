package dev.jvirt.accel.kvm;

import dev.jvirt.accel.Accelerator;
import dev.jvirt.accel.AcceleratorException;
import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static dev.jvirt.accel.kvm.KvmLayouts.KVM_TRANSLATION;
import static dev.jvirt.accel.kvm.KvmLayouts.field;

/**
 * One KVM virtual machine: memory slots following the address map, the TSS and identity-map pages
 * where QEMU puts them, the CPUID table, and the vCPUs. Without an in-kernel irqchip nothing wakes a
 * vCPU that runs without exits, so a "kvm-kick" thread kicks it when a timer falls due or its INTR
 * pin is raised while it did not ask for an interrupt window.
 */
final class KvmAccelerator implements Accelerator {
    private static final System.Logger LOG = System.getLogger(KvmAccelerator.class.getName());
    /** Below the 4 GiB BIOS area, as QEMU places them (target/i386/kvm/kvm.c). */
    static final long TSS_ADDR = 0xFEFF_D000L, IDENTITY_MAP_ADDR = 0xFEFF_C000L;
    private static final long KICK_POLL_NS = 10_000_000;
    private static final VarHandle TR_LINEAR = field(KVM_TRANSLATION, "linear_address"),
            TR_PHYS = field(KVM_TRANSLATION, "physical_address"), TR_VALID = field(KVM_TRANSLATION, "valid");

    private final MachineResources machine;
    private final KvmFd system;
    private final KvmFd vm;
    private final KvmMemorySlots slots;
    private final KvmCpuid cpuid;
    private final long runSize;
    private final List<KvmVCpu> vcpus = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private Thread kicker;

    KvmAccelerator(MachineResources machine) {
        this.machine = machine;
        KvmProbe.Result probe = KvmProbe.check();
        if (!probe.probe().usable()) throw new AcceleratorException(probe.probe().reason());
        system = KvmFd.openSystem();
        try {
            vm = new KvmFd(system.ioctlOrThrow("KVM_CREATE_VM", KvmApi.CREATE_VM, 0));
            vm.ioctlOrThrow("KVM_SET_TSS_ADDR", KvmApi.SET_TSS_ADDR, TSS_ADDR);
            try (Arena a = Arena.ofConfined()) {
                vm.ioctlOrThrow("KVM_SET_IDENTITY_MAP_ADDR", KvmApi.SET_IDENTITY_MAP_ADDR, a.allocateFrom(ValueLayout.JAVA_LONG, IDENTITY_MAP_ADDR));
            }
            int maxSlots = system.extension(KvmApi.CAP_NR_MEMSLOTS);
            slots = new KvmMemorySlots(vm, machine.memory(), probe.readonlyMem(), maxSlots > 0 ? maxSlots : 32);
            slots.sync();
            machine.memory().addListener(slots::sync);
            cpuid = KvmCpuid.supported(system);
            for (String d : cpuid.dropped()) LOG.log(System.Logger.Level.INFO, "KVM: guest CPUID drops {0}", d);
            runSize = system.ioctlOrThrow("KVM_GET_VCPU_MMAP_SIZE", KvmApi.GET_VCPU_MMAP_SIZE, 0);
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    MachineResources machine() { return machine; }

    KvmCpuid cpuid() { return cpuid; }

    KvmMemorySlots slots() { return slots; }

    @Override
    public String name() { return "kvm"; }

    @Override
    public synchronized VCpu createVcpu(int index) {
        if (closed) throw new IllegalStateException("KVM accelerator closed");
        KvmFd fd = new KvmFd(vm.ioctlOrThrow("KVM_CREATE_VCPU " + index, KvmApi.CREATE_VCPU, index));
        try {
            cpuid.applyTo(fd, index, machine.vcpus());
            KvmVCpu v = new KvmVCpu(this, index, fd, runSize, machine);
            vcpus.add(v);
            if (kicker == null) {
                kicker = Thread.ofPlatform().daemon().name("kvm-kick").start(this::kickLoop);
            }
            return v;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Guest-physical address of a linear address as the vCPU's paging maps it (KVM_TRANSLATE), or -1.
     */
    long translate(KvmFd vcpu, long linear, boolean paging) {
        if (!paging) return linear & 0xFFFF_FFFFL;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(KVM_TRANSLATION);
            TR_LINEAR.set(t, 0L, linear);
            if (vcpu.ioctl(KvmApi.TRANSLATE, t) < 0 || (byte) TR_VALID.get(t, 0L) == 0) return -1;
            return (long) TR_PHYS.get(t, 0L);
        }
    }

    private void kickLoop() {
        var clock = machine.clock();
        while (!closed) {
            long deadline = clock.nextDeadline();
            boolean timerDue = deadline <= clock.nanos();
            for (KvmVCpu v : vcpus) {
                if (!v.inRun) continue;
                boolean pending = false;
                if (!v.windowRequested) {
                    synchronized (machine.ioLock()) { pending = machine.interrupts().apply(v.index()).intrPending(); }
                }
                if (pending || timerDue) {
                    v.kick();
                    timerDue = false; // one vCPU running the timers is enough
                }
            }
            long now = clock.nanos();
            long wait = deadline == Long.MAX_VALUE ? KICK_POLL_NS : Math.clamp(deadline - now, 100_000, KICK_POLL_NS);
            LockSupport.parkNanos(wait);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (kicker != null) LockSupport.unpark(kicker);
        for (KvmVCpu v : vcpus) v.close();
        slots.close();
        vm.close();
        system.close();
    }
}
