package dev.jvirt.accel.kvm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles a C program against the host's linux/kvm.h and checks every struct size, field offset and
 * field size of {@link KvmLayouts}, every ioctl number of {@link KvmApi}, and glibc's struct sigaction.
 */
class KvmLayoutTest {
    private static final String[] STRUCTS = {"kvm_run", "kvm_regs", "kvm_segment", "kvm_dtable", "kvm_sregs", "kvm_fpu",
            "kvm_msr_entry", "kvm_msrs", "kvm_cpuid_entry2", "kvm_cpuid2", "kvm_userspace_memory_region", "kvm_interrupt",
            "kvm_translation", "kvm_vcpu_events", "kvm_debugregs", "kvm_xcrs", "kvm_xsave"};

    private record Check(String key, String cExpr, long javaValue) { }

    private static final List<Check> CHECKS = new ArrayList<>();
    private static Map<String, Long> fromC;

    @BeforeAll
    static void compileAndRun() throws Exception {
        for (String s : STRUCTS) {
            MemoryLayout l = KvmLayouts.layoutOf(s);
            if (s.equals("kvm_run")) {
                // kvm_run continues past the exit union (sync regs); the layout covers everything before.
                CHECKS.add(new Check("kvm_run head", "offsetof(struct kvm_run, kvm_valid_regs)", l.byteSize()));
            } else {
                CHECKS.add(new Check("sizeof " + s, "sizeof(struct " + s + ")", l.byteSize()));
            }
            walk(s, (GroupLayout) l, "", "", 0);
        }
        ioctl("KVM_GET_API_VERSION", KvmApi.GET_API_VERSION);
        ioctl("KVM_CREATE_VM", KvmApi.CREATE_VM);
        ioctl("KVM_CHECK_EXTENSION", KvmApi.CHECK_EXTENSION);
        ioctl("KVM_GET_VCPU_MMAP_SIZE", KvmApi.GET_VCPU_MMAP_SIZE);
        ioctl("KVM_GET_SUPPORTED_CPUID", KvmApi.GET_SUPPORTED_CPUID);
        ioctl("KVM_CREATE_VCPU", KvmApi.CREATE_VCPU);
        ioctl("KVM_SET_USER_MEMORY_REGION", KvmApi.SET_USER_MEMORY_REGION);
        ioctl("KVM_SET_TSS_ADDR", KvmApi.SET_TSS_ADDR);
        ioctl("KVM_SET_IDENTITY_MAP_ADDR", KvmApi.SET_IDENTITY_MAP_ADDR);
        ioctl("KVM_RUN", KvmApi.RUN);
        ioctl("KVM_GET_REGS", KvmApi.GET_REGS);
        ioctl("KVM_SET_REGS", KvmApi.SET_REGS);
        ioctl("KVM_GET_SREGS", KvmApi.GET_SREGS);
        ioctl("KVM_SET_SREGS", KvmApi.SET_SREGS);
        ioctl("KVM_TRANSLATE", KvmApi.TRANSLATE);
        ioctl("KVM_INTERRUPT", KvmApi.INTERRUPT);
        ioctl("KVM_GET_MSRS", KvmApi.GET_MSRS);
        ioctl("KVM_SET_MSRS", KvmApi.SET_MSRS);
        ioctl("KVM_GET_FPU", KvmApi.GET_FPU);
        ioctl("KVM_SET_FPU", KvmApi.SET_FPU);
        ioctl("KVM_SET_CPUID2", KvmApi.SET_CPUID2);
        ioctl("KVM_NMI", KvmApi.NMI);
        ioctl("KVM_GET_VCPU_EVENTS", KvmApi.GET_VCPU_EVENTS);
        ioctl("KVM_SET_VCPU_EVENTS", KvmApi.SET_VCPU_EVENTS);
        ioctl("KVM_GET_DEBUGREGS", KvmApi.GET_DEBUGREGS);
        ioctl("KVM_SET_DEBUGREGS", KvmApi.SET_DEBUGREGS);
        ioctl("KVM_GET_XSAVE", KvmApi.GET_XSAVE);
        ioctl("KVM_SET_XSAVE", KvmApi.SET_XSAVE);
        ioctl("KVM_GET_XCRS", KvmApi.GET_XCRS);
        ioctl("KVM_SET_XCRS", KvmApi.SET_XCRS);
        constant("KVM_CAP_USER_MEMORY", KvmApi.CAP_USER_MEMORY);
        constant("KVM_CAP_SET_TSS_ADDR", KvmApi.CAP_SET_TSS_ADDR);
        constant("KVM_CAP_EXT_CPUID", KvmApi.CAP_EXT_CPUID);
        constant("KVM_CAP_NR_MEMSLOTS", KvmApi.CAP_NR_MEMSLOTS);
        constant("KVM_CAP_SET_IDENTITY_MAP_ADDR", KvmApi.CAP_SET_IDENTITY_MAP_ADDR);
        constant("KVM_CAP_VCPU_EVENTS", KvmApi.CAP_VCPU_EVENTS);
        constant("KVM_CAP_DEBUGREGS", KvmApi.CAP_DEBUGREGS);
        constant("KVM_CAP_XCRS", KvmApi.CAP_XCRS);
        constant("KVM_CAP_XSAVE", KvmApi.CAP_XSAVE);
        constant("KVM_CAP_READONLY_MEM", KvmApi.CAP_READONLY_MEM);
        constant("KVM_CAP_IMMEDIATE_EXIT", KvmApi.CAP_IMMEDIATE_EXIT);
        constant("KVM_EXIT_IO", KvmApi.EXIT_IO);
        constant("KVM_EXIT_HLT", KvmApi.EXIT_HLT);
        constant("KVM_EXIT_MMIO", KvmApi.EXIT_MMIO);
        constant("KVM_EXIT_IRQ_WINDOW_OPEN", KvmApi.EXIT_IRQ_WINDOW_OPEN);
        constant("KVM_EXIT_SHUTDOWN", KvmApi.EXIT_SHUTDOWN);
        constant("KVM_EXIT_FAIL_ENTRY", KvmApi.EXIT_FAIL_ENTRY);
        constant("KVM_EXIT_INTR", KvmApi.EXIT_INTR);
        constant("KVM_EXIT_INTERNAL_ERROR", KvmApi.EXIT_INTERNAL_ERROR);
        constant("KVM_EXIT_SYSTEM_EVENT", KvmApi.EXIT_SYSTEM_EVENT);
        constant("KVM_EXIT_IO_OUT", KvmApi.EXIT_IO_OUT);
        constant("KVM_MEM_READONLY", KvmApi.MEM_READONLY);
        constant("KVM_VCPUEVENT_VALID_NMI_PENDING", KvmApi.VCPUEVENT_VALID_NMI_PENDING);
        constant("KVM_VCPUEVENT_VALID_SHADOW", KvmApi.VCPUEVENT_VALID_SHADOW);
        constant("KVM_X86_SHADOW_INT_STI", KvmApi.X86_SHADOW_INT_STI);
        CHECKS.add(new Check("sizeof sigaction", "sizeof(struct sigaction)", Libc.SIGACTION.byteSize()));
        CHECKS.add(new Check("sigaction.sa_mask", "offsetof(struct sigaction, sa_mask)", Libc.SA_MASK_OFFSET));
        CHECKS.add(new Check("sigaction.sa_flags", "offsetof(struct sigaction, sa_flags)",
                KvmLayouts.offset(Libc.SIGACTION, "sa_flags")));
        CHECKS.add(new Check("sigaction.sa_restorer", "offsetof(struct sigaction, sa_restorer)",
                KvmLayouts.offset(Libc.SIGACTION, "sa_restorer")));
        CHECKS.add(new Check("sizeof sigset_t", "sizeof(sigset_t)", Libc.SIGSET_SIZE));
        constant("SA_RESTART", Libc.SA_RESTART);
        constant("O_CLOEXEC", Libc.O_CLOEXEC);

        StringBuilder c = new StringBuilder("""
                #define _GNU_SOURCE
                #include <stddef.h>
                #include <stdio.h>
                #include <signal.h>
                #include <fcntl.h>
                #include <linux/kvm.h>
                int main(void) {
                """);
        for (Check k : CHECKS) c.append("  printf(\"%s=%llu\\n\", \"").append(k.key).append("\", (unsigned long long)(")
                .append(k.cExpr).append("));\n");
        c.append("  return 0;\n}\n");

        Path dir = Files.createTempDirectory("kvm-layout");
        Path src = dir.resolve("layout.c"), exe = dir.resolve("layout");
        Files.writeString(src, c);
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.out.println("KvmLayoutTest skipped: gcc is not available (" + e.getMessage() + ")");
            Assumptions.abort("gcc is not available");
            return;
        }
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS));
        if (gcc.exitValue() != 0 && gccOut.contains("linux/kvm.h")) {
            System.out.println("KvmLayoutTest skipped: linux/kvm.h not installed");
            Assumptions.abort("linux/kvm.h not installed");
        }
        assertEquals(0, gcc.exitValue(), gccOut);
        Process p = new ProcessBuilder(exe.toString()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        fromC = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.lastIndexOf('=');
            if (eq > 0) fromC.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
    }

    /** Adds offset and size checks for every named member, descending into nested structs and first elements. */
    private static void walk(String struct, GroupLayout g, String jPath, String cPath, long base) {
        for (MemoryLayout m : g.memberLayouts()) {
            if (m instanceof PaddingLayout || m.name().isEmpty()) continue;
            String name = m.name().get();
            long off = base + g.byteOffset(MemoryLayout.PathElement.groupElement(name));
            // The exit union of kvm_run is anonymous in C.
            boolean anonymous = struct.equals("kvm_run") && name.equals("exit");
            String c = anonymous ? cPath : cPath + name;
            String j = jPath + name;
            if (!anonymous) {
                CHECKS.add(new Check(struct + "." + j, "offsetof(struct " + struct + ", " + c + ")", off));
                CHECKS.add(new Check("sizeof " + struct + "." + j, "sizeof(((struct " + struct + " *)0)->" + c + ")", m.byteSize()));
            }
            if (m instanceof GroupLayout sub) {
                walk(struct, sub, j + ".", anonymous ? cPath : c + ".", off);
            } else if (m instanceof SequenceLayout seq && seq.elementLayout() instanceof GroupLayout elem) {
                walk(struct, elem, j + "[0].", c + "[0].", off);
            }
        }
    }

    private static void ioctl(String name, long value) { CHECKS.add(new Check(name, name, value)); }

    private static void constant(String name, long value) { CHECKS.add(new Check(name, name, value)); }

    @Test
    void everyLayoutOffsetSizeAndIoctlNumberMatchesTheHeaders() {
        assertTrue(CHECKS.size() > 200, "the walk found the fields");
        List<String> wrong = new ArrayList<>();
        for (Check k : CHECKS) {
            Long c = fromC.get(k.key);
            if (c == null) wrong.add(k.key + ": not printed by the C program");
            else if (c != k.javaValue) wrong.add(k.key + ": C says " + c + ", Java has " + k.javaValue);
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void ioctlEncodingFollowsAsmGenericIoctlH() {
        // _IOWR(KVMIO, 0x05, struct kvm_cpuid2): dir 3, size 8, type 0xAE, nr 5
        assertEquals(0xC008AE05L, Ioctl.iowr(0xAE, 0x05, 8));
        assertEquals(0x0000AE80L, Ioctl.io(0xAE, 0x80));
        assertEquals(0x8090AE81L, Ioctl.ior(0xAE, 0x81, 144));
        assertEquals(0x4020AE46L, Ioctl.iow(0xAE, 0x46, 32));
    }
}
