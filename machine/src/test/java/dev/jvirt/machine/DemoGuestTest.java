package dev.jvirt.machine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo guest prints the same bytes under every backend and under QEMU. */
class DemoGuestTest {
    @TempDir
    Path tmp;

    @Test
    void interpreterRunsTheDemoToItsExitPort() throws Exception {
        DemoRuns.Run r = DemoRuns.jvirt(tmp, "interp");
        assertEquals(1, r.status(), "isa-debug-exit with V=0 exits (0 << 1) | 1; stderr: " + r.err());
        assertTrue(r.text().startsWith("jvirt demo guest"), r.text());
        assertTrue(r.text().endsWith("done\n"), r.text());
        DemoExpectations.assertComputedLine(r.text());
    }

    @Test
    void noArgumentsBootsTheBuiltInDemoAndExitsZero() {
        CliTest.Result r = CliTest.jvirt();
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("jvirt demo guest"), r.out());
        assertTrue(r.err().contains("-accel auto: using"), "auto says what it chose: " + r.err());
    }

    @Test
    void kvmPrintsTheSameBytesAsTheInterpreter() throws Exception {
        String why = kvmUnavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        DemoRuns.Run interp = DemoRuns.jvirt(tmp, "interp");
        DemoRuns.Run kvm = DemoRuns.jvirt(tmp, "kvm");
        assertEquals(interp.status(), kvm.status(), kvm.err());
        assertArrayEquals(interp.serial(), kvm.serial(), "kvm: " + kvm.text() + "\ninterp: " + interp.text());
    }

    @Test
    void qemuPrintsTheSameBytesAsTheInterpreter() throws Exception {
        String qemu = DemoRuns.qemuBinary();
        if (qemu == null) System.out.println("DemoGuestTest: skipped the QEMU comparison: qemu-system-x86_64 is not installed");
        Assumptions.assumeTrue(qemu != null, "qemu-system-x86_64 is not installed");
        DemoRuns.Run ours = DemoRuns.jvirt(tmp, "interp");
        DemoRuns.Run theirs = DemoRuns.qemu(tmp, qemu);
        assertEquals(1, theirs.status(), theirs.err());
        assertEquals(ours.text(), theirs.text());
    }

    static String kvmUnavailable() {
        try (RandomAccessFile f = new RandomAccessFile("/dev/kvm", "rw")) {
            return null;
        } catch (Exception e) {
            String why = "/dev/kvm cannot be opened (" + e.getMessage() + ")";
            System.out.println("DemoGuestTest: " + why);
            return why;
        }
    }
}
