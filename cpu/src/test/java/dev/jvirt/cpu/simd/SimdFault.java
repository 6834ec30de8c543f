package dev.jvirt.cpu.simd;

/** A fault a {@link SimdUnit} under test raised through its {@link SimdContext}, by vector. */
final class SimdFault extends RuntimeException {
    final int vector;

    SimdFault(int vector) {
        super("vector " + vector, null, false, false);
        this.vector = vector;
    }
}
