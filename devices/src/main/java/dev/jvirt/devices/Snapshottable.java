package dev.jvirt.devices;

/**
 * State that survives snapshots, migration and backend switches, saved as explicit named fields
 * under a version. {@link #restoreState} must accept every version this code ever wrote, or reject it
 * with an {@link IllegalStateException} naming the version.
 */
public interface Snapshottable {
    /** A stable name for this piece of state, unique within a machine (e.g. "serial0"). */
    String stateId();

    int stateVersion();

    void saveState(DeviceState out);

    void restoreState(DeviceState in);
}
