package dev.jvirt.cpu.oracle;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Runs one user-mode x86-64 instruction on the host CPU, with every general register, the arithmetic
 * flags, XMM0-XMM15, MM0-MM7 and MXCSR chosen by the caller, and reads all of them back: the host CPU as a
 * reference for the interpreter. FFM only: the pages come from mmap/mprotect through libc downcalls and
 * the code is entered through a downcall on its address.
 *
 * <p>One mapping holds, in order: the code page (the trampoline, source in {@code trampoline.s} beside
 * this class), the state page, a pad that a signal frame may use while RSP points into the scratch area,
 * and the {@link #scratch()} area. The trampoline addresses the state page RIP-relative, so the
 * instruction may change every register, RSP included: it saves the callee-saved registers, the host
 * MXCSR and RSP, loads MXCSR, the XMM and MMX registers, RFLAGS (POPFQ on the host stack), RSP and the
 * other GPRs, runs the 16-byte instruction slot (the instruction padded with NOPs), stores the GPRs,
 * switches back to the host stack before PUSHFQ (so nothing lands in the scratch area), stores XMM, MMX
 * and MXCSR, restores the host MXCSR (its control bits are callee-saved), and leaves with EMMS and CLD as
 * the ABI requires. RIP-relative operands of the instruction reach the scratch area (same mapping).
 *
 * <p>The code page is W^X: it is made writable only while a new instruction is copied into the slot.
 * The caller must never pass a faulting or privileged instruction (a fault kills the JVM): memory
 * operands inside the scratch area, aligned as the instruction needs, SIMD exceptions masked in MXCSR,
 * and no TF/AC through POPF.
 */
public final class NativeExecutor implements AutoCloseable {
    /** EFLAGS bits the caller may set: CF PF AF ZF SF DF OF. TF, IF, AC, ... are never loaded. */
    public static final long LOADABLE_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;
    /** MXCSR with every exception masked: the only control a native run may have (an unmasked one would be #XM). */
    public static final int MXCSR_MASKS = 0x1F80;
    /** MXCSR bits the caller may set: flags, DAZ, masks, RC, FZ. */
    public static final int MXCSR_LOADABLE = 0xFFFF;
    public static final int SLOT_SIZE = 16;
    public static final int SCRATCH_SIZE = 8192;
    static final long PAGE = 4096;
    /** Offsets in the mapping. */
    static final long STATE = PAGE, SCRATCH = 0x12000, MAPPING = SCRATCH + SCRATCH_SIZE;
    private static final int SLOT_OFFSET = 0x156;
    private static final int S_FLAGS = 0x80, S_MXCSR = 0x88, S_XMM = 0xA0, S_MM = 0x1A0;

    /** Assembled from {@code trampoline.s}; the 16 NOPs at {@link #SLOT_OFFSET} are the slot. */
    private static final String TRAMPOLINE =
            "535541544155415641570fae1d7b100000488925781000000fae1569100000f30f6f0579100000f30f6f0d81100000f30f6f1589100000f3"
            + "0f6f1d91100000f30f6f2599100000f30f6f2da1100000f30f6f35a9100000f30f6f3db1100000f3440f6f05b8100000f3440f6f0dbf1000"
            + "00f3440f6f15c6100000f3440f6f1dcd100000f3440f6f25d4100000f3440f6f2ddb100000f3440f6f35e2100000f3440f6f3de91000000f"
            + "6f05f21000000f6f0df31000000f6f15f41000000f6f1df51000000f6f25f61000000f6f2df71000000f6f35f81000000f6f3df9100000ff"
            + "359b0f00009d488b05130f0000488b0d140f0000488b15150f0000488b1d160f0000488b25170f0000488b2d180f0000488b35190f000048"
            + "8b3d1a0f00004c8b051b0f00004c8b0d1c0f00004c8b151d0f00004c8b1d1e0f00004c8b251f0f00004c8b2d200f00004c8b35210f00004c"
            + "8b3d220f000090909090909090909090909090909090488905930e000048890d940e0000488915950e000048891d960e0000488925970e00"
            + "0048892d980e0000488935990e000048893d9a0e00004c89059b0e00004c890d9c0e00004c89159d0e00004c891d9e0e00004c89259f0e00"
            + "004c892da00e00004c8935a10e00004c893da20e0000488b25b30e00009c8f059c0e0000f30f7f05b40e0000f30f7f0dbc0e0000f30f7f15"
            + "c40e0000f30f7f1dcc0e0000f30f7f25d40e0000f30f7f2ddc0e0000f30f7f35e40e0000f30f7f3dec0e0000f3440f7f05f30e0000f3440f"
            + "7f0dfa0e0000f3440f7f15010f0000f3440f7f1d080f0000f3440f7f250f0f0000f3440f7f2d160f0000f3440f7f351d0f0000f3440f7f3d"
            + "240f00000f7f052d0f00000f7f0d2e0f00000f7f152f0f00000f7f1d300f00000f7f25310f00000f7f2d320f00000f7f35330f00000f7f3d"
            + "340f00000fae1ddd0d00000fae15da0d00000f77fc415f415e415d415c5d5bc3";

    /** The architectural state one native run starts from and ends in. */
    public static final class Regs {
        /** RAX..R15 in encoding order. */
        public final long[] gpr = new long[16];
        public long rflags = 2;
        public int mxcsr = MXCSR_MASKS;
        /** XMM0-XMM15, low quadword first. */
        public final long[] xmm = new long[32];
        public final long[] mm = new long[8];

        public void copyFrom(Regs o) {
            System.arraycopy(o.gpr, 0, gpr, 0, 16);
            rflags = o.rflags;
            mxcsr = o.mxcsr;
            System.arraycopy(o.xmm, 0, xmm, 0, 32);
            System.arraycopy(o.mm, 0, mm, 0, 8);
        }
    }

    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    private static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP, MPROTECT, MUNMAP;

    static {
        var libc = LINKER.defaultLookup();
        MMAP = LINKER.downcallHandle(libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MPROTECT = LINKER.downcallHandle(libc.find("mprotect").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MUNMAP = LINKER.downcallHandle(libc.find("munmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    }

    private final MemorySegment map, code, state, scratch;
    private final MethodHandle entry;
    private final byte[] slot = new byte[SLOT_SIZE];
    private final Regs legacy = new Regs();

    /** Whether this host can run the oracle: Linux on x86-64, and the reason when not. */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) return "host OS is " + os + ", the oracle needs Linux";
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return "host CPU is " + arch + ", the oracle needs x86-64";
        return null;
    }

    public NativeExecutor() {
        byte[] tramp = HexFormat.of().parseHex(TRAMPOLINE);
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, MAPPING, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (m.address() == -1L || m.address() == 0) throw new IllegalStateException("mmap failed");
            map = m.reinterpret(MAPPING);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot map the code and scratch pages", t);
        }
        code = map.asSlice(0, PAGE);
        state = map.asSlice(STATE, PAGE);
        scratch = map.asSlice(SCRATCH, SCRATCH_SIZE);
        MemorySegment.copy(tramp, 0, code, ValueLayout.JAVA_BYTE, 0, tramp.length);
        MemorySegment.copy(code, ValueLayout.JAVA_BYTE, SLOT_OFFSET, slot, 0, SLOT_SIZE);
        protect(PROT_READ | PROT_EXEC);
        entry = LINKER.downcallHandle(code, FunctionDescriptor.ofVoid());
    }

    /** The area memory operands (and RSP, for stack forms) must point into; RIP-relative operands reach it too. */
    public MemorySegment scratch() { return scratch; }

    /** The host (and, for the 64-bit oracle, guest-virtual) address of the instruction slot. */
    public long slotAddress() { return code.address() + SLOT_OFFSET; }

    /**
     * Executes {@code insn} (at most 16 bytes) from {@code r} and writes the resulting state into it. RSP
     * must point into the scratch area, with at least the pad below it, or not be used at all.
     */
    public void execute(byte[] insn, Regs r) {
        if (insn.length > SLOT_SIZE) throw new IllegalArgumentException("instruction longer than the slot");
        if ((r.mxcsr & ~MXCSR_LOADABLE) != 0 || (r.mxcsr & MXCSR_MASKS) != MXCSR_MASKS) {
            throw new IllegalArgumentException("MXCSR must keep every exception masked: " + Integer.toHexString(r.mxcsr));
        }
        byte[] want = Arrays.copyOf(insn, SLOT_SIZE);
        Arrays.fill(want, insn.length, SLOT_SIZE, (byte) 0x90);
        if (!Arrays.equals(want, slot)) {
            protect(PROT_READ | PROT_WRITE);
            MemorySegment.copy(want, 0, code, ValueLayout.JAVA_BYTE, SLOT_OFFSET, SLOT_SIZE);
            protect(PROT_READ | PROT_EXEC);
            System.arraycopy(want, 0, slot, 0, SLOT_SIZE);
        }
        for (int i = 0; i < 16; i++) state.setAtIndex(ValueLayout.JAVA_LONG, i, r.gpr[i]);
        state.set(ValueLayout.JAVA_LONG, S_FLAGS, 2 | (r.rflags & LOADABLE_FLAGS));
        state.set(ValueLayout.JAVA_INT, S_MXCSR, r.mxcsr);
        for (int i = 0; i < 32; i++) state.set(ValueLayout.JAVA_LONG, S_XMM + 8L * i, r.xmm[i]);
        for (int i = 0; i < 8; i++) state.set(ValueLayout.JAVA_LONG, S_MM + 8L * i, r.mm[i]);
        try {
            entry.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        for (int i = 0; i < 16; i++) r.gpr[i] = state.getAtIndex(ValueLayout.JAVA_LONG, i);
        r.rflags = state.get(ValueLayout.JAVA_LONG, S_FLAGS);
        r.mxcsr = state.get(ValueLayout.JAVA_INT, S_MXCSR);
        for (int i = 0; i < 32; i++) r.xmm[i] = state.get(ValueLayout.JAVA_LONG, S_XMM + 8L * i);
        for (int i = 0; i < 8; i++) r.mm[i] = state.get(ValueLayout.JAVA_LONG, S_MM + 8L * i);
    }

    /**
     * Executes {@code insn} with {@code regs} (16 entries, RAX..R15; the RSP entry is ignored: the
     * instruction gets a stack at the bottom of the scratch area) and the loadable bits of {@code rflags};
     * writes the resulting registers but RSP into {@code regs} and returns RFLAGS as PUSHFQ saw it.
     */
    public long execute(byte[] insn, long[] regs, long rflags) {
        Regs r = legacy;
        System.arraycopy(regs, 0, r.gpr, 0, 16);
        r.gpr[4] = scratch.address();
        r.rflags = rflags;
        r.mxcsr = MXCSR_MASKS;
        Arrays.fill(r.xmm, 0);
        Arrays.fill(r.mm, 0);
        execute(insn, r);
        for (int i = 0; i < 16; i++) if (i != 4) regs[i] = r.gpr[i];
        return r.rflags;
    }

    private void protect(int prot) {
        int rc;
        try {
            rc = (int) MPROTECT.invokeExact(code, PAGE, prot);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) throw new IllegalStateException("mprotect(" + prot + ") of the code page failed");
    }

    @Override
    public void close() {
        try {
            int rc = (int) MUNMAP.invokeExact(map, MAPPING);
            if (rc != 0) throw new IllegalStateException("munmap failed");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
