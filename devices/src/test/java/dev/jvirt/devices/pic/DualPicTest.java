package dev.jvirt.devices.pic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvirt.devices.DeviceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DualPicTest {
    private DualPic pic;
    private final List<Boolean> intrChanges = new ArrayList<>();

    @BeforeEach
    void setUp() {
        pic = new DualPic();
        pic.setIntrListener(intrChanges::add);
        initPc(pic, 0x08, 0x70, false);
    }

    /** The BIOS sequence: ICW1 edge+ICW4, ICW2 vector base, ICW3 cascade, ICW4 8086 (+AEOI). */
    private static void initPc(DualPic p, int masterBase, int slaveBase, boolean aeoi) {
        int icw4 = aeoi ? 0x03 : 0x01;
        p.master().write(0, 1, 0x11);
        p.master().write(1, 1, masterBase);
        p.master().write(1, 1, 0x04);
        p.master().write(1, 1, icw4);
        p.slave().write(0, 1, 0x11);
        p.slave().write(1, 1, slaveBase);
        p.slave().write(1, 1, 0x02);
        p.slave().write(1, 1, icw4);
    }

    private void eoiMaster() { pic.master().write(0, 1, 0x20); }

    private void eoiSlave() { pic.slave().write(0, 1, 0x20); }

    @Test
    void edgeRequestDeliversVectorAndSetsIsr() {
        assertFalse(pic.intrPending());
        pic.setIrq(1, true);
        assertTrue(pic.intrPending());
        assertEquals(List.of(true), intrChanges);
        assertEquals(0x02, pic.master().read(0, 1), "IRR shows IR1");
        assertEquals(0x09, pic.acknowledge());
        assertFalse(pic.intrPending());
        pic.master().write(0, 1, 0x0B); // OCW3: read ISR
        assertEquals(0x02, pic.master().read(0, 1));
        pic.setIrq(1, false);
        eoiMaster();
        assertEquals(0x00, pic.master().read(0, 1), "EOI cleared ISR");
        assertFalse(pic.intrPending(), "edge request was consumed by INTA");
    }

    @Test
    void edgeNeedsNewRisingEdge() {
        pic.setIrq(3, true);
        assertEquals(0x0B, pic.acknowledge());
        eoiMaster();
        pic.setIrq(3, true); // still high: no edge
        assertFalse(pic.intrPending());
        pic.setIrq(3, false);
        pic.setIrq(3, true);
        assertTrue(pic.intrPending());
    }

    @Test
    void maskBlocksAndImrReadsBack() {
        pic.master().write(1, 1, 0xFB);
        assertEquals(0xFB, pic.master().read(1, 1));
        pic.setIrq(0, true);
        assertFalse(pic.intrPending());
        pic.master().write(1, 1, 0xFA);
        assertTrue(pic.intrPending());
        assertEquals(0x08, pic.acknowledge());
    }

    @Test
    void fixedPriorityAndNesting() {
        pic.setIrq(5, true);
        pic.setIrq(3, true);
        assertEquals(0x0B, pic.acknowledge());
        assertFalse(pic.intrPending(), "IR5 is lower than in-service IR3");
        pic.setIrq(1, true);
        assertTrue(pic.intrPending(), "IR1 nests over IR3");
        assertEquals(0x09, pic.acknowledge());
        eoiMaster(); // clears IR1 (highest in service)
        assertFalse(pic.intrPending());
        eoiMaster(); // clears IR3
        assertEquals(0x0D, pic.acknowledge());
    }

    @Test
    void cascadeDeliversSlaveVectorAndNeedsBothEois() {
        pic.setIrq(12, true);
        assertTrue(pic.intrPending());
        assertEquals(0x04, pic.master().read(0, 1), "master IRR shows the cascade");
        assertEquals(0x74, pic.acknowledge());
        pic.master().write(0, 1, 0x0B);
        pic.slave().write(0, 1, 0x0B);
        assertEquals(0x04, pic.master().read(0, 1));
        assertEquals(0x10, pic.slave().read(0, 1));
        pic.setIrq(12, false);
        pic.setIrq(10, true);
        assertFalse(pic.intrPending(), "IR2 in service on the master blocks other slave IRQs");
        eoiSlave();
        eoiMaster();
        assertTrue(pic.intrPending());
        assertEquals(0x72, pic.acknowledge());
    }

    @Test
    void twoSlaveRequestsBothArrive() {
        pic.setIrq(9, true);
        pic.setIrq(11, true);
        assertEquals(0x71, pic.acknowledge());
        eoiSlave();
        eoiMaster();
        assertTrue(pic.intrPending());
        assertEquals(0x73, pic.acknowledge());
    }

    @Test
    void slaveStillPendingAfterAutoEoiAckIsNotLost() {
        initPc(pic, 0x08, 0x70, true);
        pic.setIrq(9, true);
        pic.setIrq(11, true);
        assertEquals(0x71, pic.acknowledge());
        assertTrue(pic.intrPending());
        assertEquals(0x73, pic.acknowledge());
        assertFalse(pic.intrPending());
    }

    @Test
    void spuriousVectors() {
        assertEquals(0x0F, pic.acknowledge(), "master spurious IR7");
        pic.master().write(0, 1, 0x0B);
        assertEquals(0, pic.master().read(0, 1), "spurious IRQ 7 sets no ISR bit");
        // Level-triggered IRQ 10 that drops before the slave's acknowledge.
        pic.elcr().write(1, 1, 0x04);
        pic.setIrq(10, true);
        assertTrue(pic.intrPending());
        pic.slave().write(1, 1, 0x04); // the slave masks it: slave INT falls, master keeps latched IR2 edge
        assertEquals(0x77, pic.acknowledge(), "slave spurious IRQ 15");
        pic.slave().write(0, 1, 0x0B);
        assertEquals(0, pic.slave().read(0, 1));
    }

    @Test
    void elcrLevelTriggerFollowsPinAndMaskBits() {
        pic.elcr().write(0, 2, 0xFFFF);
        assertEquals(0xF8, pic.elcr().read(0, 1), "IRQ 0-2 are always edge");
        assertEquals(0xDE, pic.elcr().read(1, 1), "IRQ 8 and 13 are always edge");
        pic.setIrq(5, true);
        assertEquals(0x0D, pic.acknowledge());
        eoiMaster();
        assertTrue(pic.intrPending(), "a level request still asserted re-requests after EOI");
        pic.setIrq(5, false);
        assertFalse(pic.intrPending(), "dropping the level withdraws the request");
    }

    @Test
    void ltimMakesAllInputsLevelTriggered() {
        pic.master().write(0, 1, 0x19);
        pic.master().write(1, 1, 0x08);
        pic.master().write(1, 1, 0x04);
        pic.master().write(1, 1, 0x01);
        pic.setIrq(4, true);
        assertEquals(0x0C, pic.acknowledge());
        eoiMaster();
        assertTrue(pic.intrPending());
        pic.setIrq(4, false);
        assertFalse(pic.intrPending());
    }

    @Test
    void autoEoiLeavesIsrClear() {
        initPc(pic, 0x08, 0x70, true);
        pic.setIrq(3, true);
        assertEquals(0x0B, pic.acknowledge());
        pic.master().write(0, 1, 0x0B);
        assertEquals(0, pic.master().read(0, 1));
        pic.setIrq(4, true);
        assertEquals(0x0C, pic.acknowledge(), "no in-service level blocks IR4");
    }

    @Test
    void rotateInAutoEoiMakesServicedLevelLowest() {
        initPc(pic, 0x08, 0x70, true);
        pic.master().write(0, 1, 0x80); // rotate in AEOI
        pic.setIrq(1, true);
        assertEquals(0x09, pic.acknowledge());
        pic.setIrq(0, true);
        pic.setIrq(3, true);
        assertEquals(0x0B, pic.acknowledge(), "after rotation IR1 lowest, so IR3 (rank 1) beats IR0 (rank 6)");
        assertEquals(0x08, pic.acknowledge());
        pic.master().write(0, 1, 0x00); // clear rotate in AEOI
        pic.setIrq(0, false);
        pic.setIrq(0, true);
        pic.setIrq(5, true);
        assertEquals(0x0D, pic.acknowledge(), "IR0 was made lowest by the last rotation");
    }

    @Test
    void rotateOnNonSpecificEoiAndSetPriority() {
        pic.setIrq(0, true);
        assertEquals(0x08, pic.acknowledge());
        pic.master().write(0, 1, 0xA0); // rotate on non-specific EOI: IR0 becomes lowest
        pic.setIrq(0, false);
        pic.setIrq(0, true);
        pic.setIrq(7, true);
        assertEquals(0x0F, pic.acknowledge(), "IR7 now outranks IR0");
        pic.master().write(0, 1, 0x60 | 7); // specific EOI IR7
        pic.master().write(0, 1, 0xC0 | 3); // set priority: IR3 lowest, IR4 highest
        pic.setIrq(4, true);
        assertEquals(0x0C, pic.acknowledge());
        pic.master().write(0, 1, 0xE0 | 4); // rotate on specific EOI IR4 -> IR5 highest
        pic.setIrq(5, true);
        assertEquals(0x0D, pic.acknowledge(), "IR5 highest beats IR7 and IR0");
    }

    @Test
    void specificEoiClearsOnlyThatLevel() {
        pic.setIrq(3, true);
        pic.acknowledge();
        pic.setIrq(1, true);
        pic.acknowledge();
        pic.master().write(0, 1, 0x63); // specific EOI IR3
        pic.master().write(0, 1, 0x0B);
        assertEquals(0x02, pic.master().read(0, 1));
    }

    @Test
    void specialMaskModeAllowsLowerPriority() {
        pic.setIrq(2 + 1, true);
        assertEquals(0x0B, pic.acknowledge());
        pic.setIrq(6, true);
        assertFalse(pic.intrPending());
        pic.master().write(1, 1, 0x08); // mask the in-service IR3
        pic.master().write(0, 1, 0x68); // OCW3: set special mask mode
        assertTrue(pic.intrPending(), "special mask mode lets IR6 through");
        assertEquals(0x0E, pic.acknowledge());
        pic.master().write(0, 1, 0x48); // reset special mask
        pic.setIrq(5, true);
        assertFalse(pic.intrPending());
    }

    @Test
    void pollModeActsAsAcknowledge() {
        pic.setIrq(6, true);
        pic.master().write(0, 1, 0x0C); // poll
        assertEquals(0x86, pic.master().read(0, 1));
        pic.master().write(0, 1, 0x0B);
        assertEquals(0x40, pic.master().read(0, 1), "poll moved IR6 in service");
        pic.master().write(1, 1, 0x01);
        pic.master().write(0, 1, 0x0C);
        assertEquals(0x00, pic.master().read(1, 1), "poll with nothing pending reads 0");
        assertEquals(0x01, pic.master().read(1, 1), "poll applies to one read only: IMR");
    }

    @Test
    void specialFullyNestedLetsHigherSlaveIrqThrough() {
        pic.master().write(0, 1, 0x11);
        pic.master().write(1, 1, 0x08);
        pic.master().write(1, 1, 0x04);
        pic.master().write(1, 1, 0x11); // SFNM
        pic.setIrq(12, true);
        assertEquals(0x74, pic.acknowledge());
        pic.setIrq(9, true);
        assertTrue(pic.intrPending(), "higher slave request passes the in-service cascade");
        assertEquals(0x71, pic.acknowledge());
        pic.setIrq(11, true);
        assertFalse(pic.intrPending(), "lower than slave's in-service IRQ 9");
    }

    @Test
    void isaIrq2IsWiredToIrq9() {
        pic.setIrq(2, true);
        assertEquals(0x71, pic.acknowledge());
    }

    @Test
    void listenerSeesIntrEdges() {
        pic.setIrq(4, true);
        pic.acknowledge();
        assertEquals(List.of(true, false), intrChanges);
    }

    @Test
    void resetStateAndReinitialisation() {
        pic.master().write(1, 1, 0x5A);
        pic.elcr().write(0, 1, 0x20);
        pic.setIrq(4, true);
        pic.acknowledge();
        pic.reset();
        assertEquals(0, pic.master().read(1, 1), "IMR clear");
        assertEquals(0, pic.master().read(0, 1), "IRR clear");
        assertEquals(0, pic.elcr().read(0, 2));
        pic.master().write(0, 1, 0x0B);
        assertEquals(0, pic.master().read(0, 1), "ISR clear");
        assertFalse(pic.intrPending());
    }

    @Test
    void icw1ClearsImrAndIsr() {
        pic.master().write(1, 1, 0xFF);
        initPc(pic, 0x20, 0x28, false);
        assertEquals(0, pic.master().read(1, 1));
        pic.setIrq(0, true);
        assertEquals(0x20, pic.acknowledge());
        eoiMaster();
        pic.setIrq(8, true);
        assertEquals(0x28, pic.acknowledge());
    }

    @Test
    void saveRestoreMidOperationContinuesIdentically() {
        pic.elcr().write(0, 2, 0x0820);
        pic.setIrq(5, true);
        pic.setIrq(12, true);
        pic.setIrq(3, true);
        assertEquals(0x74, pic.acknowledge(), "the cascade IR2 outranks IR3 and IR5");
        pic.master().write(1, 1, 0x40);
        DeviceState s = DeviceState.of(pic);
        DualPic copy = new DualPic();
        copy.restoreState(s);
        List<Integer> a = drive(pic);
        assertEquals(a, drive(copy));
        assertTrue(a.contains(0x0B) && a.contains(0x0D), "the saved IRQ3 edge and level IRQ5 are delivered");
    }

    private static List<Integer> drive(DualPic p) {
        List<Integer> out = new ArrayList<>();
        p.setIrq(3, false);
        for (int round = 0; round < 4; round++) {
            out.add(p.intrPending() ? p.acknowledge() : -1);
            p.slave().write(0, 1, 0x20);
            p.master().write(0, 1, 0x20);
            out.add((int) p.master().read(0, 1));
            out.add((int) p.slave().read(0, 1));
            if (round == 2) p.setIrq(5, false);
        }
        return out;
    }

    @Test
    void randomAccessNeverThrowsAndResetRestoresState() {
        Random r = new Random(8259);
        int[] sizes = {1, 2, 4, 8};
        for (int i = 0; i < 100_000; i++) {
            int size = sizes[r.nextInt(4)];
            long offset = r.nextInt(6) - 1 + (r.nextInt(50) == 0 ? r.nextLong() : 0);
            var dev = switch (r.nextInt(3)) {
                case 0 -> pic.master();
                case 1 -> pic.slave();
                default -> (dev.jvirt.devices.Device) pic.elcr();
            };
            if (r.nextBoolean()) dev.write(offset, size, r.nextLong());
            else dev.read(offset, size);
            if (r.nextInt(8) == 0) pic.setIrq(r.nextInt(20) - 2, r.nextBoolean());
            if (r.nextInt(16) == 0 && pic.intrPending()) {
                int v = pic.acknowledge();
                assertTrue(v >= 0 && v <= 0xFF);
            }
        }
        pic.reset();
        for (int irq = 0; irq < 16; irq++) pic.setIrq(irq, false);
        assertEquals(0, pic.master().read(1, 1));
        assertEquals(0, pic.slave().read(1, 1));
        assertEquals(0, pic.elcr().read(0, 2));
        assertEquals(0xFFFF_FF00L, pic.master().read(1, 4), "bytes past the chip read all-ones");
        assertFalse(pic.intrPending());
        initPc(pic, 0x08, 0x70, false);
        pic.setIrq(7, true);
        assertEquals(0x0F, pic.acknowledge());
        pic.master().write(0, 1, 0x0B);
        assertEquals(0x80, pic.master().read(0, 1));
    }
}
