package dev.jvirt.machine;

import java.util.LinkedHashMap;
import java.util.Map;

/** One {@code -device DRIVER[,PROP=VALUE...]} argument. */
record DeviceSpec(String driver, Map<String, String> props) {
    static DeviceSpec parse(String text) {
        String[] parts = text.split(",");
        String driver = parts[0].trim();
        if (driver.isEmpty()) throw new UsageException("-device " + text + ": no device name");
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) throw new UsageException("-device " + text + ": expected PROP=VALUE, got '" + parts[i] + "'");
            props.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return new DeviceSpec(driver, props);
    }

    /** Rejects properties other than {@code allowed}, so a typo is not silently ignored. */
    void allowOnly(String... allowed) {
        for (String k : props.keySet()) {
            boolean ok = false;
            for (String a : allowed) ok |= a.equals(k);
            if (!ok) throw new UsageException("-device " + driver + ": unknown property '" + k + "' (known: " + String.join(", ", allowed) + ")");
        }
    }

    long intProp(String name, long dflt, long min, long max) {
        String v = props.get(name);
        if (v == null) return dflt;
        long n = Sizes.parseInt("-device " + driver + "," + name, v);
        if (n < min || n > max) throw new UsageException(String.format("-device %s,%s=%s: must be %#x..%#x", driver, name, v, min, max));
        return n;
    }
}
