package dev.jvirt.cpu.decode;

/**
 * One decoded instruction. A single instance is reused for every instruction (no allocation on the
 * hot path); the interpreter reads the fields, and the translator can copy them.
 */
public final class DecodedInsn {
    /** No segment override prefix. */
    public static final int NO_SEG = -1;
    public static final int REP_NONE = 0, REP_E = 1, REP_NE = 2;

    /**
     * Opcode: 0x00-0xFF one-byte, 0x100-0x1FF after 0F, 0x200-0x2FF after 0F 38, 0x300-0x3FF after 0F 3A;
     * {@link OpcodeTable#TOO_LONG} past 15 bytes.
     */
    public int op;
    public boolean hasModrm;
    public int mod, reg, rm;
    /** Memory operand (hasModrm with mod != 3, or a moffs form). */
    public boolean mem;
    /** Effective address parts: base and index register numbers or -1, scale shift 0-3, displacement. */
    public int base, index, scale;
    public long disp;
    /** Segment used for the memory operand: the override or the addressing form's default (DS/SS). */
    public int seg;
    /** The override prefix's segment, or {@link #NO_SEG}. */
    public int segOverride;
    public boolean o32, a32;
    public int rep;
    public boolean lock;
    public long imm, imm2;
    public int length;
    /** Number of 66 prefixes seen (some two-byte forms use them as mandatory prefixes). */
    public int prefixCount;

    /**
     * Decoded-instruction cache tag (owned by the interpreter): the RAM offset of the first byte times
     * two plus CS.D, or -1; the instruction's first bytes (little-endian, at most 8, {@code mask0} covers
     * them) and, past 8 bytes long, its last 8 bytes. An entry is valid only while RAM still holds
     * these bytes, which makes self-modifying code and DMA into code pages safe without write tracking.
     */
    public long cacheKey = -1, bytes0, mask0, bytes1;
    /** Interpreter fast-path kind of a cached instruction (0: the general path). */
    public int fastKind;

    /**
     * 64-bit mode only (all zero/false otherwise): the REX prefix byte (0x40-0x4F, or 0 when absent),
     * operand size 64 (REX.W or a default-64 opcode), address size 64 (no 67 prefix), RIP-relative
     * memory operand (disp is relative to the next instruction's RIP), and an opcode that is #UD in 64-bit mode.
     */
    public int rex;
    public boolean o64, a64, ripRel, invalid64;

    public int size() { return o64 ? 8 : o32 ? 4 : 2; }

    public static final int SIMD_NONE = 0, SIMD_66 = 1, SIMD_F3 = 2, SIMD_F2 = 3;

    /**
     * The mandatory prefix of an SSE-class opcode (SDM Vol. 2 2.1.2): the last F2/F3 if any, else 66;
     * {@link #SIMD_NONE} selects the MMX or packed-single form.
     */
    public int simdPrefix() {
        return rep == REP_E ? SIMD_F3 : rep == REP_NE ? SIMD_F2 : prefixCount > 0 ? SIMD_66 : SIMD_NONE;
    }

    /** ModRM.reg extended by REX.R (the register operand; {@link #reg} stays the raw opcode-extension field). */
    public int regX() { return reg | (rex & 4) << 1; }

    /** ModRM.rm extended by REX.B (a register operand when mod = 3). */
    public int rmX() { return rm | (rex & 1) << 3; }

    /** The register in the opcode's low three bits (50+r, B8+r, 0F C8+r) extended by REX.B. */
    public int opReg() { return op & 7 | (rex & 1) << 3; }

    /**
     * Byte register {@code n} (0-15) names SPL/BPL/SIL/DIL for 4-7 when any REX prefix is present, and
     * AH/CH/DH/BH without one (SDM Vol. 2 3.7.2.1).
     */
    public boolean byteRegsUniform() { return rex != 0; }

    void clear() {
        hasModrm = mem = lock = false;
        mod = reg = rm = 0;
        base = index = -1;
        scale = 0;
        disp = 0;
        segOverride = NO_SEG;
        rep = REP_NONE;
        imm = imm2 = 0;
        prefixCount = 0;
        rex = 0;
        o64 = a64 = ripRel = invalid64 = false;
    }
}
