package dev.jvirt.machine;

import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.firmware.linux.EntryMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The validated machine description: everything the command line asked for, checked, with files
 * named but not yet read.
 *
 * @param icountShift  deterministic clock at 2^shift ns per instruction, or -1 for real time
 * @param debugExit    isa-debug-exit iobase and iosize, or null when not configured
 * @param demo         no arguments were given: boot the built-in demo and report the guest's own status
 * @param cpuSpec      the {@code -cpu} argument as given, or null
 * @param logInterrupts {@code -d int}: log every exception and interrupt the interpreter delivers
 * @param sampleCpu    {@code -d cpu}: print where the vCPU is once a second
 * @param linuxEntry   which bzImage entry the loader uses ({@code -machine pc,linux-entry=})
 * @param cpuModel     the interpreter's CPU model ({@code -cpu host} with KVM: the default, unused)
 * @param vcpus        {@code -smp}: how many vCPUs, APIC IDs 0..vcpus-1, vCPU 0 the bootstrap processor
 */
public record MachineConfig(long ramSize, String accel, Path kernel, List<Path> initrd, List<String> initrdArgs,
                            String append, String serial, String debugcon, int[] debugExit, boolean noReboot,
                            int icountShift, boolean bootTimeline, boolean guestErrors, boolean logInterrupts, boolean sampleCpu, boolean hpet, Long rtcBase, boolean demo,
                            String cpuSpec, CpuModel cpuModel, int vcpus, EntryMode linuxEntry) {
    public static final long DEFAULT_RAM = 128L << 20;
    /** The most {@code -smp} accepts: every vCPU is a host thread, and the xAPIC's flat logical mode addresses 8. */
    public static final int MAX_VCPUS = 16;

    static MachineConfig from(Options o, boolean demo) {
        long ram = Sizes.parse("-m", o.memory.startsWith("size=") ? o.memory.substring(5) : o.memory, 1L << 20);
        if (ram < (1L << 20)) throw new UsageException("-m " + o.memory + ": guest RAM must be at least 1 MiB");
        ram = (ram + 0xFFF) & ~0xFFFL;

        String accelOption = o.accel;
        if (o.machine != null) accelOption = machineAccel(o.machine, accelOption);
        String accel = accelOption.contains(",") ? o.accel.substring(0, o.accel.indexOf(',')) : o.accel;
        if (accel.startsWith("accel=")) accel = accel.substring(6);
        accel = accel.toLowerCase(Locale.ROOT);

        int vcpus = o.smp == null ? 1 : smp(o.smp);

        Path kernel = null;
        if (o.kernel != null) kernel = readableFile("-kernel", o.kernel);
        List<Path> initrd = new ArrayList<>();
        List<String> initrdArgs = new ArrayList<>();
        if (o.initrd != null) {
            if (kernel == null) throw new UsageException("-initrd needs -kernel");
            // QEMU: comma-separated modules, each "path args..."; ",," escapes a comma.
            for (String mod : o.initrd.replace(",,", "\u0000").split(",")) {
                String m = mod.replace('\u0000', ',').trim();
                if (m.isEmpty()) continue;
                int sp = m.indexOf(' ');
                String path = sp < 0 ? m : m.substring(0, sp);
                initrd.add(readableFile("-initrd", path));
                initrdArgs.add(m);
            }
        }
        if (o.append != null && kernel == null) throw new UsageException("-append needs -kernel");

        String serial = o.serial.isEmpty() ? "stdio" : o.serial.getFirst();
        if (o.serial.size() > 1) throw new UsageException("-serial given " + o.serial.size() + " times: only COM1 is built so far");
        if (serial.startsWith("mon:")) serial = serial.substring(4);

        int[] debugExit = null;
        for (String d : o.devices) {
            DeviceSpec spec = DeviceSpec.parse(d);
            switch (spec.driver()) {
                case "isa-debug-exit" -> {
                    spec.allowOnly("iobase", "iosize");
                    int base = (int) spec.intProp("iobase", 0xF4, 0, 0xFFFF);
                    int size = (int) spec.intProp("iosize", 4, 1, 8);
                    if (base + size > 0x10000) throw new UsageException("-device isa-debug-exit: iobase+iosize beyond port 0xFFFF");
                    debugExit = new int[] {base, size};
                }
                case "help" -> throw new UsageException("devices built so far: isa-debug-exit", 0);
                default -> throw new UsageException("-device " + spec.driver() + ": unknown or not yet built device (built: isa-debug-exit)");
            }
        }

        int shift = -1;
        if (o.icount != null) {
            String v = o.icount;
            for (String part : v.split(",")) {
                if (part.startsWith("shift=")) v = part.substring(6);
                else if (!part.contains("=")) v = part;
            }
            if (v.equals("auto")) throw new UsageException("-icount shift=auto is not built; give a number 0..10");
            shift = (int) Sizes.parseInt("-icount", v);
            if (shift < 0 || shift > 10) throw new UsageException("-icount " + o.icount + ": shift must be 0..10");
            // One instruction counter cannot order vCPUs that run in parallel host threads.
            if (vcpus > 1) throw new UsageException("-icount needs -smp 1: the vCPUs of -smp " + vcpus + " run in parallel");
        }
        boolean boot = false, guestErrors = false, ints = false, cpu = false;
        if (o.debug != null) {
            for (String item : o.debug.split(",")) {
                switch (item) {
                    case "boot" -> boot = true;
                    case "guest_errors", "unimp" -> guestErrors = true;
                    case "int" -> ints = true;
                    case "cpu" -> cpu = true;
                    case "exec", "in_asm", "mmu", "pcall", "cpu_reset", "ioport" ->
                            throw new UsageException("-d " + item + " is not built yet (built: boot, guest_errors, unimp, int, cpu)");
                    default -> throw new UsageException("-d " + item + ": unknown debug item (built: boot, guest_errors, unimp, int, cpu)");
                }
            }
        }
        return new MachineConfig(ram, accel, kernel, List.copyOf(initrd), List.copyOf(initrdArgs), o.append == null ? "" : o.append,
                serial, o.debugcon, debugExit, o.noReboot, shift, boot, guestErrors, ints, cpu, !o.noHpet,
                o.rtc == null ? null : rtcBase(o.rtc), demo, o.cpu, cpuModel(o.cpu, accel), vcpus, linuxEntry(o));
    }

    /** {@code -smp [cpus=]N[,maxcpus=N]} as QEMU spells it; a topology (sockets, cores, threads) is not built. */
    static int smp(String spec) {
        Long cpus = null, max = null;
        String[] parts = spec.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == 0 && !p.contains("=")) cpus = Sizes.parseInt("-smp", p);
            else if (p.startsWith("cpus=")) cpus = Sizes.parseInt("-smp", p.substring(5));
            else if (p.startsWith("maxcpus=")) max = Sizes.parseInt("-smp", p.substring(8));
            else if (p.startsWith("sockets=") || p.startsWith("dies=") || p.startsWith("clusters=") || p.startsWith("cores=")
                    || p.startsWith("threads=") || p.startsWith("books=") || p.startsWith("drawers=")) {
                throw new UsageException("-smp " + spec + ": a CPU topology is not built yet (give the vCPU count: -smp N)");
            } else {
                throw new UsageException("-smp " + spec + ": unknown property " + p + " (known: cpus, maxcpus)");
            }
        }
        if (cpus == null) cpus = max != null ? max : 1;
        if (cpus < 1) throw new UsageException("-smp " + spec + ": at least one vCPU");
        if (cpus > MAX_VCPUS) throw new UsageException("-smp " + spec + ": at most " + MAX_VCPUS + " vCPUs");
        if (max != null && !max.equals(cpus)) throw new UsageException("-smp " + spec + ": CPU hotplug is not built (maxcpus must equal cpus)");
        return (int) (long) cpus;
    }

    /** {@code -cpu NAME[,+feat,-feat]}; {@code host} only with KVM, whose CPUID is the host's anyway. */
    static CpuModel cpuModel(String spec, String accel) {
        if (spec == null) return CpuModels.DEFAULT;
        if (spec.equals("help") || spec.equals("?")) {
            throw new UsageException("CPU models: " + String.join(", ", CpuModels.names()) + " (default " + CpuModels.DEFAULT.name()
                    + "); with -accel kvm also host", 0);
        }
        if (accel.equals("kvm") && (spec.equals("host") || spec.startsWith("host,"))) return CpuModels.DEFAULT;
        try {
            return CpuModels.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UsageException("-cpu " + spec + ": " + e.getMessage());
        }
    }

    /** {@code -machine pc[,accel=X][,kernel-irqchip=off]}: checks the type and returns the accelerator to use. */
    private static String machineAccel(String spec, String accel) {
        String[] parts = spec.split(",");
        String type = parts[0];
        if (type.startsWith("type=")) type = type.substring(5);
        if (!type.equals("pc") && !type.startsWith("pc-i440fx")) {
            if (type.equals("q35") || type.startsWith("pc-q35") || type.equals("microvm") || type.equals("isapc")) {
                throw new UsageException("-machine " + type + " is not built yet (built: pc)");
            }
            throw new UsageException("-machine " + type + ": unknown machine type (built: pc)");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("accel=")) {
                accel = p.substring(6);
            } else if (p.startsWith("linux-entry=")) {
                linuxEntry(p); // checked here, used by linuxEntry(Options)
            } else if (p.equals("kernel-irqchip=off")) {
                // what jvirt does today: every interrupt controller is jvirt's own
            } else if (p.startsWith("kernel-irqchip=")) {
                throw new UsageException("-machine " + p + " is not built yet (built: kernel-irqchip=off)");
            } else {
                throw new UsageException("-machine " + p + ": unknown or not yet built property");
            }
        }
        return accel;
    }

    /**
     * jvirt's {@code -machine pc,linux-entry=auto|64|32}: which entry of a bzImage the loader uses (the Linux boot
     * protocol's 64-bit entry at load address + 0x200, or the 32-bit one at the load address); auto takes the
     * 64-bit entry when the kernel has one.
     */
    static EntryMode linuxEntry(String property) {
        return switch (property.substring("linux-entry=".length())) {
            case "auto" -> EntryMode.AUTO;
            case "64" -> EntryMode.LONG_MODE;
            case "32" -> EntryMode.PROTECTED_MODE;
            default -> throw new UsageException("-machine " + property + ": linux-entry is auto, 64 or 32");
        };
    }

    private static EntryMode linuxEntry(Options o) {
        EntryMode m = EntryMode.AUTO;
        if (o.machine != null) {
            for (String p : o.machine.split(",")) if (p.startsWith("linux-entry=")) m = linuxEntry(p);
        }
        return m;
    }

    /** {@code -rtc base=...}: the RTC's calendar time at start, in epoch seconds. */
    static long rtcBase(String spec) {
        Long base = null;
        for (String p : spec.split(",")) {
            if (p.startsWith("base=")) {
                String v = p.substring(5);
                java.time.Instant now = java.time.Instant.now();
                base = switch (v) {
                    case "utc" -> now.getEpochSecond();
                    case "localtime" -> now.getEpochSecond() + java.time.ZoneId.systemDefault().getRules().getOffset(now).getTotalSeconds();
                    default -> {
                        try {
                            String t = v.contains("T") ? v : v + "T00:00:00";
                            yield java.time.LocalDateTime.parse(t).toEpochSecond(java.time.ZoneOffset.UTC);
                        } catch (java.time.format.DateTimeParseException e) {
                            throw new UsageException("-rtc " + p + ": expected utc, localtime or a date like 2026-01-01T00:00:00");
                        }
                    }
                };
            } else if (p.equals("clock=vm") || p.equals("driftfix=none")) {
                // what jvirt's RTC does: it counts virtual time from its base
            } else if (p.startsWith("clock=") || p.startsWith("driftfix=")) {
                throw new UsageException("-rtc " + p + " is not built yet (built: clock=vm, driftfix=none)");
            } else {
                throw new UsageException("-rtc " + p + ": unknown property (known: base, clock, driftfix)");
            }
        }
        if (base == null) throw new UsageException("-rtc " + spec + ": give base=utc, base=localtime or base=DATE");
        return base;
    }

    private static Path readableFile(String option, String name) {
        Path p = Path.of(name);
        if (!Files.exists(p)) throw new UsageException(option + " " + name + ": no such file");
        if (Files.isDirectory(p)) throw new UsageException(option + " " + name + ": is a directory");
        if (!Files.isReadable(p)) throw new UsageException(option + " " + name + ": permission denied");
        return p;
    }
}
