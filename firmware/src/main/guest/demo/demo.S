/*
 * jvirt demo guest: a Multiboot v1 kernel (32-bit, GNU as, no preprocessor).
 *
 * It takes over the CPU in flat 32-bit protected mode from any Multiboot loader
 * (QEMU's -kernel, jvirt's MultibootLoader), installs its own GDT, drives COM1
 * by polling, computes a few results with plain integer code and prints them,
 * so that every emulator and accelerator must produce the very same bytes.
 * It ends by writing 0 to the isa-debug-exit port.
 */
	.equ MB_MAGIC,        0x1BADB002
	/* bit 0 page-align modules, bit 1 memory info, bit 16 a.out-kludge address fields */
	.equ MB_FLAGS,        0x00010003
	.equ MB_BOOT_MAGIC,   0x2BADB002

	/* Workload sizes: about 1.1 million instructions in total (see README in report). */
	.equ CRC_LEN,         16384
	.equ SIEVE_LIMIT,     20000
	.equ FIB_N,           40

	.equ COM1,            0x3F8
	.equ EXIT_PORT,       0xF4     /* jvirt, and QEMU with iobase=0xf4 */
	.equ EXIT_PORT_QEMU,  0x501    /* QEMU's isa-debug-exit default iobase */

	.equ KCODE,           0x08
	.equ KDATA,           0x10

	.section .text.multiboot, "ax"
	.code32
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header          /* header_addr */
	.long mb_header          /* load_addr: the image starts with this header */
	.long _edata             /* load_end_addr */
	.long _end               /* bss_end_addr */
	.long _start             /* entry_addr */

	.text
	.globl _start
_start:
	cli
	cld
	mov %eax, %esi           /* boot magic */
	mov %ebx, %edi           /* multiboot info */
	lgdt gdt_desc
	ljmp $KCODE, $reload_cs
reload_cs:
	mov $KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov $stack_top, %esp
	mov %esi, boot_magic
	mov %edi, boot_info

	call serial_init
	mov $msg_banner, %esi
	call puts

	cmpl $MB_BOOT_MAGIC, boot_magic
	je 1f
	mov $msg_badmagic, %esi
	call puts
	mov $1, %eax
	jmp exit
1:
	/* crc32=XXXXXXXX */
	mov $msg_crc, %esi
	call puts
	call lcg_fill
	mov $crc_buf, %esi
	mov $CRC_LEN, %ecx
	call crc32
	call puthex

	/* primes=N (sum of the primes below SIEVE_LIMIT) */
	mov $msg_primes, %esi
	call puts
	call prime_sum
	call putdec

	/* fib40=XXXXXXXX */
	mov $msg_fib, %esi
	call puts
	mov $FIB_N, %ecx
	call fib
	call puthex

	/* pow=N: 3^1000000 mod 1000003 (square and multiply with mul/div) */
	mov $msg_pow, %esi
	call puts
	mov $3, %eax
	mov $1000000, %ebx
	mov $1000003, %ecx
	call powmod
	call putdec
	mov $'\n', %al
	call putc

	/* mem <lower>K/<upper>K, when the loader provides it (flags bit 0) */
	mov boot_info, %ebx
	testl $1, (%ebx)
	jz 2f
	mov $msg_mem, %esi
	call puts
	mov 4(%ebx), %eax
	call putdec
	mov $msg_kslash, %esi
	call puts
	mov 8(%ebx), %eax
	call putdec
	mov $'K', %al
	call putc
	mov $'\n', %al
	call putc
2:
	/* args="..." : the command line after its first word (the kernel's own name,
	   as GRUB and QEMU pass it), when the loader provides one (flags bit 2) */
	mov boot_info, %ebx
	testl $4, (%ebx)
	jz 5f
	mov $msg_args, %esi
	call puts
	mov 16(%ebx), %esi
3:	movzbl (%esi), %eax      /* skip the first word */
	test %al, %al
	jz 4f
	inc %esi
	cmp $' ', %al
	jne 3b
4:	call puts
	mov $'"', %al
	call putc
	mov $'\n', %al
	call putc
5:
	mov $msg_done, %esi
	call puts
	xor %eax, %eax

/* Exit with status EAX through isa-debug-exit; halt for good if nothing listens. */
exit:
	mov $EXIT_PORT, %dx
	out %eax, %dx
	mov $EXIT_PORT_QEMU, %dx
	out %ax, %dx
	cli
6:	hlt
	jmp 6b

/* COM1: interrupts off, 115200 baud (divisor 1), 8N1, FIFOs on and cleared. */
serial_init:
	mov $COM1+1, %dx
	xor %al, %al
	out %al, %dx             /* IER = 0 */
	mov $COM1+3, %dx
	mov $0x80, %al
	out %al, %dx             /* LCR: DLAB */
	mov $COM1+0, %dx
	mov $1, %al
	out %al, %dx             /* DLL = 1 */
	mov $COM1+1, %dx
	xor %al, %al
	out %al, %dx             /* DLM = 0 */
	mov $COM1+3, %dx
	mov $0x03, %al
	out %al, %dx             /* LCR: 8N1, DLAB off */
	mov $COM1+2, %dx
	mov $0xC7, %al
	out %al, %dx             /* FCR: enable, clear, 14-byte trigger */
	mov $COM1+4, %dx
	mov $0x03, %al
	out %al, %dx             /* MCR: DTR, RTS */
	ret

/* putc: AL to COM1 once the transmit holding register is empty (LSR bit 5). */
putc:
	push %edx
	push %eax
	mov $COM1+5, %dx
