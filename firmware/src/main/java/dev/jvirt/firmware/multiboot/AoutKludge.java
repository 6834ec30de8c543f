package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.LoaderException;

import java.util.List;

/**
 * The a.out kludge (Multiboot 0.6.96, 3.1.3): the header's own address fields say which file
 * bytes go where. The file offset of load_addr is the header's offset minus (header_addr - load_addr).
 */
final class AoutKludge {
    private AoutKludge() { }

    static KernelImage parse(byte[] image, MultibootHeader h) throws LoaderException {
        if (h.headerAddr() < h.loadAddr()) {
            throw new LoaderException("bad Multiboot header: header_addr " + Bytes.hex(h.headerAddr()) + " is below load_addr "
                    + Bytes.hex(h.loadAddr()));
        }
        long textOffset = h.fileOffset() - (h.headerAddr() - h.loadAddr());
        if (textOffset < 0) {
            throw new LoaderException("bad Multiboot header: load_addr " + Bytes.hex(h.loadAddr()) + " lies before the start of the file");
        }
        long loadSize;
        if (h.loadEndAddr() != 0) {
            if (h.loadEndAddr() < h.loadAddr()) throw new LoaderException("bad Multiboot header: load_end_addr is below load_addr");
            loadSize = h.loadEndAddr() - h.loadAddr();
        } else {
            loadSize = image.length - textOffset;
        }
        if (textOffset + loadSize > image.length) {
            throw new LoaderException("truncated Multiboot kernel: " + (textOffset + loadSize) + " bytes needed, file has " + image.length);
        }
        long memSize = loadSize;
        if (h.bssEndAddr() != 0) {
            if (h.bssEndAddr() < h.loadAddr() + loadSize) throw new LoaderException("bad Multiboot header: bss_end_addr is below load_end_addr");
            memSize = h.bssEndAddr() - h.loadAddr();
        }
        if (memSize == 0) throw new LoaderException("Multiboot kernel is empty");
        return new KernelImage(List.of(new LoadSegment(h.loadAddr(), (int) textOffset, (int) loadSize, memSize)), h.entryAddr());
    }
}
