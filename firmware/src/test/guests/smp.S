/*
 * smp: the MP initialization protocol (Intel SDM Vol. 3A 9.4, 8.4.4 in older editions; 11.6.1 for
 * the ICR). The bootstrap processor reads the CPU count from fw_cfg (key 0x05, NB_CPUS), prints its
 * APIC ID, then starts the application processors one at a time with INIT (assert, then the
 * de-assert that modern processors ignore), SIPI, SIPI through its local APIC's ICR. Each AP begins
 * in real mode at the trampoline copied to 0x8000 (SIPI vector 0x08: CS = 0x0800, IP = 0), enters
 * protected mode, prints its APIC ID as its local APIC and CPUID.1:EBX report it (serialized by a
 * spin lock), counts how often it was started and halts with interrupts disabled. One start per
 * INIT shows that the second SIPI is ignored. The BSP then sends the first AP INIT-SIPI-SIPI again:
 * INIT takes a halted AP back to wait-for-SIPI, and it starts a second time.
 */
	.include "lib.inc"

	.equ LAPIC_ID, LAPIC + 0x20
	.equ LAPIC_ICR_LOW, LAPIC + 0x300
	.equ LAPIC_ICR_HIGH, LAPIC + 0x310
	.equ ICR_INIT_ASSERT, 0x00004500     /* delivery mode INIT, level assert */
	.equ ICR_INIT_DEASSERT, 0x00008500   /* INIT, level-triggered, de-assert */
	.equ ICR_SIPI, 0x00004600            /* start-up, level assert (the vector goes in bits 7:0) */
	.equ TRAMPOLINE, 0x8000
	.equ SIPI_VECTOR, TRAMPOLINE >> 12
	.equ FW_CFG_SELECTOR, 0x510
	.equ FW_CFG_DATA, 0x511
	.equ FW_CFG_NB_CPUS, 0x05
	.equ MAX_CPUS, 16
	.equ AP_STACK_SIZE, 1024
	.equ WAIT_LOOPS, 2000000

	.text
main:
	/* the CPU count, a 16-bit little-endian fw_cfg item */
	mov $FW_CFG_SELECTOR, %dx
	mov $FW_CFG_NB_CPUS, %ax
	out %ax, %dx
	mov $FW_CFG_DATA, %dx
	in %dx, %al
	movzbl %al, %ebx
	in %dx, %al
	movzbl %al, %eax
	shl $8, %eax
	or %eax, %ebx
	mov %ebx, cpus
	print "cpus="
	mov %ebx, %eax
	call putdec
	cmp $1, %ebx
	jb fail_count
	cmp $MAX_CPUS, %ebx
	ja fail_count

	print " bsp "
	call print_ids
	call newline
	movl $0x1FF, LAPIC_SVR   /* software enabled, spurious vector 0xFF */

	/* the trampoline below 1 MiB, where a SIPI vector can point */
	mov $trampoline, %esi
	mov $TRAMPOLINE, %edi
	mov $(trampoline_end - trampoline), %ecx
	rep movsb

	mov $1, %ebx             /* APIC ID of the next AP */
1:	cmp cpus, %ebx
	jae 2f
	call start_ap
	test %eax, %eax
	jnz 9f
	inc %ebx
	jmp 1b

2:	cmpl $1, cpus
	je 3f
	mov $1, %ebx             /* again: INIT brings the halted AP back to wait-for-SIPI */
	call start_ap
	test %eax, %eax
	jnz 9f
3:	xor %eax, %eax
9:	ret

fail_count:
	mov $0x02, %eax
	ret

/* Starts the AP with APIC ID EBX and waits until it has printed; EAX = 0, or 0x10 if it never did. */
start_ap:
	mov started, %ecx
	inc %ecx
	mov %ebx, %eax
	shl $24, %eax
	mov %eax, LAPIC_ICR_HIGH
	movl $ICR_INIT_ASSERT, LAPIC_ICR_LOW
	mov %eax, LAPIC_ICR_HIGH
	movl $ICR_INIT_DEASSERT, LAPIC_ICR_LOW
	call short_wait
	mov %eax, LAPIC_ICR_HIGH
	movl $(ICR_SIPI | SIPI_VECTOR), LAPIC_ICR_LOW
	call short_wait
	mov %eax, LAPIC_ICR_HIGH
	movl $(ICR_SIPI | SIPI_VECTOR), LAPIC_ICR_LOW
	mov $WAIT_LOOPS, %edx
1:	cmp started, %ecx
	je 2f
	pause
	dec %edx
	jnz 1b
	print "ap "
	mov %ebx, %eax
	call puthex2
	print " did not start\n"
	mov $0x10, %eax
	ret
	/* the AP is running and has printed; give a second, wrongly honoured SIPI time to show */
2:	call short_wait
	call short_wait
	xor %eax, %eax
	ret

/* A pause between IPIs, as the SDM's sequence has (its length does not matter to an emulator). */
short_wait:
	push %ecx
	mov $1000, %ecx
1:	pause
	loop 1b
	pop %ecx
	ret

/* Prints "apic=XX cpuid=XX count=XX" for the processor running it. */
print_ids:
	push %eax
	push %ebx
	push %ecx
	push %edx
	print "apic="
	mov LAPIC_ID, %eax
	shr $24, %eax
	call puthex2
	mov $1, %eax
	cpuid
	print " cpuid apic="
	mov %ebx, %eax
	shr $24, %eax
	call puthex2
	print " count="
	mov %ebx, %eax
	shr $16, %eax
	cmpl $1, cpus
	jne 1f
	xor %eax, %eax           /* one processor: CPUID.1:EBX[23:16] is reserved without HTT */
1:	call puthex2
	pop %edx
	pop %ecx
	pop %ebx
	pop %eax
	ret

/* The AP's first instructions, copied to TRAMPOLINE; position-independent real-mode code. */
	.code16
trampoline:
	cli
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdt_desc - trampoline
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $KCODE, $ap_entry
	.align 4
tramp_gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
trampoline_end:
	.code32

ap_entry:
	mov $KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov LAPIC_ID, %ebx
	shr $24, %ebx
	and $(MAX_CPUS - 1), %ebx
	mov %ebx, %esp
	inc %esp
	shl $10, %esp            /* AP_STACK_SIZE per APIC ID */
	add $ap_stacks, %esp
	lidt idt_desc
1:	mov $1, %eax
	xchg %eax, print_lock
	test %eax, %eax
	jz 2f
	pause
	jmp 1b
2:	incl starts(,%ebx,4)
	print "ap "
	call print_ids
	print " start="
	mov starts(,%ebx,4), %eax
	call putdec
	call newline
	incl started
	movl $0, print_lock
3:	cli
	hlt
	jmp 3b

	.section .rodata
banner: .asciz "jvirt guest smp\n"

	.data
	.align 4
print_lock: .long 0
started:    .long 0
cpus:       .long 0
starts:     .skip MAX_CPUS * 4

	.bss
	.align 16
ap_stacks:  .skip (MAX_CPUS + 1) * AP_STACK_SIZE
