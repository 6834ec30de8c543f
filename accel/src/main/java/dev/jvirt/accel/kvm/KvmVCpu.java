package dev.jvirt.accel.kvm;

import dev.jvirt.accel.AcceleratorException;
import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.PortSpace;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

import static dev.jvirt.accel.kvm.KvmApi.*;

/**
 * One KVM vCPU, run on the calling thread. Without an in-kernel irqchip the INTR pin is sampled
 * here: a pending vector is injected with KVM_INTERRUPT when kvm_run says the guest can take it,
 * otherwise an interrupt window is requested. HLT exits to userspace and is waited out here.
 */
final class KvmVCpu implements VCpu {
    /** How often a halted vCPU looks at its INTR pin; devices have no way to wake it directly. */
    private static final long HALT_POLL_NS = 1_000_000;
    private static final int CODE_BYTES = 16;

    private final KvmAccelerator vm;
    private final int index;
    private final KvmFd fd;
    private final Arena arena = Arena.ofShared();
    private final KvmRun run;
    private final long runSize;
    private final KvmStateCodec codec;
    private final MemorySegment interrupt;
    private final AddressSpace memory;
    private final PortSpace ports;
    private final VirtualClock clock;
    private final InterruptSource intr;
    private final Object ioLock;

    private volatile boolean stopRequested;
    /** HLT executed and no interrupt taken since; part of the architectural state. */
    private boolean halted;
    /** pthread_t of the thread inside {@link #run()}, 0 when none; guarded by {@code this}. */
    private long runningThread;
    private Thread runningJavaThread;
    /** The last entry asked KVM for an interrupt window, so a pending INTR will exit by itself. */
    volatile boolean windowRequested;
    volatile boolean inRun;
    private boolean closed;

    KvmVCpu(KvmAccelerator vm, int index, KvmFd fd, long runSize, MachineResources machine) {
        this.vm = vm;
        this.index = index;
        this.fd = fd;
        this.runSize = runSize;
        this.run = new KvmRun(fd.map(runSize));
        this.codec = new KvmStateCodec(fd, arena);
        this.interrupt = arena.allocate(KvmLayouts.KVM_INTERRUPT);
        this.memory = machine.memory();
        this.ports = machine.ports();
        this.clock = machine.clock();
        this.intr = machine.interrupts().apply(index);
        this.ioLock = machine.ioLock();
        KickSignal.number();
    }

    @Override
    public int index() { return index; }

    @Override
    public Exit run() {
        KickSignal.unblockOnCurrentThread();
        synchronized (this) {
            if (runningThread != 0) throw new IllegalStateException("vCPU " + index + " is already running");
            runningThread = Libc.pthreadSelf();
            runningJavaThread = Thread.currentThread();
        }
        inRun = true;
        try {
            return loop();
        } finally {
            inRun = false;
            synchronized (this) {
                runningThread = 0;
                runningJavaThread = null;
                notifyAll();
            }
        }
    }

    private Exit loop() {
        while (true) {
            if (stopRequested) {
                stopRequested = false;
                run.immediateExit(false);
                return Exit.of(Exit.Kind.STOPPED);
            }
            if (halted && !waitForInterrupt()) continue;
            injectInterrupts();
            int rc = fd.ioctl(RUN, 0);
            windowRequested = false;
            if (rc >= 0) {
                Exit exit = handleExit();
                if (exit != null) return exit;
            } else if (rc != -Libc.EINTR && rc != -Libc.EAGAIN) {
                return error("KVM_RUN failed: " + Libc.strerror(-rc));
            }
            // Also after a kick (-EINTR): the kvm-kick thread kicks precisely because a timer fell due.
            if (clock.nextDeadline() <= clock.nanos()) {
                synchronized (ioLock) { clock.runDue(); }
            }
        }
    }

