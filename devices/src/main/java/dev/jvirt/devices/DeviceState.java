package dev.jvirt.devices;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One device's saved state: an id, a version and named fields of simple types (long, boolean,
 * byte[], long[], nested states). Snapshots serialise it to JSON; tests round-trip it in memory.
 */
public final class DeviceState {
    private final String id;
    private final int version;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    public DeviceState(String id, int version) {
        this.id = id;
        this.version = version;
    }

    /** An empty state stamped with the id and version of {@code s}, ready for {@link Snapshottable#saveState}. */
    public static DeviceState of(Snapshottable s) {
        DeviceState st = new DeviceState(s.stateId(), s.stateVersion());
        s.saveState(st);
        return st;
    }

    public String id() { return id; }

    public int version() { return version; }

    public Map<String, Object> fields() { return Collections.unmodifiableMap(fields); }

    public DeviceState put(String name, long v) { fields.put(name, v); return this; }

    public DeviceState put(String name, boolean v) { fields.put(name, v); return this; }

    public DeviceState put(String name, byte[] v) { fields.put(name, v.clone()); return this; }

    public DeviceState put(String name, long[] v) { fields.put(name, v.clone()); return this; }

    public DeviceState put(String name, int[] v) { fields.put(name, Arrays.stream(v).asLongStream().toArray()); return this; }

    public DeviceState put(String name, DeviceState nested) { fields.put(name, nested); return this; }

    public boolean has(String name) { return fields.containsKey(name); }

    public long getLong(String name) { return ((Number) require(name)).longValue(); }

    public int getInt(String name) { return (int) getLong(name); }

    public boolean getBoolean(String name) { return (Boolean) require(name); }

    public byte[] getBytes(String name) { return ((byte[]) require(name)).clone(); }

    public long[] getLongs(String name) { return ((long[]) require(name)).clone(); }

    public int[] getInts(String name) { return Arrays.stream(getLongs(name)).mapToInt(x -> (int) x).toArray(); }

    public DeviceState getState(String name) { return (DeviceState) require(name); }

    /** Checks that this state is for {@code s} and of a version it can read. */
    public void expect(Snapshottable s, int minVersion) {
        if (!id.equals(s.stateId())) throw new IllegalStateException("state " + id + " offered to " + s.stateId());
        if (version < minVersion || version > s.stateVersion()) {
            throw new IllegalStateException("state " + id + " has version " + version + ", supported " + minVersion + ".." + s.stateVersion());
        }
    }

    private Object require(String name) {
        Object v = fields.get(name);
        if (v == null) throw new IllegalStateException("state " + id + " v" + version + " lacks field " + name);
        return v;
    }

    @Override
    public String toString() { return "DeviceState[" + id + " v" + version + " " + fields.keySet() + "]"; }
}
