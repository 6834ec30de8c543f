package dev.jvirt.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Guest instructions per second of whole emulators on one guest: a multiboot kernel that runs the
 * register loop of {@link InterpreterBench} ({@code add, xor, inc, dec, jnz}: 5 instructions per
 * round) N times, then ends through isa-debug-exit. Runs jvirt's interpreter and QEMU's TCG on the
 * same file; the rate is 5N / (T(N) - T(0)).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.jvirt.bench.LoopGuestBench [rounds]}
 */
public final class LoopGuestBench {
    private LoopGuestBench() { }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200_000_000;
        Path dir = Files.createTempDirectory("loop-bench");
        Path loop = Files.write(dir.resolve("loop.elf"), guest(rounds));
        Path empty = Files.write(dir.resolve("none.elf"), guest(0));
        long insns = 5L * rounds;
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of(System.getProperty("jvirt.jar", "machine/target/jvirt.jar"));
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: build it with ./jvirt -help first");
        KvmExitBench.report("jvirt -accel interp", insns, List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "-accel", "interp", "-m", "64", "-device", "isa-debug-exit", "-serial", "none", "-kernel"), loop, empty, "instructions/s");
        String qemu = KvmExitBench.findOnPath("qemu-system-x86_64");
        if (qemu == null) {
            System.out.println("qemu-system-x86_64: not installed, no reference");
            return;
        }
        KvmExitBench.report("qemu -accel tcg", insns, List.of(qemu, "-accel", "tcg", "-m", "64", "-display", "none", "-serial", "none",
                "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-kernel"), loop, empty, "instructions/s");
    }

    /** Multiboot (a.out kludge) at 1 MiB: {@code rounds} x (add eax,ebx; xor edx,eax; inc esi; dec ecx; jnz), then exit. */
    static byte[] guest(int rounds) {
        ByteBuffer b = KvmExitBench.header();
        b.put((byte) 0x31).put((byte) 0xC0);                                     // xor eax, eax
        b.put((byte) 0xBB).putInt(3);                                            // mov ebx, 3
        b.put((byte) 0xB9).putInt(rounds);                                       // mov ecx, rounds
        b.put((byte) 0xE3).put((byte) 0x08);                                     // jecxz done
        b.put((byte) 0x01).put((byte) 0xD8);                                     // l: add eax, ebx
        b.put((byte) 0x31).put((byte) 0xC2);                                     // xor edx, eax
        b.put((byte) 0x46);                                                      // inc esi
        b.put((byte) 0x49);                                                      // dec ecx
        b.put((byte) 0x75).put((byte) 0xF8);                                     // jnz l
        b.put((byte) 0x31).put((byte) 0xC0);                                     // done: xor eax, eax
        b.put((byte) 0xE6).put((byte) 0xF4);                                     // out 0xf4, al
        b.put((byte) 0xFA).put((byte) 0xF4);                                     // cli; hlt
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
