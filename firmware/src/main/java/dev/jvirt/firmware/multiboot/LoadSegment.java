package dev.jvirt.firmware.multiboot;

/**
 * One piece of the kernel image: {@code fileSize} bytes from {@code fileOffset} copied to
 * guest-physical {@code address}, then zeros up to {@code memSize} (bss).
 */
public record LoadSegment(long address, int fileOffset, int fileSize, long memSize) {
    public long end() {
        return address + memSize;
    }
}
