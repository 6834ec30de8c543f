package dev.jvirt.cpu.oracle;

import dev.jvirt.cpu.CpuFeature;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One instruction form of the 64-bit oracle: its encoding (legacy prefixes, REX.W, opcode, ModRM.reg as
 * register or extension, ModRM.rm as register or memory, immediate) and how to draw random cases for it.
 * Every case starts from random GPRs, flags, XMM, MMX and MXCSR (exceptions masked) and random scratch
 * memory; a memory operand is always at {@link #OPERAND_AT} in the scratch area (16-aligned, so SSE
 * alignment rules never fault natively), reached by a random addressing form: [base], [base+disp8],
 * [base+disp32], [base+index*scale+disp] with any of R0-R15 but RSP, or [rip+disp32].
 */
final class Form64 {
    /** Register operand classes of ModRM.reg / ModRM.rm. */
    enum Kind { NONE, GPR, XMM, MMX }

    /** Where the shift count comes from (the count-dependent undefined flags). */
    enum Count { NONE, ONE, CL, IMM8 }

    static final int OPERAND_AT = 512, BUFFER = 1024, RSP = 4;
    /** Initial RSP: the middle of the compared buffer, so pushes and pops stay inside it. */
    static final int STACK_AT = 768;

    final String mnemonic, name, key;
    final CpuFeature feature;
    final byte[] prefixes, opcode;
    final boolean rexW, mem, plusReg;
    /** ModRM.reg as an opcode extension (0-7), or -1 when it names a register of {@link #regKind}; -2: no ModRM. */
    final int ext;
    final Kind regKind, rmKind;
    /** Operand size of GPR operands (8-64) of the ModRM.reg and ModRM.rm / +r register. */
    final int regBits, rmBits;
    final int immBytes;
    /** Operand size for the flags (8-64). */
    final int bits;
    Count count = Count.NONE;
    /** GPRs the instruction uses implicitly: never address registers. */
    int implicit;
    /** Sets inputs the form needs (after the operands are chosen, before the address registers get their values). */
    BiConsumer<Case64, Random> tweak = (c, r) -> { };
    Predicate<Case64> valid = c -> true;
    /** The SDM leaves the destination undefined for these inputs. */
    Predicate<Case64> destUndefined = c -> false;
    /** XMM destination lanes (bit per 32-bit lane) that are approximations (RCP/RSQRT), compared within their error. */
    int approxLanes;

    Form64(String mnemonic, String name, String key, CpuFeature feature, byte[] prefixes, boolean rexW, byte[] opcode, int ext,
           Kind regKind, int regBits, Kind rmKind, int rmBits, boolean mem, boolean plusReg, int immBytes, int bits) {
        this.mnemonic = mnemonic;
        this.name = name;
        this.key = key;
        this.feature = feature;
        this.prefixes = prefixes;
        this.rexW = rexW;
        this.opcode = opcode;
        this.ext = ext;
        this.regKind = regKind;
        this.regBits = regBits;
        this.rmKind = rmKind;
        this.rmBits = rmBits;
        this.mem = mem;
        this.plusReg = plusReg;
        this.immBytes = immBytes;
        this.bits = bits;
    }

    int countOf(Case64 c) {
        return switch (count) {
            case NONE -> 0;
            case ONE -> 1;
            case CL -> (int) c.in.gpr[1] & 0xFF;
            case IMM8 -> (int) c.imm & 0xFF;
        };
    }

    Case64 generate(Random r, long scratch, long slot) {
        for (int attempt = 0; ; attempt++) {
            Case64 c = draw(r, scratch);
            if (!valid.test(c)) {
                if (attempt > 10_000) throw new IllegalStateException(name + ": no valid inputs found");
                continue;
            }
            c.insn = encode(c, slot);
            return c;
        }
    }