1:	in %dx, %al
	test $0x20, %al
	jz 1b
	pop %eax
	mov $COM1, %dx
	out %al, %dx
	pop %edx
	ret

/* puts: the NUL-terminated string at ESI. */
puts:
	push %eax
	push %esi
1:	movzbl (%esi), %eax
	test %al, %al
	jz 2f
	call putc
	inc %esi
	jmp 1b
2:	pop %esi
	pop %eax
	ret

/* puthex: EAX as 8 hex digits. */
puthex:
	push %eax
	push %ebx
	push %ecx
	mov %eax, %ebx
	mov $8, %ecx
1:	rol $4, %ebx
	mov %ebx, %eax
	and $0xF, %eax
	movzbl hexdigits(%eax), %eax
	call putc
	loop 1b
	pop %ecx
	pop %ebx
	pop %eax
	ret

/* putdec: EAX as unsigned decimal. */
putdec:
	push %eax
	push %ecx
	push %edx
	push %esi
	mov $10, %ecx
	lea numbuf_end, %esi
	movb $0, (%esi)
1:	xor %edx, %edx
	div %ecx
	add $'0', %dl
	dec %esi
	mov %dl, (%esi)
	test %eax, %eax
	jnz 1b
	call puts
	pop %esi
	pop %edx
	pop %ecx
	pop %eax
	ret

/* lcg_fill: crc_buf[i] = bits 16..23 of x, x = x * 1103515245 + 12345, x0 = 1. */
lcg_fill:
	mov $1, %eax
	mov $crc_buf, %edi
	mov $CRC_LEN, %ecx
	mov $1103515245, %ebx
1:	imul %ebx, %eax
	add $12345, %eax
	mov %eax, %edx
	shr $16, %edx
	mov %dl, (%edi)
	inc %edi
	dec %ecx
	jnz 1b
	ret

/* crc32: CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) of ECX bytes at ESI, into EAX. */
crc32:
	mov $0xFFFFFFFF, %eax
1:	movzbl (%esi), %edx
	xor %edx, %eax
	mov $8, %edx
2:	shr $1, %eax
	jnc 3f
	xor $0xEDB88320, %eax
3:	dec %edx
	jnz 2b
	inc %esi
	dec %ecx
	jnz 1b
	not %eax
	ret

/* prime_sum: sum of the primes below SIEVE_LIMIT by the sieve of Eratosthenes, into EAX. */
prime_sum:
	push %ebx
	mov $sieve, %edi
	mov $SIEVE_LIMIT, %ecx
	mov $1, %al
	rep stosb                /* every number a candidate */
	movb $0, sieve
	movb $0, sieve+1
	mov $2, %ebx             /* p */
1:	mov %ebx, %eax
	mul %ebx                 /* p * p */
	cmp $SIEVE_LIMIT, %eax
	jae 4f
	cmpb $0, sieve(%ebx)
	je 3f
2:	movb $0, sieve(%eax)     /* strike p*p, p*p+p, ... */
	add %ebx, %eax
	cmp $SIEVE_LIMIT, %eax
	jb 2b
3:	inc %ebx
	jmp 1b
4:	xor %eax, %eax
	xor %ebx, %ebx
5:	cmpb $0, sieve(%ebx)
	je 6f
	add %ebx, %eax
6:	inc %ebx
	cmp $SIEVE_LIMIT, %ebx
	jb 5b
	pop %ebx
	ret

/* fib: fib(ECX) mod 2^32 (fib(0) = 0, fib(1) = 1), into EAX. */
fib:
	xor %eax, %eax
	mov $1, %edx
	jecxz 2f
1:	lea (%eax,%edx), %ebx
	mov %edx, %eax
	mov %ebx, %edx
	loop 1b
2:	ret

/* powmod: EAX^EBX mod ECX (ECX < 2^16 * 2^16), into EAX, by binary exponentiation. */
powmod:
	push %esi
	push %edi
	xor %edx, %edx
	div %ecx
	mov %edx, %esi           /* base mod m */
	mov $1, %edi             /* result */
1:	test %ebx, %ebx
	jz 3f
	shr $1, %ebx
	jnc 2f
	mov %edi, %eax
	mul %esi
	div %ecx
	mov %edx, %edi
2:	mov %esi, %eax
	mul %esi
	div %ecx
	mov %edx, %esi
	jmp 1b
3:	mov %edi, %eax
	pop %edi
	pop %esi
	ret

	.section .rodata
	.align 8
gdt:
	.quad 0                  /* null */
	.quad 0x00CF9A000000FFFF /* 0x08: code, base 0, 4 GiB, 32-bit, ring 0 */
	.quad 0x00CF92000000FFFF /* 0x10: data, base 0, 4 GiB, writable */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

hexdigits:    .ascii "0123456789abcdef"
msg_banner:   .asciz "jvirt demo guest: 32-bit protected mode\n"
msg_badmagic: .asciz "not started by a multiboot loader\n"
msg_crc:      .asciz "crc32="
msg_primes:   .asciz " primes="
msg_fib:      .asciz " fib40="
msg_pow:      .asciz " pow="
msg_mem:      .asciz "mem "
msg_kslash:   .asciz "K/"
msg_args:     .asciz "args=\""
msg_done:     .asciz "done\n"

	.data
	.align 4
boot_magic: .long 0
boot_info:  .long 0

	.bss
	.align 16
numbuf:     .skip 11
numbuf_end: .skip 1
	.align 16
crc_buf:    .skip CRC_LEN
sieve:      .skip SIEVE_LIMIT
	.align 16
stack:      .skip 4096
stack_top:
