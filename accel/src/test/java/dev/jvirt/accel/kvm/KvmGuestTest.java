package dev.jvirt.accel.kvm;

import dev.jvirt.accel.VCpu.Exit;
import dev.jvirt.cpu.CpuState;
import dev.jvirt.mmu.IoHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.jvirt.accel.kvm.KvmTestMachine.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tiny real-mode guests on KVM: every instruction is emulated on a kvm_pvm host, so each is a few bytes. */
class KvmGuestTest {
    private static final int HLT = 0xF4, CLI = 0xFA;

    @BeforeEach
    void needKvm() { KvmTestMachine.assumeKvm(); }

    /** A port device that records writes and answers reads with a fixed value. */
    private static final class Recorder implements IoHandler {
        final List<long[]> writes = new ArrayList<>();
        final long answer;
        int reads;

        Recorder(long answer) { this.answer = answer; }

        @Override public long read(long offset, int size) { reads++; return answer; }

        @Override public void write(long offset, int size, long value) { writes.add(new long[] {offset, size, value}); }
    }

    @Test
    void outReachesThePortHandlerWithSizeAndValue() {
        try (var m = new KvmTestMachine()) {
            Recorder dev = new Recorder(0);
            m.ports.register(0x80, 4, dev);
            // mov al,0x41; out 0x80,al; mov ax,0x1234; out 0x82,ax; cli; hlt
            m.startRealMode(bytes(0xB0, 0x41, 0xE6, 0x80, 0xB8, 0x34, 0x12, 0xE7, 0x82, CLI, HLT));
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(2, dev.writes.size());
            assertEquals(List.of(0L, 1L, 0x41L), List.of(dev.writes.get(0)[0], dev.writes.get(0)[1], dev.writes.get(0)[2]));
            assertEquals(List.of(2L, 2L, 0x1234L), List.of(dev.writes.get(1)[0], dev.writes.get(1)[1], dev.writes.get(1)[2]));
        }
    }

    @Test
    void inReturnsTheHandlersValueToTheGuest() {
        try (var m = new KvmTestMachine()) {
            Recorder dev = new Recorder(0xCAFEBABEL);
            m.ports.register(0x300, 4, dev);
            // mov dx,0x300; in eax,dx (66 ED); in al,0x301 is unaligned within the device: use in al,dx with dx=0x302
            // mov bx, ax ... keep it small: in eax,dx; cli; hlt
            m.startRealMode(bytes(0xBA, 0x00, 0x03, 0x66, 0xED, CLI, HLT));
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            CpuState s = new CpuState();
            m.vcpu.getState(s);
            assertEquals(0xCAFEBABEL, s.gpr[CpuState.RAX] & 0xFFFF_FFFFL);
            assertEquals(1, dev.reads);
            assertTrue(s.halted);
        }
    }

    @Test
    void mmioWriteAndReadReachTheRegionHandler() {
        try (var m = new KvmTestMachine()) {
            Recorder dev = new Recorder(0x5A);
            m.space.addMmio("test", 0xE000_0000L, 0x1000, dev, 1);
            // mov ax,0xE000; mov ds,ax ... real mode reaches only 1 MiB: map the device at 0xD0000 instead.
            m.space.addMmio("low", 0xD0000, 0x1000, dev, 1);
            // mov ax,0xD000; mov ds,ax; mov byte [0x10],0x77; mov al,[0x20]; cli; hlt
            m.startRealMode(bytes(0xB8, 0x00, 0xD0, 0x8E, 0xD8, 0xC6, 0x06, 0x10, 0x00, 0x77, 0xA0, 0x20, 0x00, CLI, HLT));
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(1, dev.writes.size());
            assertEquals(0x10L, dev.writes.get(0)[0]);
            assertEquals(1L, dev.writes.get(0)[1]);
            assertEquals(0x77L, dev.writes.get(0)[2]);
            CpuState s = new CpuState();
            m.vcpu.getState(s);
            assertEquals(0x5A, s.gpr[CpuState.RAX] & 0xFF);
        }
    }

    @Test
    void repOutsbDeliversEveryByteInOrder() {
        try (var m = new KvmTestMachine()) {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            m.ports.register(0xE9, 1, new IoHandler() {
                @Override public long read(long offset, int size) { return 0xFF; }
                @Override public void write(long offset, int size, long value) { seen.write((int) value); }
            });
            byte[] msg = "hello, kvm".getBytes();
            m.ram.load(0x2000, msg);
            // mov si,0x2000; mov cx,len; mov dx,0xE9; cld; rep outsb; cli; hlt
            m.startRealMode(bytes(0xBE, 0x00, 0x20, 0xB9, msg.length, 0x00, 0xBA, 0xE9, 0x00, 0xFC, 0xF3, 0x6E, CLI, HLT));
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals("hello, kvm", seen.toString());
        }
    }

