package dev.jvirt.accel.kvm;

import static dev.jvirt.accel.kvm.KvmLayouts.*;

/** Request numbers and constants of the KVM API (Documentation/virt/kvm/api.rst, linux/kvm.h). */
final class KvmApi {
    static final int KVMIO = 0xAE;
    static final int API_VERSION = 12;

    // system ioctls
    static final long GET_API_VERSION = Ioctl.io(KVMIO, 0x00);
    static final long CREATE_VM = Ioctl.io(KVMIO, 0x01);
    static final long CHECK_EXTENSION = Ioctl.io(KVMIO, 0x03);
    static final long GET_VCPU_MMAP_SIZE = Ioctl.io(KVMIO, 0x04);
    static final long GET_SUPPORTED_CPUID = Ioctl.iowr(KVMIO, 0x05, KVM_CPUID2.byteSize());
    // VM ioctls
    static final long CREATE_VCPU = Ioctl.io(KVMIO, 0x41);
    static final long SET_USER_MEMORY_REGION = Ioctl.iow(KVMIO, 0x46, KVM_USERSPACE_MEMORY_REGION.byteSize());
    static final long SET_TSS_ADDR = Ioctl.io(KVMIO, 0x47);
    static final long SET_IDENTITY_MAP_ADDR = Ioctl.iow(KVMIO, 0x48, 8);
    // vCPU ioctls
    static final long RUN = Ioctl.io(KVMIO, 0x80);
    static final long GET_REGS = Ioctl.ior(KVMIO, 0x81, KVM_REGS.byteSize());
    static final long SET_REGS = Ioctl.iow(KVMIO, 0x82, KVM_REGS.byteSize());
    static final long GET_SREGS = Ioctl.ior(KVMIO, 0x83, KVM_SREGS.byteSize());
    static final long SET_SREGS = Ioctl.iow(KVMIO, 0x84, KVM_SREGS.byteSize());
    static final long TRANSLATE = Ioctl.iowr(KVMIO, 0x85, KVM_TRANSLATION.byteSize());
    static final long INTERRUPT = Ioctl.iow(KVMIO, 0x86, KVM_INTERRUPT.byteSize());
    static final long GET_MSRS = Ioctl.iowr(KVMIO, 0x88, KVM_MSRS.byteSize());
    static final long SET_MSRS = Ioctl.iow(KVMIO, 0x89, KVM_MSRS.byteSize());
    static final long GET_FPU = Ioctl.ior(KVMIO, 0x8c, KVM_FPU.byteSize());
    static final long SET_FPU = Ioctl.iow(KVMIO, 0x8d, KVM_FPU.byteSize());
    static final long SET_CPUID2 = Ioctl.iow(KVMIO, 0x90, KVM_CPUID2.byteSize());
    static final long NMI = Ioctl.io(KVMIO, 0x9a);
    static final long GET_VCPU_EVENTS = Ioctl.ior(KVMIO, 0x9f, KVM_VCPU_EVENTS.byteSize());
    static final long SET_VCPU_EVENTS = Ioctl.iow(KVMIO, 0xa0, KVM_VCPU_EVENTS.byteSize());
    static final long GET_DEBUGREGS = Ioctl.ior(KVMIO, 0xa1, KVM_DEBUGREGS.byteSize());
    static final long SET_DEBUGREGS = Ioctl.iow(KVMIO, 0xa2, KVM_DEBUGREGS.byteSize());
    static final long GET_XSAVE = Ioctl.ior(KVMIO, 0xa4, KVM_XSAVE.byteSize());
    static final long SET_XSAVE = Ioctl.iow(KVMIO, 0xa5, KVM_XSAVE.byteSize());
    static final long GET_XCRS = Ioctl.ior(KVMIO, 0xa6, KVM_XCRS.byteSize());
    static final long SET_XCRS = Ioctl.iow(KVMIO, 0xa7, KVM_XCRS.byteSize());

    // capabilities
    static final int CAP_USER_MEMORY = 3, CAP_SET_TSS_ADDR = 4, CAP_EXT_CPUID = 7, CAP_NR_MEMSLOTS = 10,
            CAP_SET_IDENTITY_MAP_ADDR = 37, CAP_VCPU_EVENTS = 41, CAP_DEBUGREGS = 50, CAP_XSAVE = 55, CAP_XCRS = 56,
            CAP_READONLY_MEM = 81, CAP_IMMEDIATE_EXIT = 136;

    // exit reasons
    static final int EXIT_UNKNOWN = 0, EXIT_EXCEPTION = 1, EXIT_IO = 2, EXIT_HYPERCALL = 3, EXIT_DEBUG = 4, EXIT_HLT = 5,
            EXIT_MMIO = 6, EXIT_IRQ_WINDOW_OPEN = 7, EXIT_SHUTDOWN = 8, EXIT_FAIL_ENTRY = 9, EXIT_INTR = 10,
            EXIT_INTERNAL_ERROR = 17, EXIT_SYSTEM_EVENT = 24;
    static final int EXIT_IO_IN = 0, EXIT_IO_OUT = 1;
    static final int SYSTEM_EVENT_SHUTDOWN = 1, SYSTEM_EVENT_RESET = 2, SYSTEM_EVENT_CRASH = 3;

    static final int MEM_READONLY = 1 << 1;
    static final int VCPUEVENT_VALID_NMI_PENDING = 1, VCPUEVENT_VALID_SIPI_VECTOR = 2, VCPUEVENT_VALID_SHADOW = 4;
    static final int X86_SHADOW_INT_MOV_SS = 1, X86_SHADOW_INT_STI = 2;

    private KvmApi() { }

    static String exitName(int reason) {
        return switch (reason) {
            case EXIT_UNKNOWN -> "KVM_EXIT_UNKNOWN";
            case EXIT_EXCEPTION -> "KVM_EXIT_EXCEPTION";
            case EXIT_IO -> "KVM_EXIT_IO";
            case EXIT_HYPERCALL -> "KVM_EXIT_HYPERCALL";
            case EXIT_DEBUG -> "KVM_EXIT_DEBUG";
            case EXIT_HLT -> "KVM_EXIT_HLT";
            case EXIT_MMIO -> "KVM_EXIT_MMIO";
            case EXIT_IRQ_WINDOW_OPEN -> "KVM_EXIT_IRQ_WINDOW_OPEN";
            case EXIT_SHUTDOWN -> "KVM_EXIT_SHUTDOWN";
            case EXIT_FAIL_ENTRY -> "KVM_EXIT_FAIL_ENTRY";
            case EXIT_INTR -> "KVM_EXIT_INTR";
            case EXIT_INTERNAL_ERROR -> "KVM_EXIT_INTERNAL_ERROR";
            case EXIT_SYSTEM_EVENT -> "KVM_EXIT_SYSTEM_EVENT";
            default -> "exit reason " + reason;
        };
    }

    static String internalErrorName(int suberror) {
        return switch (suberror) {
            case 1 -> "emulation failure";
            case 2 -> "exception while delivering an exception";
            case 3 -> "event delivery failed";
            case 4 -> "unexpected exit reason";
            default -> "suberror " + suberror;
        };
    }
}
