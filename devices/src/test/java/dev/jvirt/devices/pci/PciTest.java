package dev.jvirt.devices.pci;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.IoHandler;
import dev.jvirt.mmu.PcMemoryLayout;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PciTest {
    /** A function with an I/O BAR, a 32-bit memory BAR, a 64-bit prefetchable BAR and MSI. */
    static final class TestFunction extends PciDevice {
        final MsiCapability msi;

        TestFunction(IoHandler io, IoHandler mem) {
            super("test-fn", 0x1AF4, 0x1000, 0x020000, 0x01, 0x00);
            defineIoBar(0, 32, io);
            defineMemoryBar(1, 4096, false, false, mem);
            defineMemoryBar(2, 1 << 20, true, true, mem);
            setInterruptPin(1);
            msi = new MsiCapability(this, 0x40, 4, true, true);
        }
    }

    /** Answers reads with a fixed pattern so tests can see which device decodes an address. */
    static final class Pattern implements IoHandler {
        final long value;

        Pattern(long value) { this.value = value; }

        @Override public long read(long offset, int size) { return IoHandler.mask(value + offset, size); }

        @Override public void write(long offset, int size, long v) { }
    }

    static final class Machine implements MachineControl {
        int resets;

        @Override public void requestExit(int status) { }
        @Override public void requestReset() { resets++; }
        @Override public void requestPowerOff() { }
    }

    GuestRam ram;
    AddressSpace memory;
    PortSpace ports;
    PciBus bus;
    boolean[] irqs;
    Machine machine;
    I440fxHostBridge host;
    Piix3IsaBridge isa;
    TestFunction fn;
    List<long[]> msis;

    @BeforeEach
    void setUp() {
        ram = GuestRam.allocate(16 << 20);
        memory = new AddressSpace(ram);
        PcMemoryLayout.forRamSize(16 << 20).map(memory);
        ports = new PortSpace();
        bus = new PciBus();
        bus.setMapper(new PciIoMapper(ports, memory));
        irqs = new boolean[16];
        machine = new Machine();
        host = new I440fxHostBridge();
        isa = new Piix3IsaBridge((gsi, level) -> irqs[gsi] = level);
        bus.add(0, 0, host);
        bus.add(1, 0, isa);
        bus.setPirqSink(isa);
        fn = new TestFunction(new Pattern(0x1234), new Pattern(0x5678_0000L));
        bus.add(3, 0, fn);
        msis = new ArrayList<>();
        fn.msi.setSink((a, d) -> msis.add(new long[] {a, d}));
        ports.register(PciConfigIo.PORT, PciConfigIo.LENGTH, new PciConfigIo(bus, new Piix3ResetControl(machine)));
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    static int address(int slot, int fn, int reg) {
        return 0x8000_0000 | slot << 11 | fn << 8 | (reg & 0xFC);
    }

    long cfgRead(int slot, int f, int reg, int size) {
        ports.write(0xCF8, 4, address(slot, f, reg));
        return ports.read(0xCFC + (reg & 3), size);
    }

    void cfgWrite(int slot, int f, int reg, int size, long v) {
        ports.write(0xCF8, 4, address(slot, f, reg));
        ports.write(0xCFC + (reg & 3), size, v);
    }

    @Test
    void configAddressIsDwordOnlyAndReadsBack() {
        ports.write(0xCF8, 4, 0x8000_0000L);
        assertEquals(0x8000_0000L, ports.read(0xCF8, 4));
        ports.write(0xCF8, 4, 0x8012_3457L);
        assertEquals(0x8012_3454L, ports.read(0xCF8, 4), "bits 1:0 and 30:24 read 0");
        ports.write(0xCFA, 2, 0);
        assertEquals(0x8012_3454L, ports.read(0xCF8, 4), "a word write is not CONFIG_ADDRESS");
    }

    @Test
    void identityRegistersAtEveryAccessSizeAndByteLane() {
        assertEquals(0x1237_8086L, cfgRead(0, 0, 0, 4));
        assertEquals(0x8086, cfgRead(0, 0, 0, 2));
        assertEquals(0x1237, cfgRead(0, 0, 2, 2));
        assertEquals(0x12, cfgRead(0, 0, 3, 1));
        assertEquals(0x7000_8086L, cfgRead(1, 0, 0, 4));
        assertEquals(0x80, cfgRead(1, 0, PciDevice.HEADER_TYPE, 1), "PIIX3 is multi-function");
        assertEquals(0x0601_0000L, cfgRead(1, 0, 0x08, 4) & 0xFFFF_FF00L);
        assertEquals(0x0600_0002L, cfgRead(0, 0, 0x08, 4));
    }

    @Test
    void emptySlotsDisabledAccessAndOtherBusesReadAllOnes() {
        assertEquals(0xFFFF_FFFFL, cfgRead(5, 0, 0, 4));
        assertEquals(0xFFFF, cfgRead(5, 0, 0, 2));
        assertEquals(0xFFFF_FFFFL, cfgRead(0, 1, 0, 4), "function 1 of the host bridge is absent");
        ports.write(0xCF8, 4, 0x0000_0000L);
        assertEquals(0xFFFF_FFFFL, ports.read(0xCFC, 4), "enable bit clear: no configuration cycle");
        ports.write(0xCF8, 4, 0x8001_0000L);
        assertEquals(0xFFFF_FFFFL, ports.read(0xCFC, 4), "bus 1 does not exist");
    }

    @Test
    void barSizingReturnsTheSizeMaskWithTypeBits() {
        for (int bar = 0; bar < 6; bar++) cfgWrite(3, 0, 0x10 + 4 * bar, 4, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFE1L, cfgRead(3, 0, 0x10, 4), "32-byte I/O BAR");
        assertEquals(0xFFFF_F000L, cfgRead(3, 0, 0x14, 4), "4 KiB 32-bit memory BAR");
        assertEquals(0xFFF0_000CL, cfgRead(3, 0, 0x18, 4), "1 MiB 64-bit prefetchable, low half");
        assertEquals(0xFFFF_FFFFL, cfgRead(3, 0, 0x1C, 4), "high half all writable");
        assertEquals(0, cfgRead(3, 0, 0x20, 4), "unimplemented BAR reads 0");
        assertEquals(0, cfgRead(0, 0, 0x10, 4), "host bridge has no BARs");
    }

    @Test
    void barsAreDecodedOnlyWithTheirCommandEnable() {
        cfgWrite(3, 0, 0x10, 4, 0xC000);
        cfgWrite(3, 0, 0x14, 4, 0xFEB0_0000L);
        cfgWrite(3, 0, 0x18, 4, 0x0000_0000L);
        cfgWrite(3, 0, 0x1C, 4, 0x0000_0001L);
        assertEquals(0xFFFF, ports.read(0xC004, 2));
        assertEquals(0xFFFF_FFFFL, memory.read(0xFEB0_0000L, 4));
        cfgWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_IO);
        assertEquals(0x1238, ports.read(0xC004, 2));
        assertEquals(0xFFFF_FFFFL, memory.read(0xFEB0_0000L, 4), "memory decode still off");
        cfgWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_IO | PciDevice.COMMAND_MEMORY);
        assertEquals(0x5678_0010L, memory.read(0xFEB0_0010L, 4));
        assertEquals(0x5678_0008L, memory.read(0x1_0000_0008L, 4), "64-bit BAR above 4 GiB");
        cfgWrite(3, 0, 0x10, 4, 0xD000);
        assertEquals(0xFFFF, ports.read(0xC004, 2), "moved away");
        assertEquals(0x1234, ports.read(0xD000, 2));
        cfgWrite(3, 0, PciDevice.COMMAND, 2, 0);
        assertEquals(0xFFFF, ports.read(0xD000, 2));
        assertEquals(0xFFFF_FFFFL, memory.read(0xFEB0_0000L, 4));
    }

    @Test
    void aBarOverAnotherDevicesPortsStaysUndecodedWithoutHarm() {
        cfgWrite(3, 0, 0x10, 4, 0xCE0);
        cfgWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_IO);
        assertEquals(0xCE1, cfgRead(3, 0, 0x10, 4), "the register holds what was written");
        assertEquals(0xFFFF, ports.read(0xCE0, 2), "but the clashing range is not decoded");
        ports.write(0xCF8, 4, 0x8000_0000L);
        assertEquals(0x8000_0000L, ports.read(0xCF8, 4), "config ports still ours");
        cfgWrite(3, 0, PciDevice.COMMAND, 2, 0);
        ports.write(0xCF8, 4, 0x8000_0004L);
        assertEquals(0x8000_0004L, ports.read(0xCF8, 4), "unmapping did not release ports it never had");
    }

    @Test
    void readOnlyBitsAndWriteOneToClearStatus() {
        cfgWrite(3, 0, 0, 4, 0);
        assertEquals(0x1000_1AF4L, cfgRead(3, 0, 0, 4));
        fn.set16(PciDevice.STATUS, fn.get16(PciDevice.STATUS) | 0x2000);
        cfgWrite(3, 0, PciDevice.STATUS, 2, 0x2000);
        assertEquals(0, cfgRead(3, 0, PciDevice.STATUS, 2) & 0x2000);
        assertTrue((cfgRead(3, 0, PciDevice.STATUS, 2) & PciDevice.STATUS_CAPABILITIES) != 0);
        cfgWrite(3, 0, PciDevice.INTERRUPT_LINE, 2, 0xFF0B);
        assertEquals(0x010B, cfgRead(3, 0, PciDevice.INTERRUPT_LINE, 2), "line writable, pin not");
    }

    @Test
    void intxRoutesThroughPiix3PirqRegisters() {
        // Slot 3 INTA# is PIRQ[(3 + 0 - 1) & 3] = PIRQC#.
        assertEquals(2, PciBus.pirqOf(3, 0));
        fn.setIntx(true);
        assertTrue((cfgRead(3, 0, PciDevice.STATUS, 2) & PciDevice.STATUS_INTERRUPT) != 0);
        for (boolean b : irqs) assertFalse(b, "PIRQ routing disabled at reset");
        cfgWrite(1, 0, Piix3IsaBridge.PIRQRC + 2, 1, 11);
        assertEquals(11, isa.pirqToIrq(2));
        assertTrue(irqs[11]);
        cfgWrite(1, 0, Piix3IsaBridge.PIRQRC + 2, 1, 10);
        assertFalse(irqs[11], "the old route is released");
        assertTrue(irqs[10]);
        cfgWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_INTX_DISABLE);
        assertFalse(irqs[10], "Interrupt Disable masks INTx");
        assertTrue((cfgRead(3, 0, PciDevice.STATUS, 2) & PciDevice.STATUS_INTERRUPT) != 0, "status still shows it");
        cfgWrite(3, 0, PciDevice.COMMAND, 2, 0);
        assertTrue(irqs[10]);
        fn.setIntx(false);
        assertFalse(irqs[10]);
        cfgWrite(1, 0, Piix3IsaBridge.PIRQRC, 1, 0x02);
        assertEquals(-1, isa.pirqToIrq(0), "IRQ 2 is reserved");
    }

    @Test
    void msiDeliversAddressAndDataAndHoldsMaskedVectorsPending() {
        int cap = (int) cfgRead(3, 0, PciDevice.CAPABILITIES_POINTER, 1);
        assertEquals(0x40, cap);
        assertEquals(MsiCapability.ID, cfgRead(3, 0, cap, 1));
        assertEquals(0, cfgRead(3, 0, cap + 1, 1), "end of list");
        assertEquals(0x0184, cfgRead(3, 0, cap + 2, 2), "per-vector mask, 64-bit, 4 vectors requested");
        assertFalse(fn.msi.notify(0), "disabled: caller uses INTx");
        cfgWrite(3, 0, cap + 4, 4, 0xFEE0_0003L);
        cfgWrite(3, 0, cap + 8, 4, 0);
        cfgWrite(3, 0, cap + 0x0C, 2, 0x4140);
        cfgWrite(3, 0, cap + 2, 2, 0x0021); // enable, 4 vectors allocated
        assertEquals(0xFEE0_0000L, cfgRead(3, 0, cap + 4, 4));
        assertTrue(fn.msi.notify(1));
        assertEquals(0, msis.size(), "no bus mastering, no memory write");
        cfgWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_BUS_MASTER);
        assertTrue(fn.msi.notify(3));
        assertArrayEquals(new long[] {0xFEE0_0000L, 0x4143}, msis.getFirst());
        cfgWrite(3, 0, cap + 0x10, 4, 0b0100);
        assertTrue(fn.msi.notify(2));
        assertEquals(1, msis.size());
        assertEquals(0b0100, cfgRead(3, 0, cap + 0x14, 4), "pending bit");
        cfgWrite(3, 0, cap + 0x10, 4, 0);
        assertEquals(2, msis.size());
        assertArrayEquals(new long[] {0xFEE0_0000L, 0x4142}, msis.get(1));
        assertEquals(0, cfgRead(3, 0, cap + 0x14, 4));
    }

    @Test
    void resetControlRegisterAt0xCF9() {
        ports.write(0xCF9, 1, 0x02);
        assertEquals(0, machine.resets);
        assertEquals(0x02, ports.read(0xCF9, 1));
        ports.write(0xCF9, 1, Piix3ResetControl.FADT_RESET_VALUE);
        assertEquals(1, machine.resets);
    }

    @Test
    void hostBridgeStoresPamAndSmram() {
        int[] calls = {0};
        host.setPamListener(() -> calls[0]++);
        cfgWrite(0, 0, 0x58, 4, 0x33333300L);
        assertEquals(0x3333_3000L, cfgRead(0, 0, 0x58, 4) & 0xFFFF_FF00L);
        assertEquals(0x30, host.pam(0), "PAM0 has only the high nibble");
        assertEquals(0x33, host.pam(1));
        assertEquals(1, calls[0]);
        assertEquals(0x02, cfgRead(0, 0, I440fxHostBridge.SMRAM, 1));
        cfgWrite(0, 0, I440fxHostBridge.SMRAM, 1, 0x4F);
        assertEquals(0x4A, cfgRead(0, 0, I440fxHostBridge.SMRAM, 1), "C_BASE_SEG is fixed");
    }

    @Test
    void saveRestoreKeepsConfigDecodingAndInterrupts() {
        cfgWrite(3, 0, 0x10, 4, 0xC000);
        cfgWrite(3, 0, PciDevice.COMMAND, 2, PciDevice.COMMAND_IO);
        cfgWrite(1, 0, Piix3IsaBridge.PIRQRC + 2, 1, 11);
        fn.setIntx(true);
        DeviceState fnState = DeviceState.of(fn), isaState = DeviceState.of(isa);

        // A fresh machine with the same wiring.
        PortSpace ports2 = new PortSpace();
        PciBus bus2 = new PciBus();
        bus2.setMapper(new PciIoMapper(ports2, memory));
        boolean[] irqs2 = new boolean[16];
        Piix3IsaBridge isa2 = new Piix3IsaBridge((g, l) -> irqs2[g] = l);
        bus2.add(1, 0, isa2);
        bus2.setPirqSink(isa2);
        TestFunction fn2 = new TestFunction(new Pattern(0x1234), new Pattern(0));
        bus2.add(3, 0, fn2);
        isa2.restoreState(isaState);
        fn2.restoreState(fnState);
        assertEquals(0x1234, ports2.read(0xC000, 2), "BAR decoded after restore");
        assertTrue(irqs2[11], "INTx re-driven through the restored route");
        fn2.setIntx(false);
        assertFalse(irqs2[11]);
    }

    @Test
    void randomConfigAccessesNeverThrowAndResetRestoresPowerOnState() {
        Random rnd = new Random(0xCF8);
        for (int i = 0; i < 100_000; i++) {
            int port = 0xCF8 + rnd.nextInt(10) - 1;
            int size = 1 << rnd.nextInt(4);
            if (rnd.nextInt(3) == 0) {
                ports.write(0xCF8, 4, address(rnd.nextInt(5), rnd.nextInt(8), rnd.nextInt(256)) | (rnd.nextInt(8) == 0 ? 0x10000 : 0));
            } else if (rnd.nextBoolean()) {
                ports.read(port, size);
            } else {
                int v = rnd.nextInt();
                ports.write(port, size, port == 0xCF9 ? v & ~4 : v);
            }
            if (rnd.nextInt(100) == 0) fn.setIntx(rnd.nextBoolean());
            if (rnd.nextInt(100) == 0) fn.msi.notify(rnd.nextInt(40) - 4);
        }
        fn.setIntx(false);
        bus.reset();
        assertEquals(0x1000_1AF4L, cfgRead(3, 0, 0, 4));
        assertEquals(0, cfgRead(3, 0, PciDevice.COMMAND, 2));
        assertEquals(0x0000_0001L, cfgRead(3, 0, 0x10, 4));
        assertEquals(0x8080_8080L, cfgRead(1, 0, Piix3IsaBridge.PIRQRC, 4));
        assertEquals(0x02, cfgRead(0, 0, I440fxHostBridge.SMRAM, 1));
        for (boolean b : irqs) assertFalse(b);
        for (int p = 0xC000; p < 0x10000; p += 0x20) assertFalse(ports.isClaimed(p) && p != 0xCF8, "BARs unmapped after reset");
    }
}
