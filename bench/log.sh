#!/bin/sh
# `explain --log` throughput versus `grep -E -c -f` over the same patterns,
# and `cat` as the floor.
#
#   bench/log.sh [--quick] [--runs N] [BUILD_DIR] [SIZE_MB]
#
# BUILD_DIR (default build/ of the source tree) must hold a built `explain`;
# a number is taken as SIZE_MB (either order).
# Generates SIZE_MB (default 1024; 128 with --quick) of build/CI-like log
# text once, cached in ${TMPDIR:-/tmp}/explain-bench: compiler command
# lines, timestamped INFO lines, PASSED lines with colour escapes, \r
# progress, Python traceback frames, word salad, and about one real error
# line in 100000. Then runs, interleaved, best of N (default 3; 1 with
# --quick):
#
#   explain --log FILE                      (the real binary, exit 0)
#   grep -E -c -f patterns.ere SLICE        (LC_ALL=C and C.UTF-8; SLICE
#                                            is the first GREP_MB MiB of
#                                            FILE, default 4: with a thousand
#                                            patterns grep runs at well under
#                                            1 MB/s)
#   rg --no-config -c -f patterns.rg FILE   (ripgrep, when installed:
#                                            apt-get install ripgrep)
#   BASE_EXPLAIN --log FILE                 (when set: another binary, the
#                                            one before a change)
#   cat FILE > /dev/null
#
# patterns.ere is every rule pattern translated to POSIX ERE. Lookarounds
# are dropped (grep then matches a superset, never less work), lazy and
# possessive quantifiers become greedy, (?i) becomes [xX] classes; a
# pattern with no ERE form is left out and counted; patterns.rg is the same
# ERE with ripgrep's escapes in bracket expressions. Before timing, a small
# seeded file checks that grep and explain both find the seeded errors.
#
# Prints MB/s (wall and CPU; best and median) and max RSS per tool and
# writes a Markdown table to bench/results/log.md. On a shared machine
# wall time follows the load: CPU time (user + sys) is the steadier
# figure. Installs nothing; needs python3 and /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
quick=0
runs=
size=
build=
while [ $# -gt 0 ]; do
  case $1 in
  --quick) quick=1 ;;
  --runs) runs=$2; shift ;;
  -h | --help) sed -n "2,38p" "$0"; exit 0 ;;
  -*) echo "log.sh: unknown option $1" >&2; exit 2 ;;
  *[!0-9]*) build=$1 ;;
  *) size=$1 ;;
  esac
  shift
done
build=${build:-$root/build}
if [ "$quick" = 1 ]; then size=${size:-128}; runs=${runs:-1}; else
  size=${size:-1024}; runs=${runs:-3}; fi
explain=$build/explain
[ -x "$explain" ] || { echo "log.sh: no $explain (build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "log.sh: needs /usr/bin/time" >&2; exit 2; }
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" \
  2> /dev/null || true)
case $btype in
Release | RelWithDebInfo | MinSizeRel) ;;
*) echo "log.sh: warning: $build is a '${btype:-?}' build (unoptimised:" \
  "configure with -DCMAKE_BUILD_TYPE=RelWithDebInfo to measure)" >&2 ;;
esac
work=${TMPDIR:-/tmp}/explain-bench
mkdir -p "$work"
log=$work/log-$size.txt
seeded=$work/seeded-2.txt
# The machine may be shared; rules come from the source tree only.
export EXPLAIN_RULES_PATH=
export XDG_CONFIG_HOME=$work/no-config

# --- the log -----------------------------------------------------------
if [ ! -s "$log" ] || [ ! -s "$seeded" ]; then
  [ -s "$log" ] || echo "generating $size MiB of log text in $log"
  python3 - "$log" "$size" "$seeded" <<'PY'
import os, random, sys
path, size, seeded = sys.argv[1], int(sys.argv[2]) << 20, sys.argv[3]
rnd = random.Random(42)
words = ("the of and to in is for on that with as at by from build test "
         "module package install compile link object source target debug "
         "info warning note running finished done ok cache layer step").split()
files = ["src/%s/%s.c" % (rnd.choice(["core", "net", "io", "util"]), w)
         for w in words]
