package dev.jvirt.machine.chardev;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Guest output to a host stream without a system call per byte: the vCPU thread appends to one
 * buffer while a daemon writer thread writes the other and flushes. A burst of output becomes a few
 * large writes, and a lone byte still reaches the host at once because the writer wakes on the
 * first byte of each burst. When the host stream is slower than the guest, the vCPU waits once the
 * buffer is full (back-pressure, as a real line would impose).
 */
final class AsyncOutput implements AutoCloseable {
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final long SHUTDOWN_FLUSH_MS = 2_000;
    private static final System.Logger LOG = System.getLogger(AsyncOutput.class.getName());

    private final OutputStream out;
    private final String name;
    private final Thread writer;
    private final Thread shutdownHook;
    private byte[] filling = new byte[BUFFER_SIZE];
    private byte[] draining = new byte[BUFFER_SIZE];
    private int fill;
    private boolean writing;
    private boolean closed;
    private boolean failed;

    AsyncOutput(OutputStream out, String name) {
        this.out = out;
        this.name = name;
        this.writer = Thread.ofPlatform().daemon().name("chardev-" + name + "-out").unstarted(this::writerLoop);
        this.shutdownHook = Thread.ofPlatform().name("chardev-" + name + "-flush").unstarted(() -> flush(SHUTDOWN_FLUSH_MS));
        writer.start();
        // Output written just before System.exit (isa-debug-exit, Ctrl-A x) must still reach the host.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    void write(int b) {
        synchronized (this) {
            if (failed || closed) return;
            while (fill == filling.length && !failed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (failed) return;
            filling[fill++] = (byte) b;
            if (fill == 1) notifyAll();
        }
    }

    void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) write(b[off + i]);
    }

    /** Waits until everything written so far has reached the host stream. */
    void flush() {
        flush(Long.MAX_VALUE);
    }

    private synchronized void flush(long timeoutMs) {
        long deadline = timeoutMs == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while ((fill > 0 || writing) && !failed && writer.isAlive()) {
            long left = deadline == Long.MAX_VALUE ? 0 : TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (deadline != Long.MAX_VALUE && left <= 0) return;
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        flush();
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            writer.join(SHUTDOWN_FLUSH_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // closed from a shutdown hook: nothing to remove
        }
    }

    private void writerLoop() {
        while (true) {
            byte[] chunk;
            int n;
            synchronized (this) {
                while (fill == 0 && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (fill == 0) return; // closed and drained
                chunk = filling;
                n = fill;
                filling = draining;
                draining = chunk;
                fill = 0;
                writing = true;
                notifyAll(); // a writer waiting for room may continue
            }
            boolean ok = true;
            try {
                out.write(chunk, 0, n);
                out.flush();
            } catch (IOException e) {
                ok = false;
                LOG.log(Level.WARNING, "chardev " + name + ": output failed, further output dropped: " + e.getMessage());
            }
            synchronized (this) {
                writing = false;
                if (!ok) {
                    failed = true;
                    fill = 0;
                }
                notifyAll();
            }
            if (!ok) return;
        }
    }
}
