#!/usr/bin/env python3
"""Summarises run.sh's JSON lines: per (architecture, implementation, setting) the median over the rounds of
images/s, ms per step and peak resident memory; the share of the machine's measured peak; and the ratios the
performance targets are stated in (docs/performance.md)."""
import json
import statistics
import sys
from collections import defaultdict

# Floating-point work per image of the step (D on real and fake, then G through D, D's weight gradients skipped
# in G's step): 2 x the layers' multiply-adds for the forward passes, the weight gradients, and the input
# gradients except where nothing needs them (G's first layer; D's first layer in D's step). Convolutions count
# only kernel taps inside the image: 0.360 for the DCGAN (0.472 counting the zero padding).
GFLOP_PER_IMAGE = {"dcgan": 0.360, "mlp": 0.01036}
TARGETS = {"dcgan": (1.3, 1.0), "mlp": (1.5, 1.5)}
SETTINGS = ["default", "threads=1", "threads=2", "stock=conv_transpose2d", "stock=dropout", "stock=adam", "unfused",
            "untuned", "before", "malloc+threads=2"]

rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
peaks = [r["gflops"] for r in rows if r["impl"] == "peak"]
peak = statistics.median(peaks) if peaks else None
groups = defaultdict(list)
for r in rows:
    if r["impl"] != "peak":
        groups[(r["arch"], r["impl"], r["setting"])].append(r)


def summary(arch, impl, setting):
    runs = groups.get((arch, impl, setting), [])
    if not runs:
        return None
    return {"ips": statistics.median(r["images_per_second"] for r in runs), "ms": statistics.median(r["ms_per_step"] for r in runs),
            "rss": statistics.median(r["peak_rss_mib"] for r in runs), "rss_max": max(r["peak_rss_mib"] for r in runs),
            "threads": runs[0]["threads"], "n": len(runs)}


if peak:
    print(f"machine peak (fma_peak.c, 2 threads, median of {len(peaks)} probes): {peak:.0f} GFLOP/s; "
          f"bound: DCGAN {peak / GFLOP_PER_IMAGE['dcgan']:.0f} images/s, MLP {peak / GFLOP_PER_IMAGE['mlp']:.0f} images/s")
print(f"{'arch':6} {'implementation':10} {'setting':22} {'threads':>7} {'images/s':>10} {'ms/step':>9} {'peak MiB':>9} {'max MiB':>8} {'% peak':>7} {'runs':>5}")
for arch in GFLOP_PER_IMAGE:
    for impl in ("ganmnist", "pytorch"):
        for setting in SETTINGS:
            s = summary(arch, impl, setting)
            if s:
                share = f"{100 * s['ips'] * GFLOP_PER_IMAGE[arch] / peak:.0f}%" if peak else ""
                print(f"{arch:6} {impl:10} {setting:22} {s['threads']:>7} {s['ips']:>10.1f} {s['ms']:>9.1f} {s['rss']:>9.0f} {s['rss_max']:>8.0f} {share:>7} {s['n']:>5}")
print()
for arch, targets in TARGETS.items():
    ours = summary(arch, "ganmnist", "default")
    peer_default = summary(arch, "pytorch", "default")
    tuned = [t for t in (summary(arch, "pytorch", s) for s in ("default", "threads=1", "threads=2")) if t]
    if not (ours and peer_default and tuned):
        continue
    peer_best = max(tuned, key=lambda s: s["ips"])
    print(f"{arch}: ours/peer default = {ours['ips'] / peer_default['ips']:.2f}x (target {targets[0]}x); "
          f"ours/peer best thread setting ({peer_best['threads']} threads) = {ours['ips'] / peer_best['ips']:.2f}x (target {targets[1]}x); "
          f"peak memory ours {ours['rss']:.0f} MiB vs peer default {peer_default['rss']:.0f} MiB and peer best {peer_best['rss']:.0f} MiB")
    before = summary(arch, "ganmnist", "before")
    malloc = summary(arch, "pytorch", "malloc+threads=2")
    if before:
        print(f"{arch}: this step / the step before the fast paths and memory settings = {ours['ips'] / before['ips']:.2f}x")
    if malloc:
        print(f"{arch}: ours / peer with 2 threads and GanMnist's malloc thresholds = {ours['ips'] / malloc['ips']:.2f}x")
