#!/usr/bin/env bash
# The README's two commands on a fresh Debian 12 machine: builds a new Debian 12 ("bookworm") root with debootstrap,
# copies this machine's .NET SDK folder into it, clones the repository into it and runs, as printed in the README,
#   1. bash .ci/setup && dotnet run --project samples/GanMnist.Cli -c Release -- train --preset quick
#   2. bash .ci/setup --tests && dotnet test GanMnist.sln -c Release
# and reports each one's exit code and wall time (and the tests' summary line). Needs root (debootstrap, chroot,
# mounts) and Debian's mirror; installs debootstrap on this machine where missing.
#
# Besides the SDK the root gets only what any machine of this network has, not what the project needs: the SDK's own
# runtime libraries from Debian (libicu72, libssl3, libgssapi-krb5-2, zlib1g, ca-certificates, tzdata, the list in
# Microsoft's .NET-on-Debian instructions), this machine's CA bundle and resolver (HTTPS here goes through a proxy whose
# CA only that bundle holds) and NUGET_CERT_REVOCATION_MODE (revocation servers are out of reach here). MNIST is copied
# in as ../shared/mnist beside the clone, and GANMNIST_DATA points at it, as a user who has the files would do.
#
# usage: bash benchmarks/fresh-machine.sh [ROOT] [COMMIT]   (defaults: runs/fresh-root, HEAD)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-$repo/runs/fresh-root}"
commit="$(git -C "$repo" rev-parse "${2:-HEAD}")"
mnist="${GANMNIST_DATA:-$repo/../shared/mnist}"
sdk="$(dirname "$(readlink -f "$(command -v dotnet)")")"
log="$root.log"

[ "$(id -u)" = 0 ] || { echo "fresh-machine.sh needs root (debootstrap, chroot, mounts)." >&2; exit 1; }
[ -f "$mnist/train-images-idx3-ubyte.gz" ] || { echo "MNIST not found in '$mnist'; set GANMNIST_DATA." >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

unmount() {
  for m in dev/pts dev sys proc; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
  done
}
trap unmount EXIT
unmount
rm -rf "$root"
mkdir -p "$root"
: >"$log"
say() { echo "$*" | tee -a "$log"; }

say "fresh-machine.sh: commit $commit, root $root, $(date -u +%FT%TZ)"
say "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
start=$(date +%s)
debootstrap --include=ca-certificates,libicu72,libssl3,libgssapi-krb5-2,zlib1g,tzdata bookworm "$root" http://deb.debian.org/debian >>"$log" 2>&1
say "debootstrap: $(($(date +%s) - start)) s"

mkdir -p "$root/usr/share/dotnet" "$root/work/shared"
cp -a "$sdk/." "$root/usr/share/dotnet/"
ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp -r "$mnist" "$root/work/shared/mnist"
git clone -q --no-local "$repo" "$root/work/main"
git -C "$root/work/main" checkout -q "$commit"
say "SDK: $("$sdk/dotnet" --version) from $sdk; clone at $(git -C "$root/work/main" log -1 --format='%h %s' | cut -c1-80)"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

# One command in the root, from the clone, with a new login's environment; prints its exit code and wall time.
in_root() {
  local name="$1" command="$2" begin status
  say "== $name: $command"
  begin=$(date +%s)
  set +e
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    GANMNIST_DATA=/work/shared/mnist NUGET_CERT_REVOCATION_MODE=offline DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    /bin/bash -c "cd /work/main && $command" </dev/null >>"$log" 2>&1
  status=$?
  set -e
  say "== $name: exit $status, $(($(date +%s) - begin)) s wall"
  return 0
}

in_root "first command" "bash .ci/setup && dotnet run --project samples/GanMnist.Cli -c Release -- train --preset quick"
in_root "test command" "bash .ci/setup --tests && dotnet test GanMnist.sln -c Release"
grep -E '(Passed|Failed)! +- Failed: ' "$log" | tee /dev/stderr | awk -F'[:,]' '{ f += $2; p += $4; s += $6 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' | tee -a "$log"
say "log: $log"
