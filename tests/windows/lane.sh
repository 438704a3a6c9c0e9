#!/usr/bin/env bash
# The Windows lane: builds explain.exe with mingw-w64 and runs its tests
# under wine64, in a wine prefix of its own under the build directory.
#   tests/windows/lane.sh [BUILD_DIR]     (default: build-win)
# Says plainly, and exits 0, when it cannot run here (no cross compiler,
# no wine, no Debian source packages); EXPLAIN_WINDOWS_LANE=required makes
# that a failure. Every wine call is bounded; the prefix's wineserver is
# ended at the end, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
build=$(mkdir -p "${1:-build-win}" && cd "${1:-build-win}" && pwd)

skip() {
  echo "windows lane: SKIPPED: $*"
  if [ "${EXPLAIN_WINDOWS_LANE:-}" = required ]; then exit 1; fi
  exit 0
}

command -v x86_64-w64-mingw32-gcc >/dev/null ||
  skip "no mingw-w64 cross compiler (Debian package gcc-mingw-w64-x86-64)"
wine=$(command -v wine64 || true)
[ -n "$wine" ] || [ ! -x /usr/lib/wine/wine64 ] || wine=/usr/lib/wine/wine64
[ -n "$wine" ] || skip "no wine64 (Debian package wine64)"
wineserver=$(command -v wineserver || true)
[ -n "$wineserver" ] || [ ! -x /usr/lib/wine/wineserver64 ] ||
  wineserver=/usr/lib/wine/wineserver64
[ -n "$wineserver" ] || skip "no wineserver (Debian package wine64)"

echo "windows lane: dependencies (libuv, PCRE2, cJSON from Debian's sources)"
deps=$(tests/windows/deps.sh) ||
  skip "the Windows dependencies could not be built (see above)"

echo "windows lane: building explain.exe"
cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/mingw-w64-x86_64.cmake" \
  -DEX_WIN_DEPS="$deps" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEXPLAIN_TESTS=OFF -DEXPLAIN_WERROR=ON >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j"$(nproc)" >"$build/build.log" 2>&1 ||
  { tail -n 60 "$build/build.log"; exit 1; }

export WINEPREFIX=$build/wineprefix WINEDEBUG=-all WINEARCH=win64
# No Gecko or Mono installer dialogs: nothing here needs them.
export WINEDLLOVERRIDES="mscoree,mshtml="
export DISPLAY=
stop_wine() { "$wineserver" -k 2>/dev/null || true; "$wineserver" -w 2>/dev/null || true; }
trap stop_wine EXIT
trap 'exit 124' TERM INT # the EXIT trap still ends wine
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "windows lane: creating the wine prefix $WINEPREFIX"
fi
# The first wine process starts services that inherit its descriptors: it
# runs with every stream closed, or a piped run later would hang.
timeout 180 "$wine" wineboot -i </dev/null >/dev/null 2>&1 ||
  skip "wine could not create its prefix (wineboot failed or timed out)"

echo "windows lane: tests under wine"
set +e
(cd "$src/tests/windows" &&
   EXPLAIN_EXE=$build/explain.exe EXPLAIN_WIN_HELPERS=$build/helpers \
   WINE=$wine PYTHONDONTWRITEBYTECODE=1 \
   timeout 600 python3 -m unittest -v test_windows test_launcher) >"$build/tests.log" 2>&1
rc=$?
set -e
cat "$build/tests.log"
n=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$build/tests.log")
if [ "$rc" -ne 0 ]; then
  echo "windows lane: FAILED (exit $rc; $build/tests.log)"
  exit 1
fi
echo "windows lane: ${n:-0} passed, 0 failed"
