#!/usr/bin/env python3
"""The evaluation curve of a run folder as a Markdown table: every evaluated epoch's FID, classes covered, the largest
class share, precision, recall and MNIST score, with the epoch's losses, seconds and the run's elapsed minutes.
    python3 benchmarks/evidence/curve.py RUN_FOLDER
Reads only RUN_FOLDER/history.json (written by the trainer after every epoch), so it works on a run still going."""
import json
import sys

history = json.load(open(f"{sys.argv[1]}/history.json"))
print("| epoch | FID | classes | largest class | precision | recall | MNIST score | D loss | G loss | s/epoch | elapsed min |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
elapsed = 0.0
for epoch in history:
    elapsed += epoch["Seconds"]
    e = epoch.get("Evaluation")
    if not e:
        continue
    print(f"| {epoch['Epoch']} | {e['FrechetDistance']:,.1f} | {e['ClassesCovered']}/10 | {e['LargestClassShare']:.1%} | "
          f"{e['Precision']:.3f} | {e['Recall']:.3f} | {e['MnistScore']:.2f} | {epoch['DiscriminatorLoss']:.3f} | "
          f"{epoch['GeneratorLoss']:.3f} | {epoch['Seconds']:.0f} | {elapsed / 60:.0f} |")
