package dev.jvirt.mmu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;

/**
 * Guest RAM: one page-aligned anonymous shared mapping. KVM and Xen map these very bytes, the
 * interpreter reads them through {@link #segment()}, and nothing ever copies them.
 * Offsets passed to the accessors are RAM offsets (not guest-physical addresses) and must be in
 * range: callers resolve guest addresses through {@link AddressSpace} first.
 */
public final class GuestRam implements AutoCloseable {
    public static final int PAGE_SIZE = 4096;

    private static final int PROT_READ = 1, PROT_WRITE = 2;
    private static final int MAP_SHARED = 0x01, MAP_ANONYMOUS = 0x20;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final MethodHandle MMAP, MUNMAP;
    private static final MethodHandle ERRNO_LOCATION;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        ERRNO_LOCATION = linker.downcallHandle(libc.find("__errno_location").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_INT)));
    }

    private final MemorySegment segment;
    private final long size;
    private final DirtyLog dirty;
    private boolean closed;

    private GuestRam(MemorySegment segment, long size) {
        this.segment = segment;
        this.size = size;
        this.dirty = new DirtyLog(size);
    }

    /**
     * Maps {@code size} bytes of zeroed RAM.
     *
     * @throws GuestRamException with a one-line reason when the size is invalid or the host refuses
     */
    public static GuestRam allocate(long size) {
        if (size <= 0) throw new GuestRamException("guest RAM size must be positive, got " + size);
        if ((size & (PAGE_SIZE - 1)) != 0) throw new GuestRamException("guest RAM size must be a multiple of 4 KiB, got " + size);
        MemorySegment addr;
        int errno;
        try {
            addr = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0L);
            errno = ((MemorySegment) ERRNO_LOCATION.invokeExact()).get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) {
            throw new GuestRamException("mmap failed: " + t);
        }
        if (addr.address() == -1L || addr.address() == 0L) {
            throw new GuestRamException("cannot map " + (size >> 20) + " MiB of guest RAM: the host refused ("
                    + (errno == 12 ? "ENOMEM" : "errno " + errno) + ")");
        }
        return new GuestRam(addr.reinterpret(size, Arena.global(), null), size);
    }

    public MemorySegment segment() { return segment; }

    public long size() { return size; }

    /** Host virtual address of RAM offset 0, for KVM memory slots. */
    public long hostAddress() { return segment.address(); }

    public DirtyLog dirtyLog() { return dirty; }

    public int getByte(long off) { return segment.get(ValueLayout.JAVA_BYTE, off) & 0xFF; }

    public int getShort(long off) { return segment.get(SHORT, off) & 0xFFFF; }

    public int getInt(long off) { return segment.get(INT, off); }

    public long getLong(long off) { return segment.get(LONG, off); }

    public void putByte(long off, int v) { segment.set(ValueLayout.JAVA_BYTE, off, (byte) v); dirty.mark(off); }

    public void putShort(long off, int v) { segment.set(SHORT, off, (short) v); dirty.markRange(off, 2); }

    public void putInt(long off, int v) { segment.set(INT, off, v); dirty.markRange(off, 4); }

    public void putLong(long off, long v) { segment.set(LONG, off, v); dirty.markRange(off, 8); }

    /** Reads {@code size} (1, 2, 4, 8) bytes at a RAM offset, zero-extended. */
    public long get(long off, int size) {
        return switch (size) {
            case 1 -> getByte(off);
            case 2 -> getShort(off);
            case 4 -> getInt(off) & 0xFFFF_FFFFL;
            default -> getLong(off);
        };
    }

    public void put(long off, int size, long v) {
        switch (size) {
            case 1 -> putByte(off, (int) v);
            case 2 -> putShort(off, (int) v);
            case 4 -> putInt(off, (int) v);
            default -> putLong(off, v);
        }
    }

    /** Copies host bytes into RAM (loaders). Range-checked: throws IndexOutOfBoundsException. */
    public void load(long off, byte[] data, int from, int len) {
        MemorySegment.copy(data, from, segment, ValueLayout.JAVA_BYTE, off, len);
        dirty.markRange(off, len);
    }

    public void load(long off, byte[] data) { load(off, data, 0, data.length); }

    public byte[] read(long off, int len) {
        byte[] out = new byte[len];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, off, out, 0, len);
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(segment.address()), size);
            if (rc != 0) throw new GuestRamException("munmap failed");
        } catch (GuestRamException e) {
            throw e;
        } catch (Throwable t) {
            throw new GuestRamException("munmap failed: " + t);
        }
    }
}
