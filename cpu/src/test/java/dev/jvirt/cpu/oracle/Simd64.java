package dev.jvirt.cpu.oracle;

import dev.jvirt.cpu.CpuFeature;

import java.util.List;

import static dev.jvirt.cpu.CpuFeature.*;

/**
 * The MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 forms of the SDM opcode maps (Vol. 2 Appendix A, tables
 * ) that user mode can run: everything but FXSAVE/FXRSTOR (x87 state) and the VEX space.
 * Lines as in {@link Forms64}: {@code mnemonic | operands | encoding}.
 */
final class Simd64 {
    private Simd64() { }

    private static final String MMX_LINES = """
            punpcklbw P,Q 0F 60|punpcklwd P,Q 0F 61|punpckldq P,Q 0F 62|packsswb P,Q 0F 63|pcmpgtb P,Q 0F 64|pcmpgtw P,Q 0F 65
            pcmpgtd P,Q 0F 66|packuswb P,Q 0F 67|punpckhbw P,Q 0F 68|punpckhwd P,Q 0F 69|punpckhdq P,Q 0F 6A|packssdw P,Q 0F 6B
            movd P,Ed 0F 6E|movq P,Eq W 0F 6E|movq P,Q 0F 6F|pcmpeqb P,Q 0F 74|pcmpeqw P,Q 0F 75|pcmpeqd P,Q 0F 76|emms - 0F 77
            movd Ed,P 0F 7E|movq Eq,P W 0F 7E|movq Q,P 0F 7F|psrlw P,Q 0F D1|psrld P,Q 0F D2|psrlq P,Q 0F D3|pmullw P,Q 0F D5
            psubusb P,Q 0F D8|psubusw P,Q 0F D9|pand P,Q 0F DB|paddusb P,Q 0F DC|paddusw P,Q 0F DD|pandn P,Q 0F DF
            psraw P,Q 0F E1|psrad P,Q 0F E2|pmulhw P,Q 0F E5|psubsb P,Q 0F E8|psubsw P,Q 0F E9|por P,Q 0F EB|paddsb P,Q 0F EC
            paddsw P,Q 0F ED|pxor P,Q 0F EF|psllw P,Q 0F F1|pslld P,Q 0F F2|psllq P,Q 0F F3|pmaddwd P,Q 0F F5|psubb P,Q 0F F8
            psubw P,Q 0F F9|psubd P,Q 0F FA|paddb P,Q 0F FC|paddw P,Q 0F FD|paddd P,Q 0F FE
            psrlw N,Ib 0F 71 /2 ib|psraw N,Ib 0F 71 /4 ib|psllw N,Ib 0F 71 /6 ib|psrld N,Ib 0F 72 /2 ib|psrad N,Ib 0F 72 /4 ib
            pslld N,Ib 0F 72 /6 ib|psrlq N,Ib 0F 73 /2 ib|psllq N,Ib 0F 73 /6 ib
            """;

    /** SSE's additions to MMX (SDM "SSE 64-bit SIMD integer instructions"). */
    private static final String SSE_MMX_LINES = """
            pshufw P,Q,Ib 0F 70 ib|pinsrw P,Ed,Ib 0F C4 ib|pextrw Gd,N,Ib 0F C5 ib|pmovmskb Gd,N 0F D7|pminub P,Q 0F DA
            pmaxub P,Q 0F DE|pavgb P,Q 0F E0|pavgw P,Q 0F E3|pmulhuw P,Q 0F E4|movntq M,P 0F E7|pminsw P,Q 0F EA|pmaxsw P,Q 0F EE
            psadbw P,Q 0F F6|maskmovq P,N 0F F7
            """;