    private Case64 draw(Random r, long scratch) {
        Case64 c = new Case64(this, scratch);
        Values.randomize(c, r);
        c.in.gpr[RSP] = scratch + STACK_AT - 8 * r.nextInt(16);
        c.rex = rexW || r.nextInt(2) == 0;
        int used = implicit | 1 << RSP;
        if (ext == -1) {
            c.reg = operand(r, regKind, c.rex);
            if (regKind == Kind.GPR) used |= 1 << gprIndex(c, c.reg, regBits);
        } else if (ext >= 0) {
            c.reg = ext;
        }
        if (plusReg || (ext != -2 && !mem)) {
            c.rm = operand(r, plusReg ? Kind.GPR : rmKind, c.rex);
            if (plusReg || rmKind == Kind.GPR) used |= 1 << gprIndex(c, c.rm, rmBits);
        }
        c.imm = switch (immBytes) {
            case 0 -> 0;
            case 1 -> count == Count.IMM8 ? Values.count(r, bits) : Values.value(r) & 0xFF;
            case 2 -> Values.value(r) & 0xFFFF;
            case 4 -> Values.value(r) & 0xFFFF_FFFFL;
            default -> Values.value(r);
        };
        if (count == Count.CL) c.in.gpr[1] = (c.in.gpr[1] & ~0xFFL) | Values.count(r, bits);
        if (mem) {
            c.addressing = r.nextInt(6);
            if (c.addressing < 5) {
                c.base = pick(r, used, c.rex);
                used |= 1 << c.base;
            }
            if (c.addressing == 3 || c.addressing == 4) {
                c.index = pick(r, used, c.rex);
                c.scale = r.nextInt(4);
                c.in.gpr[c.index] = r.nextInt(33) - 16;
            }
            c.disp = switch (c.addressing) {
                case 1 -> (byte) r.nextInt();
                case 2, 4 -> r.nextInt(4001) - 2000;
                default -> 0;
            };
            if (c.base >= 0) c.in.gpr[c.base] = scratch + OPERAND_AT - c.disp - (c.index >= 0 ? c.in.gpr[c.index] << c.scale : 0);
        }
        tweak.accept(c, r);
        return c;
    }

    /** A register of the class other than RSP (for GPRs, so RSP always points at the stack). */
    private static int operand(Random r, Kind k, boolean rex) {
        if (k != Kind.GPR) return r.nextInt(k == Kind.MMX || !rex ? 8 : 16);
        int n;
        do n = r.nextInt(rex ? 16 : 8); while (n == RSP);
        return n;
    }

    /** The GPR a register operand number lands in: AH-BH are in RAX-RBX. */
    static int gprIndex(Case64 c, int n, int size) {
        return size == 8 && !c.rex && n >= 4 && n < 8 ? n - 4 : n;
    }

    /** An address register; without REX only R0-R7, so that byte registers 4-7 stay AH-BH as drawn. */
    private static int pick(Random r, int used, boolean rex) {
        int n;
        do n = r.nextInt(rex ? 16 : 8); while ((used & 1 << n) != 0);
        return n;
    }

    private byte[] encode(Case64 c, long slot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefixes);
        int rexR = regKind != Kind.MMX && c.reg >= 8 ? 4 : 0;
        int rexX = c.index >= 8 ? 2 : 0;
        int rexB = (c.base >= 8 || (!mem && rmKind != Kind.MMX && c.rm >= 8)) ? 1 : 0;
        int rex = (rexW ? 8 : 0) | rexR | rexX | rexB;
        if (rex != 0 || c.rex) out.write(0x40 | rex);
        c.rex = rex != 0 || c.rex;
        for (int i = 0; i < opcode.length - 1; i++) out.write(opcode[i]);
        int last = opcode[opcode.length - 1] & 0xFF;
        out.write(plusReg ? last + (c.rm & 7) : last);
        int dispAt = -1, dispSize = 0;
        if (ext != -2) {
            int reg = (c.reg & 7) << 3;
            if (!mem) {
                out.write(0xC0 | reg | (c.rm & 7));
            } else {
                int mod = switch (c.addressing) {
                    case 1 -> 1;
                    case 2, 4 -> 2;
                    default -> 0;
                };
                if (c.addressing == 5) {
                    out.write(reg | 5);
                    dispAt = out.size();
                    dispSize = 4;
                    out.writeBytes(new byte[4]);
                } else {
                    if (mod == 0 && (c.base & 7) == 5) {
                        mod = 1; // [rbp]/[r13] have no mod-0 form: [rbp+0]
                    }
                    boolean sib = c.index >= 0 || (c.base & 7) == 4;
                    out.write(mod << 6 | reg | (sib ? 4 : c.base & 7));
                    if (sib) out.write(c.scale << 6 | (c.index >= 0 ? c.index & 7 : 4) << 3 | (c.base & 7));
                    if (mod == 1) out.write(c.disp);
                    if (mod == 2) for (int i = 0; i < 4; i++) out.write(c.disp >>> 8 * i);
                }
            }
        }
        for (int i = 0; i < immBytes; i++) out.write((int) (c.imm >>> 8 * i));
        byte[] b = out.toByteArray();
        if (dispAt >= 0) {
            long d = c.scratch + OPERAND_AT - (slot + b.length);
            for (int i = 0; i < dispSize; i++) b[dispAt + i] = (byte) (d >>> 8 * i);
        }
        return b;
    }
}
