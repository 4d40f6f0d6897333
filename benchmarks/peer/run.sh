#!/usr/bin/env bash
# The engine benchmark of docs/performance.md: GanMnist's training step on TorchSharp against
#   (a) binding  the same step on the pre-TorchSharp hand-written libtorch 1.13 binding (commit GANMNIST_BINDING_COMMIT,
#                default 03e4704), built in a git worktree at .bench/binding (its own .ci/setup: cmake, g++, libtorch-dev);
#   (b) plain    benchmarks/peer/PlainTorchSharp, the step a .NET user writes with TorchSharp alone;
#   (c) pytorch  benchmarks/peer/peer_step.py on Debian's PyTorch 1.13, at 1 and 2 threads (its best is taken);
# plus rows with one of our levers off. Every configuration runs once per round, the order rotating from round to round
# (the first run after a switch measured slower); report.py prints medians and the ratios.
# Usage: bash benchmarks/peer/run.sh [rounds] [arch...]      (GANMNIST_DATA defaults to ../shared/mnist;
#        GANMNIST_BENCH_OUT=<file> keeps the raw JSON lines; GANMNIST_BENCH_NO_BINDING=1 skips (a))
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
shift || true
archs=(dcgan mlp)
if [ $# -gt 0 ]; then archs=("$@"); fi
data=${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}
python=${PYTHON:-/usr/bin/python3}
"$python" -c "import torch" 2>/dev/null || { echo "The PyTorch peer needs python3-torch: sudo apt-get install python3-torch" >&2; exit 1; }
dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null
dotnet build benchmarks/peer/PlainTorchSharp -c Release -v q -nologo >/dev/null
binding=""
if [ "${GANMNIST_BENCH_NO_BINDING:-}" != 1 ]; then
  binding=.bench/binding
  if [ ! -d "$binding" ]; then
    git worktree add --detach "$binding" "${GANMNIST_BINDING_COMMIT:-03e4704}" >/dev/null
  fi
  (cd "$binding" && bash .ci/setup >/dev/null && dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null)
fi
results=$(mktemp)
record() { tail -1 | sed "s/^{/{\"setting\":\"$label\",/" >> "$results"; }
run() { # impl arch label
  local impl=$1 arch=$2 steps extra=() env=()
  steps=$([ "$arch" = dcgan ] && echo 6 || echo 40)
  case "$label" in
    threads=*) extra=(--threads "${label#threads=}") ;;
    d-grads) extra=(--d-grads-in-g-step) ;;
    untuned) env=(GANMNIST_NATIVE_TUNING=0) ;;
    libtorch-dropout) extra=(--libtorch-dropout) ;;
    no-trim) extra=(--trim-every 0) ;;
  esac
  case "$impl" in
    ours) env "${env[@]}" dotnet benchmarks/GanMnist.Benchmarks/bin/Release/net10.0/GanMnist.Benchmarks.dll step --data "$data" --arch "$arch" --steps "$steps" "${extra[@]}" | record ;;
    binding) dotnet "$binding"/benchmarks/GanMnist.Benchmarks/bin/Release/net10.0/GanMnist.Benchmarks.dll step --data "$data" --arch "$arch" --steps "$steps" \
               | sed 's/"impl":"ganmnist"/"impl":"binding"/' | record ;;
    plain) dotnet benchmarks/peer/PlainTorchSharp/bin/Release/net10.0/PlainTorchSharp.dll --data "$data" --arch "$arch" --steps "$steps" | record ;;
    pytorch) "$python" benchmarks/peer/peer_step.py --data "$data" --arch "$arch" --steps "$steps" "${extra[@]}" | record ;;
  esac
}
configs=()
for arch in "${archs[@]}"; do
  cs=("ours default" "plain default" "pytorch threads=1" "pytorch threads=2" "ours untuned" "ours d-grads")
  [ -z "$binding" ] || cs+=("binding default")
  if [ "$arch" = dcgan ]; then cs+=("ours libtorch-dropout"); else cs+=("ours no-trim"); fi
  for c in "${cs[@]}"; do configs+=("$arch $c"); done
done
n=${#configs[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    read -r arch impl label <<<"${configs[$(( (i + (round - 1) * 3) % n ))]}"
    run "$impl" "$arch"
  done
  echo "round $round done" >&2
done
"$python" benchmarks/peer/report.py "$results"
[ -z "${GANMNIST_BENCH_OUT:-}" ] || cp "$results" "$GANMNIST_BENCH_OUT"
rm -f "$results"
