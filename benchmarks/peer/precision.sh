#!/usr/bin/env bash
# The mixed-precision benchmark of docs/performance.md: one training step (batch 256, the seeds' recipe) of the DCGAN,
# InfoGAN and MLP architectures, side by side in one invocation:
#   ours 32-true / bf16-mixed   GanMnist now (benchmarks/GanMnist.Benchmarks step --precision ...)
#   base 32-true                GanMnist at GANMNIST_BASE_COMMIT (default 1fcb559, before mixed precision), in a git worktree
#   plain 32-true               benchmarks/peer/PlainTorchSharp, the loop a .NET user writes with TorchSharp alone (DCGAN, MLP)
#   pytorch-1.13 threads=1|2    Debian 12's python3-torch with OpenBLAS on the kernel this CPU deserves (checked, and
#                               OPENBLAS_CORETYPE set when OpenBLAS picks a lesser one)
#   pytorch-2.6 32-true / bf16-autocast   Debian 13's python3-torch in a debootstrapped root (.bench/trixie), fp32 and
#                               torch.autocast("cpu", torch.bfloat16), each also channels-last for the convolutional
#                               networks (PyTorch's memory format for oneDNN; the report compares against its faster layout)
# Every configuration runs once per round, the order rotating from round to round; precision_report.py prints the
# medians and the ratios the issue's targets are stated in. The CPU model and its flags are printed first.
# Where the CPU has no bfloat16 hardware the bf16 configurations are emulated (tens of times slower): they run one
# timed step after one warm-up step instead of the usual counts, so that a round stays under half an hour.
# Needs root for the Debian 13 root (debootstrap, chroot, mounts) and apt for python3-torch and libopenblas0-pthread.
# Usage: bash benchmarks/peer/precision.sh [rounds] [arch...]    (GANMNIST_DATA defaults to ../shared/mnist;
#        GANMNIST_BENCH_OUT=<file> keeps the raw JSON lines)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
shift || true
archs=(dcgan infogan mlp)
if [ $# -gt 0 ]; then archs=("$@"); fi
data=${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}
base_commit=${GANMNIST_BASE_COMMIT:-1fcb559}

source benchmarks/cpu.sh
print_cpu
bf16_hardware=0
if has_flag amx_bf16 || has_flag avx512_bf16; then bf16_hardware=1; fi
if has_flag amx_bf16; then echo "bfloat16 hardware: AMX (amx_bf16)"
elif [ "$bf16_hardware" = 1 ]; then echo "bfloat16 hardware: AVX512-BF16 without AMX (faster than float32 on some CPUs, a Zen 5; slower on others, a Xeon VM)"
else echo "bfloat16 hardware: none (bf16 runs are emulated)"; fi

# --- the peers' set-up ---------------------------------------------------------------------------------------------
source benchmarks/peer/trixie.sh
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread >/dev/null
fi
# The BLAS PyTorch 1.13 loads, and OpenBLAS' kernel for this CPU; a lesser kernel than the CPU has is overridden.
blas_probe='import ctypes, torch
maps = open("/proc/self/maps").read()
lib = next((l.split()[-1] for l in maps.splitlines() if "blas" in l.split()[-1]), "none")
core = "-"
try:
    core = ctypes.CDLL(lib).openblas_get_corename
    core.restype = ctypes.c_char_p
    core = core().decode()
except Exception:
    pass
print(lib, core)'
read -r blas_lib blas_core < <(/usr/bin/python3 -c "$blas_probe")
want=""
if has_flag avx512f; then want=SkylakeX; elif has_flag avx2; then want=$(grep -qm1 AuthenticAMD /proc/cpuinfo && echo Zen || echo Haswell); fi
openblas_env=()
if [ -n "$want" ] && [[ "${blas_core,,}" != "${want,,}" ]]; then
  openblas_env=(OPENBLAS_CORETYPE="$want")
  read -r blas_lib blas_core < <(env "${openblas_env[@]}" /usr/bin/python3 -c "$blas_probe")
fi
echo "PyTorch 1.13 BLAS: $blas_lib, OpenBLAS kernel $blas_core${openblas_env:+ (${openblas_env[*]})}"

trixie_root
trap trixie_unmount EXIT
mkdir -p "$trixie/bench"
cp benchmarks/peer/peer_step.py "$trixie/bench/"
cp "$data/train-images-idx3-ubyte.gz" "$trixie/bench/"
echo "PyTorch 2.6 root: $(chroot "$trixie" python3 -c 'import torch; print(torch.__version__, torch.backends.mkldnn.is_available() and "oneDNN" or "")' 2>/dev/null), BLAS $(chroot "$trixie" python3 -c "$blas_probe" 2>/dev/null)"

dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null
dotnet build benchmarks/peer/PlainTorchSharp -c Release -v q -nologo >/dev/null
base=.bench/base-$base_commit
[ -d "$base" ] || git worktree add --detach "$base" "$base_commit" >/dev/null
(cd "$base" && dotnet build benchmarks/GanMnist.Benchmarks -c Release -v q -nologo >/dev/null)

# --- the runs --------------------------------------------------------------------------------------------------------
results=$(mktemp)
record() { tail -1 | sed "s/^{/{\"setting\":\"$label\",/" >>"$results"; }
counts() { # arch precision -> "--steps K --reps R --warmup W"
  if [ "$2" != 32-true ] && [ "$bf16_hardware" = 0 ]; then
    [ "$1" = mlp ] && echo "--steps 4 --reps 1 --warmup 1" || echo "--steps 1 --reps 1 --warmup 1"
  else
    [ "$1" = mlp ] && echo "--steps 40 --reps 3 --warmup 2" || echo "--steps 6 --reps 3 --warmup 2"
  fi
}
ours=benchmarks/GanMnist.Benchmarks/bin/Release/net10.0/GanMnist.Benchmarks.dll
run() { # impl arch label
  local impl=$1 arch=$2 precision=32-true threads="" layout=contiguous
  case "$label" in bf16*) precision=bf16-mixed ;; threads=*) threads=${label#threads=} ;; esac
  case "$label" in *channels-last) layout=channels-last ;; esac
  # shellcheck disable=SC2046
  case "$impl" in
    ours) dotnet "$ours" step --data "$data" --arch "$arch" --precision "$precision" $(counts "$arch" "$precision") | record ;;
    base) dotnet "$base/$ours" step --data "$data" --arch "$arch" $(counts "$arch" 32-true) | sed 's/"impl":"ganmnist"/"impl":"base"/' | record ;;
    plain) dotnet benchmarks/peer/PlainTorchSharp/bin/Release/net10.0/PlainTorchSharp.dll --data "$data" --arch "$arch" $(counts "$arch" 32-true) | record ;;
    pytorch-1.13) env "${openblas_env[@]}" /usr/bin/python3 benchmarks/peer/peer_step.py --data "$data" --arch "$arch" --threads "$threads" $(counts "$arch" 32-true) \
                    | sed -E 's/"impl": *"pytorch"/"impl": "pytorch-1.13"/' | record ;;
    pytorch-2.6) chroot "$trixie" /usr/bin/env -i PATH=/usr/bin:/bin python3 /bench/peer_step.py --data /bench --arch "$arch" \
                   --autocast "$([ "$precision" = 32-true ] && echo none || echo bf16)" --memory-format "$layout" $(counts "$arch" "$precision") \
                   | sed -E 's/"impl": *"pytorch"/"impl": "pytorch-2.6"/' | record ;;
  esac
}
configs=()
for arch in "${archs[@]}"; do
  cs=("ours default" "ours bf16" "base default" "pytorch-1.13 threads=1" "pytorch-1.13 threads=2" "pytorch-2.6 default" "pytorch-2.6 bf16")
  [ "$arch" = mlp ] || cs+=("pytorch-2.6 channels-last" "pytorch-2.6 bf16-channels-last")
  [ "$arch" = infogan ] || cs+=("plain default")
  for c in "${cs[@]}"; do configs+=("$arch $c"); done
done
n=${#configs[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    read -r arch impl label <<<"${configs[$(((i + (round - 1) * 5) % n))]}"
    run "$impl" "$arch"
  done
  echo "round $round done $(date -u +%T)" >&2
done
python3 benchmarks/peer/precision_report.py "$results"
[ -z "${GANMNIST_BENCH_OUT:-}" ] || cp "$results" "$GANMNIST_BENCH_OUT"
rm -f "$results"
