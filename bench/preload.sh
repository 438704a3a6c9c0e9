#!/usr/bin/env bash
# What the crash reporter costs each command: `true` started bare, with an
# empty preloaded library (the loader's floor for any preload), and with
# libexplain-crash.so as explain preloads it (handlers installed). Median
# CPU time of the command (user + system, from wait4) over interleaved
# runs: the exec and the loader's work, less scheduling noise than a
# wall clock.
#
# Usage: bench/preload.sh [RUNS]      (default 5000)
#   BUILD=/path/to/build   where libexplain-crash.so is (default: <repo>/build)
#
# Prints a Markdown table and writes it to bench/results/preload.md.
set -euo pipefail

RUNS=${1:-5000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LIB=$BUILD/libexplain-crash.so
[[ -f $LIB ]] || { echo "preload.sh: no $LIB; build first" >&2; exit 1; }
TRUE=$(command -v true)
[[ $TRUE == /* ]] || TRUE=/usr/bin/true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/spawn_cpu" "$ROOT/bench/spawn_cpu.c"
echo 'int ex_bench_empty;' >"$work/empty.c"
cc -shared -fPIC -O2 -o "$work/empty.so" "$work/empty.c"

dir="EXPLAIN_CRASH_DIR=$work/crash"
out=$("$work/spawn_cpu" "$RUNS" "$TRUE" \
  "bare=-" \
  "empty.so=LD_PRELOAD=$work/empty.so" \
  "libexplain-crash.so=LD_PRELOAD=$LIB,$dir")

md=$ROOT/bench/results/preload.md
{
  echo "# The crash reporter's cost in each command"
  echo
  echo "$(date +%F), $RUNS interleaved runs of \`$TRUE\`, median CPU time"
  echo "of the command in µs (user + system, wait4); written by bench/preload.sh."
  echo
  echo "| preload | median | p25 | p75 | over bare |"
  echo "|---|---:|---:|---:|---:|"
  base=$(awk -F'\t' '$1=="bare"{print $2}' <<<"$out")
  awk -F'\t' -v b="$base" '{printf "| %s | %d | %d | %d | %+d |\n", $1, $2, $3, $4, $2-b}' <<<"$out"
} | tee "$md"
