/* The history file: where it is, locking, appending, rotation, reading. */
#include "core/history.h"

#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EX_HISTORY_LOCK_WAIT_MS 2000 /* then give up: never hang on it */
#define EX_HISTORY_REOPEN_MAX 8      /* the file rotated under us this often */

/* EXPLAIN_HISTORY=0 (or off, no, false) turns the history off. */
static int history_off(void) {
  const char *v;

  v = getenv("EXPLAIN_HISTORY");
  return v != NULL &&
         (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 ||
          strcmp(v, "no") == 0 || strcmp(v, "false") == 0);
}

/* The home directory: $HOME, else the password database's. */
static const char *home_dir(void) {
  const char *home;
  struct passwd *pw;

  home = getenv("HOME");
  if (home != NULL && home[0] == '/')
    return home;
  pw = getpwuid(geteuid());
  return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/'
             ? pw->pw_dir
             : NULL;
}

int ex_history_path(char *buf, size_t size) {
  const char *state;
  const char *home;
  int n;

  if (history_off())
    return -ENOENT;
  /* XDG: a relative XDG_STATE_HOME is invalid and ignored. */
  state = getenv("XDG_STATE_HOME");
  if (state != NULL && state[0] == '/') {
    n = snprintf(buf, size, "%s/explain/%s", state, EX_HISTORY_FILE);
  } else {
    home = home_dir();
    if (home == NULL)
      return -ENOENT;
    n = snprintf(buf, size, "%s/.local/state/explain/%s", home,
                 EX_HISTORY_FILE);
  }
  if (n < 0 || (size_t)n >= size)
    return -ENAMETOOLONG;
  return 0;
}

/* In the default place, the home must be ours: explain run with sudo and
 * the user's HOME must not leave root's files in that home. */
static int home_is_ours(void) {
  const char *state;
  const char *home;
  struct stat st;

  state = getenv("XDG_STATE_HOME");
  if (state != NULL && state[0] == '/')
    return 1;
  home = home_dir();
  return home != NULL && stat(home, &st) == 0 && st.st_uid == geteuid();
}

/* Creates the directories of path (not its last component), mode 0700. */
static int make_parents(const char *path) {
  char dir[PATH_MAX];
  char *p;
  struct stat st;

  if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
    return -ENAMETOOLONG;
  p = strrchr(dir, '/');
  if (p == NULL || p == dir)
    return 0;
  *p = '\0';
  if (stat(dir, &st) == 0)
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
  for (p = dir + 1; *p != '\0'; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dir, 0700) == -1 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  if (mkdir(dir, 0700) == -1 && errno != EEXIST)
    return -errno;
  return 0;
}

/* flock() with a deadline, so that a stopped process holding the lock
 * cannot hang explain. */
static int lock_fd(int fd, int how) {
  struct timespec ts;
  int waited;

  ts.tv_sec = 0;
  ts.tv_nsec = 2 * 1000 * 1000;
  for (waited = 0;; waited += 2) {
    if (flock(fd, how | LOCK_NB) == 0)
      return 0;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return -errno;
    if (waited >= EX_HISTORY_LOCK_WAIT_MS)
      return -ETIMEDOUT;
    (void)nanosleep(&ts, NULL);
  }
}

/* Opens path and locks it; when the file was rotated away between the
 * open and the lock, opens the new one. Returns the descriptor (*st is its
 * status) or a negative errno. */
static int open_locked(const char *path, int flags, int how, struct stat *st) {
  struct stat now;
  int attempt;
  int fd;
  int rc;

  for (attempt = 0; attempt < EX_HISTORY_REOPEN_MAX; attempt++) {
    /* Non-blocking: a FIFO planted at the history's name must not hang
     * explain after the command (it is refused: not a regular file). */
    fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd == -1)
      return -errno;
    rc = fstat(fd, st) == -1 ? -errno : S_ISREG(st->st_mode) ? 0 : -EINVAL;
    if (rc == 0)
      rc = lock_fd(fd, how);
    if (rc != 0) {
      close(fd);
      return rc;
    }
    if (lstat(path, &now) == 0 && now.st_dev == st->st_dev &&
        now.st_ino == st->st_ino)
      return fd;
    close(fd);
  }
  return -EAGAIN;
}

/* Reads up to max bytes ending at offset end of fd into b at b + at. */
static ssize_t read_range(int fd, char *b, off_t start, size_t n) {
  size_t got;
  ssize_t k;

  got = 0;
  while (got < n) {
    k = pread(fd, b + got, n - got, start + (off_t)got);
    if (k == -1 && errno == EINTR)
      continue;
    if (k == -1)
      return -errno;
    if (k == 0)
      break;
    got += (size_t)k;
  }
  return (ssize_t)got;
}

/* The last EX_HISTORY_READ_MAX bytes of the rotated file and fd (of size
 * size) together, the first partial line dropped. */
