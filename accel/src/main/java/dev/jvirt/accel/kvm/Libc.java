package dev.jvirt.accel.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the KVM backend needs, as FFM downcalls. Calls whose failure matters capture
 * errno through {@link Linker.Option#captureCallState}, so nothing the JVM does in between can
 * clobber it.
 */
final class Libc {
    static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    static final int EINTR = 4, EAGAIN = 11, E2BIG = 7;
    static final int SIG_UNBLOCK = 1;
    static final int SA_RESTART = 0x10000000;
    static final long SIG_DFL = 0, SIG_IGN = 1;

    /** glibc's x86-64 sigset_t: 1024 bits. */
    static final long SIGSET_SIZE = 128;
    /** glibc's x86-64 struct sigaction (checked against the C headers by the layout test). */
    static final StructLayout SIGACTION = MemoryLayout.structLayout(
            ADDRESS.withName("sa_handler"),
            MemoryLayout.sequenceLayout(SIGSET_SIZE, ValueLayout.JAVA_BYTE).withName("sa_mask"),
            JAVA_INT.withName("sa_flags"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("sa_restorer"));
    static final VarHandle SA_HANDLER = SIGACTION.varHandle(MemoryLayout.PathElement.groupElement("sa_handler"));
    static final VarHandle SA_FLAGS = SIGACTION.varHandle(MemoryLayout.PathElement.groupElement("sa_flags"));
    static final long SA_MASK_OFFSET = SIGACTION.byteOffset(MemoryLayout.PathElement.groupElement("sa_mask"));

    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL_PTR = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MPROTECT = handle("mprotect", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle PTHREAD_SELF = handle("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL = handle("pthread_kill", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle PTHREAD_SIGMASK = handle("pthread_sigmask", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGACTION_FN = handle("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT);
    private static final MethodHandle SIGEMPTYSET = handle("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGADDSET = handle("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SIGRTMIN = handle("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGRTMAX = handle("__libc_current_sigrtmax", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = handle("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() { }

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)),
                fd, options);
    }

    static MemorySegment newCapture(Arena arena) { return arena.allocate(CAPTURE); }

    static int errno(MemorySegment capture) { return (int) ERRNO.get(capture, 0L); }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** Returns the file descriptor, or -errno. */
    static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = newCapture(a);
            int fd = (int) OPEN.invokeExact(cap, a.allocateFrom(path), flags);
            return fd < 0 ? -errno(cap) : fd;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl with a pointer argument; returns the result, or -errno (read from {@code capture}). */
    static int ioctl(MemorySegment capture, int fd, long request, MemorySegment arg) {
        try {
            int rc = (int) IOCTL_PTR.invokeExact(capture, fd, request, arg);
            return rc < 0 ? -errno(capture) : rc;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl with an integer argument; returns the result, or -errno. */
    static int ioctl(MemorySegment capture, int fd, long request, long arg) {
        try {
            int rc = (int) IOCTL_LONG.invokeExact(capture, fd, request, arg);
            return rc < 0 ? -errno(capture) : rc;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Maps {@code size} bytes; returns NULL (and sets errno in {@code capture}) on failure. */
    static MemorySegment mmap(MemorySegment capture, long size, int prot, int flags, int fd) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, size, prot, flags, fd, 0L);
            return p.address() == -1L ? MemorySegment.NULL : p;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void munmap(long address, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), size);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int mprotect(MemorySegment addr, long size, int prot) {
        try {
            return (int) MPROTECT.invokeExact(addr, size, prot);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long pthreadSelf() {
        try {
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int pthreadKill(long thread, int sig) {
        try {
            return (int) PTHREAD_KILL.invokeExact(thread, sig);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int pthreadSigmask(int how, MemorySegment set) {
        try {
            return (int) PTHREAD_SIGMASK.invokeExact(how, set, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** sigaction(2); returns 0 or -errno. */
    static int sigaction(int sig, MemorySegment act, MemorySegment old) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = newCapture(a);
            int rc = (int) SIGACTION_FN.invokeExact(cap, sig, act, old);
            return rc < 0 ? -errno(cap) : rc;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A sigset_t holding just {@code sig}. */
    static MemorySegment sigsetOf(Arena arena, int sig) {
        MemorySegment set = arena.allocate(SIGSET_SIZE, 8);
        try {
            int rc = (int) SIGEMPTYSET.invokeExact(set);
            rc = (int) SIGADDSET.invokeExact(set, sig);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return set;
    }

    static int sigrtmin() {
        try {
            return (int) SIGRTMIN.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int sigrtmax() {
        try {
            return (int) SIGRTMAX.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
