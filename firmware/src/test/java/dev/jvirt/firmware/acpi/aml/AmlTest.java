package dev.jvirt.firmware.acpi.aml;

import dev.jvirt.firmware.acpi.aml.Aml.FieldUnit;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static dev.jvirt.firmware.acpi.aml.Aml.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Expected bytes are worked out by hand from the ACPI 6.x AML grammar (chapter 20). */
class AmlTest {
    private static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    @Test
    void pkgLengthUsesOneByteUpTo63AndSplitsNibbleThenBytesBeyond() {
        // 63 fits bits 5-0 of a single lead byte.
        assertArrayEquals(hex("3F"), PkgLength.encode(63));
        // 64 = 0x040: lead 01xx_0000 (1 byte follows, low nibble 0), then 0x04.
        assertArrayEquals(hex("40 04"), PkgLength.encode(64));
        // 4095 = 0xFFF: the largest 2-byte value, lead 0x4F, then 0xFF.
        assertArrayEquals(hex("4F FF"), PkgLength.encode(4095));
        // 4096 = 0x1000: needs 2 following bytes, lead 10xx_0000, then 0x00 0x01.
        assertArrayEquals(hex("80 00 01"), PkgLength.encode(4096));
        // 2^20 = 0x100000: 3 following bytes, lead 0xC0, then 00 00 01.
        assertArrayEquals(hex("C0 00 00 01"), PkgLength.encode(1 << 20));
        assertThrows(IllegalArgumentException.class, () -> PkgLength.encode(1 << 28));
    }

    @Test
    void pkgLengthOfAPackageCountsItsOwnBytes() {
        // 62 bytes of content + 1 = 63: still one byte.
        assertArrayEquals(hex("3F"), PkgLength.forContent(62));
        // 63 + 1 = 64 does not fit one byte; with two bytes the value is 63 + 2 = 65 = 0x41.
        assertArrayEquals(hex("41 04"), PkgLength.forContent(63));
        // 4093 + 2 = 4095 fits two bytes; 4094 + 2 = 4096 does not, so 4094 + 3 = 4097 = 0x1001.
        assertArrayEquals(hex("4F FF"), PkgLength.forContent(4093));
        assertArrayEquals(hex("81 00 01"), PkgLength.forContent(4094));
    }

    @Test
    void nameStringsPadSegmentsAndUsePrefixes() {
        assertArrayEquals(hex("5F 53 42 5F"), NameString.encode("_SB"));                  // "_SB_"
        assertArrayEquals(hex("5C 5F 53 42 5F"), NameString.encode("\\_SB"));             // RootChar '\'
        assertArrayEquals(hex("5C 00"), NameString.encode("\\"));                         // root + NullName
        assertArrayEquals(hex("5E 5E 4C 4E 4B 41"), NameString.encode("^^LNKA"));          // two ParentPrefixChar '^'
        // DualNamePrefix 0x2E: "\_SB.PCI0"
        assertArrayEquals(hex("5C 2E 5F53425F 50434930"), NameString.encode("\\_SB.PCI0"));
        // MultiNamePrefix 0x2F, SegCount 3: "PCI0.ISA.P40C" with "ISA" padded to "ISA_"
        assertArrayEquals(hex("2F 03 50434930 4953415F 50343043"), NameString.encode("PCI0.ISA.P40C"));
        assertThrows(IllegalArgumentException.class, () -> NameString.encode("1ABC"));
        assertThrows(IllegalArgumentException.class, () -> NameString.encode("TOOLONG"));
    }

    @Test
    void integersTakeTheShortestEncoding() {
        assertArrayEquals(hex("00"), integer(0));                         // ZeroOp
        assertArrayEquals(hex("01"), integer(1));                         // OneOp
        assertArrayEquals(hex("FF"), integer(-1));                        // OnesOp
        assertArrayEquals(hex("0A 02"), integer(2));                      // BytePrefix
        assertArrayEquals(hex("0A FF"), integer(0xFF));
        assertArrayEquals(hex("0B 00 01"), integer(0x100));               // WordPrefix
        assertArrayEquals(hex("0C 00 00 01 00"), integer(0x10000));       // DWordPrefix
        assertArrayEquals(hex("0C FF FF FF FF"), integer(0xFFFF_FFFFL));
        assertArrayEquals(hex("0E 00 00 00 00 01 00 00 00"), integer(1L << 32)); // QWordPrefix
    }

