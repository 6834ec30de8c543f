package dev.jvirt.firmware.linux;

import dev.jvirt.firmware.LoaderException;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinuxLoaderTest {
    private static final long MIB = 1 << 20;
    private static final long ZP = LinuxLoader.BOOT_PARAMS_ADDRESS;
    private GuestRam ram;

    private LinuxLoader loader(long size) {
        ram = GuestRam.allocate(size);
        return new LinuxLoader(ram, PcMemoryLayout.forRamSize(size));
    }

    @AfterEach
    void free() {
        if (ram != null) ram.close();
    }

    private static byte[] filled(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    private String cString(long addr) {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = ram.getByte(addr)) != 0; addr++) sb.append((char) c);
        return sb.toString();
    }

    private long u32(long addr) {
        return ram.getInt(addr) & 0xFFFF_FFFFL;
    }

    @Test
    void protectedModeKernelGoesToPrefAddressAndEntersLongModeAt0x200() throws LoaderException {
        byte[] image = new TestBzImage().build();
        LinuxBoot boot = loader(256 * MIB).load(image, "console=ttyS0", null, LinuxBootOptions.defaults());

        int setup = TestBzImage.setupSize(image);
        assertArrayEquals(Arrays.copyOfRange(image, setup, image.length), ram.read(0x100_0000, image.length - setup));
        assertEquals(EntryMode.LONG_MODE, boot.mode());
        assertEquals(0x100_0200L, boot.entry());
        assertEquals(ZP, boot.bootParams());
        assertEquals(0x100_0000L, boot.kernelStart());
        assertEquals(0x100_0000L + 0x80_0000, boot.kernelEnd());
        assertEquals(LinuxBoot.CR0_PG | LinuxBoot.CR0_PE, boot.cr0() & (LinuxBoot.CR0_PG | LinuxBoot.CR0_PE));
        assertEquals(LinuxBoot.CR4_PAE, boot.cr4() & LinuxBoot.CR4_PAE);
        assertEquals(LinuxBoot.EFER_LME | LinuxBoot.EFER_LMA, boot.efer());
        assertEquals(LinuxLoader.PAGE_TABLES_ADDRESS, boot.cr3());
        assertTrue(boot.longMode());
    }

    @Test
    void zeroPageHoldsTheHeaderAndTheLoaderFields() throws LoaderException {
        byte[] image = new TestBzImage().build();
        byte[] initrd = filled(5000, 3);
        LinuxBoot boot = loader(256 * MIB).load(image, "console=ttyS0 quiet", initrd, new LinuxBootOptions(EntryMode.AUTO, 0xF5A40));

        // The kernel's header fields come through unchanged (boot.rst: the loader copies the setup header to 0x1F1).
        assertArrayEquals(Arrays.copyOfRange(image, 0x1F1, 0x210), ram.read(ZP + 0x1F1, 0x210 - 0x1F1));
        assertEquals(0x5372_6448, ram.getInt(ZP + 0x202));
        assertEquals(0x020F, ram.getShort(ZP + 0x206));
        assertEquals(0x20_0000, u32(ZP + 0x230));
        assertEquals(0x100_0000L, ram.getLong(ZP + 0x258));
        // Loader-filled fields.
        assertEquals(0xFFFF, ram.getShort(ZP + 0x1FA), "vid_mode NORMAL_VGA");
        assertEquals(0xFF, ram.getByte(ZP + 0x210), "type_of_loader undefined");
        assertEquals(0x81, ram.getByte(ZP + 0x211), "loadflags LOADED_HIGH | CAN_USE_HEAP, QUIET clear");
        assertEquals(0xDE00, ram.getShort(ZP + 0x224), "heap_end_ptr");
        assertEquals(LinuxLoader.CMDLINE_ADDRESS, u32(ZP + 0x228));
        assertEquals("console=ttyS0 quiet", cString(u32(ZP + 0x228)));
        assertEquals(boot.initrdAddress(), u32(ZP + 0x218));
        assertEquals(5000, u32(ZP + 0x21C));
        assertEquals(0, u32(ZP + 0xC0), "ext_ramdisk_image");
        assertEquals(0, u32(ZP + 0xC4), "ext_ramdisk_size");
        assertArrayEquals(initrd, ram.read(boot.initrdAddress(), initrd.length));
        assertEquals(0xF5A40L, ram.getLong(ZP + 0x070), "acpi_rsdp_addr");
        assertEquals(0, ram.getByte(ZP + 0x1EF), "sentinel");
        // screen_info all zero: vgacon sees no VGA text mode and does not probe.
        assertArrayEquals(new byte[0x40], ram.read(ZP, 0x40));
    }

    @Test
    void withoutRsdpOrInitrdThoseFieldsAreZero() throws LoaderException {
        loader(64 * MIB).load(new TestBzImage().build(), "", new byte[0], LinuxBootOptions.defaults());
        assertEquals(0, ram.getLong(ZP + 0x070));
        assertEquals(0, u32(ZP + 0x218));
        assertEquals(0, u32(ZP + 0x21C));
        assertEquals("", cString(LinuxLoader.CMDLINE_ADDRESS));
    }

    @Test
    void rsdpIsPassedOnlyToKernelsThatKnowTheField() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.version = 0x020D;
        loader(64 * MIB).load(k.build(), "", null, new LinuxBootOptions(EntryMode.AUTO, 0xF5A40));
        assertEquals(0, ram.getLong(ZP + 0x070), "protocol 2.13 has no acpi_rsdp_addr");
        k.version = 0x020E;
        new LinuxLoader(ram, PcMemoryLayout.forRamSize(64 * MIB)).load(k.build(), "", null, new LinuxBootOptions(EntryMode.AUTO, 0xF5A40));
        assertEquals(0xF5A40L, ram.getLong(ZP + 0x070));
    }

    @Test
    void e820TableMatchesThePcMapByteForByte() throws LoaderException {
        loader(256 * MIB).load(new TestBzImage().build(), "", null, LinuxBootOptions.defaults());
        long[][] expected = {
            {0, 0x9FC00, 1},
            {0x9FC00, 0x400, 2},
            {0xF0000, 0x10000, 2},
            {0x100000, 256 * MIB - 0x20000 - 0x100000, 1},
            {256 * MIB - 0x20000, 0x20000, 2},
            {0xFFFC0000L, 0x40000, 2},
        };
        assertEquals(expected.length, ram.getByte(ZP + 0x1E8), "e820_entries");
        for (int i = 0; i < expected.length; i++) {
            long at = ZP + 0x2D0 + 20L * i;
            assertEquals(expected[i][0], ram.getLong(at), "entry " + i + " base");
            assertEquals(expected[i][1], ram.getLong(at + 8), "entry " + i + " size");
            assertEquals(expected[i][2], u32(at + 16), "entry " + i + " type");
        }
        assertArrayEquals(new byte[20], ram.read(ZP + 0x2D0 + 20L * expected.length, 20), "nothing after the last entry");
        assertEquals((256 * MIB - 0x20000 - 0x100000) / 1024, u32(ZP + 0x1E0), "alt_mem_k");
    }

    @Test
    void initrdGoesPageAlignedAsHighAsRamBelowTheBiosTablesAllows() throws LoaderException {
        byte[] initrd = filled((int) MIB + 5, 9);
        LinuxBoot boot = loader(256 * MIB).load(new TestBzImage().build(), "", initrd, LinuxBootOptions.defaults());
        long top = 256 * MIB - 0x20000; // SeaBIOS keeps the last 128 KiB below the hole
        assertEquals((top - initrd.length) & ~0xFFFL, boot.initrdAddress());
        assertArrayEquals(initrd, ram.read(boot.initrdAddress(), initrd.length));
    }

    @Test
    void initrdStaysBelowInitrdAddrMax() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.initrdAddrMax = 0x3FF_FFFF; // last byte at 64 MiB - 1
        byte[] initrd = filled(10_000, 1);
        LinuxBoot boot = loader(256 * MIB).load(k.build(), "", initrd, LinuxBootOptions.defaults());
        assertEquals((64 * MIB - initrd.length) & ~0xFFFL, boot.initrdAddress());
        assertTrue(boot.initrdAddress() + initrd.length <= 64 * MIB);
    }

    @Test
    void initrdThatFitsNowhereBelow4GiBGoesAboveWhenTheKernelAllows() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.initrdAddrMax = 0x1FF_FFFF; // 32 MiB: the kernel's init_size already reaches 24 MiB
        byte[] initrd = filled((int) (9 * MIB), 4);
        long size = 4096 * MIB; // 3 GiB below the hole, 1 GiB above 4 GiB
        LinuxBoot boot = loader(size).load(k.build(), "", initrd, LinuxBootOptions.defaults());
        long expected = (PcMemoryLayout.FOUR_GIB + MIB * 1024 - initrd.length) & ~0xFFFL;
        assertEquals(expected, boot.initrdAddress());
        assertEquals(expected & 0xFFFF_FFFFL, u32(ZP + 0x218));
        assertEquals(expected >>> 32, u32(ZP + 0xC0));
        long offset = 3072 * MIB + (expected - PcMemoryLayout.FOUR_GIB);
        assertArrayEquals(initrd, ram.read(offset, initrd.length));
    }

    @Test
    void initrdTooLargeIsRejectedWithItsSize() {
        TestBzImage k = new TestBzImage();
        k.xloadflags = SetupHeader.XLF_KERNEL_64;
        LinuxLoader l = loader(64 * MIB);
        byte[] initrd = new byte[(int) (40 * MIB)];
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(k.build(), "", initrd, LinuxBootOptions.defaults()));
        assertTrue(e.getMessage().startsWith("initrd of " + initrd.length + " bytes does not fit below 0x3fe0000"), e.getMessage());
        assertNothingWritten();
    }

    @Test
    void pageTablesMapEvery2MiBPageOfTheFirst4GiBToItself() throws LoaderException {
        LinuxBoot boot = loader(64 * MIB).load(new TestBzImage().build(), "", null, LinuxBootOptions.defaults());
        long pml4 = boot.cr3();
        long pml4e = ram.getLong(pml4);
        assertEquals(0b11, pml4e & 0b11, "PML4[0] present, writable");
        for (int i = 1; i < 512; i++) assertEquals(0, ram.getLong(pml4 + 8L * i) & 1, "PML4[" + i + "] not present");
        long pdpt = pml4e & 0x000F_FFFF_FFFF_F000L;
        long pages = 0;
        for (long address = 0; address < PcMemoryLayout.FOUR_GIB; address += 2 * MIB) {
            long pdpte = ram.getLong(pdpt + 8 * ((address >>> 30) & 511));
            assertEquals(0b11, pdpte & 0b11);
            assertEquals(0, pdpte & 0x80, "PDPTE points to a directory, not a 1 GiB page");
            long pde = ram.getLong((pdpte & 0x000F_FFFF_FFFF_F000L) + 8 * ((address >>> 21) & 511));
            assertEquals(0x83, pde & 0x83, "PDE present, writable, 2 MiB page");
            assertEquals(address, pde & 0x000F_FFFF_FFE0_0000L, "PDE for " + Long.toHexString(address));
            pages++;
        }
        assertEquals(2048, pages);
        long end = LinuxLoader.PAGE_TABLES_ADDRESS + 6 * 4096;
        assertEquals(LinuxLoader.LOW_RESERVED_END, end);
        assertTrue(LinuxLoader.CMDLINE_ADDRESS >= end);
    }

    @Test
    void gdtHasFlatBootCsAndBootDs() throws LoaderException {
        LinuxBoot boot = loader(64 * MIB).load(new TestBzImage().build(), "", null, LinuxBootOptions.defaults());
        assertEquals(LinuxLoader.GDT_ADDRESS, boot.gdtBase());
        assertEquals(31, boot.gdtLimit());
        long cs = ram.getLong(boot.gdtBase() + LinuxBoot.BOOT_CS), ds = ram.getLong(boot.gdtBase() + LinuxBoot.BOOT_DS);
        assertDescriptor(cs, 0xB, true);
        assertEquals(1, (cs >>> 53) & 1, "L: 64-bit code");
        assertEquals(0, (cs >>> 54) & 1, "D must be 0 with L");
        assertDescriptor(ds, 0x3, false);
        assertEquals(1, (ds >>> 54) & 1, "B: 32-bit stack");
    }

    @Test
    void protectedModeEntryIsAtTheLoadAddressWithPagingOff() throws LoaderException {
        LinuxBoot boot = loader(64 * MIB).load(new TestBzImage().build(), "", null,
                new LinuxBootOptions(EntryMode.PROTECTED_MODE, 0));
        assertEquals(EntryMode.PROTECTED_MODE, boot.mode());
        assertEquals(0x100_0000L, boot.entry());
        assertEquals(ZP, boot.bootParams());
        assertEquals(0, boot.cr0() & LinuxBoot.CR0_PG);
        assertEquals(LinuxBoot.CR0_PE, boot.cr0() & LinuxBoot.CR0_PE);
        assertEquals(0, boot.efer());
        long cs = ram.getLong(boot.gdtBase() + LinuxBoot.BOOT_CS);
        assertDescriptor(cs, 0xB, true);
        assertEquals(0, (cs >>> 53) & 1, "not a 64-bit segment");
        assertEquals(1, (cs >>> 54) & 1, "D: 32-bit code");
        assertFalse(boot.longMode());
        assertEquals(0, ram.getLong(LinuxLoader.PAGE_TABLES_ADDRESS), "no page tables built");
    }

    @Test
    void autoPicks32BitWithoutXlfKernel64AndLongModeIsRefused() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.xloadflags = 0;
        assertEquals(EntryMode.PROTECTED_MODE, loader(64 * MIB).load(k.build(), "", null, LinuxBootOptions.defaults()).mode());
        LoaderException e = assertThrows(LoaderException.class,
                () -> new LinuxLoader(ram, PcMemoryLayout.forRamSize(64 * MIB)).load(k.build(), "", null,
                        new LinuxBootOptions(EntryMode.LONG_MODE, 0)));
        assertEquals("kernel has no 64-bit entry point (XLF_KERNEL_64 is clear)", e.getMessage());
    }

    @Test
    void setupSectsZeroMeansFour() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.setupSects = 0;
        byte[] image = k.build();
        loader(64 * MIB).load(image, "", null, LinuxBootOptions.defaults());
        assertArrayEquals(Arrays.copyOfRange(image, 5 * 512, image.length), ram.read(0x100_0000, image.length - 5 * 512));
    }

    @Test
    void protocol206KernelWithoutPrefAddressLoadsAt1MiB() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.version = 0x0206;
        k.relocatable = false;
        byte[] image = k.build();
        // Fields 2.06 does not define must be ignored: poison them.
        image[SetupHeader.PREF_ADDRESS] = 0x55;
        image[SetupHeader.XLOADFLAGS] = 1;
        LinuxBoot boot = loader(64 * MIB).load(image, "", null, LinuxBootOptions.defaults());
        assertEquals(0x10_0000L, boot.kernelStart());
        assertEquals(EntryMode.PROTECTED_MODE, boot.mode());
        assertEquals(0x10_0000L, boot.entry());
    }

    @Test
    void relocatableKernelWithUnusablePrefAddressGoesToTheFirstAlignedAddressFrom1MiB() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.prefAddress = 0x8_0000; // below 1 MiB
        k.kernelAlignment = 0x40_0000;
        LinuxBoot boot = loader(64 * MIB).load(k.build(), "", null, LinuxBootOptions.defaults());
        assertEquals(0x40_0000L, boot.kernelStart());
        assertEquals(0x40_0200L, boot.entry());
    }

    @Test
    void kernelWhoseInitSizeDoesNotFitIsRejected() {
        TestBzImage k = new TestBzImage();
        k.initSize = 60 * MIB; // from 16 MiB: needs 76 MiB
        LinuxLoader l = loader(64 * MIB);
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(k.build(), "", null, LinuxBootOptions.defaults()));
        assertTrue(e.getMessage().startsWith("kernel does not fit in RAM: it needs 0x1000000-0x4bfffff"), e.getMessage());
        assertNothingWritten();
    }

    @Test
    void commandLineLongerThanCmdlineSizeIsRejected() throws LoaderException {
        TestBzImage k = new TestBzImage();
        k.cmdlineSize = 10;
        LinuxLoader l = loader(64 * MIB);
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(k.build(), "console=ttyS0", null, LinuxBootOptions.defaults()));
        assertEquals("command line of 13 bytes is longer than the kernel's cmdline_size of 10", e.getMessage());
        assertNothingWritten();
        l.load(k.build(), "0123456789", null, LinuxBootOptions.defaults());
        assertEquals("0123456789", cString(LinuxLoader.CMDLINE_ADDRESS));
    }

    @Test
    void truncatedImagesAreRejected() {
        LinuxLoader l = loader(64 * MIB);
        TestBzImage k = new TestBzImage();
        k.truncateBy = 16;
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(k.build(), "", null, LinuxBootOptions.defaults()));
        assertEquals("truncated bzImage: " + (1024 + 0x3000 - 16) + " bytes, but the setup code (1024) and syssize ("
                + 0x3000 + ") need " + (1024 + 0x3000), e.getMessage());
        byte[] headerOnly = Arrays.copyOf(new TestBzImage().build(), 0x220);
        e = assertThrows(LoaderException.class, () -> l.load(headerOnly, "", null, LinuxBootOptions.defaults()));
        assertEquals("truncated bzImage: 544 bytes is shorter than the setup header", e.getMessage());
        e = assertThrows(LoaderException.class, () -> l.load(new byte[100], "", null, LinuxBootOptions.defaults()));
        assertEquals("truncated bzImage: 100 bytes is shorter than the setup header", e.getMessage());
        assertNothingWritten();
    }

    @Test
    void imageWithoutMagicIsRejected() {
        LinuxLoader l = loader(64 * MIB);
        byte[] noHdrS = new TestBzImage().build();
        noHdrS[0x202] = 'X';
        byte[] noBootFlag = new TestBzImage().build();
        noBootFlag[0x1FF] = 0;
        for (byte[] image : new byte[][] {noHdrS, noBootFlag}) {
            assertFalse(LinuxLoader.isBzImage(image));
            LoaderException e = assertThrows(LoaderException.class, () -> l.load(image, "", null, LinuxBootOptions.defaults()));
            assertEquals("not a Linux bzImage: no setup-header magic (boot_flag 0xAA55 at 0x1fe, \"HdrS\" at 0x202)", e.getMessage());
        }
        assertTrue(LinuxLoader.isBzImage(new TestBzImage().build()));
    }

    @Test
    void oldProtocolAndZImageAreRejected() {
        LinuxLoader l = loader(64 * MIB);
        TestBzImage old = new TestBzImage();
        old.version = 0x0205;
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(old.build(), "", null, LinuxBootOptions.defaults()));
        assertEquals("Linux boot protocol 2.05 is too old: 2.06 or later is needed", e.getMessage());
        TestBzImage zImage = new TestBzImage();
        zImage.loadflags = 0;
        e = assertThrows(LoaderException.class, () -> l.load(zImage.build(), "", null, LinuxBootOptions.defaults()));
        assertTrue(e.getMessage().startsWith("not a bzImage: LOADED_HIGH is clear"), e.getMessage());
    }

    private static void assertDescriptor(long d, int type, boolean code) {
        assertEquals(0xFFFF, d & 0xFFFF, "limit 15:0");
        assertEquals(0xF, (d >>> 48) & 0xF, "limit 19:16");
        assertEquals(0, (d >>> 16) & 0xFF_FFFF, "base 23:0");
        assertEquals(0, d >>> 56, "base 31:24");
        assertEquals(type, (int) (d >>> 40) & 0xF, "type");
        assertEquals(1, (d >>> 44) & 1, "S: code/data");
        assertEquals(0, (d >>> 45) & 3, "DPL 0");
        assertEquals(1, (d >>> 47) & 1, "present");
        assertEquals(1, (d >>> 55) & 1, "G: 4 KiB granularity");
        assertEquals(code, (type & 8) != 0);
    }

    private void assertNothingWritten() {
        assertArrayEquals(new byte[0x10000], ram.read(0, 0x10000), "low memory untouched");
        assertArrayEquals(new byte[0x4000], ram.read(0x100_0000, 0x4000), "kernel area untouched");
    }
}
