package dev.jvirt.cpu.x87;

/**
 * An unevaluated sum hi + lo of two doubles (|lo| <= ulp(hi)/2): about 106 significant bits, enough
 * to evaluate the x87 transcendentals well below one ulp of the 64-bit significand before the final
 * rounding (SDM Vol. 1 8.3.10). Algorithms after Dekker and Knuth (two-sum, FMA two-product).
 */
record DoubleDouble(double hi, double lo) {
    static final DoubleDouble ZERO = new DoubleDouble(0, 0), ONE = new DoubleDouble(1, 0);

    static DoubleDouble of(double a) {
        return new DoubleDouble(a, 0);
    }

    /** sig * 2^(exp - 63) exactly (a 64-bit significand splits into 53 + 11 bits). */
    static DoubleDouble ofSignificand(long sig, int exp) {
        double h = Math.scalb((double) (sig >>> 11), exp - 52);
        double l = Math.scalb((double) (sig & 0x7FF), exp - 63);
        return fastTwoSum(h, l);
    }

    static DoubleDouble fastTwoSum(double a, double b) {
        double s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }

    DoubleDouble add(DoubleDouble b) {
        double s = hi + b.hi, bb = s - hi, e = (hi - (s - bb)) + (b.hi - bb);
        double t = lo + b.lo, bt = t - lo, f = (lo - (t - bt)) + (b.lo - bt);
        e += t;
        double s2 = s + e;
        e -= s2 - s;
        e += f;
        double s3 = s2 + e;
        return new DoubleDouble(s3, e - (s3 - s2));
    }

    DoubleDouble add(double b) {
        return add(of(b));
    }

    DoubleDouble negate() {
        return new DoubleDouble(-hi, -lo);
    }

    DoubleDouble sub(DoubleDouble b) {
        return add(b.negate());
    }

    DoubleDouble mul(DoubleDouble b) {
        double p = hi * b.hi;
        double e = Math.fma(hi, b.hi, -p);
        e += hi * b.lo + lo * b.hi;
        return fastTwoSum(p, e);
    }

    DoubleDouble mul(double b) {
        double p = hi * b;
        double e = Math.fma(hi, b, -p) + lo * b;
        return fastTwoSum(p, e);
    }

    DoubleDouble div(DoubleDouble b) {
        double q1 = hi / b.hi;
        DoubleDouble r = sub(b.mul(q1));
        double q2 = r.hi / b.hi;
        r = r.sub(b.mul(q2));
        double q3 = r.hi / b.hi;
        return fastTwoSum(q1, q2).add(q3);
    }

    DoubleDouble div(double b) {
        return div(of(b));
    }

    DoubleDouble sqrt() {
        if (hi <= 0) return ZERO;
        double x = Math.sqrt(hi);
        DoubleDouble xx = new DoubleDouble(x * x, Math.fma(x, x, -(x * x)));
        double corr = sub(xx).hi / (2 * x);
        return fastTwoSum(x, corr);
    }

    DoubleDouble scalb(int n) {
        return new DoubleDouble(Math.scalb(hi, n), Math.scalb(lo, n));
    }

    DoubleDouble abs() {
        return hi < 0 ? negate() : this;
    }
}
