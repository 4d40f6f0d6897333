#!/usr/bin/env bash
# Evidence for issue 19's presets: a preset (or any recipe) trained with several seeds, each run timed from launch to
# report (the CLI process's wall time, data loading and the final evaluation included), evaluated at the end on
# 10,000 samples. Prints one row per seed and the median and range of each column.
#   bash benchmarks/evidence/presets.sh PRESET "SEEDS" [out folder] [extra CLI arguments...]
#   e.g. bash benchmarks/evidence/presets.sh quick "1 2 3" runs/presets/quick
#        bash benchmarks/evidence/presets.sh quick "1 2 3" runs/presets/quick-r1 --set R1Weight=1
# Run it alone (2 cores): every run is a timed measurement. Grids: <out>/seed-N/samples/.
# GANMNIST_CLI=<path to GanMnist.Cli.dll> runs a CLI published earlier instead of building this tree's.
set -euo pipefail
cd "$(dirname "$0")/../.."
preset="$1"; seeds="$2"; out="${3:-runs/presets/$1}"
shift $(( $# > 3 ? 3 : $# ))
data="${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}"
mkdir -p "$out"
if [ -n "${GANMNIST_CLI:-}" ]; then
  cli=(dotnet "$GANMNIST_CLI")
else
  dotnet build samples/GanMnist.Cli -c Release -v q -nologo >/dev/null
  cli=(samples/GanMnist.Cli/bin/Release/net10.0/GanMnist.Cli)
fi

rows="$out/rows.tsv"; : > "$rows"
for seed in $seeds; do
  folder="$out/seed-$seed"
  rm -rf "$folder"
  start=$(date +%s.%N)
  "${cli[@]}" train --preset "$preset" --seed "$seed" --data "$data" --out "$folder" --evaluation-samples 10000 "$@" > "$folder.log" 2>&1 \
    || { echo "seed $seed failed, see $folder.log"; continue; }
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  epochs=$(tail -n +2 "$folder/history.csv" | wc -l)
  # The CLI evaluates the final generator when the run ends (history's last row carries it when --evaluate-every divides the epochs).
  python3 - "$folder/history.csv" "$seed" "$seconds" "$epochs" >> "$rows" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r.get("fid")]
r = rows[-1]
print("\t".join([sys.argv[2], r["fid"], r["mnist_score"], r["classes_covered"], r["smallest_class_share"], r["largest_class_share"],
                 r.get("precision", ""), r.get("recall", ""), sys.argv[4], sys.argv[3]]))
PY
done

python3 - "$rows" "$preset" "$*" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print(f"### preset {sys.argv[2]} {sys.argv[3]}".rstrip())
print("| seed | FID | MNIST score | classes | smallest / largest class | precision | recall | epochs | seconds, launch to report |")
print("| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
num = lambda s: float(s) if s not in ("", None) else float("nan")
for s, fid, ms, cc, lo, hi, p, r, ep, sec in rows:
    print(f"| {s} | {num(fid):.1f} | {num(ms):.2f} | {int(num(cc))} | {num(lo)*100:.1f}% / {num(hi)*100:.1f}% | {num(p):.3f} | {num(r):.3f} | {ep} | {num(sec):.0f} |")
if len(rows) > 1:
    col = lambda i: [num(r[i]) for r in rows]
    fmt = lambda xs, f: f"{statistics.median(xs):{f}} ({min(xs):{f}}–{max(xs):{f}})"
    print(f"| median (range) | {fmt(col(1), '.1f')} | {fmt(col(2), '.2f')} | {fmt(col(3), '.0f')} | largest {fmt([x*100 for x in col(5)], '.1f')}% | "
          f"{fmt(col(6), '.3f')} | {fmt(col(7), '.3f')} | | {fmt(col(9), '.0f')} |")
PY
