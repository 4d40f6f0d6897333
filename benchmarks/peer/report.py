#!/usr/bin/env python3
"""Summarises run.sh's JSON lines: per (architecture, implementation, setting) the median over the rounds of
images/s, ms per step and peak resident memory, and the ratios the engine issue's targets are stated in:
ours against (a) the pre-TorchSharp binding, (b) the plain TorchSharp loop, (c) PyTorch at its best thread setting."""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = {"binding": 1.0, "torchsharp": 1.25, "pytorch": 1.6}  # the DCGAN step's targets
SETTINGS = ["default", "threads=1", "threads=2", "untuned", "no-trim", "d-grads", "libtorch-dropout"]
IMPLS = ["ganmnist", "binding", "torchsharp", "pytorch"]

rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
groups = defaultdict(list)
for r in rows:
    groups[(r["arch"], r["impl"], r["setting"])].append(r)


def summary(arch, impl, setting):
    runs = groups.get((arch, impl, setting), [])
    if not runs:
        return None
    return {"ips": statistics.median(r["images_per_second"] for r in runs), "ms": statistics.median(r["ms_per_step"] for r in runs),
            "rss": statistics.median(r["peak_rss_mib"] for r in runs), "rss_max": max(r["peak_rss_mib"] for r in runs),
            "threads": runs[0]["threads"], "n": len(runs), "all": sorted(round(r["images_per_second"], 1) for r in runs)}


print(f"{'arch':6} {'implementation':12} {'setting':10} {'threads':>7} {'images/s':>9} {'ms/step':>8} {'peak MiB':>9} {'max MiB':>8} {'runs':>5}  images/s of each run")
archs = sorted({r["arch"] for r in rows})
for arch in archs:
    for impl in IMPLS:
        for setting in SETTINGS:
            s = summary(arch, impl, setting)
            if s:
                print(f"{arch:6} {impl:12} {setting:10} {s['threads']:>7} {s['ips']:>9.1f} {s['ms']:>8.1f} {s['rss']:>9.0f} {s['rss_max']:>8.0f} {s['n']:>5}  {s['all']}")
print()
for arch in archs:
    ours = summary(arch, "ganmnist", "default")
    if not ours:
        continue
    peers = {"binding": summary(arch, "binding", "default"), "torchsharp": summary(arch, "torchsharp", "default")}
    tuned = [t for t in (summary(arch, "pytorch", s) for s in ("threads=1", "threads=2")) if t]
    peers["pytorch"] = max(tuned, key=lambda s: s["ips"]) if tuned else None
    parts = []
    for name, peer in peers.items():
        if peer:
            target = f", target {TARGETS[name]}x" if arch == "dcgan" else ""
            parts.append(f"{ours['ips'] / peer['ips']:.2f}x {name}{' (' + str(peer['threads']) + ' threads)' if name == 'pytorch' else ''}{target}")
    print(f"{arch}: ours {ours['ips']:.1f} images/s = " + "; ".join(parts))
    mem = "; ".join(f"{name} {peer['rss']:.0f}" for name, peer in peers.items() if peer)
    print(f"{arch}: peak RSS MiB (median): ours {ours['rss']:.0f}; {mem}")
    for setting, what in (("untuned", "glibc's malloc left alone: thresholds and trimming"), ("no-trim", "the heap never trimmed"),
                          ("d-grads", "D's weight gradients computed in G's step"), ("libtorch-dropout", "libtorch's dropout")):
        lever = summary(arch, "ganmnist", setting)
        if lever:
            print(f"{arch}: lever off ({what}): {lever['ips']:.1f} images/s, peak {lever['rss']:.0f} MiB; the lever is worth {ours['ips'] / lever['ips']:.2f}x")
