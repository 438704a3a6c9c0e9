#!/usr/bin/env bash
# Launcher benchmarks for explain, side by side with the baselines it should
# stand comparison with:
#
#   1. start-up:   `explain true`  vs  `true`  vs  `tini -s -- true`, with
#                  hyperfine (each command's runs in a row) and run by run
#                  in turn (bench/interleave.c: drift falls on all alike)
#   2. throughput: 1 GiB through explain's stderr relay vs through `cat`,
#                  once as zeros and once as log-like text
#   3. peak RSS:   explain relaying 1 MiB vs 1 GiB of stderr
#
# Usage: bench/launcher.sh [--quick]
#   EXPLAIN=/path/to/explain   binary to measure (default: <repo>/build/explain)
#   BENCH_RAW_DIR=/some/dir    where hyperfine's JSON/CSV/Markdown go
#                              (default: a new directory under $TMPDIR, kept)
#
# Runs as root on a fresh Debian 12: installs hyperfine, tini and time with
# apt-get when they are missing (the only network use). Prints a Markdown
# summary and writes it, with the raw hyperfine tables, to
# bench/results/launcher.md.
set -euo pipefail

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "launcher.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXPLAIN=${EXPLAIN:-$ROOT/build/explain}
if [[ ! -x $EXPLAIN ]]; then
  echo "launcher.sh: no explain binary at $EXPLAIN" >&2
  echo "  build it: cmake -S $ROOT -B $ROOT/build -DEXPLAIN_TESTS=OFF && cmake --build $ROOT/build -j2" >&2
  echo "  or point EXPLAIN at one" >&2
  exit 1
fi
EXPLAIN=$(cd "$(dirname "$EXPLAIN")" && pwd)/$(basename "$EXPLAIN")
export EXPLAIN

RESULTS_DIR=$ROOT/bench/results
RESULTS_MD=$RESULTS_DIR/launcher.md

# ---- tools ---------------------------------------------------------------