    private static final String SSE_LINES = """
            movups V,W 0F 10|movups W,V 0F 11|movss V,W F3 0F 10|movss W,V F3 0F 11|movlps V,M 0F 12|movhlps V,U 0F 12
            movlps M,V 0F 13|unpcklps V,W 0F 14|unpckhps V,W 0F 15|movhps V,M 0F 16|movlhps V,U 0F 16|movhps M,V 0F 17
            movaps V,W 0F 28|movaps W,V 0F 29|cvtpi2ps V,Q 0F 2A|cvtsi2ss V,Ed F3 0F 2A|cvtsi2ss V,Eq F3 W 0F 2A|movntps M,V 0F 2B
            cvttps2pi P,W 0F 2C|cvttss2si Gd,W F3 0F 2C|cvttss2si Gq,W F3 W 0F 2C|cvtps2pi P,W 0F 2D|cvtss2si Gd,W F3 0F 2D
            cvtss2si Gq,W F3 W 0F 2D|ucomiss V,W 0F 2E|comiss V,W 0F 2F|movmskps Gd,U 0F 50|sqrtps V,W 0F 51|sqrtss V,W F3 0F 51
            rsqrtps V,W 0F 52|rsqrtss V,W F3 0F 52|rcpps V,W 0F 53|rcpss V,W F3 0F 53|andps V,W 0F 54|andnps V,W 0F 55|orps V,W 0F 56
            xorps V,W 0F 57|addps V,W 0F 58|addss V,W F3 0F 58|mulps V,W 0F 59|mulss V,W F3 0F 59|subps V,W 0F 5C|subss V,W F3 0F 5C
            minps V,W 0F 5D|minss V,W F3 0F 5D|divps V,W 0F 5E|divss V,W F3 0F 5E|maxps V,W 0F 5F|maxss V,W F3 0F 5F
            cmpps V,W,Ib 0F C2 ib|cmpss V,W,Ib F3 0F C2 ib|shufps V,W,Ib 0F C6 ib|ldmxcsr Md 0F AE /2|stmxcsr Md 0F AE /3
            prefetchnta Mb 0F 18 /0|prefetcht0 Mb 0F 18 /1|prefetcht1 Mb 0F 18 /2|prefetcht2 Mb 0F 18 /3|sfence - 0F AE F8
            """;

