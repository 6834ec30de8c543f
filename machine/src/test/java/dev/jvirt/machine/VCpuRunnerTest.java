package dev.jvirt.machine;

import dev.jvirt.accel.VCpu;
import dev.jvirt.cpu.CpuState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The processor's half of the MP initialization protocol (SDM Vol. 3A 9.4), with a vCPU that halts at once. */
class VCpuRunnerTest {
    /** A vCPU that records the states it is given and halts with interrupts disabled whenever it runs. */
    static final class HaltingVCpu implements VCpu {
        final List<CpuState> states = new CopyOnWriteArrayList<>();
        volatile int runs;

        @Override public int index() { return 0; }

        @Override public Exit run() {
            runs++;
            return new Exit(Exit.Kind.HALTED_FOREVER, "");
        }

        @Override public void requestStop() { }

        @Override public void getState(CpuState into) { }

        @Override public void setState(CpuState from) {
            CpuState s = new CpuState();
            s.copyFrom(from);
            states.add(s);
        }
    }

    private final HaltingVCpu vcpu = new HaltingVCpu();
    private final VCpuRunner.Events events = new VCpuRunner.Events() {
        @Override public void idle() { }
        @Override public void ended(VCpuRunner runner, VCpu.Exit exit) { }
    };
    private VCpuRunner runner;

    private VCpuRunner start(int index) {
        runner = new VCpuRunner(index, 0x663, events);
        runner.setVcpu(vcpu);
        runner.start();
        return runner;
    }

    @AfterEach
    void stop() throws InterruptedException {
        runner.stop();
        runner.join();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) Thread.sleep(10);
        assertTrue(condition.getAsBoolean(), "timed out");
    }

    @Test
    void anApplicationProcessorWaitsForSipiAfterReset() throws InterruptedException {
        VCpuRunner ap = start(1);
        Thread.sleep(50);
        assertEquals(0, vcpu.runs);
        assertEquals(VCpuRunner.MpState.INIT_RECEIVED, ap.state());
    }

    @Test
    void theFirstSipiStartsTheApInRealModeAtTheVectorAndTheSecondIsIgnored() throws InterruptedException {
        VCpuRunner ap = start(1);
        ap.init();
        ap.startup(0x08);
        await(() -> vcpu.runs > 0);
        ap.startup(0x09);
        await(() -> ap.state() == VCpuRunner.MpState.HALTED);
        Thread.sleep(50);
        CpuState s = vcpu.states.getLast();
        assertEquals(0x0800, s.cs.selector);
        assertEquals(0x8000, s.cs.base);
        assertEquals(0, s.rip);
        assertEquals(0x663, s.gpr[CpuState.RDX], "EDX holds the processor signature as after RESET");
        assertEquals(1, vcpu.states.size(), "INIT and the SIPI give one start; the second SIPI none");
    }

    @Test
    void initTakesAHaltedApBackToWaitForSipi() throws InterruptedException {
        VCpuRunner ap = start(1);
        ap.init();
        ap.startup(0x08);
        await(() -> ap.state() == VCpuRunner.MpState.HALTED);
        ap.init();
        await(() -> ap.state() == VCpuRunner.MpState.INIT_RECEIVED);
        int runs = vcpu.runs;
        ap.startup(0x10);
        await(() -> vcpu.runs > runs);
        assertEquals(0x1000, vcpu.states.getLast().cs.selector);
    }

    @Test
    void aSipiWithoutInitIsIgnored() throws InterruptedException {
        VCpuRunner ap = start(1);
        ap.init();
        ap.startup(0x08);
        await(() -> ap.state() == VCpuRunner.MpState.HALTED);
        ap.startup(0x20);
        Thread.sleep(50);
        assertEquals(VCpuRunner.MpState.HALTED, ap.state());
        assertEquals(1, vcpu.states.size());
    }

    @Test
    void initRestartsTheBootstrapProcessorAtTheResetVector() throws InterruptedException {
        VCpuRunner bsp = start(0);
        await(() -> bsp.state() == VCpuRunner.MpState.HALTED);
        bsp.init();
        await(() -> !vcpu.states.isEmpty());
        CpuState s = vcpu.states.getLast();
        assertEquals(0xF000, s.cs.selector);
        assertEquals(0xFFF0, s.rip);
    }

    @Test
    void anInterruptRequestWakesAHaltedVcpu() throws InterruptedException {
        VCpuRunner bsp = start(0);
        await(() -> bsp.state() == VCpuRunner.MpState.HALTED);
        int runs = vcpu.runs;
        bsp.interruptRequest();
        await(() -> vcpu.runs > runs);
    }
}
