#!/usr/bin/env python3
"""Summarises run.sh's JSON lines: median images/s per (implementation, architecture, setting) over the
rounds, peak memory, and the ratios the performance targets are stated in."""
import json
import statistics
import sys
from collections import defaultdict

FLOP_BOUND = {"dcgan": 380.0}  # images/s two AVX2 cores allow for the DCGAN step (about 0.5 GFLOP per image)

rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
groups = defaultdict(list)
for r in rows:
    groups[(r["arch"], r["impl"], r["setting"])].append(r)

def summary(arch, impl, setting):
    runs = groups.get((arch, impl, setting), [])
    if not runs:
        return None
    return {"ips": statistics.median(r["images_per_second"] for r in runs), "ms": statistics.median(r["ms_per_step"] for r in runs),
            "rss": max(r["peak_rss_mib"] for r in runs), "threads": runs[0]["threads"], "n": len(runs)}

print(f"{'arch':6} {'implementation':10} {'setting':10} {'threads':>7} {'images/s':>10} {'ms/step':>9} {'peak MiB':>9} {'% bound':>8}")
for arch in ("dcgan", "mlp"):
    for impl in ("ganmnist", "pytorch"):
        for setting in ("default", "threads=1", "threads=2", "unfused"):
            s = summary(arch, impl, setting)
            if s:
                bound = f"{100 * s['ips'] / FLOP_BOUND[arch]:.0f}%" if arch in FLOP_BOUND else ""
                print(f"{arch:6} {impl:10} {setting:10} {s['threads']:>7} {s['ips']:>10.1f} {s['ms']:>9.1f} {s['rss']:>9.0f} {bound:>8}")
print()
for arch, targets in (("dcgan", (1.3, 1.0)), ("mlp", (1.5, 1.5))):
    ours = summary(arch, "ganmnist", "default")
    peer_default = summary(arch, "pytorch", "default")
    peer_best = max((summary(arch, "pytorch", s) for s in ("default", "threads=1", "threads=2")), key=lambda s: s["ips"] if s else 0)
    if not (ours and peer_default and peer_best):
        continue
    print(f"{arch}: ours/peer default = {ours['ips'] / peer_default['ips']:.2f}x (target {targets[0]}x); "
          f"ours/peer best ({peer_best['threads']} threads) = {ours['ips'] / peer_best['ips']:.2f}x (target {targets[1]}x); "
          f"peak memory ours {ours['rss']:.0f} MiB vs peer {peer_default['rss']:.0f} MiB")
