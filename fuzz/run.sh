#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (clang, ASan + UBSan) and runs
# each for SECONDS (default 60), seeded with fuzz/corpus/<target>/, the
# crashes found so far and the project's own rule files and logs. Inputs
# that crash are copied to tests/regress/<target>/ (ctest replays them) and
# the script exits non-zero. New corpus entries go to a temporary directory,
# not into the tree. Needs: clang and libclang-rt-14-dev (Debian 12).
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_rules fuzz_matcher fuzz_json fuzz_lines)
build=${FUZZ_BUILD_DIR:-build-fuzz}

CC=${CC:-clang} cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEXPLAIN_FUZZ=ON -DEXPLAIN_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null

declare -A seeds=(
  [fuzz_rules]="rules tests/unit/rules/data"
  [fuzz_matcher]="tests/fixtures/signatures tests/fixtures/benign"
  [fuzz_json]="tests/fixtures/signatures tests/fixtures/benign"
  [fuzz_lines]="tests/fixtures/signatures tests/fixtures/benign"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/crashes" "tests/regress/$t"
  echo "fuzz: $t for ${secs}s"
  # -max_len: the loader takes files up to 4 MiB, but long inputs only
  # slow the search; 64 KiB covers a long line and a large rule file.
  # shellcheck disable=SC2086
  if ! "$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$work/$t/crashes/" \
      "$work/$t/corpus" "fuzz/corpus/$t" "tests/regress/$t" ${seeds[$t]} \
      >"$work/$t/log" 2>&1; then
    status=1
    echo "fuzz: $t FAILED; last lines of its log:" >&2
    tail -n 40 "$work/$t/log" >&2
  fi
  grep -E '^(stat::number_of_executed_units|stat::new_units_added):' \
    "$work/$t/log" | sed "s/^/fuzz: $t: /" || true
  for f in "$work/$t/crashes"/*; do
    [ -e "$f" ] || continue
    cp "$f" "tests/regress/$t/"
    echo "fuzz: $t: saved tests/regress/$t/$(basename "$f")" >&2
    status=1
  done
done
exit $status
