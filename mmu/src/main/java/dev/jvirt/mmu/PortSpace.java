package dev.jvirt.mmu;

/**
 * The 64 Ki x86 I/O port space. A device claims a contiguous range; an access that stays inside
 * one device's range is one call at the offset from its base, any other is split into bytes.
 * Unclaimed ports read all-ones and ignore writes.
 */
public final class PortSpace {
    public static final int PORTS = 0x10000;

    private final IoHandler[] handlers = new IoHandler[PORTS];
    private final int[] bases = new int[PORTS];

    /** Claims ports {@code [base, base+length)}; a clash is a wiring error in the board, not the guest's doing. */
    public synchronized void register(int base, int length, IoHandler handler) {
        if (base < 0 || length <= 0 || base + length > PORTS) {
            throw new IllegalArgumentException(String.format("port range %#x+%d outside the port space", base, length));
        }
        for (int p = base; p < base + length; p++) {
            if (handlers[p] != null) throw new IllegalArgumentException(String.format("port %#x is already claimed", p));
        }
        for (int p = base; p < base + length; p++) {
            handlers[p] = handler;
            bases[p] = base;
        }
    }

    public synchronized void unregister(int base, int length) {
        for (int p = base; p < base + length && p < PORTS; p++) {
            handlers[p] = null;
            bases[p] = 0;
        }
    }

    public boolean isClaimed(int port) {
        return handlers[port & 0xFFFF] != null;
    }

    public long read(int port, int size) {
        port &= 0xFFFF;
        IoHandler h = handlers[port];
        if (sameHandler(port, size, h)) {
            return h == null ? IoHandler.ones(size) : IoHandler.mask(h.read(port - bases[port], size), size);
        }
        long v = 0;
        for (int b = 0; b < size; b++) v |= read((port + b) & 0xFFFF, 1) << (8 * b);
        return v;
    }

    public void write(int port, int size, long value) {
        port &= 0xFFFF;
        IoHandler h = handlers[port];
        if (sameHandler(port, size, h)) {
            if (h != null) h.write(port - bases[port], size, IoHandler.mask(value, size));
            return;
        }
        for (int b = 0; b < size; b++) write((port + b) & 0xFFFF, 1, (value >>> (8 * b)) & 0xFF);
    }

    private boolean sameHandler(int port, int size, IoHandler h) {
        if (size == 1) return true;
        int last = port + size - 1;
        if (last >= PORTS) return false;
        return handlers[last] == h && bases[last] == bases[port];
    }
}
