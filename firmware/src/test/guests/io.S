/*
 * io: port I/O of sizes 1, 2 and 4 and MMIO of the chipset, printing what it reads.
 *
 * CMOS NVRAM (MC146818: index port 0x70, data port 0x71; a 16-bit OUT to 0x70 is an index byte then a
 * data byte, as the ISA bus splits it), PCI configuration mechanism #1 (0xCF8/0xCFC, PCI Local Bus
 * 3.0 section 3.2.2.3.2) with dword, word and byte reads, the POST port 0x80 and an unclaimed port
 * (both read all-ones), the I/O APIC's indirect registers (82093AA: IOREGSEL 0x00, IOWIN 0x10) and
 * the HPET's capability and main counter registers (IA-PC HPET 1.0a section 2.3).
 * No interrupts are enabled.
 */
	.include "lib.inc"

	.equ CMOS_INDEX, 0x70
	.equ CMOS_DATA, 0x71
	.equ PCI_ADDR, 0xCF8
	.equ PCI_DATA, 0xCFC
	.equ POST, 0x80
	.equ UNCLAIMED, 0x2A0

	.text
main:
	/* CMOS: write two NVRAM bytes, one with byte OUTs, one with a word OUT; read them back */
	mov $0x48, %al
	out %al, $CMOS_INDEX
	mov $0xA5, %al
	out %al, $CMOS_DATA
	mov $0x5A49, %ax         /* index 0x49, then data 0x5A */
	out %ax, $CMOS_INDEX
	print "cmos[48]="
	mov $0x48, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	call puthex2
	expect $0xA5, %al, 0x01
	print " cmos[49]="
	mov $0x49, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	call puthex2
	expect $0x5A, %al, 0x02
	/* a word IN at 0x70 reads the write-only index port (all-ones) and the data port */
	print " in16(70)="
	in $CMOS_INDEX, %ax
	call puthex4
	expect $0x5AFF, %ax, 0x03
	call newline

	/* PCI 00:00.0, the i440FX host bridge */
	mov $PCI_ADDR, %dx
	mov $0x80000000, %eax
	out %eax, %dx
	print "pci 00.0 id="
	mov $PCI_DATA, %dx
	in %dx, %eax
	call puthex
	expect $0x12378086, %eax, 0x10
	print " words="
	in %dx, %ax
	call puthex4
	mov %eax, %ebx
	mov $' ', %al
	call putc
	mov $PCI_DATA+2, %dx
	in %dx, %ax
	call puthex4
	shl $16, %eax
	mov %bx, %ax
	expect $0x12378086, %eax, 0x11
	print " bytes="
	xor %ebx, %ebx
	mov $PCI_DATA+3, %dx
	mov $4, %ecx
1:	in %dx, %al              /* from the top byte down */
	call puthex2
	shl $8, %ebx
	mov %al, %bl
	dec %dx
	loop 1b
	expect $0x12378086, %ebx, 0x12
	call newline
	/* the address register reads back what was written (QEMU keeps bits 0-1, which the PCI spec
	   makes read-only zero, so they are left clear here) */
	mov $PCI_ADDR, %dx
	mov $0x80000B08, %eax    /* 00:01.3 register 0x08 */
	out %eax, %dx
	print "pci addr="
	in %dx, %eax
	call puthex
	expect $0x80000B08, %eax, 0x13
	print " 01.3 id="
	and $0xFFFFFF00, %eax
	out %eax, %dx
	mov $PCI_DATA, %dx
	in %dx, %eax
	call puthex
	expect $0x71138086, %eax, 0x14
	print " 01.0 id="
	mov $PCI_ADDR, %dx
	mov $0x80000800, %eax
	out %eax, %dx
	mov $PCI_DATA, %dx
	in %dx, %eax
	call puthex
	expect $0x70008086, %eax, 0x15
	print " 1f.0 id="
	mov $PCI_ADDR, %dx
	mov $0x8000F800, %eax    /* no device: all-ones */
	out %eax, %dx
	mov $PCI_DATA, %dx
	in %dx, %eax
	call puthex
	expect $0xFFFFFFFF, %eax, 0x16
	call newline

	/* POST port and an unclaimed port read all-ones at every size */
	mov $0x42, %al
	out %al, $POST
	print "post="
	in $POST, %al
	call puthex2
	expect $0xFF, %al, 0x20
	print " unclaimed="
	mov $UNCLAIMED, %dx
	in %dx, %al
	call puthex2
	expect $0xFF, %al, 0x21
	mov $' ', %al
	call putc
	in %dx, %ax
	call puthex4
	expect $0xFFFF, %ax, 0x22
	mov $' ', %al
	call putc
	in %dx, %eax
	call puthex
	expect $0xFFFFFFFF, %eax, 0x23
	call newline

	/* I/O APIC: version, ID, and a redirection entry written and read back (masked) */
	print "ioapic version="
	movl $0x01, IOAPIC_IOREGSEL
	mov IOAPIC_IOWIN, %eax
	call puthex
	expect $0x00170020, %eax, 0x30
	print " ioregsel="
	mov IOAPIC_IOREGSEL, %eax
	and $0xFF, %eax
	call puthex2
	expect $0x01, %eax, 0x31
	print " rte5="
	movl $0x1A, IOAPIC_IOREGSEL     /* pin 5, low dword */
	movl $0x0001A035, IOAPIC_IOWIN  /* masked, level, active low, vector 0x35 */
	movl $0x1B, IOAPIC_IOREGSEL     /* pin 5, high dword */
	movl $0x03000000, IOAPIC_IOWIN  /* destination 3 */
	mov IOAPIC_IOWIN, %eax
	call puthex
	expect $0x03000000, %eax, 0x32
	mov $':', %al
	call putc
	movl $0x1A, IOAPIC_IOREGSEL
	mov IOAPIC_IOWIN, %eax
	call puthex
	expect $0x0001A035, %eax, 0x33
	movl $0x00010000, IOAPIC_IOWIN  /* back to the reset value: masked */
	movl $0x1B, IOAPIC_IOREGSEL
	movl $0, IOAPIC_IOWIN
	call newline

	/* HPET: capabilities (vendor 8086, 64-bit counter, legacy route capable, 3 timers) and period */
	print "hpet caps="
	mov HPET, %eax
	call puthex
	expect $0x8086A201, %eax, 0x40
	print " period="
	mov HPET+4, %eax
	call puthex
	expect $0x00989680, %eax, 0x41  /* 10^7 fs = 10 ns */
	/* the main counter runs once ENABLE_CNF is set */
	movl $1, HPET+0x10
	print " counter runs: "
	mov HPET+0xF0, %ebx
	mov $1000000, %ecx
2:	mov HPET+0xF0, %eax
	cmp %eax, %ebx
	jne 3f
	loop 2b
3:	movl $0, HPET+0x10
	cmp %eax, %ebx
	setne %al
	cmp $1, %al
	call putyes
	expect $1, %al, 0x42

	xor %eax, %eax
	ret

	.section .rodata
banner: .asciz "jvirt guest io\n"
