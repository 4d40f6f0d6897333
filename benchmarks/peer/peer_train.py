#!/usr/bin/env python3
"""PyTorch peer of GanMnist's seed DCGAN training (the `dcgan` preset), for comparing what the two learn.

The networks, initialisation, losses and optimizer of peer_step.py, trained as GanTrainer does: every epoch
shuffled, batches of 256 with the last smaller one kept, D on real and detached fakes then G through D. After
each epoch it writes, from the generator in eval mode (batch-norm running statistics), 10,000 samples as an
IDX file (round((x + 1) / 2 * 255), as GanMnist's IdxFile) for `GanMnist.Cli evaluate --idx`, and a 4x4 grid
PNG from fixed noise.
Usage: peer_train.py --data DIR --out DIR [--epochs 5] [--seed 1] [--threads 2]
"""
import argparse
import os
import struct
import time
import zlib

import numpy as np
import torch

import peer_step


def write_idx(path, images):
    pixels = np.clip(np.rint((images.numpy()[:, 0] + 1) / 2 * 255), 0, 255).astype(np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">iiii", 0x00000803, pixels.shape[0], 28, 28))
        f.write(pixels.tobytes())


def write_grid_png(path, images, columns=4, border=2):
    rows = (len(images) + columns - 1) // columns
    height, width = rows * (28 + border) + border, columns * (28 + border) + border
    canvas = np.full((height, width), 128, np.uint8)
    pixels = np.clip(np.rint((images.numpy()[:, 0] + 1) / 2 * 255), 0, 255).astype(np.uint8)
    for i, image in enumerate(pixels):
        r, c = divmod(i, columns)
        canvas[border + r * (28 + border):border + r * (28 + border) + 28, border + c * (28 + border):border + c * (28 + border) + 28] = image
    raw = b"".join(b"\x00" + canvas[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.environ.get("GANMNIST_DATA", "../shared/mnist"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    images = peer_step.load_mnist(args.data)
    g, d = peer_step.dcgan()
    peer_step.keras_init(g)
    peer_step.keras_init(d)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-7)
    fixed = torch.randn(16, 100)
    evaluation_noise = torch.randn(10_000, 100)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(images.shape[0])
        for first in range(0, images.shape[0], args.batch):
            real = images.index_select(0, order[first:first + args.batch])
            ones, zeros = torch.ones(real.shape[0], 1), torch.zeros(real.shape[0], 1)
            loss_d, loss_g = peer_step.train_step(g, d, opt_g, opt_d, real, ones, zeros)
        seconds = time.perf_counter() - start
        g.eval()
        with torch.no_grad():
            write_grid_png(os.path.join(args.out, f"epoch_{epoch:04d}.png"), g(fixed))
            write_idx(os.path.join(args.out, f"samples_epoch_{epoch:04d}-idx3-ubyte"),
                      torch.cat([g(chunk) for chunk in evaluation_noise.split(500)]))
        g.train()
        print(f"epoch {epoch}: D loss {loss_d.item():.4f}, G loss {loss_g.item():.4f}, {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
