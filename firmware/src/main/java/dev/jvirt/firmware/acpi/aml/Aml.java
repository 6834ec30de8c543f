package dev.jvirt.firmware.acpi.aml;

import java.nio.charset.StandardCharsets;

/**
 * AML encodings (ACPI 6.x, chapter 20) of the terms the firmware's DSDT needs. Every method returns
 * the complete bytes of one term; term lists are plain concatenations, so a caller composes a
 * namespace by nesting calls the way ASL nests blocks.
 */
public final class Aml {
    static final int ZERO_OP = 0x00, ONE_OP = 0x01, ONES_OP = 0xFF;
    static final int BYTE_PREFIX = 0x0A, WORD_PREFIX = 0x0B, DWORD_PREFIX = 0x0C, STRING_PREFIX = 0x0D, QWORD_PREFIX = 0x0E;
    static final int NAME_OP = 0x08, SCOPE_OP = 0x10, BUFFER_OP = 0x11, PACKAGE_OP = 0x12, METHOD_OP = 0x14;
    static final int EXT_OP_PREFIX = 0x5B, OP_REGION_OP = 0x80, FIELD_OP = 0x81, DEVICE_OP = 0x82;
    static final int LOCAL0_OP = 0x60, ARG0_OP = 0x68;
    static final int STORE_OP = 0x70, ADD_OP = 0x72, SUBTRACT_OP = 0x74, SHIFT_LEFT_OP = 0x79, SHIFT_RIGHT_OP = 0x7A;
    static final int AND_OP = 0x7B, OR_OP = 0x7D, NOTIFY_OP = 0x86;
    static final int CREATE_DWORD_FIELD_OP = 0x8A, CREATE_WORD_FIELD_OP = 0x8B, CREATE_BYTE_FIELD_OP = 0x8C;
    static final int LAND_OP = 0x90, LOR_OP = 0x91, LNOT_OP = 0x92, LEQUAL_OP = 0x93, LGREATER_OP = 0x94, LLESS_OP = 0x95;
    static final int IF_OP = 0xA0, ELSE_OP = 0xA1, RETURN_OP = 0xA4;

    /** Region space ids of OperationRegion (ACPI 6.x, 19.6.100). */
    public static final int SYSTEM_MEMORY = 0x00, SYSTEM_IO = 0x01, PCI_CONFIG = 0x02;

    /** FieldFlags AccessType (bits 3-0). */
    public static final int ANY_ACC = 0, BYTE_ACC = 1, WORD_ACC = 2, DWORD_ACC = 3, QWORD_ACC = 4;
    /** FieldFlags LockRule (bit 4). */
    public static final int NO_LOCK = 0, LOCK = 1 << 4;
    /** FieldFlags UpdateRule (bits 6-5). */
    public static final int PRESERVE = 0, WRITE_AS_ONES = 1 << 5, WRITE_AS_ZEROS = 2 << 5;

    /** The NullName as a Target: the result is discarded. */
    public static final byte[] NO_TARGET = {0x00};

    private Aml() { }

    /** ComputationalData for an integer, in the shortest form: ZeroOp, OneOp, OnesOp or a prefixed constant. */
    public static byte[] integer(long v) {
        if (v == 0) return new byte[] {ZERO_OP};
        if (v == 1) return new byte[] {ONE_OP};
        if (v == -1L) return new byte[] {(byte) ONES_OP};
        ByteBuilder b = new ByteBuilder();
        if ((v & ~0xFFL) == 0) return b.u8(BYTE_PREFIX).u8((int) v).toArray();
        if ((v & ~0xFFFFL) == 0) return b.u8(WORD_PREFIX).u16((int) v).toArray();
        if ((v & ~0xFFFF_FFFFL) == 0) return b.u8(DWORD_PREFIX).u32(v).toArray();
        return b.u8(QWORD_PREFIX).u64(v).toArray();
    }

    /** DWordConst, whatever the value: EisaId() compiles to this form. */
    public static byte[] dword(long v) { return new ByteBuilder().u8(DWORD_PREFIX).u32(v).toArray(); }

    public static byte[] eisaId(String id) { return dword(EisaId.encode(id)); }

