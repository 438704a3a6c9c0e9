#!/usr/bin/env bash
# The whole test suite (unit, torture, end-to-end) on a build with
# AddressSanitizer, LeakSanitizer and UBSan: the end-to-end tests run the
# sanitized binary through EXPLAIN_BIN. Needs what bootstrap.sh installs
# (gcc's libasan/libubsan come with build-essential).
#   tests/sanitize.sh [BUILD_DIR]     default build-asan
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPLAIN_WERROR=ON \
  -DEXPLAIN_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

# detect_leaks: LeakSanitizer at every exit of explain and of the unit tests.
# abort_on_error=0 keeps ASan's own exit code (1): an error is never
# mistaken for a signal that explain forwards. halt_on_error: the first
# UBSan report fails the test.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 900
