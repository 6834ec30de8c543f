package dev.jvirt.accel.kvm;

import dev.jvirt.accel.VCpu.Exit;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.InterruptSource;
import dev.jvirt.devices.VirtualClock;
import dev.jvirt.mmu.IoHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.jvirt.accel.kvm.KvmTestMachine.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** INTR injection without an in-kernel irqchip: the vCPU samples the pin and uses KVM_INTERRUPT. */
class KvmInterruptTest {
    private static final int VECTOR = 0x20, HANDLER = 0x3000;

    @BeforeEach
    void needKvm() { KvmTestMachine.assumeKvm(); }

    /** An 8259-like INTR pin: one vector, raised by the test. */
    private static final class Pin implements InterruptSource {
        volatile boolean raised;
        int acks;

        @Override public boolean intrPending() { return raised; }

        @Override public int acknowledge() {
            acks++;
            raised = false;
            return VECTOR;
        }
    }

    private static final class Port80 implements IoHandler {
        final List<Long> values = new ArrayList<>();

        @Override public long read(long offset, int size) { return 0xFF; }

        @Override public void write(long offset, int size, long value) { values.add(value); }
    }

    private record Setup(KvmTestMachine m, Pin pin, Port80 port) { }

    /** Real-mode IVT entry 0x20 -> 0:0x3000, whose handler writes 0x99 to port 0x80 and halts for good. */
    private static Setup setup(VirtualClock clock, byte[] main) {
        Pin pin = new Pin();
        KvmTestMachine m = new KvmTestMachine(clock, i -> pin);
        Port80 port = new Port80();
        m.ports.register(0x80, 1, port);
        m.ram.load(VECTOR * 4, bytes(HANDLER & 0xFF, HANDLER >> 8, 0, 0));
        m.ram.load(HANDLER, bytes(0xB0, 0x99, 0xE6, 0x80, 0xFA, 0xF4)); // mov al,0x99; out 0x80,al; cli; hlt
        m.startRealMode(main);
        return new Setup(m, pin, port);
    }

    @Test
    void pendingInterruptIsDeliveredOnceInterruptsAreEnabled() {
        Setup s = setup(VirtualClock.realtime(), bytes(0xFB, 0x90, 0xEB, 0xFE)); // sti; nop; jmp $
        try (var m = s.m) {
            s.pin.raised = true;
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(List.of(0x99L), s.port.values);
            assertEquals(1, s.pin.acks);
            CpuState st = new CpuState();
            m.vcpu.getState(st);
            assertEquals(HANDLER + 6, st.rip);
        }
    }

    @Test
    void interruptIsHeldWhileInterruptsAreDisabled() {
        // cli; out 0x80,al (al=0); sti; jmp $  -- the OUT must come before the handler's 0x99
        Setup s = setup(VirtualClock.realtime(), bytes(0xFA, 0xB0, 0x00, 0xE6, 0x80, 0xFB, 0xEB, 0xFE));
        try (var m = s.m) {
            s.pin.raised = true;
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(List.of(0x00L, 0x99L), s.port.values);
        }
    }

    @Test
    void haltedGuestWakesForATimerInterruptInDeterministicTime() {
        VirtualClock clock = VirtualClock.deterministic(0);
        Setup s = setup(clock, bytes(0xFB, 0xF4, 0xEB, 0xFD)); // sti; hlt; jmp back to hlt
        try (var m = s.m) {
            long due = clock.nanos() + 5_000_000_000L; // far beyond what real time would reach during the test
            clock.newTimer("irq0", () -> s.pin.raised = true).arm(due);
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(List.of(0x99L), s.port.values);
            assertEquals(due, clock.nanos(), "idle time was skipped to the deadline, not slept");
        }
    }

    @Test
    void interruptRaisedByAnotherThreadReachesASpinningGuest() throws Exception {
        Setup s = setup(VirtualClock.realtime(), bytes(0xFB, 0xEB, 0xFE)); // sti; jmp $
        try (var m = s.m) {
            CompletableFuture<Exit> run = CompletableFuture.supplyAsync(m.vcpu::run);
            Thread.sleep(100);
            assertFalse(run.isDone());
            synchronized (m.resources.ioLock()) { s.pin.raised = true; }
            Exit e = run.get(5, TimeUnit.SECONDS);
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(List.of(0x99L), s.port.values);
        }
    }

    @Test
    void haltedGuestWakesForAnInterruptRaisedByAnotherThread() throws Exception {
        Setup s = setup(VirtualClock.realtime(), bytes(0xFB, 0xF4, 0xEB, 0xFD)); // sti; hlt; jmp back
        try (var m = s.m) {
            CompletableFuture<Exit> run = CompletableFuture.supplyAsync(m.vcpu::run);
            Thread.sleep(100);
            assertFalse(run.isDone());
            synchronized (m.resources.ioLock()) { s.pin.raised = true; }
            Exit e = run.get(5, TimeUnit.SECONDS);
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(List.of(0x99L), s.port.values);
        }
    }

    @Test
    void requestStopEndsTheWaitOfAHaltedGuestAndTheHaltIsPartOfTheState() throws Exception {
        Setup s = setup(VirtualClock.realtime(), bytes(0xFB, 0xF4, 0xEB, 0xFD));
        try (var m = s.m) {
            CompletableFuture<Exit> run = CompletableFuture.supplyAsync(m.vcpu::run);
            Thread.sleep(100);
            m.vcpu.requestStop();
            assertEquals(Exit.Kind.STOPPED, run.get(1, TimeUnit.SECONDS).kind());
            CpuState st = new CpuState();
            m.vcpu.getState(st);
            assertEquals(true, st.halted);
            assertEquals(KvmTestMachine.CODE + 2, st.rip);
        }
    }

    @Test
    void realtimeTimerFiresWhileTheGuestSpinsWithoutExits() throws Exception {
        VirtualClock clock = VirtualClock.realtime();
        Setup s = setup(clock, bytes(0xFB, 0xEB, 0xFE)); // sti; jmp $
        try (var m = s.m) {
            var timer = clock.newTimer("irq0", () -> s.pin.raised = true);
            timer.arm(clock.nanos() + 50_000_000L);
            Exit e = CompletableFuture.supplyAsync(m.vcpu::run).get(5, TimeUnit.SECONDS);
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(List.of(0x99L), s.port.values);
            assertFalse(timer.armed());
        }
    }
}