    /** String: StringPrefix, ASCII characters 0x01-0x7F, NUL. */
    public static byte[] string(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == 0 || s.charAt(i) > 0x7F) throw new IllegalArgumentException("AML strings are ASCII without NUL");
        }
        return new ByteBuilder().u8(STRING_PREFIX).bytes(s.getBytes(StandardCharsets.US_ASCII)).u8(0).toArray();
    }

    /** Buffer: BufferOp PkgLength BufferSize ByteList, the size being the list's length. */
    public static byte[] buffer(byte[] data) {
        return pkg(new byte[] {BUFFER_OP}, ByteBuilder.concat(integer(data.length), data));
    }

    /** Package: PackageOp PkgLength NumElements(byte) PackageElementList. */
    public static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) throw new IllegalArgumentException("Package of more than 255 elements needs VarPackage");
        ByteBuilder body = new ByteBuilder().u8(elements.length).all(elements);
        return pkg(new byte[] {PACKAGE_OP}, body.toArray());
    }

    public static byte[] name(String name, byte[] value) {
        return new ByteBuilder().u8(NAME_OP).bytes(NameString.encode(name)).bytes(value).toArray();
    }

    /** A NameString used as a term: a reference, or a call to a method whose arguments follow. */
    public static byte[] ref(String path, byte[]... args) {
        return new ByteBuilder().bytes(NameString.encode(path)).all(args).toArray();
    }

    public static byte[] scope(String name, byte[]... terms) {
        return pkg(new byte[] {SCOPE_OP}, ByteBuilder.concat(NameString.encode(name), ByteBuilder.concat(terms)));
    }

    public static byte[] device(String name, byte[]... terms) {
        return pkg(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, ByteBuilder.concat(NameString.encode(name), ByteBuilder.concat(terms)));
    }

    /**
     * Method: MethodOp PkgLength NameString MethodFlags TermList; MethodFlags hold the argument
     * count in bits 2-0, Serialized in bit 3 and the SyncLevel in bits 7-4.
     */
    public static byte[] method(String name, int argCount, boolean serialized, byte[]... terms) {
        if (argCount < 0 || argCount > 7) throw new IllegalArgumentException("a method takes 0-7 arguments");
        int flags = argCount | (serialized ? 1 << 3 : 0);
        ByteBuilder body = new ByteBuilder().bytes(NameString.encode(name)).u8(flags).all(terms);
        return pkg(new byte[] {METHOD_OP}, body.toArray());
    }

    public static byte[] returnValue(byte[] arg) { return ByteBuilder.concat(new byte[] {(byte) RETURN_OP}, arg); }

    public static byte[] ifThen(byte[] predicate, byte[]... terms) {
        return pkg(new byte[] {(byte) IF_OP}, ByteBuilder.concat(predicate, ByteBuilder.concat(terms)));
    }

    public static byte[] elseDo(byte[]... terms) { return pkg(new byte[] {(byte) ELSE_OP}, ByteBuilder.concat(terms)); }

    public static byte[] local(int n) { return new byte[] {(byte) (LOCAL0_OP + check(n, 7))}; }

    public static byte[] arg(int n) { return new byte[] {(byte) (ARG0_OP + check(n, 6))}; }

    public static byte[] store(byte[] source, byte[] target) { return op(STORE_OP, source, target); }

    public static byte[] and(byte[] a, byte[] b, byte[] target) { return op(AND_OP, a, b, target); }

    public static byte[] or(byte[] a, byte[] b, byte[] target) { return op(OR_OP, a, b, target); }

    public static byte[] add(byte[] a, byte[] b, byte[] target) { return op(ADD_OP, a, b, target); }

    public static byte[] subtract(byte[] a, byte[] b, byte[] target) { return op(SUBTRACT_OP, a, b, target); }

    public static byte[] shiftLeft(byte[] a, byte[] count, byte[] target) { return op(SHIFT_LEFT_OP, a, count, target); }

    public static byte[] shiftRight(byte[] a, byte[] count, byte[] target) { return op(SHIFT_RIGHT_OP, a, count, target); }

    public static byte[] lEqual(byte[] a, byte[] b) { return op(LEQUAL_OP, a, b); }

    public static byte[] lLess(byte[] a, byte[] b) { return op(LLESS_OP, a, b); }

    public static byte[] lGreater(byte[] a, byte[] b) { return op(LGREATER_OP, a, b); }

    public static byte[] lAnd(byte[] a, byte[] b) { return op(LAND_OP, a, b); }

    public static byte[] lOr(byte[] a, byte[] b) { return op(LOR_OP, a, b); }

    public static byte[] lNot(byte[] a) { return op(LNOT_OP, a); }

    public static byte[] notify(byte[] object, byte[] value) { return op(NOTIFY_OP, object, value); }

    public static byte[] createDWordField(byte[] source, byte[] byteIndex, String name) {
        return op(CREATE_DWORD_FIELD_OP, source, byteIndex, NameString.encode(name));
    }

    public static byte[] createWordField(byte[] source, byte[] byteIndex, String name) {
        return op(CREATE_WORD_FIELD_OP, source, byteIndex, NameString.encode(name));
    }

    /** OperationRegion: ExtOpPrefix OpRegionOp NameString RegionSpace RegionOffset RegionLen. */
    public static byte[] operationRegion(String name, int space, long offset, long length) {
        return new ByteBuilder().u8(EXT_OP_PREFIX).u8(OP_REGION_OP).bytes(NameString.encode(name)).u8(space)
                .bytes(integer(offset)).bytes(integer(length)).toArray();
    }

    /** Field: ExtOpPrefix FieldOp PkgLength NameString FieldFlags FieldList. */
    public static byte[] field(String region, int flags, FieldUnit... units) {
        ByteBuilder body = new ByteBuilder().bytes(NameString.encode(region)).u8(flags);
        for (FieldUnit u : units) body.bytes(u.encode());
        return pkg(new byte[] {EXT_OP_PREFIX, (byte) FIELD_OP}, body.toArray());
    }

    /** An element of a FieldList: a NamedField (NameSeg, bit width) or a ReservedField (0x00, bit width). */
    public record FieldUnit(String name, int bits) {
        public static FieldUnit named(String name, int bits) { return new FieldUnit(name, bits); }

        public static FieldUnit reserved(int bits) { return new FieldUnit(null, bits); }

        byte[] encode() {
            byte[] head = name == null ? new byte[] {0x00} : NameString.nameSeg(name);
            return ByteBuilder.concat(head, PkgLength.encode(bits));
        }
    }

    private static byte[] pkg(byte[] opcode, byte[] content) {
        return ByteBuilder.concat(opcode, PkgLength.forContent(content.length), content);
    }

    private static byte[] op(int opcode, byte[]... operands) {
        return new ByteBuilder().u8(opcode).all(operands).toArray();
    }

    private static int check(int n, int max) {
        if (n < 0 || n > max) throw new IllegalArgumentException("index out of range: " + n);
        return n;
    }
}
