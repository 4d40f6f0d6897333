#!/usr/bin/env python3
"""PyTorch peer of GanMnist's training step.

Identical architectures (the TensorFlow DCGAN tutorial's, seed 004's MLP), Keras initialisation
(glorot-uniform kernels, zero biases), Keras batch norm (momentum 0.99, eps 1e-3), non-saturating BCE,
Adam(1e-4, betas (0.9, 0.999), eps 1e-7), batch 256 of real MNIST images; the step as pytorch/examples'
dcgan/main.py writes it: D on real and detached fakes, then G through D.

The InfoGAN paper's MNIST networks (infogan) as GanMnist's InfoGan architecture. --autocast bf16 runs the step's
forward and backward passes under torch.autocast("cpu", dtype=torch.bfloat16) (PyTorch's own mixed precision; the
optimiser steps stay float32), the peer of GanMnist's bf16-mixed precision.

Prints one JSON line: images/s (median of the repetitions), ms per step, peak resident memory.
--memory-format channels-last puts the convolutional networks' weights and batches in NHWC memory order, the layout
oneDNN's convolutions compute in (PyTorch's channels_last; the DCGAN's bf16 step ran in half the time with it on a
Zen 5, docs/performance.md).

Usage: peer_step.py --arch dcgan|mlp|infogan --data DIR [--threads N] [--steps K] [--reps R] [--warmup W] [--autocast bf16]
                    [--memory-format channels-last]
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_mnist(directory):
    with gzip.open(os.path.join(directory, "train-images-idx3-ubyte.gz")) as f:
        pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return (torch.from_numpy(pixels.copy()).float() / 255 - 0.5) / 0.5


def dcgan(slope=0.2):
    def bn(n, two_d):
        return (nn.BatchNorm2d if two_d else nn.BatchNorm1d)(n, eps=1e-3, momentum=0.01)
    g = nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False), bn(7 * 7 * 256, False), nn.LeakyReLU(slope), nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False), bn(128, True), nn.LeakyReLU(slope),
        nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False), bn(64, True), nn.LeakyReLU(slope),
        nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(slope), nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(slope), nn.Dropout(0.3),
        nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    return g, d


def mlp():
    g = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
                      nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    d = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1))
    return g, d


def infogan(slope=0.2):
    g = nn.Sequential(
        nn.Linear(100, 1024, bias=False), nn.BatchNorm1d(1024), nn.ReLU(),
        nn.Linear(1024, 7 * 7 * 128, bias=False), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(slope),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(slope), nn.Flatten(),
        nn.Linear(7 * 7 * 128, 1024, bias=False), nn.BatchNorm1d(1024), nn.LeakyReLU(slope), nn.Linear(1024, 1))
    return g, d


def keras_init(module):
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def train_step(g, d, opt_g, opt_d, real, ones, zeros, autocast):
    """One step as pytorch/examples' dcgan/main.py: D on real and detached fakes, then G through the updated D.
    Under autocast, PyTorch's recipe: forward passes and losses in the autocast region, backward and steps outside."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        fake = g(torch.randn(real.shape[0], 100))
        loss_d = F.binary_cross_entropy_with_logits(d(real).float(), ones) + F.binary_cross_entropy_with_logits(d(fake.detach()).float(), zeros)
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        loss_g = F.binary_cross_entropy_with_logits(d(fake).float(), ones)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d, loss_g


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", choices=["dcgan", "mlp", "infogan"], required=True)
    parser.add_argument("--autocast", choices=["none", "bf16"], default="none", help="bf16: torch.autocast('cpu', torch.bfloat16)")
    parser.add_argument("--data", default=os.environ.get("GANMNIST_DATA", "../shared/mnist"))
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads (default: PyTorch's own)")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--memory-format", choices=["contiguous", "channels-last"], default="contiguous",
                        help="channels-last: the networks' 4-D weights and the image batches NHWC in memory, oneDNN's layout")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    images = load_mnist(args.data)
    g, d = {"dcgan": dcgan, "mlp": mlp, "infogan": infogan}[args.arch]()
    keras_init(g)
    keras_init(d)
    memory_format = torch.channels_last if args.memory_format == "channels-last" else torch.contiguous_format
    g, d = g.to(memory_format=memory_format), d.to(memory_format=memory_format)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-7)
    b = args.batch
    ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)
    order = torch.randperm(images.shape[0])
    position = 0

    def step():
        nonlocal position
        if position + b > images.shape[0]:
            position = 0
        real = images.index_select(0, order[position:position + b]).contiguous(memory_format=memory_format)
        position += b
        train_step(g, d, opt_g, opt_d, real, ones, zeros, args.autocast == "bf16")

    for _ in range(args.warmup):
        step()
    seconds = []
    for _ in range(args.reps):
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(json.dumps({
        "impl": "pytorch", "arch": args.arch, "precision": "bf16-autocast" if args.autocast == "bf16" else "32-true",
        "threads": torch.get_num_threads(), "batch": b, "memory_format": args.memory_format,
        "images_per_second": b * args.steps / median, "ms_per_step": 1000 * median / args.steps,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
