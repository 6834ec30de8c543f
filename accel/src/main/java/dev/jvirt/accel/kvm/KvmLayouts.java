package dev.jvirt.accel.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The x86-64 KVM structures (linux/kvm.h, asm/kvm.h) as FFM layouts. KvmLayoutTest compiles a C
 * program against the real headers and checks every size and offset used here.
 */
final class KvmLayouts {
    private KvmLayouts() { }

    static final StructLayout KVM_RUN_IO = structLayout(
            JAVA_BYTE.withName("direction"), JAVA_BYTE.withName("size"), JAVA_SHORT.withName("port"),
            JAVA_INT.withName("count"), JAVA_LONG.withName("data_offset")).withName("io");
    static final StructLayout KVM_RUN_MMIO = structLayout(
            JAVA_LONG.withName("phys_addr"), sequenceLayout(8, JAVA_BYTE).withName("data"), JAVA_INT.withName("len"),
            JAVA_BYTE.withName("is_write"), paddingLayout(3)).withName("mmio");
    static final StructLayout KVM_RUN_INTERNAL = structLayout(
            JAVA_INT.withName("suberror"), JAVA_INT.withName("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"))
            .withName("internal");
    static final StructLayout KVM_RUN_FAIL_ENTRY = structLayout(
            JAVA_LONG.withName("hardware_entry_failure_reason"), JAVA_INT.withName("cpu"), paddingLayout(4))
            .withName("fail_entry");
    static final StructLayout KVM_RUN_SYSTEM_EVENT = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"))
            .withName("system_event");

    /** The fixed head of kvm_run and its 256-byte exit union; the mapping is larger (GET_VCPU_MMAP_SIZE). */
    static final StructLayout KVM_RUN = structLayout(
            JAVA_BYTE.withName("request_interrupt_window"), JAVA_BYTE.withName("immediate_exit"), paddingLayout(6),
            JAVA_INT.withName("exit_reason"), JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"), JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("apic_base"),
            unionLayout(KVM_RUN_IO, KVM_RUN_MMIO, KVM_RUN_INTERNAL, KVM_RUN_FAIL_ENTRY, KVM_RUN_SYSTEM_EVENT,
                    sequenceLayout(256, JAVA_BYTE).withName("padding")).withName("exit"));

    static final StructLayout KVM_REGS = structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags"));

