#!/usr/bin/env bash
# Sets up explain on a fresh Debian 12 machine: installs what is missing,
# builds, and runs explain on a real failing command.
#   ./bootstrap.sh           build and show an example
#   ./bootstrap.sh --test    the same, then every test (what CI runs)
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case "$mode" in
  ""|--test) ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

# Debian packages: what the build needs, and what the tests run for real
# (failing programs, unprivileged users, mounts, cgroups, schema checks).
packages=(build-essential cmake pkg-config libuv1-dev libpcre2-dev
          libcjson-dev libunwind-dev python3 util-linux)
test_packages=(libcmocka-dev bash coreutils procps passwd e2fsprogs git
               nodejs curl python3-venv python3-pip python3-jsonschema
               libpython3-dev zsh man-db groff-base default-jdk-headless
               clang libclang-rt-14-dev valgrind strace
               gcc-mingw-w64-x86-64 wine64 dpkg-dev)

# install_missing PACKAGE...: apt-get installs those not installed yet.
install_missing() {
  local p missing=() sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "bootstrap: installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# plain_pkgconfig DIR: a pkg-config directory with the .pc files of the
# plain path's packages only, so that a configure that reaches for anything
# else (cmocka, which only --test installs) fails here, in CI, rather than on
# a user's fresh machine.
plain_pkgconfig() {
  local p f
  mkdir -p "$1"
  for p in "${packages[@]}"; do
    # Most packages have no .pc file: an empty list is not a failure.
    for f in $(dpkg -L "$p" 2>/dev/null | grep '\.pc$' || true); do
      if [ -f "$f" ]; then ln -sf "$f" "$1/"; fi
    done
  done
}

build=${BUILD_DIR:-build}
install_missing "${packages[@]}"
if [ "$mode" = "--test" ]; then
  # The first command's path, exactly, with pkg-config blind to everything
  # the test path adds.
  pcdir=$(mktemp -d)
  trap 'rm -rf "$pcdir"' EXIT
  plain_pkgconfig "$pcdir"
  echo "bootstrap: configuring the plain path with only its own packages visible"
  PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH="" \
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DEXPLAIN_WERROR=ON -DEXPLAIN_TESTS=OFF >/dev/null
else
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DEXPLAIN_WERROR=ON -DEXPLAIN_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)"

echo
echo "bootstrap: a real failing command under explain:"
echo "\$ $build/explain python3 -c \"open('/nonexistent/out.csv', 'w')\""
set +e
"$build/explain" python3 -c "open('/nonexistent/out.csv', 'w')"
rc=$?
set -e
echo "bootstrap: the command failed and explain exited with its status, $rc"
[ "$rc" -eq 1 ] || { echo "bootstrap: expected exit status 1" >&2; exit 1; }

if [ "$mode" = "--test" ]; then
  echo
  echo "bootstrap: installing and building what the tests need"
  install_missing "${test_packages[@]}"
  cmake -S . -B "$build" -DEXPLAIN_TESTS=ON >/dev/null
  cmake --build "$build" -j"$(nproc)"
  echo
  echo "bootstrap: running every test"
  (cd "$build" && ctest --output-on-failure -j2 --timeout 900) | tee "$build/ctest.log"
  echo
  echo "bootstrap: the whole suite again under AddressSanitizer and UBSan"
  tests/sanitize.sh build-asan
  echo
  echo "bootstrap: end-to-end tests under valgrind memcheck"
  tests/valgrind.sh "$build"
  echo
  echo "bootstrap: fuzzing the rule loader, the matcher and the renderers"
  fuzz/run.sh "${FUZZ_SECONDS:-20}"
  echo
  echo "bootstrap: the Windows lane: explain.exe (mingw-w64) under wine64"
  timeout 600 tests/windows/lane.sh "$build-win" | tee "$build/windows.log"
  # The tally of the main run last, so a reader of the log sees it at once
  # (every step above stops the script when it fails).
  total=$(sed -n 's/.* tests failed out of \([0-9]*\)$/\1/p' "$build/ctest.log" | tail -n 1)
  win=$(sed -n 's/^windows lane: \([0-9]*\) passed, 0 failed$/\1/p' "$build/windows.log")
  echo
  grep '^windows lane: SKIPPED' "$build/windows.log" || true
  echo "tests: $(( ${total:-0} + ${win:-0} )) passed, 0 failed"
fi
