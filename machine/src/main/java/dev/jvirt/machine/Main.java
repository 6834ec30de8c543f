package dev.jvirt.machine;

import dev.jvirt.accel.AcceleratorException;
import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.cpu.conformance.X86Test;
import dev.jvirt.mmu.GuestRamException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The jvirt command: QEMU-style options, or a subcommand such as {@code x86test}. */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs jvirt and returns the process exit status; never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length > 0 && args[0].equals("x86test")) return x86test(args, out);
            Options o = Options.parse(args);
            if (o.help) {
                out.print(Options.usage());
                return 0;
            }
            if (o.version) {
                out.println("jvirt " + version());
                return 0;
            }
            MachineConfig cfg = MachineConfig.from(o, args.length == 0);
            Logging.configure(cfg.guestErrors(), cfg.logInterrupts(), err);
            AcceleratorProvider provider = Accelerators.select(cfg.accel(), err);
            try (PcMachine m = new PcMachine(cfg, provider, out, err)) {
                return m.run();
            }
        } catch (UsageException e) {
            if (e.status() == 0) {
                out.println(e.getMessage());
                return 0;
            }
            err.println("jvirt: " + e.getMessage());
            return e.status();
        } catch (GuestRamException | AcceleratorException e) {
            err.println("jvirt: " + e.getMessage());
            return 1;
        } catch (Throwable t) {
            // A bug in jvirt, not bad input: still one line, with the place it happened.
            StackTraceElement at = t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null;
            err.println("jvirt: internal error: " + t + (at == null ? "" : " at " + at));
            return 70;
        }
    }

    private static int x86test(String[] args, PrintStream out) {
        List<Path> dirs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path p = Path.of(args[i]);
            if (!Files.isDirectory(p)) throw new UsageException("x86test " + args[i] + ": not a directory");
            dirs.add(p);
        }
        if (dirs.isEmpty()) throw new UsageException("x86test needs at least one directory of MOO files", UsageException.BAD_USAGE);
        return X86Test.run(dirs, out);
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