    private static final String SSE2_LINES = """
            movupd V,W 66 0F 10|movupd W,V 66 0F 11|movsd V,W F2 0F 10|movsd W,V F2 0F 11|movlpd V,M 66 0F 12|movlpd M,V 66 0F 13
            unpcklpd V,W 66 0F 14|unpckhpd V,W 66 0F 15|movhpd V,M 66 0F 16|movhpd M,V 66 0F 17|movapd V,W 66 0F 28|movapd W,V 66 0F 29
            cvtpi2pd V,Q 66 0F 2A|cvtsi2sd V,Ed F2 0F 2A|cvtsi2sd V,Eq F2 W 0F 2A|movntpd M,V 66 0F 2B|cvttpd2pi P,W 66 0F 2C
            cvttsd2si Gd,W F2 0F 2C|cvttsd2si Gq,W F2 W 0F 2C|cvtpd2pi P,W 66 0F 2D|cvtsd2si Gd,W F2 0F 2D|cvtsd2si Gq,W F2 W 0F 2D
            ucomisd V,W 66 0F 2E|comisd V,W 66 0F 2F|movmskpd Gd,U 66 0F 50|sqrtpd V,W 66 0F 51|sqrtsd V,W F2 0F 51|andpd V,W 66 0F 54
            andnpd V,W 66 0F 55|orpd V,W 66 0F 56|xorpd V,W 66 0F 57|addpd V,W 66 0F 58|addsd V,W F2 0F 58|mulpd V,W 66 0F 59
            mulsd V,W F2 0F 59|cvtps2pd V,W 0F 5A|cvtpd2ps V,W 66 0F 5A|cvtss2sd V,W F3 0F 5A|cvtsd2ss V,W F2 0F 5A|cvtdq2ps V,W 0F 5B
            cvtps2dq V,W 66 0F 5B|cvttps2dq V,W F3 0F 5B|subpd V,W 66 0F 5C|subsd V,W F2 0F 5C|minpd V,W 66 0F 5D|minsd V,W F2 0F 5D
            divpd V,W 66 0F 5E|divsd V,W F2 0F 5E|maxpd V,W 66 0F 5F|maxsd V,W F2 0F 5F
            punpcklbw V,W 66 0F 60|punpcklwd V,W 66 0F 61|punpckldq V,W 66 0F 62|packsswb V,W 66 0F 63|pcmpgtb V,W 66 0F 64
            pcmpgtw V,W 66 0F 65|pcmpgtd V,W 66 0F 66|packuswb V,W 66 0F 67|punpckhbw V,W 66 0F 68|punpckhwd V,W 66 0F 69
            punpckhdq V,W 66 0F 6A|packssdw V,W 66 0F 6B|punpcklqdq V,W 66 0F 6C|punpckhqdq V,W 66 0F 6D|movd V,Ed 66 0F 6E
            movq V,Eq 66 W 0F 6E|movdqa V,W 66 0F 6F|movdqu V,W F3 0F 6F|pshufd V,W,Ib 66 0F 70 ib|pshufhw V,W,Ib F3 0F 70 ib
            pshuflw V,W,Ib F2 0F 70 ib|psrlw U,Ib 66 0F 71 /2 ib|psraw U,Ib 66 0F 71 /4 ib|psllw U,Ib 66 0F 71 /6 ib
            psrld U,Ib 66 0F 72 /2 ib|psrad U,Ib 66 0F 72 /4 ib|pslld U,Ib 66 0F 72 /6 ib|psrlq U,Ib 66 0F 73 /2 ib
            psrldq U,Ib 66 0F 73 /3 ib|psllq U,Ib 66 0F 73 /6 ib|pslldq U,Ib 66 0F 73 /7 ib|pcmpeqb V,W 66 0F 74|pcmpeqw V,W 66 0F 75
            pcmpeqd V,W 66 0F 76|movd Ed,V 66 0F 7E|movq Eq,V 66 W 0F 7E|movq V,W F3 0F 7E|movdqa W,V 66 0F 7F|movdqu W,V F3 0F 7F
            movnti M,Gd 0F C3|movnti M,Gq W 0F C3|cmppd V,W,Ib 66 0F C2 ib|cmpsd V,W,Ib F2 0F C2 ib|pinsrw V,Ed,Ib 66 0F C4 ib
            pextrw Gd,U,Ib 66 0F C5 ib|shufpd V,W,Ib 66 0F C6 ib|psrlw V,W 66 0F D1|psrld V,W 66 0F D2|psrlq V,W 66 0F D3
            paddq P,Q 0F D4|paddq V,W 66 0F D4|pmullw V,W 66 0F D5|movq W,V 66 0F D6|movq2dq V,N F3 0F D6|movdq2q P,U F2 0F D6
            pmovmskb Gd,U 66 0F D7|psubusb V,W 66 0F D8|psubusw V,W 66 0F D9|pminub V,W 66 0F DA|pand V,W 66 0F DB
            paddusb V,W 66 0F DC|paddusw V,W 66 0F DD|pmaxub V,W 66 0F DE|pandn V,W 66 0F DF|pavgb V,W 66 0F E0|psraw V,W 66 0F E1
            psrad V,W 66 0F E2|pavgw V,W 66 0F E3|pmulhuw V,W 66 0F E4|pmulhw V,W 66 0F E5|cvttpd2dq V,W 66 0F E6
            cvtdq2pd V,W F3 0F E6|cvtpd2dq V,W F2 0F E6|movntdq M,V 66 0F E7|psubsb V,W 66 0F E8|psubsw V,W 66 0F E9
            pminsw V,W 66 0F EA|por V,W 66 0F EB|paddsb V,W 66 0F EC|paddsw V,W 66 0F ED|pmaxsw V,W 66 0F EE|pxor V,W 66 0F EF
            psllw V,W 66 0F F1|pslld V,W 66 0F F2|psllq V,W 66 0F F3|pmuludq P,Q 0F F4|pmuludq V,W 66 0F F4|pmaddwd V,W 66 0F F5
            psadbw V,W 66 0F F6|maskmovdqu V,U 66 0F F7|psubb V,W 66 0F F8|psubw V,W 66 0F F9|psubd V,W 66 0F FA|psubq P,Q 0F FB
            psubq V,W 66 0F FB|paddb V,W 66 0F FC|paddw V,W 66 0F FD|paddd V,W 66 0F FE|lfence - 0F AE E8|mfence - 0F AE F0
            pause - F3 90|clflush Mb 0F AE /7
            """;

