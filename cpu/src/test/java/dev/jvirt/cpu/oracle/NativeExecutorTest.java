package dev.jvirt.cpu.oracle;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The oracle itself: results the SDM fixes, so a broken trampoline cannot pass as a reference. */
class NativeExecutorTest {
    private static NativeExecutor host;

    @BeforeAll
    static void setUp() {
        String why = NativeExecutor.unsupportedReason();
        if (why != null) System.out.println("NativeExecutorTest skipped: " + why);
        Assumptions.assumeTrue(why == null, why);
        try {
            host = new NativeExecutor();
        } catch (IllegalStateException e) {
            System.out.println("NativeExecutorTest skipped: cannot run host code: " + e.getMessage());
            Assumptions.abort("cannot run host code: " + e.getMessage());
        }
    }

    @AfterAll
    static void tearDown() {
        if (host != null) host.close();
    }

    private static long[] regs() {
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) r[i] = 0x1111_1111_1111_1111L * (i + 1);
        return r;
    }

    @Test
    void nopKeepsEveryRegisterAndTheLoadedFlags() {
        long[] r = regs();
        long flags = host.execute(new byte[] {(byte) 0x90}, r, 0x8D5 | 0x400);
        long[] want = regs();
        for (int i = 0; i < 16; i++) if (i != 4) assertEquals(want[i], r[i], "register " + i);
        assertEquals(0x8D5 | 0x400, flags & (0x8D5 | 0x400));
    }

    @Test
    void addOfTwoRegistersSetsCarryZeroAndZeroExtends() {
        long[] r = regs();
        r[0] = 0xAAAA_AAAA_FFFF_FFFFL;
        r[3] = 1;
        long flags = host.execute(HexFormat.of().parseHex("01d8"), r, 0); // add eax, ebx
        assertEquals(0, r[0], "32-bit result zero-extended into RAX");
        assertEquals(0x1 | 0x4 | 0x10 | 0x40, flags & 0x8D5, "CF PF AF ZF");
    }

    @Test
    void memoryOperandGoesThroughTheScratchBuffer() {
        var scratch = host.scratch();
        scratch.set(ValueLayout.JAVA_INT_UNALIGNED, 8, 0x7FFF_FFFF);
        long[] r = regs();
        r[6] = scratch.address() + 8;
        r[0] = 1;
        long flags = host.execute(HexFormat.of().parseHex("0106"), r, 0); // add [rsi], eax
        assertEquals(0x8000_0000, scratch.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        assertEquals(0x800 | 0x80 | 0x10 | 0x4, flags & 0x8D5, "OF SF AF PF");
    }

    @Test
    void repStosFillsAndCountsDown() {
        var scratch = host.scratch();
        scratch.fill((byte) 0);
        long[] r = regs();
        r[0] = 0xAB;
        r[1] = 3;
        r[7] = scratch.address() + 4;
        host.execute(HexFormat.of().parseHex("f3aa"), r, 0); // rep stosb
        assertEquals(0, r[1], "RCX counted down");
        assertEquals(scratch.address() + 7, r[7], "RDI advanced");
        assertEquals(0x00AB_ABAB_0000_0000L, scratch.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
    }

    @Test
    void dfIsLoadedAndStdIsSeen() {
        long[] r = regs();
        assertEquals(0x400, host.execute(new byte[] {(byte) 0xFD}, r, 0) & 0x400, "STD");
        assertEquals(0, host.execute(new byte[] {(byte) 0xFC}, r, 0x400) & 0x400, "CLD");
    }

    @Test
    void xmmMxcsrAndMmxRegistersAreLoadedAndStored() {
        var r = new NativeExecutor.Regs();
        r.xmm[2] = Double.doubleToRawLongBits(1.5);
        r.xmm[3] = 7;
        r.xmm[30] = Double.doubleToRawLongBits(2.25); // XMM15
        r.mxcsr = NativeExecutor.MXCSR_MASKS | 0x6000;  // round toward zero
        r.mm[5] = 0x0102_0304_0506_0708L;
        host.execute(HexFormat.of().parseHex("f2410f58ce"), r); // addsd xmm1, xmm14
        assertEquals(Double.doubleToRawLongBits(1.5), r.xmm[2], "XMM1 low quadword: 1.5 + 0");
        assertEquals(7, r.xmm[3], "ADDSD keeps the high quadword");
        assertEquals(Double.doubleToRawLongBits(2.25), r.xmm[30]);
        assertEquals(0x7F80, r.mxcsr, "MXCSR round trip");
        assertEquals(0x0102_0304_0506_0708L, r.mm[5]);
        host.execute(HexFormat.of().parseHex("0f6fc5"), r); // movq mm0, mm5
        assertEquals(0x0102_0304_0506_0708L, r.mm[0]);
    }

    @Test
    void pushWritesBelowTheGivenStackInTheScratchArea() {
        var scratch = host.scratch();
        var r = new NativeExecutor.Regs();
        r.gpr[4] = scratch.address() + 64;
        r.gpr[0] = 0x1122_3344_5566_7788L;
        host.execute(new byte[] {0x50}, r); // push rax
        assertEquals(scratch.address() + 56, r.gpr[4]);
        assertEquals(0x1122_3344_5566_7788L, scratch.get(ValueLayout.JAVA_LONG_UNALIGNED, 56));
    }
}
