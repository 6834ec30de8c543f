package dev.jvirt.accel.kvm;

import dev.jvirt.accel.AcceleratorProvider;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvmProbeTest {
    private static final String VMX_HOST = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic vmx smx est\n";
    private static final String SVM_HOST = "processor\t: 0\nflags\t\t: fpu vme de pse svm extapic\n";
    private static final String NESTED_GUEST = "processor\t: 0\nflags\t\t: fpu vme de pse tsc hypervisor lahf_lm\n"
            + "vmx flags\t: vnmi\n"; // "vmx flags" is not the flags line

    @Test
    void hardwareVirtualizationIsFullSpeed() {
        assertNull(KvmProbe.slowReason(VMX_HOST, false));
        assertNull(KvmProbe.slowReason(SVM_HOST, false));
    }

    @Test
    void noVmxOrSvmMeansTheKernelEmulates() {
        String r = KvmProbe.slowReason(NESTED_GUEST, false);
        assertTrue(r != null && r.contains("without VT-x/AMD-V"), r);
    }

    @Test
    void kvmPvmIsNamedAndNeverFullSpeed() {
        String r = KvmProbe.slowReason(VMX_HOST, true);
        assertTrue(r != null && r.contains("kvm_pvm"), r);
    }

    @Test
    void thisHostsProbeMatchesItsKvmModule() {
        AcceleratorProvider.Probe p = new KvmProvider().probe();
        System.out.println("kvm probe on this host: " + p);
        assertFalse(p.reason().isBlank());
        if (KvmProbe.isPvm()) {
            assertTrue(p.usable(), p.reason());
            assertFalse(p.fullSpeed(), "-accel auto must not pick kvm_pvm");
        }
        if (!p.usable()) assertFalse(p.fullSpeed());
    }

    @Test
    void providerIsNamedKvm() {
        assertEquals("kvm", new KvmProvider().name());
    }
}
