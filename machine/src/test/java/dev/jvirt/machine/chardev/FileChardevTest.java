package dev.jvirt.machine.chardev;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileChardevTest {
    @TempDir Path dir;

    @Test
    void outputLandsInTheFileByteForByte() throws Exception {
        Path f = dir.resolve("com1.log");
        byte[] expected = new byte[200_000]; // several buffers' worth, every byte value
        for (int i = 0; i < expected.length; i++) expected[i] = (byte) (i * 7);
        try (HostChardev c = Chardevs.parse("file:" + f).open()) {
            for (byte b : expected) c.write(b & 0xFF);
        }
        assertArrayEquals(expected, Files.readAllBytes(f));
    }

    @Test
    void flushMakesOutputVisibleWhileOpen() throws Exception {
        Path f = dir.resolve("live.log");
        try (HostChardev c = Chardevs.parse("file:" + f).open()) {
            for (byte b : "boot\n".getBytes()) c.write(b);
            c.flush();
            assertEquals("boot\n", Files.readString(f));
        }
    }

    @Test
    void anExistingFileIsTruncated() throws Exception {
        Path f = dir.resolve("old.log");
        Files.writeString(f, "previous run, much longer than the new output");
        try (HostChardev c = Chardevs.parse("file:" + f).open()) {
            c.write('N');
        }
        assertEquals("N", Files.readString(f));
    }

    @Test
    void theFileGetsNoInputAndStartIsHarmless() throws Exception {
        Path f = dir.resolve("in.log");
        try (HostChardev c = Chardevs.parse("file:" + f).open()) {
            c.start(ChardevInput.discard(() -> { }));
            c.acceptInput();
        }
        assertTrue(Files.exists(f));
    }

    @Test
    void aMissingDirectoryIsAOneLineError() {
        Path f = dir.resolve("no/such/dir/com1.log");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chardevs.parse("file:" + f).open());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no such file or directory"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aDirectoryIsNotAFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chardevs.parse("file:" + dir).open());
        assertTrue(e.getMessage().startsWith("cannot open character device file:" + dir + ": "), e.getMessage());
    }
}
