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

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Guest instructions per second of the interpreter, in 32-bit flat protected mode (the score is
 * instructions/s: each operation is one guest instruction).
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar InterpreterBench}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InterpreterBench {
    static final int BATCH = 100_000;
    static final long CODE = 0x10_0000;

    /**
     * register: {@code l: add eax,ebx; xor edx,eax; inc esi; dec ecx; jnz l; jmp l}.
     * memory:   {@code l: mov [edi+ecx*4],eax; add eax,[esi+ecx*4]; inc ecx; and ecx,0xfff; jmp l}.
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
            // 01 d8 add eax,ebx | 31 c2 xor edx,eax | 46 inc esi | 49 dec ecx | 75 f8 jnz -8 | eb f6 jmp -10
            case "register" -> "01d831c2464975f8ebf6";
            // 89 04 8f mov [edi+ecx*4],eax | 03 04 8e add eax,[esi+ecx*4] | 41 inc ecx
            // 81 e1 ff 0f 00 00 and ecx,0xfff | eb ef jmp -15
            case "memory" -> "89048f03048e4181e1ff0f0000ebf1";
            default -> throw new IllegalArgumentException(loop);
        };
        ram.load(CODE, HexFormat.of().parseHex(code));
        CpuState s = new CpuState();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET;
        s.cs.setFlat(0x08, true);
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

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int instructions() {
        int done = 0;
        while (done < BATCH) done += cpu.run(BATCH - done);
        return done;
    }
}
