#!/usr/bin/env bash
# The Linux guest kit: two unmodified Debian bookworm kernels (cloud and generic amd64) and an
# initramfs whose /init runs the acceptance checks and powers off. Everything lands in a cache
# directory; a second run with the cache intact does nothing but print the paths.
#
# Usage: scripts/guest-kit.sh [--refresh] [--boot-qemu]
#   --refresh    resolve the current package versions again (apt-cache) and rebuild what changed
#   --boot-qemu  afterwards boot both kernels under qemu-system-x86_64 -accel tcg and report the
#                wall time to the first /init line and to poweroff
# Environment: JVIRT_GUEST_CACHE  cache directory (default: .guest-cache at the repository root)
# Output (stdout, one per line, also saved as $cache/kit.env):
#   JVIRT_VMLINUZ_CLOUD=<path>  JVIRT_VMLINUZ_GENERIC=<path>  JVIRT_INITRD=<path>
# Needs: bash, apt-get/apt-cache/dpkg-deb (Debian), gzip, and cpio or python3. Root only when the
# apt package lists are missing (it then runs apt-get update).
set -euo pipefail

die() { echo "guest-kit: $*" >&2; exit 1; }
log() { echo "guest-kit: $*" >&2; }

refresh=0 boot=0
for a in "$@"; do
  case $a in
    --refresh) refresh=1 ;;
    --boot-qemu) boot=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option '$a' (see --help)" ;;
  esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${JVIRT_GUEST_CACHE:-$repo/.guest-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
env_file=$cache/kit.env
self_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)

