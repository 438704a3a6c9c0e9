#!/usr/bin/env bash
# How long the probes take after a failure, on a host with 1000 processes.
#
#   bench/probe.sh [--quick] [BUILD_DIR]
#
# Starts 1000 sleeping processes (the probes that scan /proc: port owners,
# deleted-but-open files, lock holders, busy executables, git processes),
# then times `explain --log FIXTURE` with and without --no-probe for one
# fixture of each explainer family, and one real failing command whose
# message names no port (live-subject): the difference is the time the
# probes add. Side by side with hyperfine; results in bench/results/probe.md.
# Goal: at most 50 ms of probes per diagnosis.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=30
if [ "${1:-}" = "--quick" ]; then
  runs=10
  shift
fi
build=$(cd "${1:-$root/build}" && pwd) # absolute: the cases run elsewhere
explain=${EXPLAIN:-$build/explain}
[ -x "$explain" ] || { echo "bench/probe.sh: build first ($explain missing)" >&2; exit 1; }
command -v hyperfine >/dev/null || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq hyperfine >/dev/null
}

work=$(mktemp -d)
pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# 1000 processes, each with a few descriptors, as on a busy host.
for _ in $(seq 1000); do
  sleep 600 </dev/null >/dev/null 2>&1 &
  pids+=($!)
done
nproc_now=$(ls /proc | grep -c '^[0-9]')

# A port in use for the port explainer (held by a process of ours).
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True)
time.sleep(600)' > "$work/port" &
pids+=($!)
while [ ! -s "$work/port" ]; do sleep 0.05; done
port=$(cat "$work/port")
printf 'Error: listen EADDRINUSE: address already in use 127.0.0.1:%s\n' "$port" > "$work/port.log"

# Logs, one per family: the real messages of the tools.
mkdir -p "$work/ro" && chmod 555 "$work/ro"
printf "PermissionError: [Errno 13] Permission denied: '%s/ro/out.csv'\n" "$work" > "$work/eacces.log"
printf "OSError: [Errno 28] No space left on device: '%s/big'\n" "$work" > "$work/enospc.log"
printf "FileNotFoundError: [Errno 2] No such file or directory: '%s/no/such/file.txt'\n" "$work" > "$work/enoent.log"
printf "sh: 1: frobnicate-tool: not found\n" > "$work/notfound.log"
printf "ModuleNotFoundError: No module named 'requestz'\n" > "$work/module.log"

# Subjects the message does not name: the frame's source line names the
# port (held by the process above), the one database a script opens (held
# locked by a process of ours); and a kernel file whose mode is final.
cat > "$work/bind.py" <<PY
import socket
s = socket.socket()
s.bind(("127.0.0.1", $port))
PY
printf 'Traceback (most recent call last):\n  File "%s", line 3, in <module>\n    s.bind(("127.0.0.1", %s))\nOSError: [Errno 98] Address already in use\n' "$work/bind.py" "$port" > "$work/subject.log"
python3 -c "import sqlite3; d = sqlite3.connect('$work/app.db'); d.execute('create table t(x)'); d.commit()"
python3 -c "
import sqlite3, time
d = sqlite3.connect('$work/app.db', isolation_level=None)
d.execute('begin immediate'); d.execute('insert into t values (1)')
open('$work/tx', 'w').write('y')
time.sleep(600)" &
pids+=($!)
while [ ! -s "$work/tx" ]; do sleep 0.05; done
printf "import sqlite3\ndb = sqlite3.connect('%s/app.db')\ndb.execute('insert into t values (2)')\n" "$work" > "$work/db.py"
printf 'Traceback (most recent call last):\n  File "%s", line 3, in <module>\n    db.execute("insert")\nsqlite3.OperationalError: database is locked\n' "$work/db.py" > "$work/sqlite.log"
printf "PermissionError: [Errno 13] Permission denied: '/sys/class/net/lo/address'\n" > "$work/kernel.log"

