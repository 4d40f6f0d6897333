#!/usr/bin/env bash
# The seeds' DCGAN recipe trained by the PyTorch 2.6 peer (benchmarks/peer/peer_train.py --recipe seeds, written from seed
# 000's Keras code) in Debian 13's PyTorch, in a debootstrapped root (benchmarks/peer/trixie.sh), for comparison epoch by
# epoch with a GanMnist run of the `dcgan` preset in GanMnist's evaluator (benchmarks/evidence/peer_curve.py).
# Resumable: rerun with the same folder and it continues from its state.pt.
# Usage: bash benchmarks/evidence/peer-dcgan.sh [epochs=50] [seed=1] [folder=runs/peer-seeds] [peer_train.py options...]
#        (default options: --autocast bf16 --evaluate-every 5; GANMNIST_DATA defaults to ../shared/mnist)
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs=${1:-50}
seed=${2:-1}
out=${3:-runs/peer-seeds}
shift $(( $# < 3 ? $# : 3 ))
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(--autocast bf16 --evaluate-every 5)
data=$(cd "${GANMNIST_DATA:-../shared/mnist}" && pwd)

source benchmarks/cpu.sh
print_cpu
source benchmarks/peer/trixie.sh
trixie_root
mkdir -p "$out" "$trixie/bench" "$trixie/data" "$trixie/out"
cp benchmarks/peer/peer_step.py benchmarks/peer/peer_train.py "$trixie/bench/"
mountpoint -q "$trixie/data" || as_root mount --bind "$data" "$trixie/data"
mountpoint -q "$trixie/out" || as_root mount --bind "$(cd "$out" && pwd)" "$trixie/out"
trap 'as_root umount -l "$trixie/data" "$trixie/out" 2>/dev/null || true; trixie_unmount' EXIT
echo "PyTorch $(chroot "$trixie" python3 -c 'import torch; print(torch.__version__)'), seed $seed, $epochs epochs, ${options[*]}"
chroot "$trixie" python3 /bench/peer_train.py --data /data --out /out --recipe seeds --epochs "$epochs" --seed "$seed" "${options[@]}"
