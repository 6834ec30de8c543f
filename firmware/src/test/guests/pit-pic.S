/*
 * pit-pic: the 8254 PIT's channel 0 interrupting through the 8259A PIC pair.
 *
 * The PIC is initialised (ICW1-ICW4) with vectors 0x20-0x2F and only IRQ0 unmasked; the PIT's
 * channel 0 runs in mode 2 (rate generator) at 1193182 / 1193 = ~1 kHz. The handler of vector 0x20
 * counts and sends a non-specific EOI; at the tenth tick it masks IRQ0, so the count stops at 10.
 * Then: the PIC's IRR and ISR through OCW3 (IRR latches the next edge although IRQ0 is masked;
 * nothing is in service), the PIT's counter latch command and read-back command (8254 datasheet:
 * status byte = OUT, NULL COUNT, RW1 RW0, M2 M1 M0, BCD), and channel 2 in mode 0 gated through
 * port 0x61, whose bit 5 shows OUT2.
 * Only facts that do not depend on timing are printed.
 */
	.include "lib.inc"

	.equ PIT_CH0, 0x40
	.equ PIT_CH2, 0x42
	.equ PIT_CMD, 0x43
	.equ PORT61, 0x61
	.equ DIVISOR, 1193
	.equ POLL_LIMIT, 50000000

	.text
main:
	call pic_init
	movl $tick, handlers + 0x20 * 4
	mov $0x34, %al           /* channel 0, lobyte/hibyte, mode 2, binary */
	out %al, $PIT_CMD
	mov $(DIVISOR & 0xFF), %al
	out %al, $PIT_CH0
	mov $(DIVISOR >> 8), %al
	out %al, $PIT_CH0
	mov $0xFE, %al           /* OCW1: IRQ0 only */
	out %al, $PIC1_DATA
1:	cli                      /* test, then "sti; hlt": the interrupt shadow closes the race */
	cmpl $10, ticks
	jae 2f
	sti
	hlt
	jmp 1b
2:
	print "ticks="
	mov ticks, %eax
	call putdec
	expect $10, %eax, 0x01
	print " isr in handler="
	mov isr_in_handler, %eax
	call puthex2
	expect $0x01, %eax, 0x02
	call newline

	/* IRQ0 is masked now, but the PIT keeps running: its next edge sets IRR bit 0 */
	print "masked: irr="
	mov $0x0A, %al           /* OCW3: read IRR */
	out %al, $PIC1_CMD
	mov $POLL_LIMIT, %ecx
3:	in $PIC1_CMD, %al
	test $0x01, %al
	jnz 4f
	loop 3b
4:	call puthex2
	expect $0x01, %al, 0x03
	print " isr="
	mov $0x0B, %al           /* OCW3: read ISR */
	out %al, $PIC1_CMD
	in $PIC1_CMD, %al
	call puthex2
	expect $0x00, %al, 0x04
	print " imr="
	in $PIC1_DATA, %al
	call puthex2
	expect $0xFF, %al, 0x05
	call newline

	/* counter latch command: the count of a mode 2 counter is in 1..DIVISOR */
	print "latch in range: "
	mov $0x00, %al           /* channel 0, counter latch */
	out %al, $PIT_CMD
	call read_count
	call count_in_range
	call putyes
	expect $1, %al, 0x10

	/* read-back: status only, then count only, then both (status comes first) */
	print "read-back status="
	mov $0xE2, %al           /* read-back, latch status only, channel 0 */
	out %al, $PIT_CMD
	in $PIT_CH0, %al
	and $0x7F, %al           /* OUT (bit 7) depends on the moment */
	call puthex2
	expect $0x34, %al, 0x11
	print " count in range: "
	mov $0xD2, %al           /* read-back, latch count only, channel 0 */
	out %al, $PIT_CMD
	call read_count
	call count_in_range
	call putyes
	expect $1, %al, 0x12
	print "read-back both: status="
	mov $0xC2, %al
	out %al, $PIT_CMD
	in $PIT_CH0, %al
	and $0x7F, %al
	call puthex2
	expect $0x34, %al, 0x13
	print " count in range: "
	call read_count
	call count_in_range
	call putyes
	expect $1, %al, 0x14

	/* channel 2, mode 0, gate on through port 0x61 bit 0: OUT2 (port 0x61 bit 5) low, then high at terminal count */
	in $PORT61, %al
	and $0xFC, %al           /* speaker off, gate off */
	or $0x01, %al            /* gate 2 on */
	out %al, $PORT61
	mov $0xB0, %al           /* channel 2, lobyte/hibyte, mode 0, binary */
	out %al, $PIT_CMD
	mov $0xFF, %al           /* count 0xFFFF: 55 ms */
	out %al, $PIT_CH2
	out %al, $PIT_CH2
	in $PORT61, %al
	mov %al, %bl
	print "ch2 mode 0: out2 low while counting: "
	test $0x20, %bl
	call putyes
	and $0x20, %bl
	expect $0, %bl, 0x20
	print "ch2 mode 0: out2 high at terminal count: "
	mov $POLL_LIMIT, %ecx
5:	in $PORT61, %al
	test $0x20, %al
	jnz 6f
	loop 5b
6:	setnz %bl
	cmp $1, %bl
	call putyes
	expect $1, %bl, 0x21
	in $PORT61, %al
	and $0xFC, %al           /* gate off again */
	out %al, $PORT61

	xor %eax, %eax
	ret

/* read_count: the latched count of channel 0 (low byte, then high byte) into EAX. */
read_count:
	xor %eax, %eax
	in $PIT_CH0, %al
	mov %al, %ah
	in $PIT_CH0, %al
	xchg %al, %ah
	ret

/* count_in_range: AL = 1 and ZF set if 1 <= EAX <= DIVISOR, else AL = 0 and ZF clear. */
count_in_range:
	cmp $1, %eax
	jb 1f
	cmp $DIVISOR, %eax
	ja 1f
	mov $1, %al
	cmp $1, %al
	ret
1:	mov $0, %al
	cmp $1, %al
	ret

/* vector 0x20: IRQ0 */
tick:
	incl ticks
	cmpl $1, ticks
	jne 1f
	mov $0x0B, %al           /* OCW3: read ISR while IRQ0 is in service */
	out %al, $PIC1_CMD
	in $PIC1_CMD, %al
	movzbl %al, %eax
	mov %eax, isr_in_handler
	mov $0x0A, %al           /* back to IRR */
	out %al, $PIC1_CMD
1:	cmpl $10, ticks
	jb 2f
	in $PIC1_DATA, %al
	or $0x01, %al            /* mask IRQ0: the count stops here */
	out %al, $PIC1_DATA
2:	mov $0x20, %al           /* non-specific EOI */
	out %al, $PIC1_CMD
	ret

	.section .rodata
banner: .asciz "jvirt guest pit-pic\n"

	.data
	.align 4
ticks:          .long 0
isr_in_handler: .long 0xFFFFFFFF
