package dev.jvirt.accel;

/** A CPU backend bound to one machine: it makes the vCPUs. */
public interface Accelerator extends AutoCloseable {
    String name();

    VCpu createVcpu(int index);

    @Override
    void close();
}
