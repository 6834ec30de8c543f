package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.E820Map;
import dev.jvirt.firmware.LoaderException;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a Multiboot v1 kernel (Multiboot Specification 0.6.96) straight into guest RAM, with the
 * same memory placement as QEMU's {@code -kernel} for Multiboot images: the kernel at its own
 * addresses; after it, page-aligned, the module list, the command lines and the boot loader name;
 * then each module page-aligned; the E820 memory map at 0x9000 and the info structure at 0x9500.
 */
public final class MultibootLoader {
    public static final long MMAP_ADDRESS = 0x9000;
    public static final long INFO_ADDRESS = 0x9500;
    public static final String BOOT_LOADER_NAME = "jvirt";
    /** Boot device "none" (BIOS drive 0x80, no partitions), as QEMU reports it. */
    public static final long BOOT_DEVICE = 0x8000_FFFFL;

    static final int INFO_SIZE = 88, MODULE_SIZE = 16, MMAP_ENTRY_SIZE = 24;
    static final long FLAG_MEMORY = 1, FLAG_BOOT_DEVICE = 1 << 1, FLAG_CMDLINE = 1 << 2, FLAG_MODULES = 1 << 3,
            FLAG_MMAP = 1 << 6, FLAG_BOOT_LOADER_NAME = 1 << 9;
    private static final long MMAP_AREA = INFO_ADDRESS - MMAP_ADDRESS;
    private static final long LEGACY_START = E820Map.CONVENTIONAL_END, LEGACY_END = E820Map.HIGH_MEMORY_START;
    private static final int PAGE = GuestRam.PAGE_SIZE;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final GuestRam ram;
    private final PcMemoryLayout layout;

    /** @param ram guest RAM mapped by {@code layout} (RAM offset = address below the PCI hole) */
    public MultibootLoader(GuestRam ram, PcMemoryLayout layout) {
        if (layout.belowHole() + layout.aboveHole() > ram.size()) {
            throw new IllegalArgumentException("memory layout " + layout + " needs more than the " + ram.size() + " bytes of RAM");
        }
        this.ram = ram;
        this.layout = layout;
    }

    /** True when {@code image} has a valid Multiboot header; otherwise another loader should try. */
    public static boolean isMultiboot(byte[] image) {
        return MultibootHeader.present(image);
    }

    /**
     * Loads the kernel and its modules and builds the Multiboot information.
     *
     * @param kernelName the kernel's name; the guest's command line is {@code kernelName + " " + cmdline}, as QEMU makes it
     * @throws NotMultibootException when the image has no Multiboot header (nothing was written)
     * @throws LoaderException for any other bad image or a guest that does not fit (nothing was written)
     */
    public MultibootBoot load(byte[] kernel, String kernelName, String cmdline, List<MultibootModule> modules)
            throws LoaderException {
        MultibootHeader header = MultibootHeader.parse(kernel);
        KernelImage image = header.hasAddressFields() ? AoutKludge.parse(kernel, header) : Elf32Kernel.parse(kernel);
        for (LoadSegment s : image.segments()) checkRange("kernel", s.address(), s.end());

        // Strings and the module list follow the kernel in one page-aligned block, then the modules.
        long base = image.start();
        long mbInfo = base + pageAlign(image.end() - base);
        List<byte[]> moduleStrings = new ArrayList<>();
        for (MultibootModule m : modules) moduleStrings.add(cString(m.string()));
        byte[] kernelLine = cString(kernelName + " " + cmdline);
        byte[] loaderName = cString(BOOT_LOADER_NAME);
        long stringsStart = mbInfo + (long) MODULE_SIZE * modules.size();
        long stringsSize = kernelLine.length + loaderName.length;
        for (byte[] s : moduleStrings) stringsSize += s.length;
        long next = pageAlign(stringsStart + stringsSize);
        checkRange("kernel", base, next);
        long[] moduleStart = new long[modules.size()];
        for (int i = 0; i < modules.size(); i++) {
            moduleStart[i] = next;
            long end = next + modules.get(i).data().length;
            if (end > layout.belowHole()) {
                throw new LoaderException("module '" + modules.get(i).string() + "' (" + modules.get(i).data().length
                        + " bytes) does not fit: RAM below 4 GiB ends at " + Bytes.hex(layout.belowHole()));
            }
            next = pageAlign(end);
        }

        // QEMU copies the kernel as one flat block from its lowest to its highest address, so gaps
        // between segments read as zeros too; do the same so a guest sees identical memory.
        zero(base, image.end() - base);
        for (LoadSegment s : image.segments()) ram.load(s.address(), kernel, s.fileOffset(), s.fileSize());
        long stringAt = stringsStart;
        long[] moduleString = new long[modules.size()];
        for (int i = 0; i < modules.size(); i++) {
            moduleString[i] = stringAt;
            stringAt = put(stringAt, moduleStrings.get(i));
        }
        long cmdlineAddr = stringAt;
        stringAt = put(stringAt, kernelLine);
        long loaderNameAddr = stringAt;
        put(stringAt, loaderName);
        for (int i = 0; i < modules.size(); i++) {
            byte[] data = modules.get(i).data();
            ram.load(moduleStart[i], data);
            zero(moduleStart[i] + data.length, pageAlign(data.length) - data.length);
            byte[] mod = new byte[MODULE_SIZE];
            Bytes.put32(mod, 0, moduleStart[i]);
            Bytes.put32(mod, 4, moduleStart[i] + data.length);
            Bytes.put32(mod, 8, moduleString[i]);
            ram.load(mbInfo + (long) MODULE_SIZE * i, mod);
        }

        E820Map e820 = E820Map.forLayout(layout);
        byte[] mmap = mmap(e820);
        zero(MMAP_ADDRESS, MMAP_AREA);
        ram.load(MMAP_ADDRESS, mmap);
        byte[] info = new byte[INFO_SIZE];
        Bytes.put32(info, 0, FLAG_MEMORY | FLAG_BOOT_DEVICE | FLAG_CMDLINE | FLAG_MODULES | FLAG_MMAP | FLAG_BOOT_LOADER_NAME);
        Bytes.put32(info, 4, e820.conventionalKiB());
        Bytes.put32(info, 8, e820.extendedKiB());
        Bytes.put32(info, 12, BOOT_DEVICE);
        Bytes.put32(info, 16, cmdlineAddr);
        Bytes.put32(info, 20, modules.size());
        Bytes.put32(info, 24, mbInfo);
        Bytes.put32(info, 44, mmap.length);
        Bytes.put32(info, 48, MMAP_ADDRESS);
        Bytes.put32(info, 64, loaderNameAddr);
        ram.load(INFO_ADDRESS, info);
        return new MultibootBoot(image.entry(), INFO_ADDRESS, base, next);
    }

