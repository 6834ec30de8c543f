package dev.jvirt.cpu.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reader for SingleStepTests MOO files (testdata/sst286/README.md). */
public final class MooFile {
    /** Register order of the REGS bitmask. */
    public static final String[] REG_NAMES = {"ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags"};

    /** One CPU state: registers by REG_NAMES index (-1 = not listed), and RAM bytes. */
    public record State(int[] regs, long[] ramAddr, int[] ramVal) { }

    public record Vector(int index, String name, byte[] bytes, State init, State fin, int exception, long exceptionFlagsAddr,
                         String hash) { }

    private MooFile() { }

    public static List<Vector> read(Path file) throws IOException {
        byte[] raw;
        try (InputStream in = Files.newInputStream(file)) {
            raw = file.toString().endsWith(".gz") ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 8 || b.getInt() != 0x204F4F4D) throw new IOException(file + ": not a MOO file");
        int headerLen = b.getInt();
        b.position(b.position() + headerLen);
        List<Vector> out = new ArrayList<>();
        while (b.remaining() >= 8) {
            String tag = tag(b);
            int len = b.getInt();
            int end = b.position() + len;
            if (tag.equals("TEST")) out.add(test(b, end));
            b.position(end);
        }
        return out;
    }

    private static String tag(ByteBuffer b) {
        byte[] t = new byte[4];
        b.get(t);
        return new String(t, StandardCharsets.US_ASCII);
    }

    private static Vector test(ByteBuffer b, int end) {
        int index = b.getInt();
        String name = "";
        byte[] bytes = new byte[0];
        State init = null, fin = null;
        int exc = -1;
        long excAddr = -1;
        String hash = "";
        while (b.position() + 8 <= end) {
            String tag = tag(b);
            int len = b.getInt();
            int subEnd = b.position() + len;
            switch (tag) {
                case "NAME" -> {
                    byte[] n = new byte[b.getInt()];
                    b.get(n);
                    name = new String(n, StandardCharsets.UTF_8);
                }
                case "BYTS" -> {
                    bytes = new byte[b.getInt()];
                    b.get(bytes);
                }
                case "INIT" -> init = state(b, subEnd);
                case "FINA" -> fin = state(b, subEnd);
                case "EXCP" -> {
                    exc = b.get() & 0xFF;
                    excAddr = b.getInt() & 0xFFFF_FFFFL;
                }
                case "HASH" -> {
                    byte[] h = new byte[20];
                    b.get(h);
                    hash = HexFormat.of().formatHex(h);
                }
                default -> { }
            }
            b.position(subEnd);
        }
        return new Vector(index, name, bytes, init, fin, exc, excAddr, hash);
    }

    private static State state(ByteBuffer b, int end) {
        int[] regs = new int[REG_NAMES.length];
        java.util.Arrays.fill(regs, -1);
        long[] addr = new long[0];
        int[] val = new int[0];
        while (b.position() + 8 <= end) {
            String tag = tag(b);
            int len = b.getInt();
            int subEnd = b.position() + len;
            if (tag.equals("REGS")) {
                int mask = b.getShort() & 0xFFFF;
                for (int i = 0; i < REG_NAMES.length; i++) if ((mask & (1 << i)) != 0) regs[i] = b.getShort() & 0xFFFF;
            } else if (tag.equals("RAM ")) {
                int n = b.getInt();
                addr = new long[n];
                val = new int[n];
                for (int i = 0; i < n; i++) {
                    addr[i] = b.getInt() & 0xFFFF_FFFFL;
                    val[i] = b.get() & 0xFF;
                }
            }
            b.position(subEnd);
        }
        return new State(regs, addr, val);
    }
}
