package dev.jvirt.devices.misc;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import dev.jvirt.mmu.A20Gate;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Port92Test {
    static final class Machine implements MachineControl {
        int resets;

        @Override public void requestExit(int status) { }
        @Override public void requestReset() { resets++; }
        @Override public void requestPowerOff() { }
    }

    final A20Gate a20 = new A20Gate();
    final Machine machine = new Machine();
    final Port92 port = new Port92(a20, machine);

    @Test
    void bit1DrivesA20AndReadsBack() {
        port.write(0, 1, 0x02);
        assertTrue(a20.enabled());
        assertEquals(0x02, port.read(0, 1));
        port.write(0, 1, 0x00);
        assertFalse(a20.enabled());
        assertEquals(0, machine.resets);
    }

    @Test
    void resetOnlyOnRisingEdgeOfBit0() {
        port.write(0, 1, 0x03);
        assertEquals(1, machine.resets);
        port.write(0, 1, 0x03);
        assertEquals(1, machine.resets, "bit 0 held high is no new reset");
        port.write(0, 1, 0x02);
        port.write(0, 1, 0x01);
        assertEquals(2, machine.resets);
    }

    @Test
    void saveRestoreKeepsTheEdgeDetector() {
        port.write(0, 1, 0x01);
        Port92 copy = new Port92(a20, machine);
        copy.restoreState(DeviceState.of(port));
        copy.write(0, 1, 0x03);
        assertEquals(1, machine.resets, "bit 0 was already high before the snapshot");
        assertEquals(0x03, copy.read(0, 1));
    }

    @Test
    void randomAccessesNeverThrowAndResetClears() {
        Random rnd = new Random(92);
        for (int i = 0; i < 100_000; i++) {
            int off = rnd.nextInt(4);
            int size = 1 << rnd.nextInt(4);
            if (rnd.nextBoolean()) port.read(off, size); else port.write(off, size, rnd.nextLong());
        }
        port.reset();
        assertEquals(0, port.read(0, 1));
        assertEquals(0xFFFF, port.read(1, 2), "only offset 0 decodes");
    }
}
