package dev.jvirt.machine;

import dev.jvirt.accel.AcceleratorProvider;
import dev.jvirt.accel.interp.InterpProvider;
import dev.jvirt.accel.kvm.KvmProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A running guest moves between backends: the demo starts on one, is paused after its first line,
 * continues on the other, is paused after its second line and finishes on the first. Its output
 * must be byte for byte that of an unswitched run.
 */
class BackendSwitchTest {
    @TempDir
    Path tmp;

    @Test
    void kvmToInterpreterAndBack() throws Exception {
        assumeKvm();
        assertSwitchedRunMatches(new KvmProvider(), new InterpProvider());
    }

    @Test
    void interpreterToKvmAndBack() throws Exception {
        assumeKvm();
        assertSwitchedRunMatches(new InterpProvider(), new KvmProvider());
    }

    @Test
    void interpreterToInterpreterKeepsEveryRegister() throws Exception {
        assertSwitchedRunMatches(new InterpProvider(), new InterpProvider());
    }

    /**
     * Two vCPUs move together: the first switch comes after the AP's first line (it is about to halt),
     * the second after its second line, and the second INIT-SIPI-SIPI reaches it on the other backend.
     */
    @Test
    void twoVcpusMoveTogether() throws Exception {
        Path smp = GuestSuiteTest.image(new GuestSuiteTest.Guest("smp", ""));
        String kvmWhy = DemoGuestTest.kvmUnavailable();
        AcceleratorProvider second = kvmWhy == null ? new KvmProvider() : new InterpProvider();
        switchLines = new int[] {3, 4};
        assertSwitchedRunMatches(new InterpProvider(), second, smp, "-smp", "2");
    }

    /** After which lines of output the two switches are requested. */
    private int[] switchLines = {1, 2};

    private void assertSwitchedRunMatches(AcceleratorProvider first, AcceleratorProvider second) throws Exception {
        assertSwitchedRunMatches(first, second, DemoRuns.demoImage(tmp));
    }

    private void assertSwitchedRunMatches(AcceleratorProvider first, AcceleratorProvider second, Path kernel, String... extra) throws Exception {
        String plain = run(first, null, "plain", new ArrayList<>(), kernel, extra);
        List<String> backends = new ArrayList<>();
        String switched = run(first, second, "switched", backends, kernel, extra);
        assertEquals(plain, switched);
        assertEquals(List.of(second.name(), first.name()), backends, "the switches happened where intended");
    }

    private String run(AcceleratorProvider first, AcceleratorProvider second, String name, List<String> backends, Path kernel,
                       String... extra) throws Exception {
        Path serial = tmp.resolve(name + ".txt");
        List<String> args = new ArrayList<>(List.of("-m", "128", "-kernel", kernel.toString(),
                "-device", "isa-debug-exit", "-serial", "file:" + serial, "-no-reboot"));
        args.addAll(List.of(extra));
        MachineConfig cfg = MachineConfig.from(Options.parse(args.toArray(String[]::new)), false);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try (PcMachine m = new PcMachine(cfg, first, quiet, quiet)) {
            if (second != null) {
                int[] lines = {0};
                m.tapSerial(b -> {
                    if (b != '\n') return;
                    lines[0]++;
                    if (lines[0] == switchLines[0]) {
                        m.requestSwitch(second);
                        backends.add(second.name());
                    } else if (lines[0] == switchLines[1]) {
                        m.requestSwitch(first);
                        backends.add(first.name());
                    }
                });
            }
            assertEquals(1, m.run(), "the demo ends through isa-debug-exit with V=0");
        }
        return Files.readString(serial);
    }

    private static void assumeKvm() {
        String why = DemoGuestTest.kvmUnavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    }
}