# What is cached is valid while this script is unchanged and every output still has its hash.
kit_is_current() {
  [ -f "$env_file" ] || return 1
  grep -qx "KIT_SCRIPT=$self_hash" "$env_file" || return 1
  local var path sum
  for var in JVIRT_VMLINUZ_CLOUD JVIRT_VMLINUZ_GENERIC JVIRT_INITRD; do
    path=$(sed -n "s/^$var=//p" "$env_file")
    sum=$(sed -n "s/^${var}_SHA256=//p" "$env_file")
    [ -n "$path" ] && [ -f "$path" ] || return 1
    [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$sum" ] || return 1
  done
}

print_outputs() { grep '^JVIRT_[A-Z_]*=' "$env_file" | grep -v '_SHA256='; }

# The concrete linux-image-<abi>-<flavour> package a metapackage depends on, e.g. linux-image-6.1.0-56-cloud-amd64.
resolve_kernel() {
  apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
}

ensure_apt_lists() {
  if [ -n "$(resolve_kernel linux-image-cloud-amd64)" ]; then return 0; fi
  [ "$(id -u)" = 0 ] || die "apt package lists are missing and only root can run apt-get update"
  log "apt-get update (package lists are missing)"
  apt-get update -qq >&2 || die "apt-get update failed"
}

# Downloads package $1 into $cache/debs once; prints the .deb path.
fetch_deb() {
  local pkg=$1 deb
  mkdir -p "$cache/debs"
  deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    log "apt-get download $pkg"
    (cd "$cache/debs" && apt-get download -q "$pkg" >&2 2>"$cache/debs/$pkg.log") \
      || die "apt-get download $pkg failed: $(tail -n1 "$cache/debs/$pkg.log")"
    deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
    [ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
  fi
  echo "$deb"
}

# Extracts one file of a .deb ($1) matching the tar pattern $2 to the path $3. The kernel
# packages are mostly modules, so only the wanted member is taken from dpkg-deb's data tar.
extract_member() {
  local deb=$1 pattern=$2 out=$3 tmp
  tmp=$(mktemp -d "$cache/extract.XXXXXX")
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "$pattern" \
    || { rm -rf "$tmp"; die "no $pattern in $(basename "$deb")"; }
  local found
  found=$(find "$tmp" -type f | head -n1)
  [ -n "$found" ] || { rm -rf "$tmp"; die "no $pattern in $(basename "$deb")"; }
  mv "$found" "$out"
  rm -rf "$tmp"
}

write_init() {
  cat >"$1" <<'INIT'
#!/bin/sh
# jvirt acceptance guest: one tagged line per check ("JVIRT-RESULT <name> PASS|FAIL|INFO <detail>"),
# framed by JVIRT-INIT-START and JVIRT-INIT-DONE, then power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp
echo "JVIRT-INIT-START"

result() { echo "JVIRT-RESULT $1 $2 $3"; }
verdict() { if [ "$1" = "$2" ]; then echo PASS; else echo FAIL; fi; }

zeros=$(dd if=/dev/zero bs=1M count=64 2>/dev/null | sha256sum | cut -d' ' -f1)
result sha256-zeros-64m "$(verdict "$zeros" 3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351)" "$zeros"

i=1 sum=0
while [ $i -le 10000 ]; do sum=$((sum + i)); i=$((i + 1)); done
result shell-loop "$(verdict "$sum" 50005000)" "$sum"

dd if=/dev/urandom of=/tmp/r bs=1k count=256 2>/dev/null
before=$(sha256sum </tmp/r | cut -d' ' -f1)
gzip -c /tmp/r >/tmp/r.gz && gunzip -c /tmp/r.gz >/tmp/r2
after=$(sha256sum </tmp/r2 | cut -d' ' -f1)
result gzip-roundtrip "$(verdict "$before" "$after")" "$before"

result date-epoch INFO "$(date -u +%s)"

# Guest uptime in centiseconds ("12.34 ..." -> 1234).
uptime_cs() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}" | sed 's/^0*//;s/^$/0/'; }
t0=$(uptime_cs); sleep 2; t1=$(uptime_cs)
delta=$((t1 - t0))
if [ $delta -ge 200 ] && [ $delta -lt 300 ]; then ok=PASS; else ok=FAIL; fi
result sleep-2s "$ok" "uptime ${t0}cs -> ${t1}cs (+${delta}cs)"

# Kernel log lines matching the extended regex $2 (case-insensitive): the count as the result,
# the first three lines as JVIRT-DETAIL so a failure explains itself.
dmesg_check() {
  n=$(dmesg | grep -ciE "$2")
  result "$1" "$(verdict "$n" 0)" "$n"
  dmesg | grep -iE "$2" | head -n 3 | sed "s/^/JVIRT-DETAIL $1 /"
}
dmesg_check dmesg-acpi-error "ACPI Error"
dmesg_check dmesg-acpi-bios-error "ACPI BIOS Error"
dmesg_check dmesg-panic "kernel panic|panic\\(|not syncing"
dmesg_check dmesg-apic-error "APIC error|APIC.*(failed|broken|timer not connected)|IO-APIC.*not"
result clocksource INFO "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo none)"
if grep -q IO-APIC /proc/interrupts; then io=yes; else io=no; fi
result io-apic INFO "$io"

echo "JVIRT-INIT-DONE"
poweroff -f
INIT
  chmod 755 "$1"
}

# Writes the gzip'd newc archive of directory $1 to $2. Owners are root and times zero, so the
# same inputs give the same bytes. /dev/console is added here: the kernel opens it for /init.
pack_initramfs() {
  local root=$1 out=$2
  if command -v cpio >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then mknod -m 600 "$root/dev/console" c 5 1; fi
    find "$root" -mindepth 1 -exec touch -h -d @0 {} +
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$out.tmp"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$root" "$out.tmp" <<'PY'
import gzip, os, stat, sys

root, out = sys.argv[1], sys.argv[2]
entries = []  # (name, mode, data, rdev major, rdev minor)
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(dirpath, n)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            entries.append((rel, stat.S_IFLNK | 0o777, os.readlink(p).encode(), 0, 0))
        elif stat.S_ISDIR(st.st_mode):
            entries.append((rel, stat.S_IFDIR | 0o755, b"", 0, 0))
        else:
            with open(p, "rb") as f:
                entries.append((rel, stat.S_IFREG | (st.st_mode & 0o777), f.read(), 0, 0))
entries.append(("dev/console", stat.S_IFCHR | 0o600, b"", 5, 1))
entries.sort(key=lambda e: e[0])

def record(ino, name, mode, data, major, minor):
    nb = name.encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(mode) else 1
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, major, minor, len(nb), 0)
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + nb
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)

body = b"".join(record(i + 1, *e) for i, e in enumerate(entries))
body += record(0, "TRAILER!!!", 0, b"", 0, 0)
with open(out, "wb") as f:
    f.write(gzip.compress(body, 9, mtime=0))
PY
  else
    die "neither cpio nor python3 is installed: cannot write the initramfs"
  fi
  mv "$out.tmp" "$out"
}

