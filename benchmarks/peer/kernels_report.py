"""Summarises two ONEDNN_VERBOSE logs of the step benchmark (32-true, bf16-mixed) per layer and pass; see kernels.sh."""
import json
import re
import sys
from collections import defaultdict

PASSES = {"forward_training": "forward", "forward_inference": "forward", "backward_data": "backward data",
          "backward_weights": "backward weights", "undef": "matmul"}


def layer_name(kind, problem):
    """A readable layer from oneDNN's problem descriptor, e.g. 'convT 256->128, 7x7 -> 7x7'."""
    if kind == "matmul":
        return "matmul " + problem
    m = re.search(r"ic(\d+)oc(\d+)_ih(\d+)oh(\d+)kh(\d+)sh(\d+)", problem)
    if not m:
        return f"{kind} {problem}"
    ic, oc, ih, oh, kh, sh = m.groups()
    return f"{'convT' if kind == 'deconvolution' else 'conv'} {ic}->{oc} {kh}x{kh} s{sh}, {ih}x{ih} -> {oh}x{oh}"


def read(path, steps):
    """(layer, pass) -> [ms a step, kernel]; plus reorder ms a step and the step's images/s."""
    layers, reorder, speed = defaultdict(lambda: [0.0, ""]), 0.0, None
    for line in open(path, errors="replace"):
        if line.startswith("{"):
            speed = json.loads(line).get("images_per_second")
            continue
        f = line.rstrip("\n").split(",")
        if len(f) < 10 or f[0] != "onednn_verbose" or f[3] != "exec":
            continue
        kind, kernel, prop, problem, ms = f[5], f[6], f[7], f[-2], float(f[-1])
        if kind == "reorder":
            reorder += ms / steps
            continue
        entry = layers[(layer_name(kind, problem), PASSES.get(prop, prop))]
        entry[0] += ms / steps
        entry[1] = kernel
    return layers, reorder, speed


def main():
    steps = int(sys.argv[3])
    f32, r32, s32 = read(sys.argv[1], steps)
    b16, r16, s16 = read(sys.argv[2], steps)
    print(f"ms a step (oneDNN's own timing, {steps} steps incl. warm-up); kernel as oneDNN names it")
    print(f"{'layer':44} {'pass':17} {'f32':>7} {'bf16':>7} {'bf16/f32':>8}  kernels (f32 | bf16)")
    for key in sorted(set(f32) | set(b16), key=lambda k: -(f32.get(k, [0])[0] + b16.get(k, [0])[0])):
        a, b = f32.get(key, [0.0, "-"]), b16.get(key, [0.0, "-"])
        ratio = f"{b[0] / a[0]:.2f}" if a[0] > 0 else "-"
        print(f"{key[0]:44} {key[1]:17} {a[0]:7.1f} {b[0]:7.1f} {ratio:>8}  {a[1]} | {b[1]}")
    t32, t16 = sum(v[0] for v in f32.values()), sum(v[0] for v in b16.values())
    ratio = f"{t16 / t32:8.2f}" if t32 > 0 else "       -"
    print(f"{'all convolutions and matmuls':62} {t32:7.1f} {t16:7.1f} {ratio}")
    print(f"{'reorders':62} {r32:7.1f} {r16:7.1f}")
    if s32 and s16:
        print(f"step (benchmark, verbose on): {s32:.1f} images/s in f32, {s16:.1f} in bf16-mixed ({s16 / s32:.2f}x)")


main()
