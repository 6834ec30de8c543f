package dev.jvirt.devices.fwcfg;

import dev.jvirt.devices.Device;
import dev.jvirt.devices.DeviceState;
import dev.jvirt.mmu.AddressSpace;
import dev.jvirt.mmu.GuestRam;
import dev.jvirt.mmu.IoHandler;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * QEMU's firmware configuration device (docs/specs/fw_cfg.rst), I/O port interface: selector at
 * 0x510 (16-bit write), data at 0x511 (8-bit reads advance the offset; writes are ignored, as since
 * QEMU 2.4), and the DMA address register at 0x514 (big-endian; the high half at 0x514, the low half
 * at 0x518 whose write starts the transfer, or one 64-bit write at 0x514). Reading 0x514 returns the
 * signature "QEMU CFG". Registered as one range: {@code ports.register(FwCfg.PORT, FwCfg.LENGTH, fwCfg)}.
 *
 * <p>DMA descriptors and buffers must lie in guest RAM in full; anything else sets the error bit
 * (when the descriptor itself is readable) and touches nothing.
 */
public final class FwCfg implements Device {
    public static final int PORT = 0x510, LENGTH = 12;
    static final int OFFSET_SELECTOR = 0, OFFSET_DATA = 1, OFFSET_DMA = 4;

    public static final int SIGNATURE = 0x00, ID = 0x01, UUID = 0x02, RAM_SIZE = 0x03, NOGRAPHIC = 0x04,
            NB_CPUS = 0x05, MACHINE_ID = 0x06, KERNEL_ADDR = 0x07, KERNEL_SIZE = 0x08, KERNEL_CMDLINE = 0x09,
            INITRD_ADDR = 0x0A, INITRD_SIZE = 0x0B, BOOT_DEVICE = 0x0C, NUMA = 0x0D, BOOT_MENU = 0x0E,
            MAX_CPUS = 0x0F, KERNEL_ENTRY = 0x10, KERNEL_DATA = 0x11, INITRD_DATA = 0x12, CMDLINE_ADDR = 0x13,
            CMDLINE_SIZE = 0x14, CMDLINE_DATA = 0x15, SETUP_ADDR = 0x16, SETUP_SIZE = 0x17, SETUP_DATA = 0x18,
            FILE_DIR = 0x19, FILE_FIRST = 0x20;
    public static final int WRITE_CHANNEL = 0x4000, ARCH_LOCAL = 0x8000;
    static final int ENTRY_MASK = ~(WRITE_CHANNEL | ARCH_LOCAL) & 0xFFFF;
    public static final int MAX_FILE_PATH = 56;
    /** FW_CFG_ID: traditional interface and DMA. */
    public static final int VERSION = 0x01, VERSION_DMA = 0x02;
    public static final int DMA_CTL_ERROR = 0x01, DMA_CTL_READ = 0x02, DMA_CTL_SKIP = 0x04,
            DMA_CTL_SELECT = 0x08, DMA_CTL_WRITE = 0x10;
    static final byte[] DMA_SIGNATURE = "QEMU CFG".getBytes(StandardCharsets.US_ASCII);
    static final int DESCRIPTOR_SIZE = 16;

    private static final byte[] ZEROS = new byte[GuestRam.PAGE_SIZE];

    private static final class Item {
        byte[] data;
        final boolean writable;

        Item(byte[] data, boolean writable) {
            this.data = data;
            this.writable = writable;
        }
    }

    private record FileEntry(String name, int key) { }

    private final AddressSpace memory;
    private final GuestRam ram;
    private final Map<Integer, Item> items = new HashMap<>();
    private final List<FileEntry> files = new ArrayList<>();

    private int selector;
    private long offset;
    private long dmaHigh;