build_kit() {
  command -v apt-cache >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 \
    || die "apt-cache and dpkg-deb are required (a Debian host)"
  ensure_apt_lists
  local cloud generic
  cloud=$(resolve_kernel linux-image-cloud-amd64)
  generic=$(resolve_kernel linux-image-amd64)
  [ -n "$cloud" ] && [ -n "$generic" ] || die "cannot resolve linux-image-cloud-amd64 / linux-image-amd64 through apt-cache"
  log "kernels: $cloud, $generic"

  local cloud_deb generic_deb bb_deb
  cloud_deb=$(fetch_deb "$cloud")
  generic_deb=$(fetch_deb "$generic")
  bb_deb=$(fetch_deb busybox-static)

  local vm_cloud=$cache/vmlinuz-${cloud#linux-image-} vm_generic=$cache/vmlinuz-${generic#linux-image-}
  [ -f "$vm_cloud" ] || extract_member "$cloud_deb" './boot/vmlinuz-*' "$vm_cloud"
  [ -f "$vm_generic" ] || extract_member "$generic_deb" './boot/vmlinuz-*' "$vm_generic"

  local root=$cache/initramfs-root initrd=$cache/jvirt-initrd.cpio.gz
  rm -rf "$root"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
  extract_member "$bb_deb" './bin/busybox' "$root/bin/busybox"
  chmod 755 "$root/bin/busybox"
  local applet
  for applet in $("$root/bin/busybox" --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done
  write_init "$root/init"
  pack_initramfs "$root" "$initrd"
  rm -rf "$root"

  {
    echo "KIT_SCRIPT=$self_hash"
    echo "KIT_PACKAGES='$cloud $generic $(basename "$bb_deb")'"
    echo "JVIRT_VMLINUZ_CLOUD=$vm_cloud"
    echo "JVIRT_VMLINUZ_CLOUD_SHA256=$(sha256sum "$vm_cloud" | cut -d' ' -f1)"
    echo "JVIRT_VMLINUZ_GENERIC=$vm_generic"
    echo "JVIRT_VMLINUZ_GENERIC_SHA256=$(sha256sum "$vm_generic" | cut -d' ' -f1)"
    echo "JVIRT_INITRD=$initrd"
    echo "JVIRT_INITRD_SHA256=$(sha256sum "$initrd" | cut -d' ' -f1)"
  } >"$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
}

# Boots $1 with the kit's initrd under QEMU TCG; reports seconds to JVIRT-INIT-START and to exit.
boot_qemu() {
  local kernel=$1 initrd=$2 out start now first=
  command -v qemu-system-x86_64 >/dev/null 2>&1 || die "qemu-system-x86_64 is not installed"
  out=$(mktemp)
  start=$(date +%s.%N)
  timeout 600 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0" </dev/null 2>&1 | while IFS= read -r line; do
      printf '%s %s\n' "$(date +%s.%N)" "${line%$'\r'}"
    done >"$out"
  now=$(date +%s.%N)
  first=$(awk '$2 == "JVIRT-INIT-START" { print $1; exit }' "$out")
  grep 'JVIRT-RESULT\|JVIRT-DETAIL' "$out" | cut -d' ' -f2- >&2 || true
  if ! grep -q ' JVIRT-INIT-DONE$' "$out"; then
    log "$(basename "$kernel"): no JVIRT-INIT-DONE; last lines:"; tail -n 20 "$out" | cut -d' ' -f2- >&2; rm -f "$out"; return 1
  fi
  awk -v s="$start" -v f="$first" -v e="$now" -v k="$(basename "$kernel")" \
    'BEGIN { printf "guest-kit: %s under QEMU TCG: first /init line after %.1f s, powered off after %.1f s\n", k, f - s, e - s }' >&2
  rm -f "$out"
}

if [ $refresh = 1 ] || ! kit_is_current; then
  build_kit
  kit_is_current || die "the kit just built does not verify"
fi
print_outputs
if [ $boot = 1 ]; then
  set -a; . "$env_file"; set +a
  rc=0
  boot_qemu "$JVIRT_VMLINUZ_CLOUD" "$JVIRT_INITRD" || rc=1
  boot_qemu "$JVIRT_VMLINUZ_GENERIC" "$JVIRT_INITRD" || rc=1
  exit $rc
fi
