package dev.jvirt.accel.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One KVM file descriptor (system, VM or vCPU) with its own errno capture buffer. Not thread-safe:
 * each vCPU fd is used by its own thread, the system and VM fds during setup.
 */
final class KvmFd implements AutoCloseable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Libc.newCapture(arena);
    private boolean closed;

    KvmFd(int fd) {
        this.fd = fd;
    }

    /** Opens /dev/kvm, or throws with the reason in one line. */
    static KvmFd openSystem() {
        int fd = Libc.open("/dev/kvm", Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw new dev.jvirt.accel.AcceleratorException("cannot open /dev/kvm: " + Libc.strerror(-fd)
                    + (fd == -2 ? " (no KVM module loaded)" : fd == -13 ? " (add the user to the kvm group)" : ""));
        }
        return new KvmFd(fd);
    }

    int fd() { return fd; }

    /** Returns the result or -errno. */
    int ioctl(long request, MemorySegment arg) { return Libc.ioctl(capture, fd, request, arg); }

    int ioctl(long request, long arg) { return Libc.ioctl(capture, fd, request, arg); }

    /** Returns the non-negative result or throws naming {@code what}. */
    int ioctlOrThrow(String what, long request, MemorySegment arg) {
        int rc = ioctl(request, arg);
        if (rc < 0) throw KvmException.of(what, rc);
        return rc;
    }

    int ioctlOrThrow(String what, long request, long arg) {
        int rc = ioctl(request, arg);
        if (rc < 0) throw KvmException.of(what, rc);
        return rc;
    }

    /** KVM_CHECK_EXTENSION: 0 when absent, else a capability-specific positive value. */
    int extension(int cap) {
        int rc = ioctl(KvmApi.CHECK_EXTENSION, cap);
        return Math.max(rc, 0);
    }

    /** Maps {@code size} bytes of this fd shared (kvm_run). */
    MemorySegment map(long size) {
        MemorySegment p = Libc.mmap(capture, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd);
        if (p.equals(MemorySegment.NULL)) throw KvmException.of("mmap of kvm_run", -Libc.errno(capture));
        return p.reinterpret(size);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
        arena.close();
    }
}
