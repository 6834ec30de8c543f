package dev.jvirt.firmware.linux;

/**
 * The CPU state a loaded Linux kernel expects at its entry (Documentation/arch/x86/boot.rst,
 * "32-bit Boot Protocol" and "64-bit Boot Protocol"), for the board to put into the boot CPU:
 * CS = {@link #BOOT_CS} and DS/ES/SS (also FS/GS here) = {@link #BOOT_DS}, flat 4 GiB segments
 * whose descriptors are in the GDT at {@code gdtBase}/{@code gdtLimit} (CS a 64-bit code segment,
 * L = 1 and D = 0, in long mode); EFLAGS = 2 (interrupts off); RIP = {@code entry};
 * RSI = {@code bootParams}; RBP = RDI = RBX = 0; RSP = {@code stack} (the protocol needs none: the
 * kernel sets its own, this is a harmless one below the zero page); CR0/CR3/CR4/EFER as given.
 *
 * @param kernelStart    where the protected-mode kernel was copied
 * @param kernelEnd      end of the memory the kernel needs before it reads the memory map (runtime start + init_size)
 * @param initrdAddress  guest-physical address of the initrd, 0 without one
 */
public record LinuxBoot(EntryMode mode, long entry, long bootParams, long stack, long cr0, long cr3, long cr4, long efer,
                        long gdtBase, int gdtLimit, long kernelStart, long kernelEnd, long initrdAddress, long initrdSize,
                        long cmdlineAddress) {
    public static final int BOOT_CS = 0x10, BOOT_DS = 0x18;
    public static final long CR0_PE = 1, CR0_ET = 0x10, CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1 << 5;
    public static final long EFER_LME = 1 << 8, EFER_LMA = 1 << 10;
    public static final long RFLAGS = 2;

    /** True when CS must be a 64-bit code segment (L = 1, D = 0). */
    public boolean longMode() {
        return mode == EntryMode.LONG_MODE;
    }
}
