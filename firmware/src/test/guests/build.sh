#!/bin/sh
# Builds jvirt's test guests (Multiboot v1 ELF32 kernels) with the GNU toolchain.
# Usage: build.sh [outdir]   (default: the committed test resources)
# Reproducible: no build id, no symbols, no timestamps; the same tools give the same bytes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../resources/dev/jvirt/guests"}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
quiet=""
# One RWX segment is intended (the image is loaded as a whole); newer ld would warn.
if ld --help 2>/dev/null | grep -q -- --no-warn-rwx-segments; then quiet=--no-warn-rwx-segments; fi
for src in "$here"/*.S; do
  name=$(basename "$src" .S)
  as --32 -I "$here" -o "$tmp/$name.o" "$src"
  ld -m elf_i386 -n -s --build-id=none $quiet -T "$here/guest.ld" -o "$tmp/$name.elf" "$tmp/$name.o"
  cp "$tmp/$name.elf" "$out/$name.elf"
done
