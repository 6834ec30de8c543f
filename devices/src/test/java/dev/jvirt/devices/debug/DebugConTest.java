package dev.jvirt.devices.debug;

import dev.jvirt.devices.serial.CharBackend;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DebugConTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final CharBackend backend = out::write;

    @Test
    void writtenBytesGoToTheBackend() {
        DebugCon con = new DebugCon(backend);
        for (byte b : "SeaBIOS\n".getBytes()) con.write(0, 1, b & 0xFF);
        assertEquals("SeaBIOS\n", out.toString());
    }

    @Test
    void onlyTheLowByteOfAWriteIsACharacter() {
        new DebugCon(backend).write(0, 1, 0x141);
        assertEquals("A", out.toString());
    }

    @Test
    void readsReturnTheReadbackValueSoGuestsCanDetectThePort() {
        assertEquals(0xE9, new DebugCon(backend).read(0, 1));
        assertEquals(0x42, new DebugCon(backend, 0x42).read(0, 1));
        assertEquals(0, out.size());
    }
}
