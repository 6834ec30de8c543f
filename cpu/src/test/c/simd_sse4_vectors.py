#!/usr/bin/env python3
"""Records the host CPU's results for the SSSE3/SSE4.1/SSE4.2/POPCNT/LZCNT/TZCNT/MOVBE/CRC32 test vectors.

Writes a C file that runs every instruction below with inline asm on each input set (xmm0 = M, xmm1 = A,
xmm2 = B, mm1 = A.lo, mm2 = B.lo, RAX/RCX/RDX and RFLAGS from the set, RBX pointing at 32 bytes holding
B then M), compiles it with gcc -msse4.2 -mno-red-zone, runs it on this x86-64 host and prints the vector file
cpu/src/test/resources/dev/jvirt/cpu/simd/sse4-host-vectors.txt:
  set N a.lo a.hi b.lo b.hi m.lo m.hi rax rcx rdx rflags
  ASM|N|xmm0.lo xmm0.hi xmm1.lo xmm1.hi mm1 rax rcx rdx rflags mem.lo mem.hi
Usage: python3 simd_sse4_vectors.py > ../resources/dev/jvirt/cpu/simd/sse4-host-vectors.txt
"""
import os, subprocess, sys, tempfile

def s16(t):  # a 16-byte string as (lo, hi)
    b = t.encode('latin-1').ljust(16, b'\0')[:16]
    return int.from_bytes(b[:8], 'little'), int.from_bytes(b[8:], 'little')

M64 = (1 << 64) - 1
SETS = [
    # a.lo, a.hi, b.lo, b.hi, m.lo, m.hi, rax, rcx, rdx, rflags
    (0x0F1E2D3C4B5A6978, 0x8796A5B4C3D2E1F0, 0x1384A3F20C07E55B, 0x7B6A595860F4C3D2, 0x80FF00807F017F80, 0x00FF80017FFE0280,
     5, 0x55, 11, 0x002),
    (0x80007FFF7F80FF01, 0x7FFFFFFF80000000, 0xFF807F0000FF7F80, 0x800000007FFF8000, 0x8000000180000000, 0x0123456789ABCDEF,
     -3 & M64, 0x8000000000000000, 20, 0x8D7),
    (*s16("aeiou"), *s16("hello world!xyzQ"), 0, 0, 5, 0x1234, 16, 0x002),
    (*s16("azAZ09"), *s16("Hi, 2 U!\0abcdef"), 0, 0, 6, 0, -9 & M64, 0x8D7),
    (*s16("lo"), *s16("hello lol lo\0lo\0"), 0, 0, 0x80000000, 7, 0x100000007, 0x002),
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0x8D7),
]
BASIC_SETS, STRING_SETS = [0, 1, 5], [2, 3, 4]

SSSE3 = "pshufb phaddw phaddd phaddsw pmaddubsw phsubw phsubd phsubsw psignb psignw psignd pmulhrsw pabsb pabsw pabsd".split()
SSE41 = ("ptest pmovsxbw pmovsxbd pmovsxbq pmovsxwd pmovsxwq pmovsxdq pmovzxbw pmovzxbd pmovzxbq pmovzxwd pmovzxwq "
         "pmovzxdq pmuldq pcmpeqq packusdw pcmpgtq pminsb pminsd pminuw pminud pmaxsb pmaxsd pmaxuw pmaxud pmulld "
         "phminposuw").split()
basic = []
for m in SSSE3:
    basic += [f"{m} %xmm2, %xmm1", f"{m} %mm2, %mm1"]
basic += ["pshufb (%rbx), %xmm1", "phaddw (%rbx), %mm1", "pabsd (%rbx), %xmm1", "pmaddubsw (%rbx), %mm1"]
basic += [f"palignr ${i}, %xmm2, %xmm1" for i in (0, 3, 8, 15, 16, 17, 31, 32, 200)]
basic += [f"palignr ${i}, %mm2, %mm1" for i in (0, 3, 8, 13, 16)]
basic += [f"{m} %xmm2, %xmm1" for m in SSE41] + ["pcmpeqq %xmm1, %xmm1", "ptest %xmm1, %xmm1"]
basic += [f"{m} (%rbx), %xmm1" for m in ("pmovsxbq", "pmovzxwd", "pmovsxdq", "pmovzxbw", "pminud", "pcmpgtq", "ptest")]
basic += ["pblendvb %xmm0, %xmm2, %xmm1", "pblendvb %xmm0, (%rbx), %xmm1", "movntdqa (%rbx), %xmm1"]
basic += [f"pblendw ${i}, %xmm2, %xmm1" for i in (0, 0xA5, 0xFF)]
basic += [f"mpsadbw ${i}, %xmm2, %xmm1" for i in range(8)] + ["mpsadbw $5, (%rbx), %xmm1"]
basic += ["pextrb $5, %xmm1, %eax", "pextrb $13, %xmm1, %rcx", "pextrb $31, %xmm1, (%rbx)", "pextrw $6, %xmm1, (%rbx)",
          "pextrd $3, %xmm1, %eax", "pextrd $2, %xmm1, (%rbx)", "pextrq $1, %xmm1, %rax", "pextrq $0, %xmm1, %rcx",
          "pextrq $1, %xmm1, (%rbx)",
          "pinsrb $9, %edx, %xmm1", "pinsrb $15, (%rbx), %xmm1", "pinsrd $2, %edx, %xmm1", "pinsrd $5, (%rbx), %xmm1",
          "pinsrq $1, %rdx, %xmm1", "pinsrq $0, (%rbx), %xmm1"]
