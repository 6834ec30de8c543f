package dev.jvirt.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * KVM port-I/O exit round trips per second, for jvirt and for qemu-system-x86_64 on the same guest in
 * the same run. The guest is a multiboot kernel that executes {@code out 0x80, al} N times and then
 * ends through isa-debug-exit; the rate is N / (T(N) - T(0)), so process start and boot cancel out.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -cp bench/target/benchmarks.jar dev.jvirt.bench.KvmExitBench [N]}
 */
public final class KvmExitBench {
    private KvmExitBench() { }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("kvm-exit-bench");
        Path loop = Files.write(dir.resolve("out-loop.elf"), guest(n));
        Path empty = Files.write(dir.resolve("out-none.elf"), guest(0));
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of(System.getProperty("jvirt.jar", "machine/target/jvirt.jar"));
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: build it with ./jvirt -help first");
        List<String> jvirt = List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "-accel", "kvm", "-m", "64",
                "-device", "isa-debug-exit", "-serial", "none", "-kernel");
        report("jvirt", n, jvirt, loop, empty, "round trips/s");
        String qemu = findOnPath("qemu-system-x86_64");
        if (qemu == null) {
            System.out.println("qemu-system-x86_64: not installed, no reference");
        } else {
            List<String> q = List.of(qemu, "-accel", "kvm", "-m", "64", "-display", "none", "-serial", "none", "-monitor", "none",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-kernel");
            report("qemu-system-x86_64", n, q, loop, empty, "round trips/s");
        }
    }

    /** Prints the rate of {@code n} events as the difference between a run of {@code loop} and one of {@code empty}. */
    static void report(String name, long n, List<String> cmd, Path loop, Path empty, String unit) throws Exception {
        double base = best(cmd, empty), full = best(cmd, loop);
        double rate = n / Math.max(1e-9, full - base);
        System.out.printf("%-20s %,14d in %.3f s (boot-only run %.3f s): %,.0f %s%n", name, n, full - base, base, rate, unit);
    }

    /** The fastest of three runs, in seconds. */
    private static double best(List<String> cmd, Path kernel) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            List<String> c = new ArrayList<>(cmd);
            c.add(kernel.toString());
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(c.getFirst() + " did not finish");
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (p.exitValue() != 1) throw new IllegalStateException(String.join(" ", c) + " exited " + p.exitValue() + ", expected 1");
            best = Math.min(best, s);
        }
        return best;
    }

    /** A multiboot header with the a.out kludge: loaded at 1 MiB, entry right after the 32-byte header. */
    static ByteBuffer header() {
        ByteBuffer b = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
        int base = 0x10_0000, flags = 0x0001_0000;
        b.putInt(0x1BADB002).putInt(flags).putInt(-(0x1BADB002 + flags));
        b.putInt(base).putInt(base).putInt(0).putInt(0).putInt(base + 32); // header, load, load_end (file), bss_end, entry
        b.position(32);
        return b;
    }

    /** A multiboot kernel at 1 MiB: N times {@code out 0x80,al}, then isa-debug-exit at 0xF4 with 0. */
    static byte[] guest(int n) {
        ByteBuffer b = header();
        b.put((byte) 0x31).put((byte) 0xC0);                                         // xor eax, eax
        b.put((byte) 0xB9).putInt(n);                                                // mov ecx, n
        b.put((byte) 0xE3).put((byte) 0x05);                                         // jecxz done
        b.put((byte) 0xE6).put((byte) 0x80);                                         // l: out 0x80, al
        b.put((byte) 0x49);                                                          // dec ecx
        b.put((byte) 0x75).put((byte) 0xFB);                                         // jnz l
        b.put((byte) 0xE6).put((byte) 0xF4);                                         // done: out 0xf4, al
        b.put((byte) 0xFA).put((byte) 0xF4);                                         // cli; hlt
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static String findOnPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d, exe);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }
}
