package dev.jvirt.accel.kvm;

import dev.jvirt.accel.AcceleratorException;

/** A KVM call failed; the message names the ioctl and the host's errno text. */
final class KvmException {
    private KvmException() { }

    static AcceleratorException of(String what, int negErrno) {
        return new AcceleratorException("KVM: " + what + " failed: " + Libc.strerror(-negErrno) + " (errno " + -negErrno + ")");
    }
}
