package dev.jvirt.devices;

import java.util.PriorityQueue;

/**
 * The machine's virtual time in nanoseconds, and the timers that fire on it.
 *
 * <p>In {@link Mode#REALTIME} time follows the host's monotonic clock while the machine runs and
 * stands still while it is paused. In {@link Mode#DETERMINISTIC} (QEMU's {@code -icount}) time is
 * {@code 2^shift} ns per executed guest instruction, plus any idle time skipped while all vCPUs were
 * halted, so a run is reproducible.
 *
 * <p>Timers fire from {@link #runDue()}, which the CPU loop (or the machine's timer thread, for
 * backends that run the guest outside Java) calls with the machine's I/O lock held.
 */
public final class VirtualClock implements Snapshottable {
    public enum Mode { REALTIME, DETERMINISTIC }

    private final Mode mode;
    private final int shift;
    private final PriorityQueue<Timer> queue = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private volatile long nextDeadline = Long.MAX_VALUE;
    private long seq;

    // REALTIME: nanos = (running ? System.nanoTime() - hostAnchor : 0) + base
    // DETERMINISTIC: nanos = (instructions << shift) + base
    private volatile long base;
    private volatile long hostAnchor;
    private volatile boolean running;
    private volatile long instructions;

    private VirtualClock(Mode mode, int shift) {
        this.mode = mode;
        this.shift = shift;
        this.running = mode == Mode.REALTIME;
        this.hostAnchor = System.nanoTime();
    }

    public static VirtualClock realtime() {
        return new VirtualClock(Mode.REALTIME, 0);
    }

    /** Deterministic time at {@code 2^shift} ns per instruction, as QEMU's {@code -icount shift=N}. */
    public static VirtualClock deterministic(int shift) {
        if (shift < 0 || shift > 10) throw new IllegalArgumentException("icount shift must be 0..10, got " + shift);
        return new VirtualClock(Mode.DETERMINISTIC, shift);
    }

    public Mode mode() { return mode; }

    public boolean deterministic() { return mode == Mode.DETERMINISTIC; }

    public long nanos() {
        if (mode == Mode.DETERMINISTIC) return (instructions << shift) + base;
        return running ? System.nanoTime() - hostAnchor + base : base;
    }

    /** Counts executed guest instructions; only deterministic time moves with them. */
    public void advanceInstructions(long n) {
        if (mode == Mode.DETERMINISTIC) instructions += n;
    }

    /**
     * Moves time forward to {@code ns} when every vCPU is idle: in deterministic mode this is how a
     * halted guest reaches its next timer; in real time the caller simply waits.
     */
    public void skipTo(long ns) {
        if (mode == Mode.DETERMINISTIC) {
            long now = nanos();
            if (ns > now) base += ns - now;
        }
    }

    /** Stops time (machine paused). */
    public synchronized void pause() {
        if (mode == Mode.REALTIME && running) {
            base = nanos();
            running = false;
        }
    }

    public synchronized void resume() {
        if (mode == Mode.REALTIME && !running) {
            hostAnchor = System.nanoTime();
            running = true;
        }
    }

    public Timer newTimer(String name, Runnable callback) {
        return new Timer(name, callback);
    }

    /** The earliest armed deadline, or {@link Long#MAX_VALUE}; cheap enough for the CPU loop. */
    public long nextDeadline() { return nextDeadline; }

    /** Fires every timer whose deadline has passed, earliest first; returns how many fired. */
    public int runDue() {
        int fired = 0;
        while (true) {
            Timer t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.deadline > nanos()) break;
                queue.poll();
                t.armed = false;
                updateNext();
            }
            fired++;
            t.callback.run();
        }
        return fired;
    }

    private void updateNext() {
        Timer head = queue.peek();
        nextDeadline = head == null ? Long.MAX_VALUE : head.deadline;
    }

    @Override public String stateId() { return "clock"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("nanos", nanos());
    }

    /** Restores the time; timers are re-armed by the devices that own them. */
    @Override
    public synchronized void restoreState(DeviceState in) {
        in.expect(this, 1);
        long ns = in.getLong("nanos");
        instructions = 0;
        hostAnchor = System.nanoTime();
        base = ns;
    }

    /** A one-shot timer; re-arm it from its callback for periodic behaviour. */
    public final class Timer {
        private final String name;
        private final Runnable callback;
        private long deadline;
        private boolean armed;

        private Timer(String name, Runnable callback) {
            this.name = name;
            this.callback = callback;
        }

        /** Fires at virtual time {@code deadlineNs} (at once on the next {@link #runDue} if already past). */
        public void arm(long deadlineNs) {
            synchronized (VirtualClock.this) {
                if (armed) queue.remove(this);
                deadline = deadlineNs;
                armed = true;
                queue.add(this);
                updateNext();
            }
        }

        public void cancel() {
            synchronized (VirtualClock.this) {
                if (armed) {
                    queue.remove(this);
                    armed = false;
                    updateNext();
                }
            }
        }

        public boolean armed() {
            synchronized (VirtualClock.this) { return armed; }
        }

        /** The armed deadline; meaningless when not armed. */
        public long deadline() {
            synchronized (VirtualClock.this) { return deadline; }
        }

        @Override
        public String toString() { return "Timer[" + name + (armed ? " @" + deadline : " idle") + "]"; }
    }
}