# A project of 50k files (a repository: .git at its top) for the claims
# of absence, which search the command's own project before saying that
# something is installed nowhere: 6 trees of 8 x 8 x 8 directories with
# 15 files in each leaf (46080 files, 3510 directories), and a
# node_modules of 4000 more that the search never enters. The logs below
# run with the cwd two levels down in it, and name things that are in it
# nowhere, so that each search goes to its bound.
tree=$work/tree
python3 - "$tree" <<'PY'
import os, sys
top = sys.argv[1]
os.makedirs(top + "/.git")
for t in ("src", "lib", "tests", "docs", "build", "vendor"):
    for a in range(8):
        for b in range(8):
            for c in range(8):
                d = "%s/%s/m%d/p%d/q%d" % (top, t, a, b, c)
                os.makedirs(d)
                for f in range(15):
                    open("%s/f%d.%s" % (d, f, "ch"[f % 2]), "w").close()
for n in range(200):
    d = "%s/node_modules/pkg%d/lib" % (top, n)
    os.makedirs(d)
    for f in range(20):
        open("%s/m%d.js" % (d, f), "w").close()
PY
nfiles=$(find "$tree" -type f | wc -l)
printf "src/main.c:1:10: fatal error: zz_absent.h: No such file or directory\n" > "$work/header.log"
printf "./app: error while loading shared libraries: libzzabsent.so.1: cannot open shared object file: No such file or directory\n" > "$work/library.log"
printf "Traceback (most recent call last):\n  File \"run.py\", line 1, in <module>\nModuleNotFoundError: No module named 'zzabsent'\n" > "$work/pymodule.log"
printf "sh: 1: zz-absent-tool: not found\n" > "$work/command.log"

cases=(eacces enospc enoent notfound module port subject sqlite kernel
       live-subject header library pymodule command)
project_cases=" header library pymodule command "
rows=()
for c in "${cases[@]}"; do
  log=$work/$c.log
  dir=$work
  case "$project_cases" in *" $c "*) dir=$tree/src/m1 ;; esac
  if [ "$c" = live-subject ]; then
    # A real run: the snapshot is taken while the command runs, the
    # subject recovered and probed after it exits.
    set -- "$explain python3 $work/bind.py" \
      "$explain --no-probe python3 $work/bind.py"
  else
    set -- "$explain --log $log" "$explain --no-probe --log $log"
  fi
  (cd "$dir" && hyperfine -N -w 3 -r "$runs" -i --export-json "$work/$c.json" \
    "$1" "$2" >/dev/null 2>&1)
  # CPU time too (perf's task-clock), which a loaded machine does not
  # inflate as it does the wall clock.
  cpu="n/a"
  if perf stat -x, -e task-clock true >/dev/null 2>&1; then
    cpu=$(cd "$dir" && for cmd in "$1" "$2"; do
      # shellcheck disable=SC2086 # the command's words, as hyperfine runs them
      # The live case fails on purpose: its status must not end the script.
      { perf stat -r "$runs" -x, -e task-clock $cmd 2>&1 >/dev/null || :; } |
        awk -F, '/task-clock/ {print $1}'
    done | paste -sd' ' | awk '{printf "%.1f ms", $1 - $2}')
  fi
  row=$(python3 - "$work/$c.json" "$c" "$cpu" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
probe, noprobe = r[0]["mean"] * 1000, r[1]["mean"] * 1000
print("| %s | %.1f ms | %.1f ms | %.1f ms | %s | %s |" % (
    sys.argv[2], probe, noprobe, probe - noprobe, sys.argv[3],
    "met" if probe - noprobe <= 50 else "**missed**"))
PY
)
  rows+=("$row")
done

out=$here/results/probe.md
mkdir -p "$here/results"
{
  echo "# Probe time after a failure"
  echo
  echo "Produced by \`bench/probe.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "with $nproc_now processes running. \`explain --log FIXTURE\` with and"
  echo "without \`--no-probe\`, $runs runs each (hyperfine, mean); live-subject"
  echo "is a real run of a Python bind whose message names no port. The last"
  echo "four run in a repository of $nfiles files (warm page cache), where"
  echo "the project search goes to its bound. CPU time: perf's task-clock,"
  echo "mean of the same number of runs."
  echo
  echo "Load average while it ran: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| family | with probes | --no-probe | probes add | CPU time probes add | goal ≤ 50 ms |"
  echo "| --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee "$out"
