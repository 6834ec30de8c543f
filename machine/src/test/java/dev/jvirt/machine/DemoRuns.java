package dev.jvirt.machine;

import dev.jvirt.firmware.DemoGuest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the demo guest under jvirt's backends and under QEMU, capturing COM1 byte for byte. */
final class DemoRuns {
    private DemoRuns() { }

    record Run(int status, byte[] serial, String err) {
        String text() { return new String(serial, StandardCharsets.ISO_8859_1); }
    }

    static Path demoImage(Path dir) throws IOException {
        Path p = dir.resolve("demo.elf");
        if (!Files.exists(p)) Files.write(p, DemoGuest.image());
        return p;
    }

    /** jvirt in-process with COM1 going to a file. */
    static Run jvirt(Path dir, String accel, String... extra) throws IOException {
        Path serial = dir.resolve("serial-" + accel + "-" + System.nanoTime() + ".txt");
        List<String> args = new ArrayList<>(List.of("-accel", accel, "-m", "128", "-kernel", demoImage(dir).toString(),
                "-device", "isa-debug-exit", "-no-reboot", "-serial", "file:" + serial));
        args.addAll(List.of(extra));
        CliTest.Result r = CliTest.jvirt(args.toArray(String[]::new));
        byte[] out = Files.exists(serial) ? Files.readAllBytes(serial) : new byte[0];
        return new Run(r.status(), out, r.err());
    }

    static String qemuBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    /** The acceptance's own command line: qemu -kernel demo -device isa-debug-exit -nographic, stdout captured. */
    static Run qemu(Path dir, String qemu) throws IOException, InterruptedException {
        Path out = dir.resolve("qemu-out.txt"), err = dir.resolve("qemu-err.txt");
        Process p = new ProcessBuilder(qemu, "-m", "128", "-kernel", demoImage(dir).toString(), "-device", "isa-debug-exit",
                "-nographic", "-no-reboot")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("qemu did not finish in 120 s");
        }
        return new Run(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    }
}
