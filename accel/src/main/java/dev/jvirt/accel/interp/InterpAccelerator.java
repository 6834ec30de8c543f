package dev.jvirt.accel.interp;

import dev.jvirt.accel.Accelerator;
import dev.jvirt.accel.MachineResources;
import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.MsrDevice;
import dev.jvirt.cpu.x87.FpuUnit;
import dev.jvirt.mmu.A20Gate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/** The interpreter bound to one machine. */
public final class InterpAccelerator implements Accelerator {
    private final MachineResources machine;
    private A20Gate a20;
    private Function<CpuState, FpuUnit> fpuFactory = InterpAccelerator::defaultFpu;
    private CpuModel cpuModel = CpuModels.DEFAULT;
    private IntFunction<MsrDevice> msrDevices = i -> null;

    public InterpAccelerator(MachineResources machine) {
        this.machine = machine;
    }

    @Override
    public String name() { return "interp"; }

    /**
     * The board's A20 gate: every vCPU masks physical addresses with it (default: always enabled), and
     * this accelerator becomes the gate's listener, flushing all vCPUs' TLBs when it changes.
     */
    public synchronized void setA20Gate(A20Gate gate) {
        this.a20 = gate;
        for (InterpVCpu v : vcpus) v.cpu().setA20(gate);
        if (gate != null) gate.setListener(this::flushAll);
    }

    private synchronized void flushAll() {
        for (InterpVCpu v : vcpus) v.cpu().stateChanged();
    }

    private final List<InterpVCpu> vcpus = new ArrayList<>();

    /** How each vCPU gets its x87 unit; the default is {@code dev.jvirt.cpu.x87.X87} when present. Null result: no FPU. */
    public void setFpuFactory(Function<CpuState, FpuUnit> factory) { this.fpuFactory = factory; }

    /** The CPU model every vCPU's CPUID reports (default {@link CpuModels#DEFAULT}). */
    public synchronized void setCpuModel(CpuModel model) {
        this.cpuModel = java.util.Objects.requireNonNull(model);
        for (InterpVCpu v : vcpus) v.cpu().setCpuModel(model);
    }

    /** The board's MSRs for vCPU {@code index} (its local APIC); the function may return null for none. */
    public synchronized void setMsrDevices(IntFunction<MsrDevice> perVcpu) {
        this.msrDevices = java.util.Objects.requireNonNull(perVcpu);
        for (InterpVCpu v : vcpus) v.cpu().setMsrDevice(perVcpu.apply(v.index()));
    }

    @Override
    public synchronized VCpu createVcpu(int index) {
        InterpVCpu v = new InterpVCpu(index, machine, a20, fpuFactory);
        v.cpu().setTopology(index, machine.vcpus());
        v.cpu().setCpuModel(cpuModel);
        v.cpu().setMsrDevice(msrDevices.apply(index));
        vcpus.add(v);
        return v;
    }

    @Override
    public void close() { }

    private static FpuUnit defaultFpu(CpuState state) {
        try {
            Class<?> c = Class.forName("dev.jvirt.cpu.x87.X87");
            return (FpuUnit) c.getConstructor(CpuState.class).newInstance(state);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
