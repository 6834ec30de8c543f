package dev.jvirt.devices.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.VirtualClock;
import org.junit.jupiter.api.Test;

class ApicBusTest {
    private final VirtualClock clock = VirtualClock.deterministic(0);
    private final ApicBus bus = new ApicBus();
    private final RecordingSignals[] cpus = new RecordingSignals[4];
    private final LocalApic[] lapics = new LocalApic[4];

    ApicBusTest() {
        for (int i = 0; i < 4; i++) {
            cpus[i] = new RecordingSignals();
            lapics[i] = new LocalApic(bus, clock, i, i == 0, cpus[i]);
            lapics[i].write(LocalApic.REG_SVR, 4, 0x1FF);
        }
    }

    @Test
    void msiAddressAndDataSelectDestinationAndVector() {
        assertTrue(bus.deliverMsi(0xFEE0_2000L, 0x0000_0061)); // APIC ID 2, fixed, vector 0x61, edge
        assertEquals(0x61, lapics[2].acknowledge());
        for (int i : new int[] {0, 1, 3}) assertFalse(lapics[i].intrPending());
        assertEquals(0, lapics[2].read(LocalApic.REG_TMR + 0x30, 4), "edge: TMR clear");

        assertTrue(bus.deliverMsi(0xFEE0_1000L, 0x0000_C072)); // APIC ID 1, level-triggered assert
        assertEquals(0x72, lapics[1].acknowledge());
        assertEquals(1 << (0x72 - 0x60), lapics[1].read(LocalApic.REG_TMR + 0x30, 4), "level: TMR set");
    }

    @Test
    void msiLogicalNmiAndNonMsiWrites() {
        for (int i = 0; i < 4; i++) lapics[i].write(LocalApic.REG_LDR, 4, (1 << i) << 24);
        assertTrue(bus.deliverMsi(0xFEE0_C004L, 0x0000_0400)); // logical 0x0C, NMI
        assertFalse(lapics[0].takeNmi());
        assertFalse(lapics[1].takeNmi());
        assertTrue(lapics[2].takeNmi());
        assertTrue(lapics[3].takeNmi());
        assertFalse(bus.deliverMsi(0xFED0_0000L, 0x30), "not the interrupt address range");
        assertFalse(lapics[0].intrPending());
    }

    @Test
    void physicalBroadcastReachesEveryApic() {
        assertEquals(4, bus.deliver(0xFF, false, ApicBus.DM_FIXED, 0x80, false, true));
        for (LocalApic l : lapics) assertEquals(0x80, l.acknowledge());
    }

    @Test
    void clusterLogicalModeMatchesClusterAndMember() {
        for (int i = 0; i < 4; i++) {
            lapics[i].write(LocalApic.REG_DFR, 4, 0x0FFF_FFFF);
            lapics[i].write(LocalApic.REG_LDR, 4, (((i / 2) + 1) << 28) | ((1 << (i % 2)) << 24));
        }
        assertEquals(1, bus.deliver(0x22, true, ApicBus.DM_FIXED, 0x90, false, true));
        assertTrue(lapics[3].intrPending());
        assertEquals(0, bus.deliver(0x32, true, ApicBus.DM_FIXED, 0x90, false, true), "no cluster 3");
    }

    @Test
    void lowestPriorityPicksLowestArbitrationPriority() {
        lapics[0].write(LocalApic.REG_TPR, 4, 0x40);
        lapics[1].write(LocalApic.REG_TPR, 4, 0x30);
        lapics[2].write(LocalApic.REG_TPR, 4, 0x10);
        lapics[3].write(LocalApic.REG_TPR, 4, 0x20);
        assertEquals(1, bus.deliver(0xFF, false, ApicBus.DM_LOWEST_PRIORITY, 0x55, false, true));
        assertTrue(lapics[2].intrPending());
        for (int i : new int[] {0, 1, 3}) assertFalse(lapics[i].intrPending());
    }

    @Test
    void sipiAndSmiReachTheCpu() {
        bus.deliver(3, false, ApicBus.DM_SIPI, 0x9A, false, true);
        bus.deliver(1, false, ApicBus.DM_SMI, 0, false, true);
        assertEquals(java.util.List.of(0x9A), cpus[3].startups);
        assertEquals(1, cpus[1].smis);
        assertEquals(0, bus.deliver(1, false, ApicBus.DM_INIT, 0, true, false), "INIT level de-assert does nothing");
        assertEquals(0, cpus[1].inits);
    }
}
