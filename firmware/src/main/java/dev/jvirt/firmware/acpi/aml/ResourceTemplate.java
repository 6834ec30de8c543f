package dev.jvirt.firmware.acpi.aml;

/**
 * A ResourceTemplate (ACPI 6.x, 6.4 Resource Data Types): resource descriptors followed by the End
 * Tag, wrapped in an AML Buffer. The End Tag's checksum byte is 0, which the specification
 * defines as "treat the checksum as correct".
 */
public final class ResourceTemplate {
    /** General flags of address space descriptors (6.4.3.5): bit 0 consumer, 1 _DEC, 2 _MIF, 3 _MAF. */
    public static final int CONSUMER = 1, SUB_DECODE = 1 << 1, MIN_FIXED = 1 << 2, MAX_FIXED = 1 << 3;

    private static final int RESOURCE_MEMORY = 0, RESOURCE_IO = 1, RESOURCE_BUS = 2;
    /** Memory type-specific flags: _RW bit 0, _MEM bits 2-1 (1 = cacheable). */
    public static final int MEM_READ_WRITE = 1, MEM_CACHEABLE = 1 << 1;
    /** I/O type-specific flags: _RNG = 3, both ISA and non-ISA ranges. */
    private static final int IO_ENTIRE_RANGE = 3;

    private final ByteBuilder b = new ByteBuilder();

    /** I/O Port descriptor (6.4.2.5), 16-bit decode: tag 0x47. */
    public ResourceTemplate io(int min, int max, int alignment, int length) {
        b.u8(0x47).u8(0x01).u16(min).u16(max).u8(alignment).u8(length);
        return this;
    }

    /** IRQ descriptor without flags (6.4.2.1), tag 0x22: the 16-bit IRQ mask; implies edge, active high. */
    public ResourceTemplate irqNoFlags(int... irqs) {
        b.u8(0x22).u16(mask(irqs));
        return this;
    }

    /** IRQ descriptor with flags (6.4.2.1), tag 0x23: bit 0 _HE (edge), 3 _LL (active low), 4 _SHR. */
    public ResourceTemplate irq(boolean edge, boolean activeLow, boolean shared, int... irqs) {
        b.u8(0x23).u16(mask(irqs)).u8((edge ? 1 : 0) | (activeLow ? 1 << 3 : 0) | (shared ? 1 << 4 : 0));
        return this;
    }

    /**
     * Extended Interrupt descriptor (6.4.3.6), tag 0x89: flags bit 0 consumer, 1 _HE, 2 _LL, 3 _SHR;
     * then the count and 32-bit interrupt numbers. The first number sits at byte 5.
     */
    public ResourceTemplate interrupt(boolean consumer, boolean edge, boolean activeLow, boolean shared, int... gsis) {
        if (gsis.length == 0 || gsis.length > 255) throw new IllegalArgumentException("1-255 interrupts");
        b.u8(0x89).u16(2 + 4 * gsis.length)
                .u8((consumer ? 1 : 0) | (edge ? 1 << 1 : 0) | (activeLow ? 1 << 2 : 0) | (shared ? 1 << 3 : 0))
                .u8(gsis.length);
        for (int g : gsis) b.u32(g);
        return this;
    }

    /** 32-Bit Fixed Memory Range descriptor (6.4.3.4), tag 0x86: bit 0 of the information byte is _RW. */
    public ResourceTemplate memory32Fixed(boolean readWrite, long base, long length) {
        b.u8(0x86).u16(9).u8(readWrite ? 1 : 0).u32(base).u32(length);
        return this;
    }

    /** Word Address Space descriptor (6.4.3.5.3), bus number range, produced: tag 0x88. */
    public ResourceTemplate wordBusNumber(int generalFlags, int min, int max, int translation, int length) {
        return word(RESOURCE_BUS, generalFlags, 0, 0, min, max, translation, length);
    }

    /** Word Address Space descriptor, I/O range covering ISA and non-ISA addresses. */
    public ResourceTemplate wordIo(int generalFlags, int min, int max, int translation, int length) {
        return word(RESOURCE_IO, generalFlags, IO_ENTIRE_RANGE, 0, min, max, translation, length);
    }

    /** DWord Address Space descriptor (6.4.3.5.2), memory: tag 0x87. */
    public ResourceTemplate dwordMemory(int generalFlags, int typeFlags, long min, long max, long translation, long length) {
        b.u8(0x87).u16(23).u8(RESOURCE_MEMORY).u8(generalFlags).u8(typeFlags)
                .u32(0).u32(min).u32(max).u32(translation).u32(length);
        return this;
    }

    /** QWord Address Space descriptor (6.4.3.5.1), memory: tag 0x8A. */
    public ResourceTemplate qwordMemory(int generalFlags, int typeFlags, long min, long max, long translation, long length) {
        b.u8(0x8A).u16(43).u8(RESOURCE_MEMORY).u8(generalFlags).u8(typeFlags)
                .u64(0).u64(min).u64(max).u64(translation).u64(length);
        return this;
    }

    private ResourceTemplate word(int type, int generalFlags, int typeFlags, int granularity, int min, int max,
                                  int translation, int length) {
        b.u8(0x88).u16(13).u8(type).u8(generalFlags).u8(typeFlags)
                .u16(granularity).u16(min).u16(max).u16(translation).u16(length);
        return this;
    }

    /** The descriptors and the End Tag (0x79, checksum 0), without the Buffer wrapper. */
    public byte[] descriptors() {
        return ByteBuilder.concat(b.toArray(), new byte[] {0x79, 0x00});
    }

    /** The template as an AML Buffer, as ResourceTemplate() compiles. */
    public byte[] build() { return Aml.buffer(descriptors()); }

    private static int mask(int[] irqs) {
        int m = 0;
        for (int irq : irqs) {
            if (irq < 0 || irq > 15) throw new IllegalArgumentException("ISA IRQ out of range: " + irq);
            m |= 1 << irq;
        }
        return m;
    }
}
