#!/usr/bin/env bash
# Issue 29's speed check: the trainer now against GANMNIST_BASE_COMMIT (default 1fcb559, before the loop became
# callbacks), built in a git worktree, side by side in one invocation, alternating, ROUNDS rounds:
#   step    benchmarks/GanMnist.Benchmarks step --arch mlp|dcgan (the training step alone, batch 256, 2 threads)
#   train   the CLI's `train --preset mlp --epochs 2` (the whole loop with every default callback: samples, history,
#           report, checkpoint, generator file), read as the mean images/s of history.csv's epochs
# Prints one line per measurement and the medians with the ratio now / base. Run it alone (2 cores).
#   bash benchmarks/evidence/trainer-loop.sh [rounds]        (GANMNIST_DATA defaults to ../shared/mnist)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
data=${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}
base_commit=${GANMNIST_BASE_COMMIT:-1fcb559}
work=${GANMNIST_BENCH_WORK:-runs/trainer-loop}
mkdir -p "$work"
source benchmarks/cpu.sh
print_cpu

build() { # commit-ish folder
  local tree="$1" out="$2"
  dotnet publish "$tree/samples/GanMnist.Cli" -c Release -o "$out/cli" -v q -nologo >/dev/null
  dotnet build "$tree/benchmarks/GanMnist.Benchmarks" -c Release -o "$out/bench" -v q -nologo >/dev/null
}
if [ ! -f "$work/base/cli/GanMnist.Cli.dll" ]; then
  rm -rf "$work/base-tree"; git worktree prune
  git worktree add -f --detach "$work/base-tree" "$base_commit" >/dev/null
  ln -sfn "$(cd ../shared && pwd)" "$work/shared" 2>/dev/null || true
  build "$work/base-tree" "$work/base"
fi
build . "$work/now"

rows="$work/rows.tsv"; : > "$rows"
measure() { # label folder round
  local label="$1" dir="$2" round="$3" arch rate
  for arch in mlp dcgan; do
    rate=$(dotnet "$dir/bench/GanMnist.Benchmarks.dll" step --arch "$arch" --steps $([ "$arch" = mlp ] && echo 40 || echo 6) --reps 3 2>/dev/null \
      | tail -1 | python3 -c 'import json,sys; print(round(json.loads(sys.stdin.read())["images_per_second"], 1))')
    printf '%s\tstep-%s\t%s\t%s\n' "$label" "$arch" "$round" "$rate" | tee -a "$rows"
  done
  rm -rf "$work/run-$label"
  dotnet "$dir/cli/GanMnist.Cli.dll" train --preset mlp --epochs 2 --seed 1 --data "$data" --out "$work/run-$label" >/dev/null 2>&1
  rate=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(round(sum(float(x["images_per_second"]) for x in r)/len(r), 1))' "$work/run-$label/history.csv")
  printf '%s\ttrain-mlp\t%s\t%s\n' "$label" "$round" "$rate" | tee -a "$rows"
}
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then measure base "$work/base" "$round"; measure now "$work/now" "$round"
  else measure now "$work/now" "$round"; measure base "$work/base" "$round"; fi
done
python3 - "$rows" <<'PY'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter="\t"))
cases = sorted({r[1] for r in rows})
print("case\tbase median\tnow median\tnow/base\t(images/s; rounds: base / now)")
for case in cases:
    b = [float(r[3]) for r in rows if r[1] == case and r[0] == "base"]
    n = [float(r[3]) for r in rows if r[1] == case and r[0] == "now"]
    print(f"{case}\t{statistics.median(b):.1f}\t{statistics.median(n):.1f}\t{statistics.median(n) / statistics.median(b):.3f}\t{b} / {n}")
PY
