package dev.jvirt.firmware.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds minimal bzImages: a boot sector and setup sectors carrying the setup header, then a payload. */
final class TestBzImage {
    int version = 0x020F;
    int setupSects = 1;
    int loadflags = SetupHeader.LOADED_HIGH;
    long initrdAddrMax = 0x7FFF_FFFFL;
    long kernelAlignment = 0x20_0000;
    boolean relocatable = true;
    int xloadflags = SetupHeader.XLF_KERNEL_64 | SetupHeader.XLF_CAN_BE_LOADED_ABOVE_4G;
    long cmdlineSize = 2047;
    long prefAddress = 0x100_0000;
    long initSize = 0x80_0000;
    int payloadSize = 0x3000;
    /** Bytes cut off the end after building, to make a truncated file. */
    int truncateBy;

    byte[] build() {
        int sects = setupSects == 0 ? 4 : setupSects;
        int setupSize = (sects + 1) * 512;
        ByteBuffer b = ByteBuffer.allocate(setupSize + payloadSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SetupHeader.SETUP_SECTS, (byte) setupSects);
        b.putInt(SetupHeader.SYSSIZE, payloadSize / 16);
        b.putShort(SetupHeader.VID_MODE, (short) 0xFFFF);
        b.putShort(SetupHeader.BOOT_FLAG, (short) SetupHeader.BOOT_FLAG_MAGIC);
        b.put(SetupHeader.JUMP, (byte) 0xEB);
        b.put(SetupHeader.JUMP + 1, (byte) 0x6A); // header ends at 0x26c, as in 2.15 kernels
        b.putInt(SetupHeader.HEADER, SetupHeader.HDRS_MAGIC);
        b.putShort(SetupHeader.VERSION, (short) version);
        b.put(SetupHeader.LOADFLAGS, (byte) loadflags);
        b.putInt(0x214, 0x100000); // code32_start
        b.putInt(SetupHeader.INITRD_ADDR_MAX, (int) initrdAddrMax);
        b.putInt(SetupHeader.KERNEL_ALIGNMENT, (int) kernelAlignment);
        b.put(SetupHeader.RELOCATABLE_KERNEL, (byte) (relocatable ? 1 : 0));
        b.put(SetupHeader.RELOCATABLE_KERNEL + 1, (byte) 21); // min_alignment
        b.putShort(SetupHeader.XLOADFLAGS, (short) xloadflags);
        b.putInt(SetupHeader.CMDLINE_SIZE, (int) cmdlineSize);
        b.putLong(SetupHeader.PREF_ADDRESS, prefAddress);
        b.putInt(SetupHeader.INIT_SIZE, (int) initSize);
        for (int i = 0; i < payloadSize; i++) b.put(setupSize + i, (byte) (i * 7 + 3));
        byte[] out = b.array();
        return truncateBy == 0 ? out : java.util.Arrays.copyOf(out, out.length - truncateBy);
    }

    static int setupSize(byte[] image) {
        int sects = image[SetupHeader.SETUP_SECTS] & 0xFF;
        return ((sects == 0 ? 4 : sects) + 1) * 512;
    }
}
