package dev.jvirt.machine.chardev;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * QEMU's {@code stdio}: guest output to standard output, standard input to the guest. On a terminal
 * the input side switches it to raw mode and honours the Ctrl-A escape (see {@link EscapeDecoder});
 * from a pipe or file every byte passes through.
 */
final class StdioChardev implements HostChardev {
    private static final AtomicBoolean IN_USE = new AtomicBoolean();

    private final AsyncOutput out;
    private final Terminal terminal = new Terminal();
    private InputPump pump;
    private boolean closed;

    private StdioChardev(PrintStream stdout) {
        this.out = new AsyncOutput(stdout, "stdio");
    }

    /** Standard input and output exist once: a second user is a command-line error, as in QEMU. */
    static StdioChardev open() {
        if (!IN_USE.compareAndSet(false, true)) {
            throw new IllegalArgumentException("stdio cannot be used by more than one character device");
        }
        return new StdioChardev(System.out);
    }

    @Override
    public void write(int b) { out.write(b); }

    @Override
    public void flush() { out.flush(); }

    @Override
    public void acceptInput() {
        InputPump p = pump;
        if (p != null) p.acceptInput();
    }

    @Override
    public synchronized void start(ChardevInput input) {
        if (pump != null || closed) return;
        boolean interactive = Terminal.stdinIsTerminal() && terminal.enterRawMode();
        InputStream stdin = new FileInputStream(FileDescriptor.in);
        pump = new InputPump(stdin, input, interactive ? new EscapeDecoder() : null, new InputPump.Commands() {
            @Override public void help() { writeText(EscapeDecoder.help()); }

            @Override public void quit() {
                writeText("\r\njvirt: Terminated\r\n");
                out.flush();
                terminal.restore();
                input.quit();
            }
        });
        pump.start("stdio");
    }

    private void writeText(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        out.close();
        terminal.restore();
        IN_USE.set(false);
    }

    @Override public String toString() { return "stdio"; }
}
