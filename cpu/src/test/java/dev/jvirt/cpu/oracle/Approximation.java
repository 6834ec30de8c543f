package dev.jvirt.cpu.oracle;

/**
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS results: the SDM bounds each by |relative error| &lt;= 1.5 * 2^-12 of the exact
 * value, so two implementations may differ by up to twice that; and for inputs between the SDM's two
 * thresholds a tiny result may or may not be flushed to zero.
 */
final class Approximation {
    private Approximation() { }

    static final double MAX_RELATIVE = 2 * 1.5 / 4096;

    /** Whether XMM register {@code r} agrees, lanes in {@code lanes} approximately and the others exactly. */
    static boolean within(long[] a, long[] b, int r, int lanes) {
        for (int lane = 0; lane < 4; lane++) {
            int x = (int) (a[2 * r + lane / 2] >>> 32 * (lane & 1)), y = (int) (b[2 * r + lane / 2] >>> 32 * (lane & 1));
            if (x == y) continue;
            if ((lanes & 1 << lane) == 0 || !close(Float.intBitsToFloat(x), Float.intBitsToFloat(y))) return false;
        }
        return true;
    }

    static boolean close(float x, float y) {
        if (Float.isNaN(x) || Float.isNaN(y) || Float.isInfinite(x) || Float.isInfinite(y)) return false;
        if (Math.signum(x) != Math.signum(y) && x != 0 && y != 0) return false;
        double tiny = Math.scalb(1.0, -125);
        if ((x == 0 && Math.abs(y) < tiny) || (y == 0 && Math.abs(x) < tiny)) return true;
        return Math.abs(x - y) <= MAX_RELATIVE * Math.max(Math.abs(x), Math.abs(y));
    }
}
