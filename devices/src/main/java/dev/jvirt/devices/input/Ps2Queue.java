package dev.jvirt.devices.input;

/** The byte FIFO between a PS/2 device and the controller; a full queue drops new bytes. */
final class Ps2Queue {
    private final byte[] data;
    private int head;
    private int count;

    Ps2Queue(int capacity) {
        data = new byte[capacity];
    }

    boolean offer(int b) {
        if (count == data.length) return false;
        data[(head + count) % data.length] = (byte) b;
        count++;
        return true;
    }

    /** The oldest byte, or -1 when empty. */
    int poll() {
        if (count == 0) return -1;
        int b = data[head] & 0xFF;
        head = (head + 1) % data.length;
        count--;
        return b;
    }

    int size() { return count; }

    int free() { return data.length - count; }

    boolean isEmpty() { return count == 0; }

    void clear() {
        head = 0;
        count = 0;
    }

    byte[] toArray() {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) out[i] = data[(head + i) % data.length];
        return out;
    }

    void load(byte[] bytes) {
        clear();
        for (byte b : bytes) offer(b & 0xFF);
    }
}
