package dev.jvirt.machine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -smp} as QEMU spells it, {@code -machine pc,linux-entry=}, and what jvirt refuses with one line. */
class MachineConfigTest {
    private static MachineConfig config(String... args) {
        return MachineConfig.from(Options.parse(args), false);
    }

    private static void assertRefused(String fragment, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> config(args));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(UsageException.BAD_INPUT, e.status());
    }

    @Test
    void smpTakesACountInEitherSpelling() {
        assertEquals(1, config().vcpus());
        assertEquals(4, config("-smp", "4").vcpus());
        assertEquals(2, config("-smp", "cpus=2").vcpus());
        assertEquals(3, config("-smp", "3,maxcpus=3").vcpus());
        assertEquals(MachineConfig.MAX_VCPUS, config("-smp", Integer.toString(MachineConfig.MAX_VCPUS)).vcpus());
    }

    @Test
    void smpOutsideTheBuiltRangeIsRefused() {
        assertRefused("at most 16 vCPUs", "-smp", "17");
        assertRefused("at least one vCPU", "-smp", "0");
        assertRefused("is not a number", "-smp", "two");
        assertRefused("CPU topology is not built", "-smp", "4,sockets=2");
        assertRefused("maxcpus must equal cpus", "-smp", "2,maxcpus=4");
        assertRefused("unknown property", "-smp", "2,foo=1");
    }

    @Test
    void icountNeedsOneVcpu() {
        assertRefused("-icount needs -smp 1", "-smp", "2", "-icount", "3");
        assertEquals(3, config("-smp", "1", "-icount", "3").icountShift());
    }

    @Test
    void linuxEntryIsSelectable() {
        assertEquals(dev.jvirt.firmware.linux.EntryMode.AUTO, config().linuxEntry());
        assertEquals(dev.jvirt.firmware.linux.EntryMode.PROTECTED_MODE, config("-machine", "pc,linux-entry=32").linuxEntry());
        assertEquals(dev.jvirt.firmware.linux.EntryMode.LONG_MODE, config("-machine", "pc,accel=interp,linux-entry=64").linuxEntry());
        assertRefused("linux-entry is auto, 64 or 32", "-machine", "pc,linux-entry=16");
    }
}
