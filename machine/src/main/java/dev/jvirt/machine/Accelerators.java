package dev.jvirt.machine;

import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.interp.InterpProvider;
import dev.jvirt.accel.kvm.KvmProvider;

import java.io.PrintStream;

/** {@code -accel} selection: the backends jvirt has, and the choice {@code auto} makes. */
final class Accelerators {
    private Accelerators() { }

    /**
     * Resolves {@code name} to a backend that can run here, saying on {@code err} what was chosen
     * and why when the choice was not the user's own or comes with a caveat.
     */
    static AcceleratorProvider select(String name, PrintStream err) {
        return switch (name) {
            case "interp" -> new InterpProvider();
            case "kvm" -> {
                KvmProvider kvm = new KvmProvider();
                AcceleratorProvider.Probe p = kvm.probe();
                if (!p.usable()) throw new UsageException("-accel kvm: " + p.reason());
                if (!p.fullSpeed()) err.println("jvirt: warning: -accel kvm: " + p.reason());
                yield kvm;
            }
            case "auto" -> {
                KvmProvider kvm = new KvmProvider();
                AcceleratorProvider.Probe p = kvm.probe();
                if (p.usable() && p.fullSpeed()) {
                    err.println("jvirt: -accel auto: using kvm (" + p.reason() + ")");
                    yield kvm;
                }
                err.println("jvirt: -accel auto: using interp, not kvm: " + p.reason());
                yield new InterpProvider();
            }
            case "tcg" -> throw new UsageException("-accel tcg: the binary translator is not built yet; use -accel interp");
            case "xen" -> throw new UsageException("-accel xen: the Xen backend is not built yet");
            default -> throw new UsageException("-accel " + name + ": unknown accelerator (known: interp, tcg, kvm, xen, auto)");
        };
    }
}