ERRORS = [
    "PermissionError: [Errno 13] Permission denied: '/data/out.csv'",
    "bash: ./deploy.sh: Permission denied",
    "make: *** [Makefile:12: all] Error 1",
    "cp: cannot create regular file '/etc/motd': Permission denied",
    "fatal: detected dubious ownership in repository at '/src'",
]
def salad(lo, hi):
    return " ".join(rnd.choice(words) for _ in range(rnd.randint(lo, hi)))
def line():
    r = rnd.random()
    if r < 0.25:
        return "gcc -O2 -Wall -c %s -o %s.o" % (rnd.choice(files),
                                               rnd.choice(words))
    if r < 0.45:
        return "2024-05-%02d %02d:%02d:%02d INFO [%s] %s" % (
            rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59),
            rnd.randint(0, 59), rnd.choice(words), salad(4, 14))
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
        return salad(3, 20)
    return rnd.choice(ERRORS)
# A 200000-line block (about 14 MB) repeated: generation stays fast.
block = "\n".join(line() for _ in range(200000)).encode() + b"\n"
with open(path if not os.path.exists(path) else os.devnull, "wb") as f:
    written = 0
    while written < size:
        f.write(block)
        written += len(block)
if not os.path.exists(seeded):
    with open(seeded, "wb") as f:
        for i in range(1000):
            f.write((salad(3, 20) + "\n").encode())
            if i % 200 == 100:
                f.write((ERRORS[(i // 200) % len(ERRORS)] + "\n").encode())
PY
fi

# --- the patterns, in ERE ----------------------------------------------
python3 - "$root/rules" "$work/patterns.ere" "$work/patterns.rg" <<'PY'
import json, os, sys
rules, out, out_rg = sys.argv[1], sys.argv[2], sys.argv[3]

class Unsupported(Exception):
    pass

SPECIAL = set(".[]()*+?{}|^$\\")
OUT = {"d": "[0-9]", "D": "[^0-9]", "s": "[[:space:]]", "S": "[^[:space:]]",
       "w": "[[:alnum:]_]", "W": "[^[:alnum:]_]", "h": "[[:blank:]]"}
IN = {"d": ["[:digit:]"], "s": ["[:space:]"], "w": ["[:alnum:]", "_"],
      "h": ["[:blank:]"]}
CTRL = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "e": "\x1b", "a": "\x07"}

class Translator:
    """PCRE2 -> POSIX ERE (GNU grep), or Unsupported."""
    def __init__(self, s):
        self.s, self.i, self.approx = s, 0, False

    def peek(self, k=0):
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def lit(self, c, caseless):
        if caseless and c.isalpha():
            return "[%s%s]" % (c.lower(), c.upper())
        return "\\" + c if c in SPECIAL else c

    def cls(self, caseless):
        # self.i is after '['.
        neg = self.peek() == "^"
        if neg:
            self.i += 1
        chars, named, ranges, first = set(), [], [], True
        while True:
            c = self.peek()
            if c == "":
                raise Unsupported("unterminated class")
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[" and self.peek(1) == ":":
                end = self.s.index(":]", self.i) + 2
                named.append(self.s[self.i:end])
                self.i = end
                continue
            if c == "\\":
                x = self.peek(1)
                self.i += 2
                if x in IN:
                    named += IN[x]
                    continue
                if x.isalnum() and x not in CTRL:
                    raise Unsupported("\\" + x + " in a class")
                c = CTRL.get(x, x)
                if c == "\n":
                    continue  # no line holds one; it would split the file
            else:
                self.i += 1
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                hi = self.peek()
                if hi == "\\":
                    hi = self.peek(1)
                    self.i += 1
                self.i += 1
                ranges.append((c, hi))
                continue
            chars.add(c)
        if caseless:
            for c in list(chars):
                chars.add(c.lower()); chars.add(c.upper())
            for lo, hi in list(ranges):
                if lo.isalpha() and hi.isalpha():
                    ranges.append((lo.swapcase(), hi.swapcase()))
        body = "".join(named) + "".join("%s-%s" % r for r in ranges)
        plain = sorted(chars - set("]^-["))
        body = ("]" if "]" in chars else "") + body + "".join(plain)
        if "^" in chars:
            body += "^"
        if "[" in chars:
            body += "["
        if "-" in chars:
            body += "-"
        if body == "^":  # [^] alone would mean something else
            body = "\\^"
        return "[" + ("^" if neg else "") + body + "]"

    def quant(self):
        c = self.peek()
        q = ""
        if c in ("*", "+", "?"):
            q = c
            self.i += 1
        elif c == "{":
            j = self.s.find("}", self.i)
            body = self.s[self.i + 1:j] if j > 0 else ""
            if j > 0 and body and all(ch.isdigit() or ch == "," for ch in body) \
                    and body[0].isdigit():
                q = self.s[self.i:j + 1]
                self.i = j + 1
        if q and self.peek() in ("?", "+"):
            self.i += 1  # lazy or possessive: same lines match
        return q

    def alt(self, caseless):
        parts = [self.seq(caseless)]
        while self.peek() == "|":
            self.i += 1
            parts.append(self.seq(caseless))
        return "|".join(parts)

    def group(self, caseless):
        # self.i is after '('; returns (text, is_atom).
        drop = False
        if self.peek() == "?":
            self.i += 1
            c = self.peek()
            if c in (":", "|", ">"):
                self.i += 1
            elif c in ("=", "!"):
                self.i += 1
                drop = True
            elif c == "<" and self.peek(1) in ("=", "!"):
                self.i += 2
                drop = True
            elif c == "<" or c == "'" or (c == "P" and self.peek(1) == "<"):
                close = ">" if c != "'" else "'"
                self.i = self.s.index(close, self.i + 1) + 1
            elif c == "#":
                self.i = self.s.index(")", self.i) + 1
                return "", False
            else:
                on, flags = True, ""
                while self.peek() not in (")", ":", ""):
                    f = self.peek()
                    if f == "-":
                        on = False
                    elif f == "i":
                        caseless = on
                    elif f not in "msnU":
                        raise Unsupported("(?" + f)
                    self.i += 1
                if self.peek() == ")":
                    self.i += 1
                    return None, caseless  # flags for the rest
                self.i += 1
        inner = self.alt(caseless)
        if self.peek() != ")":
            raise Unsupported("unbalanced")
        self.i += 1
        if drop:
            self.approx = True
            self.quant()
            return "", False
        return "(" + inner + ")", True

    def seq(self, caseless):
        out = []
        while self.peek() not in ("", "|", ")"):
            c = self.peek()
            self.i += 1
            if c == "(":
                text, atom = self.group(caseless)
                if text is None:
                    caseless = atom
                    continue
                if not atom:
                    continue
            elif c == "[":
                text = self.cls(caseless)
            elif c == "\\":
                x = self.peek()
                self.i += 1
                if x in OUT:
                    text = OUT[x]
                elif x in ("b", "B"):
                    text = "\\" + x
                elif x == "A":
                    text = "^"
                elif x in ("z", "Z"):
                    text = "$"
                elif x in CTRL:
                    text = CTRL[x]
                elif x.isalnum():
                    raise Unsupported("\\" + x)
                else:
                    text = self.lit(x, caseless)
            elif c in ".^$":
                text = c
            elif c in "*+?":
                raise Unsupported("quantifier without atom")
            elif c == "{":
                text = "\\{"
            else:
                text = self.lit(c, caseless)
            out.append(text + self.quant())
        return "".join(out)

def translate(p):
    t = Translator(p)
    caseless = False
    if p.startswith("(?i)"):
        t.i, caseless = 4, True
    e = t.alt(caseless)
    if t.i != len(p):
        raise Unsupported("trailing " + p[t.i:])
    return e, t.approx

paths = sorted(os.path.join(rules, f) for f in os.listdir(rules)
               if f.endswith(".json"))
total = approx = skipped = 0
with open(out, "w") as f:
    for path in paths:
        for r in json.load(open(path)).get("rules", []):
            for pat in r.get("patterns", []):
                total += 1
                src = pat if isinstance(pat, str) else pat["regex"]
                try:
                    e, a = translate(src)
                except (Unsupported, ValueError) as ex:
                    skipped += 1
                    continue
                approx += a
                f.write(e + "\n")
print("patterns: %d; for grep: %d (%d with lookarounds dropped), "
      "left out: %d" % (total, total - skipped, approx, skipped))

def ere_to_rg(p):
    """The same ERE for ripgrep: inside a bracket expression a leading ']'
    and a '[' that opens no [:class:] are literal in ERE and escaped for
    ripgrep, and so is a backslash there; outside one, a backslash before a
    non-ASCII character is dropped."""
    out, i, n = [], 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\" and i + 1 < n:
            out.append(p[i + 1] if ord(p[i + 1]) > 127 else p[i:i + 2])
            i += 2
            continue
        out.append(c)
        i += 1
        if c != "[":
            continue
        if i < n and p[i] == "^":
            out.append("^")
            i += 1
        if i < n and p[i] == "]":
            out.append("\\]")
            i += 1
        while i < n and p[i] != "]":
            if p.startswith("[:", i):
                j = p.index(":]", i) + 2
                out.append(p[i:j])
                i = j
            elif p[i] == "[":
                out.append("\\[")
                i += 1
            elif p[i] == "\\":
                out.append("\\\\")  # literal in ERE, an escape in ripgrep
                i += 1
            else:
                out.append(p[i])
                i += 1
    return "".join(out)

with open(out) as f, open(out_rg, "w") as g:
    for line in f:
        g.write(ere_to_rg(line.rstrip("\n")) + "\n")
PY
rg=$(command -v rg || true)
[ -n "$rg" ] || echo "log.sh: no ripgrep (apt-get install ripgrep): its row is left out" >&2
LC_ALL=C grep -E -c -f "$work/patterns.ere" /dev/null > /dev/null 2> "$work/grep.err" ||
  [ ! -s "$work/grep.err" ] || { cat "$work/grep.err" >&2; exit 1; }

# --- sanity check on the seeded file -----------------------------------
findings() { # file: total findings of explain --log (counts, folded too)
  "$explain" --format json --log "$1" 2> /dev/null | python3 -c '
import json, sys
def n(d): return d.get("count", 1) + sum(n(c) for c in d.get("folded") or [])
print(sum(n(d) for d in json.load(sys.stdin)["diagnoses"]))' || echo "?"
}
seeded_lines=$(grep -c -e 'Permission denied' -e 'Error 1' -e 'dubious' "$seeded")
seeded_grep=$(LC_ALL=C grep -E -c -f "$work/patterns.ere" "$seeded" || true)
seeded_explain=$(findings "$seeded")
echo "seeded file: $seeded_lines error lines; grep matches $seeded_grep lines;" \
  "explain finds $seeded_explain"

# --- timing ------------------------------------------------------------
bytes=$(wc -c < "$log")
slice=$work/slice-${GREP_MB:=4}.txt
[ -s "$slice" ] || head -c "$((GREP_MB << 20))" "$log" > "$slice"
slice_bytes=$(wc -c < "$slice")
cat "$log" "$slice" > /dev/null # into the page cache
one() { # label command...
  label=$1; shift
  rc=0
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" \
    > "$work/out.$label" 2> "$work/err.$label" || rc=$?
  echo "$(tail -n 1 "$work/time") $rc" >> "$work/times.$label"
}
rm -f "$work"/times.*
i=0
while [ "$i" -lt "$runs" ]; do
  one explain "$explain" --log "$log"
  one grep-C env LC_ALL=C grep -E -c -f "$work/patterns.ere" "$slice"
  one grep-UTF-8 env LC_ALL=C.UTF-8 grep -E -c -f "$work/patterns.ere" "$slice"
  [ -z "$rg" ] || one rg "$rg" --no-config -c -f "$work/patterns.rg" "$log"
  [ -z "${BASE_EXPLAIN:-}" ] || one base "$BASE_EXPLAIN" --log "$log"
  one cat sh -c 'cat "$1" > /dev/null' sh "$log"
  i=$((i + 1))
done
big_grep=$(cat "$work/out.rg" 2> /dev/null || echo "?")
big_explain=$(findings "$log")
slice_grep=$(cat "$work/out.grep-C")
slice_explain=$(findings "$slice")
mkdir -p "$here/results"
python3 - "$bytes" "$work" "$here/results/log.md" "$size" "$runs" \
  "$seeded_lines" "$seeded_grep" "$seeded_explain" "$big_grep" \
  "$big_explain" "${btype:-?}" "$slice_bytes" "$slice_grep" \
  "$slice_explain" <<'PY'
import os, sys, time
(nbytes, work, md, size, runs, s_lines, s_grep, s_explain, b_grep,
 b_explain, btype, sbytes, sl_grep, sl_explain) = sys.argv[1:]
nbytes = int(nbytes)
sbytes = int(sbytes)
rows = []
import statistics


def rate(n, secs):
    """MB/s, with decimals where grep's rate is below 10."""
    v = n / 1e6 / max(secs, 1e-3)
    return "%.0f" % v if v >= 10 else "%.2f" % v


for label in ("explain", "base", "grep-C", "grep-UTF-8", "rg", "cat"):
    if not os.path.exists(os.path.join(work, "times." + label)):
        continue
    t = [list(map(float, l.split()))
         for l in open(os.path.join(work, "times." + label)) if l.strip()]
    wall = min(r[0] for r in t)
    cpu = min(r[1] + r[2] for r in t)
    mwall = statistics.median(r[0] for r in t)
    mcpu = statistics.median(r[1] + r[2] for r in t)
    rss = max(r[3] for r in t)
    bad = sorted({int(r[4]) for r in t if label not in ("grep-C",
                  "grep-UTF-8", "rg") and r[4] != 0})
    n = sbytes if label.startswith("grep") else nbytes
    rows.append((label, wall, cpu, rss, bad, mwall, mcpu, n))
    print("%-11s best wall %6.2fs = %5s MB/s; best CPU %6.2fs = %5s MB/s;"
          " medians %5s / %5s MB/s; max RSS %6d KiB%s" % (
              label, wall, rate(n, wall), cpu, rate(n, cpu),
              rate(n, mwall), rate(n, mcpu), rss,
              "  EXIT %s" % bad if bad else ""))
print("matches on the big file: ripgrep %s lines, explain %s findings; on "
      "grep's slice: grep %s lines, explain %s findings"
      % (b_grep, b_explain, sl_grep, sl_explain))
cmd = {"explain": "`explain --log FILE`",
       "grep-C": "`LC_ALL=C grep -E -c -f patterns.ere SLICE`",
       "grep-UTF-8": "`LC_ALL=C.UTF-8 grep -E -c -f patterns.ere SLICE`",
       "rg": "`rg --no-config -c -f patterns.rg FILE` (ripgrep)",
       "base": "`BASE_EXPLAIN --log FILE`",
       "cat": "`cat FILE > /dev/null`"}
with open(md, "w") as f:
    f.write("# `explain --log` versus grep and ripgrep\n\n")
    f.write("%s, %s MiB of generated log (%d bytes), best and median of %s "
            "interleaved runs, %d CPUs, load average %.1f at the end, "
            "explain built %s; written by bench/log.sh.\n\n"
            % (time.strftime("%Y-%m-%d"), size, nbytes, runs, os.cpu_count(),
               os.getloadavg()[0], btype))
    f.write("grep reads SLICE, the first %d bytes of the same log: with "
            "this many patterns it is too slow for the whole file; its MB/s "
            "are of the slice.\n\n" % sbytes)
    f.write("| tool | wall s | MB/s (wall) | CPU s | MB/s (CPU) | "
            "median MB/s (wall, CPU) | max RSS KiB |\n")
    f.write("|---|---:|---:|---:|---:|---:|---:|\n")
    for label, wall, cpu, rss, bad, mwall, mcpu, n in rows:
        f.write("| %s | %.2f | %s | %.2f | %s | %s, %s | %d |\n"
                % (cmd[label], wall, rate(n, wall), cpu, rate(n, cpu),
                   rate(n, mwall), rate(n, mcpu), rss))
    f.write("\nSeeded check: %s error lines; grep matched %s lines, explain "
            "found %s.\nBig file: ripgrep matched %s lines, explain found %s "
            "(repeats of one error merge into one finding, up to its count); "
            "grep's slice: grep matched %s lines, explain found %s.\n"
            % (s_lines, s_grep, s_explain, b_grep, b_explain, sl_grep,
               sl_explain))
print("wrote " + md)
PY
