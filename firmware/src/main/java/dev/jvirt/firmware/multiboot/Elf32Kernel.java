package dev.jvirt.firmware.multiboot;

import dev.jvirt.firmware.LoaderException;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the PT_LOAD program headers of an ELF32 i386 executable (System V ABI, ELF format
 * chapter), loading each at its physical address p_paddr as Multiboot loaders do.
 */
final class Elf32Kernel {
    private static final int EI_CLASS = 4, EI_DATA = 5;
    private static final int ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1;
    private static final int ET_EXEC = 2, EM_386 = 3;
    private static final int PT_LOAD = 1;
    private static final int EHDR_SIZE = 52, PHDR_SIZE = 32;

    private Elf32Kernel() { }

    static KernelImage parse(byte[] image) throws LoaderException {
        if (image.length < 4 || image[0] != 0x7F || image[1] != 'E' || image[2] != 'L' || image[3] != 'F') {
            throw new LoaderException("Multiboot kernel is not ELF and has no a.out-kludge address fields (flag bit 16)");
        }
        if (image.length < EHDR_SIZE) throw new LoaderException("truncated ELF kernel: " + image.length + " bytes");
        if (image[EI_CLASS] == ELFCLASS64) {
            throw new LoaderException("cannot load an ELF64 Multiboot kernel: give a 32-bit (ELF32) image");
        }
        if (image[EI_CLASS] != ELFCLASS32 || image[EI_DATA] != ELFDATA2LSB) {
            throw new LoaderException("Multiboot kernel is not a little-endian ELF32 file");
        }
        int type = Bytes.u16(image, 16), machine = Bytes.u16(image, 18);
        if (machine != EM_386) throw new LoaderException("Multiboot kernel is ELF for machine " + machine + ", not i386");
        if (type != ET_EXEC) throw new LoaderException("Multiboot kernel is not an ELF executable (e_type " + type + ")");
        long entry = Bytes.u32(image, 24);
        long phoff = Bytes.u32(image, 28);
        int phentsize = Bytes.u16(image, 42), phnum = Bytes.u16(image, 44);
        if (phnum == 0) throw new LoaderException("ELF kernel has no program headers");
        if (phentsize < PHDR_SIZE) throw new LoaderException("ELF kernel has bad program header size " + phentsize);
        if (phoff + (long) phentsize * phnum > image.length) throw new LoaderException("truncated ELF kernel: program headers cut off");
        List<LoadSegment> segments = new ArrayList<>();
        long physEntry = -1;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (Bytes.u32(image, ph) != PT_LOAD) continue;
            long offset = Bytes.u32(image, ph + 4), vaddr = Bytes.u32(image, ph + 8), paddr = Bytes.u32(image, ph + 12);
            long filesz = Bytes.u32(image, ph + 16), memsz = Bytes.u32(image, ph + 20);
            if (filesz > memsz) throw new LoaderException("ELF segment " + i + " has p_filesz > p_memsz");
            if (offset + filesz > image.length) {
                throw new LoaderException("truncated ELF kernel: segment " + i + " needs bytes up to " + Bytes.hex(offset + filesz)
                        + " but the file has " + image.length);
            }
            if (paddr + memsz > 1L << 32) throw new LoaderException("ELF segment " + i + " extends beyond 4 GiB");
            if (memsz == 0) continue;
            segments.add(new LoadSegment(paddr, (int) offset, (int) filesz, memsz));
            // A kernel linked at a virtual address enters at the physical copy of that code, as GRUB does.
            if (physEntry < 0 && entry >= vaddr && entry < vaddr + memsz) physEntry = entry - vaddr + paddr;
        }
        if (segments.isEmpty()) throw new LoaderException("ELF kernel has no loadable segments");
        return new KernelImage(segments, physEntry >= 0 ? physEntry : entry);
    }
}
