package dev.jvirt.machine.chardev;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputPumpTest {
    /** A board whose device takes at most {@code room} bytes per offer and records events in order. */
    static final class Board implements ChardevInput {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        int room = Integer.MAX_VALUE;
        int refusals;

        @Override public synchronized int offer(byte[] buf, int off, int len) {
            int n = Math.min(len, room);
            if (n == 0) {
                refusals++;
                room = 3; // the guest drained its FIFO meanwhile
                return 0;
            }
            got.write(buf, off, n);
            events.add("data:" + new String(buf, off, n));
            return n;
        }

        @Override public void quit() { events.add("quit"); }

        @Override public void sendBreak() { events.add("break"); }
    }

    final Board board = new Board();
    final List<String> commands = new ArrayList<>();
    final InputPump.Commands cmds = new InputPump.Commands() {
        @Override public void help() { commands.add("help"); }
        @Override public void quit() { commands.add("quit"); board.quit(); }
    };

    static byte[] bytes(String s) { return s.getBytes(); }

    @Test
    void withoutEscapeEveryByteReachesTheBoard() {
        InputPump p = new InputPump(new ByteArrayInputStream(new byte[0]), board, null, cmds);
        byte[] in = bytes("a\u0001xb");
        assertTrue(p.process(in, in.length));
        assertEquals("a\u0001xb", board.got.toString());
        assertTrue(commands.isEmpty());
    }

    @Test
    void escapeCommandsActInOrderWithTheData() {
        InputPump p = new InputPump(new ByteArrayInputStream(new byte[0]), board, new EscapeDecoder(), cmds);
        byte[] in = bytes("ab\u0001bcd\u0001\u0001e\u0001h");
        assertTrue(p.process(in, in.length));
        assertEquals(List.of("data:ab", "break", "data:cd\u0001e"), board.events);
        assertEquals(List.of("help"), commands);
    }

    @Test
    void escapeSplitAcrossReadsStillWorks() {
        InputPump p = new InputPump(new ByteArrayInputStream(new byte[0]), board, new EscapeDecoder(), cmds);
        byte[] first = bytes("q\u0001");
        assertTrue(p.process(first, first.length));
        byte[] second = bytes("xr");
        assertFalse(p.process(second, second.length), "quit ends the pump");
        assertEquals(List.of("data:q", "quit"), board.events);
    }

    @Test
    void aFullDeviceHoldsInputBackInsteadOfLosingIt() {
        board.room = 0;
        InputPump p = new InputPump(new ByteArrayInputStream(new byte[0]), board, null, cmds);
        byte[] in = bytes("0123456789");
        p.process(in, in.length);
        assertEquals("0123456789", board.got.toString());
        assertEquals(1, board.refusals);
    }

    @Test
    void theReaderThreadPumpsAStreamUntilEof() throws Exception {
        InputPump p = new InputPump(new ByteArrayInputStream(bytes("hello")), board, null, cmds);
        p.start("test");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (board.got.size() < 5 && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals("hello", board.got.toString());
    }
}
