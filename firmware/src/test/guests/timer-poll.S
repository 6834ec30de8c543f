/*
 * timer-poll: a timer interrupt is taken while the guest polls the timer's own counter.
 *
 * HPET timer 0 (legacy replacement: IRQ0, through the 8259) is armed 1 ms ahead; with interrupts
 * enabled the guest reads the main counter (MMIO only, no port I/O) until it is 6 ms past the
 * start, then disables interrupts. The comparator matched while interrupts were enabled, so on
 * hardware the interrupt has been taken by then: count=1. (The PIT runs at 1 kHz meanwhile, cut
 * off from IRQ0 by the legacy replacement.)
 */
	.include "lib.inc"

	.equ HPET_CONFIG, HPET + 0x10
	.equ HPET_COUNTER, HPET + 0xF0
	.equ T0_CONFIG, HPET + 0x100
	.equ T0_COMPARATOR, HPET + 0x108
	.equ POLL_LIMIT, 50000000

	.text
main:
	mov $0x34, %al           /* PIT channel 0, mode 2, ~1 kHz */
	out %al, $0x43
	mov $0xA9, %al
	out %al, $0x40
	mov $0x04, %al
	out %al, $0x40
	movl $2, HPET_CONFIG     /* stopped, legacy replacement */
	call pic_init            /* after the PIT is cut off: no stale IRQ0 edge in IRR */
	movl $irq0, handlers + 0x20 * 4
	movl $0, HPET_COUNTER
	movl $0, HPET_COUNTER + 4
	movl $4, T0_CONFIG       /* one-shot, edge, enabled */
	movl $100000, T0_COMPARATOR  /* 1 ms */
	movl $0, T0_COMPARATOR + 4
	mov $0xFE, %al
	out %al, $PIC1_DATA
	movl $3, HPET_CONFIG
	mov $POLL_LIMIT, %ecx
	sti
1:	cmpl $600000, HPET_COUNTER  /* 6 ms */
	jae 2f
	loop 1b
2:	cli
	print "interrupt taken while polling: count="
	mov count, %eax
	call putdec
	expect $1, %eax, 0x01
	call newline
	movl $0, HPET_CONFIG
	xor %eax, %eax
	ret

irq0:
	incl count
	mov $0x20, %al
	out %al, $PIC1_CMD
	ret

	.section .rodata
banner: .asciz "jvirt guest timer-poll\n"

	.data
	.align 4
count: .long 0
