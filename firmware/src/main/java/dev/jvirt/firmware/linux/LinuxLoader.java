package dev.jvirt.firmware.linux;

import dev.jvirt.firmware.E820Map;
import dev.jvirt.firmware.LoaderException;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;

import java.nio.charset.StandardCharsets;

/**
 * Loads a Linux bzImage (x86 boot protocol 2.06 or later, Documentation/arch/x86/boot.rst) for
 * direct entry into its protected-mode kernel, the way a 32-bit or 64-bit boot loader does it: no
 * real-mode setup code runs. The protected-mode kernel goes to pref_address (or, when that is not
 * usable, the lowest aligned address from 1 MiB that leaves room for init_size); the initrd as
 * high as it may go below min(initrd_addr_max, top of RAM below the PCI hole). Low memory holds,
 * at fixed addresses: the zero page at {@link #BOOT_PARAMS_ADDRESS}, the GDT at {@link #GDT_ADDRESS},
 * the identity page tables at {@link #PAGE_TABLES_ADDRESS} and the command line at {@link #CMDLINE_ADDRESS}.
 */
public final class LinuxLoader {
    public static final long BOOT_PARAMS_ADDRESS = 0x7000;
    public static final long GDT_ADDRESS = 0x8000;
    /** PML4 here, then the PDPT and four page directories, to 0xEFFF. */
    public static final long PAGE_TABLES_ADDRESS = 0x9000;
    /** Everything this loader writes below 1 MiB except the command line: 0x7000-0xEFFF. */
    public static final long LOW_RESERVED_START = BOOT_PARAMS_ADDRESS,
            LOW_RESERVED_END = PAGE_TABLES_ADDRESS + IdentityPageTables.SIZE;
    /** The command line, NUL-terminated, up to the EBDA. */
    public static final long CMDLINE_ADDRESS = 0x20000;
    /** The 64-bit entry point is 0x200 past the 32-bit one (boot.rst, "64-bit Boot Protocol"). */
    public static final long ENTRY_64_OFFSET = 0x200;

    /** boot_params.acpi_rsdp_addr exists from protocol 2.14; older kernels find the RSDP by scanning the BIOS area. */
    static final int ACPI_RSDP_VERSION = 0x020E;
    private static final int PAGE = GuestRam.PAGE_SIZE;
    private static final long CMDLINE_AREA = E820Map.EBDA_START - CMDLINE_ADDRESS;

    private final GuestRam ram;
    private final PcMemoryLayout layout;

    /** @param ram guest RAM mapped by {@code layout} (RAM offset = address below the PCI hole) */
    public LinuxLoader(GuestRam ram, PcMemoryLayout layout) {
        if (layout.belowHole() + layout.aboveHole() > ram.size()) {
            throw new IllegalArgumentException("memory layout " + layout + " needs more than the " + ram.size() + " bytes of RAM");
        }
        if (layout.belowHole() < E820Map.CONVENTIONAL_END) {
            throw new IllegalArgumentException("memory layout " + layout + " has no conventional memory for the zero page");
        }
        this.ram = ram;
        this.layout = layout;
    }

    /** True when {@code image} carries the setup-header signatures; {@link #load} validates the rest. */
    public static boolean isBzImage(byte[] image) {
        return SetupHeader.present(image);
    }

