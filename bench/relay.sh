#!/bin/sh
# The live relay with every rule active: 1 GiB of 100-byte lines written to
# stderr, through explain and through `| cat`.
#
#   bench/relay.sh [--quick] [--runs N] [BUILD_DIR]
#
# BUILD_DIR (default build/ of the source tree) holds the explain to
# measure; BASE_EXPLAIN=/path/to/explain adds another binary (the one
# before a change) to the same rounds. Generates 64 MiB of log-like text
# cut into 100-byte lines once (in ${TMPDIR:-/tmp}/explain-relay) and
# writes it 16 times (1 GiB; 2 times with --quick), with `cat` from the
# page cache. Each round runs, one after the other:
#
#   sh -c 'W' | cat > /dev/null              the floor: a pipe and a reader
#   explain sh -c 'W >&2' 2> /dev/null       explain, all rules active
#   explain -q sh -c 'W >&2' 2> /dev/null    explain relaying only
#   BASE_EXPLAIN sh -c 'W >&2' 2> /dev/null  (when set)
#
# The machine is shared and noisy: the rounds interleave the commands so
# that drift falls on all of them alike, and the figures are medians of N
# rounds (default 9; 3 with --quick), with the spread (min-max). Then one
# more failing run with explain's stderr kept says how much of the output
# the scanner did not keep up with (explain never slows the command down
# to its scanner's pace: see README, "Streams"). Prints a table and writes
# it to bench/results/relay.md. Needs python3 and /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
quick=0
runs=
build=
while [ $# -gt 0 ]; do
  case $1 in
  --quick) quick=1 ;;
  --runs) runs=$2; shift ;;
  -h | --help) sed -n "2,26p" "$0"; exit 0 ;;
  -*) echo "relay.sh: unknown option $1" >&2; exit 2 ;;
  *) build=$1 ;;
  esac
  shift
done
build=${build:-$root/build}
explain=$build/explain
[ -x "$explain" ] || { echo "relay.sh: no $explain (build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "relay.sh: needs /usr/bin/time" >&2; exit 2; }
if [ "$quick" = 1 ]; then copies=2; runs=${runs:-3}; else
  copies=16; runs=${runs:-9}; fi
work=${TMPDIR:-/tmp}/explain-relay
mkdir -p "$work"
txt=$work/lines-64m.txt
export EXPLAIN_RULES_PATH= EXPLAIN_HISTORY=0
export XDG_CONFIG_HOME=$work/no-config

if [ ! -s "$txt" ]; then
  echo "generating 64 MiB of 100-byte lines in $txt"
  python3 - "$txt" <<'PY'
import random, sys
rnd = random.Random(7)
words = ("the of and to in is for on that with as at by from build test "
         "module package install compile link object source target debug "
         "info warning note running finished done ok cache layer step "
         "error failed open file path connect").split()
def line():
    r = rnd.random()
    if r < 0.3:
        s = "2024-05-%02dT%02d:%02d:%02d.%03dZ INFO %s" % (
            rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59),
            rnd.randint(0, 59), rnd.randint(0, 999),
            " ".join(rnd.choice(words) for _ in range(14)))
    elif r < 0.5:
        s = "gcc -O2 -Wall -c src/%s.c -o %s.o" % (rnd.choice(words),
                                                  rnd.choice(words))
    else:
        s = " ".join(rnd.choice(words) for _ in range(20))
    return (s[:99]).ljust(99, ".")
block = "".join(line() + "\n" for _ in range(100000)).encode()
with open(sys.argv[1], "wb") as f:
    for _ in range(64 * 1024 * 1024 // len(block)):
        f.write(block)
    rest = 64 * 1024 * 1024 % len(block)
    f.write(block[:rest - rest % 100])
PY
fi
cat "$txt" > /dev/null
copies_list=$(seq 1 "$copies" | tr '\n' ' ')
export BENCH_TXT=$txt BENCH_COPIES=$copies_list
writer='for i in $BENCH_COPIES; do cat "$BENCH_TXT"; done'
bytes=$(( $(wc -c < "$txt") * copies ))

one() { # label command...
  label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" || true
  echo "$(cat "$work/time" | tail -n 1)" >> "$work/times.$label"
}
rm -f "$work"/times.*
i=0
while [ "$i" -lt "$runs" ]; do
  one cat sh -c "$writer | cat > /dev/null"
  one explain sh -c '"$0" sh -c "$1 >&2" 2> /dev/null' "$explain" "$writer"
  one explain-q sh -c '"$0" -q sh -c "$1 >&2" 2> /dev/null' "$explain" "$writer"
  [ -z "${BASE_EXPLAIN:-}" ] ||
    one base sh -c '"$0" sh -c "$1 >&2" 2> /dev/null' "$BASE_EXPLAIN" "$writer"
  i=$((i + 1))
done
# What the scanner kept up with: a failing run, explain's own lines kept.
"$explain" --no-probe sh -c "$writer >&2; exit 3" 2>&1 > /dev/null |
  grep -a '^explain: note: .*unscanned' > "$work/unscanned" || true
unscanned=$(cat "$work/unscanned")
mkdir -p "$here/results"
python3 - "$work" "$bytes" "$runs" "$here/results/relay.md" \
  "${BASE_EXPLAIN:-}" "$unscanned" <<'PY'
import os, statistics, sys, time
work, nbytes, runs, md, base, unscanned = sys.argv[1:]
nbytes = int(nbytes)
labels = ["cat", "explain", "explain-q"] + (["base"] if base else [])
rows = {}
for label in labels:
    t = [list(map(float, l.split())) for l in open(os.path.join(work,
         "times." + label)) if l.strip()]
    walls = [r[0] for r in t]
    rows[label] = (statistics.median(walls), min(walls), max(walls),
                   max(r[1] for r in t))
cat = rows["cat"][0]
names = {"cat": "`sh -c W \\| cat`", "explain": "`explain sh -c 'W >&2'`",
         "explain-q": "`explain -q sh -c 'W >&2'`",
         "base": "`BASE_EXPLAIN sh -c 'W >&2'` (%s)" % base}
lines = ["| command | median s | min-max s | GiB/s | vs cat | max RSS KiB |",
         "|---|---:|---:|---:|---:|---:|"]
for label in labels:
    med, lo, hi, rss = rows[label]
    lines.append("| %s | %.3f | %.3f-%.3f | %.2f | %.2f× | %d |" % (
        names[label], med, lo, hi, nbytes / med / 2**30, cat / med, rss))
for l in lines:
    print(l)
print("scanner: " + (unscanned or "kept up (nothing unscanned)"))
with open(md, "w") as f:
    f.write("# The live relay with every rule active\n\n")
    f.write("%s, %d bytes of 100-byte lines to stderr, medians of %s "
            "interleaved rounds, %d CPUs, load average %.1f at the end; "
            "written by bench/relay.sh.\n\n"
            % (time.strftime("%Y-%m-%d"), nbytes, runs, os.cpu_count(),
               os.getloadavg()[0]))
    f.write("\n".join(lines) + "\n\n")
    f.write("vs cat: cat's median time over the command's (1.00× = as fast "
            "as `| cat`; the goal is ≥ 0.8×).\n\n")
    f.write("Scanner, in one more run that fails: %s\n"
            % (unscanned or "kept up (nothing unscanned)"))
print("wrote " + md)
PY
