package dev.jvirt.accel.kvm;

import dev.jvirt.cpu.CpuState;
import dev.jvirt.cpu.FpuState;
import dev.jvirt.cpu.SegmentRegister;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** setState then getState gives back the same architectural state, field for field. */
class KvmStateTest {
    private static final long CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_PGE = 1 << 7, CR4_OSFXSR = 1 << 9,
            CR4_OSXMMEXCPT = 1 << 10, CR4_OSXSAVE = 1 << 18;
    private static final long EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

    @BeforeEach
    void needKvm() { KvmTestMachine.assumeKvm(); }

    @Test
    void realModeStateRoundTrips() {
        CpuState s = new CpuState();
        fillCommon(s);
        s.cs.loadReal(0x1234);
        s.ds.loadReal(0xB800);
        s.es.loadReal(0x0070);
        s.ss.loadReal(0x9000);
        s.fs.loadReal(0xF000);
        s.gs.loadReal(0x0040);
        s.rip = 0x0123;
        s.rflags = 0x2 | CpuState.FLAG_IF | CpuState.FLAG_ZF | CpuState.FLAG_DF | CpuState.FLAG_OF | CpuState.FLAG_CF;
        s.gdtBase = 0x7C00;
        s.gdtLimit = 0x27;
        s.idtBase = 0x500;
        s.idtLimit = 0x3FF;
        s.cr0 = CpuState.CR0_ET | CpuState.CR0_NE;
        s.cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
        s.fpu.fcs = 0x1234; // only outside long mode: rides in the 32-bit FXSAVE layout
        s.fpu.fds = 0x9000;
        roundTrip(s);
    }

    @Test
    void protectedModeStateRoundTrips() {
        roundTrip(protectedMode());
    }

    @Test
    void protectedModeStateWithPagingRoundTrips() {
        // kvm_pvm runs paging guests only in long mode: it drops CR0.PG for 32-bit and PAE paging.
        assumeNotPvm("kvm_pvm drops CR0.PG outside long mode");
        CpuState s = protectedMode();
        s.cr0 |= CpuState.CR0_PG;
        roundTrip(s);
    }

    private static CpuState protectedMode() {
        CpuState s = new CpuState();
        fillCommon(s);
        s.cs.setFlat(0x08, true);
        for (SegmentRegister r : new SegmentRegister[] {s.ds, s.es, s.ss}) r.setFlat(0x10, false);
        s.fs.setFlat(0x18, false);
        s.fs.base = 0x1234_0000L;
        s.fs.limit = 0xF_FFFF;
        s.fs.g = false;
        s.gs.setFlat(0x23, false);
        s.gs.dpl = 3;
        s.ldtr.selector = 0x28;
        s.ldtr.base = 0x3000;
        s.ldtr.limit = 0x7F;
        s.tr.selector = 0x30;
        s.tr.base = 0x4000;
        s.tr.limit = 0x67;
        s.rip = 0xC010_2030L;
        s.rflags = 0x2 | CpuState.FLAG_IF | CpuState.FLAG_SF | CpuState.FLAG_AC;
        s.gdtBase = 0xC000_1000L;
        s.gdtLimit = 0x37;
        s.idtBase = 0xC000_2000L;
        s.idtLimit = 0x7FF;
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_MP | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_WP | CpuState.CR0_AM;
        s.cr3 = 0x10000;
        s.cr4 = CR4_PSE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
        s.xcr0 = 3;
        s.efer = EFER_SCE | EFER_NXE;
        s.fpu.fcs = 0x08;
        s.fpu.fds = 0x10;
        return s;
    }

    private static void assumeNotPvm(String why) {
        if (KvmProbe.isPvm()) System.out.println("skipped: " + why);
        Assumptions.assumeFalse(KvmProbe.isPvm(), why);
    }

    @Test
    void longModeStateRoundTrips() {
        CpuState s = new CpuState();
        fillCommon(s);
        s.cs.setFlat(0x08, true);
        s.cs.l = true;
        s.cs.db = false;
        for (SegmentRegister r : new SegmentRegister[] {s.ds, s.es, s.ss, s.fs, s.gs}) r.setFlat(0x10, false);
        s.fs.base = 0x7F12_3456_7000L;
        s.gs.base = 0xFFFF_8880_0000_0000L;
        s.tr.selector = 0x40;
        s.tr.base = 0xFFFF_FE00_0000_1000L;
        s.tr.limit = 0x67;
        s.rip = 0xFFFF_FFFF_8100_0000L;
        s.rflags = 0x2 | CpuState.FLAG_IF;
        s.gdtBase = 0xFFFF_FE00_0000_0000L;
        s.gdtLimit = 0x7F;
        s.idtBase = 0xFFFF_FE00_0000_2000L;
        s.idtLimit = 0xFFF;
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_MP | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_WP | CpuState.CR0_PG;
        s.cr3 = 0x20000;
        s.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
        s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        s.fpu.fip = 0xFFFF_FFFF_8100_1234L; // 64-bit FPU pointers, no selectors
        s.fpu.fdp = 0x7F00_0000_5678L;
        roundTrip(s);
    }

