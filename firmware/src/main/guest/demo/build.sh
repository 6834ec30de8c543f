#!/bin/sh
# Builds the jvirt demo guest (a Multiboot v1 ELF32 kernel) with the GNU toolchain.
# Usage: build.sh [output.elf]   (default: the committed resource)
# Reproducible: no build id, no symbols, no timestamps; the same tools give the same bytes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../resources/dev/jvirt/firmware/demo.elf"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
as --32 -o "$tmp/demo.o" "$here/demo.S"
quiet=""
# One RWX segment is intended (the image is loaded as a whole); newer ld would warn.
if ld --help 2>/dev/null | grep -q -- --no-warn-rwx-segments; then quiet=--no-warn-rwx-segments; fi
ld -m elf_i386 -n -s --build-id=none $quiet -T "$here/demo.ld" -o "$tmp/demo.elf" "$tmp/demo.o"
cp "$tmp/demo.elf" "$out"
