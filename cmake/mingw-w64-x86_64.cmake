# Cross-compiling explain for 64-bit Windows with Debian's mingw-w64
# (gcc-mingw-w64-x86-64). tests/windows/lane.sh passes this file as
# CMAKE_TOOLCHAIN_FILE, with EX_WIN_DEPS naming the prefix where libuv,
# PCRE2 and cJSON were built (tests/windows/deps.sh).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(EX_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(CMAKE_C_COMPILER NAMES ${EX_MINGW_TRIPLE}-gcc-win32
             ${EX_MINGW_TRIPLE}-gcc REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${EX_MINGW_TRIPLE}-windres)
set(CMAKE_AR ${EX_MINGW_TRIPLE}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${EX_MINGW_TRIPLE}-ranlib CACHE FILEPATH "")

# Libraries and headers come from the mingw sysroot and the dependencies'
# prefix only, never from the build machine's /usr.
set(CMAKE_FIND_ROOT_PATH /usr/${EX_MINGW_TRIPLE} $ENV{EX_WIN_DEPS}
    ${EX_WIN_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config answers for the dependencies' prefix only.
if(EX_WIN_DEPS)
  set(ENV{PKG_CONFIG_LIBDIR} "${EX_WIN_DEPS}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
  set(ENV{EX_WIN_DEPS} "${EX_WIN_DEPS}")
elseif(DEFINED ENV{EX_WIN_DEPS})
  set(ENV{PKG_CONFIG_LIBDIR} "$ENV{EX_WIN_DEPS}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
endif()

# The dependencies are static libraries: their headers must not ask for
# DLL imports (PCRE2) or exports (cJSON).
set(CMAKE_C_FLAGS_INIT "-DPCRE2_STATIC -DCJSON_HIDE_SYMBOLS")

# One self-contained explain.exe: the C runtime's and winpthreads' code
# linked in, so that no DLL of the build machine has to travel with it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")
