#!/usr/bin/env bash
# Wall time from start to the first line of the kit's /init and to power-off, for each Debian kernel of the
# guest kit, under jvirt's interpreter and under qemu-system-x86_64 -accel tcg, measured in the same run with
# the same kernel, initrd and command line.
#
# Usage: scripts/boot-times.sh [cloud|generic ...]      (default: both)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
env_file=${JVIRT_GUEST_CACHE:-$repo/.guest-cache}/kit.env
[ -r "$env_file" ] || { echo "boot-times: no guest kit; run scripts/guest-kit.sh first" >&2; exit 1; }
set -a; . "$env_file"; set +a
command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "boot-times: qemu-system-x86_64 is not installed" >&2; exit 1; }
"$repo/jvirt" -version >/dev/null # build the jar outside the measurement

# Runs "$@" with the guest's serial on stdout; prints "<seconds to JVIRT-INIT-START> <seconds to exit> <status>".
timed() {
  local out start end first
  out=$(mktemp)
  start=$(date +%s.%N)
  set +e
  timeout 1800 "$@" </dev/null 2>/dev/null | while IFS= read -r line; do
    printf '%s %s\n' "$(date +%s.%N)" "${line%$'\r'}"
  done >"$out"
  local rc=${PIPESTATUS[0]}
  set -e
  end=$(date +%s.%N)
  first=$(awk '$2 == "JVIRT-INIT-START" { print $1; exit }' "$out")
  if ! grep -q ' JVIRT-INIT-DONE$' "$out"; then first=""; fi
  awk -v s="$start" -v f="$first" -v e="$end" -v rc="$rc" \
    'BEGIN { if (f == "") printf "- %.1f %d\n", e - s, rc; else printf "%.1f %.1f %d\n", f - s, e - s, rc }'
  rm -f "$out"
}

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(cloud generic)
printf '%-9s %-22s %14s %14s %6s\n' kernel emulator "to /init (s)" "to exit (s)" status
for f in "${flavours[@]}"; do
  case $f in
    cloud) k=$JVIRT_VMLINUZ_CLOUD ;;
    generic) k=$JVIRT_VMLINUZ_GENERIC ;;
    *) echo "boot-times: unknown kernel $f (cloud or generic)" >&2; exit 2 ;;
  esac
  read -r a b c < <(timed "$repo/jvirt" -accel interp -m 512 -nographic -no-reboot -kernel "$k" -initrd "$JVIRT_INITRD" -append console=ttyS0)
  printf '%-9s %-22s %14s %14s %6s\n' "$f" "jvirt -accel interp" "$a" "$b" "$c"
  read -r a b c < <(timed qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot -kernel "$k" -initrd "$JVIRT_INITRD" -append console=ttyS0)
  printf '%-9s %-22s %14s %14s %6s\n' "$f" "qemu -accel tcg" "$a" "$b" "$c"
done