    @Test
    void eisaIdPacksVendorLettersAndProductDigits() {
        // "PNP" = 16,14,16 -> 0 10000 01110 10000 = 0x41D0; product 0x0A03; bytes 41 D0 0A 03.
        assertEquals(0x030A_D041L, EisaId.encode("PNP0A03"));
        // Name(_HID, EisaId("PNP0A03")): NameOp 08, "_HID", DWordPrefix 0C and the 4 bytes.
        assertArrayEquals(hex("08 5F 48 49 44 0C 41 D0 0A 03"), name("_HID", eisaId("PNP0A03")));
        // Name(_HID, EisaId("PNP0C0F")) -> product 0x0C0F.
        assertArrayEquals(hex("0C 41 D0 0C 0F"), eisaId("PNP0C0F"));
    }

    @Test
    void stringsBuffersAndPackages() {
        // StringPrefix 0D, "ACPI0007", NUL.
        assertArrayEquals(hex("0D 41 43 50 49 30 30 30 37 00"), string("ACPI0007"));
        // BufferOp 11, PkgLength 5 (itself + BufferSize 0A 02 + 2 bytes), BufferSize, bytes.
        assertArrayEquals(hex("11 05 0A 02 79 00"), buffer(hex("79 00")));
        // Package(4){0,0,0,0} as \_S5 uses: PackageOp 12, PkgLength 6, NumElements 4, four ZeroOps.
        assertArrayEquals(hex("12 06 04 00 00 00 00"), pkg(integer(0), integer(0), integer(0), integer(0)));
        assertArrayEquals(hex("08 5F 53 35 5F 12 06 04 00 00 00 00"),
                name("_S5", pkg(integer(0), integer(0), integer(0), integer(0))));
    }

    @Test
    void scopeDeviceAndMethod() {
        // Scope(\){}: ScopeOp 10, PkgLength 3 (itself + 5C 00), NameString "\".
        assertArrayEquals(hex("10 03 5C 00"), scope("\\"));
        // Device(LNKA){Name(_UID, 0)}: 5B 82, PkgLength 1+4+6 = 11.
        assertArrayEquals(hex("5B 82 0B 4C4E4B41 08 5F554944 00"), device("LNKA", name("_UID", integer(0))));
        // Method(_SRS, 1, Serialized){}: MethodOp 14, PkgLength 6, "_SRS", flags 0000_1001.
        assertArrayEquals(hex("14 06 5F535253 09"), method("_SRS", 1, true));
        // Method(_STA){Return(0x0B)}: ReturnOp A4, BytePrefix 0A 0B; flags 0.
        assertArrayEquals(hex("14 09 5F535441 00 A4 0A 0B"), method("_STA", 0, false, returnValue(integer(0x0B))));
    }

    @Test
    void controlFlowAndOperators() {
        // If(LEqual(Arg0, 1)){Return(Zero)} Else{Return(One)}
        byte[] ifPart = ifThen(lEqual(arg(0), integer(1)), returnValue(integer(0)));
        // IfOp A0, PkgLength 1+3+2 = 6, LEqualOp 93 Arg0 68 OneOp 01, ReturnOp A4 ZeroOp 00.
        assertArrayEquals(hex("A0 06 93 68 01 A4 00"), ifPart);
        assertArrayEquals(hex("A1 03 A4 01"), elseDo(returnValue(integer(1))));
        // Or(PRQ0, 0x80, PRQ0): OrOp 7D, operands, target.
        assertArrayEquals(hex("7D 50525130 0A 80 50525130"), or(ref("PRQ0"), integer(0x80), ref("PRQ0")));
        // And(0x80, Arg0) with no target: AndOp 7B, operands, NullName.
        assertArrayEquals(hex("7B 0A 80 68 00"), and(integer(0x80), arg(0), NO_TARGET));
        // Store(Local0, Arg1): StoreOp 70, Local0 60, Arg1 69.
        assertArrayEquals(hex("70 60 69"), store(local(0), arg(1)));
        // CreateDWordField(Arg0, 5, PRRI): 8A, Arg0 68, 0A 05, "PRRI".
        assertArrayEquals(hex("8A 68 0A 05 50525249"), createDWordField(arg(0), integer(5), "PRRI"));
        // LLess(Arg0, 0x80): 95 68 0A 80.
        assertArrayEquals(hex("95 68 0A 80"), lLess(arg(0), integer(0x80)));
    }

