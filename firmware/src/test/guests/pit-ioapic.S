/*
 * pit-ioapic: the 8254 PIT's IRQ0 through the I/O APIC and the local APIC, the 8259s masked.
 *
 * On the PC, ISA IRQ0 reaches I/O APIC pin 2 (the MADT's interrupt source override). The guest
 * masks both 8259s (OCW1 0xFF) and LINT0, enables the local APIC (SVR bit 8), points redirection
 * entry 2 at vector 0x30 (fixed, physical destination 0, edge, active high), runs PIT channel 0 in
 * mode 2 at ~1 kHz and counts interrupts, each ended by an EOI to the local APIC. At the tenth the
 * handler masks the entry and raises the task priority to class 3, so that an edge that slipped
 * in before the mask stays in IRR and the count stops at exactly 10.
 * Then the task priority test (Intel SDM Vol. 3A 11.8.3.1): with TPR 0x30 the unmasked entry's
 * vector 0x30 reaches IRR but is not delivered even with IF set; TPR 0 lets exactly one through.
 */
	.include "lib.inc"

	.equ PIT_CH0, 0x40
	.equ PIT_CMD, 0x43
	.equ DIVISOR, 1193
	.equ VECTOR, 0x30
	.equ LAPIC_TPR, LAPIC + 0x80
	.equ LAPIC_ISR_30, LAPIC_ISR + 0x10     /* ISR bits 32-63 */
	.equ LAPIC_IRR_30, LAPIC_IRR + 0x10
	.equ VECTOR_BIT, 1 << (VECTOR - 32)
	.equ RTE2_LOW, 0x14
	.equ RTE2_HIGH, 0x15
	.equ POLL_LIMIT, 50000000

	.text
main:
	call pic_init            /* every 8259 input masked */
	movl $0x00010700, LAPIC_LVT_LINT0  /* LINT0 masked (ExtINT) */
	movl $0x1FF, LAPIC_SVR   /* APIC software enabled, spurious vector 0xFF */
	movl $0, LAPIC_TPR
	print "lapic version="
	mov LAPIC_VERSION, %eax
	call puthex
	expect $0x00050014, %eax, 0x01
	call newline

	movl $tick, handlers + VECTOR * 4
	movl $RTE2_HIGH, IOAPIC_IOREGSEL
	movl $0, IOAPIC_IOWIN    /* destination APIC ID 0 */
	movl $RTE2_LOW, IOAPIC_IOREGSEL
	movl $VECTOR, IOAPIC_IOWIN  /* fixed, physical, edge, active high, unmasked */
	mov $0x34, %al           /* PIT channel 0, lobyte/hibyte, mode 2, binary */
	out %al, $PIT_CMD
	mov $(DIVISOR & 0xFF), %al
	out %al, $PIT_CH0
	mov $(DIVISOR >> 8), %al
	out %al, $PIT_CH0
1:	cli
	cmpl $10, ticks
	jae 2f
	sti
	hlt
	jmp 1b
2:	print "ticks="
	mov ticks, %eax
	call putdec
	expect $10, %eax, 0x02
	print " lapic isr in handler="
	mov isr_in_handler, %eax
	call puthex
	expect $VECTOR_BIT, %eax, 0x03
	print " rte2="
	movl $RTE2_LOW, IOAPIC_IOREGSEL
	mov IOAPIC_IOWIN, %eax
	call puthex
	expect $(0x10000 | VECTOR), %eax, 0x04
	print " tpr="
	mov LAPIC_TPR, %eax
	call puthex2
	expect $0x30, %eax, 0x05
	call newline

	/* TPR 0x30 holds vector 0x30 in IRR, interrupts enabled or not */
	movl $VECTOR, IOAPIC_IOWIN  /* unmask entry 2 */
	sti
	mov $POLL_LIMIT, %ecx
3:	mov LAPIC_IRR_30, %eax
	test $VECTOR_BIT, %eax
	jnz 4f
	loop 3b
4:	cli
	print "tpr 30 holds vector 30: irr="
	and $VECTOR_BIT, %eax
	call puthex
	expect $VECTOR_BIT, %eax, 0x10
	print " ticks="
	mov ticks, %eax
	call putdec
	expect $10, %eax, 0x11
	call newline

	/* TPR 0: the held vector is delivered, once (the handler masks and raises TPR again) */
	movl $0, LAPIC_TPR
5:	cli
	cmpl $11, ticks
	jae 6f
	sti
	hlt
	jmp 5b
6:	print "tpr 00: ticks="
	mov ticks, %eax
	call putdec
	expect $11, %eax, 0x20
	print " isr="
	mov LAPIC_ISR_30, %eax
	call puthex
	expect $0, %eax, 0x21
	call newline

	xor %eax, %eax
	ret

/* vector 0x30: I/O APIC pin 2 */
tick:
	incl ticks
	cmpl $1, ticks
	jne 1f
	mov LAPIC_ISR_30, %eax
	mov %eax, isr_in_handler
1:	cmpl $10, ticks
	jb 2f
	movl $RTE2_LOW, IOAPIC_IOREGSEL
	movl $(0x10000 | VECTOR), IOAPIC_IOWIN  /* masked */
	movl $0x30, LAPIC_TPR    /* a vector 0x30 already in IRR waits */
2:	movl $0, LAPIC_EOI
	ret

	.section .rodata
banner: .asciz "jvirt guest pit-ioapic\n"

	.data
	.align 4
ticks:          .long 0
isr_in_handler: .long 0xFFFFFFFF
