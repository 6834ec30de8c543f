package dev.jvirt.devices.pci;

/**
 * The 82441FX PCI and Memory Controller (PMC), host bridge 8086:1237 at 00.0. It keeps the
 * Programmable Attribute Map registers (PAM0-PAM6, 0x59-0x5F), which say whether the BIOS areas
 * 0xC0000-0xFFFFF read/write RAM or ROM, and the SMRAM control register (0x72). The board applies
 * them to the memory map through {@link #setPamListener}.
 */
public final class I440fxHostBridge extends PciDevice {
    public static final int VENDOR = 0x8086, DEVICE = 0x1237;
    public static final int PAM0 = 0x59, PAM_COUNT = 7, SMRAM = 0x72;
    /** SMRAM reset value: C_BASE_SEG = 010 (compatible SMRAM at 0xA0000), everything else off. */
    static final int SMRAM_DEFAULT = 0x02;

    private Runnable pamListener = () -> { };

    public I440fxHostBridge() {
        super("i440fx", VENDOR, DEVICE, 0x060000, 0x02, 0x00);
        // PAM0 has only the high nibble (0xF0000-0xFFFFF); the others hold two 16 KiB areas each.
        setWriteMask(PAM0, 1, 0x30);
        for (int i = 1; i < PAM_COUNT; i++) setWriteMask(PAM0 + i, 1, 0x33);
        config[SMRAM] = SMRAM_DEFAULT;
        setWriteMask(SMRAM, 1, 0x78);
    }

    /** Called after any PAM register changes, so the board can remap the shadow areas. */
    public void setPamListener(Runnable r) { pamListener = r == null ? () -> { } : r; }

    /** PAM register {@code i} (0..6). */
    public int pam(int i) { return get8(PAM0 + i); }

    public int smram() { return get8(SMRAM); }

    @Override
    protected void configWritten(int offset, int size) {
        super.configWritten(offset, size);
        if (overlaps(offset, size, PAM0, PAM_COUNT)) pamListener.run();
    }
}
