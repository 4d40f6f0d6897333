#!/usr/bin/env python3
"""PyTorch peer of GanMnist's DCGAN training, for comparing what the two learn epoch by epoch.

--recipe seeds (the `dcgan` preset's recipe) is written from seed 000's Keras code, not from GanMnist's: the
tutorial's generator and discriminator with TensorFlow's "same" padding (a 5x5 stride-2 layer pads 1 before and
2 after, so the convolutions use F.pad and the transposed ones crop), Keras initialisation (glorot-uniform
kernels, zero biases) and batch norm (momentum 0.99, eps 1e-3), and its train_step: G once, D once on the real
and once on the generated batch, both losses from those logits, each network's gradient of its own loss, then
both Adam(1e-4, eps 1e-7) updates. TensorFlow draws a new 256-noise batch every step, also for the smaller last
batch of real images.
--recipe examples is the earlier peer (peer_step.py's networks and pytorch/examples' alternating step).

Every --evaluate-every epochs (and at epochs 1, 10, 25, 50) it writes, from the generator in eval mode
(batch-norm running statistics), 10,000 samples as an IDX file (round((x + 1) / 2 * 255), as GanMnist's IdxFile)
for `GanMnist.Cli evaluate --idx`; every epoch a 4x4 grid PNG from fixed noise and state.pt, from which a rerun
with the same --out resumes (the epochs after it are the same as an uninterrupted run's up to float rounding).
Usage: peer_train.py --data DIR --out DIR [--recipe seeds|examples] [--epochs 5] [--seed 1] [--threads 2]
                     [--autocast none|bf16] [--slope 0.3] [--evaluate-every 5] [--memory-format channels-last]
"""
import argparse
import os
import struct
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import peer_step


def write_idx(path, images):
    pixels = np.clip(np.rint((images.float().numpy()[:, 0] + 1) / 2 * 255), 0, 255).astype(np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">iiii", 0x00000803, pixels.shape[0], 28, 28))
        f.write(pixels.tobytes())


