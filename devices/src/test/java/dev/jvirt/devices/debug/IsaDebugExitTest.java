package dev.jvirt.devices.debug;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.MachineControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IsaDebugExitTest {
    static final class Control implements MachineControl {
        final List<Integer> exits = new ArrayList<>();

        @Override public void requestExit(int status) { exits.add(status); }
        @Override public void requestReset() { }
        @Override public void requestPowerOff() { }
    }

    final Control control = new Control();
    final IsaDebugExit dev = new IsaDebugExit(control);

    @Test
    void writeOfVExitsWithTwiceVPlusOne() {
        dev.write(0, 1, 0x00);
        dev.write(0, 1, 0x10);
        assertEquals(List.of(1, 0x21), control.exits);
    }

    @Test
    void wholeValueOfTheAccessSizeCountsAtAnyOffset() {
        dev.write(0, 2, 0x1234);
        dev.write(3, 4, 0x7F);
        assertEquals(List.of((0x1234 << 1) | 1, (0x7F << 1) | 1), control.exits);
    }

    @Test
    void valueIsTruncatedToTheAccessSize() {
        dev.write(0, 1, 0x1FF);
        assertEquals(List.of((0xFF << 1) | 1), control.exits);
    }

    @Test
    void accessesWiderThanFourBytesAreIgnored() {
        dev.write(0, 8, 1);
        assertTrue(control.exits.isEmpty());
    }

    @Test
    void readsAnswerZero() {
        assertEquals(0, dev.read(0, 1));
        assertEquals(0, dev.read(2, 2));
        assertEquals(0, dev.read(0, 4));
        assertTrue(control.exits.isEmpty());
    }

    @Test
    void stateRoundTrips() {
        dev.restoreState(DeviceState.of(dev));
        dev.write(0, 1, 3);
        assertEquals(List.of(7), control.exits);
    }
}
