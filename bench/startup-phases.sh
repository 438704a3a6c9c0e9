#!/usr/bin/env bash
# Where start-up time goes: `explain true` and `tini -s -- true`, timed by
# the kernel's own sched tracepoints instead of a stopwatch around the
# whole run, in three phases per run:
#
#   pre    exec of the launcher -> exec of the command   (launcher set-up)
#   child  exec of the command  -> its exit              (the command, with
#                                                         explain's preload)
#   post   exit of the command  -> exit of the launcher  (reaping, report)
#   gone   exit of the launcher -> its parent woken      (the kernel tears
#                                                         the launcher down)
#
# Usage: bench/startup-phases.sh [RUNS]     (default 1000, interleaved)
#   EXPLAIN=/path/to/explain   binary to measure (default: <repo>/build/explain)
#
# Needs root and tracefs (/sys/kernel/tracing); installs tini with apt-get
# when missing. Prints medians and writes bench/results/startup-phases.md.
set -euo pipefail

RUNS=${1:-1000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXPLAIN=${EXPLAIN:-$ROOT/build/explain}
EXPLAIN=$(cd "$(dirname "$EXPLAIN")" && pwd)/$(basename "$EXPLAIN")
T=/sys/kernel/tracing
[[ -d $T/events/sched ]] || T=/sys/kernel/debug/tracing
if [[ $(id -u) -ne 0 || ! -w $T/tracing_on ]]; then
  echo "startup-phases.sh: needs root and tracefs at /sys/kernel/tracing" >&2
  exit 1
fi
if ! command -v tini >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tini >/dev/null
fi
TINI=$(command -v tini)
TRUE=$(command -v true)
[[ -x $EXPLAIN ]] || { echo "startup-phases.sh: no explain at $EXPLAIN" >&2; exit 1; }

OUT=$(mktemp "${TMPDIR:-/tmp}/explain-phases.XXXXXX")
trap 'echo 0 > "$T/tracing_on"; echo 0 > "$T/events/sched/sched_wakeup/filter"; echo > "$T/set_event"; rm -f "$OUT"' EXIT
echo 0 >"$T/tracing_on"
echo >"$T/trace"
echo 'sched:sched_process_exec sched:sched_process_exit sched:sched_wakeup' \
  >"$T/set_event"
echo "pid == $$" >"$T/events/sched/sched_wakeup/filter"
echo 32768 >"$T/buffer_size_kb"
echo 1 >"$T/tracing_on"
for ((i = 0; i < RUNS; i++)); do
  "$EXPLAIN" "$TRUE"
  "$TINI" -s -- "$TRUE"
done
echo 0 >"$T/tracing_on"
grep -v '^#' "$T/trace" >"$OUT"

python3 - "$OUT" "$EXPLAIN" "$TINI" "$RUNS" "$ROOT/bench/results/startup-phases.md" "$$" <<'PY'
import re, statistics, sys, datetime
path, explain, tini, runs, md, me = sys.argv[1:7]
ev = []
for line in open(path):
    m = re.search(r'\s(\d+\.\d+): (sched_\w+): (.*)', line)
    if m:
        ev.append((float(m.group(1)) * 1000, m.group(2), m.group(3)))
res = {explain: [], tini: []}
for i, (t, kind, args) in enumerate(ev):
    if kind != 'sched_process_exec':
        continue
    fn = re.search(r'filename=(\S+)', args).group(1)
    pid = re.search(r' pid=(\d+)', args).group(1)
    if fn not in res:
        continue
    # the launcher's exec, then its child's exec and exit, then its own exit
    nxt = ev[i + 1:i + 12]
    cexec = [e for e in nxt if e[1] == 'sched_process_exec']
    cexit = [e for e in nxt if e[1] == 'sched_process_exit' and ' pid=%s ' % pid not in e[2] + ' ']
    lexit = [e for e in nxt if e[1] == 'sched_process_exit' and ' pid=%s ' % pid in e[2] + ' ']
    if not (cexec and cexit and lexit):
        continue
    woken = [e for e in nxt if e[1] == 'sched_wakeup' and e[0] > lexit[0][0]
             and ' pid=%s ' % me in e[2] + ' ']
    if woken:
        res[fn].append((cexec[0][0] - t, cexit[0][0] - cexec[0][0],
                        lexit[0][0] - cexit[0][0], woken[0][0] - lexit[0][0],
                        woken[0][0] - t))
rows = []
for name, label in ((explain, 'explain true'), (tini, 'tini -s -- true')):
    v = res[name]
    if not v:
        sys.exit('startup-phases.sh: no complete run of %s in the trace' % name)
    med = [statistics.median(x[k] for x in v) for k in range(5)]
    rows.append((label, len(v), med))
e, t = rows[0][2], rows[1][2]
lines = ['# Start-up phases: explain vs tini', '',
         '%s, %s interleaved runs each, medians in ms (kernel sched tracepoints); '
         'written by bench/startup-phases.sh.' % (datetime.date.today(), runs), '',
         '| launcher | runs | pre (exec -> command exec) | child (command) | post (command exit -> exit) | gone (exit -> parent woken) | total |',
         '|---|---:|---:|---:|---:|---:|---:|']
for label, n, m in rows:
    lines.append('| `%s` | %d | %.3f | %.3f | %.3f | %.3f | %.3f |' % (label, n, *m))
lines.append('| explain - tini | | %+.3f | %+.3f | %+.3f | %+.3f | %+.3f |' % tuple(e[k] - t[k] for k in range(5)))
text = '\n'.join(lines) + '\n'
print(text)
open(md, 'w').write(text)
PY
