#!/usr/bin/env bash
# Builds the Windows dependencies of explain with the mingw-w64 cross
# compiler, from Debian's own source packages: libuv 1.44.2, PCRE2 10.42
# (with JIT) and cJSON 1.7.15, all static. Prints the prefix they are
# installed in.
#
# The result is cached outside the source tree, under
# ${XDG_CACHE_HOME:-~/.cache}/explain/mingw-deps/<key>, the key made of the
# Debian versions of the three sources and of the cross compiler: a second
# run with the same versions builds nothing and fetches nothing.
#
# apt-get source needs a deb-src entry: when there is none for the
# release, one is added next to the machine's own entries (same mirrors,
# Types: deb-src) and the lists are updated. Needs root or sudo for that
# step only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
toolchain=$src/cmake/mingw-w64-x86_64.cmake
cache=${XDG_CACHE_HOME:-$HOME/.cache}/explain/mingw-deps
# Source package and the upstream version the build expects.
packages=(libuv1 pcre2 cjson)
declare -A upstream=([libuv1]=1.44.2 [pcre2]=10.42 [cjson]=1.7.15)

say() { echo "windows-deps: $*" >&2; }
sudo_cmd() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The Debian version apt would fetch for a source package, or "".
source_version() {
  { apt-cache showsrc "$1" 2>/dev/null || true; } |
    sed -n 's/^Version: //p' | sort -V | tail -n 1
}

# A deb-src twin of every deb entry the machine has (deb822 and one-line
# formats), so that apt-get source reaches the same archives.
add_deb_src() {
  local f out=/etc/apt/sources.list.d/explain-deb-src.sources tmp
  tmp=$(mktemp)
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$out" ] || continue
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*deb([ \t\n]|$)/ && /Suites:[^\n]*bookworm/ {
           sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb [^#]*bookworm' /etc/apt/sources.list |
      sed 's/^deb /deb-src /' >>"$tmp" || true
  fi
  if [ ! -s "$tmp" ]; then
    rm -f "$tmp"
    say "no bookworm entry in /etc/apt to make a deb-src entry from"
    exit 1
  fi
  if grep -q '^deb-src' "$tmp"; then
    sudo_cmd sh -c "grep '^deb-src' '$tmp' >/etc/apt/sources.list.d/explain-deb-src.list"
    grep -v '^deb-src' "$tmp" >"$tmp.822" || true
    mv "$tmp.822" "$tmp"
  fi
  if [ -s "$tmp" ]; then sudo_cmd cp "$tmp" "$out"; fi
  rm -f "$tmp"
  say "added deb-src entries for bookworm; updating the package lists"
  sudo_cmd apt-get update -qq
}

if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  say "x86_64-w64-mingw32-gcc not found (Debian package gcc-mingw-w64-x86-64)"
  exit 1
fi

declare -A version
for p in "${packages[@]}"; do version[$p]=$(source_version "$p"); done
if [ -z "${version[libuv1]}" ]; then
  add_deb_src
  for p in "${packages[@]}"; do version[$p]=$(source_version "$p"); done
fi
key=""
for p in "${packages[@]}"; do
  v=${version[$p]}
  case "$v" in
    "${upstream[$p]}"-*|*:"${upstream[$p]}"-*) ;;
    *) say "source package $p is '${v:-missing}', expected ${upstream[$p]}"
       exit 1 ;;
  esac
  key+="$p-$v."
done
key+="gcc-$(x86_64-w64-mingw32-gcc -dumpversion)"
prefix=$cache/$key
if [ -f "$prefix/.complete" ]; then
  echo "$prefix"
  exit 0
fi

say "building libuv, PCRE2 and cJSON for Windows into $prefix"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$prefix"
mkdir -p "$prefix"
# fetch PACKAGE: the newest version of its source that the archives still
# serve (an index can name a version whose files have left the pool).
fetch() {
  local v
  for v in $({ apt-cache showsrc "$1" 2>/dev/null || true; } |
             sed -n 's/^Version: //p' | sort -Vru); do
    case "$v" in "${upstream[$1]}"-*|*:"${upstream[$1]}"-*) ;; *) continue ;; esac
    if (cd "$work" && apt-get source -qq "$1=$v" >/dev/null 2>>"$work/source.log"); then
      echo "$1 $v" >>"$prefix/versions"
      return 0
    fi
  done
  cat "$work/source.log" >&2
  say "no version ${upstream[$1]} of source package $1 could be fetched"
  return 1
}
for p in "${packages[@]}"; do fetch "$p"; done

# cross_build DIR CMAKE-ARGS...: configure, build and install one source.
cross_build() {
  local dir=$1
  shift
  cmake -S "$dir" -B "$dir/build-mingw" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib "$@" >"$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log" >&2; return 1; }
  cmake --build "$dir/build-mingw" -j"$(nproc)" >"$dir/build.log" 2>&1 ||
    { tail -n 40 "$dir/build.log" >&2; return 1; }
  cmake --install "$dir/build-mingw" >/dev/null
}

cross_build "$work/libuv1-${upstream[libuv1]}" -DLIBUV_BUILD_TESTS=OFF \
  -DLIBUV_BUILD_BENCH=OFF
cross_build "$work/pcre2-${upstream[pcre2]}" -DBUILD_SHARED_LIBS=OFF \
  -DPCRE2_SUPPORT_JIT=ON -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF \
  -DPCRE2_SUPPORT_LIBBZ2=OFF -DPCRE2_SUPPORT_LIBZ=OFF \
  -DPCRE2_SUPPORT_LIBEDIT=OFF -DPCRE2_SUPPORT_LIBREADLINE=OFF
cross_build "$work/cjson-${upstream[cjson]}" -DBUILD_SHARED_LIBS=OFF \
  -DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DENABLE_CJSON_TEST=OFF \
  -DENABLE_CJSON_UTILS=OFF -DENABLE_TARGET_EXPORT=OFF
# Only the static archives are used: libuv's DLL and its import library
# would let a link pick the DLL.
rm -f "$prefix"/lib/*.dll.a "$prefix"/bin/*.dll
touch "$prefix/.complete"
echo "$prefix"
