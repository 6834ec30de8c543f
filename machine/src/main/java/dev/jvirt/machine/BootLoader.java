package dev.jvirt.machine;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.firmware.DemoGuest;
import dev.jvirt.firmware.LoaderException;
import dev.jvirt.firmware.linux.LinuxBoot;
import dev.jvirt.firmware.linux.LinuxBootOptions;
import dev.jvirt.firmware.linux.LinuxLoader;
import dev.jvirt.firmware.multiboot.MultibootBoot;
import dev.jvirt.firmware.multiboot.MultibootLoader;
import dev.jvirt.firmware.multiboot.MultibootModule;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Direct kernel boot (QEMU's -kernel): puts the image in RAM and the CPU in the state its protocol promises. */
final class BootLoader {
    private BootLoader() { }

    static void load(MachineConfig cfg, GuestRam ram, PcMemoryLayout layout, long acpiRsdp, CpuState s) {
        String name;
        byte[] kernel;
        if (cfg.kernel() == null) {
            name = DemoGuest.NAME;
            kernel = DemoGuest.image();
        } else {
            name = cfg.kernel().toString();
            kernel = readImage("-kernel", cfg.kernel(), ram.size());
        }
        if (!MultibootLoader.isMultiboot(kernel)) {
            if (!isLinuxBzImage(kernel)) throw new UsageException(name + ": not a multiboot or Linux kernel image");
            byte[] initrd = cfg.initrd().isEmpty() ? null : concatenated(cfg.initrd(), ram.size());
            LinuxBoot boot;
            try {
                boot = new LinuxLoader(ram, layout).load(kernel, cfg.append(), initrd, new LinuxBootOptions(cfg.linuxEntry(), acpiRsdp));
            } catch (LoaderException e) {
                throw new UsageException(name + ": " + e.getMessage());
            }
            enterLinux(s, boot);
            return;
        }
        List<MultibootModule> modules = new ArrayList<>();
        for (int i = 0; i < cfg.initrd().size(); i++) {
            modules.add(new MultibootModule(cfg.initrdArgs().get(i), readImage("-initrd", cfg.initrd().get(i), ram.size())));
        }
        MultibootBoot boot;
        try {
            boot = new MultibootLoader(ram, layout).load(kernel, name, cfg.append(), modules);
        } catch (LoaderException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
        enterMultiboot(s, boot);
    }

    /** The machine state the Multiboot 0.6.96 spec, section 3.2, requires at the kernel's entry. */
    static void enterMultiboot(CpuState s, MultibootBoot boot) {
        s.reset();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.rflags = 2;
        s.cs.setFlat(MultibootBoot.CODE_SELECTOR, true);
        for (var seg : new dev.jvirt.cpu.SegmentRegister[] {s.ds, s.es, s.fs, s.gs, s.ss}) seg.setFlat(MultibootBoot.DATA_SELECTOR, false);
        s.gpr[CpuState.RAX] = boot.eax() & 0xFFFF_FFFFL;
        s.gpr[CpuState.RBX] = boot.infoAddress();
        s.gpr[CpuState.RDX] = 0;
        s.rip = boot.entry();
    }

    /** The state the Linux boot protocol's 32- or 64-bit entry expects (Documentation/arch/x86/boot.rst). */
    static void enterLinux(CpuState s, LinuxBoot b) {
        s.reset();
        s.cr0 = b.cr0();
        s.cr3 = b.cr3();
        s.cr4 = b.cr4();
        s.efer = b.efer();
        s.gdtBase = b.gdtBase();
        s.gdtLimit = b.gdtLimit();
        s.rflags = LinuxBoot.RFLAGS;
        s.cs.setFlat(LinuxBoot.BOOT_CS, true);
        if (b.longMode()) {
            s.cs.l = true;
            s.cs.db = false;
        }
        for (var seg : new dev.jvirt.cpu.SegmentRegister[] {s.ds, s.es, s.fs, s.gs, s.ss}) seg.setFlat(LinuxBoot.BOOT_DS, false);
        s.gpr[CpuState.RSI] = b.bootParams();
        s.gpr[CpuState.RSP] = b.stack();
        s.gpr[CpuState.RDX] = 0;
        s.rip = b.entry();
    }

    static boolean isLinuxBzImage(byte[] k) {
        return LinuxLoader.isBzImage(k);
    }

    /** Several -initrd files for Linux: initramfs archives concatenate (Documentation/driver-api/early-userspace). */
    private static byte[] concatenated(List<Path> files, long ramSize) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Path p : files) {
            byte[] b = readImage("-initrd", p, ramSize);
            out.writeBytes(b);
            if (out.size() > ramSize) throw new UsageException("-initrd: " + out.size() + " bytes do not fit in " + (ramSize >> 20) + " MiB of RAM");
        }
        return out.toByteArray();
    }

    private static byte[] readImage(String option, Path p, long ramSize) {
        try {
            long size = Files.size(p);
            if (size > ramSize) {
                throw new UsageException(option + " " + p + ": guest of " + size + " bytes does not fit in " + (ramSize >> 20) + " MiB of RAM");
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UsageException(option + " " + p + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
