package dev.jvirt.devices.serial;

import dev.jvirt.devices.DeviceState;
import dev.jvirt.devices.IrqLine;
import dev.jvirt.devices.VirtualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Serial16550Test {
    // Register offsets and bits, spelled out from the PC16550D datasheet.
    static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    static final int IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MODEM = 0x08;
    static final int NO_INT = 0x01, MODEM = 0x00, THRE = 0x02, RDA = 0x04, RLS = 0x06, CTI = 0x0C, FIFOS = 0xC0;
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08;
    static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    static final int FCR_ENABLE = 0x01, FCR_RX_RESET = 0x02;

    static final class Irq implements IrqLine {
        boolean level;
        int edges;

        @Override public void set(boolean l) {
            if (l && !level) edges++;
            level = l;
        }
    }

    static final class Backend implements CharBackend {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int acceptInputCalls;

        @Override public void write(int b) { out.write(b); }

        @Override public void acceptInput() { acceptInputCalls++; }
    }

    VirtualClock clock;
    Irq irq;
    Backend backend;
    Serial16550 uart;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.deterministic(0); // 1 ns per instruction
        irq = new Irq();
        backend = new Backend();
        uart = new Serial16550("serial0", irq, clock, backend);
    }

    int in(int reg) { return (int) uart.read(reg, 1); }

    void out(int reg, int v) { uart.write(reg, 1, v); }

    void advance(long ns) {
        clock.advanceInstructions(ns);
        clock.runDue();
    }

    /** 8N1 at the given divisor: 10 bits, 16 clocks of 1.8432 MHz each. */
    static long eightN1CharNanos(int divisor) {
        return Math.round(10 * 16 * divisor * 1e9 / 1_843_200);
    }

    void setDivisor(int divisor) {
        int lcr = in(LCR);
        out(LCR, lcr | 0x80);
        out(DLL, divisor & 0xFF);
        out(DLM, divisor >> 8);
        out(LCR, lcr);
    }

    @Test
    void resetStateReadsAsTheDatasheetTable() {
        out(SCR, 0x5A);
        out(IER, 0x0F);
        out(LCR, 0x1B);
        out(MCR, 0x1F);
        uart.reset();
        assertEquals(0x00, in(IER));
        assertEquals(NO_INT, in(IIR));
        assertEquals(0x00, in(LCR));
        assertEquals(0x00, in(MCR));
        assertEquals(LSR_THRE | LSR_TEMT, in(LSR));
        // Deltas clear; the inputs read as a connected host (CTS, DSR, DCD).
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, in(MSR));
        assertFalse(irq.level);
    }

    @Test
    void transmittedBytesReachTheBackendAndLeaveTheTransmitterEmpty() {
        for (byte b : "hi\n".getBytes()) out(THR, b);
        assertEquals("hi\n", backend.out.toString());
        int lsr = in(LSR);
        assertEquals(LSR_THRE | LSR_TEMT, lsr & (LSR_THRE | LSR_TEMT));
    }

    @Test
    void thrEmptyInterruptIsRaisedWhenEnabledClearedByIirReadAndRaisedAgainByTransmission() {
        out(MCR, MCR_OUT2);
        out(IER, IER_THRE);
        assertTrue(irq.level, "enabling ETBEI with THR empty interrupts at once");
        assertEquals(THRE, in(IIR));
        assertEquals(NO_INT, in(IIR), "the IIR read that reported THRE cleared it");
        assertFalse(irq.level);

        out(IER, IER_THRE);
        assertEquals(NO_INT, in(IIR), "rewriting an already set ETBEI is no new edge");

        out(THR, 'x');
        assertTrue(irq.level, "THR emptied again after the write");
        assertEquals(THRE, in(IIR));

        // An ISR that refills THR without reading IIR first: each byte must be a new edge for the PIC.
        out(THR, 'y');
        int edges = irq.edges;
        out(THR, 'z');
        assertTrue(irq.level);
        assertEquals(edges + 1, irq.edges, "the THR write lowered the line before THR emptied again");

        out(IER, 0);
        assertFalse(irq.level);
        out(IER, IER_THRE);
        assertEquals(THRE, in(IIR), "re-enabling ETBEI is a rising edge");
    }

    @Test
    void iirReportsSourcesInPriorityOrder() {
        out(FCR, FCR_ENABLE | 0x40); // trigger level 4
        out(MCR, MCR_OUT2 | MCR_LOOP); // entering loopback changes CTS and DSR: modem status deltas
        out(IER, IER_RDA | IER_THRE | IER_RLS | IER_MODEM);
        for (int i = 0; i < 17; i++) out(THR, 'a' + i); // 16 fill the FIFO, the 17th overruns
        assertTrue(irq.level);

        assertEquals(FIFOS | RLS, in(IIR), "line status first");
        assertEquals(LSR_OE, in(LSR) & LSR_OE);
        assertEquals(FIFOS | RDA, in(IIR), "then data at the trigger level");
        for (int i = 0; i < 14; i++) in(RBR);
        // Two characters left, below the trigger: after four character times the timeout outranks THRE.
        advance(4 * eightN1CharNanos(12) + 10_000);
        assertEquals(FIFOS | CTI, in(IIR), "character timeout before THRE");
        in(RBR);
        in(RBR);
        assertEquals(FIFOS | THRE, in(IIR), "then THR empty (this read clears it)");
        assertEquals(FIFOS | MODEM, in(IIR), "modem status last");
        in(MSR);
        assertEquals(FIFOS | NO_INT, in(IIR));
        assertFalse(irq.level);
    }

    @ParameterizedTest
    @CsvSource({"0x00, 1", "0x40, 4", "0x80, 8", "0xC0, 14"})
    void receivedDataInterruptsAtTheFifoTriggerLevel(int triggerBits, int level) {
        out(FCR, FCR_ENABLE | triggerBits);
        out(MCR, MCR_OUT2);
        out(IER, IER_RDA);
        for (int i = 0; i < level - 1; i++) uart.receive(i);
        assertEquals(FIFOS | NO_INT, in(IIR));
        assertFalse(irq.level);
        uart.receive(0x55);
        assertEquals(FIFOS | RDA, in(IIR));
        assertTrue(irq.level);
        assertEquals(LSR_DR, in(LSR) & LSR_DR);
        in(RBR);
        assertEquals(FIFOS | NO_INT, in(IIR), "below the trigger level again");
        assertFalse(irq.level);
    }

    @Test
    void withoutFifosEveryCharacterInterrupts() {
        out(MCR, MCR_OUT2);
        out(IER, IER_RDA);
        uart.receive('q');
        assertEquals(RDA, in(IIR));
        assertEquals('q', in(RBR));
        assertEquals(NO_INT, in(IIR));
        assertEquals(0, in(LSR) & LSR_DR);
    }

    @Test
    void characterTimeoutFiresAfterFourCharacterTimesWithoutActivity() {
        out(LCR, 0x03); // 8N1
        setDivisor(12); // 9600 baud
        out(FCR, FCR_ENABLE | 0xC0);
        out(MCR, MCR_OUT2);
        out(IER, IER_RDA);
        long fourChars = 4 * eightN1CharNanos(12);

        uart.receive('a');
        advance(fourChars - 1_000);
        assertEquals(FIFOS | NO_INT, in(IIR));
        uart.receive('b'); // a new character restarts the count
        advance(fourChars - 1_000);
        assertEquals(FIFOS | NO_INT, in(IIR));
        advance(2_000);
        assertEquals(FIFOS | CTI, in(IIR));
        assertTrue(irq.level);

        assertEquals('a', in(RBR));
        assertEquals(FIFOS | NO_INT, in(IIR), "a FIFO read clears the timeout");
        advance(fourChars + 1_000);
        assertEquals(FIFOS | CTI, in(IIR), "and restarts it while characters remain");
        assertEquals('b', in(RBR));
        advance(10 * fourChars);
        assertEquals(FIFOS | NO_INT, in(IIR), "an empty FIFO never times out");
    }

    @Test
    void characterTimeFollowsDivisorAndLineControl() {
        setDivisor(1);
        out(LCR, 0x03);
        assertEquals(eightN1CharNanos(1), uart.characterTimeNanos(), 1);
        out(LCR, 0x03 | 0x08 | 0x04); // 8 data, parity, 2 stop bits: 12 bits
        assertEquals(Math.round(12 * 16 * 1e9 / 1_843_200), uart.characterTimeNanos(), 1);
        out(LCR, 0x00 | 0x04); // 5 data bits with STB: 1.5 stop bits, 7.5 bits
        assertEquals(Math.round(7.5 * 16 * 1e9 / 1_843_200), uart.characterTimeNanos(), 1);
    }

    @Test
    void loopbackReturnsTransmittedBytesAndMapsModemControlToModemStatus() {
        out(MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
        assertEquals(MSR_CTS | MSR_DCD, in(MSR) & 0xF0, "RTS→CTS, OUT2→DCD (Linux's 0x90 probe)");
        out(THR, 'Z');
        assertEquals(0, backend.out.size(), "nothing leaves the chip in loopback");
        assertEquals(LSR_DR, in(LSR) & LSR_DR);
        assertEquals('Z', in(RBR));

        assertEquals(0, uart.rxSpace(), "the receiver is disconnected from the line");
        uart.receive('!');
        assertEquals(0, in(LSR) & LSR_DR);

        in(MSR); // clear deltas
        out(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
        int msr = in(MSR);
        assertEquals(MSR_DSR | MSR_RI, msr & 0xF0, "DTR→DSR, OUT1→RI");
        assertEquals(MSR_DCTS | MSR_DDSR | MSR_DDCD, msr & 0x0F, "CTS, DSR and DCD changed; RI rose (no TERI)");
        out(MCR, MCR_LOOP);
        assertEquals(MSR_DDSR | MSR_TERI, in(MSR) & 0x0F, "RI falling is the trailing edge");
        assertEquals(0, in(MSR) & 0x0F, "reading MSR clears the deltas");

        out(MCR, 0);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, in(MSR) & 0xF0, "the external lines again");
        assertTrue(uart.rxSpace() > 0);
    }

    @Test
    void modemStatusInterruptFromLoopbackDeltas() {
        out(MCR, MCR_LOOP | MCR_OUT2);
        in(MSR);
        out(IER, IER_MODEM);
        assertFalse(irq.level);
        out(MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
        assertTrue(irq.level);
        assertEquals(MODEM, in(IIR));
        assertEquals(MSR_DCTS, in(MSR) & 0x0F);
        assertFalse(irq.level);
    }

    @Test
    void divisorLatchSharesPortsWithDataAndIer() {
        out(IER, 0x05);
        out(LCR, 0x83);
        out(DLL, 0x01);
        out(DLM, 0x02);
        out(THR, 'x'); // DLAB=1: this is DLL, not a transmission
        assertEquals('x', in(DLL));
        assertEquals(0x02, in(DLM));
        assertEquals(0, backend.out.size());
        out(LCR, 0x03);
        assertEquals(0x05, in(IER));
        assertEquals(0x03, in(LCR));
        out(LCR, 0x83);
        assertEquals(0x0278, uart.read(DLL, 2), "a word read is the two byte registers, as the ISA bus splits it");
        uart.write(DLL, 2, 0x0001);
        assertEquals(0x01, in(DLL));
        assertEquals(0x00, in(DLM));
        out(LCR, 0x03);
        assertEquals(eightN1CharNanos(1), uart.characterTimeNanos(), 1);
    }

    @Test
    void ierKeepsOnlyItsFourDefinedBits() {
        out(IER, 0xFF);
        assertEquals(0x0F, in(IER));
    }

    @Test
    void out2GatesTheInterruptOntoTheIrqLine() {
        out(IER, IER_RDA);
        uart.receive('a');
        assertEquals(RDA, in(IIR), "the UART's own interrupt is pending");
        assertFalse(irq.level, "but OUT2=0 keeps it off the PC's IRQ line");
        out(MCR, MCR_OUT2);
        assertTrue(irq.level);
        out(MCR, 0);
        assertFalse(irq.level);
        out(MCR, MCR_OUT2);
        in(RBR);
        assertFalse(irq.level, "the line follows the source");
        assertEquals(2, irq.edges);
    }

    @Test
    void overrunWithoutFifosOverwritesTheReceiverBuffer() {
        out(MCR, MCR_OUT2);
        out(IER, IER_RLS);
        uart.receive('1');
        uart.receive('2');
        assertEquals(RLS, in(IIR));
        assertTrue(irq.level);
        assertEquals(LSR_OE | LSR_DR, in(LSR) & (LSR_OE | LSR_DR));
        assertEquals(0, in(LSR) & LSR_OE, "reading LSR clears OE");
        assertFalse(irq.level);
        assertEquals('2', in(RBR));
    }

    @Test
    void overrunWithFifosKeepsTheFifoAndLosesTheNewCharacter() {
        out(FCR, FCR_ENABLE);
        for (int i = 0; i < 16; i++) {
            assertEquals(16 - i, uart.rxSpace());
            uart.receive(i);
        }
        assertEquals(0, uart.rxSpace());
        uart.receive(0xEE);
        assertEquals(LSR_OE, in(LSR) & LSR_OE);
        for (int i = 0; i < 16; i++) assertEquals(i, in(RBR));
        assertEquals(0, in(LSR) & LSR_DR);
    }

    @Test
    void fifoResetEmptiesTheReceiverAndInvitesMoreInput() {
        out(FCR, FCR_ENABLE);
        uart.receive(1);
        uart.receive(2);
        int before = backend.acceptInputCalls;
        out(FCR, FCR_ENABLE | FCR_RX_RESET);
        assertEquals(0, in(LSR) & LSR_DR);
        assertEquals(16, uart.rxSpace());
        assertTrue(backend.acceptInputCalls > before);
        out(FCR, 0);
        assertEquals(NO_INT, in(IIR), "FIFO bits in IIR are off with FIFOs disabled");
        assertEquals(1, uart.rxSpace());
    }

    @Test
    void readingTheReceiverTellsTheBackendItMayOfferMore() {
        uart.receive('a');
        assertEquals(0, uart.rxSpace());
        int before = backend.acceptInputCalls;
        in(RBR);
        assertEquals(before + 1, backend.acceptInputCalls);
        assertEquals(1, uart.rxSpace());
    }

    @Test
    void breakIsAZeroCharacterWithBreakIndication() {
        out(MCR, MCR_OUT2);
        out(IER, IER_RLS | IER_RDA);
        uart.receiveBreak();
        assertEquals(RLS, in(IIR));
        assertEquals(LSR_BI | LSR_DR, in(LSR) & (LSR_BI | LSR_DR));
        assertEquals(RDA, in(IIR));
        assertEquals(0, in(RBR));
    }

    @Test
    void scratchRegisterHoldsAByte() {
        out(SCR, 0xA5);
        assertEquals(0xA5, in(SCR));
    }

    @Test
    void guestAccessesOutsideTheRegistersAreHarmless() {
        assertEquals(0xFF, uart.read(8, 1));
        assertEquals(0xFF, uart.read(-1, 1));
        uart.write(100, 4, 0xFFFFFFFFL);
        uart.write(-5, 8, -1L);
        assertEquals(LSR_THRE | LSR_TEMT, in(LSR));
    }

    /** Everything a driver can observe, consuming it the same way on both devices. */
    String drain(Serial16550 u) {
        StringBuilder sb = new StringBuilder();
        sb.append(u.read(IIR, 1)).append(',').append(u.read(LSR, 1)).append(',');
        while ((u.read(LSR, 1) & LSR_DR) != 0) sb.append((char) u.read(RBR, 1));
        sb.append(',').append(u.read(MSR, 1)).append(',').append(u.read(SCR, 1)).append(',').append(u.read(IER, 1));
        sb.append(',').append(u.read(MCR, 1)).append(',').append(u.read(LCR, 1)).append(',').append(u.characterTimeNanos());
        return sb.toString();
    }

    @Test
    void saveRestoreMidOperationContinuesExactlyAsTheOriginal() {
        out(LCR, 0x03);
        setDivisor(3);
        out(FCR, FCR_ENABLE | 0x80); // trigger 8
        out(MCR, MCR_OUT2 | MCR_RTS);
        out(IER, IER_RDA | IER_THRE | IER_RLS);
        out(SCR, 0x42);
        for (byte b : "abc".getBytes()) uart.receive(b);
        advance(1_000); // the timeout is running, not yet due
        assertTrue(irq.level, "THRE pending");

        DeviceState clockState = DeviceState.of(clock);
        DeviceState state = DeviceState.of(uart);

        VirtualClock clock2 = VirtualClock.deterministic(0);
        clock2.restoreState(clockState);
        Irq irq2 = new Irq();
        Backend backend2 = new Backend();
        Serial16550 copy = new Serial16550("serial0", irq2, clock2, backend2);
        copy.restoreState(state);
        assertTrue(irq2.level, "the restored device drives its line");

        // Both continue identically: the THRE interrupt, the pending timeout, the FIFO contents.
        for (Serial16550 u : new Serial16550[] {uart, copy}) {
            assertEquals(FIFOS | THRE, u.read(IIR, 1));
            u.receive('d');
        }
        long fourChars = 4 * Math.round(10 * 16 * 3 * 1e9 / 1_843_200);
        advance(fourChars + 1);
        clock2.advanceInstructions(fourChars + 1);
        clock2.runDue();
        assertEquals(FIFOS | CTI, uart.read(IIR, 1));
        assertEquals(irq.level, irq2.level);
        String original = drain(uart);
        assertEquals(original, drain(copy));
        assertTrue(original.contains("abcd"));
        uart.write(THR, 1, 'z');
        copy.write(THR, 1, 'z');
        assertArrayEquals(backend.out.toByteArray(), backend2.out.toByteArray());
    }

    @Test
    void restoreRejectsAnImpossibleFifoAndLeavesTheDeviceAlone() {
        out(SCR, 0x11);
        DeviceState bad = DeviceState.of(uart);
        DeviceState forged = new DeviceState("serial0", 1);
        bad.fields().forEach((k, v) -> {
            if (v instanceof Long l) forged.put(k, l);
            else if (v instanceof Boolean b) forged.put(k, b);
        });
        forged.put("fcr", 0).put("rxFifo", new byte[] {1, 2}).put("scr", 0x22);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> uart.restoreState(forged));
        assertEquals(0x11, in(SCR));
    }

    @Test
    void restoreRejectsAnotherDevicesState() {
        DeviceState other = new DeviceState("serial1", 1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> uart.restoreState(other));
    }
}
