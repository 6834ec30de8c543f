package dev.jvirt.cpu.conformance;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PortSpace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs SingleStepTests 80286 real-mode vectors (MOO files) on the interpreter. Each vector loads a
 * state into 16 MiB of RAM wrapping at 24 bits, executes up to and including the trailing HLT, and
 * compares registers and RAM, ignoring the flags the SDM leaves undefined ({@link UndefinedFlags})
 * and the documented 80286/i686 differences ({@link Cpu286Differences}).
 */
public final class X86Test {
    private static final int RAM_SIZE = 16 << 20;
    private static final int MAX_STEPS = 2000;

    /** Per-form totals. */
    public record FormResult(String form, int passed, int failed, int skipped, String firstFailure) { }

    private final GuestRam ram;
    private final CpuState state = new CpuState();
    private final X86Cpu cpu;

    private X86Test(GuestRam ram) {
        this.ram = ram;
        AddressSpace as = new AddressSpace(ram);
        as.addRam("ram", 0, RAM_SIZE, 0, 0);
        cpu = new X86Cpu(state, as, new PortSpace());
        cpu.setPhysicalAddressMask(RAM_SIZE - 1);
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("--explain")) {
            explain(Path.of(args[1]), Integer.parseInt(args[2]), System.out);
            return;
        }
        List<Path> dirs = new ArrayList<>();
        for (String a : args) dirs.add(Path.of(a));
        System.exit(run(dirs, System.out));
    }

    /** Runs every vector in every MOO(.gz) file of {@code dirs}; 0 only when nothing failed. */
    public static int run(List<Path> dirs, PrintStream out) {
        List<FormResult> results = runForms(dirs, out);
        if (results == null) return 2;
        long passed = 0, failed = 0, skipped = 0;
        for (FormResult r : results) {
            passed += r.passed;
            failed += r.failed;
            skipped += r.skipped;
        }
        out.println(skipped + " vectors skipped as documented 80286/i686 differences (Cpu286Differences)");
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /** Runs the vectors and prints forms with failures; returns per-form results, or null on an I/O error. */
    public static List<FormResult> runForms(List<Path> dirs, PrintStream out) {
        List<FormResult> results = new ArrayList<>();
        try (GuestRam ram = GuestRam.allocate(RAM_SIZE)) {
            X86Test t = new X86Test(ram);
            for (Path dir : dirs) {
                Set<String> revoked = revoked(dir);
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.filter(p -> p.getFileName().toString().matches(".*\\.MOO(\\.gz)?")).sorted().toList();
                }
                for (Path f : files) {
                    String form = f.getFileName().toString().replaceAll("\\.MOO(\\.gz)?$", "");
                    FormResult r = t.runFile(form, MooFile.read(f), revoked);
                    results.add(r);
                    if (r.failed > 0) out.println(form + ": " + r.failed + "/" + (r.passed + r.failed) + " failed; first: " + r.firstFailure);
                }
            }
        } catch (IOException e) {
            out.println("cannot read vectors: " + e.getMessage());
            return null;
        }
        return results;
    }

    /** Prints one vector's initial, expected and actual state (debugging aid). */
    public static void explain(Path file, int index, PrintStream out) throws IOException {
        String form = file.getFileName().toString().replaceAll("\\.MOO(\\.gz)?$", "");
        for (MooFile.Vector v : MooFile.read(file)) {
            if (v.index() != index) continue;
            out.println(v.name() + " bytes " + java.util.HexFormat.of().formatHex(v.bytes()) + " exc " + v.exception() + " at " + Long.toHexString(v.exceptionFlagsAddr()));
            out.println("init " + regs(v.init().regs()));
            out.println("fina " + regs(v.fin().regs()));
            for (int i = 0; i < v.fin().ramAddr().length; i++) out.printf(" fin RAM[%06x]=%02x%n", v.fin().ramAddr()[i], v.fin().ramVal()[i]);
            try (GuestRam ram = GuestRam.allocate(RAM_SIZE)) {
                X86Test t = new X86Test(ram);
                String why;
                why = t.runVector(form, v);
                out.println("result: " + (why == null ? "pass" : why));
                out.println("got  " + t.state.cs.selector + ":" + Long.toHexString(t.state.rip) + " flags " + Long.toHexString(t.state.rflags)
                        + " ax " + Long.toHexString(t.state.gpr[0]) + " sp " + Long.toHexString(t.state.gpr[4]));
            }
        }
    }

    private static String regs(int[] r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < r.length; i++) if (r[i] >= 0) b.append(MooFile.REG_NAMES[i]).append('=').append(Integer.toHexString(r[i])).append(' ');
        return b.toString();
    }

    private static Set<String> revoked(Path dir) throws IOException {
        Set<String> out = new HashSet<>();
        Path p = dir.resolve("revocation_list.txt");
        if (Files.exists(p)) {
            for (String line : Files.readAllLines(p)) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("#")) out.add(line.toLowerCase());
            }
        }
        return out;
    }

    private FormResult runFile(String form, List<MooFile.Vector> vectors, Set<String> revoked) {
        int passed = 0, failed = 0, skipped = 0;
        String first = null;
        for (MooFile.Vector v : vectors) {
            if (revoked.contains(v.hash())) continue;
            String why;
            if (Cpu286Differences.skipReason(v) != null) {
                skipped++;
                continue;
            }
            try {
                why = runVector(form, v);
                if (why != null && v.exception() == 13 && t286StackFault()) {
                    skipped++; // Cpu286Differences: #SS where the 286 raises #GP
                    continue;
                }
            } catch (RuntimeException e) {
                why = "exception " + e;
            }
            if (why == null) passed++;
            else {
                failed++;
                if (first == null) first = "#" + v.index() + " " + v.name() + ": " + why;
            }
        }
        return new FormResult(form, passed, failed, skipped, first);
    }

    private int firstException;

    private boolean t286StackFault() { return firstException == 12; }

    private static final int[] GPR_OF = {CpuState.RAX, CpuState.RBX, CpuState.RCX, CpuState.RDX};
    private static final int[] SEG_OF = {CpuState.CS, CpuState.SS, CpuState.DS, CpuState.ES};

    private String runVector(String form, MooFile.Vector v) {
        int[] in = v.init().regs();
        state.reset();
        state.cr0 = 0; // an 80286's MSW: real mode, no coprocessor emulation
        for (int i = 0; i < 4; i++) state.gpr[GPR_OF[i]] = in[i];
        state.gpr[CpuState.RSP] = in[8];
        state.gpr[CpuState.RBP] = in[9];
        state.gpr[CpuState.RSI] = in[10];
        state.gpr[CpuState.RDI] = in[11];
        for (int i = 0; i < 4; i++) state.seg[SEG_OF[i]].loadReal(in[4 + i]);
        state.fs.loadReal(0);
        state.gs.loadReal(0);
        state.rip = in[12];
        state.rflags = (in[13] & 0x0FFF) | 2;
        state.idtBase = 0;
        state.idtLimit = 0x3FF;
        cpu.stateChanged();
        cpu.clearShutdown();
        cpu.clearLastException();
        ram.dirtyLog().fetchAndClear();
        long[] ia = v.init().ramAddr();
        int[] iv = v.init().ramVal();
        for (int i = 0; i < ia.length; i++) ram.putByte(ia[i] & (RAM_SIZE - 1), iv[i]);

        int steps = 0;
        firstException = -1;
        while (!state.halted && steps++ < MAX_STEPS) {
            cpu.step();
            if (steps == 1) firstException = cpu.lastException();
        }
        String why = state.halted ? compare(form, v) : "did not reach HLT";
        clearRam();
        return why;
    }

    private void clearRam() {
        long[] dirty = ram.dirtyLog().fetchAndClear();
        for (int w = 0; w < dirty.length; w++) {
            long bits = dirty[w];
            while (bits != 0) {
                int b = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                long page = (64L * w + b) << 12;
                ram.segment().asSlice(page, GuestRam.PAGE_SIZE).fill((byte) 0);
            }
        }
        ram.dirtyLog().fetchAndClear();
    }

    private String compare(String form, MooFile.Vector v) {
        int[] in = v.init().regs();
        int[] fin = v.fin().regs();
        int shiftCount = switch (form.length() > 1 ? form.substring(0, 2) : form) {
            case "D0", "D1" -> 1;
            case "D2", "D3" -> in[2] & 0xFF;
            case "C0", "C1" -> v.bytes()[v.bytes().length - 1] & 0xFF;
            default -> 0;
        };
        int undefined = UndefinedFlags.mask(form, shiftCount);
        int ignore = undefined | Cpu286Differences.flagsIgnored(form);
        int ignoreRegs = Cpu286Differences.registersIgnored(form, v);
        int[] got = new int[14];
        for (int i = 0; i < 4; i++) got[i] = (int) state.gpr[GPR_OF[i]] & 0xFFFF;
        for (int i = 0; i < 4; i++) got[4 + i] = state.seg[SEG_OF[i]].selector;
        got[8] = (int) state.gpr[CpuState.RSP] & 0xFFFF;
        got[9] = (int) state.gpr[CpuState.RBP] & 0xFFFF;
        got[10] = (int) state.gpr[CpuState.RSI] & 0xFFFF;
        got[11] = (int) state.gpr[CpuState.RDI] & 0xFFFF;
        got[12] = (int) state.rip & 0xFFFF;
        got[13] = (int) state.rflags & 0xFFFF;
        for (int i = 0; i < 14; i++) {
            int want = fin[i] >= 0 ? fin[i] : in[i];
            if (i == 13) {
                want = fin[i] >= 0 ? fin[i] : (in[i] & 0x0FFF) | 2;
                if (((want ^ got[i]) & ~ignore & 0xFFFF) != 0) return diff(MooFile.REG_NAMES[i], want, got[i]);
            } else if (want != got[i] && (ignoreRegs & (1 << i)) == 0) {
                return diff(MooFile.REG_NAMES[i], want, got[i]);
            }
            if ((state.gpr[i < 4 ? GPR_OF[i] : CpuState.RSP] >>> 16) != 0 && i < 4) return "upper half of " + MooFile.REG_NAMES[i] + " changed";
        }
        Map<Long, Integer> expect = new TreeMap<>();
        long[] ia = v.init().ramAddr();
        int[] iv = v.init().ramVal();
        for (int i = 0; i < ia.length; i++) expect.put(ia[i] & (RAM_SIZE - 1), iv[i]);
        long[] fa = v.fin().ramAddr();
        int[] fv = v.fin().ramVal();
        for (int i = 0; i < fa.length; i++) expect.put(fa[i] & (RAM_SIZE - 1), fv[i]);
        // The handler was entered with FLAGS, CS, IP pushed: FLAGS sit at SS:SP+4 of the final state.
        long flagsAt = v.exception() >= 0
                ? (((long) state.ss.selector << 4) + ((state.gpr[CpuState.RSP] + 4) & 0xFFFF)) & (RAM_SIZE - 1) : -1;

        for (Map.Entry<Long, Integer> e : expect.entrySet()) {
            long a = e.getKey();
            int want = e.getValue();
            int have = ram.getByte(a);
            int m = 0xFF;
            if (a == flagsAt) m &= ~ignore;
            else if (a == ((flagsAt + 1) & (RAM_SIZE - 1)) && flagsAt >= 0) m &= ~(ignore >>> 8);
            if (((want ^ have) & m) != 0) return String.format("RAM[%06x] expected %02x got %02x", a, want, have);
        }
        return null;
    }

    private static String diff(String name, int want, int got) {
        return String.format("%s expected %04x got %04x", name, want, got);
    }
}
