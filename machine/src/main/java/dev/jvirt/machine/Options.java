package dev.jvirt.machine;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The command line, spelled as qemu-system-x86_64 spells it, so users' scripts carry over. */
@Command(name = "jvirt", sortOptions = false, usageHelpAutoWidth = true,
        description = "A full-system x86 PC emulator. With no options it boots the built-in demo guest.",
        footer = {"", "Subcommands:", "  x86test DIR...   run SingleStepTests CPU vectors (MOO files) from DIRs"})
final class Options {
    @Option(names = "-m", paramLabel = "SIZE", description = "guest RAM, e.g. 512 (MiB), 512M, 2G (default 128M)")
    String memory = "128M";

    @Option(names = "-accel", paramLabel = "NAME", description = "CPU backend: interp, tcg, kvm or auto (default auto)")
    String accel = "auto";

    @Option(names = "-kernel", paramLabel = "FILE", description = "multiboot or Linux kernel image to boot directly")
    String kernel;

    @Option(names = "-initrd", paramLabel = "FILE[,FILE...]", description = "initial ramdisk (Linux) or multiboot modules")
    String initrd;

    @Option(names = "-append", paramLabel = "CMDLINE", description = "kernel command line")
    String append;

    @Option(names = "-cpu", paramLabel = "MODEL[,+FEAT][,-FEAT]", description = "CPU model (interpreter): qemu32 (default), 486, pentium, pentium2, pentium3, max; help lists them")
    String cpu;

    @Option(names = "-smp", paramLabel = "N", description = "number of vCPUs, [cpus=]N up to 16")
    String smp;

    @Option(names = "-serial", paramLabel = "DEV", description = "COM1 backend: stdio, none, null or file:PATH (default stdio)")
    List<String> serial = new ArrayList<>();

    @Option(names = "-debugcon", paramLabel = "DEV", description = "port 0xE9 debug console backend: stdio, none or file:PATH")
    String debugcon;

    @Option(names = "-device", paramLabel = "DRIVER[,PROP=VALUE...]", description = "add a device: isa-debug-exit[,iobase=0xf4,iosize=0x04]")
    List<String> devices = new ArrayList<>();

    @Option(names = "-nographic", description = "no display: serial on stdio (jvirt has no display yet, so this is the default)")
    boolean nographic;

    @Option(names = "-no-reboot", description = "exit instead of rebooting on a guest reset or triple fault")
    boolean noReboot;

    @Option(names = "-icount", paramLabel = "[shift=]N", description = "deterministic virtual time: 2^N ns per guest instruction")
    String icount;

    @Option(names = "-rtc", paramLabel = "base=utc|localtime|DATE[,clock=host|vm]", description = "RTC start time, as QEMU (DATE: 2026-01-01T00:00:00)")
    String rtc;

    @Option(names = "-no-hpet", description = "leave the HPET out")
    boolean noHpet;

    @Option(names = {"-machine", "-M"}, paramLabel = "pc[,accel=NAME][,kernel-irqchip=off]", description = "machine type: pc (i440FX/PIIX)")
    String machine;

    @Option(names = "-d", paramLabel = "ITEMS", description = "debug output: boot (milestones with wall time), guest_errors (log what the guest did wrong), int (every exception and interrupt), cpu (where the vCPU is, sampled each second)")
    String debug;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = {"-version", "--version"}, versionHelp = true, description = "print the version and exit")
    boolean version;

    /** Options QEMU has that jvirt knows it does not build yet: each is refused with a one-line message. */
    static final Set<String> NOT_BUILT = Set.of("-drive", "-hda", "-hdb", "-cdrom", "-fda", "-bios", "-boot", "-netdev", "-nic",
            "-net", "-monitor", "-qmp", "-chardev", "-display", "-vga", "-S", "-s", "-gdb", "-snapshot", "-loadvm",
            "-incoming", "-object", "-global", "-usb",
            "-audiodev", "-vnc", "-spice", "-numa", "-mem-path", "-overcommit", "-pidfile", "-daemonize", "-name");

    private static final Set<String> TAKES_VALUE = Set.of("-m", "-accel", "-cpu", "-kernel", "-initrd", "-append", "-smp", "-serial",
            "-debugcon", "-device", "-icount", "-d", "-rtc", "-machine", "-M");

    static Options parse(String[] rawArgs) {
        String[] args = normalize(rawArgs);
        for (int i = 0; i < args.length; i++) {
            if (TAKES_VALUE.contains(args[i])) {
                i++;
            } else if (NOT_BUILT.contains(args[i])) {
                throw new UsageException(args[i] + " is a QEMU option that jvirt does not build yet");
            }
        }
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setPosixClusteredShortOptionsAllowed(false);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            List<String> unmatched = e.getUnmatched();
            String first = unmatched.isEmpty() ? "?" : unmatched.getFirst();
            throw new UsageException((first.startsWith("-") ? "unknown option " : "unexpected argument ") + first
                    + " (see jvirt -help)", UsageException.BAD_USAGE);
        } catch (CommandLine.MissingParameterException e) {
            throw new UsageException(e.getMessage().replace("'", ""), UsageException.BAD_USAGE);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage(), UsageException.BAD_USAGE);
        }
        return o;
    }

    static String usage() {
        return new CommandLine(new Options()).getUsageMessage();
    }

    /** QEMU accepts every option with one dash or two. */
    private static String[] normalize(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            String a = out[i];
            if (a.startsWith("--") && a.length() > 2 && !a.equals("--help") && !a.equals("--version")) out[i] = a.substring(1);
        }
        return out;
    }
}
