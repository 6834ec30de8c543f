package dev.jvirt.devices;

/**
 * What a device may ask of the machine: the requests that real hardware makes by pulling RESET, by
 * cutting power, or (for QEMU's isa-debug-exit) by ending the emulator. The machine stops its vCPUs
 * promptly and acts on the request; the device call itself returns normally.
 */
public interface MachineControl {
    /** Ends the emulator with this process exit status (isa-debug-exit). */
    void requestExit(int status);

    /** A system reset: the machine reboots, or stops under -no-reboot. */
    void requestReset();

    /** Power off (ACPI S5). */
    void requestPowerOff();

    MachineControl NONE = new MachineControl() {
        @Override public void requestExit(int status) { }
        @Override public void requestReset() { }
        @Override public void requestPowerOff() { }
    };
}
