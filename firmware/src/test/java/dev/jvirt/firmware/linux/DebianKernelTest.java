package dev.jvirt.firmware.linux;

import dev.jvirt.firmware.LoaderException;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unmodified Debian bookworm kernels of scripts/guest-kit.sh: their setup headers are what the
 * 64-bit direct boot relies on, and LinuxLoader places them and the kit's initrd in a 512 MiB guest.
 * Skips with the reason when the kit cannot be had.
 */
class DebianKernelTest {
    private static final long MIB = 1 << 20;

    private static Path kernel(String flavour) {
        GuestKit.Kit kit = GuestKit.require();
        return flavour.equals("cloud") ? kit.cloudKernel() : kit.genericKernel();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cloud", "generic"})
    void headerOffersRelocatable64BitBoot(String flavour) throws IOException, LoaderException {
        byte[] image = Files.readAllBytes(kernel(flavour));
        assertTrue(LinuxLoader.isBzImage(image));
        SetupHeader h = SetupHeader.parse(image);
        assertTrue(h.version() >= 0x020F, "protocol " + h.versionString());
        assertTrue(h.relocatable(), "relocatable_kernel");
        assertTrue(h.has64BitEntry(), "XLF_KERNEL_64");
        assertTrue(h.canLoadAbove4G(), "XLF_CAN_BE_LOADED_ABOVE_4G");
        assertEquals(0x100_0000L, h.prefAddress(), "pref_address (CONFIG_PHYSICAL_START)");
        assertEquals(0x20_0000L, h.kernelAlignment(), "kernel_alignment (CONFIG_PHYSICAL_ALIGN)");
        assertEquals(2047, h.cmdlineSize());
        assertTrue(h.initSize() > image.length - h.setupSize(), "init_size covers the decompressed kernel");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cloud", "generic"})
    void loadsWithTheKitInitrdIn512MiB(String flavour) throws IOException, LoaderException {
        byte[] image = Files.readAllBytes(kernel(flavour));
        byte[] initrd = Files.readAllBytes(GuestKit.require().initrd());
        long size = 512 * MIB;
        try (GuestRam ram = GuestRam.allocate(size)) {
            LinuxBoot boot = new LinuxLoader(ram, PcMemoryLayout.forRamSize(size))
                    .load(image, "console=ttyS0", initrd, LinuxBootOptions.defaults());
            assertEquals(EntryMode.LONG_MODE, boot.mode());
            assertEquals(0x100_0200L, boot.entry());
            int setup = SetupHeader.parse(image).setupSize();
            assertArrayEquals(java.util.Arrays.copyOfRange(image, setup, setup + 4096), ram.read(0x100_0000, 4096));
            assertTrue(boot.initrdAddress() >= boot.kernelEnd(), "initrd above the kernel's init_size");
            assertEquals((size - 0x20000 - initrd.length) & ~0xFFFL, boot.initrdAddress());
            assertArrayEquals(initrd, ram.read(boot.initrdAddress(), initrd.length));
        }
    }
}
