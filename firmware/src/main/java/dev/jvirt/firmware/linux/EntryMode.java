package dev.jvirt.firmware.linux;

/** How the loader hands the CPU to the kernel (Documentation/arch/x86/boot.rst, "32-bit/64-bit Boot Protocol"). */
public enum EntryMode {
    /** 64-bit when the kernel has a 64-bit entry point (XLF_KERNEL_64), else 32-bit. */
    AUTO,
    /** Long mode at load address + 0x200, identity-mapped paging. */
    LONG_MODE,
    /** Flat 32-bit protected mode at the load address, paging off. */
    PROTECTED_MODE
}
