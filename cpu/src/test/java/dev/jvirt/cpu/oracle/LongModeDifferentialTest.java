package dev.jvirt.cpu.oracle;

import dev.jvirt.cpu.CpuFeature;
import dev.jvirt.cpu.CpuModel;
import dev.jvirt.cpu.CpuModels;
import dev.jvirt.cpu.conformance.UndefinedFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Differential test of the interpreter in 64-bit mode at CPL 3 against the host CPU: every form of
 * {@link Forms64} whose CPUID feature the host has runs {@link #CASES} seeded random cases natively
 * ({@link NativeExecutor}) and in {@link Interpreter64}, and all of RAX-R15, RIP, RFLAGS (minus
 * {@link UndefinedFlags}), the scratch memory, XMM0-XMM15, MM0-MM7 and MXCSR must agree.
 *
 * <p>Documented undefined behaviour left out of the comparison: the flags {@link UndefinedFlags} lists; the
 * destination of BSF/BSR with a zero source and of SHLD/SHRD with a count above the operand size (SDM: "the
 * contents of the destination operand is undefined"); and the RCPPS/RCPSS/RSQRTPS/RSQRTSS results, which are
 * approximations the SDM bounds by |relative error| &lt;= 1.5 * 2^-12 (compared within twice that: both sides
 * err), with tiny results flushed to zero or not between the two thresholds the SDM names.
 *
 * <p>{@code -Doracle.forms=REGEX} selects forms by name, {@code -Djvirt.oracle.cases=N} sets the cases per form.
 * A summary table (form, cases, differing cases, first difference) is printed at the end.
 */
class LongModeDifferentialTest {
    static final int CASES = Integer.getInteger("jvirt.oracle.cases", 1000);
    static final long SEED = 0x6A76_6972_7436_34L;
    static final long ARITH = 0x8D5, DF = 0x400;
    private static final Pattern SELECT = Pattern.compile(System.getProperty("oracle.forms", ""));

    /**
     * Mnemonics the interpreter on main does not implement yet: their forms raise #UD in the interpreter where
     * the host runs them (the SSE..SSE4.2, MMX, POPCNT/LZCNT/TZCNT/CRC32/MOVBE families are being added on other
     * branches). Only an interpreter #UD is tolerated for them; any other difference fails. A listed mnemonic
     * whose forms all agree with the host fails the test, so the list must shrink as the work lands.
     */
    static final Set<String> PENDING = loadPending();

    /** Forms whose difference is a known interpreter bug on SDM-defined behaviour (none). */
    static final Set<String> KNOWN_INTERPRETER_BUGS = Set.of();

    private static NativeExecutor host;
    private static Interpreter64 emu;
    private static Set<String> hostFlags;
    private static final Map<String, Result> results = new LinkedHashMap<>();

    record Result(Form64 form, int cases, int diffs, int undefinedOpcode, String first) { }

    private static Set<String> loadPending() {
        try (InputStream in = LongModeDifferentialTest.class.getResourceAsStream("pending64.txt")) {
            Set<String> s = new HashSet<>();
            if (in == null) return s;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.replaceAll("#.*", "").trim();
                if (!line.isEmpty()) s.add(line);
            }
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void setUp() throws IOException {
        String why = NativeExecutor.unsupportedReason();
        if (why != null) System.out.println("LongModeDifferentialTest skipped: " + why);
        Assumptions.assumeTrue(why == null, why);
        hostFlags = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                hostFlags.addAll(List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                break;
            }
        }
        try {
            host = new NativeExecutor();
        } catch (IllegalStateException e) {
            Assumptions.abort("cannot run host code: " + e.getMessage());
        }
        CpuModel model = CpuModels.get("max");
        for (Form64 f : Forms64.all()) if (f.feature != null) model = model.with(f.feature, true);
        model = model.with(CpuFeature.LM, true).with(CpuFeature.LAHF_LM, true);
        emu = new Interpreter64(model, host.slotAddress(), host.scratch().address(), NativeExecutor.SCRATCH_SIZE);
    }

    @AfterAll
    static void tearDown() {
        if (host == null) return;
        StringBuilder b = new StringBuilder("LongModeDifferentialTest summary (form | cases | differing | first difference):\n");
        int forms = 0, bad = 0, pending = 0;
        long cases = 0;
        for (Result r : results.values()) {
            forms++;
            cases += r.cases;
            if (r.diffs == 0) continue;
            boolean pend = pending(r.form) && r.undefinedOpcode == r.diffs;
            if (pend) pending++;
            else bad++;
            b.append(String.format("  %-52s %5d %5d %s%n", r.form.name, r.cases, r.diffs,
                    pend ? "PENDING (interpreter #UD)" : r.first.strip().replace("\n", "\n" + " ".repeat(67))));
        }
        b.append(String.format("%d forms, %d cases; %d forms differ: %d pending (#UD), %d other%n", forms, cases, pending + bad, pending, bad));
        System.out.print(b);
        emu.close();
        host.close();
    }

    /** A pending64.txt line names a mnemonic (all its forms) or one form. */
    static boolean pending(Form64 f) { return PENDING.contains(f.mnemonic) || PENDING.contains(f.name); }

    static boolean hostHas(CpuFeature f) {
        if (f == null) return true;
        String n = switch (f) {
            case PNI -> "pni";
            case SSE4_1 -> "sse4_1";
            case SSE4_2 -> "sse4_2";
            default -> f.qemuName.replace('-', '_');
        };
        return hostFlags.contains(n);
    }

    @Test
    void formNamesAreUniqueAndListsNameRealForms() {
        Set<String> names = new HashSet<>(), mnemonics = new HashSet<>();
        for (Form64 f : Forms64.all()) {
            assertTrue(names.add(f.name), "duplicate form name " + f.name);
            mnemonics.add(f.mnemonic);
        }
        for (String p : PENDING) assertTrue(mnemonics.contains(p) || names.contains(p), "pending64.txt names no form: " + p);
        for (String k : KNOWN_INTERPRETER_BUGS) assertTrue(names.contains(k), "no such form: " + k);
    }

    @TestFactory
    Stream<DynamicTest> hostAgreesWithInterpreterIn64BitMode() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Form64 f : Forms64.all()) {
            if (!SELECT.matcher(f.name).find()) continue;
            tests.add(DynamicTest.dynamicTest(f.name, () -> check(f)));
        }
        tests.add(DynamicTest.dynamicTest("pending mnemonics still differ", LongModeDifferentialTest::pendingStillPending));
        return tests.stream();
    }

    private static void check(Form64 f) {
        Assumptions.assumeTrue(hostHas(f.feature), () -> "host lacks " + f.feature.qemuName);
        Random rnd = new Random(SEED ^ f.name.hashCode());
        int diffs = 0, ud = 0;
        String first = null;
        for (int n = 0; n < CASES; n++) {
            Case64 c = f.generate(rnd, host.scratch().address(), host.slotAddress());
            String d = compare(f, c);
            if (d == null) continue;
            diffs++;
            if (d.contains("raised #6 ")) ud++;
            if (first == null) first = d;
            if (ud == diffs && diffs >= 8 && pending(f)) {
                // An unimplemented instruction: every case would #UD; no need to run the rest.
                results.put(f.name, new Result(f, n + 1, diffs, ud, first));
                return;
            }
        }
        results.put(f.name, new Result(f, CASES, diffs, ud, first));
        if (diffs == 0) {
            if (KNOWN_INTERPRETER_BUGS.contains(f.name)) fail(f.name + " agrees with the host now: remove it from KNOWN_INTERPRETER_BUGS");
            return;
        }
        if (pending(f) && ud == diffs) return;
        if (KNOWN_INTERPRETER_BUGS.contains(f.name)) return;
        fail(f.name + ": " + diffs + " of " + CASES + " cases differ from the host; first:\n" + first);
    }

    private static void pendingStillPending() {
        Map<String, Boolean> allAgree = new LinkedHashMap<>();
        for (Result r : results.values()) {
            allAgree.merge(r.form.mnemonic, r.diffs == 0, Boolean::logicalAnd);
            allAgree.put(r.form.name, r.diffs == 0);
        }
        List<String> done = new ArrayList<>();
        for (String p : PENDING) if (Boolean.TRUE.equals(allAgree.get(p))) done.add(p);
        if (!done.isEmpty()) fail("pending mnemonics that now agree with the host; remove them from pending64.txt: " + done);
    }

    // =====================================================================================

    private static final String[] GPR = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
            "r13", "r14", "r15"};

    /** Null when host and interpreter agree, else the case and the differences. */
    static String compare(Form64 f, Case64 c) {
        MemorySegment scratch = host.scratch();
        NativeExecutor.Regs nat = new NativeExecutor.Regs();
        nat.copyFrom(c.in);
        scratch.asSlice(0, Form64.BUFFER).copyFrom(MemorySegment.ofArray(c.buf));
        host.execute(c.insn, nat);
        byte[] natBuf = scratch.asSlice(0, Form64.BUFFER).toArray(ValueLayout.JAVA_BYTE);

        long slot = host.slotAddress();
        emu.run(slot, c.insn, c.in, c.buf);
        var s = emu.state;
        byte[] emuBuf = emu.memory(Form64.BUFFER);

        StringBuilder why = new StringBuilder();
        if (emu.cpu.lastException() >= 0 || emu.cpu.shutdown()) {
            why.append("  interpreter raised #").append(emu.cpu.lastException()).append(" (the host did not)\n");
        } else if (s.rip != slot + c.insn.length) {
            why.append(String.format("  interpreter RIP slot+%d, expected slot+%d%n", s.rip - slot, c.insn.length));
        }
        int count = f.countOf(c);
        boolean destUndefined = UndefinedFlags.resultUndefined(f.key, count, f.bits) || f.destUndefined.test(c);
        for (int i = 0; i < 16; i++) {
            if (destUndefined && !f.mem && i == c.rm) continue;
            if (nat.gpr[i] != s.gpr[i]) why.append(String.format("  %s: host %016x interpreter %016x%n", GPR[i], nat.gpr[i], s.gpr[i]));
        }
        long undefined = UndefinedFlags.mask(f.key, count, f.bits);
        long defined = (ARITH | DF) & ~undefined;
        if (((nat.rflags ^ s.rflags) & defined) != 0) {
            why.append(String.format("  flags: host %s interpreter %s (undefined here: %s)%n", DifferentialTest.flags(nat.rflags & (ARITH | DF)),
                    DifferentialTest.flags(s.rflags & (ARITH | DF)), DifferentialTest.flags(undefined)));
        }
        if ((s.rflags & ~(ARITH | DF)) != 0x202) why.append(String.format("  interpreter changed non-arithmetic RFLAGS: %#x%n", s.rflags));
        int memDiffs = 0;
        for (int i = 0; i < natBuf.length && memDiffs < 4; i++) {
            if (destUndefined && f.mem && i >= Form64.OPERAND_AT && i < Form64.OPERAND_AT + f.bits / 8) continue;
            if (natBuf[i] != emuBuf[i]) {
                memDiffs++;
                why.append(String.format("  memory [scratch+%d]: host %02x interpreter %02x%n", i, natBuf[i] & 0xFF, emuBuf[i] & 0xFF));
            }
        }
        for (int i = 0; i < 16; i++) {
            long lo = s.fpu.xmm[2 * i], hi = s.fpu.xmm[2 * i + 1];
            if (lo == nat.xmm[2 * i] && hi == nat.xmm[2 * i + 1]) continue;
            if (f.approxLanes != 0 && i == c.reg && Approximation.within(nat.xmm, s.fpu.xmm, i, f.approxLanes)) continue;
            why.append(String.format("  xmm%d: host %016x_%016x interpreter %016x_%016x%n", i, nat.xmm[2 * i + 1], nat.xmm[2 * i], hi, lo));
        }
        for (int i = 0; i < 8; i++) {
            if (nat.mm[i] != emu.mm(i)) why.append(String.format("  mm%d: host %016x interpreter %016x%n", i, nat.mm[i], emu.mm(i)));
        }
        if (nat.mxcsr != s.fpu.mxcsr) why.append(String.format("  mxcsr: host %08x interpreter %08x%n", nat.mxcsr, s.fpu.mxcsr));
        if (why.isEmpty()) return null;
        return describe(c, count) + why;
    }

    private static String describe(Case64 c, int count) {
        StringBuilder b = new StringBuilder();
        b.append("  bytes ").append(HexFormat.ofDelimiter(" ").formatHex(c.insn));
        if (c.form.mem) b.append(String.format(" (operand at scratch+%d = %016x_%016x)", Form64.OPERAND_AT, c.memory(64) == 0 ? 0 : readHi(c), c.memory(64)));
        b.append("\n  in:");
        for (int i = 0; i < 16; i++) b.append(String.format(" %s=%x", GPR[i], c.in.gpr[i] - (i == 4 ? c.scratch : 0))).append(i == 4 ? "(+scratch)" : "");
        b.append(" flags=").append(DifferentialTest.flags(c.in.rflags)).append(String.format(" mxcsr=%04x", c.in.mxcsr));
        if (c.form.regKind == Form64.Kind.XMM || c.form.rmKind == Form64.Kind.XMM) {
            if (c.reg >= 0 && c.form.regKind == Form64.Kind.XMM) b.append(String.format(" xmm%d=%016x_%016x", c.reg, c.in.xmm[2 * c.reg + 1], c.in.xmm[2 * c.reg]));
            if (c.rm >= 0 && c.form.rmKind == Form64.Kind.XMM) b.append(String.format(" xmm%d=%016x_%016x", c.rm, c.in.xmm[2 * c.rm + 1], c.in.xmm[2 * c.rm]));
        }
        if (c.form.count != Form64.Count.NONE) b.append(" count=").append(count);
        return b.append('\n').toString();
    }

    private static long readHi(Case64 c) {
        long v = 0;
        for (int i = 15; i >= 8; i--) v = v << 8 | (c.buf[Form64.OPERAND_AT + i] & 0xFF);
        return v;
    }
}
