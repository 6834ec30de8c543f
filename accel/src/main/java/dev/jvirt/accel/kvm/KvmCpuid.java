package dev.jvirt.accel.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static dev.jvirt.accel.kvm.KvmLayouts.KVM_CPUID2;
import static dev.jvirt.accel.kvm.KvmLayouts.KVM_CPUID_ENTRY2;

/**
 * The guest's CPUID table: what KVM_GET_SUPPORTED_CPUID offers, passed through, minus the features
 * that only an in-kernel local APIC provides (this backend runs without an irqchip for now).
 */
final class KvmCpuid {
    /** Entry fields as ints: function, index, flags, eax, ebx, ecx, edx. */
    private static final int FUNCTION = 0, INDEX = 1, EAX = 3, EBX = 4, ECX = 5, EDX = 6, INTS = 10;
    private static final int CPUID_1_ECX_X2APIC = 1 << 21, CPUID_1_ECX_TSC_DEADLINE = 1 << 24, CPUID_1_EDX_HTT = 1 << 28;

    private final int[][] entries;
    private final List<String> dropped = new ArrayList<>();

    private KvmCpuid(int[][] entries) {
        this.entries = entries;
        for (int[] e : entries) {
            if (e[FUNCTION] == 1) {
                if ((e[ECX] & CPUID_1_ECX_X2APIC) != 0) dropped.add("x2APIC (CPUID.1:ECX[21]): needs the in-kernel local APIC");
                if ((e[ECX] & CPUID_1_ECX_TSC_DEADLINE) != 0) dropped.add("TSC-deadline timer (CPUID.1:ECX[24]): needs the in-kernel local APIC");
                e[ECX] &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
            }
        }
    }

    static KvmCpuid supported(KvmFd system) {
        for (int n = 128; ; n *= 2) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(KVM_CPUID2.byteSize() + n * KVM_CPUID_ENTRY2.byteSize(), 8);
                buf.set(ValueLayout.JAVA_INT, 0, n);
                int rc = system.ioctl(KvmApi.GET_SUPPORTED_CPUID, buf);
                if (rc == -Libc.E2BIG && n < 4096) continue;
                if (rc < 0) throw KvmException.of("KVM_GET_SUPPORTED_CPUID", rc);
                int nent = buf.get(ValueLayout.JAVA_INT, 0);
                int[][] entries = new int[nent][INTS];
                for (int i = 0; i < nent; i++) {
                    long off = KVM_CPUID2.byteSize() + i * KVM_CPUID_ENTRY2.byteSize();
                    for (int k = 0; k < INTS; k++) entries[i][k] = buf.get(ValueLayout.JAVA_INT, off + 4L * k);
                }
                return new KvmCpuid(entries);
            }
        }
    }

    /** What the guest does not get although the host KVM supports it, one reason each. */
    List<String> dropped() { return List.copyOf(dropped); }

    int count() { return entries.length; }

    /**
     * KVM_SET_CPUID2 for vCPU {@code index} of {@code vcpus}: its initial APIC ID in leaves 1, 0xB and
     * 0x1F, and (as the interpreter's CPUID does) the package's logical processor count in leaf 1.
     */
    void applyTo(KvmFd vcpu, int index, int vcpus) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(KVM_CPUID2.byteSize() + entries.length * KVM_CPUID_ENTRY2.byteSize(), 8);
            buf.set(ValueLayout.JAVA_INT, 0, entries.length);
            for (int i = 0; i < entries.length; i++) {
                int[] e = entries[i].clone();
                if (e[FUNCTION] == 1) {
                    e[EBX] = (e[EBX] & 0x0000_FFFF) | index << 24 | (vcpus > 1 ? vcpus << 16 : 0);
                    if (vcpus > 1) e[EDX] |= CPUID_1_EDX_HTT; else e[EDX] &= ~CPUID_1_EDX_HTT;
                }
                if (e[FUNCTION] == 0xB || e[FUNCTION] == 0x1F) e[EDX] = index;
                long off = KVM_CPUID2.byteSize() + i * KVM_CPUID_ENTRY2.byteSize();
                for (int k = 0; k < INTS; k++) buf.set(ValueLayout.JAVA_INT, off + 4L * k, e[k]);
            }
            vcpu.ioctlOrThrow("KVM_SET_CPUID2", KvmApi.SET_CPUID2, buf);
        }
    }

    /** The (eax, ebx, ecx, edx) KVM offers for a leaf, or null. */
    int[] leaf(int function, int index) {
        for (int[] e : entries) {
            if (e[FUNCTION] == function && (e[INDEX] == index || index == 0)) return new int[] {e[EAX], e[EBX], e[ECX], e[EDX]};
        }
        return null;
    }
}
