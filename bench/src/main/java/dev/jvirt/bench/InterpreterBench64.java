package dev.jvirt.bench;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.X86Cpu;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.PcMemoryLayout;
import dev.jvirt.mmu.PortSpace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * {@link InterpreterBench}'s loops in 64-bit mode, as a 64-bit kernel runs: 4-level paging (identity map of
 * 2 MiB pages) with EFER.NXE, REX.W operands. The score is guest instructions/s.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar InterpreterBench}
 * (both classes match).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InterpreterBench64 {
    static final int BATCH = 100_000;
    static final long CODE = 0x10_0000, PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000;

    /**
     * register: {@code l: add rax,rbx; xor rdx,rax; inc rsi; dec rcx; jnz l; jmp l}.
     * memory:   {@code l: mov [rdi+rcx*8],rax; add rax,[rsi+rcx*8]; inc ecx; and ecx,0xfff; jmp l}.
     */
    @Param({"register", "memory"})
    public String loop;

    private GuestRam ram;
    private X86Cpu cpu;

    @Setup(Level.Trial)
    public void setUp() {
        ram = GuestRam.allocate(32L << 20);
        AddressSpace space = new AddressSpace(ram);
        PcMemoryLayout.forRamSize(ram.size()).map(space);
        String code = switch (loop) {
            // 48 01 d8 add rax,rbx | 48 31 c2 xor rdx,rax | 48 ff c6 inc rsi | 48 ff c9 dec rcx | 75 f2 jnz -14 | eb f0 jmp -16
            case "register" -> "4801d84831c248ffc648ffc975f2ebf0";
            // 48 89 04 cf mov [rdi+rcx*8],rax | 48 03 04 ce add rax,[rsi+rcx*8] | ff c1 inc ecx
            // 81 e1 ff 0f 00 00 and ecx,0xfff | eb ee jmp -18
            case "memory" -> "488904cf480304ceffc181e1ff0f0000ebee";
            default -> throw new IllegalArgumentException(loop);
        };
        ram.load(CODE, HexFormat.of().parseHex(code));
        ram.load(PML4, le(PDPT | 3));
        ram.load(PDPT, le(PD | 3));
        long[] pdes = new long[16];
        for (int i = 0; i < pdes.length; i++) pdes[i] = ((long) i << 21) | 0x83; // 2 MiB, writable, present
        ram.load(PD, le(pdes));
        CpuState s = new CpuState();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_PG;
        s.cr4 = 0x20; // PAE
        s.cr3 = PML4;
        s.efer = 0xD00; // NXE | LMA | LME
        s.cs.setFlat(0x08, true);
        s.cs.l = true;
        s.cs.db = false;
        for (var seg : new dev.jvirt.cpu.SegmentRegister[] {s.ds, s.es, s.ss, s.fs, s.gs}) seg.setFlat(0x10, false);
        s.rip = CODE;
        s.gpr[CpuState.RBX] = 3;
        s.gpr[CpuState.RCX] = 0;
        s.gpr[CpuState.RSI] = 0x20_0000;
        s.gpr[CpuState.RDI] = 0x30_0000;
        s.gpr[CpuState.RSP] = 0x8_0000;
        cpu = new X86Cpu(s, space, new PortSpace());
        cpu.stateChanged();
    }

    private static byte[] le(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int instructions() {
        int done = 0;
        while (done < BATCH) done += cpu.run(BATCH - done);
        if (cpu.lastException() >= 0) throw new IllegalStateException("guest exception " + cpu.lastException());
        return done;
    }
}
