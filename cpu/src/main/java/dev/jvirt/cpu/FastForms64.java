package dev.jvirt.cpu;

import dev.jvirt.cpu.decode.DecodedInsn;

/**
 * The commonest 64-bit-mode forms (what a 64-bit kernel spends its time in), classified once when an
 * instruction enters the decoded-instruction cache so {@link LongModeExecutor} runs them through a small
 * switch the JIT compiles whole. Only 32- and 64-bit operand sizes without LOCK or REP qualify; everything
 * else keeps the general path. Kinds from {@link #REG_ONLY} on touch only registers, flags and RIP.
 */
final class FastForms64 {
    private FastForms64() { }

    static final int NONE = 0, ALU_RM_R = 1, ALU_R_RM = 2, ALU_RM_IMM = 3, TEST_RM_R = 4, MOV_RM_R = 5, MOV_R_RM = 6,
            MOV_RM_IMM = 7, PUSH = 8, POP = 9, CALL = 10, RET = 11, MOVZX_R_M = 12, INCDEC_M = 13, CMP_M8_IMM = 14,
            TEST_M8_IMM = 15,
            REG_ONLY = 16, ALU_RR = 16, ALU_R_IMM = 17, MOV_RR = 18, MOV_R_IMM = 19, LEA = 20, INCDEC_R = 21, JCC8 = 22,
            JCC32 = 23, JMP8 = 24, JMP32 = 25, NOP = 26, MOVZX_R_R = 27, CMOV = 28, SETCC_R = 29, ALU_RAX_IMM = 30;

    static int kind(DecodedInsn d) {
        if (d.lock || d.rep != DecodedInsn.REP_NONE || d.invalid64) return NONE;
        int op = d.op;
        boolean wide = d.o64 || d.o32;
        // Near branches, PUSH/POP and CALL/RET have 64-bit operands whatever 66 says here (Decoder64 forces them).
        if (op >= 0x70 && op <= 0x7F) return JCC8;
        if (op >= 0x180 && op <= 0x18F) return JCC32;
        switch (op) {
            case 0xEB: return JMP8;
            case 0xE9: return JMP32;
            case 0xE8: return CALL;
            case 0xC3: return RET;
            case 0x11F: return NOP;
            default: break;
        }
        if (op >= 0x50 && op <= 0x5F) return d.o64 ? (op < 0x58 ? PUSH : POP) : NONE;
        if (op == 0x90 && (d.rex & 1) == 0) return NOP;
        if (op == 0x80 && d.mem && d.reg == 7) return CMP_M8_IMM;
        if (op == 0xF6 && d.mem && d.reg == 0) return TEST_M8_IMM;
        if (!wide) return NONE;
        if (op < 0x40) {
            int low = op & 7;
            if (low == 1 || low == 3) return !d.mem ? ALU_RR : low == 1 ? ALU_RM_R : ALU_R_RM;
            return low == 5 ? ALU_RAX_IMM : NONE;
        }
        if (op >= 0xB8 && op <= 0xBF) return MOV_R_IMM;
        if (op >= 0x140 && op <= 0x14F && !d.mem) return CMOV;
        if (op >= 0x190 && op <= 0x19F && !d.mem && d.rex != 0) return SETCC_R;
        return switch (op) {
            case 0x81, 0x83 -> d.mem ? ALU_RM_IMM : ALU_R_IMM;
            case 0x85 -> d.mem ? TEST_RM_R : ALU_RR;
            case 0x89 -> d.mem ? MOV_RM_R : MOV_RR;
            case 0x8B -> d.mem ? MOV_R_RM : MOV_RR;
            case 0x8D -> d.mem ? LEA : NONE;
            case 0xC7 -> d.mem && d.reg == 0 ? MOV_RM_IMM : NONE;
            case 0xFF -> d.reg <= 1 ? (d.mem ? INCDEC_M : INCDEC_R) : NONE;
            case 0x1B6, 0x1B7 -> d.mem ? MOVZX_R_M : op == 0x1B7 || d.rex != 0 ? MOVZX_R_R : NONE;
            default -> NONE;
        };
    }
}
