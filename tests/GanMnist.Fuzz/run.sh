#!/usr/bin/env bash
# Coverage-guided fuzzing of GanMnist's readers of outside data: AFL++ (Debian's afl++) drives the
# targets of FuzzTargets.cs through SharpFuzz, with GanMnist.dll and NumSharp.dll (the .npz reader)
# instrumented for coverage. TorchSharp.PyBridge and Razorvine.Pickle (the .pt reader) run uninstrumented:
# with either instrumented, SharpFuzz's fork server dies on the first mutated input (SharpFuzz 2.3.0,
# AFL++ 4.04c), so the state-dict target is guided by GanMnist's coverage only.
#
# usage: tests/GanMnist.Fuzz/run.sh [SECONDS_PER_TARGET [PARALLEL [TARGET...]]]
#   defaults: 600 seconds, 2 targets at once, every target. Work (corpus, findings) in $GANMNIST_FUZZ_WORK
#   (default /tmp/ganmnist-fuzz); a finding is a file in <work>/findings/<target>/default/{crashes,hangs}/;
#   replay it with: dotnet <work>/bin/GanMnist.Fuzz.dll replay <target> <file>, then add it to regressions/<target>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds=${1:-600}
parallel=${2:-2}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx idx-gz safetensors npz state-dict options-json history-json)
work=${GANMNIST_FUZZ_WORK:-/tmp/ganmnist-fuzz}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v afl-fuzz >/dev/null || { as_root apt-get update -qq && as_root apt-get install -y -qq afl++ >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null

mkdir -p "$work/findings"
rm -rf "$work/bin"
dotnet build "$here/GanMnist.Fuzz.csproj" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
rm -rf "$work/seeds"
dotnet "$work/bin/GanMnist.Fuzz.dll" seeds "$work/seeds" # before instrumenting: instrumented code runs only under AFL++
for assembly in GanMnist NumSharp; do
  sharpfuzz "$work/bin/$assembly.dll" >/dev/null
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export GANMNIST_FUZZ_SCRATCH=/dev/shm
fuzz() {
  local target=$1
  # Resume a target's earlier corpus when there is one (-i -), else start from the seeds.
  local input="$work/seeds/$target"
  [ -d "$work/findings/$target/default/queue" ] && input=-
  /usr/bin/time -o "$work/$target.cpu" -f "%U %S" afl-fuzz -V "$seconds" -t 5000 -m none -i "$input" -o "$work/findings/$target" -- dotnet "$work/bin/GanMnist.Fuzz.dll" "$target" \
    >"$work/$target.log" 2>&1 || echo "afl-fuzz $target exited $? (see $work/$target.log)" >&2
}
export -f fuzz
export work seconds
printf '%s\n' "${targets[@]}" | xargs -P "$parallel" -I{} bash -c 'fuzz {}'

printf '%-14s %12s %8s %8s %7s %6s\n' target executions cpu_s corpus crashes hangs
for target in "${targets[@]}"; do
  stats="$work/findings/$target/default/fuzzer_stats"
  [ -f "$stats" ] || { echo "$target: no fuzzer_stats (see $work/$target.log)"; continue; }
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$work/$target.cpu" 2>/dev/null || echo "?") # afl-fuzz and the target process, user + system
  printf '%-14s %12s %8s %8s %7s %6s\n' "$target" "$(get execs_done)" "$cpu" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
done
