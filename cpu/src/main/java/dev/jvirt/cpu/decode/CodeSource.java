package dev.jvirt.cpu.decode;

/** Where the decoder reads instruction bytes: byte {@code i} of the instruction at CS:EIP (may fault). */
public interface CodeSource {
    int codeByte(int i);
}
