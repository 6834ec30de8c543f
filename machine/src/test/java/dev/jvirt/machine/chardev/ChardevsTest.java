package dev.jvirt.machine.chardev;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChardevsTest {
    @Test
    void qemuSpellingsParse() {
        assertEquals(ChardevSpec.Kind.STDIO, Chardevs.parse("stdio").kind());
        assertEquals(ChardevSpec.Kind.NULL, Chardevs.parse("null").kind());
        assertEquals(ChardevSpec.Kind.NONE, Chardevs.parse("none").kind());
        ChardevSpec file = Chardevs.parse("file:/tmp/serial.log");
        assertEquals(ChardevSpec.Kind.FILE, file.kind());
        assertEquals(Path.of("/tmp/serial.log"), file.path());
    }

    @Test
    void noneMeansNoDeviceWhileNullKeepsIt() {
        assertFalse(Chardevs.parse("none").present());
        assertTrue(Chardevs.parse("null").present());
        assertTrue(Chardevs.parse("stdio").present());
    }

    @Test
    void specsPrintAsTheyAreSpelled() {
        for (String s : new String[] {"stdio", "null", "none", "file:out/com1.txt"}) {
            assertEquals(s, Chardevs.parse(s).toString());
        }
    }

    @Test
    void filePathMayContainColons() {
        assertEquals(Path.of("a:b"), Chardevs.parse("file:a:b").path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp:localhost:4444", "STDIO", "vc", "std io", "file", "mon:stdio"})
    void unknownSpecsFailWithOneLineNamingTheSpecAndTheChoices(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chardevs.parse(spec));
        assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("stdio, null, none or file:PATH"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void emptySpecsFail() {
        assertThrows(IllegalArgumentException.class, () -> Chardevs.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Chardevs.parse(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chardevs.parse("file:"));
        assertTrue(e.getMessage().contains("needs a path"));
    }

    @Test
    void controlCharactersInABadSpecDoNotBreakTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chardevs.parse("a\nb"));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void nullAndNoneOpenAsDiscardingDevices() {
        try (HostChardev c = Chardevs.parse("null").open()) {
            c.write('x');
            c.flush();
        }
    }
}
