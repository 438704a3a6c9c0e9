# Platform features: code tests HAVE_<FEATURE>, never OS names.
include(CheckSymbolExists)
include(CheckIncludeFile)
set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
check_symbol_exists(signalfd "sys/signalfd.h" HAVE_SIGNALFD)
check_symbol_exists(PR_SET_CHILD_SUBREAPER "sys/prctl.h" HAVE_SUBREAPER)
check_symbol_exists(posix_openpt "stdlib.h" HAVE_POSIX_OPENPT)
check_symbol_exists(F_SETPIPE_SZ "fcntl.h" HAVE_F_SETPIPE_SZ)
check_symbol_exists(pipe2 "unistd.h" HAVE_PIPE2)
set(CMAKE_REQUIRED_DEFINITIONS)
configure_file(${CMAKE_CURRENT_LIST_DIR}/config.h.in
               ${CMAKE_BINARY_DIR}/config.h)
include_directories(${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
