package dev.jvirt.accel;

import dev.jvirt.cpu.CpuState;

/**
 * One virtual processor. {@link #run()} executes guest code on the calling thread until something the
 * machine must act on; the state can be read and written only while it is not running, and moves
 * between backends through {@link CpuState}.
 */
public interface VCpu extends AutoCloseable {
    int index();

    /** Runs until an exit; a halt with interrupts enabled is waited out inside. */
    Exit run();

    /** Makes a {@link #run()} in progress return {@link Exit.Kind#STOPPED} promptly; callable from any thread. */
    void requestStop();

    /**
     * Makes the vCPU look at its interrupt pins soon, whether it runs guest code or waits in HLT: an
     * interrupt sent from another thread (an IPI) would otherwise wait for its next exit or poll.
     * Callable from any thread; it does not stop {@link #run()}.
     */
    default void kick() { }

    void getState(CpuState into);

    void setState(CpuState from);

    @Override
    default void close() { }

    /** A one-line, racy look at where the vCPU is, for {@code -d cpu} sampling; empty if the backend can't tell. */
    default String debugSample() { return ""; }

    /** Why {@link #run()} returned. */
    record Exit(Kind kind, String message) {
        public enum Kind {
            /** {@link #requestStop()} was called (pause, machine exit, reset request). */
            STOPPED,
            /** HLT with interrupts disabled and no NMI source: the guest can never continue. */
            HALTED_FOREVER,
            /** Triple fault or KVM_EXIT_SHUTDOWN. */
            SHUTDOWN,
            /** The backend cannot go on; the message names the reason, RIP and code bytes. */
            ERROR
        }

        public static Exit of(Kind kind) { return new Exit(kind, ""); }
    }
}