    private static final String SSE3_LINES = """
            movsldup V,W F3 0F 12|movshdup V,W F3 0F 16|movddup V,W F2 0F 12|haddpd V,W 66 0F 7C|haddps V,W F2 0F 7C
            hsubpd V,W 66 0F 7D|hsubps V,W F2 0F 7D|addsubpd V,W 66 0F D0|addsubps V,W F2 0F D0|lddqu V,M F2 0F F0
            """;

    private static final String SSSE3_LINES = """
            pshufb 00|phaddw 01|phaddd 02|phaddsw 03|pmaddubsw 04|phsubw 05|phsubd 06|phsubsw 07|psignb 08|psignw 09|psignd 0A
            pmulhrsw 0B|pabsb 1C|pabsw 1D|pabsd 1E
            """;

    private static final String SSE41_LINES = """
            pblendvb V,W 66 0F 38 10|blendvps V,W 66 0F 38 14|blendvpd V,W 66 0F 38 15|ptest V,W 66 0F 38 17
            pmovsxbw V,W 66 0F 38 20|pmovsxbd V,W 66 0F 38 21|pmovsxbq V,W 66 0F 38 22|pmovsxwd V,W 66 0F 38 23
            pmovsxwq V,W 66 0F 38 24|pmovsxdq V,W 66 0F 38 25|pmuldq V,W 66 0F 38 28|pcmpeqq V,W 66 0F 38 29|movntdqa V,M 66 0F 38 2A
            packusdw V,W 66 0F 38 2B|pmovzxbw V,W 66 0F 38 30|pmovzxbd V,W 66 0F 38 31|pmovzxbq V,W 66 0F 38 32
            pmovzxwd V,W 66 0F 38 33|pmovzxwq V,W 66 0F 38 34|pmovzxdq V,W 66 0F 38 35|pminsb V,W 66 0F 38 38|pminsd V,W 66 0F 38 39
            pminuw V,W 66 0F 38 3A|pminud V,W 66 0F 38 3B|pmaxsb V,W 66 0F 38 3C|pmaxsd V,W 66 0F 38 3D|pmaxuw V,W 66 0F 38 3E
            pmaxud V,W 66 0F 38 3F|pmulld V,W 66 0F 38 40|phminposuw V,W 66 0F 38 41
            roundps V,W,Ib 66 0F 3A 08 ib|roundpd V,W,Ib 66 0F 3A 09 ib|roundss V,W,Ib 66 0F 3A 0A ib|roundsd V,W,Ib 66 0F 3A 0B ib
            blendps V,W,Ib 66 0F 3A 0C ib|blendpd V,W,Ib 66 0F 3A 0D ib|pblendw V,W,Ib 66 0F 3A 0E ib|pextrb Ed,V,Ib 66 0F 3A 14 ib
            pextrw Ed,V,Ib 66 0F 3A 15 ib|pextrd Ed,V,Ib 66 0F 3A 16 ib|pextrq Eq,V,Ib 66 W 0F 3A 16 ib
            extractps Ed,V,Ib 66 0F 3A 17 ib|pinsrb V,Ed,Ib 66 0F 3A 20 ib|insertps V,W,Ib 66 0F 3A 21 ib
            pinsrd V,Ed,Ib 66 0F 3A 22 ib|pinsrq V,Eq,Ib 66 W 0F 3A 22 ib|dpps V,W,Ib 66 0F 3A 40 ib|dppd V,W,Ib 66 0F 3A 41 ib
            mpsadbw V,W,Ib 66 0F 3A 42 ib
            """;

