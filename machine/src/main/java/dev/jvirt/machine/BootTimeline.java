package dev.jvirt.machine;

import java.io.PrintStream;

/** {@code -d boot}: milestones of a boot with the wall time since jvirt started, for comparing boot times. */
final class BootTimeline {
    private final boolean enabled;
    private final PrintStream err;
    private final long start;
    private volatile boolean firstSerial = true;

    BootTimeline(boolean enabled, PrintStream err) {
        this.enabled = enabled;
        this.err = err;
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        this.start = System.nanoTime() - Math.max(0, System.currentTimeMillis() - jvmStart) * 1_000_000L;
    }

    void mark(String milestone) {
        if (enabled) err.printf("jvirt: boot: %-22s %9.1f ms%n", milestone, (System.nanoTime() - start) / 1e6);
    }

    /** Called for every byte the guest sends to COM1; marks only the first. */
    void serialByte() {
        if (firstSerial) {
            firstSerial = false;
            mark("first serial byte");
        }
    }
}