def write_grid_png(path, images, columns=4, border=2):
    rows = (len(images) + columns - 1) // columns
    height, width = rows * (28 + border) + border, columns * (28 + border) + border
    canvas = np.full((height, width), 128, np.uint8)
    pixels = np.clip(np.rint((images.float().numpy()[:, 0] + 1) / 2 * 255), 0, 255).astype(np.uint8)
    for i, image in enumerate(pixels):
        r, c = divmod(i, columns)
        canvas[border + r * (28 + border):border + r * (28 + border) + 28, border + c * (28 + border):border + c * (28 + border) + 28] = image
    raw = b"".join(b"\x00" + canvas[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


class TfSameConv2d(nn.Conv2d):
    """Conv2D(kernel 5, strides 2, padding="same") as TensorFlow pads it: 3 in all per axis, 1 before and 2 after."""

    def forward(self, x):
        return super().forward(F.pad(x, (1, 2, 1, 2)))


class TfSameConvTranspose2d(nn.ConvTranspose2d):
    """Conv2DTranspose(kernel 5, strides 2, padding="same"): the full (2H + 3)-row result cropped to rows 1..2H."""

    def forward(self, x):
        h, w = x.shape[-2:]
        return super().forward(x)[..., 1:2 * h + 1, 1:2 * w + 1]


def seeds_dcgan(slope):
    bn = dict(eps=1e-3, momentum=0.01)  # Keras momentum 0.99 is PyTorch's 0.01
    g = nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False), nn.BatchNorm1d(7 * 7 * 256, **bn), nn.LeakyReLU(slope),
        # Keras reshapes to (7, 7, 256) channels-last; PyTorch's (256, 7, 7) is the same layer up to a fixed
        # permutation of the dense layer's outputs, which glorot init and per-feature batch norm do not see.
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False), nn.BatchNorm2d(128, **bn), nn.LeakyReLU(slope),
        TfSameConvTranspose2d(128, 64, 5, 2, bias=False), nn.BatchNorm2d(64, **bn), nn.LeakyReLU(slope),
        TfSameConvTranspose2d(64, 1, 5, 2, bias=False), nn.Tanh())
    d = nn.Sequential(
        TfSameConv2d(1, 64, 5, 2), nn.LeakyReLU(slope), nn.Dropout(0.3),
        TfSameConv2d(64, 128, 5, 2), nn.LeakyReLU(slope), nn.Dropout(0.3),
        nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    return g, d


def seeds_train_step(g, d, opt_g, opt_d, real, autocast, batch):
    """The tutorial's train_step: one forward of G and of D on each batch, two losses, two gradients, two updates."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        generated = g(torch.randn(batch, 100))
        real_output = d(real).float()
        fake_output = d(generated).float()
        gen_loss = F.binary_cross_entropy_with_logits(fake_output, torch.ones_like(fake_output))
        disc_loss = (F.binary_cross_entropy_with_logits(real_output, torch.ones_like(real_output))
                     + F.binary_cross_entropy_with_logits(fake_output, torch.zeros_like(fake_output)))
    g_params, d_params = list(g.parameters()), list(d.parameters())
    g_grads = torch.autograd.grad(gen_loss, g_params, retain_graph=True)
    d_grads = torch.autograd.grad(disc_loss, d_params)
    for p, grad in zip(g_params + d_params, g_grads + d_grads):
        p.grad = grad
    opt_g.step()
    opt_d.step()
    return disc_loss, gen_loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.environ.get("GANMNIST_DATA", "../shared/mnist"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--recipe", choices=["seeds", "examples"], default="seeds")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--slope", type=float, default=0.3, help="LeakyReLU slope (the dcgan preset's 0.3; peer_step's 0.2 for examples)")
    parser.add_argument("--autocast", choices=["none", "bf16"], default="none")
    parser.add_argument("--evaluate-every", type=int, default=5)
    parser.add_argument("--memory-format", choices=["channels-last", "contiguous"], default="channels-last",
                        help="channels-last: oneDNN's faster layout (the bf16 step ran in half the time here)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    autocast = args.autocast == "bf16"

    images = peer_step.load_mnist(args.data)
    g, d = seeds_dcgan(args.slope) if args.recipe == "seeds" else peer_step.dcgan(args.slope)
    peer_step.keras_init(g)
    peer_step.keras_init(d)
    memory_format = torch.channels_last if args.memory_format == "channels-last" else torch.contiguous_format
    g, d = g.to(memory_format=memory_format), d.to(memory_format=memory_format)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-7)
    fixed = torch.randn(16, 100)
    evaluation_noise = torch.randn(10_000, 100)
    first_epoch = 1
    state_path = os.path.join(args.out, "state.pt")
    if os.path.exists(state_path):
        state = torch.load(state_path, weights_only=False)
        g.load_state_dict(state["g"]), d.load_state_dict(state["d"])
        opt_g.load_state_dict(state["opt_g"]), opt_d.load_state_dict(state["opt_d"])
        torch.set_rng_state(state["rng"])
        first_epoch = state["epoch"] + 1
        print(f"resumed after epoch {state['epoch']}", flush=True)
    for epoch in range(first_epoch, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(images.shape[0])
        for first in range(0, images.shape[0], args.batch):
            real = images.index_select(0, order[first:first + args.batch]).contiguous(memory_format=memory_format)
            if args.recipe == "seeds":
                loss_d, loss_g = seeds_train_step(g, d, opt_g, opt_d, real, autocast, args.batch)
            else:
                ones, zeros = torch.ones(real.shape[0], 1), torch.zeros(real.shape[0], 1)
                loss_d, loss_g = peer_step.train_step(g, d, opt_g, opt_d, real, ones, zeros, autocast)
        seconds = time.perf_counter() - start
        g.eval()
        with torch.no_grad():
            write_grid_png(os.path.join(args.out, f"epoch_{epoch:04d}.png"), g(fixed))
            if epoch % args.evaluate_every == 0 or epoch in (1, 10, 25, 50, args.epochs):
                write_idx(os.path.join(args.out, f"samples_epoch_{epoch:04d}-idx3-ubyte"),
                          torch.cat([g(chunk) for chunk in evaluation_noise.split(500)]))
        g.train()
        torch.save({"g": g.state_dict(), "d": d.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
                    "rng": torch.get_rng_state(), "epoch": epoch}, state_path + ".tmp")
        os.replace(state_path + ".tmp", state_path)
        print(f"epoch {epoch}: D loss {loss_d.item():.4f}, G loss {loss_g.item():.4f}, {seconds:.1f} s "
              f"({images.shape[0] / seconds:.0f} images/s)", flush=True)


if __name__ == "__main__":
    main()
