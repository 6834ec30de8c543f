/**
 * The IA-32 instruction decoder, independent of execution so the interpreter and a translator share it.
 *
 * <p>{@link dev.jvirt.cpu.decode.Decoder#decode} reads bytes through a {@link dev.jvirt.cpu.decode.CodeSource}
 * (byte i of the instruction at CS:EIP; it may throw the CPU's fault for #PF/#GP on fetch) and fills one reused
 * {@link dev.jvirt.cpu.decode.DecodedInsn}: opcode (0x000-0x0FF, 0x100-0x1FF for 0F xx), prefixes (last of each
 * group wins), operand/address size, ModRM fields, the effective-address parts (base, index, scale, displacement,
 * segment), immediates and length. An instruction longer than 15 bytes decodes as
 * {@link dev.jvirt.cpu.decode.OpcodeTable#TOO_LONG} (#GP(0)). Operand encodings come from
 * {@link dev.jvirt.cpu.decode.OpcodeTable} (SDM Vol. 2 Appendix A).
 */
package dev.jvirt.cpu.decode;
