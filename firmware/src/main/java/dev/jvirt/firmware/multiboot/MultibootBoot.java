package dev.jvirt.firmware.multiboot;

/**
 * The machine state a Multiboot kernel expects on entry (Multiboot 0.6.96, 3.2): EIP = {@code entry},
 * EAX = {@link #EAX_MAGIC}, EBX = {@code infoAddress}; CS a flat 32-bit execute/read code segment and
 * DS/ES/FS/GS/SS flat read/write data segments (base 0, limit 4 GiB); CR0.PE = 1, CR0.PG = 0;
 * EFLAGS.IF = 0 and VM = 0; A20 enabled. ESP, GDTR and IDTR are undefined: the kernel sets its own.
 * {@code imageStart}-{@code imageEnd} is the guest-physical range the kernel, its strings and modules occupy.
 */
public record MultibootBoot(long entry, long infoAddress, long imageStart, long imageEnd) {
    public static final int EAX_MAGIC = 0x2BADB002;
    /** Selectors matching QEMU's multiboot option ROM GDT (0x08 code, 0x10 data), for an integrator's descriptor caches. */
    public static final int CODE_SELECTOR = 0x08, DATA_SELECTOR = 0x10;

    public int eax() {
        return EAX_MAGIC;
    }
}
