#!/usr/bin/env bash
# Evidence for docs/training.md (issue 19): the dcgan preset (the seeds' TensorFlow recipe: Keras padding, slope 0.3,
# Adam 1e-4/0.9/1e-7, batch 256) trained with each update schedule, evaluated every epoch on 10,000 samples.
#   bash benchmarks/evidence/dcgan-schedules.sh [epochs] [seed] [out folder] [schedules...]
# Defaults: 10 epochs, seed 1, runs/dcgan-schedules, Simultaneous then Alternating. About 5 minutes an epoch on
# 2 cores: run it alone, in the background. Prints one Markdown table per run (FID, classes, shares per epoch);
# the grids are <out>/<schedule>/samples/epoch_NNN.png.
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs="${1:-10}"; seed="${2:-1}"; out="${3:-runs/dcgan-schedules}"
shift $(( $# > 3 ? 3 : $# ))
schedules=("$@"); [ ${#schedules[@]} -gt 0 ] || schedules=(Simultaneous Alternating)
data="${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}"
mkdir -p "$out"
dotnet build samples/GanMnist.Cli -c Release -v q -nologo >/dev/null
cli="samples/GanMnist.Cli/bin/Release/net10.0/GanMnist.Cli"

for schedule in "${schedules[@]}"; do
  folder="$out/$schedule"
  rm -rf "$folder"
  start=$(date +%s)
  "$cli" train --preset dcgan --epochs "$epochs" --seed "$seed" --data "$data" --out "$folder" --evaluate-every 1 \
    --set UpdateSchedule="$schedule" > "$folder.log" 2>&1 || { echo "$schedule failed, see $folder.log"; continue; }
  echo "### dcgan preset, UpdateSchedule=$schedule, seed $seed: $(( $(date +%s) - start )) s"
  python3 - "$folder/history.csv" <<'PY'
import csv, sys
print("| epoch | FID | MNIST score | classes | smallest / largest share | mode collapse | seconds |")
print("| ---: | ---: | ---: | ---: | --- | --- | ---: |")
for r in csv.DictReader(open(sys.argv[1])):
    if not r.get("fid"):
        continue
    share = f"{float(r['smallest_class_share'])*100:.1f}% / {float(r['largest_class_share'])*100:.1f}%"
    print(f"| {r['epoch']} | {float(r['fid']):.1f} | {float(r['mnist_score']):.2f} | {float(r['classes_covered']):.0f} | {share} | {r.get('mode_collapse', '')} | {float(r['seconds']):.0f} |")
PY
done
