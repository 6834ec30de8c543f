package dev.jvirt.accel.kvm;

import dev.jvirt.accel.AcceleratorException;
import dev.jvirt.accel.AcceleratorProvider.Probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Whether this host's /dev/kvm can run the backend, and at hardware speed. */
final class KvmProbe {
    record Result(Probe probe, boolean readonlyMem) { }

    private record Cap(int id, String name, String why) { }

    private static final List<Cap> REQUIRED = List.of(
            new Cap(KvmApi.CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM slots"),
            new Cap(KvmApi.CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "real-mode support"),
            new Cap(KvmApi.CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR", "real-mode support"),
            new Cap(KvmApi.CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM", "firmware ROM slots"),
            new Cap(KvmApi.CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "stopping a running vCPU"),
            new Cap(KvmApi.CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "the guest CPUID table"),
            new Cap(KvmApi.CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS", "interrupt shadow and NMI state"),
            new Cap(KvmApi.CAP_DEBUGREGS, "KVM_CAP_DEBUGREGS", "debug register state"),
            new Cap(KvmApi.CAP_XCRS, "KVM_CAP_XCRS", "XCR0 state"));

    private static final Pattern HW_VIRT = Pattern.compile("(?m)^flags\\s*:.*\\b(vmx|svm)\\b");

    private KvmProbe() { }

    static Result check() {
        KvmFd sys;
        try {
            sys = KvmFd.openSystem();
        } catch (AcceleratorException e) {
            return new Result(new Probe(false, false, e.getMessage()), false);
        }
        try {
            int api = sys.ioctl(KvmApi.GET_API_VERSION, 0);
            if (api != KvmApi.API_VERSION) {
                return new Result(new Probe(false, false, "/dev/kvm speaks API version " + api + ", not " + KvmApi.API_VERSION), false);
            }
            List<String> missing = new ArrayList<>();
            for (Cap c : REQUIRED) if (sys.extension(c.id) == 0) missing.add(c.name + " (" + c.why + ")");
            if (!missing.isEmpty()) {
                return new Result(new Probe(false, false, "/dev/kvm lacks " + String.join(", ", missing)), false);
            }
            String slow = slowReason(readCpuinfo(), isPvm());
            Probe p = slow == null ? new Probe(true, true, "KVM with hardware virtualization")
                    : new Probe(true, false, slow);
            return new Result(p, true);
        } finally {
            sys.close();
        }
    }

    /**
     * Null when KVM runs guests on VT-x/AMD-V; otherwise why it is slow. kvm_pvm (the
     * pagetable-based VM for hosts that are themselves guests) has no hardware assist: the host
     * kernel emulates every guest instruction.
     */
    static String slowReason(String cpuinfo, boolean pvmModule) {
        if (pvmModule) return "/dev/kvm is kvm_pvm: no VT-x/AMD-V, the host kernel emulates every instruction";
        if (cpuinfo != null && !HW_VIRT.matcher(cpuinfo).find()) {
            return "/dev/kvm without VT-x/AMD-V (no vmx/svm in /proc/cpuinfo): the host kernel emulates every instruction";
        }
        return null;
    }

    /** The host's KVM is kvm_pvm (no hardware virtualization). */
    static boolean isPvm() { return Files.isDirectory(Path.of("/sys/module/kvm_pvm")); }

    private static String readCpuinfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return null;
        }
    }
}
