#!/usr/bin/env bash
# Runs GanMnist's training step and the PyTorch peer alternately, several rounds, and prints both
# figures and their ratios (docs/performance.md). Needs Debian's python3-torch and gcc.
# GANMNIST_BENCH_OUT=<file> keeps the raw JSON lines.
# Usage: bash benchmarks/peer/run.sh [rounds] [arch...]     (GANMNIST_DATA defaults to ../shared/mnist)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
shift || true
archs=(dcgan mlp)
if [ $# -gt 0 ]; then archs=("$@"); fi
data=${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}
python=${PYTHON:-/usr/bin/python3}
"$python" -c "import torch" 2>/dev/null || { echo "The peer needs PyTorch: sudo apt-get install python3-torch" >&2; exit 1; }
dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null
results=$(mktemp)
peak=$(mktemp)
gcc -O2 -fopenmp benchmarks/peer/fma_peak.c -o "$peak"
record() { tail -1 | sed "s/^{/{\"setting\":\"$label\",/" >> "$results"; }
# The peer's malloc with the thresholds GanMnist sets for small blocks (it has no caching allocator).
peer_malloc="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456"
run() { # impl arch label
  local impl=$1 arch=$2 steps extra=() env=()
  steps=$([ "$arch" = dcgan ] && echo 6 || echo 40)
  case "$label" in
    threads=*) extra=(--threads "${label#threads=}") ;;
    unfused) extra=(--no-fuse) ;;
    stock=*) extra=(--stock "${label#stock=}") ;;
    untuned) env=(GANMNIST_NATIVE_TUNING=0) ;;
    before) extra=(--stock conv_transpose2d,dropout,adam); env=(GANMNIST_NATIVE_TUNING=0) ;;
    malloc+threads=2) extra=(--threads 2); env=(GLIBC_TUNABLES=$peer_malloc) ;;
  esac
  if [ "$impl" = ours ]; then
    env "${env[@]}" dotnet benchmarks/GanMnist.Benchmarks/bin/Release/net10.0/GanMnist.Benchmarks.dll step --data "$data" --arch "$arch" --steps "$steps" "${extra[@]}" | record
  else
    env "${env[@]}" "$python" benchmarks/peer/peer_step.py --data "$data" --arch "$arch" --steps "$steps" "${extra[@]}" | record
  fi
}
# Every configuration, run once per round; the order rotates from round to round, because the first run
# after a switch measured slower (no configuration may always sit in that slot).
configs=()
for arch in "${archs[@]}"; do
  common=("ours default" "peer default" "ours threads=1" "peer threads=1" "ours threads=2" "peer threads=2"
          "ours untuned" "ours stock=adam" "ours before" "peer malloc+threads=2")
  if [ "$arch" = dcgan ]; then extra=("ours stock=conv_transpose2d" "ours stock=dropout"); else extra=("ours unfused"); fi
  for c in "${common[@]}" "${extra[@]}"; do configs+=("$arch $c"); done
done
n=${#configs[@]}
for round in $(seq "$rounds"); do
  label=peak; "$peak" 2 | record
  for i in $(seq 0 $((n - 1))); do
    read -r arch impl label <<<"${configs[$(( (i + (round - 1) * 3) % n ))]}"
    run "$impl" "$arch"
  done
  echo "round $round done" >&2
done
"$python" benchmarks/peer/report.py "$results"
[ -z "${GANMNIST_BENCH_OUT:-}" ] || cp "$results" "$GANMNIST_BENCH_OUT"
rm -f "$results" "$peak"
