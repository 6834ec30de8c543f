package dev.jvirt.firmware.linux;

import dev.jvirt.firmware.E820Map;
import dev.jvirt.firmware.LoaderException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The zero page, struct boot_params (arch/x86/include/uapi/asm/bootparam.h, Documentation/arch/x86/zero-page.rst):
 * the kernel's setup header copied in at 0x1F1 with the loader's fields filled, the E820 table,
 * and nothing else. screen_info stays all zero: with orig_video_mode, _cols and _lines zero vgacon
 * decides there is no VGA text console and never probes, which is right for a serial-console guest.
 */
final class BootParams {
    static final int SIZE = 4096;
    static final int ACPI_RSDP_ADDR = 0x070, EXT_RAMDISK_IMAGE = 0x0C0, EXT_RAMDISK_SIZE = 0x0C4,
            EXT_CMD_LINE_PTR = 0x0C8, ALT_MEM_K = 0x1E0, E820_ENTRIES = 0x1E8, SENTINEL = 0x1EF, E820_TABLE = 0x2D0;
    /** Where the setup header area of boot_params ends (edd_mbr_sig_buffer follows). */
    static final int HEADER_AREA_END = 0x290;
    static final int E820_MAX = 128, E820_ENTRY_SIZE = 20;
    /** "Undefined" boot loader: no ID is assigned to jvirt (boot.rst, type_of_loader). */
    static final int TYPE_OF_LOADER_UNDEFINED = 0xFF;
    static final int VID_MODE_NORMAL = 0xFFFF;
    /** heap_end_ptr as boot.rst's sample configuration sets it (heap_end 0xE000 - 0x200); unused without real-mode setup. */
    static final int HEAP_END_PTR = 0xE000 - 0x200;

    private final ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

    BootParams(byte[] image, SetupHeader header) {
        int end = Math.min(header.headerEnd(), HEADER_AREA_END);
        b.put(SetupHeader.OFFSET, image, SetupHeader.OFFSET, end - SetupHeader.OFFSET);
        b.put(SENTINEL, (byte) 0);
        b.putShort(SetupHeader.VID_MODE, (short) VID_MODE_NORMAL);
        b.put(SetupHeader.TYPE_OF_LOADER, (byte) TYPE_OF_LOADER_UNDEFINED);
        int flags = (header.loadflags() | SetupHeader.CAN_USE_HEAP) & ~SetupHeader.QUIET_FLAG;
        b.put(SetupHeader.LOADFLAGS, (byte) flags);
        b.putShort(SetupHeader.HEAP_END_PTR, (short) HEAP_END_PTR);
    }

    BootParams commandLine(long address) {
        b.putInt(SetupHeader.CMD_LINE_PTR, (int) address);
        b.putInt(EXT_CMD_LINE_PTR, (int) (address >>> 32));
        return this;
    }

    BootParams ramdisk(long address, long size) {
        b.putInt(SetupHeader.RAMDISK_IMAGE, (int) address);
        b.putInt(SetupHeader.RAMDISK_SIZE, (int) size);
        b.putInt(EXT_RAMDISK_IMAGE, (int) (address >>> 32));
        b.putInt(EXT_RAMDISK_SIZE, (int) (size >>> 32));
        return this;
    }

    BootParams acpiRsdp(long address) {
        b.putLong(ACPI_RSDP_ADDR, address);
        return this;
    }

    BootParams memoryMap(E820Map map) throws LoaderException {
        List<E820Map.Entry> entries = map.entries();
        if (entries.size() > E820_MAX) {
            throw new LoaderException("memory map of " + entries.size() + " entries exceeds the zero page's " + E820_MAX);
        }
        b.put(E820_ENTRIES, (byte) entries.size());
        for (int i = 0; i < entries.size(); i++) {
            E820Map.Entry e = entries.get(i);
            int at = E820_TABLE + i * E820_ENTRY_SIZE;
            b.putLong(at, e.base());
            b.putLong(at + 8, e.length());
            b.putInt(at + 16, e.type());
        }
        b.putInt(ALT_MEM_K, (int) map.extendedKiB());
        return this;
    }

    byte[] bytes() {
        return b.array();
    }
}
