package dev.jvirt.accel.kvm;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.jvirt.accel.kvm.KvmLayouts.KVM_RUN;
import static dev.jvirt.accel.kvm.KvmLayouts.field;
import static dev.jvirt.accel.kvm.KvmLayouts.offset;

/** Typed access to a vCPU's mapped kvm_run page. */
final class KvmRun {
    private static final VarHandle REQUEST_INTERRUPT_WINDOW = field(KVM_RUN, "request_interrupt_window");
    private static final VarHandle IMMEDIATE_EXIT = field(KVM_RUN, "immediate_exit");
    private static final VarHandle EXIT_REASON = field(KVM_RUN, "exit_reason");
    private static final VarHandle READY_FOR_INJECTION = field(KVM_RUN, "ready_for_interrupt_injection");
    private static final VarHandle IF_FLAG = field(KVM_RUN, "if_flag");
    private static final VarHandle IO_DIRECTION = field(KVM_RUN, "exit.io.direction");
    private static final VarHandle IO_SIZE = field(KVM_RUN, "exit.io.size");
    private static final VarHandle IO_PORT = field(KVM_RUN, "exit.io.port");
    private static final VarHandle IO_COUNT = field(KVM_RUN, "exit.io.count");
    private static final VarHandle IO_DATA_OFFSET = field(KVM_RUN, "exit.io.data_offset");
    private static final VarHandle MMIO_PHYS = field(KVM_RUN, "exit.mmio.phys_addr");
    private static final VarHandle MMIO_LEN = field(KVM_RUN, "exit.mmio.len");
    private static final VarHandle MMIO_IS_WRITE = field(KVM_RUN, "exit.mmio.is_write");
    static final long MMIO_DATA = offset(KVM_RUN, "exit.mmio.data");
    private static final VarHandle INTERNAL_SUBERROR = field(KVM_RUN, "exit.internal.suberror");
    private static final VarHandle INTERNAL_NDATA = field(KVM_RUN, "exit.internal.ndata");
    private static final long INTERNAL_DATA = offset(KVM_RUN, "exit.internal.data");
    private static final VarHandle FAIL_REASON = field(KVM_RUN, "exit.fail_entry.hardware_entry_failure_reason");
    private static final VarHandle FAIL_CPU = field(KVM_RUN, "exit.fail_entry.cpu");
    private static final VarHandle EVENT_TYPE = field(KVM_RUN, "exit.system_event.type");

    final MemorySegment seg;

    KvmRun(MemorySegment seg) {
        this.seg = seg;
    }

    void requestInterruptWindow(boolean on) { REQUEST_INTERRUPT_WINDOW.set(seg, 0L, (byte) (on ? 1 : 0)); }

    void immediateExit(boolean on) { IMMEDIATE_EXIT.setVolatile(seg, 0L, (byte) (on ? 1 : 0)); }

    int exitReason() { return (int) EXIT_REASON.get(seg, 0L); }

    boolean readyForInjection() { return (byte) READY_FOR_INJECTION.get(seg, 0L) != 0; }

    boolean ifFlag() { return (byte) IF_FLAG.get(seg, 0L) != 0; }

    int ioDirection() { return (byte) IO_DIRECTION.get(seg, 0L); }

    int ioSize() { return (byte) IO_SIZE.get(seg, 0L) & 0xFF; }

    int ioPort() { return (short) IO_PORT.get(seg, 0L) & 0xFFFF; }

    long ioCount() { return (int) IO_COUNT.get(seg, 0L) & 0xFFFF_FFFFL; }

    long ioDataOffset() { return (long) IO_DATA_OFFSET.get(seg, 0L); }

    long mmioPhys() { return (long) MMIO_PHYS.get(seg, 0L); }

    int mmioLen() { return (int) MMIO_LEN.get(seg, 0L); }

    boolean mmioIsWrite() { return (byte) MMIO_IS_WRITE.get(seg, 0L) != 0; }

    int internalSuberror() { return (int) INTERNAL_SUBERROR.get(seg, 0L); }

    int internalNdata() { return (int) INTERNAL_NDATA.get(seg, 0L); }

    long internalData(int i) { return seg.get(java.lang.foreign.ValueLayout.JAVA_LONG, INTERNAL_DATA + 8L * i); }

    long failEntryReason() { return (long) FAIL_REASON.get(seg, 0L); }

    int failEntryCpu() { return (int) FAIL_CPU.get(seg, 0L); }

    int systemEventType() { return (int) EVENT_TYPE.get(seg, 0L); }
}
