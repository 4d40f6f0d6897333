#!/usr/bin/env python3
"""Summarises precision.sh's JSON lines: per (architecture, implementation, setting) the median over the rounds of
images/s, and the ratios the mixed-precision issue's targets are stated in: ours in bf16-mixed against ours at the base
commit in float32 (target 2.0x for the DCGAN), against PyTorch 2.6 with bf16 autocast (target 1.5x), and the MLP in
bf16-mixed against float32 (no slower). PyTorch's ratios are against its faster memory layout (contiguous or
channels-last) in each precision: the peer at its best."""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
groups = defaultdict(list)
for r in rows:
    groups[(r["arch"], r["impl"], r["setting"])].append(r["images_per_second"])

ORDER = [("ganmnist", "default", "GanMnist 32-true"), ("ganmnist", "bf16", "GanMnist bf16-mixed"), ("base", "default", "GanMnist base 32-true"),
         ("torchsharp", "default", "plain TorchSharp 32"), ("pytorch-1.13", "threads=1", "PyTorch 1.13, 1 thread"),
         ("pytorch-1.13", "threads=2", "PyTorch 1.13, 2 threads"), ("pytorch-2.6", "default", "PyTorch 2.6 32"),
         ("pytorch-2.6", "channels-last", "PyTorch 2.6 32, channels-last"), ("pytorch-2.6", "bf16", "PyTorch 2.6 bf16 autocast"),
         ("pytorch-2.6", "bf16-channels-last", "PyTorch 2.6 bf16 autocast, channels-last")]


def median(arch, impl, *settings):
    """The median of the setting with the highest median (one setting: its median)."""
    medians = [statistics.median(groups[(arch, impl, s)]) for s in settings if groups.get((arch, impl, s))]
    return max(medians) if medians else None


archs = [a for a in ("dcgan", "infogan", "mlp") if any(k[0] == a for k in groups)]
print(f"| configuration | {' | '.join(archs)} |")
print(f"| --- | {' | '.join('---:' for _ in archs)} |")
for impl, setting, name in ORDER:
    cells = []
    for arch in archs:
        values = groups.get((arch, impl, setting))
        cells.append(f"{statistics.median(values):.1f} ({len(values)})" if values else "-")
    print(f"| {name} | {' | '.join(cells)} |")
print("\nimages/s, median over rounds (number of runs)\n")
for arch in archs:
    mixed, fp32, base = median(arch, "ganmnist", "bf16"), median(arch, "ganmnist", "default"), median(arch, "base", "default")
    py_bf16 = median(arch, "pytorch-2.6", "bf16", "bf16-channels-last")
    py_fp32 = median(arch, "pytorch-2.6", "default", "channels-last")
    parts = []
    if mixed and base:
        parts.append(f"bf16-mixed / base 32-true {mixed / base:.2f}x" + (" (target >= 2.0)" if arch == "dcgan" else ""))
    if mixed and py_bf16:
        parts.append(f"bf16-mixed / PyTorch 2.6 bf16 (faster layout) {mixed / py_bf16:.2f}x" + (" (target >= 1.5)" if arch == "dcgan" else ""))
    if mixed and fp32:
        parts.append(f"bf16-mixed / 32-true {mixed / fp32:.2f}x" + (" (target >= 1.0)" if arch == "mlp" else ""))
    if fp32 and base:
        parts.append(f"32-true / base {fp32 / base:.2f}x")
    if fp32 and py_fp32:
        parts.append(f"32-true / PyTorch 2.6 32 (faster layout) {fp32 / py_fp32:.2f}x")
    print(f"{arch}: " + "; ".join(parts))
