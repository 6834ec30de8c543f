package dev.jvirt.devices.apic;

import java.util.Arrays;
import java.util.List;

/**
 * The APIC interrupt message fabric (the system bus of Intel SDM Vol. 3A 11.6): carries interrupt
 * messages from I/O APICs, MSIs and local APIC IPIs to the local APICs they address, and carries
 * EOI broadcasts for level-triggered vectors from the local APICs back to the I/O APICs.
 *
 * <p>Destinations are matched as SDM 11.6.2 describes: a physical destination is an APIC ID (0xFF,
 * or 0xFFFFFFFF in x2APIC format, is broadcast); a logical destination is matched against each
 * local APIC's LDR under its DFR model (flat or cluster), or the x2APIC cluster/bitmap layout.
 */
public final class ApicBus {
    public static final int DM_FIXED = 0;
    public static final int DM_LOWEST_PRIORITY = 1;
    public static final int DM_SMI = 2;
    public static final int DM_NMI = 4;
    public static final int DM_INIT = 5;
    public static final int DM_SIPI = 6;
    public static final int DM_EXTINT = 7;

    /** ICR destination shorthands (SDM Figure 11-12, bits 19:18). */
    static final int SH_NONE = 0;
    static final int SH_SELF = 1;
    static final int SH_ALL = 2;
    static final int SH_ALL_BUT_SELF = 3;

    private static final long MSI_ADDRESS_MASK = 0xFFF0_0000L;
    private static final long MSI_ADDRESS_BASE = 0xFEE0_0000L;

    private LocalApic[] localApics = new LocalApic[0];
    private IoApic[] ioApics = new IoApic[0];

    void attach(LocalApic lapic) {
        localApics = Arrays.copyOf(localApics, localApics.length + 1);
        localApics[localApics.length - 1] = lapic;
    }

    void attach(IoApic ioapic) {
        ioApics = Arrays.copyOf(ioApics, ioApics.length + 1);
        ioApics[ioApics.length - 1] = ioapic;
    }

    /** The local APICs on this bus, in the order they were created (vCPU index order). */
    public List<LocalApic> localApics() { return List.of(localApics); }

    /**
     * Delivers one interrupt message.
     *
     * @param dest          destination: APIC ID (physical) or logical destination (MDA)
     * @param logical       destination mode: false physical, true logical
     * @param deliveryMode  one of the {@code DM_*} constants; reserved modes are dropped
     * @param vector        interrupt vector (ignored for NMI, INIT, SMI, ExtINT)
     * @param levelTrigger  trigger mode: true level (the vector's TMR bit is set and EOI is broadcast)
     * @param assertLevel   false only for an INIT level de-assert message, which modern processors ignore
     * @return how many local APICs accepted the message
     */
    public int deliver(int dest, boolean logical, int deliveryMode, int vector, boolean levelTrigger, boolean assertLevel) {
        if (!assertLevel) return 0;
        return route(null, SH_NONE, dest, logical, deliveryMode & 7, vector & 0xFF, levelTrigger);
    }

    /**
     * Decodes and delivers a message signalled interrupt (SDM 11.11): the address selects the
     * destination (bits 19:12 APIC ID, bit 2 destination mode; bits 63:40 extend the ID as KVM's
     * x2APIC API does), the data selects vector (7:0), delivery mode (10:8), level (14) and trigger
     * mode (15). The redirection hint (bit 3) only permits lowest-priority redirection, which the
     * delivery mode already selects, so it is not consulted. A write outside 0xFEExxxxx is not an
     * interrupt message and returns false.
     */
    public boolean deliverMsi(long address, int data) {
        if ((address & MSI_ADDRESS_MASK) != MSI_ADDRESS_BASE) return false;
        int dest = (int) ((address >>> 12) & 0xFF) | (int) ((address >>> 32) & 0xFFFF_FF00L);
        boolean logical = (address & 4) != 0;
        int mode = (data >>> 8) & 7;
        boolean level = (data & 0x8000) != 0;
        // Edge messages always assert; a level message with level=0 is a de-assert and does nothing.
        if (level && (data & 0x4000) == 0) return true;
        route(null, SH_NONE, dest, logical, mode, data & 0xFF, level);
        return true;
    }

    /** An EOI for a level-triggered vector, from a local APIC to every I/O APIC (SDM 11.8.5). */
    public void broadcastEoi(int vector) {
        for (IoApic io : ioApics) io.eoi(vector & 0xFF);
    }

    /** An inter-processor interrupt from {@code source}'s ICR (SDM 11.6.1). */
    void sendIpi(LocalApic source, int shorthand, int dest, boolean logical, int mode, int vector, boolean levelTrigger, boolean assertLevel) {
        if (mode == DM_INIT && levelTrigger && !assertLevel) return; // INIT level de-assert: no-op since the Pentium 4
        route(source, shorthand, dest, logical, mode, vector, levelTrigger);
    }

    private int route(LocalApic source, int shorthand, int dest, boolean logical, int mode, int vector, boolean levelTrigger) {
        if (mode == 3) return 0; // reserved delivery mode
        LocalApic[] all = localApics;
        if (mode == DM_LOWEST_PRIORITY && shorthand == SH_NONE) {
            LocalApic best = null;
            for (LocalApic l : all) {
                if (!l.acceptsLowestPriority() || !matches(l, dest, logical)) continue;
                if (best == null || l.arbitrationPriority() < best.arbitrationPriority()) best = l;
            }
            if (best == null) return 0;
            best.accept(DM_FIXED, vector, levelTrigger);
            return 1;
        }
        if (mode == DM_LOWEST_PRIORITY) mode = DM_FIXED;
        int n = 0;
        for (LocalApic l : all) {
            boolean hit = switch (shorthand) {
                case SH_SELF -> l == source;
                case SH_ALL -> true;
                case SH_ALL_BUT_SELF -> l != source;
                default -> matches(l, dest, logical);
            };
            if (hit && l.accept(mode, vector, levelTrigger)) n++;
        }
        return n;
    }

    private static boolean matches(LocalApic l, int dest, boolean logical) {
        return logical ? l.matchesLogical(dest) : l.matchesPhysical(dest);
    }
}
