package dev.jvirt.devices.apic;

import java.util.ArrayList;
import java.util.List;

/** A vCPU stand-in that records what its local APIC signals. */
final class RecordingSignals implements LocalApic.Signals {
    int interruptRequests;
    int inits;
    int smis;
    final List<Integer> startups = new ArrayList<>();

    @Override public void interruptRequest() { interruptRequests++; }

    @Override public void init() { inits++; }

    @Override public void startup(int vector) { startups.add(vector); }

    @Override public void smi() { smis++; }
}
