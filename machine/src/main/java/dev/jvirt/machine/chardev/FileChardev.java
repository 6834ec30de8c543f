package dev.jvirt.machine.chardev;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** QEMU's {@code file:PATH}: guest output written to a file, created or truncated; no input. */
final class FileChardev implements HostChardev {
    private static final System.Logger LOG = System.getLogger(FileChardev.class.getName());

    private final Path path;
    private final OutputStream stream;
    private final AsyncOutput out;
    private boolean closed;

    private FileChardev(Path path, OutputStream stream) {
        this.path = path;
        this.stream = stream;
        this.out = new AsyncOutput(stream, "file");
    }

    /** @throws IllegalArgumentException with a one-line reason if the file cannot be opened for writing */
    static FileChardev open(Path path) {
        try {
            OutputStream s = Files.newOutputStream(path,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            return new FileChardev(path, s);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new IllegalArgumentException("cannot open character device file:" + path + ": " + reason(e));
        }
    }

    private static String reason(Exception e) {
        String why = switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file or directory";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
        return why.replaceAll("[\\r\\n]+", " ");
    }

    @Override
    public void write(int b) { out.write(b); }

    @Override
    public void flush() { out.flush(); }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        out.close();
        try {
            stream.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + path + ": " + e.getMessage());
        }
    }

    @Override public String toString() { return "file:" + path; }
}
