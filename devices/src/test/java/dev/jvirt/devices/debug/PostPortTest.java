package dev.jvirt.devices.debug;

import dev.jvirt.devices.DeviceState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PostPortTest {
    final PostPort port = new PostPort();

    @Test
    void keepsTheLastCodeWritten() {
        assertEquals(-1, port.lastCode());
        port.write(0, 1, 0x10);
        port.write(0, 1, 0xAA);
        assertEquals(0xAA, port.lastCode());
    }

    @Test
    void readsAnswerAllOnesLikeQemu() {
        port.write(0, 1, 0x55);
        assertEquals(0xFF, port.read(0, 1));
        assertEquals(0xFFFF, port.read(0, 2));
    }

    @Test
    void lastCodeSurvivesResetAndSnapshot() {
        port.write(0, 1, 0x3C);
        port.reset();
        PostPort copy = new PostPort();
        copy.restoreState(DeviceState.of(port));
        assertEquals(0x3C, copy.lastCode());
    }
}
