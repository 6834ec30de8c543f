/*
 * irq-window: like ipi, but the waiting self-IPI must be taken inside a window of interrupts
 * enabled that contains no exit-causing instruction: "sti", a 1000-round register loop, "cli".
 *
 * ipi: interprocessor interrupts a local APIC sends to itself through its ICR (Intel SDM Vol. 3A
 * 11.6.1, destination shorthand "self").
 *
 * A fixed self-IPI with interrupts disabled waits in IRR (and is not in service) until "sti; hlt",
 * then arrives once; the EOI clears ISR. Then an NMI self-IPI arrives with interrupts disabled, on
 * vector 2. (Only one NMI: without IRET, which this runtime avoids, NMIs stay blocked afterwards.)
 */
	.include "lib.inc"

	.equ LAPIC_ICR_LOW, LAPIC + 0x300
	.equ LAPIC_ICR_HIGH, LAPIC + 0x310
	.equ LAPIC_TPR, LAPIC + 0x80
	.equ VECTOR, 0x50
	.equ VECTOR_BIT, 1 << (VECTOR - 64)
	.equ SELF, 1 << 18       /* destination shorthand 01 */
	.equ DM_NMI, 4 << 8

	.text
main:
	call pic_init
	movl $0x00010700, LAPIC_LVT_LINT0  /* LINT0 masked (ExtINT) */
	movl $0x1FF, LAPIC_SVR   /* APIC software enabled, spurious vector 0xFF */
	movl $0, LAPIC_TPR
	movl $fixed, handlers + VECTOR * 4
	movl $nmi, handlers + 2 * 4

	movl $0, LAPIC_ICR_HIGH
	movl $(SELF | VECTOR), LAPIC_ICR_LOW
	print "self-ipi with if=0: irr="
	mov LAPIC_IRR + 0x20, %eax  /* vectors 0x40-0x5F */
	and $VECTOR_BIT, %eax
	call puthex
	expect $VECTOR_BIT, %eax, 0x01
	print " isr="
	mov LAPIC_ISR + 0x20, %eax
	call puthex
	expect $0, %eax, 0x02
	print " count="
	mov fixed_count, %eax
	call putdec
	expect $0, %eax, 0x03
	call newline

	mov $1000, %ecx
	sti
1:	loop 1b
	cli
	print "after sti: count="
	mov fixed_count, %eax
	call putdec
	expect $1, %eax, 0x10
	print " isr in handler="
	mov isr_in_handler, %eax
	call puthex
	expect $VECTOR_BIT, %eax, 0x11
	print " irr="
	mov LAPIC_IRR + 0x20, %eax
	call puthex
	expect $0, %eax, 0x12
	print " isr="
	mov LAPIC_ISR + 0x20, %eax
	call puthex
	expect $0, %eax, 0x13
	call newline

	xor %eax, %eax
	ret

fixed:
	incl fixed_count
	mov LAPIC_ISR + 0x20, %eax
	mov %eax, isr_in_handler
	movl $0, LAPIC_EOI
	ret

nmi:
	incl nmi_count
	ret

	.section .rodata
banner: .asciz "jvirt guest irq-window\n"

	.data
	.align 4
fixed_count:    .long 0
nmi_count:      .long 0
isr_in_handler: .long 0xFFFFFFFF
