package dev.jvirt.firmware.linux;

/**
 * What the board chooses for a Linux boot beyond the kernel, initrd and command line.
 *
 * @param entryMode       the CPU mode at the kernel's entry
 * @param acpiRsdpAddress guest-physical address of the ACPI RSDP for boot_params.acpi_rsdp_addr
 *                        (protocol 2.14+), or 0 to let the kernel scan the BIOS area for it
 */
public record LinuxBootOptions(EntryMode entryMode, long acpiRsdpAddress) {
    public LinuxBootOptions {
        if (entryMode == null) throw new IllegalArgumentException("entry mode is null");
        if (acpiRsdpAddress < 0) throw new IllegalArgumentException("negative RSDP address");
    }

    public static LinuxBootOptions defaults() {
        return new LinuxBootOptions(EntryMode.AUTO, 0);
    }
}
