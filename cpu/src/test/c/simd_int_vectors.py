#!/usr/bin/env python3
"""Regenerates simd-int-vectors.txt (the expected results of SimdMoveTest and SimdIntegerArithTest) on an
x86-64 host with SSE2: every instruction runs natively on fixed pseudo-random inputs, and the assembler
supplies its encoding. Usage: simd_int_vectors.py OUTPUT (needs gcc, as, objcopy, nm)."""
import os, random, subprocess, sys, tempfile

BOTH = """packsswb packuswb packssdw pcmpgtb pcmpgtw pcmpgtd pcmpeqb pcmpeqw pcmpeqd psrlw psrld psrlq psraw
psrad psllw pslld psllq paddq pmullw psubusb psubusw pminub paddusb paddusw pmaxub pavgb pavgw pmulhuw pmulhw
psubsb psubsw pminsw paddsb paddsw pmaxsw pmuludq pmaddwd psadbw psubb psubw psubd psubq paddb paddw paddd
pand pandn por pxor punpcklbw punpcklwd punpckldq punpckhbw punpckhwd punpckhdq""".split()
XMM_ONLY = """punpcklqdq punpckhqdq unpcklps unpckhps unpcklpd unpckhpd andps andnps orps xorps andpd andnpd
orpd xorpd""".split()
IMM_SHIFTS = "psrlw psraw psllw psrld psrad pslld psrlq psllq".split()
SHIFT_COUNTS = [0, 1, 7, 15, 16, 31, 33, 63, 64, 200]
SHUF_IMMS = [0x00, 0x1B, 0x4E, 0x93, 0xE4, 0xFF, 0x01, 0xB1]


def insns():
    out = []
    for m in BOTH:
        out += [f"{m} %mm1, %mm0", f"{m} (%rsi), %mm0", f"{m} %xmm1, %xmm0", f"{m} (%rsi), %xmm0"]
    for m in XMM_ONLY:
        out += [f"{m} %xmm1, %xmm0", f"{m} (%rsi), %xmm0"]
    for m in IMM_SHIFTS:
        for n in SHIFT_COUNTS:
            out += [f"{m} ${n}, %mm0", f"{m} ${n}, %xmm0"]
    for m in ("psrldq", "pslldq"):
        for n in (0, 1, 7, 8, 9, 15, 16, 255):
            out.append(f"{m} ${n}, %xmm0")
    for i in SHUF_IMMS:
        out += [f"pshufw ${i}, %mm1, %mm0", f"pshufw ${i}, (%rsi), %mm0"]
        for m in ("pshufd", "pshufhw", "pshuflw", "shufps", "shufpd"):
            out += [f"{m} ${i}, %xmm1, %xmm0", f"{m} ${i}, (%rsi), %xmm0"]
    for i in list(range(8)) + [0xFD]:
        out += [f"pinsrw ${i}, %eax, %mm0", f"pinsrw ${i}, (%rsi), %mm0", f"pinsrw ${i}, %eax, %xmm0",
                f"pinsrw ${i}, (%rsi), %xmm0", f"pextrw ${i}, %mm1, %eax", f"pextrw ${i}, %xmm1, %eax"]
    out += ["pmovmskb %mm1, %eax", "pmovmskb %xmm1, %eax", "movmskps %xmm1, %eax", "movmskpd %xmm1, %eax"]
    for m in ("movups", "movupd", "movaps", "movapd", "movdqa", "movdqu"):
        out += [f"{m} %xmm1, %xmm0", f"{m} (%rsi), %xmm0", f"{m} %xmm0, (%rsi)"]
    for m in ("movss", "movsd"):
        out += [f"{m} %xmm1, %xmm0", f"{m} (%rsi), %xmm0", f"{m} %xmm0, (%rsi)",
                ".byte 0x%s, 0x0f, 0x11, 0xc8" % ("f3" if m == "movss" else "f2")]
    for m in ("movlps", "movhps", "movlpd", "movhpd"):
        out += [f"{m} (%rsi), %xmm0", f"{m} %xmm0, (%rsi)"]
    out += ["movhlps %xmm1, %xmm0", "movlhps %xmm1, %xmm0", "movntps %xmm0, (%rsi)", "movntpd %xmm0, (%rsi)",
            "movd %eax, %mm0", "movd (%rsi), %mm0", "movd %mm0, %eax", "movd %mm0, (%rsi)", "movq %rax, %mm0",
            "movq %mm0, %rax", "rex.w movd (%rsi), %mm0", "rex.w movd %mm0, (%rsi)",
            "movd %eax, %xmm0", "movd (%rsi), %xmm0", "movd %xmm0, %eax", "movd %xmm0, (%rsi)", "movq %rax, %xmm0",
            "movq %xmm0, %rax", "movq %xmm1, %xmm0", "movq (%rsi), %xmm0", "movq %xmm0, (%rsi)",
            ".byte 0x66, 0x0f, 0xd6, 0xc8", "movq %mm1, %mm0", "movq (%rsi), %mm0", "movq %mm0, (%rsi)",
            ".byte 0x0f, 0x7f, 0xc8", "movq2dq %mm1, %xmm0", "movdq2q %xmm1, %mm0", "movntq %mm0, (%rsi)",
            "movntdq %xmm0, (%rsi)", "maskmovq %mm1, %mm0", "maskmovdqu %xmm1, %xmm0", "movnti %eax, (%rsi)",
            "movnti %rax, (%rsi)",
            # REX-extended registers
            "paddb %xmm9, %xmm8", "psubq %xmm9, %xmm8", "pshufd $0x1b, %xmm9, %xmm8", "psrldq $3, %xmm8",
            "psllq $5, %xmm9", "pinsrw $5, %eax, %xmm8", "pextrw $6, %xmm9, %eax", "punpckhbw %xmm9, %xmm8",
            "movdqa %xmm9, %xmm8", "pmovmskb %xmm9, %eax", "movq %rax, %xmm9", "movq %xmm9, %rax",
            "movd %xmm8, %eax", "maskmovdqu %xmm9, %xmm8", "movhlps %xmm9, %xmm8", "movq %xmm8, %xmm1",
            "movq2dq %mm1, %xmm9", "movdq2q %xmm8, %mm0", "pmaddwd %xmm0, %xmm9", "shufps $0x93, %xmm0, %xmm8"]
    return out


