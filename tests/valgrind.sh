#!/usr/bin/env bash
# A representative subset of the end-to-end tests with explain under
# valgrind memcheck: every run of explain must be free of memory errors and
# of definite leaks. EXPLAIN_BIN is a small wrapper that starts explain
# under valgrind (the command itself is not traced); each run writes its own
# log, and any log with an error fails the script. Needs: valgrind.
#   tests/valgrind.sh [BUILD_DIR]     default build (a normal build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/explain" ] || {
  echo "valgrind.sh: build $build first (cmake --build $build)" >&2
  exit 2
}
command -v valgrind >/dev/null || {
  echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 2
}

vg=$(command -v valgrind)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Some tests run explain as an unprivileged user, or with a PATH of their
# own: the wrapper names valgrind by its full path, and its directory and
# the log directory are open to everyone.
chmod 755 "$work"
mkdir -m 1777 "$work/logs"
cat >"$work/explain" <<WRAP
#!/bin/sh
exec "$vg" -q --error-exitcode=99 --leak-check=full \\
  --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
  --trace-children=no --child-silent-after-fork=yes \\
  --log-file="$work/logs/vg.%p.log" -- "$PWD/$build/explain" "\$@"
WRAP
chmod +x "$work/explain"

# Bounded: the tests that cover the relay, the matcher, the renderers and
# the hostile inputs, not the long-running or timing-sensitive ones.
# Not under valgrind: deaths by signal (valgrind 3.19 asserts when a
# process kills itself with a signal it had blocked, as explain does to
# mirror one), exec failures (valgrind checks the program before explain's
# child execs it, and answers itself), closed standard descriptors
# (valgrind's log takes their place).
tests=(
  test_diagnosis
  test_text_report
  test_hostile.HostileNames
  test_hostile.HostileEnvironment.test_sigpipe_on_stdout
  test_hostile.HostileEnvironment.test_no_home
  test_hostile.HostileEnvironment.test_read_only_rules_dir
  test_hostile.HostileEnvironment.test_sigpipe_ignored_or_default_for_the_command
  test_hostile.HostileOutput.test_a_line_that_matches_hundreds_of_rules
  test_hostile.HostileOutput.test_catastrophic_regex_is_stopped_by_the_match_limit
  test_exit.ExecFailures.test_script_without_shebang_runs_with_sh
  test_exit.ExecFailures.test_usage_errors_are_125
  test_exit.ExecFailures.test_options_end_at_first_word
)
status=0
(cd tests/e2e && EXPLAIN_BIN="$work/explain" EXPLAIN_UNDER_VALGRIND=1 \
  EXPLAIN_SOURCE_DIR="$PWD/../.." \
  PYTHONDONTWRITEBYTECODE=1 python3 -m unittest "${tests[@]}") || status=1

bad=0
for f in "$work"/logs/vg.*.log; do
  [ -s "$f" ] || continue
  bad=$((bad + 1))
  echo "valgrind.sh: errors in $(basename "$f"):" >&2
  head -n 60 "$f" >&2
done
runs=$(find "$work/logs" -name 'vg.*.log' | wc -l)
echo "valgrind.sh: $runs runs of explain under memcheck, $bad with errors"
[ "$bad" -eq 0 ] || status=1
exit $status
