# Sourced by the peer scripts: Debian 13's PyTorch 2.6 (with OpenBLAS, not the reference BLAS that python3-torch alone
# brings: its linear layers ran 4-12x slower with it) in a debootstrapped root at .bench/trixie, proc and sys mounted.
# Defines as_root and trixie_root; trixie_root builds the root where it is missing or incomplete (a few minutes, from
# deb.debian.org) and mounts proc and sys; the caller unmounts them (trixie_unmount, e.g. in an EXIT trap).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
trixie=.bench/trixie
trixie_root() {
  if [ ! -x "$trixie/usr/bin/python3" ] || ! chroot "$trixie" python3 -c 'import torch' 2>/dev/null \
      || [ ! -d "$trixie/usr/lib/x86_64-linux-gnu/openblas-pthread" ]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq debootstrap >/dev/null
    mkdir -p .bench
    rm -rf "$trixie"
    as_root debootstrap --variant=minbase --include=python3-torch,python3-numpy,libopenblas0-pthread trixie "$trixie" http://deb.debian.org/debian >/dev/null
  fi
  mountpoint -q "$trixie/proc" || as_root mount -t proc proc "$trixie/proc"
  mountpoint -q "$trixie/sys" || as_root mount -t sysfs sys "$trixie/sys"
}
trixie_unmount() { as_root umount -l "$trixie/proc" "$trixie/sys" 2>/dev/null || true; }
