package dev.jvirt.cpu.decode;

/**
 * Operand-encoding attributes of every one- and two-byte i686 opcode (Intel SDM Vol. 2, Appendix A
 * opcode maps): whether a ModRM byte follows and which immediate. Execution semantics live elsewhere.
 */
public final class OpcodeTable {
    public static final int MODRM = 1, IMM8 = 2, IMM16 = 4, IMMZ = 8, FARPTR = 16, MOFFS = 32, ENTER = 64,
            INVALID = 128, GROUP_IMM = 256, PREFIX = 512, REG_ONLY = 1024;
    /** Pseudo-opcode for an instruction longer than 15 bytes (#GP). */
    public static final int TOO_LONG = 0x400;
    /** Opcode spaces: one byte, 0F xx, 0F 38 xx and 0F 3A xx (SDM Vol. 2 Appendix A, Tables ). */
    public static final int MAP_0F = 0x100, MAP_0F38 = 0x200, MAP_0F3A = 0x300;

    static final int[] ATTR = new int[0x400];

    private static void set(int attr, int... ops) {
        for (int o : ops) ATTR[o] = attr;
    }

    private static void range(int attr, int from, int to) {
        for (int o = from; o <= to; o++) ATTR[o] = attr;
    }

    static {
        for (int base = 0; base < 0x40; base += 8) {
            set(MODRM, base, base + 1, base + 2, base + 3);
            set(IMM8, base + 4);
            set(IMMZ, base + 5);
        }
        set(PREFIX, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3);
        set(MODRM, 0x62, 0x63);
        set(IMMZ, 0x68);
        set(MODRM | IMMZ, 0x69);
        set(IMM8, 0x6A);
        set(MODRM | IMM8, 0x6B);
        range(IMM8, 0x70, 0x7F);
        set(MODRM | IMM8, 0x80, 0x82, 0x83, 0xC0, 0xC1, 0xC6);
        set(MODRM | IMMZ, 0x81, 0xC7);
        range(MODRM, 0x84, 0x8F);
        set(FARPTR, 0x9A, 0xEA);
        range(MOFFS, 0xA0, 0xA3);
        set(IMM8, 0xA8);
        set(IMMZ, 0xA9);
        range(IMM8, 0xB0, 0xB7);
        range(IMMZ, 0xB8, 0xBF);
        set(IMM16, 0xC2, 0xCA);
        set(MODRM, 0xC4, 0xC5);
        set(ENTER, 0xC8);
        set(IMM8, 0xCD, 0xD4, 0xD5);
        range(MODRM, 0xD0, 0xD3);
        range(MODRM, 0xD8, 0xDF);
        range(IMM8, 0xE0, 0xE7);
        set(IMMZ, 0xE8, 0xE9);
        set(IMM8, 0xEB);
        set(MODRM | GROUP_IMM, 0xF6, 0xF7);
        set(MODRM, 0xFE, 0xFF);

        range(INVALID, 0x100, 0x1FF);
        set(MODRM, 0x100, 0x101, 0x102, 0x103, 0x10D);
        set(0, 0x106, 0x108, 0x109, 0x10B, 0x130, 0x131, 0x132, 0x133, 0x134, 0x135, 0x1A0, 0x1A1, 0x1A2, 0x1A8, 0x1A9);
        range(MODRM, 0x118, 0x11F);
        range(MODRM | REG_ONLY, 0x120, 0x123);
        range(MODRM, 0x140, 0x14F);
        range(IMMZ, 0x180, 0x18F);
        range(MODRM, 0x190, 0x19F);
        set(MODRM, 0x1A3, 0x1A5, 0x1AB, 0x1AD, 0x1AE, 0x1AF, 0x1B0, 0x1B1, 0x1B2, 0x1B3, 0x1B4, 0x1B5, 0x1B6, 0x1B7,
                0x1BB, 0x1BC, 0x1BD, 0x1BE, 0x1BF, 0x1C0, 0x1C1, 0x1C7);
        set(MODRM | IMM8, 0x1A4, 0x1AC, 0x1BA);
        range(0, 0x1C8, 0x1CF);

        // SSE..SSE4.2 and MMX (the mandatory 66/F2/F3 prefix selects the instruction, not the encoding)
        range(MODRM, 0x110, 0x117);
        range(MODRM, 0x128, 0x12F);
        range(MODRM, 0x150, 0x16F);
        range(MODRM | IMM8, 0x170, 0x173);
        range(MODRM, 0x174, 0x176);
        set(0, 0x177);
        range(MODRM, 0x17C, 0x17F);
        set(MODRM, 0x1B8, 0x1B9, 0x1C3, 0x1FF);
        set(MODRM | IMM8, 0x1C2, 0x1C4, 0x1C5, 0x1C6);
        range(MODRM, 0x1D0, 0x1FE);
        range(MODRM, 0x200, 0x2FF);
        range(MODRM | IMM8, 0x300, 0x3FF);
    }

    private OpcodeTable() { }

    public static int attributes(int op) { return ATTR[op]; }
}
