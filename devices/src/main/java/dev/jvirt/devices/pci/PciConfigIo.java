package dev.jvirt.devices.pci;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.mmu.IoHandler;

/**
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2): CONFIG_ADDRESS at
 * 0xCF8, a DWORD-only register (bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2),
 * and CONFIG_DATA at 0xCFC-0xCFF, accessed at any size at the byte lane the port selects.
 *
 * <p>Registered as one range: {@code ports.register(0xCF8, 8, configIo)}. Port 0xCF9 overlaps
 * CONFIG_ADDRESS but byte accesses to it belong to the PIIX3 Reset Control Register, so this
 * device forwards them to the handler given (only DWORD accesses at 0xCF8 are CONFIG_ADDRESS).
 */
public final class PciConfigIo implements Device {
    public static final int PORT = 0xCF8, LENGTH = 8;
    static final long ENABLE = 0x8000_0000L;
    /** CONFIG_ADDRESS bits that exist: enable, bus, device, function, register (bits 1:0 read 0). */
    static final long ADDRESS_MASK = 0x80FF_FFFCL;

    private final PciBus bus;
    private final IoHandler resetControl;
    private long address;

    /** @param resetControl the byte register at 0xCF9 (the PIIX3 RCR), or null */
    public PciConfigIo(PciBus bus, IoHandler resetControl) {
        this.bus = bus;
        this.resetControl = resetControl;
    }

    public PciConfigIo(PciBus bus) {
        this(bus, null);
    }

    @Override
    public void reset() {
        address = 0;
    }

    @Override
    public long read(long offset, int size) {
        if (offset == 0 && size == 4) return address;
        if (offset == 1 && size == 1 && resetControl != null) return resetControl.read(0, 1) & 0xFF;
        if (offset >= 4 && offset < 8) {
            if (offset - 4 + size > 4) return split(offset, size);
            if ((address & ENABLE) == 0) return IoHandler.ones(size);
            return bus.readConfig(busNo(), slot(), function(), register(offset), size);
        }
        return IoHandler.ones(size);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == 0 && size == 4) {
            address = value & ADDRESS_MASK;
        } else if (offset == 1 && size == 1 && resetControl != null) {
            resetControl.write(0, 1, value & 0xFF);
        } else if (offset >= 4 && offset < 8) {
            if (offset - 4 + size > 4) {
                for (int i = 0; i < size && offset + i < 8; i++) write(offset + i, 1, value >>> (8 * i));
                return;
            }
            if ((address & ENABLE) != 0) bus.writeConfig(busNo(), slot(), function(), register(offset), size, value);
        }
    }

    private long split(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            long b = offset + i < 8 ? read(offset + i, 1) & 0xFF : 0xFF;
            v |= b << (8 * i);
        }
        return v;
    }

    private int busNo() { return (int) (address >>> 16) & 0xFF; }

    private int slot() { return (int) (address >>> 11) & 0x1F; }

    private int function() { return (int) (address >>> 8) & 7; }

    private int register(long offset) { return (int) (address & 0xFC) | (int) (offset - 4); }

    @Override public String stateId() { return "pci-config-io"; }

    @Override public int stateVersion() { return 1; }

    @Override
    public void saveState(DeviceState out) {
        out.put("address", address);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        address = in.getLong("address") & ADDRESS_MASK;
    }
}
