package dev.jvirt.firmware.linux;

import dev.jvirt.mmu.GuestRam;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what {@link LinuxLoader} left in guest RAM plus its {@link LinuxBoot} entry state into a
 * Multiboot ELF that QEMU's {@code -kernel} boots: QEMU's own loader puts the kernel and initrd
 * where LinuxLoader placed them, and a small 32-bit stub copies the low-memory area (zero page,
 * GDT, page tables, command line) into place (QEMU's Multiboot ROM uses 0x9000 for its own tables,
 * so that area travels staged at 2 MiB), then programs GDTR, segments, CR4, CR3, EFER and CR0 from
 * the record and far-jumps to __BOOT_CS:entry. A reference machine thus runs a kernel on exactly
 * the state jvirt's board will set, independent of jvirt's CPU.
 */
final class MultibootShim {
    static final long STUB = 0x10_0000, STAGING = 0x20_0000;
    private static final int MB_MAGIC = 0x1BAD_B002;
    private static final long EFER_MSR = 0xC000_0080L;

    private record Segment(long address, byte[] data) { }

    private MultibootShim() { }

    /** @param kernelSize bytes of protected-mode kernel at {@code boot.kernelStart()} */
    static byte[] build(GuestRam ram, LinuxBoot boot, int kernelSize, int cmdlineLength) {
        long lowStart = LinuxLoader.LOW_RESERVED_START;
        long lowEnd = LinuxLoader.CMDLINE_ADDRESS + cmdlineLength + 1;
        if (STAGING + (lowEnd - lowStart) > boot.kernelStart()) throw new IllegalStateException("staging overlaps the kernel");
        List<Segment> segments = new ArrayList<>();
        segments.add(new Segment(STUB, stub(boot, lowStart, (int) (lowEnd - lowStart))));
        segments.add(new Segment(STAGING, ram.read(lowStart, (int) (lowEnd - lowStart))));
        segments.add(new Segment(boot.kernelStart(), ram.read(boot.kernelStart(), kernelSize)));
        if (boot.initrdSize() > 0) segments.add(new Segment(boot.initrdAddress(), ram.read(boot.initrdAddress(), (int) boot.initrdSize())));
        return elf32(STUB, segments);
    }

    private static byte[] stub(LinuxBoot boot, long lowStart, int lowLength) {
        Code c = new Code();
        c.op(0xFA).op(0xFC);                                         // cli; cld
        c.op(0xBE).imm32(STAGING).op(0xBF).imm32(lowStart);          // mov esi, staging; mov edi, low
        c.op(0xB9).imm32(lowLength).op(0xF3, 0xA4);                  // mov ecx, len; rep movsb
        int gdtrFixup = c.op(0x0F, 0x01, 0x15).mark();               // lgdt [gdtr]
        c.imm32(0);
        c.op(0xB8).imm32(LinuxBoot.BOOT_DS);                         // mov eax, __BOOT_DS
        for (int modrm : new int[] {0xD8, 0xC0, 0xD0, 0xE0, 0xE8}) c.op(0x8E, modrm); // ds, es, ss, fs, gs
        c.op(0xBC).imm32(boot.stack());                              // mov esp, stack
        if (boot.longMode()) {
            c.op(0xB8).imm32(boot.cr4()).op(0x0F, 0x22, 0xE0);       // mov cr4, eax
            c.op(0xB8).imm32(boot.cr3()).op(0x0F, 0x22, 0xD8);       // mov cr3, eax
            c.op(0xB9).imm32(EFER_MSR);                              // mov ecx, IA32_EFER
            c.op(0xB8).imm32(boot.efer() & ~LinuxBoot.EFER_LMA);     // LMA is set by the CPU when paging turns on
            c.op(0x31, 0xD2).op(0x0F, 0x30);                         // xor edx, edx; wrmsr
        }
        c.op(0xB8).imm32(boot.cr0()).op(0x0F, 0x22, 0xC0);           // mov cr0, eax
        c.op(0xBE).imm32(boot.bootParams());                         // mov esi, boot_params
        c.op(0x31, 0xDB).op(0x31, 0xED).op(0x31, 0xFF);              // xor ebx, ebp, edi
        c.op(0xEA).imm32(boot.entry()).op(LinuxBoot.BOOT_CS, 0);     // jmp far __BOOT_CS:entry
        while (c.size() % 8 != 0) c.op(0x90);
        int gdtr = c.size();
        c.op(boot.gdtLimit() & 0xFF, boot.gdtLimit() >> 8).imm32(boot.gdtBase());
        byte[] code = c.bytes();
        ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN).putInt(gdtrFixup, (int) (STUB + gdtr));
        return code;
    }

    /** ELF32 i386 executable with the Multiboot header (flags 0: an ELF kernel) in its first page. */
    private static byte[] elf32(long entry, List<Segment> segments) {
        int phoff = 52, mbOffset = 0x200;
        long offset = 0x1000;
        ByteBuffer head = ByteBuffer.allocate(0x1000).order(ByteOrder.LITTLE_ENDIAN);
        head.put(new byte[] {0x7F, 'E', 'L', 'F', 1, 1, 1});
        head.putShort(16, (short) 2).putShort(18, (short) 3).putInt(20, 1).putInt(24, (int) entry).putInt(28, phoff)
                .putShort(40, (short) 52).putShort(42, (short) 32).putShort(44, (short) segments.size());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            int ph = phoff + 32 * i;
            head.putInt(ph, 1).putInt(ph + 4, (int) offset).putInt(ph + 8, (int) s.address).putInt(ph + 12, (int) s.address)
                    .putInt(ph + 16, s.data.length).putInt(ph + 20, s.data.length).putInt(ph + 24, 7).putInt(ph + 28, 0x1000);
            body.writeBytes(s.data);
            int pad = (int) (-s.data.length & 0xFFF);
            body.writeBytes(new byte[pad]);
            offset += s.data.length + pad;
        }
        head.putInt(mbOffset, MB_MAGIC).putInt(mbOffset + 4, 0).putInt(mbOffset + 8, -MB_MAGIC);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Code op(int... bytes) {
            for (int b : bytes) out.write(b);
            return this;
        }

        Code imm32(long v) {
            for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)));
            return this;
        }

        int mark() { return out.size(); }

        int size() { return out.size(); }

        byte[] bytes() { return out.toByteArray(); }
    }
}