    /**
     * Copies the kernel, the initrd and the command line into RAM, builds the zero page and the
     * entry mode's GDT and page tables, and returns the CPU state to enter with. Nothing is written
     * to RAM when it throws.
     *
     * @param cmdline the kernel command line, or null for an empty one
     * @param initrd  the initial ramdisk, or null / empty for none (initramfs archives may be concatenated)
     * @throws LoaderException with a one-line reason for a bad image or a guest that does not fit
     */
    public LinuxBoot load(byte[] kernel, String cmdline, byte[] initrd, LinuxBootOptions options) throws LoaderException {
        if (cmdline == null) cmdline = "";
        SetupHeader h = SetupHeader.parse(kernel);
        EntryMode mode = switch (options.entryMode()) {
            case AUTO -> h.has64BitEntry() ? EntryMode.LONG_MODE : EntryMode.PROTECTED_MODE;
            case LONG_MODE -> {
                if (!h.has64BitEntry()) throw new LoaderException("kernel has no 64-bit entry point (XLF_KERNEL_64 is clear)");
                yield EntryMode.LONG_MODE;
            }
            case PROTECTED_MODE -> EntryMode.PROTECTED_MODE;
        };

        byte[] line = cmdline.getBytes(StandardCharsets.UTF_8);
        if (line.length > h.cmdlineSize()) {
            throw new LoaderException("command line of " + line.length + " bytes is longer than the kernel's cmdline_size of "
                    + h.cmdlineSize());
        }
        if (line.length >= CMDLINE_AREA) {
            throw new LoaderException("command line of " + line.length + " bytes does not fit in low memory (" + CMDLINE_AREA + " bytes)");
        }
        if (cmdline.indexOf('\0') >= 0) throw new LoaderException("command line contains a NUL character");

        E820Map e820 = E820Map.forLayout(layout);
        long ramTop = ramTopBelowHole(e820);
        int payloadOffset = h.setupSize();
        int payloadSize = kernel.length - payloadOffset;
        long loadAddress = placeKernel(h, payloadSize, ramTop);
        long kernelEnd = Math.max(loadAddress + payloadSize, h.runtimeStart(loadAddress) + h.initSize());

        long initrdSize = initrd == null ? 0 : initrd.length;
        long initrdAddress = initrdSize == 0 ? 0 : placeInitrd(h, initrdSize, kernelEnd, ramTop);

        BootParams zeroPage = new BootParams(kernel, h)
                .commandLine(CMDLINE_ADDRESS)
                .ramdisk(initrdAddress, initrdSize)
                .acpiRsdp(h.version() >= ACPI_RSDP_VERSION ? options.acpiRsdpAddress() : 0)
                .memoryMap(e820);

        ram.load(loadAddress, kernel, payloadOffset, payloadSize);
        if (initrdSize > 0) ram.load(ramOffset(initrdAddress), initrd);
        byte[] cstring = new byte[line.length + 1];
        System.arraycopy(line, 0, cstring, 0, line.length);
        ram.load(CMDLINE_ADDRESS, cstring);
        ram.load(BOOT_PARAMS_ADDRESS, zeroPage.bytes());
        boolean longMode = mode == EntryMode.LONG_MODE;
        ram.load(GDT_ADDRESS, BootGdt.build(longMode));

        long stack = BOOT_PARAMS_ADDRESS;
        if (longMode) {
            ram.load(PAGE_TABLES_ADDRESS, IdentityPageTables.build(PAGE_TABLES_ADDRESS));
            return new LinuxBoot(mode, loadAddress + ENTRY_64_OFFSET, BOOT_PARAMS_ADDRESS, stack,
                    LinuxBoot.CR0_PE | LinuxBoot.CR0_ET | LinuxBoot.CR0_PG, PAGE_TABLES_ADDRESS, LinuxBoot.CR4_PAE,
                    LinuxBoot.EFER_LME | LinuxBoot.EFER_LMA, GDT_ADDRESS, BootGdt.LIMIT, loadAddress, kernelEnd,
                    initrdAddress, initrdSize, CMDLINE_ADDRESS);
        }
        return new LinuxBoot(mode, loadAddress, BOOT_PARAMS_ADDRESS, stack, LinuxBoot.CR0_PE | LinuxBoot.CR0_ET, 0, 0, 0,
                GDT_ADDRESS, BootGdt.LIMIT, loadAddress, kernelEnd, initrdAddress, initrdSize, CMDLINE_ADDRESS);
    }

    /**
     * pref_address when the kernel and its init_size fit there; else, for a relocatable kernel, the
     * lowest address from 1 MiB aligned to kernel_alignment whose runtime range fits.
     */
    private static long placeKernel(SetupHeader h, long payloadSize, long ramTop) throws LoaderException {
        long pref = h.prefAddress();
        if (fits(h, pref, payloadSize, ramTop)) return pref;
        if (h.relocatable()) {
            long align = h.kernelAlignment();
            long low = (E820Map.HIGH_MEMORY_START + align - 1) & -align;
            if (fits(h, low, payloadSize, ramTop)) return low;
        }
        long start = pref >= E820Map.HIGH_MEMORY_START ? pref : E820Map.HIGH_MEMORY_START;
        long end = Math.max(start + payloadSize, h.runtimeStart(start) + h.initSize());
        throw new LoaderException("kernel does not fit in RAM: it needs " + SetupHeader.hex(start) + "-" + SetupHeader.hex(end - 1)
                + " (init_size " + h.initSize() + " bytes) but usable RAM below 4 GiB ends at " + SetupHeader.hex(ramTop));
    }

    private static boolean fits(SetupHeader h, long address, long payloadSize, long ramTop) {
        if (address < E820Map.HIGH_MEMORY_START || address >= ramTop) return false;
        if (!h.relocatable() && address != h.prefAddress()) return false;
        long runtime = h.runtimeStart(address);
        return address + payloadSize <= ramTop && runtime >= address && runtime + h.initSize() <= ramTop;
    }

    /**
     * As high as possible below min(initrd_addr_max + 1, top of RAM below the hole) and above the
     * kernel; above 4 GiB only when that fails and the kernel says it can take it there.
     */
    private long placeInitrd(SetupHeader h, long size, long kernelEnd, long ramTop) throws LoaderException {
        long limit = Math.min(h.initrdAddrMax() + 1, ramTop);
        long address = (limit - size) & -(long) PAGE;
        if (limit - size >= kernelEnd && address >= kernelEnd) return address;
        if (h.canLoadAbove4G() && layout.aboveHole() >= size) {
            return (PcMemoryLayout.FOUR_GIB + layout.aboveHole() - size) & -(long) PAGE;
        }
        long room = Math.max(0, limit - kernelEnd);
        throw new LoaderException("initrd of " + size + " bytes does not fit below " + SetupHeader.hex(limit) + ": "
                + room + " bytes are free above the kernel (which ends at " + SetupHeader.hex(kernelEnd) + ")");
    }

    /** The end of the RAM that starts at 1 MiB, as the E820 map the guest gets describes it. */
    private static long ramTopBelowHole(E820Map e820) {
        for (E820Map.Entry e : e820.entries()) {
            if (e.type() == E820Map.TYPE_RAM && e.base() == E820Map.HIGH_MEMORY_START) return e.end();
        }
        return E820Map.HIGH_MEMORY_START;
    }

    private long ramOffset(long address) {
        return address < PcMemoryLayout.FOUR_GIB ? address : layout.belowHole() + (address - PcMemoryLayout.FOUR_GIB);
    }
}
