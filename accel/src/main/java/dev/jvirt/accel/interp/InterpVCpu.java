package dev.jvirt.accel.interp;

import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.cpu.x87.FpuUnit;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.A20Gate;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * One interpreted vCPU: runs instruction batches, keeps virtual time, samples INTR/NMI between
 * instructions and waits out HLT.
 */
public final class InterpVCpu implements VCpu {
    private static final System.Logger LOG = System.getLogger(InterpVCpu.class.getName());
    /** Instructions per batch: bounds the latency of timers, interrupts and stop requests. */
    static final int BATCH = 2000;
    /** Longest park in HLT before re-sampling INTR (devices on other threads raise it without waking us). */
    private static final long MAX_PARK_NS = 1_000_000;

    private final int index;
    private final MachineResources machine;
    private final CpuState state = new CpuState();
    private final X86Cpu cpu;
    private final InterruptSource irq;
    private final VirtualClock clock;
    private final Object lock;
    private volatile boolean stopRequested;
    private volatile Thread runner;

    InterpVCpu(int index, MachineResources machine, A20Gate a20, Function<CpuState, FpuUnit> fpuFactory) {
        this.index = index;
        this.machine = machine;
        this.cpu = new X86Cpu(state, machine.memory(), machine.ports());
        this.lock = machine.ioLock();
        this.cpu.setIoLock(lock);
        if (a20 != null) cpu.setA20(a20);
        if (fpuFactory != null) cpu.setFpu(fpuFactory.apply(state));
        this.irq = machine.interrupts().apply(index);
        this.clock = machine.clock();
        VirtualClock c = this.clock;
        cpu.setTscClock(c::nanos);
    }

    @Override
    public int index() { return index; }

    /** The interpreter itself (for tests and the debugger). */
    public X86Cpu cpu() { return cpu; }

    @Override
    public Exit run() {
        runner = Thread.currentThread();
        try {
            return loop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "interpreter failure", e);
            return new Exit(Exit.Kind.ERROR, String.format("interpreter failure at %04x:%08x (code %s): %s",
                    state.cs.selector, state.rip, codeBytes(), e));
        } finally {
            runner = null;
        }
    }

    /** The bytes at CS:EIP (physical, paging ignored), for error messages. */
    private String codeBytes() {
        StringBuilder b = new StringBuilder();
        long at = (state.cs.base + state.rip) & 0xFFFF_FFFFL;
        synchronized (lock) {
            for (int i = 0; i < 16; i++) b.append(String.format("%02x", machine.memory().readByte(at + i)));
        }
        return b.toString();
    }

    private Exit loop() {
        while (true) {
            if (stopRequested) {
                stopRequested = false;
                return Exit.of(Exit.Kind.STOPPED);
            }
            if (cpu.shutdown()) {
                cpu.clearShutdown();
                state.halted = false;
                return new Exit(Exit.Kind.SHUTDOWN, "triple fault");
            }
            sampleInterrupts();
            if (state.halted) {
                if ((state.rflags & CpuState.FLAG_IF) == 0 && !state.nmiPending) {
                    return new Exit(Exit.Kind.HALTED_FOREVER,
                            String.format("HLT with interrupts disabled at %04x:%08x", state.cs.selector, state.rip));
                }
                waitInHalt();
                continue;
            }
            int n = cpu.run(BATCH);
            clock.advanceInstructions(n);
            fireTimers();
        }
    }

    private void fireTimers() {
        if (clock.nanos() >= clock.nextDeadline()) {
            synchronized (lock) {
                clock.runDue();
            }
        }
    }

    private void sampleInterrupts() {
        if (!state.nmiBlocked && !state.interruptShadow) {
            boolean nmi;
            synchronized (lock) {
                nmi = irq.takeNmi();
            }
            if (nmi) state.nmiPending = true;
            if (state.nmiPending) {
                state.nmiPending = false;
                state.nmiBlocked = true;
                cpu.externalInterrupt(2);
                return;
            }
        }
        if (cpu.interruptsEnabled()) {
            int vector = -1;
            synchronized (lock) {
                if (irq.intrPending()) vector = irq.acknowledge() & 0xFF;
            }
            if (vector >= 0) cpu.externalInterrupt(vector);
        }
    }

    private void waitInHalt() {
        long deadline = clock.nextDeadline();
        if (clock.deterministic()) {
            if (deadline != Long.MAX_VALUE) {
                clock.skipTo(deadline);
            } else {
                LockSupport.parkNanos(MAX_PARK_NS); // only another thread can raise an interrupt now
            }
        } else {
            long wait = deadline == Long.MAX_VALUE ? MAX_PARK_NS : Math.min(MAX_PARK_NS, deadline - clock.nanos());
            if (wait > 0 && !stopRequested) LockSupport.parkNanos(wait);
        }
        fireTimers();
    }

    @Override
    public void requestStop() {
        stopRequested = true;
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
    }

    @Override
    public void kick() {
        Thread t = runner;
        if (t != null && t != Thread.currentThread()) LockSupport.unpark(t);
    }

    @Override
    public void getState(CpuState into) {
        cpu.syncStateTsc();
        into.copyFrom(state);
    }

    @Override
    public void setState(CpuState from) {
        state.copyFrom(from);
        cpu.loadStateTsc();
        cpu.stateChanged();
    }

    @Override
    public String debugSample() {
        CpuState s = state;
        return String.format("cs:rip=%04x:%x rsp=%x rflags=%x cr3=%x halted=%b", s.cs.selector, s.rip, s.gpr[CpuState.RSP], s.rflags,
                s.cr3, s.halted);
    }
}
