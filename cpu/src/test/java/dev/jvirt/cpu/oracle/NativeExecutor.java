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
 * Runs one user-mode x86-64 instruction on the host CPU, with every general register and the
 * arithmetic flags chosen by the caller, and reads back the registers and RFLAGS: the host CPU as a
 * reference for the interpreter. FFM only: the code page comes from mmap/mprotect through libc
 * downcalls and is entered through a downcall on its address.
 *
 * <p>The trampoline (bytes below) is called as {@code void run(long *state)} (System V: state in RDI).
 * State block: RAX..R15 at 8*index (the RSP slot is ignored, since the instruction runs on the
 * caller's stack and must not touch RSP), RFLAGS at 128. It saves the callee-saved registers, loads
 * RFLAGS with POPFQ and the registers, runs the 16-byte instruction slot (the instruction padded
 * with NOPs), stores the registers and PUSHFQ's RFLAGS back, clears DF as the ABI requires and
 * returns. A memory operand must be addressed through a register the caller points at
 * {@link #scratch()}.
 *
 * <p>The page is W^X: it is made writable only while a new instruction is copied into the slot.
 * The caller must never pass a faulting or privileged instruction (a fault would kill the JVM).
 */
public final class NativeExecutor implements AutoCloseable {
    /** EFLAGS bits the caller may set: CF PF AF ZF SF DF OF. TF, IF, AC, ... are never loaded. */
    public static final long LOADABLE_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;
    public static final int SLOT_SIZE = 16;
    public static final int SCRATCH_SIZE = 512;

    private static final String PROLOGUE =
            "53" + "55" + "4154" + "4155" + "4156" + "4157"   // push rbx, rbp, r12-r15 (callee-saved)
            + "57"                                            // push rdi (state block pointer)
            + "ffb780000000" + "9d"                           // push qword [rdi+128]; popfq
            + "488b07" + "488b4f08" + "488b5710" + "488b5f18" // mov rax/rcx/rdx/rbx, [rdi+0/8/16/24]
            + "488b6f28" + "488b7730"                         // mov rbp, [rdi+40]; mov rsi, [rdi+48]
            + "4c8b4740" + "4c8b4f48" + "4c8b5750" + "4c8b5f58" // mov r8-r11
            + "4c8b6760" + "4c8b6f68" + "4c8b7770" + "4c8b7f78" // mov r12-r15
            + "488b7f38";                                     // mov rdi, [rdi+56] (last: it held the pointer)
    private static final String EPILOGUE =
            "57" + "488b7c2408"                               // push rdi; mov rdi, [rsp+8] (the pointer)
            + "488907" + "48894f08" + "48895710" + "48895f18" // mov [rdi+0/8/16/24], rax/rcx/rdx/rbx
            + "48896f28" + "48897730"                         // rbp, rsi
            + "4c894740" + "4c894f48" + "4c895750" + "4c895f58" // r8-r11
            + "4c896760" + "4c896f68" + "4c897770" + "4c897f78" // r12-r15
            + "58" + "48894738"                               // pop rax (instruction's rdi); mov [rdi+56], rax
            + "9c" + "58" + "488987" + "80000000"             // pushfq; pop rax; mov [rdi+128], rax
            + "fc"                                            // cld
            + "5f" + "415f" + "415e" + "415d" + "415c" + "5d" + "5b" // pop rdi, r15-r12, rbp, rbx
            + "c3";

    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    private static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;
    private static final long PAGE = 4096;

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

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment code;
    private final MemorySegment state = arena.allocate(8 * 17, 16);
    private final MemorySegment scratch = arena.allocate(SCRATCH_SIZE, 64);
    private final MethodHandle entry;
    private final int slotOffset;
    private final byte[] slot = new byte[SLOT_SIZE];

    /** Whether this host can run the oracle: Linux on x86-64, and the reason when not. */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) return "host OS is " + os + ", the oracle needs Linux";
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return "host CPU is " + arch + ", the oracle needs x86-64";
        return null;
    }

    public NativeExecutor() {
        HexFormat hex = HexFormat.of();
        byte[] pro = hex.parseHex(PROLOGUE), epi = hex.parseHex(EPILOGUE);
        slotOffset = pro.length;
        try {
            MemorySegment page = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, PAGE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (page.address() == -1L || page.address() == 0) throw new IllegalStateException("mmap of the code page failed");
            code = page.reinterpret(PAGE);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot map a code page", t);
        }
        Arrays.fill(slot, (byte) 0x90);
        MemorySegment.copy(pro, 0, code, ValueLayout.JAVA_BYTE, 0, pro.length);
        MemorySegment.copy(slot, 0, code, ValueLayout.JAVA_BYTE, slotOffset, SLOT_SIZE);
        MemorySegment.copy(epi, 0, code, ValueLayout.JAVA_BYTE, slotOffset + SLOT_SIZE, epi.length);
        protect(PROT_READ | PROT_EXEC);
        entry = LINKER.downcallHandle(code, FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** The buffer a memory operand must address; its host address goes into the base register. */
    public MemorySegment scratch() { return scratch; }

    /**
     * Executes {@code insn} (at most 16 bytes) with {@code regs} (16 entries, RAX..R15; RSP ignored)
     * and the loadable bits of {@code rflags}; writes the resulting registers into {@code regs} and
     * returns the resulting RFLAGS as PUSHFQ saw it.
     */
    public long execute(byte[] insn, long[] regs, long rflags) {
        if (insn.length > SLOT_SIZE) throw new IllegalArgumentException("instruction longer than the slot");
        byte[] want = Arrays.copyOf(insn, SLOT_SIZE);
        Arrays.fill(want, insn.length, SLOT_SIZE, (byte) 0x90);
        if (!Arrays.equals(want, slot)) {
            protect(PROT_READ | PROT_WRITE);
            MemorySegment.copy(want, 0, code, ValueLayout.JAVA_BYTE, slotOffset, SLOT_SIZE);
            protect(PROT_READ | PROT_EXEC);
            System.arraycopy(want, 0, slot, 0, SLOT_SIZE);
        }
        for (int i = 0; i < 16; i++) state.setAtIndex(ValueLayout.JAVA_LONG, i, regs[i]);
        state.setAtIndex(ValueLayout.JAVA_LONG, 16, 2 | (rflags & LOADABLE_FLAGS));
        try {
            entry.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        for (int i = 0; i < 16; i++) if (i != 4) regs[i] = state.getAtIndex(ValueLayout.JAVA_LONG, i);
        return state.getAtIndex(ValueLayout.JAVA_LONG, 16);
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
            int rc = (int) MUNMAP.invokeExact(code, PAGE);
            if (rc != 0) throw new IllegalStateException("munmap failed");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}
