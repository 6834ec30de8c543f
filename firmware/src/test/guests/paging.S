/*
 * paging: 32-bit paging with 4 MiB pages (CR4.PSE; Intel SDM Vol. 3A 4.3) and page faults (4.7):
 * a write and a read of a not-present page (error code W/R=1 resp. 0, P=0) and, with CR0.WP set, a
 * supervisor write to a read-only page (P=1, W/R=1), each with the saved EIP at the faulting
 * instruction and the linear address in CR2; the read-only page stays readable.
 * (kvm_pvm hosts refuse non-PAE paging: MOV to CR0 with PG raises #GP there.)
 */
	.include "lib.inc"

	.equ CR0_PG, 0x80000000
	.equ CR0_WP, 0x00010000
	.equ CR4_PSE, 0x10

/* Runs the instruction(s) \insn, expecting exception \vector there; resumes after it. */
	.macro faulting insn:vararg
	movl $.Lafter\@, resume
	movl $0xFFFFFFFF, got_vector
	movl $.Lat\@, fault_at
.Lat\@:
	\insn
.Lafter\@:
	.endm

	.text
main:
	movl $fault, handlers + 14 * 4

	/* paging: 0-4 MiB identity (writable), 4-8 MiB absent, 8-12 MiB identity read-only */
	movl $0x00000083, page_dir + 0 * 4
	movl $0x00000000, page_dir + 1 * 4
	movl $0x00800081, page_dir + 2 * 4
	mov %cr4, %eax
	or $CR4_PSE, %eax
	mov %eax, %cr4
	mov $page_dir, %eax
	mov %eax, %cr3
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	jmp 1f
1:
	print "pf write: "
	faulting movl $1, 0x00400000
	mov $0x0E, %ebx
	call report
	call report_error
	expect $0x0002, %eax, 0x40
	call report_cr2
	expect $0x00400000, %eax, 0x41
	call newline

	print "pf read: "
	faulting mov 0x00400010, %eax
	mov $0x0E, %ebx
	call report
	call report_error
	expect $0x0000, %eax, 0x42
	call report_cr2
	expect $0x00400010, %eax, 0x43
	call newline

	print "pf write read-only (wp): "
	faulting movl $1, 0x00800020
	mov $0x0E, %ebx
	call report
	call report_error
	expect $0x0003, %eax, 0x44
	call report_cr2
	expect $0x00800020, %eax, 0x45
	call newline

	print "read-only page reads: "
	mov 0x00800020, %eax     /* RAM, mapped read-only: readable */
	mov %eax, %ebx
	mov 0x00800020, %eax
	cmp %eax, %ebx
	call putyes

	mov %cr0, %eax
	and $~(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	jmp 2f
2:	xor %eax, %eax
	ret

/* report: prints "vector=XX eip=fault"; fails unless the vector is EBX and the saved EIP was
   the faulting instruction (else its address is printed). */
report:
	print "vector="
	mov got_vector, %eax
	call puthex2
	expect %ebx, %eax, 0x10
	print " eip="
	mov got_eip, %eax
	cmp fault_at, %eax
	je 1f
	call puthex
	mov $0x11, %eax
	jmp fail
1:	print "fault"
	ret

/* report_error: " error=XXXX", the error code into EAX. */
report_error:
	print " error="
	mov got_error, %eax
	call puthex4
	ret

/* report_cr2: " cr2=XXXXXXXX", CR2 into EAX. */
report_cr2:
	print " cr2="
	mov got_cr2, %eax
	call puthex
	ret

/* the handler of #DE, #UD, #GP and #PF: record, then resume after the faulting instruction */
fault:
	mov (%esi), %eax
	mov %eax, got_vector
	lea 4(%esi), %edi        /* the saved EIP, unless an error code comes first */
	movl $0xFFFFFFFF, got_error
	cmp $13, %eax
	jb 1f
	mov (%edi), %ebx
	mov %ebx, got_error
	add $4, %edi
	mov %cr2, %ebx
	mov %ebx, got_cr2
1:	mov (%edi), %ebx
	mov %ebx, got_eip
	mov resume, %ebx
	mov %ebx, (%edi)
	ret

	.section .rodata
banner: .asciz "jvirt guest paging\n"

	.data
	.align 4
resume:     .long 0
fault_at:   .long 0
got_vector: .long 0
got_error:  .long 0
got_eip:    .long 0
got_cr2:    .long 0

	.bss
	.align 4096
page_dir:   .skip 4096