def inputs(rng, k):
    def special():
        return rng.choice([0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF, rng.randrange(256)])

    def q():
        if k % 3 == 1:
            return int.from_bytes(bytes(special() for _ in range(8)), "little")
        return rng.getrandbits(64)
    v = [q() for _ in range(13)]
    if k % 3 == 2:  # small shift counts in every count source
        v[2], v[3] = rng.randrange(70), rng.randrange(70)
        v[9] = rng.randrange(70)
        v[11] = rng.randrange(70)
    return v


def main():
    out_path = sys.argv[1]
    rng = random.Random(20240611)
    lst = insns()
    with tempfile.TemporaryDirectory() as tmp:
        src = "".join(f".globl L{i}\nL{i}:\n{s}\n" for i, s in enumerate(lst)) + f".globl L{len(lst)}\nL{len(lst)}:\n"
        open(f"{tmp}/e.s", "w").write(src)
        subprocess.check_call(["as", "--64", "-o", f"{tmp}/e.o", f"{tmp}/e.s"])
        subprocess.check_call(["objcopy", "-O", "binary", "-j", ".text", f"{tmp}/e.o", f"{tmp}/e.bin"])
        text = open(f"{tmp}/e.bin", "rb").read()
        addr = {}
        for line in subprocess.check_output(["nm", f"{tmp}/e.o"], text=True).split("\n"):
            if line.strip():
                a, _, n = line.split()
                addr[n] = int(a, 16)
        enc = [text[addr[f"L{i}"]:addr[f"L{i + 1}"]].hex() for i in range(len(lst))]
        c = ["#include <stdio.h>", "#include <stdint.h>",
             "typedef struct { uint64_t v[14]; } __attribute__((aligned(16))) st;"]
        load = ("movdqu 0(%0), %%xmm0\\n movdqu 16(%0), %%xmm1\\n movdqu 32(%0), %%xmm8\\n movdqu 48(%0), %%xmm9\\n"
                "movq 64(%0), %%mm0\\n movq 72(%0), %%mm1\\n mov 80(%0), %%rax\\n lea 96(%0), %%rsi\\n mov %%rsi, %%rdi\\n")
        store = ("movdqu %%xmm0, 0(%0)\\n movdqu %%xmm1, 16(%0)\\n movdqu %%xmm8, 32(%0)\\n movdqu %%xmm9, 48(%0)\\n"
                 "movq %%mm0, 64(%0)\\n movq %%mm1, 72(%0)\\n mov %%rax, 80(%0)\\n emms\\n")
        for i, s in enumerate(lst):
            c.append(f'static void t{i}(st *s) {{ asm volatile("{load}{s.replace("%", "%%")}\\n{store}" :: "r"(s)'
                     ' : "rax", "rsi", "rdi", "xmm0", "xmm1", "xmm8", "xmm9", "memory"); }')
        c.append("static void (*fn[])(st *) = {" + ",".join(f"t{i}" for i in range(len(lst))) + "};")
        c.append("/* v[11] pads the memory operand (v[12..13]) to a 16-byte boundary */\nint main(void) { st s; int n; while (scanf(\"%d\", &n) == 1) { for (int j = 0; j < 13; j++)"
                 " scanf(\"%lx\", &s.v[j < 11 ? j : j + 1]); fn[n](&s); for (int j = 0; j < 13; j++) printf(\"%016lx \", s.v[j < 11 ? j : j + 1]);"
                 " printf(\"\\n\"); } return 0; }")
        open(f"{tmp}/h.c", "w").write("\n".join(c) + "\n")
        subprocess.check_call(["gcc", "-O1", "-o", f"{tmp}/h", f"{tmp}/h.c"])
        cases, stdin = [], []
        for i, _ in enumerate(lst):
            for k in range(3):
                v = inputs(rng, k)
                cases.append((i, v))
                stdin.append(f"{i} " + " ".join(f"{x:x}" for x in v))
        res = subprocess.run([f"{tmp}/h"], input="\n".join(stdin) + "\n", capture_output=True, text=True, check=True)
        lines = res.stdout.split("\n")
    with open(out_path, "w") as f:
        f.write("# instruction;encoding;in xmm0 lo hi, xmm1, xmm8, xmm9, mm0, mm1, rax, mem lo hi;out (same)\n")
        f.write("# generated on an x86-64 host by cpu/src/test/c/simd_int_vectors.py\n")
        for (i, v), line in zip(cases, lines):
            f.write(f"{lst[i]};{enc[i]};{' '.join(f'{x:016x}' for x in v)};{line.strip()}\n")


main()