    private Exit handleExit() {
        int reason = run.exitReason();
        switch (reason) {
            case EXIT_IO -> { return io(); }
            case EXIT_MMIO -> mmio();
            case EXIT_HLT -> {
                halted = true;
                if (!run.ifFlag()) return new Exit(Exit.Kind.HALTED_FOREVER, "HLT with interrupts disabled" + where());
            }
            case EXIT_IRQ_WINDOW_OPEN, EXIT_INTR -> { }
            case EXIT_SHUTDOWN -> { return new Exit(Exit.Kind.SHUTDOWN, "triple fault (KVM_EXIT_SHUTDOWN)" + where()); }
            case EXIT_SYSTEM_EVENT -> { return systemEvent(); }
            case EXIT_INTERNAL_ERROR -> {
                StringBuilder m = new StringBuilder("KVM_EXIT_INTERNAL_ERROR (").append(internalErrorName(run.internalSuberror())).append(")");
                int n = Math.min(run.internalNdata(), 16);
                for (int i = 0; i < n && i < 4; i++) m.append(i == 0 ? " data " : " ").append(Long.toHexString(run.internalData(i)));
                return error(m.toString());
            }
            case EXIT_FAIL_ENTRY -> {
                return error(String.format("KVM_EXIT_FAIL_ENTRY (hardware entry failure reason %#x on cpu %d)",
                        run.failEntryReason(), run.failEntryCpu()));
            }
            default -> { return error("unexpected " + exitName(reason)); }
        }
        return null;
    }

    private Exit io() {
        int size = run.ioSize();
        long count = run.ioCount();
        long data = run.ioDataOffset();
        if ((size != 1 && size != 2 && size != 4) || data < 0 || count < 0 || data + size * count > runSize) {
            return error(String.format("malformed KVM_EXIT_IO (size %d, count %d, data offset %#x)", size, count, data));
        }
        int port = run.ioPort();
        MemorySegment seg = run.seg;
        synchronized (ioLock) {
            if (run.ioDirection() == EXIT_IO_OUT) {
                for (long i = 0; i < count; i++) ports.write(port, size, getLe(seg, data + i * size, size));
            } else {
                for (long i = 0; i < count; i++) putLe(seg, data + i * size, size, ports.read(port, size));
            }
        }
        return null;
    }

    private void mmio() {
        long addr = run.mmioPhys();
        int len = Math.min(Math.max(run.mmioLen(), 0), 8);
        MemorySegment seg = run.seg;
        long at = KvmRun.MMIO_DATA;
        synchronized (ioLock) {
            if (run.mmioIsWrite()) {
                long v = getLe(seg, at, len);
                if (len == 1 || len == 2 || len == 4 || len == 8) memory.write(addr, len, v);
                else for (int b = 0; b < len; b++) memory.writeByte(addr + b, (int) (v >>> (8 * b)));
            } else {
                long v;
                if (len == 1 || len == 2 || len == 4 || len == 8) v = memory.read(addr, len);
                else {
                    v = 0;
                    for (int b = 0; b < len; b++) v |= (long) memory.readByte(addr + b) << (8 * b);
                }
                putLe(seg, at, len, v);
            }
        }
    }

    private Exit systemEvent() {
        int type = run.systemEventType();
        return switch (type) {
            case SYSTEM_EVENT_SHUTDOWN -> new Exit(Exit.Kind.SHUTDOWN, "KVM_SYSTEM_EVENT_SHUTDOWN");
            case SYSTEM_EVENT_RESET -> {
                vm.machine().control().requestReset();
                yield Exit.of(Exit.Kind.STOPPED);
            }
            default -> error("KVM_EXIT_SYSTEM_EVENT type " + type);
        };
    }

    private static long getLe(MemorySegment seg, long at, int size) {
        long v = 0;
        for (int b = 0; b < size; b++) v |= (seg.get(ValueLayout.JAVA_BYTE, at + b) & 0xFFL) << (8 * b);
        return v;
    }

    private static void putLe(MemorySegment seg, long at, int size, long v) {
        for (int b = 0; b < size; b++) seg.set(ValueLayout.JAVA_BYTE, at + b, (byte) (v >>> (8 * b)));
    }

