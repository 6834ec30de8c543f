package dev.jvirt.accel.kvm;

import dev.jvirt.accel.AcceleratorException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The signal that kicks a vCPU thread out of KVM_RUN. KVM_RUN returns -EINTR only for a pending
 * signal that is unblocked and has a handler (an ignored signal is discarded at generation, a
 * default-action one would kill the process), so one is installed.
 *
 * <p>HotSpot owns SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGPIPE/SIGQUIT/SIGHUP/SIGINT/SIGTERM/SIGTRAP, SIGUSR1
 * is reserved on Linux and SIGUSR2 suspends threads; glibc keeps the first realtime signals for
 * itself. So the kick is the highest realtime signal whose disposition is still the default.
 *
 * <p>The handler must not run Java: the signal may land while the thread executes Java code, where
 * an FFM upcall would enter the VM in the wrong thread state. It is instead a two-instruction native
 * function, {@code endbr64; ret}, in a page of its own mapped executable — the kick only needs the
 * interruption, and the run loop finds the reason in its own fields.
 */
final class KickSignal {
    private static final byte[] NOOP_HANDLER = {(byte) 0xF3, 0x0F, 0x1E, (byte) 0xFA, (byte) 0xC3};
    private static volatile int signal;

    private KickSignal() { }

    /** The installed signal number, installing it on first use. */
    static int number() {
        int s = signal;
        if (s != 0) return s;
        synchronized (KickSignal.class) {
            if (signal == 0) signal = install();
            return signal;
        }
    }

    private static int install() {
        Arena arena = Arena.global();
        MemorySegment cap = Libc.newCapture(arena);
        MemorySegment page = Libc.mmap(cap, 4096, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1);
        if (page.equals(MemorySegment.NULL)) throw new AcceleratorException("KVM: cannot map the kick signal handler");
        page = page.reinterpret(4096);
        MemorySegment.copy(NOOP_HANDLER, 0, page, ValueLayout.JAVA_BYTE, 0, NOOP_HANDLER.length);
        if (Libc.mprotect(page, 4096, Libc.PROT_READ | Libc.PROT_EXEC) != 0) {
            throw new AcceleratorException("KVM: the host refuses an executable page for the kick signal handler");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(Libc.SIGACTION);
            for (int sig = Libc.sigrtmax(); sig > Libc.sigrtmin(); sig--) {
                if (Libc.sigaction(sig, MemorySegment.NULL, old) != 0) continue;
                MemorySegment h = (MemorySegment) Libc.SA_HANDLER.get(old, 0L);
                if (h.address() != Libc.SIG_DFL) continue;
                MemorySegment act = a.allocate(Libc.SIGACTION);
                Libc.SA_HANDLER.set(act, 0L, page);
                // SA_RESTART keeps the JVM's own syscalls on this thread unaffected; KVM_RUN returns -EINTR regardless.
                Libc.SA_FLAGS.set(act, 0L, Libc.SA_RESTART);
                int rc = Libc.sigaction(sig, act, MemorySegment.NULL);
                if (rc != 0) throw new AcceleratorException("KVM: sigaction failed: " + Libc.strerror(-rc));
                return sig;
            }
        }
        throw new AcceleratorException("KVM: no free realtime signal to kick vCPU threads");
    }

    /** Makes sure the calling thread can receive the kick (a thread may inherit a blocking mask). */
    static void unblockOnCurrentThread() {
        try (Arena a = Arena.ofConfined()) {
            Libc.pthreadSigmask(Libc.SIG_UNBLOCK, Libc.sigsetOf(a, number()));
        }
    }
}
