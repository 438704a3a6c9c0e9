#!/bin/sh
# Overhead of `explain --trace` on real work, side by side with the bare
# command, explain without --trace, and `strace -f -Z -o /dev/null` (strace
# stops at every system call; --trace only at the calls its seccomp filter
# selects). Writes a Markdown table on stdout; median of RUNS runs.
#
#   bench/trace.sh [build/explain] > bench/results/trace.md
set -eu

EXPLAIN=$(realpath "${1:-build/explain}")
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A small C project: 40 files, make -j2.
mkdir -p "$WORK/proj"
i=0
while [ $i -lt 40 ]; do
  cat > "$WORK/proj/f$i.c" <<C
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int f$i(int x) { char b[64]; snprintf(b, sizeof b, "%d", x); return (int)strlen(b) + x; }
C
  i=$((i + 1))
done
printf 'int main(void) { return 0; }\n' > "$WORK/proj/main.c"
cat > "$WORK/proj/Makefile" <<'MK'
SRCS := $(wildcard *.c)
OBJS := $(SRCS:.c=.o)
prog: $(OBJS)
	$(CC) -o $@ $(OBJS)
%.o: %.c
	$(CC) -O1 -c $< -o $@
clean:
	rm -f *.o prog
MK

# A Python script doing many file operations (and some failing lookups).
cat > "$WORK/files.py" <<'PY'
import os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
for i in range(4000):
    p = os.path.join(d, "f%d" % i)
    with open(p, "w") as f:
        f.write("x")
    os.stat(p)
    os.path.exists(p + ".missing")
    os.rename(p, p + ".r")
for i in range(4000):
    os.unlink(os.path.join(d, "f%d.r" % i))
PY

now() { date +%s.%N; }

# median of RUNS timings of "$@" (after a clean-up command in $PREP)
measure() {
  times=""
  n=0
  while [ $n -lt "$RUNS" ]; do
    sh -c "$PREP" >/dev/null 2>&1
    t0=$(now)
    "$@" >/dev/null 2>&1 || true
    t1=$(now)
    times="$times $(echo "$t1 - $t0" | bc)"
    n=$((n + 1))
  done
  echo $times | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

row() {
  name=$1
  shift
  bare=$(measure "$@")
  plain=$(measure "$EXPLAIN" -q -- "$@")
  traced=$(measure "$EXPLAIN" -q --trace -- "$@")
  st=$(measure strace -f -Z -o /dev/null "$@")
  printf '| %s | %.3f s | %.3f s (%+.0f%%) | %.3f s (%+.0f%%) | %.3f s (%+.0f%%) |\n' \
    "$name" "$bare" \
    "$plain" "$(echo "($plain / $bare - 1) * 100" | bc -l)" \
    "$traced" "$(echo "($traced / $bare - 1) * 100" | bc -l)" \
    "$st" "$(echo "($st / $bare - 1) * 100" | bc -l)"
}

echo "# explain --trace overhead"
echo
echo "$(uname -srm), $(nproc) CPUs; median of $RUNS runs; $(date -u +%Y-%m-%d)."
echo
echo "| work | bare | explain | explain --trace | strace -f -Z -o /dev/null |"
echo "|---|---|---|---|---|"
PREP="make -C $WORK/proj clean"
row "make -j2 (41 C files)" make -C "$WORK/proj" -j2
PREP="rm -rf $WORK/files"
row "python3: 4000 files created, stat'd, renamed, deleted" python3 "$WORK/files.py" "$WORK/files"
PREP="true"
row "sh: 2000 stat of missing files" sh -c 'i=0; while [ $i -lt 2000 ]; do [ -e /nonexistent/$i ]; i=$((i+1)); done'
