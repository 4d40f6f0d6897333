#!/usr/bin/env bash
# Runs GanMnist's training step and the PyTorch peer alternately, several rounds, and prints both
# figures and their ratios (docs/performance.md). Needs Debian's python3-torch.
# Usage: bash benchmarks/peer/run.sh [rounds]        (GANMNIST_DATA defaults to ../shared/mnist)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
data=${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}
python=${PYTHON:-/usr/bin/python3}
"$python" -c "import torch" 2>/dev/null || { echo "The peer needs PyTorch: sudo apt-get install python3-torch" >&2; exit 1; }
dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null
results=$(mktemp)
ours() { dotnet run --project benchmarks/GanMnist.Benchmarks -c Release --no-build -- step --data "$data" "$@" | tail -1 | sed "s/^{/{\"setting\":\"$label\",/" >> "$results"; }
peer() { "$python" benchmarks/peer/peer_step.py --data "$data" "$@" | tail -1 | sed "s/^{/{\"setting\":\"$label\",/" >> "$results"; }
# Every configuration, run once per round; the order rotates from round to round, because the first run
# after a switch measured slower (no configuration may always sit in that slot).
configs=()
for arch in dcgan mlp; do
  for c in "ours default" "peer default" "ours threads=1" "peer threads=1" "ours threads=2" "peer threads=2" "ours unfused"; do
    configs+=("$arch $c")
  done
done
n=${#configs[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    read -r arch impl label <<<"${configs[$(( (i + (round - 1) * 3) % n ))]}"
    steps=$([ "$arch" = dcgan ] && echo 8 || echo 40)
    extra=()
    case "$label" in threads=*) extra=(--threads "${label#threads=}") ;; unfused) extra=(--no-fuse) ;; esac
    "$impl" --arch "$arch" --steps "$steps" "${extra[@]}"
  done
  echo "round $round done" >&2
done
"$python" benchmarks/peer/report.py "$results"
