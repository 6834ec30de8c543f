package dev.jvirt.machine;

import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.devices.apic.LocalApic;

/**
 * One vCPU's host thread and its multiprocessor state, the part of the MP initialization protocol
 * (Intel SDM Vol. 3A 9.4, 11.6.1) that is the processor's rather than its local APIC's: an INIT puts
 * an application processor into wait-for-SIPI (the bootstrap processor restarts at the reset
 * vector), and the first start-up IPI after it starts the AP in real mode at CS = vector << 8,
 * IP = 0; further SIPIs are ignored. The same protocol serves every backend, because a backend
 * without an in-kernel local APIC (KVM without an irqchip, the interpreter) cannot hold a vCPU in
 * wait-for-SIPI itself: such a vCPU simply does not run.
 *
 * <p>The states follow KVM's {@code KVM_MP_STATE_*}: a vCPU that halted with interrupts disabled is
 * HALTED until an interrupt request (an NMI may end it) or an INIT.
 */
final class VCpuRunner implements LocalApic.Signals {
    enum MpState { RUNNABLE, INIT_RECEIVED, HALTED }

    /** What the machine learns from its vCPUs. */
    interface Events {
        /** The vCPU halted for good or waits for SIPI (called without locks held): the machine may have nothing left to run. */
        void idle();

        /** The vCPU cannot go on ({@link VCpu.Exit.Kind#SHUTDOWN} or {@link VCpu.Exit.Kind#ERROR}). */
        void ended(VCpuRunner runner, VCpu.Exit exit);
    }

    private final int index;
    private final int resetSignature;
    private final Events events;
    private volatile VCpu vcpu;

    // Guarded by this.
    private MpState state;
    private boolean initPending;
    /** INIT was accepted and no SIPI has started the AP since: the one SIPI that counts may come. */
    private boolean awaitingSipi;
    private int sipiVector = -1;
    /** An interrupt request arrived since the vCPU last entered run(): a halt it reports may already be over. */
    private boolean interruptSignalled;
    private boolean stopping;
    private Thread thread;

    VCpuRunner(int index, int resetSignature, Events events) {
        this.index = index;
        this.resetSignature = resetSignature;
        this.events = events;
        powerOn();
    }

    int index() { return index; }

    VCpu vcpu() { return vcpu; }

    void setVcpu(VCpu v) { this.vcpu = v; }

    /** After RESET the BSP runs; the APs wait for SIPI (SDM 9.4.1). */
    synchronized void powerOn() {
        initPending = false;
        sipiVector = -1;
        interruptSignalled = false;
        awaitingSipi = index != 0;
        state = index == 0 ? MpState.RUNNABLE : MpState.INIT_RECEIVED;
    }

    synchronized MpState state() { return state; }

    /** Whether the vCPU runs or is about to (a signal it has not taken yet will make it run). */
    synchronized boolean mayRun() {
        return state == MpState.RUNNABLE || initPending || (state == MpState.INIT_RECEIVED && sipiVector >= 0);
    }

    // ---- LocalApic.Signals, called by any thread with the machine's I/O lock held ----------------------

    @Override
    public void interruptRequest() {
        synchronized (this) {
            interruptSignalled = true;
            if (state == MpState.HALTED) {
                state = MpState.RUNNABLE;
                notifyAll();
            }
        }
        VCpu v = vcpu;
        if (v != null) v.kick();
    }

    @Override
    public void init() {
        synchronized (this) {
            initPending = true;
            awaitingSipi = index != 0;
            sipiVector = -1;
            notifyAll();
        }
        VCpu v = vcpu;
        if (v != null) v.requestStop();
    }

    @Override
    public void startup(int vector) {
        synchronized (this) {
            if (!awaitingSipi || sipiVector >= 0) return;
            sipiVector = vector & 0xFF;
            notifyAll();
        }
    }

    // ---- the thread -----------------------------------------------------------------------------------

    synchronized void start() {
        stopping = false;
        thread = Thread.ofPlatform().name("jvirt-vcpu-" + index).start(
                () -> ScopedValue.where(LapicWindow.CURRENT_VCPU, index).run(this::loop));
    }

    /** Ends the thread soon: its vCPU leaves run() and it does not enter it again. */
    void stop() {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        VCpu v = vcpu;
        if (v != null) v.requestStop();
    }

    void join() throws InterruptedException {
        Thread t;
        synchronized (this) { t = thread; }
        if (t != null) t.join();
    }

    private void loop() {
        while (true) {
            CpuState restart;
            boolean idle;
            synchronized (this) {
                if (stopping) return;
                restart = takeInitAndSipi();
                idle = restart == null && state != MpState.RUNNABLE;
                if (!idle) interruptSignalled = false;
            }
            if (restart != null) {
                vcpu.setState(restart);
                continue;
            }
            if (idle) {
                events.idle();
                synchronized (this) {
                    try {
                        while (!stopping && !mayRun()) wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            VCpu.Exit exit = vcpu.run();
            switch (exit.kind()) {
                case STOPPED -> { }
                case HALTED_FOREVER -> {
                    synchronized (this) {
                        if (!interruptSignalled && !initPending) state = MpState.HALTED;
                    }
                }
                case SHUTDOWN, ERROR -> {
                    events.ended(this, exit);
                    return;
                }
            }
        }
    }

    /** The register state an INIT or SIPI taken now gives the vCPU, or null if there is none to take. */
    private CpuState takeInitAndSipi() {
        CpuState s = null;
        if (initPending) {
            initPending = false;
            s = new CpuState();
            s.reset(resetSignature);
            state = index == 0 ? MpState.RUNNABLE : MpState.INIT_RECEIVED;
        }
        if (state == MpState.INIT_RECEIVED && sipiVector >= 0) {
            if (s == null) {
                s = new CpuState();
                s.reset(resetSignature);
            }
            s.cs.selector = sipiVector << 8;
            s.cs.base = (long) sipiVector << 12;
            s.rip = 0;
            sipiVector = -1;
            awaitingSipi = false;
            state = MpState.RUNNABLE;
        }
        return s;
    }
}
