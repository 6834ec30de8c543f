package dev.jvirt.cpu.decode;

/**
 * One decoded instruction. A single instance is reused for every instruction (no allocation on the
 * hot path); the interpreter reads the fields, and the translator can copy them.
 */
public final class DecodedInsn {
    /** No segment override prefix. */
    public static final int NO_SEG = -1;
    public static final int REP_NONE = 0, REP_E = 1, REP_NE = 2;

    /** Opcode: 0x00-0xFF one-byte, 0x100-0x1FF after 0F; {@link OpcodeTable#TOO_LONG} past 15 bytes. */
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

    public int size() { return o32 ? 4 : 2; }

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
    }
}