    static final StructLayout KVM_SEGMENT = structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"), JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"), JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"));

    static final StructLayout KVM_DTABLE = structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"), paddingLayout(6));

    static final StructLayout KVM_SREGS = structLayout(
            KVM_SEGMENT.withName("cs"), KVM_SEGMENT.withName("ds"), KVM_SEGMENT.withName("es"),
            KVM_SEGMENT.withName("fs"), KVM_SEGMENT.withName("gs"), KVM_SEGMENT.withName("ss"),
            KVM_SEGMENT.withName("tr"), KVM_SEGMENT.withName("ldt"),
            KVM_DTABLE.withName("gdt"), KVM_DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));

    static final StructLayout KVM_FPU = structLayout(
            sequenceLayout(8, sequenceLayout(16, JAVA_BYTE)).withName("fpr"),
            JAVA_SHORT.withName("fcw"), JAVA_SHORT.withName("fsw"), JAVA_BYTE.withName("ftwx"), JAVA_BYTE.withName("pad1"),
            JAVA_SHORT.withName("last_opcode"), JAVA_LONG.withName("last_ip"), JAVA_LONG.withName("last_dp"),
            sequenceLayout(16, sequenceLayout(16, JAVA_BYTE)).withName("xmm"),
            JAVA_INT.withName("mxcsr"), JAVA_INT.withName("pad2"));

    static final StructLayout KVM_MSR_ENTRY = structLayout(
            JAVA_INT.withName("index"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("data"));
    /** Header only; {@code nmsrs} kvm_msr_entry follow. */
    static final StructLayout KVM_MSRS = structLayout(JAVA_INT.withName("nmsrs"), JAVA_INT.withName("pad"));

    static final StructLayout KVM_CPUID_ENTRY2 = structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            sequenceLayout(3, JAVA_INT).withName("padding"));
    /** Header only; {@code nent} kvm_cpuid_entry2 follow. */
    static final StructLayout KVM_CPUID2 = structLayout(JAVA_INT.withName("nent"), JAVA_INT.withName("padding"));

    static final StructLayout KVM_USERSPACE_MEMORY_REGION = structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr"));

    static final StructLayout KVM_INTERRUPT = structLayout(JAVA_INT.withName("irq"));

    static final StructLayout KVM_TRANSLATION = structLayout(
            JAVA_LONG.withName("linear_address"), JAVA_LONG.withName("physical_address"), JAVA_BYTE.withName("valid"),
            JAVA_BYTE.withName("writeable"), JAVA_BYTE.withName("usermode"), paddingLayout(5));

    static final StructLayout KVM_VCPU_EVENTS = structLayout(
            structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"), JAVA_BYTE.withName("has_error_code"),
                    JAVA_BYTE.withName("pending"), JAVA_INT.withName("error_code")).withName("exception"),
            structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"), JAVA_BYTE.withName("soft"),
                    JAVA_BYTE.withName("shadow")).withName("interrupt"),
            structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("pending"), JAVA_BYTE.withName("masked"),
                    JAVA_BYTE.withName("pad")).withName("nmi"),
            JAVA_INT.withName("sipi_vector"), JAVA_INT.withName("flags"),
            structLayout(JAVA_BYTE.withName("smm"), JAVA_BYTE.withName("pending"), JAVA_BYTE.withName("smm_inside_nmi"),
                    JAVA_BYTE.withName("latched_init")).withName("smi"),
            structLayout(JAVA_BYTE.withName("pending")).withName("triple_fault"),
            sequenceLayout(26, JAVA_BYTE).withName("reserved"),
            JAVA_BYTE.withName("exception_has_payload"), JAVA_LONG.withName("exception_payload"));

    static final StructLayout KVM_DEBUGREGS = structLayout(
            sequenceLayout(4, JAVA_LONG).withName("db"), JAVA_LONG.withName("dr6"), JAVA_LONG.withName("dr7"),
            JAVA_LONG.withName("flags"), sequenceLayout(9, JAVA_LONG).withName("reserved"));

    static final StructLayout KVM_XCR = structLayout(
            JAVA_INT.withName("xcr"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("value"));
    static final StructLayout KVM_XCRS = structLayout(
            JAVA_INT.withName("nr_xcrs"), JAVA_INT.withName("flags"), sequenceLayout(16, KVM_XCR).withName("xcrs"),
            sequenceLayout(16, JAVA_LONG).withName("padding"));

    /** The XSAVE image (legacy FXSAVE area, XSAVE header, extended components) as KVM_GET_XSAVE returns it. */
    static final StructLayout KVM_XSAVE = structLayout(sequenceLayout(1024, JAVA_INT).withName("region"));

    /** A handle on the field at a dotted path ("exit.io.port"), with coordinates (segment, base offset). */
    static VarHandle field(GroupLayout layout, String path) {
        return layout.varHandle(elements(path));
    }

    /** Byte offset of the dotted path; "[n]" selects a sequence element ("xcrs.[0].value"). */
    static long offset(GroupLayout layout, String path) {
        return layout.byteOffset(elements(path));
    }

    private static PathElement[] elements(String path) {
        String[] parts = path.split("\\.");
        PathElement[] out = new PathElement[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            out[i] = p.startsWith("[") ? PathElement.sequenceElement(Long.parseLong(p.substring(1, p.length() - 1)))
                    : PathElement.groupElement(p);
        }
        return out;
    }

    static MemoryLayout layoutOf(String cName) {
        return switch (cName) {
            case "kvm_run" -> KVM_RUN;
            case "kvm_regs" -> KVM_REGS;
            case "kvm_segment" -> KVM_SEGMENT;
            case "kvm_dtable" -> KVM_DTABLE;
            case "kvm_sregs" -> KVM_SREGS;
            case "kvm_fpu" -> KVM_FPU;
            case "kvm_msr_entry" -> KVM_MSR_ENTRY;
            case "kvm_msrs" -> KVM_MSRS;
            case "kvm_cpuid_entry2" -> KVM_CPUID_ENTRY2;
            case "kvm_cpuid2" -> KVM_CPUID2;
            case "kvm_userspace_memory_region" -> KVM_USERSPACE_MEMORY_REGION;
            case "kvm_interrupt" -> KVM_INTERRUPT;
            case "kvm_translation" -> KVM_TRANSLATION;
            case "kvm_vcpu_events" -> KVM_VCPU_EVENTS;
            case "kvm_debugregs" -> KVM_DEBUGREGS;
            case "kvm_xcrs" -> KVM_XCRS;
            case "kvm_xsave" -> KVM_XSAVE;
            default -> throw new IllegalArgumentException(cName);
        };
    }
}
