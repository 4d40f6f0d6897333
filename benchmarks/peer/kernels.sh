#!/usr/bin/env bash
# Where a training step's time goes, kernel by kernel: runs the step benchmark of one architecture in 32-true and in
# bf16-mixed with ONEDNN_VERBOSE=1 and prints, for every convolution, transposed convolution and matmul of the step
# and each pass (forward, backward data, backward weights), the milliseconds a step oneDNN spent in it, the kernel it
# chose and the bf16/f32 ratio, then the reorders (layout and dtype conversions) and the step time. The CPU model and
# its flags are printed first. Milliseconds are averaged over all the steps run, warm-up included. float32's linear
# layers run in MKL, not oneDNN, so they are not counted (an MLP's float32 column is empty). docs/performance.md
# ("Kernel by kernel") shows a run.
# Usage: bash benchmarks/peer/kernels.sh [arch] [steps]     (arch: dcgan (default), infogan, mlp)
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:-dcgan}; steps=${2:-10}; warmup=2
source benchmarks/cpu.sh
print_cpu
dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null
bench=benchmarks/GanMnist.Benchmarks/bin/Release/net10.0/GanMnist.Benchmarks.dll
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for precision in 32-true bf16-mixed; do
  ONEDNN_VERBOSE=1 dotnet "$bench" step --arch "$arch" --precision "$precision" --steps "$steps" --reps 1 --warmup "$warmup" > "$work/$precision.txt" 2>&1
done
python3 benchmarks/peer/kernels_report.py "$work/32-true.txt" "$work/bf16-mixed.txt" $((steps + warmup))
