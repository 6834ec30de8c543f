package dev.jvirt.devices.fwcfg;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import dev.jvirt.mmu.PortSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FwCfgTest {
    static final long RAM_SIZE = 16 << 20;

    GuestRam ram;
    AddressSpace memory;
    PortSpace ports;
    FwCfg fw;

    @BeforeEach
    void setUp() {
        ram = GuestRam.allocate(RAM_SIZE);
        memory = new AddressSpace(ram);
        PcMemoryLayout.forRamSize(RAM_SIZE).map(memory);
        ports = new PortSpace();
        fw = new FwCfg(memory);
        ports.register(FwCfg.PORT, FwCfg.LENGTH, fw);
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    byte[] pioRead(int key, int n) {
        ports.write(0x510, 2, key);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) out[i] = (byte) ports.read(0x511, 1);
        return out;
    }

    /** Writes a descriptor at {@code at} and starts it the way SeaBIOS does: two big-endian dwords. */
    int dma(long at, int control, int length, long address) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putInt(control).putInt(length).putLong(address);
        memory.writeBytes(at, b.array(), 0, 16);
        ports.write(0x514, 4, Integer.reverseBytes((int) (at >>> 32)));
        ports.write(0x518, 4, Integer.reverseBytes((int) at));
        return Integer.reverseBytes((int) memory.read(at, 4));
    }

    byte[] guest(long at, int n) {
        byte[] out = new byte[n];
        memory.readBytes(at, out, 0, n);
        return out;
    }

    @Test
    void signatureIdAndDmaSignature() {
        assertArrayEquals("QEMU".getBytes(StandardCharsets.US_ASCII), pioRead(FwCfg.SIGNATURE, 4));
        assertArrayEquals(new byte[] {3, 0, 0, 0}, pioRead(FwCfg.ID, 4), "traditional + DMA");
        assertEquals(0x5145_4D55_2043_4647L, Long.reverseBytes(fw.read(4, 8)), "\"QEMU CFG\" big-endian");
        assertEquals(0x5145_4D55L, Integer.reverseBytes((int) ports.read(0x514, 4)) & 0xFFFF_FFFFL);
        assertEquals(0x2043_4647L, Integer.reverseBytes((int) ports.read(0x518, 4)) & 0xFFFF_FFFFL);
    }

    @Test
    void dataPortAdvancesReadsZeroPastTheEndAndSelectResets() {
        fw.addBytes(0x30, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3, 0, 0}, pioRead(0x30, 5));
        assertArrayEquals(new byte[] {1}, pioRead(0x30, 1), "selecting rewinds");
        assertArrayEquals(new byte[] {0, 0}, pioRead(0x1234, 2), "absent item reads zeros");
        fw.setRamSize(RAM_SIZE);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0, 0, 0, 0}, pioRead(FwCfg.RAM_SIZE, 8), "little-endian u64");
        ports.write(0x510, 2, FwCfg.WRITE_CHANNEL | 0x30);
        ports.write(0x511, 1, 0x55);
        assertEquals(1, ports.read(0x511, 1), "data port writes are ignored");
    }

    @Test
    void fileDirectoryBytesFollowTheSpec() {
        fw.addFile("etc/a", new byte[] {9, 9, 9});
        fw.setBootOrder(List.of("/pci@i0cf8/ide@1,1/drive@0/disk@0"));
        byte[] dir = pioRead(FwCfg.FILE_DIR, 4 + 2 * 64);
        ByteBuffer b = ByteBuffer.wrap(dir).order(ByteOrder.BIG_ENDIAN);
        assertEquals(2, b.getInt(0));
        assertEquals(3, b.getInt(4));
        assertEquals(0x20, b.getShort(8));
        assertEquals(0, b.getShort(10));
        byte[] name = Arrays.copyOfRange(dir, 12, 12 + 56);
        byte[] expected = new byte[56];
        System.arraycopy("etc/a".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 5);
        assertArrayEquals(expected, name, "NUL-padded 56-byte name");
        assertEquals(0x21, b.getShort(4 + 64 + 4));
        String order = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n\0";
        assertEquals(order.length(), b.getInt(4 + 64));
        assertArrayEquals(order.getBytes(StandardCharsets.US_ASCII), pioRead(0x21, order.length()));
    }

    @Test
    void e820FileIsPackedLittleEndianEntries() {
        fw.setE820(E820Entry.forLayout(PcMemoryLayout.forRamSize(RAM_SIZE)));
        byte[] e = fw.file("etc/e820");
        assertEquals(20, e.length);
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.getLong(0));
        assertEquals(RAM_SIZE, b.getLong(8));
        assertEquals(E820Entry.RAM, b.getInt(16));
    }

    @Test
    void kernelKeysAsQemuDefinesThem() {
        fw.setKernel(0x100000, new byte[] {7, 7});
        fw.setCmdline(0x20000, "console=ttyS0");
        assertArrayEquals(new byte[] {0, 0, 0x10, 0}, pioRead(0x07, 4));
        assertArrayEquals(new byte[] {2, 0, 0, 0}, pioRead(0x08, 4));
        assertArrayEquals(new byte[] {7, 7}, pioRead(0x11, 2));
        assertArrayEquals(new byte[] {0, 0, 2, 0}, pioRead(0x13, 4));
        assertArrayEquals(new byte[] {14, 0, 0, 0}, pioRead(0x14, 4));
        assertArrayEquals("console=ttyS0\0".getBytes(StandardCharsets.US_ASCII), pioRead(0x15, 14));
    }

    @Test
    void dmaSelectSkipReadRoundTripAndWrite() {
        byte[] data = new byte[10000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        int key = fw.addFile("etc/big", data);
        assertEquals(0, dma(0x1000, key << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_SKIP, 100, 0));
        assertEquals(0, dma(0x1000, FwCfg.DMA_CTL_READ, 5000, 0x10FFE));
        assertArrayEquals(Arrays.copyOfRange(data, 100, 5100), guest(0x10FFE, 5000), "across a page boundary");
        memory.writeBytes(0x20000, new byte[8000], 0, 8000);
        memory.write(0x20000 + 7000, 4, 0xAAAA_AAAAL);
        assertEquals(0, dma(0x1000, FwCfg.DMA_CTL_READ, 8000, 0x20000));
        assertArrayEquals(Arrays.copyOfRange(data, 5100, 10000), guest(0x20000, 4900));
        assertEquals(0, memory.read(0x20000 + 7000, 4), "past the end: zeros");

        int wkey = fw.addWritableFile("etc/vmcoreinfo", new byte[8]);
        memory.writeBytes(0x30000, new byte[] {1, 2, 3, 4}, 0, 4);
        assertEquals(0, dma(0x1000, wkey << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_SKIP, 2, 0));
        assertEquals(0, dma(0x1000, FwCfg.DMA_CTL_WRITE, 4, 0x30000));
        assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 4, 0, 0}, fw.file("etc/vmcoreinfo"));
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(0x1000, FwCfg.DMA_CTL_WRITE, 4, 0x30000), "beyond the item's end");
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(0x1000, key << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_WRITE, 1, 0x30000),
                "read-only item");
        assertEquals(data[0], fw.file("etc/big")[0]);
    }

    @Test
    void dmaOutsideRamSetsErrorAndTouchesNothing() {
        int key = fw.addFile("etc/x", new byte[] {5, 5, 5, 5});
        long end = RAM_SIZE;
        memory.write(end - 2, 2, 0x1111);
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(0x1000, key << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ, 4, end - 2));
        assertEquals(0x1111, memory.read(end - 2, 2), "crossing RAM's end: nothing written");
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(0x1000, key << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ, 4, 0xFEC0_0000L));
        assertEquals(FwCfg.DMA_CTL_ERROR, dma(0x1000, FwCfg.DMA_CTL_READ, -1, 0));
        // A descriptor outside RAM is not even read or answered.
        ports.write(0x514, 4, 0);
        ports.write(0x518, 4, Integer.reverseBytes((int) (end - 8)));
        assertEquals(5, ports.read(0x511, 1), "failed transfers left the selection at offset 0");
        assertEquals(5, ports.read(0x511, 1));
    }

    @Test
    void sixtyFourBitDmaAddressWrite() {
        int key = fw.addFile("etc/y", new byte[] {42});
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN)
                .putInt(key << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_READ).putInt(1).putLong(0x5000);
        memory.writeBytes(0x2000, b.array(), 0, 16);
        fw.write(4, 8, Long.reverseBytes(0x2000));
        assertEquals(42, memory.read(0x5000, 1));
        assertEquals(0, memory.read(0x2000, 4), "control cleared on success");
    }

    @Test
    void saveRestoreMidItemContinuesExactly() {
        fw.addBytes(0x30, new byte[] {1, 2, 3, 4, 5});
        int wkey = fw.addWritableFile("etc/w", new byte[2]);
        memory.write(0x30000, 2, 0x0809);
        dma(0x1000, wkey << 16 | FwCfg.DMA_CTL_SELECT | FwCfg.DMA_CTL_WRITE, 2, 0x30000);
        pioRead(0x30, 2);
        ports.write(0x514, 4, 0);
        DeviceState st = DeviceState.of(fw);

        FwCfg copy = new FwCfg(memory);
        copy.addBytes(0x30, new byte[] {1, 2, 3, 4, 5});
        copy.addWritableFile("etc/w", new byte[2]);
        copy.restoreState(st);
        assertEquals(3, copy.read(1, 1));
        assertEquals(3, ports.read(0x511, 1), "the original continues the same way");
        assertArrayEquals(new byte[] {9, 8}, copy.file("etc/w"));
    }

    @Test
    void randomAccessesNeverThrowAndResetSelectsTheSignature() {
        fw.addFile("etc/z", new byte[300]);
        Random rnd = new Random(0x510);
        for (int i = 0; i < 100_000; i++) {
            int off = rnd.nextInt(14) - 1;
            int size = 1 << rnd.nextInt(4);
            if (rnd.nextBoolean()) {
                fw.read(off, size);
            } else if (rnd.nextInt(50) == 0) {
                // A random descriptor somewhere, possibly valid.
                long at = rnd.nextBoolean() ? rnd.nextInt((int) RAM_SIZE) : rnd.nextLong();
                ByteBuffer b = ByteBuffer.allocate(16).putInt(rnd.nextInt()).putInt(rnd.nextInt(1 << 16)).putLong(rnd.nextInt(1 << 25));
                memory.writeBytes(0x8000, b.array(), 0, 16);
                fw.write(4, 8, Long.reverseBytes(rnd.nextBoolean() ? 0x8000 : at));
            } else {
                fw.write(off, size, rnd.nextLong());
            }
        }
        fw.reset();
        assertEquals('Q', fw.read(1, 1));
        assertEquals('E', fw.read(1, 1));
        assertArrayEquals(new byte[] {3, 0, 0, 0}, pioRead(FwCfg.ID, 4));
    }
}
