package dev.jvirt.machine;

import dev.jvirt.accel.Accelerator;
import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.devices.Device;
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
 * The PC board: one guest RAM, the address map and port space, the devices, and one CPU backend.
 * {@link #run()} boots the configured guest and returns the process exit status.
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
    private final Accelerator accel;
    private final VCpu vcpu;

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
            this.platform = new PcPlatform(this, control, cfg.hpet(), cfg.rtcBase() != null ? cfg.rtcBase() : PcPlatform.hostRtcBase());
            devices.addAll(platform.devices());
            this.board = new PcDevices(this, platform.router, cfg, control, out, err, timeline);
            devices.addAll(board.all());
            MachineResources res = new MachineResources(memory, ports, clock, i -> platform.interruptsFor(i, ioLock), control, ioLock);
            this.accel = provider.create(res);
            if (accel instanceof dev.jvirt.accel.interp.InterpAccelerator ia) ia.setA20Gate(a20);
            this.vcpu = accel.createVcpu(0);
        } catch (RuntimeException e) {
            ram.close();
            throw e;
        }
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
        BootLoader.load(cfg, ram, layout, s);
        timeline.mark("loader done");
        vcpu.setState(s);
    }

    private int runUntilStop() {
        timeline.mark("first instruction");
        while (true) {
            VCpu.Exit exit = vcpu.run();
            if (control.exitStatus != null) {
                int st = control.exitStatus;
                // isa-debug-exit gives (V << 1) | 1; the built-in demo reports the guest's own V.
                return cfg.demo() ? st >>> 1 : st;
            }
            if (control.powerOff) return 0;
            if (control.reset || exit.kind() == VCpu.Exit.Kind.SHUTDOWN) {
                if (cfg.noReboot()) return 0;
                err.println("jvirt: guest reset" + (exit.kind() == VCpu.Exit.Kind.SHUTDOWN ? " (triple fault)" : "") + ", rebooting");
                return REBOOT;
            }
            switch (exit.kind()) {
                case HALTED_FOREVER -> {
                    err.println("jvirt: the guest halted with interrupts disabled; stopping");
                    return 0;
                }
                case ERROR -> {
                    err.println("jvirt: " + vcpu.getClass().getSimpleName().replace("VCpu", "").toLowerCase() + ": " + exit.message());
                    return 1;
                }
                default -> { }
            }
        }
    }

    /** The vCPU, for tests and the future monitor (pause, state, backend switch). */
    public VCpu vcpu() { return vcpu; }

    public String acceleratorName() { return accel.name(); }

    @Override
    public void close() {
        try {
            board.close();
            vcpu.close();
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
            VCpu v = vcpu;
            if (v != null) v.requestStop();
        }

        void clear() {
            reset = false;
            powerOff = false;
        }
    }
}
