#!/bin/sh
# Matcher throughput versus grep -E -f over the same patterns.
#
#   cmake --build BUILD_DIR --target match_bench
#   bench/matcher.sh BUILD_DIR [SIZE_MB] [RULES_DIR]
#
# Generates SIZE_MB (default 1024) of build/CI-like log text, mostly lines
# that match nothing (some with colour escapes and \r progress), with a few
# real error lines; then runs match_bench (built in BUILD_DIR) and
# `grep -E -c -f` with the rule patterns translated to ERE. Prints MB/s and
# peak RSS of each.
set -eu
build=${1:?usage: matcher.sh BUILD_DIR [SIZE_MB] [RULES_DIR]}
size=${2:-1024}
here=$(cd "$(dirname "$0")" && pwd)
rules=${3:-$here/../rules}
bench=$build/matcher/match_bench
[ -x "$bench" ] || bench=$build/match_bench
work=${TMPDIR:-/tmp}/explain-bench
mkdir -p "$work"
log=$work/log-$size.txt

if [ ! -s "$log" ]; then
  python3 - "$log" "$size" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
rnd = random.Random(42)
words = ("the of and to in is for on that with as at by from build test "
         "module package install compile link object source target debug "
         "info warning note running finished done ok cache layer step").split()
files = ["src/%s/%s.c" % (rnd.choice(["core", "net", "io", "util"]), w)
         for w in words]
def line():
    r = rnd.random()
    if r < 0.25:
        return "gcc -O2 -Wall -c %s -o %s.o" % (rnd.choice(files), rnd.choice(words))
    if r < 0.45:
        return "2024-05-%02d %02d:%02d:%02d INFO [%s] %s" % (
            rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59),
            rnd.randint(0, 59), rnd.choice(words),
            " ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14))))
    if r < 0.55:
        return "\x1b[32mPASSED\x1b[0m tests/test_%s.py::test_%s_%d" % (
            rnd.choice(words), rnd.choice(words), rnd.randint(0, 999))
    if r < 0.60:
        return "Downloading %s-%d.%d.tar.gz 10%%\r50%%\r100%%" % (
            rnd.choice(words), rnd.randint(0, 9), rnd.randint(0, 9))
    if r < 0.62:
        return "  File \"/home/ci/%s.py\", line %d, in %s" % (
            rnd.choice(words), rnd.randint(1, 999), rnd.choice(words))
    if r < 0.99999:
        return " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 20)))
    return rnd.choice([
        "PermissionError: [Errno 13] Permission denied: '/data/out.csv'",
        "bash: ./deploy.sh: Permission denied",
        "make: *** [Makefile:12: all] Error 1",
        "cp: cannot create regular file '/etc/motd': Permission denied",
        "fatal: detected dubious ownership in repository at '/src'",
    ])
block = "\n".join(line() for _ in range(200000)).encode() + b"\n"
with open(path, "wb") as f:
    written = 0
    while written < size:
        f.write(block)
        written += len(block)
PY
fi

# Patterns: every rule pattern, translated to ERE for grep (patterns with
# no ERE equivalent are left out of grep's list, which only helps grep).
python3 - "$rules" > "$work/patterns.ere" <<'PY'
import json, os, re, sys
d = sys.argv[1]
paths = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".json")] \
    if os.path.isdir(d) else [d]
OUT = {"d": "[0-9]", "s": "[[:space:]]", "S": "[^[:space:]]",
       "w": "[[:alnum:]_]", "W": "[^[:alnum:]_]", "D": "[^0-9]"}
IN = {"d": "0-9", "s": "[:space:]", "w": "[:alnum:]_"}
def ere(s):
    s = re.sub(r"\(\?<\w+>", "(", s).replace("(?:", "(")
    if s.startswith("(?i)"):
        s = s[4:]
    if re.search(r"\(\?|\\[pPxQEKhRADSWzZG]|[+*?}]\?|[+*?}]\+", s):
        return None
    out, i, br = [], 0, False
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            x = s[i + 1]
            if br:
                if x == "]" or (x in "SWD"):
                    return None
                out.append(IN.get(x, x))
            else:
                out.append(OUT.get(x, c + x))
            i += 2
            continue
        if br and c == "]" and out and out[-1] not in ("[", "[^"):
            br = False
        elif not br and c == "[":
            br = True
            if s[i + 1:i + 2] == "^":
                out.append("[^"); i += 2
                if s[i:i + 1] == "]":
                    out.append("]"); i += 1
                continue
        out.append(c)
        i += 1
    return "".join(out)
for p in paths:
    for r in json.load(open(p)).get("rules", []):
        for pat in r["patterns"]:
            e = ere(pat if isinstance(pat, str) else pat["regex"])
            if e is not None:
                print(e)
PY
echo "patterns for grep: $(wc -l < "$work/patterns.ere")"
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null
runs=${RUNS:-3}

# The machine may be shared: runs are interleaved and the best of $runs is
# kept for each tool (wall time, CPU time, max RSS).
one() { # label command...
  label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" \
    > "$work/out.$label" 2> "$work/err.$label" || true
  tail -n 1 "$work/time" >> "$work/times.$label"
}
rm -f "$work"/times.*
i=0
while [ "$i" -lt "$runs" ]; do
  one explain "$bench" "$rules" -- "$log"
  one grep-C env LC_ALL=C grep -E -c -f "$work/patterns.ere" "$log"
  one grep-utf8 env LC_ALL=C.UTF-8 grep -E -c -f "$work/patterns.ere" "$log"
  i=$((i + 1))
done
for label in explain grep-C grep-utf8; do
  python3 - "$bytes" "$label" "$work/times.$label" <<'PY'
import sys
nbytes, label, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [list(map(float, l.split())) for l in open(path) if l.strip()]
wall = min(r[0] for r in rows); cpu = min(r[1] + r[2] for r in rows)
rss = max(r[3] for r in rows)
print("%-10s best wall %.2fs = %4.0f MB/s; best CPU %.2fs = %4.0f MB/s; "
      "max RSS %d KiB" % (label, wall, nbytes / 1e6 / wall, cpu,
                          nbytes / 1e6 / cpu, rss))
PY
done
tail -n 1 "$work/err.explain"
echo "grep matching lines: $(cat "$work/out.grep-C")"
