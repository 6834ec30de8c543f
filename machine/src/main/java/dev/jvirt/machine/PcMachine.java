package dev.jvirt.machine;

import dev.jvirt.accel.Accelerator;
import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.devices.Device;
import dev.jvirt.firmware.acpi.AcpiConfig;
import dev.jvirt.firmware.acpi.AcpiPlacement;
import dev.jvirt.firmware.acpi.AcpiTables;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.A20Gate;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import dev.jvirt.mmu.PortSpace;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The PC board: one guest RAM, the address map and port space, the devices, and one CPU backend
 * running {@code -smp} vCPUs, each on its own thread. {@link #run()} boots the configured guest and
 * returns the process exit status; anything that ends the run (a device request, a triple fault or
 * backend error on any vCPU, every vCPU idle, a backend switch) stops all vCPU threads first.
 */
public final class PcMachine implements AutoCloseable {
    private final MachineConfig cfg;
    private final PrintStream err;
    private final BootTimeline timeline;

    final GuestRam ram;
    final AddressSpace memory;
    final PortSpace ports = new PortSpace();
    final VirtualClock clock;
    final A20Gate a20 = new A20Gate();
    final Object ioLock = new Object();
    final PcMemoryLayout layout;
    private final Control control = new Control();
    private final List<Device> devices = new ArrayList<>();
    private final PcPlatform platform;
    private final PcDevices board;
    private final MachineResources resources;
    private volatile Accelerator accel;
    /** vCPU n and its thread; index 0 is the bootstrap processor. */
    private final List<VCpuRunner> runners = new ArrayList<>();
    private volatile AcceleratorProvider pendingSwitch;
    /** Why the vCPU threads were stopped, when a vCPU stopped them; guarded by {@code runners}. */
    private VCpuRunner endedRunner;
    private VCpu.Exit endedExit;
    private boolean allIdle;

    public PcMachine(MachineConfig cfg, AcceleratorProvider provider, PrintStream out, PrintStream err) {
        this.cfg = cfg;
        this.err = err;
        this.timeline = new BootTimeline(cfg.bootTimeline(), err);
        this.clock = cfg.icountShift() >= 0 ? VirtualClock.deterministic(cfg.icountShift()) : VirtualClock.realtime();
        this.ram = GuestRam.allocate(cfg.ramSize());
        try {
            this.memory = new AddressSpace(ram);
            this.layout = PcMemoryLayout.forRamSize(cfg.ramSize());
            layout.map(memory);
            a20.set(true);
            VCpuRunner.Events events = new RunnerEvents();
            for (int i = 0; i < cfg.vcpus(); i++) runners.add(new VCpuRunner(i, cfg.cpuModel().signature(), events));
            this.platform = new PcPlatform(this, control, cfg.hpet(), cfg.rtcBase() != null ? cfg.rtcBase() : PcPlatform.hostRtcBase(),
                    cfg.vcpus(), runners::get);
            devices.addAll(platform.devices());
            this.board = new PcDevices(this, platform.router, cfg, control, out, err, timeline);
            devices.addAll(board.all());
            MachineResources res = new MachineResources(memory, ports, clock, i -> platform.interruptsFor(i, ioLock), control, ioLock,
                    cfg.vcpus());
            this.resources = res;
            this.accel = createAccelerator(provider);
            try {
                for (VCpuRunner r : runners) r.setVcpu(accel.createVcpu(r.index()));
            } catch (RuntimeException e) {
                closeVcpus();
                accel.close();
                throw e;
            }
            warnAboutCpuModel();
        } catch (RuntimeException e) {
            ram.close();
            throw e;
        }
    }

    private Accelerator createAccelerator(AcceleratorProvider provider) {
        Accelerator a = provider.create(resources);
        if (a instanceof dev.jvirt.accel.interp.InterpAccelerator ia) {
            ia.setA20Gate(a20);
            ia.setFpuFactory(dev.jvirt.cpu.x87.X87::new);
            ia.setCpuModel(cfg.cpuModel());
            List<LapicMsrs> lapicMsrs = platform.lapics.stream().map(LapicMsrs::new).toList();
            ia.setMsrDevices(lapicMsrs::get);
        }
        // KVM without the in-kernel irqchip keeps its own MSRs and CPUID (the host's supported set, KvmCpuid).
        return a;
    }

    /** Says once what of an explicit -cpu the backend does not honour. */
    private void warnAboutCpuModel() {
        String spec = cfg.cpuSpec();
        if (spec == null) return;
        if (!(accel instanceof dev.jvirt.accel.interp.InterpAccelerator)) {
            if (!spec.equals("host") && !spec.startsWith("host,")) {
                err.println("jvirt: warning: -cpu " + spec + ": " + accel.name()
                        + " gives the guest the host's supported CPUID; the model applies to the interpreter only");
            }
        } else if (!cfg.cpuModel().leftOut().isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (dev.jvirt.cpu.CpuFeature f : cfg.cpuModel().leftOut()) b.append(' ').append(f.qemuName);
            err.println("jvirt: warning: -cpu " + spec + ": the interpreter does not implement" + b + "; CPUID leaves them out");
        }
    }

    /**
     * Moves the running guest to another backend at the next instruction boundary: the vCPU stops,
     * its architectural state goes to a vCPU of {@code provider}, and the guest continues there with
     * the same RAM and devices. Callable from any thread (a device callback, the monitor, a test).
     */
    public void requestSwitch(AcceleratorProvider provider) {
        pendingSwitch = provider;
        stopVcpus();
    }

    /** Every vCPU's state goes to a new vCPU of {@code provider}; their MP states stay with the runners. */
    private void switchBackend(AcceleratorProvider provider) {
        List<CpuState> states = new ArrayList<>();
        for (VCpuRunner r : runners) {
            CpuState s = new CpuState();
            r.vcpu().getState(s);
            states.add(s);
        }
        Accelerator next = createAccelerator(provider);
        List<VCpu> nextVcpus = new ArrayList<>();
        try {
            for (VCpuRunner r : runners) {
                VCpu v = next.createVcpu(r.index());
                nextVcpus.add(v);
                v.setState(states.get(r.index()));
            }
        } catch (RuntimeException e) {
            for (VCpu v : nextVcpus) v.close();
            next.close();
            throw e;
        }
        Accelerator oldAccel = accel;
        accel = next;
        for (VCpuRunner r : runners) {
            VCpu old = r.vcpu();
            r.setVcpu(nextVcpus.get(r.index()));
            old.close();
        }
        oldAccel.close();
    }

    /** Boots and runs the guest until it ends; returns the exit status for the jvirt process. */
    public int run() {
        board.startInput();
        while (true) {
            boot();
            int status = runUntilStop();
            if (status != REBOOT) return status;
            resetDevices();
            control.clear();
        }
    }

    private static final int REBOOT = Integer.MIN_VALUE;

    /** The RESET line: every device back to its power-on state. */
    void resetDevices() {
        synchronized (ioLock) {
            for (Device d : devices) d.reset();
            platform.reset();
        }
    }

    private void boot() {
        CpuState s = new CpuState();
        s.reset(cfg.cpuModel().signature());
        // What SeaBIOS would leave behind for the OS: the ACPI tables (RSDP in the BIOS area, where Linux scans).
        AcpiConfig acpi = AcpiConfig.pc(cfg.vcpus(), layout);
        if (!cfg.hpet()) acpi = acpi.withoutHpet();
        long rsdp = AcpiTables.install(memory, acpi, AcpiPlacement.biosArea()).rsdpAddress();
        BootLoader.load(cfg, ram, layout, rsdp, s);
        timeline.mark("loader done");
        for (VCpuRunner r : runners) {
            r.powerOn();
            if (r.index() == 0) {
                r.vcpu().setState(s);
            } else {
                CpuState ap = new CpuState();
                ap.reset(cfg.cpuModel().signature());
                r.vcpu().setState(ap);
            }
        }
    }

    /** {@code -d cpu}: where the vCPU is, once a second, on stderr (a sample, not QEMU's per-block trace). */
    private void startCpuSampler() {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                for (VCpuRunner r : runners) {
                    System.err.println("jvirt: cpu" + (runners.size() > 1 ? " " + r.index() : "") + ": " + r.vcpu().debugSample());
                }
            }
        }, "jvirt-cpu-sampler");
        t.setDaemon(true);
        t.start();
    }

    private int runUntilStop() {
        timeline.mark("first instruction");
        if (cfg.sampleCpu()) startCpuSampler();
        while (true) {
            runVcpus();
            AcceleratorProvider target = pendingSwitch;
            VCpu.Exit exit;
            VCpuRunner ended;
            boolean idle;
            synchronized (runners) {
                exit = endedExit;
                ended = endedRunner;
                idle = allIdle;
                endedExit = null;
                endedRunner = null;
                allIdle = false;
            }
            if (target != null && exit == null && !idle && control.exitStatus == null && !control.reset && !control.powerOff) {
                pendingSwitch = null;
                switchBackend(target);
                continue;
            }
            if (control.exitStatus != null) {
                int st = control.exitStatus;
                // isa-debug-exit gives (V << 1) | 1; the built-in demo reports the guest's own V.
                return cfg.demo() ? st >>> 1 : st;
            }
            if (control.powerOff) return 0;
            boolean shutdown = exit != null && exit.kind() == VCpu.Exit.Kind.SHUTDOWN;
            if (shutdown && cfg.guestErrors()) {
                CpuState st = new CpuState();
                ended.vcpu().getState(st);
                err.printf("jvirt: guest triple fault (shutdown)%s at cs:rip %04x:%x%n", cpuName(ended), st.cs.selector, st.rip);
            }
            if (control.reset || shutdown) {
                if (cfg.noReboot()) return 0;
                err.println("jvirt: guest reset" + (shutdown ? " (triple fault)" : "") + ", rebooting");
                return REBOOT;
            }
            if (exit != null && exit.kind() == VCpu.Exit.Kind.ERROR) {
                err.println("jvirt: " + ended.vcpu().getClass().getSimpleName().replace("VCpu", "").toLowerCase() + ":" + cpuName(ended)
                        + " " + exit.message());
                return 1;
            }
            if (idle) {
                err.println(runners.size() == 1 ? "jvirt: the guest halted with interrupts disabled; stopping"
                        : "jvirt: every vCPU halted with interrupts disabled or waits for a start-up IPI; stopping");
                return 0;
            }
        }
    }

    private String cpuName(VCpuRunner r) {
        return runners.size() == 1 ? "" : " cpu " + r.index();
    }

    /** Runs every vCPU on its own thread until something stops them all. */
    private void runVcpus() {
        for (VCpuRunner r : runners) r.start();
        // A request made while no vCPU thread ran (a switch before run(), a device thread between sessions) still stops them.
        if (pendingSwitch != null || control.requested()) stopVcpus();
        boolean interrupted = false;
        for (VCpuRunner r : runners) {
            while (true) {
                try {
                    r.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    stopVcpus();
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void stopVcpus() {
        for (VCpuRunner r : runners) r.stop();
    }

    /** A vCPU ended (triple fault, backend error) or went idle: the machine decides for all of them. */
    private final class RunnerEvents implements VCpuRunner.Events {
        @Override public void idle() {
            for (VCpuRunner r : runners) {
                if (r.mayRun()) return;
            }
            synchronized (runners) { allIdle = true; }
            stopVcpus();
        }

        @Override public void ended(VCpuRunner runner, VCpu.Exit exit) {
            synchronized (runners) {
                if (endedExit == null) {
                    endedExit = exit;
                    endedRunner = runner;
                }
            }
            stopVcpus();
        }
    }

    /** Calls {@code tap} with every byte the guest writes to COM1, on the vCPU thread. */
    void tapSerial(java.util.function.IntConsumer tap) { board.serialTap = tap; }

    /** The bootstrap processor's vCPU, for tests and the future monitor (pause, state, backend switch). */
    public VCpu vcpu() { return runners.getFirst().vcpu(); }

    /** vCPU {@code index}. */
    public VCpu vcpu(int index) { return runners.get(index).vcpu(); }

    public String acceleratorName() { return accel.name(); }

    private void closeVcpus() {
        for (VCpuRunner r : runners) {
            VCpu v = r.vcpu();
            if (v != null) v.close();
        }
    }

    @Override
    public void close() {
        try {
            board.close();
            closeVcpus();
            accel.close();
        } finally {
            ram.close();
        }
    }

    /** The machine's side of device requests: remember what was asked and stop the vCPU. */
    private final class Control implements MachineControl {
        volatile Integer exitStatus;
        volatile boolean reset;
        volatile boolean powerOff;

        @Override public void requestExit(int status) {
            if (exitStatus == null) exitStatus = status;
            stop();
        }

        @Override public void requestReset() {
            reset = true;
            stop();
        }

        @Override public void requestPowerOff() {
            powerOff = true;
            stop();
        }

        private void stop() {
            stopVcpus();
        }

        boolean requested() { return exitStatus != null || reset || powerOff; }

        void clear() {
            reset = false;
            powerOff = false;
        }
    }
}