    @Test
    void operationRegionAndField() {
        // OperationRegion(P40C, PCI_Config, 0x60, 4): 5B 80, "P40C", space 02, 0A 60, 0A 04.
        assertArrayEquals(hex("5B 80 50343043 02 0A 60 0A 04"), operationRegion("P40C", PCI_CONFIG, 0x60, 4));
        // Field(P40C, ByteAcc, NoLock, Preserve){PRQ0, 8, , 8, PRQ1, 8}: 5B 81, PkgLength,
        // NameString, flags 01, NamedField "PRQ0" 08, ReservedField 00 08, NamedField "PRQ1" 08.
        byte[] f = field("P40C", BYTE_ACC | NO_LOCK | PRESERVE,
                FieldUnit.named("PRQ0", 8), FieldUnit.reserved(8), FieldUnit.named("PRQ1", 8));
        // content: 4 (name) + 1 (flags) + 5 + 2 + 5 = 17, PkgLength 18 = 0x12.
        assertArrayEquals(hex("5B 81 12 50343043 01 50525130 08 00 08 50525131 08"), f);
    }

    @Test
    void resourceDescriptors() {
        // IO(Decode16, 0x3F8, 0x3F8, 0, 8): tag 0x47, info 1 (16-bit decode), min, max, align, length.
        // The End Tag 79 00 (checksum 0 = "correct") closes every template.
        assertArrayEquals(hex("47 01 F8 03 F8 03 00 08 79 00"), new ResourceTemplate().io(0x3F8, 0x3F8, 0, 8).descriptors());
        // IRQNoFlags(){4}: tag 0x22, mask 0x0010.
        assertArrayEquals(hex("22 10 00 79 00"), new ResourceTemplate().irqNoFlags(4).descriptors());
        // IRQ(Level, ActiveLow, Shared){5,10,11}: tag 0x23, mask 0x0C20, flags _LL|_SHR = 0x18.
        assertArrayEquals(hex("23 20 0C 18 79 00"), new ResourceTemplate().irq(false, true, true, 5, 10, 11).descriptors());
        // Memory32Fixed(ReadOnly, 0xFED00000, 0x400): 86, length 9, info 0, base, length.
        assertArrayEquals(hex("86 09 00 00 0000D0FE 00040000 79 00"),
                new ResourceTemplate().memory32Fixed(false, 0xFED0_0000L, 0x400).descriptors());
        // WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xFF, 0, 0x100):
        // 88, length 13, type 2 (bus), general flags _MIF|_MAF = 0x0C, type flags 0, five words.
        assertArrayEquals(hex("88 0D 00 02 0C 00 0000 0000 FF00 0000 0001 79 00"),
                new ResourceTemplate().wordBusNumber(ResourceTemplate.MIN_FIXED | ResourceTemplate.MAX_FIXED,
                        0, 0xFF, 0, 0x100).descriptors());
        // WordIO(..., EntireRange, 0, 0xD00, 0xFFFF, 0, 0xF300): type 1, type flags _RNG = 3.
        assertArrayEquals(hex("88 0D 00 01 0C 03 0000 000D FFFF 0000 00F3 79 00"),
                new ResourceTemplate().wordIo(0x0C, 0xD00, 0xFFFF, 0, 0xF300).descriptors());
        // DWordMemory(Producer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0, 0xA0000, 0xBFFFF, 0, 0x20000):
        // 87, length 23, type 0, general 0x0C, type flags _RW | _MEM=1 -> 0x03.
        assertArrayEquals(hex("87 1700 00 0C 03 00000000 00000A00 FFFF0B00 00000000 00000200 79 00"),
                new ResourceTemplate().dwordMemory(0x0C, ResourceTemplate.MEM_READ_WRITE | ResourceTemplate.MEM_CACHEABLE,
                        0xA0000, 0xBFFFF, 0, 0x20000).descriptors());
        // QWordMemory over 4 GiB-8 GiB: 8A, length 43, then five qwords.
        assertArrayEquals(hex("8A 2B00 00 0C 01 0000000000000000 0000000001000000 FFFFFFFF01000000 0000000000000000 0000000001000000 79 00"),
                new ResourceTemplate().qwordMemory(0x0C, ResourceTemplate.MEM_READ_WRITE, 1L << 32, (2L << 32) - 1, 0, 1L << 32).descriptors());
        // Interrupt(ResourceConsumer, Level, ActiveHigh, Shared){5, 10}: 89, length 2 + 4*2 = 10,
        // flags consumer|_SHR = 0x09, count 2, the numbers.
        assertArrayEquals(hex("89 0A00 09 02 05000000 0A000000 79 00"),
                new ResourceTemplate().interrupt(true, false, false, true, 5, 10).descriptors());
        // ResourceTemplate(){IRQNoFlags(){1}} as a Buffer: 11, PkgLength 1 + 2 + 5 = 8, size 0A 05, 22 02 00 79 00.
        assertArrayEquals(hex("11 08 0A 05 22 02 00 79 00"), new ResourceTemplate().irqNoFlags(1).build());
    }
}
