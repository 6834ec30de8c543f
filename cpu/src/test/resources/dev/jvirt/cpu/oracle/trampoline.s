# The trampoline of NativeExecutor (assembled with: as --64; objcopy -O binary -j .text). The state page
# is start+0x1000: GPRs at 0, RFLAGS 0x80, MXCSR 0x88, host MXCSR 0x8c, host RSP 0x90, XMM0-15 0xa0, MM0-7 0x1a0.
.intel_syntax noprefix
.text
start:
push rbx
push rbp
push r12
push r13
push r14
push r15
stmxcsr [rip+start+0x1000+0x8c]
mov [rip+start+0x1000+0x90], rsp
ldmxcsr [rip+start+0x1000+0x88]
movdqu xmm0, [rip+start+0x1000+160]
movdqu xmm1, [rip+start+0x1000+176]
movdqu xmm2, [rip+start+0x1000+192]
movdqu xmm3, [rip+start+0x1000+208]
movdqu xmm4, [rip+start+0x1000+224]
movdqu xmm5, [rip+start+0x1000+240]
movdqu xmm6, [rip+start+0x1000+256]
movdqu xmm7, [rip+start+0x1000+272]
movdqu xmm8, [rip+start+0x1000+288]
movdqu xmm9, [rip+start+0x1000+304]
movdqu xmm10, [rip+start+0x1000+320]
movdqu xmm11, [rip+start+0x1000+336]
movdqu xmm12, [rip+start+0x1000+352]
movdqu xmm13, [rip+start+0x1000+368]
movdqu xmm14, [rip+start+0x1000+384]
movdqu xmm15, [rip+start+0x1000+400]
movq mm0, [rip+start+0x1000+416]
movq mm1, [rip+start+0x1000+424]
movq mm2, [rip+start+0x1000+432]
movq mm3, [rip+start+0x1000+440]
movq mm4, [rip+start+0x1000+448]
movq mm5, [rip+start+0x1000+456]
movq mm6, [rip+start+0x1000+464]
movq mm7, [rip+start+0x1000+472]
push qword ptr [rip+start+0x1000+0x80]
popfq
mov rax, [rip+start+0x1000+0]
mov rcx, [rip+start+0x1000+8]
mov rdx, [rip+start+0x1000+16]
mov rbx, [rip+start+0x1000+24]
mov rsp, [rip+start+0x1000+32]
mov rbp, [rip+start+0x1000+40]
mov rsi, [rip+start+0x1000+48]
mov rdi, [rip+start+0x1000+56]
mov r8, [rip+start+0x1000+64]
mov r9, [rip+start+0x1000+72]
mov r10, [rip+start+0x1000+80]
mov r11, [rip+start+0x1000+88]
mov r12, [rip+start+0x1000+96]
mov r13, [rip+start+0x1000+104]
mov r14, [rip+start+0x1000+112]
mov r15, [rip+start+0x1000+120]
slot:
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
nop
mov [rip+start+0x1000+0], rax
mov [rip+start+0x1000+8], rcx
mov [rip+start+0x1000+16], rdx
mov [rip+start+0x1000+24], rbx
mov [rip+start+0x1000+32], rsp
mov [rip+start+0x1000+40], rbp
mov [rip+start+0x1000+48], rsi
mov [rip+start+0x1000+56], rdi
mov [rip+start+0x1000+64], r8
mov [rip+start+0x1000+72], r9
mov [rip+start+0x1000+80], r10
mov [rip+start+0x1000+88], r11
mov [rip+start+0x1000+96], r12
mov [rip+start+0x1000+104], r13
mov [rip+start+0x1000+112], r14
mov [rip+start+0x1000+120], r15
mov rsp, [rip+start+0x1000+0x90]
pushfq
pop qword ptr [rip+start+0x1000+0x80]
movdqu [rip+start+0x1000+160], xmm0
movdqu [rip+start+0x1000+176], xmm1
movdqu [rip+start+0x1000+192], xmm2
movdqu [rip+start+0x1000+208], xmm3
movdqu [rip+start+0x1000+224], xmm4
movdqu [rip+start+0x1000+240], xmm5
movdqu [rip+start+0x1000+256], xmm6
movdqu [rip+start+0x1000+272], xmm7
movdqu [rip+start+0x1000+288], xmm8
movdqu [rip+start+0x1000+304], xmm9
movdqu [rip+start+0x1000+320], xmm10
movdqu [rip+start+0x1000+336], xmm11
movdqu [rip+start+0x1000+352], xmm12
movdqu [rip+start+0x1000+368], xmm13
movdqu [rip+start+0x1000+384], xmm14
movdqu [rip+start+0x1000+400], xmm15
movq [rip+start+0x1000+416], mm0
movq [rip+start+0x1000+424], mm1
movq [rip+start+0x1000+432], mm2
movq [rip+start+0x1000+440], mm3
movq [rip+start+0x1000+448], mm4
movq [rip+start+0x1000+456], mm5
movq [rip+start+0x1000+464], mm6
movq [rip+start+0x1000+472], mm7
stmxcsr [rip+start+0x1000+0x88]
ldmxcsr [rip+start+0x1000+0x8c]
emms
cld
pop r15
pop r14
pop r13
pop r12
pop rbp
pop rbx
ret