basic += ["crc32b %dl, %eax", "crc32b %ah, %ecx", "crc32w %dx, %eax", "crc32l %edx, %eax", "crc32q %rdx, %rax",
          "crc32b (%rbx), %eax", "crc32w (%rbx), %ecx", "crc32l (%rbx), %ecx", "crc32q (%rbx), %rax", "crc32b %dl, %rax"]
for m in ("popcnt", "lzcnt", "tzcnt"):
    basic += [f"{m} %rdx, %rax", f"{m} %ecx, %eax", f"{m} %dx, %ax", f"{m} (%rbx), %rcx", f"{m} %rcx, %rcx"]
basic += ["movbe (%rbx), %rax", "movbe (%rbx), %eax", "movbe (%rbx), %ax", "movbe %rdx, (%rbx)", "movbe %ecx, (%rbx)",
          "movbe %dx, (%rbx)"]

strings = []
for op in ("pcmpestri", "pcmpestrm", "pcmpistri", "pcmpistrm"):
    for imm in range(64):
        bit6 = ((imm >> 1) ^ (imm >> 4) ^ imm) & 1
        strings.append(f"{op} ${imm | bit6 << 6:#x}, %xmm2, %xmm1")
strings += ["pcmpestri $0x0c, (%rbx), %xmm1", "pcmpistrm $0x44, (%rbx), %xmm1",
            "rex.W pcmpestri $0x0c, %xmm2, %xmm1", "rex.W pcmpestrm $0x40, %xmm2, %xmm1"]

rows = [(a, s) for a in basic for s in BASIC_SETS] + [(a, s) for a in strings for s in STRING_SETS]

c = ["#include <stdio.h>", "#include <stdint.h>", "#include <string.h>",
     "struct io { uint64_t in[10]; uint64_t out[11]; } io;", "static uint64_t mem[4] __attribute__((aligned(16)));"]
for n, (asm, s) in enumerate(rows):
    insn = asm.replace("%", "%%")
    c.append(f"""static void row{n}(void) {{
  __asm__ volatile(
    "movdqu 0(%%rsi), %%xmm1\\n movdqu 16(%%rsi), %%xmm2\\n movdqu 32(%%rsi), %%xmm0\\n"
    "movq 0(%%rsi), %%mm1\\n movq 16(%%rsi), %%mm2\\n"
    "mov 48(%%rsi), %%rax\\n mov 56(%%rsi), %%rcx\\n mov 64(%%rsi), %%rdx\\n mov %%rdi, %%rbx\\n"
    "pushq 72(%%rsi)\\n popfq\\n"
    "{insn}\\n"
    "pushfq\\n popq 144(%%rsi)\\n"
    "movdqu %%xmm0, 80(%%rsi)\\n movdqu %%xmm1, 96(%%rsi)\\n movq %%mm1, 112(%%rsi)\\n emms\\n"
    "mov %%rax, 120(%%rsi)\\n mov %%rcx, 128(%%rsi)\\n mov %%rdx, 136(%%rsi)\\n"
    :: "S"(&io), "D"(mem) : "rax", "rbx", "rcx", "rdx", "xmm0", "xmm1", "xmm2", "mm1", "mm2", "memory", "cc");
}}""".replace("%%rsi", "%0").replace("%%rdi", "%1"))
c.append("static const uint64_t sets[][10] = {" + ",".join(
    "{" + ",".join(f"{v & M64:#x}ULL" for v in st) + "}" for st in SETS) + "};")
c.append("struct row { const char *text; int set; void (*run)(void); };")
c.append("static const struct row rows[] = {" + ",".join(
    f'{{"{a}", {s}, row{n}}}' for n, (a, s) in enumerate(rows)) + "};")
c.append("""int main(void) {
  for (unsigned s = 0; s < sizeof sets / sizeof sets[0]; s++) {
    printf("set %u", s);
    for (int i = 0; i < 10; i++) printf(" %llx", (unsigned long long) sets[s][i]);
    printf("\\n");
  }
  for (unsigned n = 0; n < sizeof rows / sizeof rows[0]; n++) {
    const uint64_t *in = sets[rows[n].set];
    memcpy(io.in, in, sizeof io.in);
    mem[0] = in[2]; mem[1] = in[3]; mem[2] = in[4]; mem[3] = in[5];
    rows[n].run();
    io.out[9] = mem[0]; io.out[10] = mem[1];
    printf("%s|%d|", rows[n].text, rows[n].set);
    for (int i = 0; i < 11; i++) printf("%s%llx", i ? " " : "", (unsigned long long) io.out[i]);
    printf("\\n");
  }
  return 0;
}""")
with tempfile.TemporaryDirectory() as d:
    src, exe = os.path.join(d, "v.c"), os.path.join(d, "v")
    open(src, "w").write("\n".join(c) + "\n")
    subprocess.run(["gcc", "-O0", "-msse4.2", "-mno-red-zone", "-o", exe, src], check=True)
    sys.stdout.write(subprocess.run([exe], check=True, capture_output=True, text=True).stdout)
