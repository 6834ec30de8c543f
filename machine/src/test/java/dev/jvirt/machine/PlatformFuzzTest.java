package dev.jvirt.machine;

import dev.jvirt.accel.interp.InterpProvider;
import dev.jvirt.mmu.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One million seeded random accesses to every device of the board, through the same buses the CPU
 * backends use (ports, MMIO, PCI configuration space), all sizes. Nothing may escape, and after a
 * reset every device still gives its reset-state answers.
 */
class PlatformFuzzTest {
    private static final int ACCESSES_PER_DEVICE = 1_000_000;
    private static final int[] SIZES = {1, 2, 4, 8};

    /** Port ranges of the board's devices (base, length), as PcPlatform and PcDevices register them. */
    private static final int[][] PORT_DEVICES = {
        {0x20, 2}, {0xA0, 2}, {0x4D0, 2}, {0x40, 4}, {0x61, 1}, {0x70, 2}, {0x60, 1}, {0x64, 1}, {0x92, 1},
        {0x3F8, 8}, {0x80, 1}, {0x510, 12}, {0x600, 12}, {0xAFE0, 4},
    };

    @Test
    void randomAccessesToEveryDeviceNeitherThrowNorBreakReset() throws Exception {
        MachineConfig cfg = MachineConfig.from(Options.parse(new String[] {"-serial", "null", "-m", "64"}), false);
        try (PcMachine m = new PcMachine(cfg, new InterpProvider(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))) {
            SplittableRandom rnd = new SplittableRandom(0x5EED);
            synchronized (m.ioLock) {
                for (int[] dev : PORT_DEVICES) {
                    for (int i = 0; i < ACCESSES_PER_DEVICE; i++) {
                        int port = dev[0] + rnd.nextInt(dev[1]);
                        int size = SIZES[rnd.nextInt(3)];
                        // Reset and power-off requests (0x64 0xFE, 0x92 bit 0, S5) only flag the machine here: no vCPU runs.
                        if (rnd.nextBoolean()) m.ports.read(port, size);
                        else m.ports.write(port, size, rnd.nextLong());
                    }
                }
                for (MemoryRegion r : mmioRegions(m)) {
                    for (int i = 0; i < ACCESSES_PER_DEVICE; i++) {
                        long addr = r.base() + rnd.nextLong(r.size());
                        int size = SIZES[rnd.nextInt(4)];
                        if (rnd.nextBoolean()) m.memory.read(addr, size);
                        else m.memory.write(addr, size, rnd.nextLong());
                    }
                }
                // PCI configuration space of every slot and function through mechanism #1.
                for (int i = 0; i < ACCESSES_PER_DEVICE; i++) {
                    int dev = rnd.nextInt(32), fn = rnd.nextInt(8), reg = rnd.nextInt(256) & ~3;
                    m.ports.write(0xCF8, 4, 0x8000_0000L | dev << 11 | fn << 8 | reg);
                    int size = SIZES[rnd.nextInt(3)];
                    int port = 0xCFC + rnd.nextInt(4);
                    if (rnd.nextBoolean()) m.ports.read(port, size);
                    else m.ports.write(port, size, rnd.nextLong());
                }
            }
            m.resetDevices();
            synchronized (m.ioLock) {
                assertResetState(m);
            }
        }
    }

    private static List<MemoryRegion> mmioRegions(PcMachine m) {
        List<MemoryRegion> out = new ArrayList<>();
        for (MemoryRegion r : m.memory.regions()) if (r.kind() == MemoryRegion.Kind.MMIO) out.add(r);
        assertEquals(3, out.size(), "LAPIC, I/O APIC and HPET are mapped: " + out);
        return out;
    }

    /** Values from the datasheets and specifications of each device, right after RESET. */
    private static void assertResetState(PcMachine m) {
        assertEquals(0x60, m.ports.read(0x3FD, 1), "16550 LSR: THRE and TEMT");
        assertEquals(0x01, m.ports.read(0x3FA, 1), "16550 IIR: no interrupt pending");
        m.ports.write(0x20, 1, 0x0A); // OCW3: read IRR
        assertEquals(0x00, m.ports.read(0x20, 1) & ~0x01, "8259 IRR (IRQ0 may be raised by the PIT already)");
        m.ports.write(0x70, 1, 0x0D);
        assertEquals(0x80, m.ports.read(0x71, 1), "MC146818 register D: VRT");
        m.ports.write(0xCF8, 4, 0x8000_0000L);
        assertEquals(0x1237_8086L, m.ports.read(0xCFC, 4), "i440FX vendor and device ID");
        m.ports.write(0xCF8, 4, 0x8000_0800L);
        assertEquals(0x7000_8086L, m.ports.read(0xCFC, 4), "PIIX3 vendor and device ID");
        m.memory.write(0xFEC0_0000L, 4, 1);
        assertEquals(0x0017_0020L, m.memory.read(0xFEC0_0010L, 4), "I/O APIC version: 24 entries, version 0x20");
        assertEquals(0x0005_0014L, m.memory.read(0xFEE0_0030L, 4) & 0x00FF_00FFL, "local APIC version register");
        assertEquals(0x8086L, m.memory.read(0xFED0_0000L, 4) >>> 16, "HPET vendor ID");
        m.ports.write(0x510, 2, 0);
        StringBuilder sig = new StringBuilder();
        for (int i = 0; i < 4; i++) sig.append((char) m.ports.read(0x511, 1));
        assertEquals("QEMU", sig.toString(), "fw_cfg signature");
        assertEquals(0x10, m.ports.read(0x64, 1) & 0x13, "i8042 status: keyboard not inhibited, both buffers empty");
    }
}
