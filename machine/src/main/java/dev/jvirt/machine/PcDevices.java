package dev.jvirt.machine;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.InterruptSink;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.devices.debug.DebugCon;
import dev.jvirt.devices.debug.IsaDebugExit;
import dev.jvirt.devices.debug.PostPort;
import dev.jvirt.devices.serial.CharBackend;
import dev.jvirt.devices.serial.Serial16550;
import dev.jvirt.machine.chardev.ChardevInput;
import dev.jvirt.machine.chardev.ChardevSpec;
import dev.jvirt.machine.chardev.Chardevs;
import dev.jvirt.machine.chardev.HostChardev;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The devices of the PC board, registered on the machine's buses, and their host backends. */
final class PcDevices implements AutoCloseable {
    private final List<Device> devices = new ArrayList<>();
    private final List<HostChardev> chardevs = new ArrayList<>();
    final Serial16550 com1;
    private HostChardev serialHost;
    /** Sees every byte the guest sends on COM1 (tests, the future monitor). */
    volatile java.util.function.IntConsumer serialTap;
    private final MachineControl control;
    private final Object ioLock;

    PcDevices(PcMachine m, InterruptSink irqs, MachineConfig cfg, MachineControl control, PrintStream out, PrintStream err, BootTimeline timeline) {
        this.control = control;
        this.ioLock = m.ioLock;
        try {
            ChardevSpec serialSpec = parse("-serial", cfg.serial());
            if (serialSpec.present()) {
                HostChardev host = open("-serial", serialSpec, out);
                CharBackend backend = new CharBackend() {
                    @Override public void write(int b) {
                        timeline.serialByte();
                        host.write(b);
                        java.util.function.IntConsumer t = serialTap;
                        if (t != null) t.accept(b);
                    }

                    @Override public void flush() { host.flush(); }

                    @Override public void acceptInput() { host.acceptInput(); }
                };
                com1 = new Serial16550("serial0", irqs.line(Serial16550.COM1_IRQ), m.clock, backend);
                m.ports.register(Serial16550.COM1_BASE, Serial16550.PORT_COUNT, com1);
                devices.add(com1);
                serialHost = host;
            } else {
                com1 = null;
            }
            if (cfg.debugcon() != null) {
                ChardevSpec spec = parse("-debugcon", cfg.debugcon());
                if (spec.present()) {
                    HostChardev host = open("-debugcon", spec, out);
                    DebugCon con = new DebugCon(host);
                    m.ports.register(DebugCon.DEFAULT_IOBASE, DebugCon.PORT_COUNT, con);
                    devices.add(con);
                }
            }
            PostPort post = new PostPort();
            m.ports.register(PostPort.IOBASE, PostPort.PORT_COUNT, post);
            devices.add(post);

            int[] exit = cfg.debugExit();
            if (exit == null && cfg.demo()) exit = new int[] {IsaDebugExit.DEFAULT_IOBASE, IsaDebugExit.DEFAULT_IOSIZE};
            if (exit != null) {
                IsaDebugExit dev = new IsaDebugExit(control);
                try {
                    m.ports.register(exit[0], exit[1], dev);
                } catch (IllegalArgumentException e) {
                    throw new UsageException(String.format("-device isa-debug-exit,iobase=%#x: %s", exit[0], e.getMessage()));
                }
                devices.add(dev);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static ChardevSpec parse(String option, String spec) {
        try {
            return Chardevs.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + spec + ": " + e.getMessage());
        }
    }

    private HostChardev open(String option, ChardevSpec spec, PrintStream out) {
        try {
            HostChardev c = spec.open();
            chardevs.add(c);
            return c;
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + spec + ": " + e.getMessage());
        }
    }

    /** Starts taking host input for COM1; only once the guest runs, so a failed boot never touches stdin. */
    void startInput() {
        HostChardev host = serialHost;
        if (host == null) return;
        serialHost = null;
        host.start(new ChardevInput() {
            @Override public int offer(byte[] buf, int off, int len) {
                synchronized (ioLock) {
                    int n = Math.min(len, com1.rxSpace());
                    for (int i = 0; i < n; i++) com1.receive(buf[off + i] & 0xFF);
                    return n;
                }
            }

            @Override public void sendBreak() {
                synchronized (ioLock) {
                    com1.receiveBreak();
                }
            }

            @Override public void quit() { control.requestExit(0); }
        });
    }

    List<Device> all() { return List.copyOf(devices); }

    @Override
    public void close() {
        for (HostChardev c : chardevs) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing the others matters more than one failure here
            }
        }
        chardevs.clear();
    }
}
