/* The few POSIX names that the platform contracts use (platform.h,
 * probe.h, wrap.h) and that Windows does not have: user and group ids,
 * resource limits and usage, and the open() flags every module passes.
 * The types are placeholders that no probe fills: the command's identity
 * on Windows is a user name and an integrity level, not numbers. */
#ifndef EX_PLATFORM_WINDOWS_POSIX_TYPES_H
#define EX_PLATFORM_WINDOWS_POSIX_TYPES_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

/* A descriptor the C runtime opens is inherited by children unless it is
 * opened with _O_NOINHERIT: the same promise as O_CLOEXEC. */
#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
/* O_NONBLOCK guards against a FIFO planted where a file should be; Windows
 * has no FIFOs in the file system (named pipes live under \\.\pipe). */
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
/* Symbolic links are followed on Windows as the file system decides. */
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif

typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned long long rlim_t;

/* GNU's memrchr, which the C runtime lacks (platform/windows/util.c). */
void *memrchr(const void *s, int c, size_t n);

/* glibc's qsort_r (the comparator gets arg last), over qsort_s. */
void qsort_r(void *base, size_t n, size_t size,
             int (*cmp)(const void *, const void *, void *), void *arg);

/* GNU's memmem and BSD's timegm (over _mkgmtime). */
void *memmem(const void *hay, size_t hlen, const void *needle, size_t nlen);
struct tm;
long long ex__win_timegm(struct tm *tm);
#define timegm(tm) ((time_t)ex__win_timegm(tm))

/* realpath over _fullpath (resolved may be NULL: then allocated). */
char *realpath(const char *path, char *resolved);

struct rlimit {
  rlim_t rlim_cur;
  rlim_t rlim_max;
};

struct rusage {
  long ru_maxrss;
};

#endif
