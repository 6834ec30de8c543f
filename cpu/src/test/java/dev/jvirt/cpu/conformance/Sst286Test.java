package dev.jvirt.cpu.conformance;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interpreter against the hardware-captured 80286 real-mode vectors (SingleStepTests). */
class Sst286Test {
    @Test
    void realModeVectorsMatchHardware() {
        String root = System.getProperty("jvirt.root", ".");
        Path dir = Path.of(root).resolve("../shared/testdata/sst286").normalize();
        // A git worktree sits one level deeper than the main checkout.
        Path alt = Path.of(root).resolve("../../shared/testdata/sst286").normalize();
        if (!Files.isDirectory(dir) && Files.isDirectory(alt)) dir = alt;
        if (!Files.isDirectory(dir)) {
            System.out.println("Sst286Test skipped: no vectors at " + dir);
            Assumptions.abort("no vectors at " + dir);
        }
        List<X86Test.FormResult> results = X86Test.runForms(List.of(dir), System.out);
        assertTrue(results != null && !results.isEmpty(), "no vectors read");
        long passed = 0, failed = 0, skipped = 0;
        List<String> weak = new ArrayList<>();
        for (X86Test.FormResult r : results) {
            passed += r.passed();
            failed += r.failed();
            skipped += r.skipped();
            int n = r.passed() + r.failed();
            if (n > 0 && r.passed() < 0.98 * n) weak.add(r.form() + " " + r.passed() + "/" + n + " (" + r.firstFailure() + ")");
        }
        System.out.println(skipped + " vectors skipped as documented 80286/i686 differences");
        System.out.println(passed + " passed, " + failed + " failed");
        double rate = (double) passed / (passed + failed);
        assertTrue(rate >= 0.995, "overall pass rate " + rate);
        assertTrue(weak.isEmpty(), "forms below 98%: " + weak);
    }
}
