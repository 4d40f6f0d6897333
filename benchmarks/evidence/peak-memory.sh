#!/usr/bin/env bash
# Issue 30's peak-memory check: the CLI's quick preset on the first 2,000 MNIST training images, no evaluation, for a
# short and a long run, alternating, several rounds; prints each run's peak resident set (/usr/bin/time's %M, KB) and
# the medians. A flat peak means the long run's median is within a few percent of the short run's.
#   bash benchmarks/evidence/peak-memory.sh [rounds] [short epochs] [long epochs]     (default 3 8 96)
#   GANMNIST_CLI=<GanMnist.Cli.dll> measures a CLI published earlier (e.g. of another commit) instead of this tree's.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}; short=${2:-8}; long=${3:-96}
data=${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$data" "$work/mnist" <<'PY'
import gzip, os, shutil, struct, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
for name, header, n in [("train-images-idx3-ubyte.gz", 16, 2000), ("train-labels-idx1-ubyte.gz", 8, 2000)]:
    data = gzip.open(os.path.join(src, name)).read()
    if header == 16:
        magic, _, rows, cols = struct.unpack(">IIII", data[:16]); out = struct.pack(">IIII", magic, n, rows, cols) + data[16:16 + n * rows * cols]
    else:
        magic, _ = struct.unpack(">II", data[:8]); out = struct.pack(">II", magic, n) + data[8:8 + n]
    gzip.open(os.path.join(dst, name), "wb").write(out)
for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]:
    shutil.copy(os.path.join(src, name), dst)
PY
cli=${GANMNIST_CLI:-samples/GanMnist.Cli/bin/Release/net10.0/GanMnist.Cli.dll}
[ -n "${GANMNIST_CLI:-}" ] || dotnet build samples/GanMnist.Cli -c Release -v q -nologo >/dev/null
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
for round in $(seq "$rounds"); do
  for epochs in "$short" "$long"; do
    rm -rf "$work/run"
    /usr/bin/time -f "%M" -o "$work/peak" dotnet "$cli" train --preset quick --epochs "$epochs" --evaluate-every 0 --data "$work/mnist" \
      --no-download --seed 1 --out "$work/run" >/dev/null 2>&1
    echo "$epochs $(cat "$work/peak")" | tee -a "$work/peaks"
  done
done
python3 - "$work/peaks" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for epochs, kb in rows:
    by.setdefault(int(epochs), []).append(int(kb) / 1024)
for epochs, mib in sorted(by.items()):
    print(f"{epochs} epochs: peak {statistics.median(mib):.0f} MiB median ({', '.join(f'{m:.0f}' for m in mib)})")
(s, a), (l, b) = sorted(by.items())
print(f"long / short: {statistics.median(b) / statistics.median(a):.3f}")
PY