    @Test
    void hltWithInterruptsDisabledHaltsForever() {
        try (var m = new KvmTestMachine()) {
            m.startRealMode(bytes(CLI, HLT));
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            CpuState s = new CpuState();
            m.vcpu.getState(s);
            assertEquals(KvmTestMachine.CODE + 2, s.rip, "RIP is past the HLT");
        }
    }

    @Test
    void undefinedOpcodeWithoutAnIdtTripleFaults() {
        try (var m = new KvmTestMachine()) {
            CpuState s = m.startRealMode(bytes(0x0F, 0x0B)); // ud2
            // Protected mode, flat segments, empty IDT: #UD cannot be delivered, nor the #GP and #DF that follow.
            s.cr0 |= CpuState.CR0_PE;
            s.cs.setFlat(0x08, true);
            for (var seg : new dev.jvirt.cpu.SegmentRegister[] {s.ds, s.es, s.ss, s.fs, s.gs}) seg.setFlat(0x10, false);
            s.idtLimit = 0;
            m.vcpu.setState(s);
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.SHUTDOWN, e.kind(), e.message());
        }
    }

    @Test
    void requestStopEndsATightLoopPromptly() throws Exception {
        try (var m = new KvmTestMachine()) {
            m.startRealMode(bytes(0xEB, 0xFE)); // jmp $
            CompletableFuture<Exit> result = CompletableFuture.supplyAsync(m.vcpu::run);
            Thread.sleep(200);
            assertFalse(result.isDone(), "the guest spins");
            m.vcpu.requestStop();
            Exit e = result.get(1, TimeUnit.SECONDS);
            assertEquals(Exit.Kind.STOPPED, e.kind());
            CpuState s = new CpuState();
            m.vcpu.getState(s);
            assertEquals(KvmTestMachine.CODE, s.rip, "stopped on the loop");
            // The stop was consumed: the next run spins again until the next request.
            CompletableFuture<Exit> again = CompletableFuture.supplyAsync(m.vcpu::run);
            Thread.sleep(100);
            assertFalse(again.isDone());
            m.vcpu.requestStop();
            assertEquals(Exit.Kind.STOPPED, again.get(1, TimeUnit.SECONDS).kind());
        }
    }

    @Test
    void executingFromMmioIsAnErrorNamingRipAndCodeBytes() {
        try (var m = new KvmTestMachine()) {
            // A "device" whose bytes are code: KVM cannot fetch instructions from MMIO.
            m.space.addMmio("rom-like", 0xD0000, 0x1000, new IoHandler() {
                @Override public long read(long offset, int size) { return offset == 0 ? 0x90 : 0xF4; }
                @Override public void write(long offset, int size, long value) { }
            }, 1);
            // jmp 0xD000:0000
            m.startRealMode(bytes(0xEA, 0x00, 0x00, 0x00, 0xD0));
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.ERROR, e.kind(), e.message());
            assertTrue(e.message().contains("KVM_EXIT_INTERNAL_ERROR"), e.message());
            assertTrue(e.message().contains("d000:00000000"), e.message());
            assertTrue(e.message().contains("code bytes: 90 f4 f4"), e.message());
        }
    }

    @Test
    void romRunsInPlaceAndIgnoresWrites() {
        try (var m = new KvmTestMachine()) {
            Recorder dev = new Recorder(0);
            m.ports.register(0x80, 1, dev);
            // At 0xE000:0000 in ROM: mov byte [cs:0x20],0x55; mov al,[cs:0x20]; out 0x80,al; cli; hlt; then data 0xAA at +0x20
            byte[] rom = new byte[0x1000];
            byte[] code = bytes(0x2E, 0xC6, 0x06, 0x20, 0x00, 0x55, 0x2E, 0xA0, 0x20, 0x00, 0xE6, 0x80, CLI, HLT);
            System.arraycopy(code, 0, rom, 0, code.length);
            rom[0x20] = (byte) 0xAA;
            m.space.addRom("option-rom", 0xE0000, rom.length, rom, 1);
            assertTrue(m.accel.slots().installed().stream().anyMatch(sl -> sl.base() == 0xE0000 && sl.flags() == KvmApi.MEM_READONLY),
                    "the ROM is a read-only slot");
            m.startRealMode(bytes(0xEA, 0x00, 0x00, 0x00, 0xE0)); // jmp 0xE000:0000
            Exit e = m.vcpu.run();
            assertEquals(Exit.Kind.HALTED_FOREVER, e.kind(), e.message());
            assertEquals(0xAAL, dev.writes.get(0)[2], "the write to ROM was dropped");
        }
    }

    @Test
    void closingARunningVcpuStopsItFirst() throws Exception {
        try (var m = new KvmTestMachine()) {
            m.startRealMode(bytes(0xEB, 0xFE)); // jmp $
            CompletableFuture<Exit> result = CompletableFuture.supplyAsync(m.vcpu::run);
            Thread.sleep(100);
            m.vcpu.close();
            assertEquals(Exit.Kind.STOPPED, result.get(1, TimeUnit.SECONDS).kind());
            m.vcpu.requestStop(); // harmless once closed
        }
    }
}