    /** Samples NMI and INTR before entering the guest. */
    private void injectInterrupts() {
        boolean window = false;
        synchronized (ioLock) {
            if (intr.takeNmi()) fd.ioctlOrThrow("KVM_NMI", NMI, 0);
            if (intr.intrPending()) {
                if (run.readyForInjection() && run.ifFlag()) {
                    interrupt.set(ValueLayout.JAVA_INT, 0, intr.acknowledge() & 0xFF);
                    fd.ioctlOrThrow("KVM_INTERRUPT", INTERRUPT, interrupt);
                } else {
                    window = true;
                }
            }
        }
        run.requestInterruptWindow(window);
        windowRequested = window;
    }

    /**
     * Waits in HLT until INTR or NMI is pending or a stop is requested; runs due timers meanwhile.
     * Returns whether the vCPU may enter the guest (false: look at the stop request first).
     */
    private boolean waitForInterrupt() {
        while (!stopRequested) {
            boolean wake;
            synchronized (ioLock) {
                clock.runDue();
                wake = intr.intrPending();
                if (intr.takeNmi()) {
                    fd.ioctlOrThrow("KVM_NMI", NMI, 0);
                    wake = true;
                }
            }
            if (wake) {
                halted = false;
                return true;
            }
            long deadline = clock.nextDeadline();
            if (clock.deterministic() && deadline != Long.MAX_VALUE) {
                clock.skipTo(deadline);
                continue;
            }
            long wait = deadline == Long.MAX_VALUE ? HALT_POLL_NS : Math.min(HALT_POLL_NS, deadline - clock.nanos());
            if (wait > 0) LockSupport.parkNanos(this, wait);
        }
        return false;
    }

    @Override
    public void requestStop() {
        stopRequested = true;
        synchronized (this) {
            if (closed) return; // kvm_run is unmapped
            run.immediateExit(true);
            kick();
        }
    }

    /** Forces the vCPU out of KVM_RUN (if it is in it) without stopping it: it re-samples timers and INTR. */
    @Override
    public void kick() {
        synchronized (this) {
            if (closed || runningJavaThread == Thread.currentThread()) return;
            if (runningThread != 0) Libc.pthreadKill(runningThread, KickSignal.number());
            if (runningJavaThread != null) LockSupport.unpark(runningJavaThread);
        }
    }

    @Override
    public void getState(CpuState into) {
        checkIdle();
        codec.get(into);
        into.halted = halted;
    }

    @Override
    public void setState(CpuState from) {
        checkIdle();
        codec.set(from);
        halted = from.halted;
    }

    private synchronized void checkIdle() {
        if (runningThread != 0) throw new IllegalStateException("vCPU " + index + " state accessed while it runs");
    }

    private String where() {
        try {
            long[] c = codec.csRipCr0();
            return String.format(" at CS:RIP %04x:%08x", c[0], c[2]);
        } catch (AcceleratorException e) {
            return "";
        }
    }

    /** An ERROR exit naming the reason, CS:RIP and the code bytes there. */
    private Exit error(String reason) {
        String at;
        try {
            long[] c = codec.csRipCr0();
            long linear = c[1] + c[2];
            StringBuilder bytes = new StringBuilder();
            synchronized (ioLock) {
                for (int i = 0; i < CODE_BYTES; i++) {
                    long phys = vm.translate(fd, linear + i, (c[3] & CpuState.CR0_PG) != 0);
                    if (phys < 0) {
                        bytes.append(" ??");
                        break;
                    }
                    bytes.append(String.format(" %02x", memory.readByte(phys)));
                }
            }
            at = String.format(" at CS:RIP %04x:%08x (linear %#x), code bytes:%s", c[0], c[2], linear, bytes);
        } catch (AcceleratorException e) {
            at = " (registers unavailable: " + e.getMessage() + ")";
        }
        return new Exit(Exit.Kind.ERROR, reason + at);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        // kvm_run must stay mapped while run() may still touch it: stop the vCPU and wait for it.
        boolean interrupted = false;
        while (runningThread != 0) {
            requestStop();
            try {
                wait(100);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        closed = true;
        Libc.munmap(run.seg.address(), runSize);
        fd.close();
        arena.close();
    }
}
