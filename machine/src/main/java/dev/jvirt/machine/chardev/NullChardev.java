package dev.jvirt.machine.chardev;

/** QEMU's {@code null}: output discarded, no input. */
final class NullChardev implements HostChardev {
    @Override public void write(int b) { }

    @Override public void close() { }

    @Override public String toString() { return "null"; }
}
