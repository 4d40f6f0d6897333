#!/usr/bin/env python3
"""The machine's measured peak float32 rate, for docs/performance.md's "% of bound" column: the best of a
2048x2048 matrix product (libtorch's BLAS) and a 3x3, 256-channel convolution (oneDNN), with the thread
count given (default 2), median of 5 after warm-up. Prints one JSON line."""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def rate(f, flops, reps=5):
    f()
    f()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return flops / statistics.median(times) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    x, w = torch.randn(64, 256, 28, 28), torch.randn(256, 256, 3, 3)
    gemm = rate(lambda: a @ b, 2 * 2048 ** 3)
    conv = rate(lambda: F.conv2d(x, w, padding=1), 2 * 64 * 28 * 28 * 256 * 256 * 9)
    print(json.dumps({"impl": "peak", "threads": args.threads, "gemm_gflops": gemm, "conv_gflops": conv, "gflops": max(gemm, conv)}))


if __name__ == "__main__":
    main()
