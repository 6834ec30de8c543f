/*
 * hpet: the HPET's timers in legacy replacement mode (IA-PC HPET 1.0a, 2.3.9 and 2.3.8).
 *
 * With LEG_RT_CNF set, timer 0 drives IRQ0 and timer 1 drives IRQ8 in place of the 8254 and the
 * RTC, which are cut off. The PIT keeps running at ~1 kHz the whole time, so a PIT interrupt
 * leaking through would show in the counts. Timer 0 one-shot: exactly one IRQ0 in 6 ms. Timer 0
 * periodic (Tn_VAL_SET_CNF, then the comparator value is also the period): five IRQ0s, the PIC
 * masking IRQ0 at the fifth. Timer 1 one-shot: one IRQ8 through the slave PIC. The main counter
 * holds still while ENABLE_CNF is clear. The main counter ticks every 10 ns.
 */
	.include "lib.inc"

	.equ HPET_CONFIG, HPET + 0x10
	.equ HPET_COUNTER, HPET + 0xF0
	.equ T0_CONFIG, HPET + 0x100
	.equ T0_COMPARATOR, HPET + 0x108
	.equ T1_CONFIG, HPET + 0x120
	.equ T1_COMPARATOR, HPET + 0x128
	.equ ENABLE_CNF, 1
	.equ LEG_RT_CNF, 2
	.equ TN_INT_ENB, 1 << 2
	.equ TN_TYPE_PERIODIC, 1 << 3
	.equ TN_PER_INT_CAP, 1 << 4
	.equ TN_SIZE_CAP, 1 << 5
	.equ TN_VAL_SET, 1 << 6
	.equ MS, 100000          /* main counter ticks per millisecond */
	.equ PIT_CH0, 0x40
	.equ PIT_CMD, 0x43
	.equ POLL_LIMIT, 50000000

	.text
main:
	call pic_init
	movl $irq0, handlers + 0x20 * 4
	movl $irq8, handlers + 0x28 * 4
	mov $0x34, %al           /* PIT channel 0, mode 2, ~1 kHz: must not reach IRQ0 */
	out %al, $PIT_CMD
	mov $0xA9, %al
	out %al, $PIT_CH0
	mov $0x04, %al
	out %al, $PIT_CH0

	/* stopped main counter, legacy replacement routing */
	movl $LEG_RT_CNF, HPET_CONFIG
	/* Reprogramming the PIT may have raised its OUT (from the low half of the square wave the
	   counter had), and IRR latched that edge although IRQ0 was masked: ICW1 clears it. */
	call pic_init
	movl $0, HPET_COUNTER
	movl $0, HPET_COUNTER + 4
	mov HPET_COUNTER, %ebx
	mov $100, %ecx
1:	loop 1b
	mov HPET_COUNTER, %eax
	print "stopped counter holds: "
	cmp %eax, %ebx
	call putyes
	expect %eax, %ebx, 0x01

	/* timer 0, one-shot at 1 ms */
	movl $TN_INT_ENB, T0_CONFIG
	movl $MS, T0_COMPARATOR
	movl $0, T0_COMPARATOR + 4
	mov $0xFE, %al           /* IRQ0 only */
	out %al, $PIC1_DATA
	movl $(ENABLE_CNF | LEG_RT_CNF), HPET_CONFIG
	mov $irq0_count, %esi
	call wait_interrupt
	mov $6 * MS, %ebx
	call wait_counter
	print "timer 0 one-shot: irq0 count="
	mov irq0_count, %eax
	call putdec
	expect $1, %eax, 0x10
	call newline

	/* timer 0, periodic every 1 ms */
	movl $LEG_RT_CNF, HPET_CONFIG
	movl $0, irq0_count
	movl $0, HPET_COUNTER
	movl $0, HPET_COUNTER + 4
	movl $(TN_INT_ENB | TN_TYPE_PERIODIC | TN_VAL_SET), T0_CONFIG
	movl $MS, T0_COMPARATOR
	movl $0, T0_COMPARATOR + 4
	mov $0xFE, %al
	out %al, $PIC1_DATA
	movl $(ENABLE_CNF | LEG_RT_CNF), HPET_CONFIG
2:	cli
	cmpl $5, irq0_count
	jae 3f
	sti
	hlt
	jmp 2b
3:	print "timer 0 periodic: irq0 count="
	mov irq0_count, %eax
	call putdec
	expect $5, %eax, 0x20
	print " config="
	mov T0_CONFIG, %eax
	and $0xFF, %eax          /* VAL_SET reads back 0; PER_INT_CAP and SIZE_CAP (64-bit) are set */
	call puthex2
	expect $(TN_INT_ENB | TN_TYPE_PERIODIC | TN_PER_INT_CAP | TN_SIZE_CAP), %eax, 0x21
	call newline

	/* timer 1, one-shot at 1 ms, on IRQ8 */
	movl $LEG_RT_CNF, HPET_CONFIG
	movl $0, T0_CONFIG
	movl $0, HPET_COUNTER
	movl $0, HPET_COUNTER + 4
	movl $TN_INT_ENB, T1_CONFIG
	movl $MS, T1_COMPARATOR
	movl $0, T1_COMPARATOR + 4
	mov $0xFB, %al           /* master: cascade only */
	out %al, $PIC1_DATA
	mov $0xFE, %al           /* slave: IRQ8 */
	out %al, $PIC2_DATA
	movl $(ENABLE_CNF | LEG_RT_CNF), HPET_CONFIG
	mov $irq8_count, %esi
	call wait_interrupt
	mov $3 * MS, %ebx
	call wait_counter
	print "timer 1 one-shot: irq8 count="
	mov irq8_count, %eax
	call putdec
	expect $1, %eax, 0x30
	call newline

	movl $0, T1_CONFIG
	movl $0, HPET_CONFIG
	mov $0xFF, %al
	out %al, $PIC1_DATA
	out %al, $PIC2_DATA
	xor %eax, %eax
	ret

/* wait_interrupt: halts with interrupts enabled until the count at ESI is nonzero. */
wait_interrupt:
1:	cli
	cmpl $0, (%esi)
	jne 2f
	sti
	hlt
	jmp 1b
2:	ret

/* wait_counter: interrupts enabled until the main counter reaches EBX (bounded), then disabled.
   Each round also reads the POST port, the classic I/O delay. */
wait_counter:
	mov $POLL_LIMIT, %ecx
	sti
1:	in $0x80, %al
	cmp HPET_COUNTER, %ebx
	jbe 2f
	loop 1b
2:	cli
	ret

/* vector 0x20: IRQ0 */
irq0:
	incl irq0_count
	cmpl $5, irq0_count
	jb 1f
	in $PIC1_DATA, %al
	or $0x01, %al            /* mask IRQ0 */
	out %al, $PIC1_DATA
1:	mov $0x20, %al
	out %al, $PIC1_CMD
	ret

/* vector 0x28: IRQ8 */
irq8:
	incl irq8_count
	mov $0x20, %al
	out %al, $PIC2_CMD
	out %al, $PIC1_CMD
	ret

	.section .rodata
banner: .asciz "jvirt guest hpet\n"

	.data
	.align 4
irq0_count: .long 0
irq8_count: .long 0
