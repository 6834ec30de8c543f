package dev.jvirt.cpu.decode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Instruction decoding per SDM Vol. 2 chapter 2 (prefixes, ModRM/SIB, displacements, immediates). */
class DecoderTest {
    private final DecodedInsn d = new DecodedInsn();

    private DecodedInsn decode(boolean code32, int... bytes) {
        Decoder.decode(i -> i < bytes.length ? bytes[i] : 0x90, d, code32);
        return d;
    }

    @Test
    void sibWithDisplacementAndScaledIndex() {
        // mov eax, [ebx + esi*4 + 0x12345678]
        decode(true, 0x8B, 0x84, 0xB3, 0x78, 0x56, 0x34, 0x12);
        assertEquals(0x8B, d.op);
        assertEquals(3, d.base);
        assertEquals(6, d.index);
        assertEquals(2, d.scale);
        assertEquals(0x12345678L, d.disp);
        assertEquals(7, d.length);
        assertEquals(3, d.seg, "DS by default");
    }

    @Test
    void ebpBaseDefaultsToStackSegmentAndNoBaseFormDoesNot() {
        decode(true, 0x8B, 0x45, 0xFC); // mov eax, [ebp-4]
        assertEquals(2, d.seg);
        assertEquals(-4, d.disp);
        decode(true, 0x8B, 0x04, 0x25, 0, 0x10, 0, 0); // mov eax, [0x1000] via SIB without base or index
        assertEquals(-1, d.base);
        assertEquals(-1, d.index);
        assertEquals(0x1000, d.disp);
        assertEquals(3, d.seg);
    }

    @Test
    void sixteenBitAddressingForms() {
        decode(false, 0x8B, 0x42, 0x10); // mov ax, [bp+si+0x10]
        assertEquals(5, d.base);
        assertEquals(6, d.index);
        assertEquals(2, d.seg);
        decode(false, 0x8B, 0x06, 0x34, 0x12); // mov ax, [0x1234]
        assertEquals(-1, d.base);
        assertEquals(0x1234, d.disp);
        assertEquals(4, d.length);
    }

    @Test
    void sizePrefixesSelectOperandAndAddressSize() {
        decode(false, 0x66, 0x67, 0xC7, 0x00, 1, 2, 3, 4); // mov dword [eax], 0x04030201 in 16-bit code
        assertTrue(d.o32);
        assertTrue(d.a32);
        assertEquals(0x04030201L, d.imm);
        assertEquals(8, d.length);
        decode(true, 0x66, 0x66, 0xB8, 0x34, 0x12); // repeated 66 still means 16-bit
        assertFalse(d.o32);
        assertEquals(0x1234, d.imm);
    }

    @Test
    void lastPrefixOfAGroupWins() {
        decode(true, 0x26, 0x2E, 0x64, 0x8B, 0x00); // es cs fs mov eax,[eax]
        assertEquals(4, d.seg);
        decode(true, 0xF2, 0xF3, 0xA4);
        assertEquals(DecodedInsn.REP_E, d.rep);
        decode(true, 0xF3, 0xF2, 0xA6);
        assertEquals(DecodedInsn.REP_NE, d.rep);
    }

    @Test
    void groupThreeTestTakesAnImmediateOthersDoNot() {
        decode(true, 0xF7, 0xC0, 1, 0, 0, 0); // test eax, 1
        assertEquals(6, d.length);
        decode(true, 0xF7, 0xD0); // not eax
        assertEquals(2, d.length);
    }

    @Test
    void moveToControlRegisterIgnoresMod() {
        decode(true, 0x0F, 0x22, 0x18); // mod=0 encodes mov cr3, eax all the same
        assertEquals(0x122, d.op);
        assertEquals(3, d.mod);
        assertFalse(d.mem);
        assertEquals(3, d.length);
    }

    @Test
    void threeByteOpcodeMapsHaveModrmAndThe0F3AImmediate() {
        decode(true, 0x66, 0x0F, 0x38, 0x00, 0x44, 0x24, 0x08); // pshufb xmm0, [esp+8]
        assertEquals(OpcodeTable.MAP_0F38 | 0x00, d.op);
        assertEquals(DecodedInsn.SIMD_66, d.simdPrefix());
        assertTrue(d.mem);
        assertEquals(7, d.length);
        decode(true, 0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x04); // palignr xmm0, xmm1, 4
        assertEquals(OpcodeTable.MAP_0F3A | 0x0F, d.op);
        assertEquals(4, d.imm);
        assertEquals(6, d.length);
        decode(true, 0x66, 0xF3, 0x0F, 0xB8, 0xC1); // popcnt ax, cx: F3 is the mandatory prefix, 66 the size
        assertEquals(DecodedInsn.SIMD_F3, d.simdPrefix());
        assertFalse(d.o32);
    }

    @Test
    void instructionsLongerThanFifteenBytesAreRejected() {
        int[] b = new int[20];
        java.util.Arrays.fill(b, 0x66);
        decode(true, b);
        assertEquals(OpcodeTable.TOO_LONG, d.op);
        // 14 prefixes + a one-byte opcode is exactly 15 and valid
        int[] ok = new int[15];
        java.util.Arrays.fill(ok, 0x3E);
        ok[14] = 0x90;
        decode(true, ok);
        assertEquals(0x90, d.op);
        assertEquals(15, d.length);
    }
}
