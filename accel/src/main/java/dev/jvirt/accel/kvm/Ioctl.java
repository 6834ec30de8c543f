package dev.jvirt.accel.kvm;

/**
 * The Linux ioctl request encoding of include/uapi/asm-generic/ioctl.h: direction in bits 30-31,
 * argument size in bits 16-29, type in bits 8-15, number in bits 0-7.
 */
final class Ioctl {
    static final int NONE = 0, WRITE = 1, READ = 2;
    private static final int NRBITS = 8, TYPEBITS = 8, SIZEBITS = 14;
    private static final int NRSHIFT = 0, TYPESHIFT = NRSHIFT + NRBITS, SIZESHIFT = TYPESHIFT + TYPEBITS,
            DIRSHIFT = SIZESHIFT + SIZEBITS;

    private Ioctl() { }

    static long ioc(int dir, int type, int nr, long size) {
        if (size < 0 || size >= 1L << SIZEBITS) throw new IllegalArgumentException("ioctl argument size " + size);
        return ((long) dir << DIRSHIFT | size << SIZESHIFT | (long) type << TYPESHIFT | (long) nr << NRSHIFT) & 0xFFFF_FFFFL;
    }

    static long io(int type, int nr) { return ioc(NONE, type, nr, 0); }

    static long ior(int type, int nr, long size) { return ioc(READ, type, nr, size); }

    static long iow(int type, int nr, long size) { return ioc(WRITE, type, nr, size); }

    static long iowr(int type, int nr, long size) { return ioc(READ | WRITE, type, nr, size); }
}
