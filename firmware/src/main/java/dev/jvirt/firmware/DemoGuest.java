package dev.jvirt.firmware;

import dev.jvirt.mmu.PcMemoryLayout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.CRC32;

/**
 * The built-in demo guest: a small Multiboot v1 kernel (source in src/main/guest/demo) that prints
 * a banner, a few computed results and the Multiboot memory information over COM1 (polled, 115200
 * 8N1), then writes 0 to the isa-debug-exit port 0xF4 (and to 0x501, QEMU's default iobase) and
 * halts with interrupts off if no device stops it.
 */
public final class DemoGuest {
    /** The name the image is known by, e.g. as the first word of its Multiboot command line. */
    public static final String NAME = "demo.elf";

    /** Workload sizes; they must match the .equ constants in demo.S. */
    static final int CRC_LEN = 16384, SIEVE_LIMIT = 20000, FIB_N = 40;
    static final long POW_BASE = 3, POW_EXP = 1_000_000, POW_MOD = 1_000_003;

    private DemoGuest() { }

    public static byte[] image() {
        try (InputStream in = DemoGuest.class.getResourceAsStream(NAME)) {
            if (in == null) throw new IllegalStateException("demo guest resource " + NAME + " is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the demo writes to COM1 when a Multiboot loader boots it on a PC with {@code layout}
     * (mem_lower/mem_upper as {@link E820Map} derives them) and the command line
     * {@code "<kernel name without spaces> " + args}. Computed here independently of the guest, so
     * it checks the CPU that ran the guest.
     */
    public static String expectedSerialOutput(PcMemoryLayout layout, String args) {
        E820Map e820 = E820Map.forLayout(layout);
        return "jvirt demo guest: 32-bit protected mode\n"
                + "crc32=" + hex8(lcgCrc32()) + " primes=" + primeSum() + " fib40=" + hex8(fib(FIB_N))
                + " pow=" + powMod(POW_BASE, POW_EXP, POW_MOD) + "\n"
                + "mem " + e820.conventionalKiB() + "K/" + e820.extendedKiB() + "K\n"
                + "args=\"" + args + "\"\n"
                + "done\n";
    }

    private static long lcgCrc32() {
        byte[] buf = new byte[CRC_LEN];
        int x = 1;
        for (int i = 0; i < CRC_LEN; i++) {
            x = x * 1103515245 + 12345;
            buf[i] = (byte) (x >>> 16);
        }
        CRC32 crc = new CRC32();
        crc.update(buf);
        return crc.getValue();
    }

    private static long primeSum() {
        boolean[] composite = new boolean[SIEVE_LIMIT];
        long sum = 0;
        for (int n = 2; n < SIEVE_LIMIT; n++) {
            if (composite[n]) continue;
            sum += n;
            for (long m = (long) n * n; m < SIEVE_LIMIT; m += n) composite[(int) m] = true;
        }
        return sum;
    }

    private static long fib(int n) {
        int a = 0, b = 1;
        for (int i = 0; i < n; i++) {
            int t = a + b;
            a = b;
            b = t;
        }
        return a & 0xFFFF_FFFFL;
    }

    private static long powMod(long base, long exp, long mod) {
        return java.math.BigInteger.valueOf(base).modPow(java.math.BigInteger.valueOf(exp), java.math.BigInteger.valueOf(mod)).longValue();
    }

    private static String hex8(long v) {
        return String.format("%08x", v);
    }
}
