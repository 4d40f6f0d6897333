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
for round in $(seq "$rounds"); do
  for arch in dcgan mlp; do
    steps=$([ "$arch" = dcgan ] && echo 8 || echo 40)
    label=default; ours --arch "$arch" --steps "$steps"
    label=default; peer --arch "$arch" --steps "$steps"
    for t in 1 2; do
      label=threads=$t; ours --arch "$arch" --steps "$steps" --threads "$t"
      label=threads=$t; peer --arch "$arch" --steps "$steps" --threads "$t"
    done
    label=unfused; ours --arch "$arch" --steps "$steps" --no-fuse
  done
  echo "round $round done" >&2
done
"$python" benchmarks/peer/report.py "$results"
