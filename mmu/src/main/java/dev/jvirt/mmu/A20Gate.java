package dev.jvirt.mmu;

/**
 * The A20 gate: when disabled, the CPU forces physical address bit 20 to 0 (8086 wrap-around), as the
 * i8042 output port and port 0x92 control it. The CPU reads {@link #mask()} on every physical access
 * it makes, and flushes its TLB when the gate changes (listener).
 */
public final class A20Gate {
    private volatile boolean enabled;
    private volatile long mask = ~(1L << 20);
    private Runnable listener = () -> { };

    public boolean enabled() { return enabled; }

    /** AND this into every physical address the CPU generates. */
    public long mask() { return mask; }

    public void set(boolean on) {
        if (on == enabled) return;
        enabled = on;
        mask = on ? -1L : ~(1L << 20);
        listener.run();
    }

    /** One listener (the CPU's TLB flush); set by the board. */
    public void setListener(Runnable r) { listener = r == null ? () -> { } : r; }
}