    /** Multiboot mmap entries: a size field (20, not counting itself), then the E820 entry. */
    static byte[] mmap(E820Map e820) throws LoaderException {
        List<E820Map.Entry> entries = e820.entries();
        byte[] out = new byte[entries.size() * MMAP_ENTRY_SIZE];
        if (out.length > MMAP_AREA) throw new LoaderException("memory map of " + entries.size() + " entries is too large");
        for (int i = 0; i < entries.size(); i++) {
            E820Map.Entry e = entries.get(i);
            int at = i * MMAP_ENTRY_SIZE;
            Bytes.put32(out, at, MMAP_ENTRY_SIZE - 4);
            Bytes.put64(out, at + 4, e.base());
            Bytes.put64(out, at + 12, e.length());
            Bytes.put32(out, at + 20, e.type());
        }
        return out;
    }

    private void checkRange(String what, long start, long end) throws LoaderException {
        long size = end - start;
        if (size > ram.size()) {
            throw new LoaderException("guest of " + size + " bytes does not fit in " + (ram.size() >> 20) + " MiB of RAM");
        }
        String range = what + " at " + Bytes.hex(start) + "-" + Bytes.hex(end - 1);
        if (end > layout.belowHole()) {
            if (layout.aboveHole() > 0 && end <= PcMemoryLayout.FOUR_GIB) {
                throw new LoaderException(range + " overlaps the PCI hole at " + Bytes.hex(layout.belowHole()) + "-0xffffffff");
            }
            throw new LoaderException(range + " is outside guest RAM, which ends at " + Bytes.hex(layout.belowHole())
                    + " (" + (ram.size() >> 20) + " MiB)");
        }
        if (start < LEGACY_END && end > LEGACY_START) {
            throw new LoaderException(range + " overlaps the VGA/BIOS area 0xa0000-0xfffff");
        }
        if (start < INFO_ADDRESS + INFO_SIZE && end > MMAP_ADDRESS) {
            throw new LoaderException(range + " overlaps the Multiboot information at " + Bytes.hex(MMAP_ADDRESS) + "-"
                    + Bytes.hex(INFO_ADDRESS + INFO_SIZE - 1));
        }
    }

    private long put(long addr, byte[] bytes) {
        ram.load(addr, bytes);
        return addr + bytes.length;
    }

    private void zero(long addr, long len) {
        while (len > 0) {
            int n = (int) Math.min(len, ZEROS.length);
            ram.load(addr, ZEROS, 0, n);
            addr += n;
            len -= n;
        }
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static long pageAlign(long v) {
        return (v + PAGE - 1) & ~(long) (PAGE - 1);
    }
}
