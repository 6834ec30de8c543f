package dev.jvirt.machine.chardev;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EscapeDecoderTest {
    static final int CTRL_A = 0x01;
    final EscapeDecoder d = new EscapeDecoder();

    @Test
    void ordinaryBytesPassThrough() {
        for (int b : new int[] {'a', 0x00, 0x03, 0x1B, 0xFF, 'x', 'h'}) assertEquals(b, d.feed(b));
    }

    @Test
    void ctrlAXQuits() {
        assertEquals(EscapeDecoder.CONSUMED, d.feed(CTRL_A));
        assertTrue(d.pendingEscape());
        assertEquals(EscapeDecoder.QUIT, d.feed('x'));
        assertFalse(d.pendingEscape());
    }

    @Test
    void ctrlATwiceSendsOneCtrlA() {
        assertEquals(EscapeDecoder.CONSUMED, d.feed(CTRL_A));
        assertEquals(CTRL_A, d.feed(CTRL_A));
        assertEquals('x', d.feed('x'), "the escape is over: x is data again");
    }

    @Test
    void ctrlAHOrQuestionMarkPrintsHelp() {
        d.feed(CTRL_A);
        assertEquals(EscapeDecoder.HELP, d.feed('h'));
        d.feed(CTRL_A);
        assertEquals(EscapeDecoder.HELP, d.feed('?'));
    }

    @Test
    void ctrlABSendsBreak() {
        d.feed(CTRL_A);
        assertEquals(EscapeDecoder.BREAK, d.feed('b'));
    }

    @Test
    void unknownCommandIsSwallowedLikeQemu() {
        d.feed(CTRL_A);
        assertEquals(EscapeDecoder.CONSUMED, d.feed('z'));
        assertEquals('z', d.feed('z'));
    }

    @Test
    void helpListsTheCommandsWithRawTerminalLineEnds() {
        String help = EscapeDecoder.help();
        assertTrue(help.contains("C-a x"));
        assertTrue(help.contains("C-a h"));
        assertFalse(help.replace("\r\n", "").contains("\n"));
    }
}
