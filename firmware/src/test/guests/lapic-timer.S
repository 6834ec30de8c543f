/*
 * lapic-timer: the local APIC timer (Intel SDM Vol. 3A 11.5.4) in one-shot and periodic mode.
 *
 * One-shot, divide by 64: the current-count register counts down from the initial count, one
 * interrupt arrives, and the counter then stays at 0. Periodic, divide by 1, 1 ms at the 1 GHz bus
 * clock QEMU models: five interrupts, after which the handler masks the LVT entry and raises the
 * task priority above the vector's class (an interrupt that was already accepted into IRR stays
 * there), so the count is exactly 5. Writing 0 to the initial-count register stops the timer.
 * The 8259s and LINT0 are masked; all EOIs go to the local APIC.
 */
	.include "lib.inc"

	.equ LAPIC_TPR, LAPIC + 0x80
	.equ ONE_SHOT_VECTOR, 0x40
	.equ PERIODIC_VECTOR, 0x41
	.equ LVT_MASKED, 1 << 16
	.equ LVT_PERIODIC, 1 << 17
	.equ ONE_SHOT_COUNT, 0x100000
	.equ PERIODIC_COUNT, 1000000

	.text
main:
	call pic_init
	movl $0x00010700, LAPIC_LVT_LINT0  /* LINT0 masked (ExtINT) */
	movl $0x1FF, LAPIC_SVR   /* APIC software enabled, spurious vector 0xFF */
	movl $0, LAPIC_TPR
	movl $one_shot, handlers + ONE_SHOT_VECTOR * 4
	movl $periodic, handlers + PERIODIC_VECTOR * 4

	/* one-shot, divide by 64 (divide configuration 1001b): 67 ms, ample room for the two reads */
	movl $0x9, LAPIC_TIMER_DIVIDE
	movl $ONE_SHOT_VECTOR, LAPIC_LVT_TIMER
	movl $ONE_SHOT_COUNT, LAPIC_TIMER_INITIAL
	mov LAPIC_TIMER_CURRENT, %ebx
	mov $100, %ecx
1:	loop 1b
	mov LAPIC_TIMER_CURRENT, %esi
	print "one-shot: divide="
	mov LAPIC_TIMER_DIVIDE, %eax
	call puthex2
	expect $0x09, %eax, 0x01
	print " initial="
	mov LAPIC_TIMER_INITIAL, %eax
	call puthex
	expect $ONE_SHOT_COUNT, %eax, 0x02
	print " counter decreases: "
	mov $0, %al
	cmp $ONE_SHOT_COUNT, %ebx
	ja 2f                    /* above the initial count: wrong */
	cmp %ebx, %esi
	jae 2f                   /* not below the first read: wrong */
	mov $1, %al
2:	cmp $1, %al
	call putyes
	expect $1, %al, 0x03
3:	cli
	cmpl $1, one_shots
	jae 4f
	sti
	hlt
	jmp 3b
4:	print "one-shot: interrupts="
	mov one_shots, %eax
	call putdec
	expect $1, %eax, 0x04
	print " current after expiry="
	mov LAPIC_TIMER_CURRENT, %eax
	call puthex
	expect $0, %eax, 0x05
	call newline

	/* periodic, divide by 1 (divide configuration 1011b) */
	movl $0xB, LAPIC_TIMER_DIVIDE
	movl $(LVT_PERIODIC | PERIODIC_VECTOR), LAPIC_LVT_TIMER
	movl $PERIODIC_COUNT, LAPIC_TIMER_INITIAL
5:	cli
	cmpl $5, ticks
	jae 6f
	sti
	hlt
	jmp 5b
6:	print "periodic: divide="
	mov LAPIC_TIMER_DIVIDE, %eax
	call puthex2
	expect $0x0B, %eax, 0x10
	print " ticks="
	mov ticks, %eax
	call putdec
	expect $5, %eax, 0x11
	print " lvt="
	mov LAPIC_LVT_TIMER, %eax
	call puthex
	expect $(LVT_MASKED | LVT_PERIODIC | PERIODIC_VECTOR), %eax, 0x12
	call newline
	movl $0, LAPIC_TIMER_INITIAL
	print "stopped: current="
	mov LAPIC_TIMER_CURRENT, %eax
	call puthex
	expect $0, %eax, 0x13
	print " isr="
	mov LAPIC_ISR + 0x20, %eax  /* vectors 0x40-0x5F */
	call puthex
	expect $0, %eax, 0x14
	call newline
	xor %eax, %eax
	ret

one_shot:
	incl one_shots
	movl $0, LAPIC_EOI
	ret

periodic:
	incl ticks
	cmpl $5, ticks
	jb 1f
	movl $(LVT_MASKED | LVT_PERIODIC | PERIODIC_VECTOR), LAPIC_LVT_TIMER
	movl $0x40, LAPIC_TPR    /* a tick already in IRR waits */
1:	movl $0, LAPIC_EOI
	ret

	.section .rodata
banner: .asciz "jvirt guest lapic-timer\n"

	.data
	.align 4
one_shots: .long 0
ticks:     .long 0
