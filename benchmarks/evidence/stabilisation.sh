#!/usr/bin/env bash
# Evidence for docs/training.md: each stabilisation technique against the same baseline (the quick preset's
# MLP recipe), same seed, same epoch budget, evaluated on 10,000 samples at the end.
#   bash benchmarks/evidence/stabilisation.sh [epochs] [seed] [out folder]
# Needs MNIST in GANMNIST_DATA (or ../shared/mnist) and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs="${1:-10}"; seed="${2:-1}"; out="${3:-runs/evidence}"
data="${GANMNIST_DATA:-$(cd ../shared/mnist && pwd)}"
mkdir -p "$out"
dotnet build samples/GanMnist.Cli -c Release -v q -nologo >/dev/null
cli="samples/GanMnist.Cli/bin/Release/net10.0/GanMnist.Cli"

runs=(
  "baseline|"
  "feature matching (weight 1)|--set FeatureMatchingWeight=1"
  "feature matching only|--set FeatureMatchingOnly=true"
  "minibatch discrimination (16x8)|--set MinibatchDiscriminationKernels=16"
  "instance noise 0.1, annealed|--set InstanceNoise=0.1 --set InstanceNoiseAnnealEpochs=${epochs}"
  "R1 penalty (gamma 1)|--set R1Weight=1"
  "TTUR (G 1e-4, D 4e-4)|--lr 1e-4 --lr-d 4e-4"
  "2 D steps per G step|--set DiscriminatorSteps=2"
  "EMA of G (0.999)|--set EmaDecay=0.999"
  "conditional MLP|--set Architecture=ConditionalMlp"
)

echo "| technique | FID | MNIST score | classes | smallest / largest share | precision | recall | conditional accuracy | seconds |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for entry in "${runs[@]}"; do
  name="${entry%%|*}"; extra="${entry#*|}"
  folder="$out/$(echo "$name" | tr -c 'a-zA-Z0-9' '-' | tr -s '-' | sed 's/-$//')"
  rm -rf "$folder"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$cli" train --preset quick --epochs "$epochs" --seed "$seed" --data "$data" --out "$folder" --evaluate-every "$epochs" \
    --set CheckpointEveryEpochs=0 $extra > "$folder.log" 2>&1 || { echo "| $name | failed, see $folder.log |"; continue; }
  seconds=$(( $(date +%s) - start ))
  python3 - "$folder/history.csv" "$name" "$seconds" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = rows[-1]
f = lambda k, fmt: format(float(r[k]), fmt) if r.get(k) not in (None, "") else "-"
share = f"{float(r['smallest_class_share'])*100:.1f}% / {float(r['largest_class_share'])*100:.1f}%"
print(f"| {sys.argv[2]} | {f('fid','.1f')} | {f('mnist_score','.2f')} | {f('classes_covered','.0f')} | {share} | {f('precision','.3f')} | {f('recall','.3f')} | {f('conditional_accuracy','.3f')} | {sys.argv[3]} |")
PY
done
