package dev.jvirt.cpu;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Assembles small guest programs with GNU as/ld at test time; tests are skipped where binutils are absent. */
public final class GuestAsm {
    private GuestAsm() { }

    /** Assembles {@code source} (GNU syntax, starts in .code16 unless it says otherwise) linked at {@code base}. */
    public static byte[] assemble(String source, long base) {
        return assemble(source, base, false);
    }

    /** Assembles {@code source} as x86-64 code ({@code as --64}, starts in .code64) linked at {@code base}. */
    public static byte[] assemble64(String source, long base) {
        return assemble(source, base, true);
    }

    private static byte[] assemble(String source, long base, boolean x64) {
        try {
            Path dir = Files.createTempDirectory("jvirt-asm");
            try {
                Path s = dir.resolve("t.s"), o = dir.resolve("t.o"), b = dir.resolve("t.bin");
                Files.writeString(s, source + "\n");
                run(List.of("as", x64 ? "--64" : "--32", "-o", o.toString(), s.toString()));
                run(List.of("ld", "-m", x64 ? "elf_x86_64" : "elf_i386", "-Ttext", "0x" + Long.toHexString(base), "--oformat", "binary",
                        "-o", b.toString(), o.toString()));
                return Files.readAllBytes(b);
            } finally {
                try (var st = Files.walk(dir)) {
                    st.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            Assumptions.abort("GNU binutils not usable: " + e.getMessage());
            return null;
        }
    }

    private static void run(List<String> cmd) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort(cmd.get(0) + " not found");
            return;
        }
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(cmd + ": " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
