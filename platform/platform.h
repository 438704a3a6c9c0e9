/* platform: small wrappers over the operating system that the other modules
 * share: descriptor checks, complete writes, pseudo-terminals.
 *
 * Every function here is a thin, synchronous system-call wrapper. Errors are
 * returned as negative errno values; nothing prints.
 */
#ifndef EX_PLATFORM_H
#define EX_PLATFORM_H

#include <stddef.h>
#include <sys/types.h>

/* Resource limits and usage: POSIX's, or placeholders where there are
 * none. */
#ifdef _WIN32
#include "platform/windows/posix_types.h"
#else
#include <sys/resource.h>
#endif

/* Copies src into dst (size bytes), cut if needed, always NUL-terminated
 * when size > 0. Returns the length of src. */
size_t ex_strlcpy(char *dst, const char *src, size_t size);

/* The directory of the running binary (/proc/self/exe, or on Windows
 * GetModuleFileNameW, without its last component), for files installed or
 * built next to it. Returns 0, or a
 * negative errno when it cannot be read or does not fit in size bytes. */
int ex_exe_dir(char *buf, size_t size);

/* Reads up to size-1 bytes of a small file (a /proc entry, a config file)
 * into buf, NUL-terminated. The file is opened non-blocking, so a FIFO
 * planted where a file should be cannot block. Returns the length, or a
 * negative errno when nothing could be read (buf is then ""). */
ssize_t ex_read_small(const char *path, char *buf, size_t size);

/* What fd is, from one system call: EX_FD_CLOSED, EX_FD_TTY (a terminal,
 * as isatty() says) or EX_FD_OTHER (any other open descriptor). */
enum { EX_FD_CLOSED, EX_FD_OTHER, EX_FD_TTY };
int ex_fd_kind(int fd);

/* Writes all len bytes of buf to fd, retrying after EINTR and waiting for
 * POLLOUT after EAGAIN (fd may be non-blocking because another process shares
 * its open file description). Returns 0, or a negative errno (-EPIPE, -EBADF,
 * -EIO, ...) on the first hard error. */
int ex_write_all(int fd, const void *buf, size_t len);

/* Sets or clears O_NONBLOCK on fd. Returns 0 or a negative errno. */
int ex_fd_set_nonblock(int fd, int on);

/* Returns 1 when descriptors a and b refer to the same file (same device and
 * inode; for terminals the same device), 0 otherwise or when either is
 * closed. */
int ex_fd_same_file(int a, int b);

/* Opens a pseudo-terminal pair. *master is non-blocking and close-on-exec;
 * *slave is close-on-exec. When model_fd is a terminal, the slave takes its
 * settings and window size; output post-processing (OPOST) is always turned
 * off on the slave so that bytes written to it reach the master unchanged.
 * Returns 0 or a negative errno; on failure no descriptor is left open. */
int ex_pty_open(int *master, int *slave, int model_fd);

/* Copies the window size of terminal from_fd to to_fd. Returns 1 when the
 * size changed, 0 when it was already the same, or a negative errno. */
int ex_pty_sync_winsize(int from_fd, int to_fd);

/* What the report says about this machine. Plain data, filled by
 * ex_host_probe(); strings are inline. */
typedef struct ex_host {
  char os[32];        /* "linux", "windows" */
  char kernel[128];   /* uname release; Windows: "10.0.19045" */
  char arch[32];      /* uname machine ("x86_64") */
  char container[32]; /* "docker", "podman", "kubernetes", "lxc", or "" */
  char user[64];      /* name of the real uid, or "" when unknown */
  unsigned long uid;  /* EX_UID_NONE where users have no number (Windows) */
} ex_host_t;

#define EX_UID_NONE ((unsigned long)-1)

/* Fills *h from uname(2), getpwuid(3) and the container markers
 * (/.dockerenv, /run/.containerenv, /proc/1/cgroup, KUBERNETES_SERVICE_HOST,
 * the `container` variable). Never fails; what cannot be read stays empty. */
void ex_host_probe(ex_host_t *h);

/* ---------------------------------------------------------------------- */
/* Allocation                                                              */

/* malloc, calloc, realloc, strdup, strndup and free for the modules that
 * promise a clean -ENOMEM (rules/, matcher/, and cJSON and PCRE2 through
 * them). Memory comes from the C library: what ex_malloc() returns may be
 * freed with free() and the other way round. A zero size is served as one
 * byte, so NULL always means "out of memory". ex_strndup() copies at most n
 * bytes and stops at a NUL. */
void *ex_malloc(size_t size);
void *ex_calloc(size_t n, size_t size);
void *ex_realloc(void *p, size_t size);
char *ex_strdup(const char *s);
char *ex_strndup(const char *s, size_t n);
void ex_free(void *p);

/* Test hook (torture tests): from now on, count the allocation calls above
 * and make call number n (1-based) fail; 0 turns the hook off, ULONG_MAX
 * counts without failing. ex_alloc_count() is the number of calls counted
 * since the last ex_alloc_fail_at(). Safe across threads. */
void ex_alloc_fail_at(unsigned long n);
unsigned long ex_alloc_count(void);

/* Allocations minus ex_free() calls since the last ex_alloc_fail_at(), while
 * the hook is on: a torture test that allocates and frees everything under
 * the hook sees 0 when nothing leaked, even without LeakSanitizer. */
long ex_alloc_live(void);

#endif
