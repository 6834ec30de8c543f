/*
 * exceptions: faults delivered through the IDT (Intel SDM Vol. 3A 6.15) with the saved EIP at the
 * faulting instruction and the documented error codes: #DE (DIV by zero), #UD (UD2) and #GP
 * (loading DS with a selector beyond the GDT limit: error code = the selector). The handler records
 * the vector, error code and saved EIP and resumes after the faulting instruction.
 * (No INT3/INT n: KVM's instruction emulator, all there is on kvm_pvm, has no protected-mode INT.)
 */
	.include "lib.inc"


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
	movl $fault, handlers + 0 * 4
	movl $fault, handlers + 6 * 4
	movl $fault, handlers + 13 * 4
	movl $fault, handlers + 14 * 4

	print "de: "
	mov $5, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	faulting div %ecx
	mov $0x00, %ebx
	call report
	call newline

	print "ud: "
	faulting ud2
	mov $0x06, %ebx
	call report
	call newline

	print "gp: "
	mov $0x18, %eax          /* GDT limit is 0x17 */
	faulting mov %eax, %ds
	mov $0x0D, %ebx
	call report
	call report_error
	expect $0x18, %eax, 0x30
	call newline
	mov $KDATA, %eax
	mov %eax, %ds

	xor %eax, %eax
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
banner: .asciz "jvirt guest exceptions\n"

	.data
	.align 4
resume:     .long 0
fault_at:   .long 0
got_vector: .long 0
got_error:  .long 0
got_eip:    .long 0
got_cr2:    .long 0