static int read_tail(int fd, off_t size, const char *path, char **out,
                     size_t *outlen) {
  char old[PATH_MAX];
  struct stat st;
  char *buf;
  char *nl;
  size_t want;
  size_t len;
  size_t from_old;
  ssize_t k;
  int ofd;
  int partial;

  want = size < EX_HISTORY_READ_MAX ? (size_t)size : EX_HISTORY_READ_MAX;
  buf = malloc(EX_HISTORY_READ_MAX + 1);
  if (buf == NULL)
    return -ENOMEM;
  len = 0;
  partial = (off_t)want < size;
  /* Older lines first, from history.jsonl.1, when the current file is
   * shorter than what may be read. */
  if (want < EX_HISTORY_READ_MAX &&
      snprintf(old, sizeof(old), "%s.1", path) < (int)sizeof(old)) {
    ofd = open(old, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (ofd != -1 && fstat(ofd, &st) == 0 && S_ISREG(st.st_mode)) {
      from_old = EX_HISTORY_READ_MAX - want;
      if ((off_t)from_old > st.st_size)
        from_old = (size_t)st.st_size;
      partial = (off_t)from_old < st.st_size;
      k = read_range(ofd, buf, st.st_size - (off_t)from_old, from_old);
      len = k > 0 ? (size_t)k : 0;
    }
    if (ofd != -1)
      close(ofd);
  }
  k = read_range(fd, buf + len, size - (off_t)want, want);
  if (k < 0) {
    free(buf);
    return (int)k;
  }
  len += (size_t)k;
  buf[len] = '\0';
  if (partial) {
    nl = memchr(buf, '\n', len);
    k = nl != NULL ? nl + 1 - buf : (ssize_t)len;
    memmove(buf, buf + k, len - (size_t)k + 1);
    len -= (size_t)k;
  }
  *out = buf;
  *outlen = len;
  return 0;
}

/* A write past RLIMIT_FSIZE would kill explain with SIGXFSZ. */
static int fits_size_limit(off_t size, size_t len) {
  struct rlimit rl;

  if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return 1;
  return (unsigned long long)size + len <= (unsigned long long)rl.rlim_cur;
}

/* Renders the lines of every diagnosis into one buffer. */
static int render_lines(const ex_report_t *r, long long now, char **out,
                        size_t *outlen) {
  char *all;
  char *line;
  char *grown;
  size_t len;
  size_t n;
  size_t i;
  int rc;

  all = NULL;
  len = 0;
  for (i = 0; i < r->ndiags; i++) {
    rc = ex_report_history_line(r, i, now, &line, &n);
    if (rc == -E2BIG)
      continue;
    if (rc != 0) {
      free(all);
      return rc;
    }
    grown = realloc(all, len + n + 1);
    if (grown == NULL) {
      free(line);
      free(all);
      return -ENOMEM;
    }
    all = grown;
    memcpy(all + len, line, n + 1);
    len += n;
    free(line);
  }
  *out = all;
  *outlen = len;
  return 0;
}

int ex_history_record(const ex_report_t *r, long long now,
                      ex_report_recurrence_t *recs) {
  char path[PATH_MAX];
  char old[PATH_MAX];
  struct stat st;
  char *lines;
  char *tail;
  size_t nlines;
  size_t ntail;
  char last;
  int fd;
  int rc;

  lines = NULL;
  tail = NULL;
  fd = -1;
  if (r->ndiags > 0)
    memset(recs, 0, r->ndiags * sizeof(*recs));
  if (r->command == NULL || r->ndiags == 0)
    return 1;
  rc = ex_history_path(path, sizeof(path));
  if (rc == -ENOENT)
    return 1;
  if (rc != 0)
    return rc;
  /* Rendered before taking the lock, which is held as briefly as can be. */
  rc = render_lines(r, now, &lines, &nlines);
  if (rc != 0 || lines == NULL)
    goto cleanup;
  rc = home_is_ours() ? make_parents(path) : -EPERM;
  if (rc != 0)
    goto cleanup;
  fd = open_locked(path, O_RDWR | O_APPEND | O_CREAT, LOCK_EX, &st);
  if (fd < 0) {
    rc = fd;
    goto cleanup;
  }
  /* Someone else's file (explain run with sudo, a shared home): leave it
   * alone rather than make it unwritable for its owner. */
  if (st.st_uid != geteuid() || !S_ISREG(st.st_mode)) {
    rc = -EPERM;
    goto cleanup;
  }
  if (read_tail(fd, st.st_size, path, &tail, &ntail) == 0)
    ex_report_history_scan(r, tail, ntail, recs);
  if (!fits_size_limit(st.st_size, nlines)) {
    rc = -EFBIG;
    goto cleanup;
  }
  /* A file that does not end a line (a full disk cut a write): end it, so
   * that this run's lines stay whole. */
  if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
      last != '\n')
    (void)ex_write_all(fd, "\n", 1);
  /* One write for the run's lines: O_APPEND and the lock keep them whole. */
  rc = ex_write_all(fd, lines, nlines);
  if (rc != 0)
    goto cleanup;
  if (st.st_size + (off_t)nlines > EX_HISTORY_ROTATE_SIZE &&
      snprintf(old, sizeof(old), "%s.1", path) < (int)sizeof(old) &&
      rename(path, old) == -1)
    rc = -errno;

cleanup:
  if (fd >= 0)
    close(fd); /* releases the lock */
  free(lines);
  free(tail);
  return rc;
}

int ex_history_read(char **buf, size_t *len) {
  char path[PATH_MAX];
  struct stat st;
  int fd;
  int rc;

  rc = ex_history_path(path, sizeof(path));
  if (rc != 0)
    return rc;
  fd = open_locked(path, O_RDONLY, LOCK_SH, &st);
  /* Just rotated, or never written: only history.jsonl.1, if any. */
  if (fd == -ENOENT)
    return read_tail(-1, 0, path, buf, len);
  if (fd < 0)
    return fd;
  rc = read_tail(fd, st.st_size, path, buf, len);
  close(fd);
  return rc;
}