need_pkgs=()
command -v hyperfine >/dev/null 2>&1 || need_pkgs+=(hyperfine)
command -v tini >/dev/null 2>&1 || need_pkgs+=(tini)
[[ -x /usr/bin/time ]] || need_pkgs+=(time)
if ((${#need_pkgs[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "launcher.sh: missing ${need_pkgs[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "== installing ${need_pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
TINI=$(command -v tini)
for t in awk head cat sh seq cc; do
  command -v "$t" >/dev/null 2>&1 || { echo "launcher.sh: needs $t" >&2; exit 1; }
done

# ---- scratch and raw output ----------------------------------------------

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/explain-bench.XXXXXX")
cleanup() { rm -rf -- "$SCRATCH"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
RAW=${BENCH_RAW_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/explain-bench-raw.XXXXXX")}
mkdir -p "$RAW" "$RESULTS_DIR"

if ((QUICK)); then
  START_WARMUP=20; START_RUNS=300; START_ROUNDS=1
  TP_WARMUP=1; TP_RUNS=3
  RSS_REPS=1
else
  START_WARMUP=100; START_RUNS=3000; START_ROUNDS=3
  TP_WARMUP=2; TP_RUNS=15
  RSS_REPS=3
fi

GIB=1073741824
MIB=1048576
TEXT_BYTES=$((64 * MIB))
TEXT_COPIES=16 # 16 x 64 MiB = 1 GiB
export BENCH_TXT=$SCRATCH/log.txt
export BENCH_COPIES
BENCH_COPIES=$(seq -s ' ' 1 "$TEXT_COPIES")

log() { printf '== %s\n' "$*" >&2; }

# hyperfine's CSV (named commands, so no quoting issues): prints
# "mean stddev" in seconds for the command called $2.
csv_stat() {
  awk -F, -v name="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["command"] == name { print $col["mean"], $col["stddev"]; found = 1 }
    END { if (!found) exit 1 }' "$1"
}

calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# ---- sanity --------------------------------------------------------------

log "explain: $EXPLAIN ($("$EXPLAIN" --version 2>/dev/null || echo '?'))"
got=$("$EXPLAIN" sh -c 'echo probe >&2; exit 7' 2>&1 >/dev/null) && rc=0 || rc=$?
if [[ $got != probe || $rc -ne 7 ]]; then
  echo "launcher.sh: $EXPLAIN does not relay stderr / exit status (got '$got', rc $rc)" >&2
  exit 1
fi

log "generating ${TEXT_BYTES} bytes of log-like text"
# Deterministic, varied lines: timestamps, levels, components, paths, numbers,
# the odd warning/error and stack trace. Padded to exactly TEXT_BYTES.
awk -v target="$TEXT_BYTES" 'BEGIN {
  srand(42)
  nlv = split("DEBUG INFO INFO INFO INFO WARN ERROR", lv, " ")
  nco = split("http.server db.pool cache scheduler auth worker[3] grpc kafka.consumer", co, " ")
  nms = split("request completed|connection acquired|cache miss for key|job finished|token refreshed|retrying after timeout|slow query detected|could not open file|connection reset by peer|permission denied", ms, "|")
  bytes = 0; s = 1700000000
  while (bytes < target - 256) {
    s += int(rand() * 3)
    l = lv[1 + int(rand() * nlv)]
    line = sprintf("2024-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s [%s] %s id=%08x path=/srv/app/%s/%d.json latency_ms=%d user=u%05d",
      1 + int(s / 2592000) % 12, 1 + int(s / 86400) % 28, int(s / 3600) % 24,
      int(s / 60) % 60, s % 60, int(rand() * 1000), l, co[1 + int(rand() * nco)],
      ms[1 + int(rand() * nms)], int(rand() * 2147483647),
      co[1 + int(rand() * nco)], int(rand() * 100000), int(rand() * 5000),
      int(rand() * 100000))
    print line; bytes += length(line) + 1
    if (l == "ERROR" && rand() < 0.3) {
      for (k = 0; k < 4 && bytes < target - 256; k++) {
        line = sprintf("    at com.example.%s.handle(%s.java:%d)", co[1 + int(rand() * nco)], ms[1 + int(rand() * nms)], int(rand() * 900))
        print line; bytes += length(line) + 1
      }
    }
  }
  pad = target - bytes - 1
  line = "--- end of sample"
  while (length(line) < pad) line = line "-"
  print substr(line, 1, pad)
}' >"$BENCH_TXT"
size=$(wc -c <"$BENCH_TXT")
if [[ $size -ne $TEXT_BYTES ]]; then
  echo "launcher.sh: text sample is $size bytes, expected $TEXT_BYTES" >&2
  exit 1
fi

log "checking that explain relays all of 1 GiB"
n=$("$EXPLAIN" sh -c "head -c $GIB /dev/zero >&2" 2>&1 >/dev/null | wc -c)
[[ $n -eq $GIB ]] || { echo "launcher.sh: explain relayed $n of $GIB bytes (zeros)" >&2; exit 1; }
n=$("$EXPLAIN" sh -c 'for i in $BENCH_COPIES; do cat "$BENCH_TXT"; done >&2' 2>&1 >/dev/null | wc -c)
[[ $n -eq $GIB ]] || { echo "launcher.sh: explain relayed $n of $GIB bytes (text)" >&2; exit 1; }

# ---- 1. start-up -----------------------------------------------------------

# Several rounds with the order rotated, so that drift on a shared machine
# (other jobs, frequency changes) does not favour whichever command runs first.
log "start-up: explain true / true / tini -s -- true ($START_ROUNDS x $((START_RUNS / START_ROUNDS)) runs)"
rm -f "$RAW"/startup-*
st_names=('true' 'explain true' 'tini -s -- true')
st_cmds=('true' "$EXPLAIN true" "$TINI -s -- true")
for ((r = 0; r < START_ROUNDS; r++)); do
  args=()
  for ((k = 0; k < 3; k++)); do
    j=$(((k + r) % 3))
    args+=(-n "${st_names[j]}" "${st_cmds[j]}")
  done
  hyperfine -N --style basic --warmup "$START_WARMUP" --runs "$((START_RUNS / START_ROUNDS))" \
    --export-json "$RAW/startup-$r.json" --export-csv "$RAW/startup-$r.csv" \
    --export-markdown "$RAW/startup-$r.md" "${args[@]}" >&2
done

# Pools the rounds (equal sizes): mean of the means; variance = mean of the
# variances + variance of the means.
startup_stat() {
  local f
  for f in "$RAW"/startup-*.csv; do csv_stat "$f" "$1"; done |
    awk '{ m[NR] = $1; v += $2 * $2; s += $1 }
      END { mu = s / NR; for (i = 1; i <= NR; i++) d += (m[i] - mu) ^ 2
            printf "%.9f %.9f\n", mu, sqrt(v / NR + d / NR) }'
}
read -r st_true_m st_true_s < <(startup_stat 'true')
read -r st_ex_m st_ex_s < <(startup_stat 'explain true')
read -r st_ti_m st_ti_s < <(startup_stat 'tini -s -- true')

# The same three, run by run in turn: hyperfine's rounds are minutes apart,
# and a shared machine drifts by more than the difference measured here.
log "start-up, run by run: explain true / true / tini -s -- true ($START_RUNS runs each)"
cc -O2 -o "$SCRATCH/interleave" "$ROOT/bench/interleave.c"
"$SCRATCH/interleave" "$START_RUNS" true ::: "$EXPLAIN" true ::: "$TINI" -s -- true \
  >"$RAW/interleave.txt"
{ read -r il_true _; read -r il_ex _; read -r il_ti _; } <"$RAW/interleave.txt"

# ---- 2. throughput ---------------------------------------------------------

throughput() { # name writer(to stdout) file-stem
  local name=$1 writer=$2 stem=$3
  log "throughput, $name ($TP_RUNS runs)"
  hyperfine --style basic --warmup "$TP_WARMUP" --runs "$TP_RUNS" \
    --export-json "$RAW/$stem.json" --export-csv "$RAW/$stem.csv" \
    --export-markdown "$RAW/$stem.md" \
    -n 'explain' "$EXPLAIN sh -c '$writer >&2' 2>/dev/null" \
    -n 'cat' "sh -c '$writer' | cat >/dev/null" \
    -n 'no relay' "sh -c '$writer' >/dev/null" >&2
}

throughput "1 GiB of zeros" "head -c $GIB /dev/zero" tp-zeros
throughput "1 GiB of log text (16 x 64 MiB)" \
  'for i in $BENCH_COPIES; do cat "$BENCH_TXT"; done' tp-text

read -r tz_ex_m tz_ex_s < <(csv_stat "$RAW/tp-zeros.csv" explain)
read -r tz_cat_m tz_cat_s < <(csv_stat "$RAW/tp-zeros.csv" cat)
read -r tz_raw_m _ < <(csv_stat "$RAW/tp-zeros.csv" 'no relay')
read -r tt_ex_m tt_ex_s < <(csv_stat "$RAW/tp-text.csv" explain)
read -r tt_cat_m tt_cat_s < <(csv_stat "$RAW/tp-text.csv" cat)
read -r tt_raw_m _ < <(csv_stat "$RAW/tp-text.csv" 'no relay')

# ---- 3. peak RSS -----------------------------------------------------------

# Largest of RSS_REPS runs, in KiB. /usr/bin/time reports the process's
# ru_maxrss, which also covers the children explain reaped (here `head`,
# ~1.6 MiB); so the command also reads explain's own VmHWM from /proc just
# before it exits (most of the data is through by then; the relay buffer is
# static). It waits a second first: the rules compile on their own thread
# from the first byte, and 1 MiB is through before they are done, so
# without the wait the small run measured a half-loaded rule set and the
# difference was the rules (about 1.1 MiB), not the amount of output.
rss_explain() { # bytes -> "time_kib own_kib"
  local bytes=$1 i t o best_t=0 best_o=0
  for ((i = 0; i < RSS_REPS; i++)); do
    /usr/bin/time -o "$SCRATCH/time.txt" -v "$EXPLAIN" sh -c \
      "head -c $bytes /dev/zero >&2; sleep 1; awk '/^VmHWM/ { print \$2 }' /proc/\$PPID/status >'$SCRATCH/hwm.txt'" \
      2>/dev/null
    t=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$SCRATCH/time.txt")
    o=$(cat "$SCRATCH/hwm.txt")
    ((t > best_t)) && best_t=$t
    ((o > best_o)) && best_o=$o
  done
  echo "$best_t $best_o"
}

rss_cat() { # bytes -> kib
  local bytes=$1 i t best=0
  for ((i = 0; i < RSS_REPS; i++)); do
    head -c "$bytes" /dev/zero | /usr/bin/time -o "$SCRATCH/time.txt" -v cat >/dev/null
    t=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$SCRATCH/time.txt")
    ((t > best)) && best=$t
  done
  echo "$best"
}

log "peak RSS: 1 MiB and 1 GiB of stderr ($RSS_REPS runs each)"
read -r rss_small_t rss_small_o < <(rss_explain "$MIB")
read -r rss_big_t rss_big_o < <(rss_explain "$GIB")
rss_cat_small=$(rss_cat "$MIB")
rss_cat_big=$(rss_cat "$GIB")
printf '%s\n' "explain 1MiB time_kib=$rss_small_t own_kib=$rss_small_o" \
  "explain 1GiB time_kib=$rss_big_t own_kib=$rss_big_o" \
  "cat 1MiB kib=$rss_cat_small" "cat 1GiB kib=$rss_cat_big" >"$RAW/rss.txt"

# ---- summary ---------------------------------------------------------------

ms() { calc '%.3f' "$1 * 1000"; }
pm() { echo "$(ms "$1") ± $(ms "$2") ms"; }
verdict() { awk "BEGIN { exit !($1) }" && echo "met" || echo "**missed**"; }

ov_ex=$(calc '%.9f' "$st_ex_m - $st_true_m")
ov_ex_s=$(calc '%.9f' "sqrt($st_ex_s^2 + $st_true_s^2)")
ov_ti=$(calc '%.9f' "$st_ti_m - $st_true_m")
ov_ti_s=$(calc '%.9f' "sqrt($st_ti_s^2 + $st_true_s^2)")
ov_ratio=$(calc '%.2f' "($ov_ti > 0) ? $ov_ex / $ov_ti : 0")
il_ov_ex=$(calc '%.1f' "$il_ex - $il_true")
il_ov_ti=$(calc '%.1f' "$il_ti - $il_true")
il_ratio=$(calc '%.3f' "($il_ov_ti > 0) ? $il_ov_ex / $il_ov_ti : 0")

gibs() { calc '%.2f' "1 / $1"; } # 1 GiB per run
gibs_pm() { calc '%.2f ± %.2f GiB/s' "1 / $1, $2 / ($1 * $1)"; }
tz_ratio=$(calc '%.2f' "$tz_cat_m / $tz_ex_m")
tt_ratio=$(calc '%.2f' "$tt_cat_m / $tt_ex_m")

mib() { calc '%.2f' "$1 / 1024"; }
rss_growth=$((rss_big_t - rss_small_t))
rss_own_growth=$((rss_big_o - rss_small_o))

summary() {
  echo "| benchmark | explain | baseline | ratio | goal |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| start-up: \`explain true\` vs \`true\` | $(pm "$st_ex_m" "$st_ex_s") | $(pm "$st_true_m" "$st_true_s") | $(calc '%.2f×' "$st_ex_m / $st_true_m") | — |"
  echo "| start-up: \`explain true\` vs \`tini -s -- true\` | $(pm "$st_ex_m" "$st_ex_s") | $(pm "$st_ti_m" "$st_ti_s") | $(calc '%.2f×' "$st_ex_m / $st_ti_m") | — |"
  echo "| start-up overhead over bare exec (explain vs tini), hyperfine means | +$(pm "$ov_ex" "$ov_ex_s") | +$(pm "$ov_ti" "$ov_ti_s") | ${ov_ratio}× | (rounds drift: see the next line) |"
  echo "| start-up overhead over bare exec (explain vs tini), run by run, medians | +$(calc '%.3f' "$il_ov_ex / 1000") ms | +$(calc '%.3f' "$il_ov_ti / 1000") ms | ${il_ratio}× | ≤ 1.15× tini's overhead: $(verdict "$il_ov_ex <= 1.15 * $il_ov_ti") |"
  echo "| throughput, 1 GiB zeros → stderr (vs cat) | $(gibs_pm "$tz_ex_m" "$tz_ex_s") | $(gibs_pm "$tz_cat_m" "$tz_cat_s") | ${tz_ratio}× | ≥ 0.8× cat: $(verdict "$tz_ratio >= 0.8") |"
  echo "| throughput, 1 GiB log text → stderr (vs cat) | $(gibs_pm "$tt_ex_m" "$tt_ex_s") | $(gibs_pm "$tt_cat_m" "$tt_cat_s") | ${tt_ratio}× | ≥ 0.8× cat: $(verdict "$tt_ratio >= 0.8") |"
  echo "| peak RSS, 1 MiB of stderr (vs \`cat\`) | $(mib "$rss_small_t") MiB (own $(mib "$rss_small_o")) | $(mib "$rss_cat_small") MiB | $(calc '%.2f×' "$rss_small_t / $rss_cat_small") | ≤ 8 MiB: $(verdict "$rss_small_t <= 8192") |"
  echo "| peak RSS, 1 GiB of stderr (vs explain at 1 MiB) | $(mib "$rss_big_t") MiB (own $(mib "$rss_big_o")) | $(mib "$rss_small_t") MiB (own $(mib "$rss_small_o")) | $(calc '%.2f×' "$rss_big_t / $rss_small_t") | ≤ 8 MiB and flat (growth $((rss_growth)) KiB, own $((rss_own_growth)) KiB; ≤ 1024): $(verdict "$rss_big_t <= 8192 && $rss_growth <= 1024 && $rss_own_growth <= 1024") |"
}

rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | head -1)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?')

{
  echo "# Launcher benchmarks"
  echo
  echo "Produced by \`bench/launcher.sh$( ((QUICK)) && echo ' --quick')\` on $(date -u +%Y-%m-%d)."
  echo "explain $("$EXPLAIN" --version 2>/dev/null | awk '{ print $2 }') at ${rev}${dirty:+ (with local changes)};"
  echo "$(nproc) × ${cpu}; Linux $(uname -r); $(hyperfine --version); tini $("$TINI" --version | awk '{ print $3 }')."
  echo
  summary
  echo
  echo "Start-up: \`hyperfine -N\`, $START_ROUNDS round(s) (command order rotated) of $START_WARMUP warm-up +"
  echo "$((START_RUNS / START_ROUNDS)) runs each, pooled; stdout and stderr are /dev/null,"
  echo "so explain takes its pipe path (not a pty). Overhead = mean − mean(\`true\`); its σ combines both."
  echo "Run by run: \`bench/interleave.c\`, $START_RUNS runs of each command in turn (posix_spawn +"
  echo "wait, stdout and stderr on /dev/null), medians in µs: true $il_true, explain true $il_ex,"
  echo "tini -s -- true $il_ti. Overhead = median − median(\`true\`)."
  echo
  echo "Throughput: $TP_WARMUP warm-up + $TP_RUNS runs of 1 GiB; GiB/s = 1 / mean time of the whole pipeline."
  echo "\`explain sh -c 'W >&2' 2>/dev/null\` vs \`sh -c 'W' | cat >/dev/null\`, W = \`head -c 1 GiB /dev/zero\`"
  echo "or 16 × \`cat\` of a 64 MiB file of generated log lines (page cache). Without any relay"
  echo "(\`sh -c 'W' >/dev/null\`) the writers take $(ms "$tz_raw_m") ms (zeros) and $(ms "$tt_raw_m") ms (text)."
  echo "explain enlarges its relay pipe to 256 KiB (F_SETPIPE_SZ); the shell's \`|\` keeps the default 64 KiB."
  echo
  echo "Peak RSS: largest of $RSS_REPS runs of \`/usr/bin/time -v\` (\"Maximum resident set size\"), which also"
  echo "covers the children explain reaped (\`head\`); \"own\" is explain's VmHWM read from /proc by the"
  echo "command just before it exits."
  echo
  echo "## Raw hyperfine tables"
  for f in $(cd "$RAW" && ls startup-*.md | sed 's/\.md$//') tp-zeros tp-text; do
    echo
    echo "### $f"
    echo
    sed "s|$EXPLAIN|explain|g; s|$TINI|tini|g" "$RAW/$f.md"
  done
} >"$RESULTS_MD"

echo
summary
echo
echo "Written to ${RESULTS_MD#"$ROOT"/}; raw hyperfine JSON/CSV/Markdown in $RAW" >&2
