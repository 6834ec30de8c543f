package dev.jvirt.machine;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.firmware.DemoGuest;
import dev.jvirt.firmware.LoaderException;
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

    static void load(MachineConfig cfg, GuestRam ram, PcMemoryLayout layout, CpuState s) {
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
            if (isLinuxBzImage(kernel)) throw new UsageException(name + ": Linux bzImage boot is not built yet (multiboot kernels boot)");
            throw new UsageException(name + ": not a multiboot or Linux kernel image");
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

    /** Linux boot protocol: "HdrS" at 0x202 (Documentation/arch/x86/boot.rst). */
    static boolean isLinuxBzImage(byte[] k) {
        return k.length > 0x206 && k[0x202] == 'H' && k[0x203] == 'd' && k[0x204] == 'r' && k[0x205] == 'S';
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
