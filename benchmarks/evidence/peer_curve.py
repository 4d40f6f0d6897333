#!/usr/bin/env python3
"""A GanMnist run and the PyTorch peer (benchmarks/peer/peer_train.py) of the same recipe, epoch by epoch in
GanMnist's evaluator: the peer's eval-mode samples (samples_epoch_NNNN-idx3-ubyte, 10,000 each) are measured with
`GanMnist.Cli evaluate --idx` (results cached beside them as .json), the run's from its history.json.
    python3 benchmarks/evidence/peer_curve.py RUN_FOLDER PEER_FOLDER [CLI.dll]
RUN_FOLDER - leaves GanMnist's columns empty (the peer alone).
CLI.dll defaults to $GANMNIST_CLI or samples/GanMnist.Cli/bin/Release/net10.0/GanMnist.Cli.dll; GANMNIST_DATA the data."""
import glob
import json
import os
import re
import subprocess
import sys

run, peer = sys.argv[1], sys.argv[2]
cli = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("GANMNIST_CLI", "samples/GanMnist.Cli/bin/Release/net10.0/GanMnist.Cli.dll")
data = os.environ.get("GANMNIST_DATA", "../shared/mnist")

ours = {} if run == "-" else {e["Epoch"]: e["Evaluation"] for e in json.load(open(f"{run}/history.json")) if e.get("Evaluation")}
theirs = {}
for idx in sorted(glob.glob(f"{peer}/samples_epoch_*-idx3-ubyte")):
    epoch = int(re.search(r"samples_epoch_(\d+)", idx).group(1))
    cached = idx + ".json"
    if not os.path.exists(cached):
        subprocess.run(["dotnet", cli, "evaluate", "--idx", idx, "--data", data, "--json", cached], check=True, stdout=subprocess.DEVNULL)
    m = json.load(open(cached))["samples"]  # evaluate --json's metric names, as history.csv's columns
    theirs[epoch] = {"FrechetDistance": m["fid"], "ClassesCovered": int(m["classes_covered"]), "LargestClassShare": m["largest_class_share"],
                     "Precision": m["precision"], "Recall": m["recall"], "MnistScore": m["mnist_score"]}


def cells(e):
    if e is None:
        return "| | | | |"
    return (f"| {e['FrechetDistance']:,.0f} | {e['ClassesCovered']} | {e['LargestClassShare']:.0%} | "
            f"{e['Precision']:.2f} / {e['Recall']:.2f} |")


print("| epoch | GanMnist FID | classes | largest class | precision / recall | PyTorch FID | classes | largest class | precision / recall |")
print("| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
for epoch in sorted(set(ours) | set(theirs)):
    print(f"| {epoch} {cells(ours.get(epoch))[:-1]}{cells(theirs.get(epoch))}")
