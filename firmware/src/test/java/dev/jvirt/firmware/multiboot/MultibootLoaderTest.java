package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.DemoGuest;
import dev.jvirt.firmware.LoaderException;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.jvirt.firmware.multiboot.TestImages.elf32;
import static dev.jvirt.firmware.multiboot.TestImages.filled;
import static dev.jvirt.firmware.multiboot.TestImages.kludge;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultibootLoaderTest {
    private static final long MIB = 1 << 20;
    private GuestRam ram;

    private MultibootLoader loader(long size) {
        ram = GuestRam.allocate(size);
        return new MultibootLoader(ram, PcMemoryLayout.forRamSize(size));
    }

    @AfterEach
    void free() {
        if (ram != null) ram.close();
    }

    private void garbage(long addr, int len) {
        byte[] junk = new byte[len];
        Arrays.fill(junk, (byte) 0xAA);
        ram.load(addr, junk);
    }

    private String cString(long addr) {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = ram.getByte(addr)) != 0; addr++) sb.append((char) b);
        return sb.toString();
    }

    @Test
    void elfSegmentsLoadAtPhysicalAddressesWithBssZeroed() throws LoaderException {
        MultibootLoader l = loader(16 * MIB);
        byte[] text = filled(0x300, 1), data = filled(0x40, 99);
        byte[] image = elf32(0xC010_0010L, 0x3,
                new TestImages.Segment(0xC010_0000L, 0x10_0000, text, 0x300),
                new TestImages.Segment(0xC020_0000L, 0x20_0000, data, 0x800));
        garbage(0x20_0000, 0x2000);

        MultibootBoot boot = l.load(image, "k", "", List.of());

        assertArrayEquals(text, ram.read(0x10_0000, text.length));
        assertArrayEquals(data, ram.read(0x20_0000, data.length));
        assertArrayEquals(new byte[0x800 - 0x40], ram.read(0x20_0040, 0x800 - 0x40));
        assertEquals(0xAA, ram.getByte(0x20_0800), "bss zeroed only up to p_memsz");
        assertEquals(0x20_1000, ram.getInt(0x9500 + 16), "command line on the page after the kernel");
        assertEquals(0x10_0010, boot.entry(), "virtual entry translated to its physical copy");
        assertEquals(0x9500, boot.infoAddress());
        assertEquals(0x2BADB002, boot.eax());
    }

    @Test
    void aoutKludgeLoadsFromHeaderRelativeOffsetAndZeroesBss() throws LoaderException {
        MultibootLoader l = loader(16 * MIB);
        byte[] image = filled(0x2000, 5);
        // The file starts 0x40 bytes before the header: load_addr = header_addr - 0x40 maps file offset 0.
        kludge(image, 0x40, 0x3, 0x20_0040, 0x20_0000, 0x20_1800, 0x20_2F00, 0x20_0100);
        garbage(0x20_0000, 0x4000);

        MultibootBoot boot = l.load(image, "k", "", List.of());

        assertArrayEquals(Arrays.copyOf(image, 0x1800), ram.read(0x20_0000, 0x1800));
        assertArrayEquals(new byte[0x1700], ram.read(0x20_1800, 0x1700));
        assertEquals(0xAA, ram.getByte(0x20_2F00), "bss zeroed only up to bss_end_addr");
        assertEquals(0x20_3000, ram.getInt(0x9500 + 16), "command line on the page after bss_end_addr");
        assertEquals(0x20_0100, boot.entry());
        assertEquals(0x20_0000, boot.imageStart());
    }

    @Test
    void aoutKludgeWithoutLoadEndLoadsToEndOfFile() throws LoaderException {
        MultibootLoader l = loader(16 * MIB);
        byte[] image = filled(0x1234, 3);
        kludge(image, 0x100, 0x0, 0x10_0000, 0x10_0000, 0, 0, 0x10_0000);

        l.load(image, "k", "", List.of());

        assertArrayEquals(Arrays.copyOfRange(image, 0x100, image.length), ram.read(0x10_0000, image.length - 0x100));
    }

    @Test
    void infoStructureDescribesMemoryCommandLineAndLoader() throws LoaderException {
        MultibootLoader l = loader(128 * MIB);
        byte[] image = elf32(0x10_0000, 0x3, new TestImages.Segment(0x10_0000, 0x10_0000, filled(0x100, 0), 0x100));

        l.load(image, "/boot/kernel", "console=ttyS0 quiet", List.of());

        long info = 0x9500;
        assertEquals(0x24F, ram.getInt(info), "mem, boot device, cmdline, mods, mmap, loader name");
        assertEquals(639, ram.getInt(info + 4), "conventional memory up to the EBDA");
        assertEquals(128 * 1024 - 1024 - 128, ram.getInt(info + 8), "1 MiB up to SeaBIOS' 128 KiB high tables");
        assertEquals(0x8000FFFF, ram.getInt(info + 12));
        assertEquals("/boot/kernel console=ttyS0 quiet", cString(ram.getInt(info + 16) & 0xFFFFFFFFL));
        assertEquals(0, ram.getInt(info + 20));
        assertEquals("jvirt", cString(ram.getInt(info + 64)));
        int mmapLength = ram.getInt(info + 44), mmapAddr = ram.getInt(info + 48);
        assertEquals(0x9000, mmapAddr);
        assertEquals(0, mmapLength % 24);
        long usable = 0;
        for (int at = mmapAddr; at < mmapAddr + mmapLength; at += 24) {
            assertEquals(20, ram.getInt(at), "size field excludes itself");
            if (ram.getInt(at + 20) == 1) usable += ram.getLong(at + 12);
        }
        assertEquals(0x9FC00 + (128 * MIB - 0x10_0000 - 0x20000), usable);
    }

    @Test
    void modulesArePageAlignedAfterTheKernelWithTheirStrings() throws LoaderException {
        MultibootLoader l = loader(32 * MIB);
        byte[] image = elf32(0x10_0000, 0x3, new TestImages.Segment(0x10_0000, 0x10_0000, filled(0x100, 0), 0x2345));
        byte[] m1 = filled(5000, 11), m2 = filled(10, 22);

        MultibootBoot boot = l.load(image, "k", "", List.of(new MultibootModule("initrd.img a=1", m1),
                new MultibootModule("second", m2)));

        long info = 0x9500;
        assertEquals(2, ram.getInt(info + 20));
        long mods = ram.getInt(info + 24);
        assertEquals(0x10_3000, mods, "module list at the page after the kernel");
        long start1 = ram.getInt(mods), end1 = ram.getInt(mods + 4);
        long start2 = ram.getInt(mods + 16), end2 = ram.getInt(mods + 20);
        assertEquals(0, start1 % 4096);
        assertEquals(0, start2 % 4096);
        assertTrue(start1 > mods);
        assertEquals(start1 + m1.length, end1);
        assertTrue(start2 >= end1);
        assertEquals(start2 + m2.length, end2);
        assertArrayEquals(m1, ram.read(start1, m1.length));
        assertArrayEquals(m2, ram.read(start2, m2.length));
        assertEquals("initrd.img a=1", cString(ram.getInt(mods + 8)));
        assertEquals("second", cString(ram.getInt(mods + 24)));
        assertEquals(start2 + 4096, boot.imageEnd());
    }

    @Test
    void moduleThatDoesNotFitIsRefused() {
        MultibootLoader l = loader(4 * MIB);
        byte[] image = elf32(0x10_0000, 0x3, new TestImages.Segment(0x10_0000, 0x10_0000, filled(0x100, 0), 0x100));
        LoaderException e = assertThrows(LoaderException.class,
                () -> l.load(image, "k", "", List.of(new MultibootModule("big", new byte[(int) (3 * MIB)]))));
        assertEquals("module 'big' (3145728 bytes) does not fit: RAM below 4 GiB ends at 0x400000", e.getMessage());
    }

    @Test
    void imageWithoutHeaderIsNotMultiboot() {
        MultibootLoader l = loader(4 * MIB);
        byte[] plain = filled(16384, 1);
        assertFalse(MultibootLoader.isMultiboot(plain));
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(plain, "k", "", List.of()));
        assertInstanceOf(NotMultibootException.class, e);
    }

    @Test
    void headerBeyondTheFirst8KiBIsNotFound() {
        byte[] image = new byte[16384];
        TestImages.header(image, 8192, 0x3);
        assertFalse(MultibootLoader.isMultiboot(image));
        TestImages.header(image, 8180, 0x3);
        assertTrue(MultibootLoader.isMultiboot(image));
    }

    @Test
    void badChecksumIsAnErrorNotAnotherFormat() {
        MultibootLoader l = loader(4 * MIB);
        byte[] image = new byte[4096];
        TestImages.header(image, 64, 0x3);
        image[72] ^= 1;
        assertFalse(MultibootLoader.isMultiboot(image));
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(image, "k", "", List.of()));
        assertFalse(e instanceof NotMultibootException);
        assertEquals("Multiboot header at offset 0x40 has a bad checksum", e.getMessage());
    }

    @Test
    void unsupportedRequiredFlagIsRefusedButVideoModeIsIgnored() throws LoaderException {
        MultibootLoader l = loader(16 * MIB);
        byte[] needsBit3 = elf32(0x10_0000, 0x8 | 0x3, tiny());
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(needsBit3, "k", "", List.of()));
        assertEquals("Multiboot kernel requires unsupported features (flags 0x8)", e.getMessage());
        byte[] wantsVideo = elf32(0x10_0000, 0x4 | 0x3 | 0x8000_0000L, tiny());
        assertEquals(0x10_0000, l.load(wantsVideo, "k", "", List.of()).entry());
    }

    private static TestImages.Segment tiny() {
        return new TestImages.Segment(0x10_0000, 0x10_0000, filled(0x10, 0), 0x10);
    }

    @Test
    void elf64IsRefusedWithAReason() {
        MultibootLoader l = loader(4 * MIB);
        byte[] image = elf32(0x10_0000, 0x3, tiny());
        image[4] = 2;
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(image, "k", "", List.of()));
        assertEquals("cannot load an ELF64 Multiboot kernel: give a 32-bit (ELF32) image", e.getMessage());
    }

    @Test
    void truncatedFilesAreRefused() {
        MultibootLoader l = loader(4 * MIB);
        byte[] elf = elf32(0x10_0000, 0x3, new TestImages.Segment(0x10_0000, 0x10_0000, filled(0x200, 0), 0x200));
        byte[] cut = Arrays.copyOf(elf, elf.length - 1);
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(cut, "k", "", List.of()));
        assertTrue(e.getMessage().startsWith("truncated ELF kernel: segment 0"), e.getMessage());

        byte[] aout = new byte[0x1000];
        kludge(aout, 0, 0x3, 0x10_0000, 0x10_0000, 0x10_2000, 0, 0x10_0000);
        e = assertThrows(LoaderException.class, () -> l.load(aout, "k", "", List.of()));
        assertEquals("truncated Multiboot kernel: 8192 bytes needed, file has 4096", e.getMessage());
    }

    @Test
    void guestLargerThanRamIsRefused() {
        MultibootLoader l = loader(16 * MIB);
        byte[] aout = new byte[0x1000];
        kludge(aout, 0, 0x3, 0x10_0000, 0x10_0000, 0x10_1000, 0x10_0000 + 64 * MIB, 0x10_0000);
        LoaderException e = assertThrows(LoaderException.class, () -> l.load(aout, "k", "", List.of()));
        assertEquals("guest of 67108864 bytes does not fit in 16 MiB of RAM", e.getMessage());
    }

    @Test
    void segmentsOutsideRamOrInThePciHoleAreRefused() {
        ram = GuestRam.allocate(32 * MIB);
        // A PC with its PCI hole at 16 MiB and the other 16 MiB above 4 GiB.
        MultibootLoader split = new MultibootLoader(ram, new PcMemoryLayout(16 * MIB, 16 * MIB));
        byte[] inHole = elf32(0x100_0000, 0x3, new TestImages.Segment(0xFF_F000, 0xFF_F000, filled(0x2000, 0), 0x2000));
        LoaderException e = assertThrows(LoaderException.class, () -> split.load(inHole, "k", "", List.of()));
        assertEquals("kernel at 0xfff000-0x1000fff overlaps the PCI hole at 0x1000000-0xffffffff", e.getMessage());

        MultibootLoader flat = new MultibootLoader(ram, PcMemoryLayout.forRamSize(32 * MIB));
        byte[] high = elf32(0x300_0000, 0x3, new TestImages.Segment(0x300_0000, 0x300_0000, filled(0x20, 0), 0x20));
        e = assertThrows(LoaderException.class, () -> flat.load(high, "k", "", List.of()));
        assertEquals("kernel at 0x3000000-0x300001f is outside guest RAM, which ends at 0x2000000 (32 MiB)", e.getMessage());

        byte[] legacy = elf32(0xF0000, 0x3, new TestImages.Segment(0xF0000, 0xF0000, filled(0x20, 0), 0x20));
        e = assertThrows(LoaderException.class, () -> flat.load(legacy, "k", "", List.of()));
        assertEquals("kernel at 0xf0000-0xf001f overlaps the VGA/BIOS area 0xa0000-0xfffff", e.getMessage());
    }

    @Test
    void demoGuestLoadsTheSameByElfAndByAoutKludge() throws LoaderException {
        byte[] demo = DemoGuest.image();
        MultibootHeader h = MultibootHeader.parse(demo);
        assertTrue(h.hasAddressFields());
        assertEquals(0x3, h.flags() & 0xFFFF, "page-aligned modules and memory info");
        KernelImage byElf = Elf32Kernel.parse(demo);
        KernelImage byKludge = AoutKludge.parse(demo, h);
        assertEquals(byElf, byKludge);
        assertEquals(0x10_0000, byElf.start());

        MultibootLoader l = loader(128 * MIB);
        MultibootBoot boot = l.load(demo, DemoGuest.NAME, "", List.of());
        assertEquals(byElf.entry(), boot.entry());
        LoadSegment s = byElf.segments().getFirst();
        assertArrayEquals(Arrays.copyOfRange(demo, s.fileOffset(), s.fileOffset() + s.fileSize()),
                ram.read(s.address(), s.fileSize()));
        assertEquals("demo.elf ", cString(ram.getInt(0x9500 + 16)));
    }

    @Test
    void corruptedHeadersGiveLoaderExceptionsOnly() {
        MultibootLoader l = loader(4 * MIB);
        java.util.Random rnd = new java.util.Random(42);
        byte[] elf = elf32(0x10_0000, 0x3, new TestImages.Segment(0x10_0000, 0x10_0000, filled(0x100, 0), 0x1000));
        byte[] aout = new byte[0x400];
        kludge(aout, 0x20, 0x3, 0x10_0020, 0x10_0000, 0x10_0300, 0x10_2000, 0x10_0000);
        int loaded = 0, refused = 0;
        for (int i = 0; i < 400; i++) {
            boolean isElf = i % 2 == 0;
            byte[] img = (isElf ? elf : aout).clone();
            for (int k = 0, n = 1 + rnd.nextInt(4); k < n; k++) img[rnd.nextInt(0xC0)] = (byte) rnd.nextInt(256);
            // Random flags with a valid checksum reach the format parsers instead of stopping at the header.
            if (rnd.nextBoolean()) TestImages.header(img, isElf ? 0x80 : 0x20, rnd.nextInt(1 << 17));
            try {
                l.load(img, "k", "", List.of());
                loaded++;
            } catch (LoaderException e) {
                assertFalse(e.getMessage().isBlank());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refused++;
            }
        }
        assertTrue(loaded > 0 && refused > 0, loaded + " loaded, " + refused + " refused");
    }

    @Test
    void initrdOptionSplitsOnCommasWithDoubledCommaEscape() {
        assertEquals(List.of("a.img x=1", "b,c.img", "d"), MultibootModule.splitOption("a.img x=1,b,,c.img,d"));
    }
}
