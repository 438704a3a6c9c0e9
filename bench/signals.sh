#!/usr/bin/env bash
# Signals on libuv's loop, two ways (see bench/signals.c): a uv_signal
# handle per forwarded signal, or one signalfd under a uv_poll. Prints the
# system calls of each (strace -c -f) and the median time of a run, run by
# run in turn (bench/interleave.c), and writes bench/results/signals.md.
#
# Usage: bench/signals.sh [RUNS]     (default 3000)
set -euo pipefail

RUNS=${1:-3000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for t in cc pkg-config strace; do
  command -v "$t" >/dev/null 2>&1 || { echo "signals.sh: needs $t" >&2; exit 1; }
done
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/explain-signals.XXXXXX")
trap 'rm -rf -- "$SCRATCH"' EXIT

# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -o "$SCRATCH/signals" "$ROOT/bench/signals.c" \
  $(pkg-config --cflags --libs libuv-static)
cc -O2 -o "$SCRATCH/interleave" "$ROOT/bench/interleave.c"

modes=(none signalfd uv)
declare -A calls
for m in "${modes[@]}"; do
  strace -f -c -o "$SCRATCH/strace-$m.txt" "$SCRATCH/signals" "$m"
  calls[$m]=$(awk '$NF == "total" { print $4 }' "$SCRATCH/strace-$m.txt")
done
"$SCRATCH/interleave" "$RUNS" "$SCRATCH/signals" none ::: \
  "$SCRATCH/signals" signalfd ::: "$SCRATCH/signals" uv >"$SCRATCH/times.txt"
{ read -r t_none _; read -r t_sfd _; read -r t_uv _; } <"$SCRATCH/times.txt"

table() {
  echo "| setup | system calls | median run (µs) | over the loop alone (µs) |"
  echo "| --- | --- | --- | --- |"
  echo "| libuv loop alone | ${calls[none]} | $t_none | — |"
  echo "| signalfd under a uv_poll | ${calls[signalfd]} | $t_sfd | $(awk "BEGIN { printf \"%.1f\", $t_sfd - $t_none }") |"
  echo "| one uv_signal per signal | ${calls[uv]} | $t_uv | $(awk "BEGIN { printf \"%.1f\", $t_uv - $t_none }") |"
}
{
  echo "# Signals on libuv's loop"
  echo
  echo "Produced by \`bench/signals.sh $RUNS\` on $(date -u +%Y-%m-%d): $(nproc) CPUs,"
  echo "Linux $(uname -r), libuv $(pkg-config --modversion libuv-static)."
  echo "Each run initialises a loop, sets up its signals, runs it once and exits;"
  echo "system calls from \`strace -c -f\`, times run by run in turn"
  echo "(\`bench/interleave.c\`, $RUNS runs each, medians)."
  echo
  table
} >"$ROOT/bench/results/signals.md"
table
