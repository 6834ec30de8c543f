package dev.jvirt.mmu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PortSpaceTest {
    /** Records accesses and answers reads with the offset's low byte repeated. */
    static final class Recorder implements IoHandler {
        final List<String> log = new ArrayList<>();

        @Override public long read(long offset, int size) {
            log.add("r" + offset + "/" + size);
            long v = 0;
            for (int b = 0; b < size; b++) v |= ((offset + b) & 0xFF) << (8 * b);
            return v;
        }

        @Override public void write(long offset, int size, long value) {
            log.add("w" + offset + "/" + size + "=" + Long.toHexString(value));
        }
    }

    @Test
    void unclaimedPortsReadAllOnesOfTheAccessSize() {
        PortSpace ports = new PortSpace();
        assertEquals(0xFF, ports.read(0x1234, 1));
        assertEquals(0xFFFF, ports.read(0x1234, 2));
        assertEquals(0xFFFF_FFFFL, ports.read(0x1234, 4));
        ports.write(0x1234, 4, 0); // dropped, no exception
    }

    @Test
    void deviceSeesOffsetFromItsBase() {
        PortSpace ports = new PortSpace();
        Recorder dev = new Recorder();
        ports.register(0x3F8, 8, dev);
        assertEquals(0x0302, ports.read(0x3FA, 2));
        ports.write(0x3FB, 1, 0x83);
        assertEquals(List.of("r2/2", "w3/1=83"), dev.log);
    }

    @Test
    void accessStraddlingTheEndOfARangeIsSplitIntoBytes() {
        PortSpace ports = new PortSpace();
        Recorder dev = new Recorder();
        ports.register(0x3F8, 8, dev);
        // 0x3FF belongs to the device, 0x400 is unclaimed.
        assertEquals(0xFF07, ports.read(0x3FF, 2));
        assertEquals(List.of("r7/1"), dev.log);
    }

    @Test
    void portAddressWrapsAt64K() {
        PortSpace ports = new PortSpace();
        Recorder dev = new Recorder();
        ports.register(0, 1, dev);
        assertEquals(0x00FF, ports.read(0xFFFF, 2));
    }

    @Test
    void overlappingClaimsAreRejected() {
        PortSpace ports = new PortSpace();
        ports.register(0x60, 1, new Recorder());
        assertThrows(IllegalArgumentException.class, () -> ports.register(0x5F, 2, new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> ports.register(0xFFFF, 2, new Recorder()));
    }
}
