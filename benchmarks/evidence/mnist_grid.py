"""Writes the first N x N images of an IDX image file (raw or .gz) as a PNG grid laid out as GanMnist's ImageGrid lays out
samples (2-pixel gray border, 28x28 cells), so README can show real MNIST beside each preset's samples.
    python3 benchmarks/evidence/mnist_grid.py ../shared/mnist/t10k-images-idx3-ubyte.gz docs/images/real-mnist.png [N]
Standard library only (Debian's python3 has no PIL)."""
import gzip, struct, sys, zlib

source, target = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
data = (gzip.open if source.endswith(".gz") else open)(source, "rb").read()
magic, count, rows, cols = struct.unpack(">IIII", data[:16])
if magic != 0x803 or count < n * n:
    sys.exit(f"{source}: not an IDX image file with {n * n} images (magic {magic:#x}, {count} images)")
pad, border = 2, 96
width, height = n * (cols + pad) + pad, n * (rows + pad) + pad
pixels = bytearray([border]) * (width * height)
for i in range(n * n):
    top, left = i // n * (rows + pad) + pad, i % n * (cols + pad) + pad
    image = data[16 + i * rows * cols:16 + (i + 1) * rows * cols]
    for y in range(rows):
        pixels[(top + y) * width + left:(top + y) * width + left + cols] = image[y * cols:(y + 1) * cols]
raw = b"".join(b"\0" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
open(target, "wb").write(png)
print(f"{target}: {n}x{n} images of {source}, {width}x{height} pixels")