    public FwCfg(AddressSpace memory) {
        this.memory = memory;
        this.ram = memory.ram();
        addBytes(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        addInt32(ID, VERSION | VERSION_DMA);
        addBytes(FILE_DIR, directory());
    }

    // ---- configuration (board side) ------------------------------------------------------------

    /** Sets item {@code key} (arch-local keys have bit 15 set). */
    public void addBytes(int key, byte[] data) {
        items.put(key & (ENTRY_MASK | ARCH_LOCAL), new Item(data.clone(), false));
    }

    public void addInt16(int key, int v) { addBytes(key, le(v, 2)); }

    public void addInt32(int key, long v) { addBytes(key, le(v, 4)); }

    public void addInt64(int key, long v) { addBytes(key, le(v, 8)); }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    /** Adds (or replaces) a named file; returns its selector key. */
    public int addFile(String name, byte[] data) { return addFile(name, data, false); }

    /** A file the guest may overwrite in place by DMA write (e.g. {@code etc/vmcoreinfo}). */
    public int addWritableFile(String name, byte[] data) { return addFile(name, data, true); }

    private int addFile(String name, byte[] data, boolean writable) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= MAX_FILE_PATH) throw new IllegalArgumentException("fw_cfg file name length: " + name);
        int key = -1;
        for (FileEntry f : files) {
            if (f.name.equals(name)) key = f.key;
        }
        if (key < 0) {
            key = FILE_FIRST + files.size();
            if (key > ENTRY_MASK) throw new IllegalArgumentException("fw_cfg has no free file slot");
            files.add(new FileEntry(name, key));
        }
        items.put(key, new Item(data.clone(), writable));
        items.put(FILE_DIR, new Item(directory(), false));
        return key;
    }

    /** The current contents of an item (files written by the guest included), or null. */
    public byte[] bytes(int key) {
        Item it = items.get(key & (ENTRY_MASK | ARCH_LOCAL));
        return it == null ? null : it.data.clone();
    }

    public byte[] file(String name) {
        for (FileEntry f : files) {
            if (f.name.equals(name)) return bytes(f.key);
        }
        return null;
    }

    /** FW_CFG_FILE_DIR: big-endian count, then per file big-endian size, select, reserved, 56-byte name. */
    private byte[] directory() {
        ByteBuffer b = ByteBuffer.allocate(4 + 64 * files.size()).order(ByteOrder.BIG_ENDIAN);
        b.putInt(files.size());
        for (FileEntry f : files) {
            Item it = items.get(f.key);
            b.putInt(it == null ? 0 : it.data.length);
            b.putShort((short) f.key);
            b.putShort((short) 0);
            byte[] name = new byte[MAX_FILE_PATH];
            byte[] n = f.name.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, name, 0, n.length);
            b.put(name);
        }
        return b.array();
    }

    public void setRamSize(long bytes) { addInt64(RAM_SIZE, bytes); }

    /** NB_CPUS and MAX_CPUS. */
    public void setCpuCount(int cpus, int maxCpus) {
        addInt16(NB_CPUS, cpus);
        addInt16(MAX_CPUS, maxCpus);
    }

    public void setKernel(long loadAddress, byte[] kernel) {
        addInt32(KERNEL_ADDR, loadAddress);
        addInt32(KERNEL_SIZE, kernel.length);
        addBytes(KERNEL_DATA, kernel);
    }

    public void setKernelEntry(long entry) { addInt32(KERNEL_ENTRY, entry); }

    public void setInitrd(long loadAddress, byte[] initrd) {
        addInt32(INITRD_ADDR, loadAddress);
        addInt32(INITRD_SIZE, initrd.length);
        addBytes(INITRD_DATA, initrd);
    }

    /** The command line, NUL-terminated; KERNEL_CMDLINE holds its address too, as QEMU's x86 loader sets it. */
    public void setCmdline(long address, String cmdline) {
        byte[] s = cmdline.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        addInt32(KERNEL_CMDLINE, address);
        addInt32(CMDLINE_ADDR, address);
        addInt32(CMDLINE_SIZE, z.length);
        addBytes(CMDLINE_DATA, z);
    }

    public void setSetup(long address, byte[] setup) {
        addInt32(SETUP_ADDR, address);
        addInt32(SETUP_SIZE, setup.length);
        addBytes(SETUP_DATA, setup);
    }

    /** BOOT_DEVICE: the legacy boot drive letter ('c' disk, 'd' CD-ROM, 'n' network). */
    public void setBootDevice(char drive) { addInt16(BOOT_DEVICE, drive); }

    /** {@code etc/e820}: QEMU's packed struct e820_entry array. */
    public void setE820(List<E820Entry> entries) {
        ByteBuffer b = ByteBuffer.allocate(E820Entry.SIZE * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (E820Entry e : entries) b.putLong(e.address()).putLong(e.length()).putInt(e.type());
        addFile("etc/e820", b.array());
    }

    /** {@code bootorder}: one OpenFirmware device path per line, NUL-terminated. */
    public void setBootOrder(List<String> devicePaths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : devicePaths) out.writeBytes((p + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        addFile("bootorder", out.toByteArray());
    }

    // ---- guest interface -----------------------------------------------------------------------

    /** Clears the selection and the DMA address latch; the items are configuration and stay. */
    @Override
    public void reset() {
        selector = SIGNATURE;
        offset = 0;
        dmaHigh = 0;
    }

    @Override
    public long read(long off, int size) {
        if ((off == OFFSET_SELECTOR || off == OFFSET_DATA) && size == 1) return readDataByte();
        if (off >= OFFSET_DMA && off + size <= OFFSET_DMA + 8) {
            long v = 0;
            for (int i = 0; i < size; i++) v |= (DMA_SIGNATURE[(int) (off - OFFSET_DMA) + i] & 0xFFL) << (8 * i);
            return v;
        }
        return IoHandler.ones(size);
    }

    @Override
    public void write(long off, int size, long value) {
        if (off == OFFSET_SELECTOR && size == 2) {
            select((int) value & 0xFFFF);
        } else if (off == OFFSET_DMA && size == 4) {
            dmaHigh = Integer.reverseBytes((int) value) & 0xFFFF_FFFFL;
        } else if (off == OFFSET_DMA + 4 && size == 4) {
            long address = dmaHigh << 32 | (Integer.reverseBytes((int) value) & 0xFFFF_FFFFL);
            dmaHigh = 0;
            dma(address);
        } else if (off == OFFSET_DMA && size == 8) {
            dmaHigh = 0;
            dma(Long.reverseBytes(value));
        }
    }

    private void select(int key) {
        selector = key;
        offset = 0;
    }

    private Item current() {
        return items.get(selector & (ENTRY_MASK | ARCH_LOCAL));
    }

    private int readDataByte() {
        Item it = current();
        if (it == null || offset >= it.data.length) return 0;
        return it.data[(int) offset++] & 0xFF;
    }

    /** Whether [address, address + length) is guest RAM throughout. */
    private boolean inRam(long address, long length) {
        if (length == 0) return true;
        if (address < 0 || length < 0 || length > ram.size() || address + length < address) return false;
        long last = address + length - 1;
        for (long page = address & ~(GuestRam.PAGE_SIZE - 1L); page <= last; page += GuestRam.PAGE_SIZE) {
            if (memory.ramPageOffset(page) < 0) return false;
        }
        return true;
    }

    /** Copies between a checked guest range and {@code buf}, page by page (RAM may be split at the PCI hole). */
    private void copy(long address, byte[] buf, int from, long len, boolean toGuest) {
        while (len > 0) {
            long ramOff = memory.ramPageOffset(address) + (address & (GuestRam.PAGE_SIZE - 1));
            int chunk = (int) Math.min(len, GuestRam.PAGE_SIZE - (address & (GuestRam.PAGE_SIZE - 1)));
            if (toGuest) {
                ram.load(ramOff, buf == null ? ZEROS : buf, buf == null ? 0 : from, chunk);
            } else {
                MemorySegment.copy(ram.segment(), ValueLayout.JAVA_BYTE, ramOff, buf, from, chunk);
            }
            address += chunk;
            from += chunk;
            len -= chunk;
        }
    }

    private void dma(long descriptor) {
        if (!inRam(descriptor, DESCRIPTOR_SIZE)) return;
        byte[] d = new byte[DESCRIPTOR_SIZE];
        copy(descriptor, d, 0, DESCRIPTOR_SIZE, false);
        ByteBuffer bb = ByteBuffer.wrap(d).order(ByteOrder.BIG_ENDIAN);
        int control = bb.getInt(0);
        long length = bb.getInt(4) & 0xFFFF_FFFFL;
        long address = bb.getLong(8);

        if ((control & DMA_CTL_SELECT) != 0) select(control >>> 16);
        boolean read = (control & DMA_CTL_READ) != 0;
        boolean write = !read && (control & DMA_CTL_WRITE) != 0;
        boolean skip = !read && !write && (control & DMA_CTL_SKIP) != 0;
        int result = 0;
        if (read || write || skip) result = transfer(read, write, address, length);
        byte[] status = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(result).array();
        copy(descriptor, status, 0, 4, true);
    }

    /** Returns the control word to write back: 0 on success, the error bit otherwise. */
    private int transfer(boolean read, boolean write, long address, long length) {
        if (length == 0) return 0;
        if ((read || write) && !inRam(address, length)) return DMA_CTL_ERROR;
        Item it = current();
        long avail = it == null ? 0 : Math.max(0, it.data.length - offset);
        long n = Math.min(length, avail);
        if (write) {
            if (it == null || !it.writable || length > avail) return DMA_CTL_ERROR;
            copy(address, it.data, (int) offset, (int) length, false);
        } else if (read) {
            if (n > 0) copy(address, it.data, (int) offset, (int) n, true);
            // Past the item's end the guest gets zeros.
            if (length > n) copy(address + n, null, 0, length - n, true);
        }
        offset += n;
        return 0;
    }

    // ---- state ---------------------------------------------------------------------------------

    @Override public String stateId() { return "fw_cfg"; }

    @Override public int stateVersion() { return 1; }

    /** Saves the selection and the guest-written files; the rest is configuration the board rebuilds. */
    @Override
    public void saveState(DeviceState out) {
        out.put("selector", selector);
        out.put("offset", offset);
        out.put("dmaHigh", dmaHigh);
        DeviceState w = new DeviceState("fw_cfg.writable", 1);
        for (FileEntry f : files) {
            Item it = items.get(f.key);
            if (it.writable) w.put(f.name, it.data);
        }
        out.put("writable", w);
    }

    @Override
    public void restoreState(DeviceState in) {
        in.expect(this, 1);
        selector = in.getInt("selector") & 0xFFFF;
        offset = Math.max(0, in.getLong("offset"));
        dmaHigh = in.getLong("dmaHigh") & 0xFFFF_FFFFL;
        DeviceState w = in.getState("writable");
        for (FileEntry f : files) {
            Item it = items.get(f.key);
            if (it.writable && w.has(f.name)) it.data = w.getBytes(f.name);
        }
    }
}