    @Test
    void tscIsCarriedAndKeepsCounting() {
        assumeNotPvm("kvm_pvm ignores writes to IA32_TSC (the guest sees the host TSC)");
        try (var m = new KvmTestMachine()) {
            CpuState s = new CpuState();
            s.tsc = 1L << 40;
            m.vcpu.setState(s);
            CpuState t = new CpuState();
            m.vcpu.getState(t);
            assertTrue(t.tsc >= s.tsc && t.tsc - s.tsc < 1L << 40, () -> "tsc " + Long.toHexString(t.tsc));
        }
    }

    @Test
    void fullTagWordIsRebuiltFromTheAbridgedTag() {
        // SDM Vol. 1 8.1.7: valid, zero, special (NaN, denormal, unnormal).
        assertEquals(0, KvmStateCodec.tagOf(0x3FFF, 0x8000_0000_0000_0000L));
        assertEquals(1, KvmStateCodec.tagOf(0x8000, 0));
        assertEquals(2, KvmStateCodec.tagOf(0x7FFF, 0xC000_0000_0000_0000L));
        assertEquals(2, KvmStateCodec.tagOf(0, 1));
        assertEquals(2, KvmStateCodec.tagOf(0x3FFF, 0x4000_0000_0000_0000L));
    }

    private static void roundTrip(CpuState s) {
        try (var m = new KvmTestMachine()) {
            m.vcpu.setState(s);
            CpuState back = new CpuState();
            back.otherMsrs.put(0x1234, 5L); // stale content must not survive
            m.vcpu.getState(back);
            assertNull(s.diff(back));
            assertEquals(s.fpu.ftw, back.fpu.ftw);
        }
    }

    /** Non-trivial values in everything that does not depend on the mode. */
    private static void fillCommon(CpuState s) {
        for (int i = 0; i < 16; i++) s.gpr[i] = 0x0101_0101_0101_0101L * (i + 1) ^ 0x8000_0000_0000_0000L;
        s.cr2 = 0xDEAD_B000L;
        s.cr8 = 5;
        s.dr[0] = 0x1000;
        s.dr[1] = 0x2004;
        s.dr[2] = 0x3008;
        s.dr[3] = 0x400C;
        s.dr[6] = 0xFFFF_0FF0L | 0x2; // B1
        s.dr[7] = 0x400 | 0x1 | 0x3 << 16; // L0, R/W0 = read/write
        s.sysenterCs = 0x10;
        s.sysenterEsp = 0xC000_8000L;
        s.sysenterEip = 0xC000_1234L;
        s.star = 0x0023_0010_0000_0000L;
        s.lstar = 0xFFFF_FFFF_8180_0000L;
        s.cstar = 0xFFFF_FFFF_8180_1000L;
        s.sfmask = 0x4_7700;
        s.kernelGsBase = 0xFFFF_8880_1234_0000L;
        s.tscAux = 3;
        s.pat = 0x0007_0106_0007_0106L;
        s.otherMsrs.put(0x2FF, 0xC06L); // IA32_MTRR_DEF_TYPE: enabled, fixed enabled, WB
        s.otherMsrs.put(0x250, 0x0606_0606_0606_0606L); // IA32_MTRR_FIX64K_00000
        FpuState f = s.fpu;
        f.fcw = 0x027F;
        f.fsw = 5 << 11 | 0x1; // TOP = 5, IE
        f.mantissa[5] = 0xC90F_DAA2_2168_C235L; // pi
        f.signExp[5] = 0x4000;
        f.mantissa[6] = 0;
        f.signExp[6] = 0x8000; // -0
        f.mantissa[7] = 0xC000_0000_0000_0000L; // QNaN
        f.signExp[7] = 0x7FFF;
        f.ftw = 0x3FF | 1 << 12 | 2 << 14; // R0-R4 empty, R5 valid, R6 zero, R7 special
        f.fop = 0x5D9;
        f.fip = 0x1234;
        f.fdp = 0x5678;
        f.mxcsr = 0x7F80 | 0x1;
        for (int i = 0; i < 32; i++) f.xmm[i] = 0x1111_1111_1111_1111L * (i % 15 + 1);
        s.interruptShadow = true;
        s.nmiPending = true;
        s.nmiBlocked = true;
        s.halted = true;
    }
}