    private static final String SSE42_LINES = """
            pcmpgtq V,W 66 0F 38 37|pcmpestrm V,W,Ib 66 0F 3A 60 ib|pcmpestri V,W,Ib 66 0F 3A 61 ib
            pcmpistrm V,W,Ib 66 0F 3A 62 ib|pcmpistri V,W,Ib 66 0F 3A 63 ib
            """;

    static void add(List<Form64> l) {
        lines(l, MMX, MMX_LINES);
        lines(l, SSE, SSE_MMX_LINES);
        lines(l, SSE, SSE_LINES);
        lines(l, SSE2, SSE2_LINES);
        lines(l, PNI, SSE3_LINES);
        for (String e : SSSE3_LINES.strip().split("[|\n]")) {
            String[] p = e.trim().split(" ");
            Forms64.add(l, SSSE3, p[0], "P,Q", "0F 38 " + p[1] + " /r");
            Forms64.add(l, SSSE3, p[0], "V,W", "66 0F 38 " + p[1] + " /r");
        }
        Forms64.add(l, SSSE3, "palignr", "P,Q,Ib", "0F 3A 0F /r ib");
        Forms64.add(l, SSSE3, "palignr", "V,W,Ib", "66 0F 3A 0F /r ib");
        lines(l, SSE4_1, SSE41_LINES);
        lines(l, SSE4_2, SSE42_LINES);
        Forms64.add(l, PCLMULQDQ, "pclmulqdq", "V,W,Ib", "66 0F 3A 44 /r ib");
        tune(l);
    }

    /** One line per form: mnemonic, operands ("-" for none), encoding; /r is implied when a ModRM operand is named. */
    private static void lines(List<Form64> l, CpuFeature feature, String table) {
        for (String e : table.strip().split("[|\n]")) {
            String[] p = e.trim().split(" ", 3);
            String ops = p[1].equals("-") ? "" : p[1];
            String enc = p[2];
            boolean modrm = ops.matches(".*[EGMNPQRUVW].*");
            if (modrm && !enc.contains("/")) {
                enc = enc.endsWith(" ib") ? enc.substring(0, enc.length() - 3) + " /r ib" : enc + " /r";
            }
            Forms64.add(l, feature, p[0], ops, enc);
        }
    }

    /** Per-form input constraints and documented approximations. */
    private static void tune(List<Form64> l) {
        for (Form64 f : l) {
            if (f.feature == null || f.feature == CX8 || f.feature == CX16) continue;
            switch (f.mnemonic) {
                // Legacy-encoded compare predicates are imm8[2:0]; ROUND* uses imm8[3:0]; PCMPxSTRx imm8[6:0].
                case "cmpps", "cmpss", "cmppd", "cmpsd" -> f.tweak = (c, r) -> c.imm &= 7;
                case "roundps", "roundpd", "roundss", "roundsd" -> f.tweak = (c, r) -> c.imm &= 0xF;
                case "pcmpestrm", "pcmpestri" -> {
                    f.implicit |= 1 | 4; // the explicit lengths
                    f.tweak = (c, r) -> {
                        c.imm &= 0x7F;
                        if (r.nextBoolean()) c.in.gpr[0] = r.nextInt(40) - 20;
                        if (r.nextBoolean()) c.in.gpr[2] = r.nextInt(40) - 20;
                    };
                }
                case "pcmpistrm", "pcmpistri" -> f.tweak = (c, r) -> c.imm &= 0x7F;
                case "ldmxcsr" -> f.tweak = (c, r) -> c.setMemory(32, NativeExecutor.MXCSR_MASKS | (r.nextInt(4) << 13)
                        | (r.nextBoolean() ? 0x8040 : 0) | r.nextInt(0x40));
                case "maskmovq", "maskmovdqu" -> {
                    f.implicit |= 1 << 7;
                    f.tweak = (c, r) -> c.in.gpr[7] = c.scratch + 64 + r.nextInt(Form64.BUFFER - 128);
                }
                case "rcpps", "rsqrtps" -> f.approxLanes = 0xF;
                case "rcpss", "rsqrtss" -> f.approxLanes = 0x1;
                default -> { }
            }
        }
    }
}
