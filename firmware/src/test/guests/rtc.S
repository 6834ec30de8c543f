/*
 * rtc: the MC146818 RTC's periodic interrupt on IRQ8, through the slave 8259 and the cascade.
 *
 * Register A selects the 32.768 kHz time base (DV = 010) and rate 6 (1024 Hz); register B enables
 * the periodic interrupt (PIE) in 24-hour BCD mode. IRQ8 is the slave PIC's input 0 (vector 0x28
 * here), reaching the master on IR2. The handler reads register C, which acknowledges the
 * interrupt (IRQF and PF, then clears it), and sends EOIs to the slave and then the master. At the
 * tenth tick it masks IRQ8, so the count stops at 10. Register D reads VRT (valid RAM and time).
 */
	.include "lib.inc"

	.equ CMOS_INDEX, 0x70
	.equ CMOS_DATA, 0x71
	.equ REG_A, 0x0A
	.equ REG_B, 0x0B
	.equ REG_C, 0x0C
	.equ REG_D, 0x0D

	.text
main:
	call pic_init
	movl $tick, handlers + 0x28 * 4
	mov $REG_A, %bl
	mov $0x26, %al
	call cmos_write
	/* PF sets at the periodic rate whether or not PIE is on (IRQF = PF.PIE + AF.AIE + UF.UIE), so
	   a PF already set when PIE goes on raises IRQ8 at once, and the masked slave latches that
	   edge in IRR. Register C is read before and after, and the handler counts only interrupts
	   for which register C shows IRQF: a request latched before C was read finds C empty. */
	mov $REG_C, %bl
	call cmos_read
	mov $REG_B, %bl
	mov $0x42, %al           /* PIE, 24-hour, BCD, no SET */
	call cmos_write
	mov $REG_C, %bl
	call cmos_read
	print "rtc: a="
	mov $REG_A, %bl
	call cmos_read
	and $0x7F, %al           /* UIP (bit 7) depends on the moment */
	call puthex2
	expect $0x26, %al, 0x01
	print " b="
	mov $REG_B, %bl
	call cmos_read
	call puthex2
	expect $0x42, %al, 0x02
	print " d="
	mov $REG_D, %bl
	call cmos_read
	call puthex2
	expect $0x80, %al, 0x03
	call newline

	mov $0xFB, %al           /* master: cascade (IR2) only */
	out %al, $PIC1_DATA
	mov $0xFE, %al           /* slave: IRQ8 only */
	out %al, $PIC2_DATA
1:	cli
	cmpl $10, ticks
	jae 2f
	sti
	hlt
	jmp 1b
2:	print "ticks="
	mov ticks, %eax
	call putdec
	expect $10, %eax, 0x10
	print " c in handler="
	mov c_in_handler, %eax
	call puthex2
	expect $0xC0, %eax, 0x11
	print " slave isr in handler="
	mov isr_in_handler, %eax
	call puthex2
	expect $0x01, %eax, 0x12
	print " master isr in handler="
	mov misr_in_handler, %eax
	call puthex2
	expect $0x04, %eax, 0x13
	call newline
	mov $REG_B, %bl
	mov $0x02, %al           /* PIE off */
	call cmos_write
	xor %eax, %eax
	ret

/* cmos_write: AL to register BL. cmos_read: register BL into AL (EAX zero-extended). */
cmos_write:
	xchg %al, %bl
	out %al, $CMOS_INDEX
	xchg %al, %bl
	out %al, $CMOS_DATA
	ret
cmos_read:
	mov %bl, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	movzbl %al, %eax
	ret

/* vector 0x28: IRQ8 */
tick:
	mov $REG_C, %bl
	call cmos_read
	and $0xC0, %eax          /* IRQF, PF; UF and AF come and go with the seconds */
	test $0x80, %al
	jz 2f                    /* not the RTC's request (any more): only the EOIs */
	incl ticks
	cmpl $1, ticks
	jne 1f
	mov %eax, c_in_handler
	mov $0x0B, %al           /* OCW3: read ISR */
	out %al, $PIC2_CMD
	out %al, $PIC1_CMD
	in $PIC2_CMD, %al
	movzbl %al, %eax
	mov %eax, isr_in_handler
	in $PIC1_CMD, %al
	movzbl %al, %eax
	mov %eax, misr_in_handler
	mov $0x0A, %al
	out %al, $PIC2_CMD
	out %al, $PIC1_CMD
1:	cmpl $10, ticks
	jb 2f
	in $PIC2_DATA, %al
	or $0x01, %al            /* mask IRQ8: the count stops here */
	out %al, $PIC2_DATA
2:	mov $0x20, %al           /* non-specific EOI: slave, then master */
	out %al, $PIC2_CMD
	out %al, $PIC1_CMD
	ret

	.section .rodata
banner: .asciz "jvirt guest rtc\n"

	.data
	.align 4
ticks:           .long 0
c_in_handler:    .long 0xFFFFFFFF
isr_in_handler:  .long 0xFFFFFFFF
misr_in_handler: .long 0xFFFFFFFF
