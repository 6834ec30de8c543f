/*
 * rep-io: string port I/O (INS/OUTS with REP, Intel SDM Vol. 2) of bytes, words and dwords.
 *
 * Every element goes to or comes from the same port; ECX counts down to 0 and ESI/EDI step by the
 * element size, backwards when DF is set; REP with ECX = 0 does nothing. The ports: COM1's THR
 * (a line printed by one REP OUTSB, at most 16 bytes once LSR says the transmitter is empty), the
 * CMOS pair 0x70/0x71 (a word OUT at 0x70 is an index byte then a data byte, so one REP OUTSW
 * writes several NVRAM bytes; the data port keeps returning the selected byte), and an unclaimed
 * port, which reads all-ones at every size.
 */
	.include "lib.inc"

	.equ CMOS_INDEX, 0x70
	.equ CMOS_DATA, 0x71
	.equ UNCLAIMED, 0x2A0

	.text
main:
	/* one REP OUTSB to the THR prints a line */
	mov $COM1+5, %dx
1:	in %dx, %al
	test $0x40, %al          /* LSR.TEMT: FIFO and shift register empty */
	jz 1b
	mov $line, %esi
	mov $line_end - line, %ecx
	mov $COM1, %dx
	rep outsb
	print "outsb: ecx="
	mov %ecx, %eax
	call putdec
	expect $0, %eax, 0x01
	print " esi+="
	mov %esi, %eax
	sub $line, %eax
	call putdec
	expect $(line_end - line), %eax, 0x02
	call newline

	/* REP OUTSB to the CMOS data port: the last byte stays */
	mov $0x4A, %al
	out %al, $CMOS_INDEX
	mov $cmos_bytes, %esi
	mov $4, %ecx
	mov $CMOS_DATA, %dx
	rep outsb
	print "cmos[4a] after rep outsb="
	in $CMOS_DATA, %al
	call puthex2
	expect $0x44, %al, 0x10

	/* REP OUTSW to the CMOS index port: index, data, index, data, ... */
	mov $cmos_words, %esi
	mov $3, %ecx
	mov $CMOS_INDEX, %dx
	rep outsw
	print " rep outsw cmos[4b..4d]="
	mov $0x4B, %bl
	mov $3, %ecx
2:	mov %bl, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	call puthex2
	inc %bl
	loop 2b
	mov $0x4B, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	expect $0x11, %al, 0x11
	mov $0x4D, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	expect $0x33, %al, 0x12
	call newline

	/* REP INSB from the CMOS data port (register 0x4A selected): 64 times 0x44 */
	mov $0x4A, %al
	out %al, $CMOS_INDEX
	mov $buf, %edi
	mov $64, %ecx
	mov $CMOS_DATA, %dx
	rep insb
	print "insb cmos x64: sum="
	mov $buf, %esi
	mov $64, %ecx
	call sum_bytes
	call puthex
	expect $(64 * 0x44), %eax, 0x20
	print " edi+="
	mov %edi, %eax
	sub $buf, %eax
	call putdec
	expect $64, %eax, 0x21
	print " next byte="
	movzbl buf+64, %eax
	call puthex2
	expect $0, %eax, 0x22
	call newline

	/* REP INSW from the index port: the write-only index (0xFF) and the data byte (0x33 at 0x4D) */
	mov $0x4D, %al
	out %al, $CMOS_INDEX
	mov $buf + 0x100, %edi
	mov $4, %ecx
	mov $CMOS_INDEX, %dx
	rep insw
	print "insw cmos: "
	mov buf + 0x100, %eax
	call puthex
	expect $0x33FF33FF, %eax, 0x28
	mov $' ', %al
	call putc
	mov buf + 0x104, %eax
	call puthex
	expect $0x33FF33FF, %eax, 0x29
	call newline

	/* an unclaimed port: all-ones at every size */
	mov $UNCLAIMED, %dx
	mov $buf + 0x200, %edi
	mov $100, %ecx
	rep insb
	print "unclaimed insb x100: sum="
	mov $buf + 0x200, %esi
	mov $100, %ecx
	call sum_bytes
	call puthex
	expect $(100 * 0xFF), %eax, 0x30
	mov $buf + 0x300, %edi
	mov $50, %ecx
	rep insw
	print " insw x50: edi+="
	mov %edi, %eax
	sub $buf + 0x300, %eax
	call putdec
	expect $100, %eax, 0x31
	print " sum="
	mov $buf + 0x300, %esi
	mov $100, %ecx
	call sum_bytes
	call puthex
	expect $(100 * 0xFF), %eax, 0x32
	mov $buf + 0x400, %edi
	mov $10, %ecx
	rep insl
	print " insd x10: last="
	mov buf + 0x400 + 36, %eax
	call puthex
	expect $0xFFFFFFFF, %eax, 0x33
	print " after="
	mov buf + 0x400 + 40, %eax
	call puthex
	expect $0, %eax, 0x34
	call newline

	mov $buf + 0x300, %esi
	mov $20, %ecx
	rep outsw
	print "outsw x20: ecx="
	mov %ecx, %eax
	call putdec
	expect $0, %eax, 0x38
	print " esi+="
	mov %esi, %eax
	sub $buf + 0x300, %eax
	call putdec
	expect $40, %eax, 0x39
	mov $buf + 0x300, %esi
	mov $5, %ecx
	rep outsl
	print " outsd x5: esi+="
	mov %esi, %eax
	sub $buf + 0x300, %eax
	call putdec
	expect $20, %eax, 0x3A
	call newline

	/* DF set: INSB stores downwards */
	mov $0x4A, %al
	out %al, $CMOS_INDEX
	mov $CMOS_DATA, %dx
	mov $buf + 0x50F, %edi
	mov $8, %ecx
	std
	rep insb
	cld
	print "insb df=1: edi-="
	mov $buf + 0x50F, %eax
	sub %edi, %eax
	call putdec
	expect $8, %eax, 0x40
	print " bytes="
	mov $buf + 0x507, %esi
	mov $10, %ecx
3:	movzbl (%esi), %eax
	call puthex2
	inc %esi
	loop 3b
	cmpl $0x44444400, buf + 0x507
	jne 4f
	cmpl $0x44444444, buf + 0x50B
	jne 4f
	cmpb $0x44, buf + 0x50F
	jne 4f
	cmpb $0, buf + 0x510
4:	mov $0x40, %eax
	jne fail
	call newline

	/* REP with ECX = 0: no access, no step */
	mov $buf + 0x600, %edi
	xor %ecx, %ecx
	rep insb
	print "insb ecx=0: edi+="
	mov %edi, %eax
	sub $buf + 0x600, %eax
	call putdec
	expect $0, %eax, 0x48
	print " byte="
	movzbl buf + 0x600, %eax
	call puthex2
	expect $0, %eax, 0x49
	call newline

	xor %eax, %eax
	ret

/* sum_bytes: the sum of ECX bytes at ESI, into EAX. */
sum_bytes:
	push %edx
	xor %eax, %eax
1:	movzbl (%esi), %edx
	add %edx, %eax
	inc %esi
	loop 1b
	pop %edx
	ret

	.section .rodata
banner: .asciz "jvirt guest rep-io\n"
line:   .ascii "rep outsb: ok\n"
line_end:
cmos_bytes: .byte 0x11, 0x22, 0x33, 0x44
	.align 2
cmos_words: .word 0x114B, 0x224C, 0x334D

	.bss
	.align 16
buf: .skip 0x1000
