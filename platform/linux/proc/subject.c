/* Subjects the message does not name: recovered from what the command
 * held when it printed the error (its descriptors, its sockets), from the
 * source line of the traceback's frame, and from its command line. Every
 * candidate is checked against the system where it can be, and the result
 * says how it was found. Nothing here runs a program or writes. */
#include "platform/probe.h"

#include "platform/linux/exec/exec_int.h"
#include "platform/linux/proc/sys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SOURCE_LINE_MAX 1024          /* bytes of a source line kept */
#define SOURCE_READ_MAX (1024 * 1024) /* bytes read to find it */
#define LOCK_LINES_MAX 20000
#define ARGV_WORDS_MAX 64
#define DELETED " (deleted)"

/* What an event needs. */
typedef enum {
  NEED_NONE = 0,
  NEED_WRITTEN_FILE, /* ENOSPC, EDQUOT, EFBIG, EROFS, EIO */
  NEED_ACCESS,       /* EACCES, EPERM: a path, or a port for a bind */
  NEED_BOUND_PORT,   /* EADDRINUSE */
  NEED_PEER,         /* ECONNREFUSED */
  NEED_LOCKED_FILE,  /* EAGAIN from a lock */
  NEED_DATABASE      /* SQLite's own conditions */
} need_t;

static int streq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int empty(const char *s) {
  return s == NULL || s[0] == '\0';
}

static need_t need_of(const ex_probe_event_t *ev) {
  const char *e = ev->errno_name;

  if (ev->condition != NULL && strncmp(ev->condition, "sqlite-", 7) == 0)
    return NEED_DATABASE;
  if (ev->condition != NULL)
    return NEED_NONE;
  if (streq(e, "ENOSPC") || streq(e, "EDQUOT") || streq(e, "EFBIG") ||
      streq(e, "EROFS") || streq(e, "EIO"))
    return NEED_WRITTEN_FILE;
  if (streq(e, "EACCES") || streq(e, "EPERM"))
    return NEED_ACCESS;
  if (streq(e, "EADDRINUSE"))
    return NEED_BOUND_PORT;
  if (streq(e, "ECONNREFUSED"))
    return NEED_PEER;
  if (streq(e, "EAGAIN") || streq(e, "EWOULDBLOCK"))
    return NEED_LOCKED_FILE;
  return NEED_NONE;
}

int ex_subject_wanted(const ex_probe_event_t *ev) {
  if (!empty(ev->subject_value) && strcmp(ev->subject_value, "-") != 0)
    return 0;
  /* The launcher's own events always name their command. */
  if (streq(ev->subject_kind, "command"))
    return 0;
  return need_of(ev) != NEED_NONE;
}

/* ---------------------------------------------------------------------- */
/* The command line                                                        */

typedef struct words {
  const char *w[ARGV_WORDS_MAX];
  size_t n;
} words_t;

/* The command's words: from the snapshot (the process that printed, which
 * may be a script's interpreter), else explain's own copy. */
static void words_of(const ex_probe_event_t *ev, const ex_proc_t *p,
                     words_t *out) {
  const char *a;
  size_t i;

  out->n = 0;
  if (p != NULL && p->valid && !p->from_self && p->argv_len > 0) {
    for (i = 0; out->n < ARGV_WORDS_MAX && (a = ex_proc_arg(p, i)) != NULL; i++)
      out->w[out->n++] = a;
    return;
  }
  for (i = 0;
       ev->command != NULL && ev->command[i] != NULL && out->n < ARGV_WORDS_MAX;
       i++)
    out->w[out->n++] = ev->command[i];
}

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');

  return s != NULL ? s + 1 : p;
}

/* The port a command-line word names, and whether it is named as one
 * (--port 80, -p=80, host:80, http://h:80/) rather than a bare number. */
static unsigned word_port(const words_t *w, size_t i, int *explicit) {
  const char *a = w->w[i];
  const char *prev = i > 0 ? w->w[i - 1] : "";
  const char *p;
  char buf[16];
  size_t n;

  *explicit = 0;
  if (strcmp(prev, "--port") == 0 || strcmp(prev, "-p") == 0 ||
      strcmp(prev, "-P") == 0 || strcmp(prev, "--listen") == 0 ||
      strcmp(prev, "--bind") == 0) {
    *explicit = 1;
    return ex__port_number(a);
  }
  if (strncmp(a, "--port=", 7) == 0 || strncmp(a, "-p=", 3) == 0) {
    *explicit = 1;
    return ex__port_number(strchr(a, '=') + 1);
  }
  p = strrchr(a, ':');
  if (p != NULL) {
    /* host:port, :port, scheme://host:port/path */
    n = strcspn(p + 1, "/");
    if (n == 0 || n >= sizeof(buf))
      return 0;
    memcpy(buf, p + 1, n);
    buf[n] = '\0';
    *explicit = 1;
    return ex__port_number(buf);
  }
  return ex__port_number(a);
}

/* ---------------------------------------------------------------------- */
/* Source lines                                                            */

/* Line `line` (1-based) of text[0..len) into out. Returns 1 when found. */
static int nth_line(const char *text, size_t len, long line, char *out,
                    size_t size) {
  const char *p;
  const char *end;
  const char *nl;
  long at;
  size_t n;

  p = text;
  end = text + len;
  for (at = 1; at < line && p < end; at++) {
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      return 0;
    p = nl + 1;
  }
  if (at != line || p >= end)
    return 0;
  nl = memchr(p, '\n', (size_t)(end - p));
  n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
  if (n >= size)
    n = size - 1;
  memcpy(out, p, n);
  out[n] = '\0';
  return 1;
}

/* Reads up to SOURCE_READ_MAX bytes of a regular file (never a FIFO or a
 * device: the path comes from the command's output) into a new buffer.
 * NULL when it cannot. */
static char *read_regular(const char *path, size_t *len) {
  struct stat st;
  char *buf;
  ssize_t n;
  int fd;

  *len = 0;
  fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd == -1)
    return NULL;
  buf = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    buf = malloc(SOURCE_READ_MAX);
  while (buf != NULL && *len < SOURCE_READ_MAX) {
    n = read(fd, buf + *len, SOURCE_READ_MAX - *len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    *len += (size_t)n;
  }
  close(fd);
  return buf;
}

/* Reads line `line` (1-based) of a regular file. */
static int file_line(const char *path, long line, char *out, size_t size) {
  char *buf;
  size_t len;
  int ok;

  buf = read_regular(path, &len);
  if (buf == NULL)
    return 0;
  ok = nth_line(buf, len, line, out, size);
  free(buf);
  return ok;
}

/* The code given to `python3 -c CODE` or `node -e CODE`. */
static const char *inline_code(const words_t *w, const char *const *flags) {
  size_t i;
  size_t k;

  for (i = 1; i + 1 < w->n; i++) {
    for (k = 0; flags[k] != NULL; k++) {
      if (strcmp(w->w[i], flags[k]) == 0)
        return w->w[i + 1];
    }
  }
  return NULL;
}

/* Java prints a frame's file without its directory: look where sources
 * usually are, below the cwd and the directories of the class path, in
 * the directory of the class's package. */
static int java_line(const ex_probe_event_t *ev, const ex_proc_t *p,
                     const words_t *w, long line, char *where, size_t wsize,
                     char *out, size_t size) {
  static const char *const below[] = {"", "src/", "src/main/java/",
                                      "src/test/java/", NULL};
  const char *file = ev->location_file;
  const char *klass = ex_probe_capture(ev, "frame_class");
  const char *dirs[8];
  char pkg[512];
  char path[EX_PROC_PATH_MAX];
  char cp[EX_PROC_PATH_MAX];
  const char *dot;
  char *tok;
  char *save;
  size_t ndirs;
  size_t i;
  size_t k;

  pkg[0] = '\0';
  if (klass != NULL && (dot = strrchr(klass, '.')) != NULL &&
      (size_t)(dot - klass) + 2 < sizeof(pkg)) {
    memcpy(pkg, klass, (size_t)(dot - klass));
    pkg[dot - klass] = '/';
    pkg[dot - klass + 1] = '\0';
    for (i = 0; pkg[i] != '\0'; i++) {
      if (pkg[i] == '.')
        pkg[i] = '/';
    }
  }
  ndirs = 0;
  if (p != NULL && p->cwd[0] == '/')
    dirs[ndirs++] = p->cwd;
  cp[0] = '\0';
  for (i = 1; i + 1 < w->n; i++) {
    if (strcmp(w->w[i], "-cp") == 0 || strcmp(w->w[i], "-classpath") == 0 ||
        strcmp(w->w[i], "--class-path") == 0)
      ex_strlcpy(cp, w->w[i + 1], sizeof(cp));
  }
  for (tok = strtok_r(cp, ":", &save); tok != NULL && ndirs < 8;
       tok = strtok_r(NULL, ":", &save)) {
    if (tok[0] == '/')
      dirs[ndirs++] = tok;
  }
  for (i = 0; i < ndirs; i++) {
    for (k = 0; below[k] != NULL; k++) {
      if ((size_t)snprintf(path, sizeof(path), "%s/%s%s%s", dirs[i], below[k],
                           pkg, file) >= sizeof(path))
        continue;
      if (file_line(path, line, out, size)) {
        ex_strlcpy(where, path, wsize);
        return 1;
      }
    }
  }
  return 0;
}

/* The source line of the event's frame. where gets "file:line". */
static int source_line(const ex_probe_event_t *ev, const ex_proc_t *p,
                       const words_t *w, char *where, size_t wsize, char *out,
                       size_t size) {
  static const char *const py_flags[] = {"-c", NULL};
  static const char *const js_flags[] = {"-e", "--eval", "-p", "--print", NULL};
  const char *file = ev->location_file;
  const char *code;
  const char *prog;
  char *abs;
  int ok;

  if (empty(file) || ev->location_line <= 0)
    return 0;
  prog = w->n > 0 ? base_name(w->w[0]) : "";
  snprintf(where, wsize, "%s:%ld", file, ev->location_line);
  if (strcmp(file, "<string>") == 0 || strcmp(file, "[eval]") == 0) {
    code = strncmp(prog, "python", 6) == 0 ? inline_code(w, py_flags)
           : strncmp(prog, "node", 4) == 0 ? inline_code(w, js_flags)
                                           : NULL;
    return code != NULL &&
           nth_line(code, strlen(code), ev->location_line, out, size);
  }
  if (strchr(file, '/') == NULL && strlen(file) > 5 &&
      strcmp(file + strlen(file) - 5, ".java") == 0) {
    ok = java_line(ev, p, w, ev->location_line, where, wsize, out, size);
    if (ok)
      snprintf(where + strlen(where), wsize - strlen(where), ":%ld",
               ev->location_line);
    return ok;
  }
  abs = ex__path_absolute(p, file);
  if (abs == NULL)
    return 0;
  ok = file_line(abs, ev->location_line, out, size);
  free(abs);
  return ok;
}

/* What a source line says: the call it makes and its literal values. */
typedef struct src {
  char op[16]; /* "bind", "connect", "open" */
  char path[EX_PROC_PATH_MAX];
  char host[256];
  int has_host;
  unsigned port;
  char text[SOURCE_LINE_MAX]; /* the line, trimmed */
} src_t;

typedef struct call_kind {
  const char *name;
  const char *op;
} call_kind_t;

/* Calls that show the operation, by their name just before "(". */
static const call_kind_t calls[] = {
    {"bind", "bind"},
    {"listen", "bind"},
    {"HTTPServer", "bind"},
    {"ThreadingHTTPServer", "bind"},
    {"TCPServer", "bind"},
    {"ThreadingTCPServer", "bind"},
    {"UDPServer", "bind"},
    {"make_server", "bind"},
    {"ServerSocket", "bind"},
    {"createServer", "bind"},
    {"run", "bind"}, /* app.run(host=..., port=...) */
    {"serve", "bind"},
    {"create_server", "bind"},
    {"connect", "connect"},
    {"connect_ex", "connect"},
    {"create_connection", "connect"},
    {"createConnection", "connect"},
    {"Socket", "connect"},
    {"open", "open"},
    {"fopen", "open"},
    {"openSync", "open"},
    {"writeFileSync", "open"},
    {"writeFile", "open"},
    {"appendFileSync", "open"},
    {"appendFile", "open"},
    {"createWriteStream", "open"},
    {"FileOutputStream", "open"},
    {"FileWriter", "open"},
    {"RandomAccessFile", "open"},
    {"write_text", "open"},
    {"write_bytes", "open"},
    {"Path", "open"},
    {"copyfile", "open"},
    {"copy", "open"},
    {"mkdir", "open"},
    {"makedirs", "open"},
    {"flock", "open"},
    {"lockf", "open"},
};

/* Reads a string literal at s (after any r/b/u/f prefix) into out;
 * returns the text after it, or NULL when s is no literal or the literal
 * is built at run time (f-strings, ${...}, %s). */
static const char *string_literal(const char *s, char *out, size_t size,
                                  int *dynamic) {
  char q;
  size_t n;
  int fmt;

  *dynamic = 0;
  fmt = 0;
  while (*s == 'r' || *s == 'b' || *s == 'u' || *s == 'f' || *s == 'R' ||
         *s == 'B' || *s == 'F') {
    if (*s == 'f' || *s == 'F')
      fmt = 1;
    s++;
  }
  q = *s;
  if (q != '\'' && q != '"' && q != '`')
    return NULL;
  s++;
  n = 0;
  while (*s != '\0' && *s != q) {
    if (*s == '\\' && s[1] != '\0')
      s++;
    if ((fmt && *s == '{') || (q == '`' && *s == '$' && s[1] == '{') ||
        (*s == '%' && (s[1] == 's' || s[1] == 'd')))
      *dynamic = 1;
    if (n + 1 < size)
      out[n++] = *s;
    s++;
  }
  out[n] = '\0';
  if (*s != q)
    return NULL;
  return s + 1;
}

static int host_like(const char *h) {
  size_t i;

  for (i = 0; h[i] != '\0'; i++) {
    if (!isalnum((unsigned char)h[i]) && h[i] != '.' && h[i] != '-' &&
        h[i] != ':' && h[i] != '[' && h[i] != ']')
      return 0;
  }
  return i < 254;
}

/* The name of the call whose "(" is at s[at], or "" . */
static void call_before(const char *s, size_t at, char *name, size_t size) {
  size_t end;
  size_t start;

  name[0] = '\0';
  end = at;
  while (end > 0 && s[end - 1] == ' ')
    end--;
  start = end;
  while (start > 0 &&
         (isalnum((unsigned char)s[start - 1]) || s[start - 1] == '_'))
    start--;
  if (end - start == 0 || end - start >= size)
    return;
  memcpy(name, s + start, end - start);
  name[end - start] = '\0';
}

static const char *op_of_call(const char *name) {
  size_t i;

  for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
    if (strcmp(calls[i].name, name) == 0)
      return calls[i].op;
  }
  return NULL;
}

/* Finds the first call that shows an operation, then the literals in its
 * arguments: a string (a path, or a host before a port) and a port
 * (a number, or port=N, port: N). */
static int parse_source(const char *line, src_t *o) {
  char name[64];
  char lit[EX_PROC_PATH_MAX];
  const char *s;
  const char *op;
  const char *after;
  const char *k;
  size_t i;
  size_t start;
  int depth;
  int dynamic;
  int first;
  char *end;
  unsigned long v;

  memset(o, 0, sizeof(*o));
  s = line;
  while (*s == ' ' || *s == '\t')
    s++;
  ex_strlcpy(o->text, s, sizeof(o->text));
  op = NULL;
  start = 0;
  for (i = 0; s[i] != '\0'; i++) {
    /* Skip literals so that "(" inside them is not a call. */
    if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
      after = string_literal(s + i, lit, sizeof(lit), &dynamic);
      if (after == NULL)
        break;
      i = (size_t)(after - s) - 1;
      continue;
    }
    if (s[i] != '(')
      continue;
    call_before(s, i, name, sizeof(name));
    op = op_of_call(name);
    if (op != NULL) {
      start = i + 1;
      break;
    }
  }
  if (op == NULL)
    return 0;
  ex_strlcpy(o->op, op, sizeof(o->op));
  depth = 1;
  for (i = start; s[i] != '\0' && depth > 0; i++) {
    if (s[i] == '(' || s[i] == '[' || s[i] == '{') {
      depth++;
      continue;
    }
    if (s[i] == ')' || s[i] == ']' || s[i] == '}') {
      depth--;
      continue;
    }
    if ((s[i] == '\'' || s[i] == '"' || s[i] == '`') ||
        ((s[i] == 'r' || s[i] == 'b' || s[i] == 'f') &&
         (s[i + 1] == '\'' || s[i + 1] == '"') &&
         (i == 0 || !isalnum((unsigned char)s[i - 1])))) {
      after = string_literal(s + i, lit, sizeof(lit), &dynamic);
      if (after == NULL)
        break;
      /* A path is the call's first argument: open(name, 'w') names no
       * file, whatever its mode string says. */
      k = s + start;
      while (*k == ' ')
        k++;
      first = k == s + i && depth == 1;
      if (!dynamic && first && o->path[0] == '\0' && strcmp(op, "open") == 0 &&
          lit[0] != '\0')
        ex_strlcpy(o->path, lit, sizeof(o->path));
      if (!dynamic && first && strcmp(op, "connect") == 0 &&
          o->path[0] == '\0' &&
          (strchr(lit, '/') != NULL || strstr(lit, ".db") != NULL ||
           strstr(lit, ".sqlite") != NULL))
        ex_strlcpy(o->path, lit, sizeof(o->path));
      if (!dynamic && !o->has_host && strcmp(op, "open") != 0 &&
          host_like(lit)) {
        ex_strlcpy(o->host, lit, sizeof(o->host));
        o->has_host = 1;
      }
      i = (size_t)(after - s) - 1;
      continue;
    }
    if (isdigit((unsigned char)s[i]) && o->port == 0 &&
        strcmp(op, "open") != 0 &&
        (i == 0 || (!isalnum((unsigned char)s[i - 1]) && s[i - 1] != '.' &&
                    s[i - 1] != '_'))) {
      v = strtoul(s + i, &end, 10);
      /* A float or part of a name is no port. */
      if (*end != '.' && !isalnum((unsigned char)*end) && v > 0 && v <= 65535) {
        /* An argument of its own ("(80", ", 80"), or port=80 / port: 80;
         * another keyword (backlog=5) or an index (argv[1]) is not. */
        k = s + i;
        while (k > s && k[-1] == ' ')
          k--;
        if (k > s && (k[-1] == ',' || k[-1] == '('))
          o->port = (unsigned)v;
        else if (k > s && (k[-1] == '=' || k[-1] == ':')) {
          k--;
          while (k > s && k[-1] == ' ')
            k--;
          if (k - s >= 4 && strncasecmp(k - 4, "port", 4) == 0)
            o->port = (unsigned)v;
        }
      }
      i = (size_t)(end - s) - 1;
    }
  }
  return 1;
}

/* ---------------------------------------------------------------------- */
/* Descriptors                                                             */

/* The path of a descriptor's target, without " (deleted)". */
static void fd_path(const ex_proc_t *p, const ex_proc_fd_t *f, char *out,
                    size_t size, int *deleted) {
  const char *name;
  size_t n;
  size_t dl;

  name = ex_proc_fd_name(p, f);
  ex_strlcpy(out, name, size);
  n = strlen(out);
  dl = strlen(DELETED);
  *deleted = n > dl && strcmp(out + n - dl, DELETED) == 0;
  if (*deleted)
    out[n - dl] = '\0';
}

static int writes(const ex_proc_fd_t *f) {
  return f->flags >= 0 && ((f->flags & O_ACCMODE) == O_WRONLY ||
                           (f->flags & O_ACCMODE) == O_RDWR);
}

/* 1 when the file system of path is full (as the no-space probes count
 * it: under 1% or 1 MiB, or no inode left) or read-only, as asked. */
static int fs_state(const char *path, int deleted, const char *errno_name) {
  char dir[EX_PROC_PATH_MAX];
  struct statvfs v;
  unsigned long long total;
  unsigned long long avail;
  char *slash;

  ex_strlcpy(dir, path, sizeof(dir));
  if (deleted) {
    slash = strrchr(dir, '/');
    if (slash != NULL && slash != dir)
      *slash = '\0';
  }
  if (statvfs(dir, &v) != 0)
    return 0;
  if (streq(errno_name, "EROFS"))
    return (v.f_flag & ST_RDONLY) != 0;
  if (!streq(errno_name, "ENOSPC") && !streq(errno_name, "EDQUOT"))
    return 0;
  total = (unsigned long long)v.f_blocks * v.f_frsize;
  avail = (unsigned long long)v.f_bavail * v.f_frsize;
  return (total > 0 && (avail < 1024ULL * 1024 || avail * 100 < total)) ||
         (v.f_files > 0 && v.f_favail == 0);
}

static const char *std_name(int fd) {
  return fd == 0   ? " (stdin)"
         : fd == 1 ? " (stdout)"
         : fd == 2 ? " (stderr)"
                   : "";
}

/* The file being written: open for writing on a file system in the state
 * the errno describes (full, read-only). verified tells whether the state
 * was seen. */
static int written_file(const ex_probe_event_t *ev, const ex_proc_t *p,
                        ex_subject_t *o, int unverified_ok) {
  char path[EX_PROC_PATH_MAX];
  const ex_proc_fd_t *best;
  const ex_proc_fd_t *only;
  size_t nwriters;
  size_t nbest;
  size_t i;
  int deleted;

  best = NULL;
  only = NULL;
  nbest = 0;
  nwriters = 0;
  for (i = 0; i < p->nfds_kept; i++) {
    const ex_proc_fd_t *f = &p->fds[i];

    if (f->kind != EX_PROC_FD_FILE || !writes(f))
      continue;
    fd_path(p, f, path, sizeof(path), &deleted);
    if (path[0] != '/')
      continue;
    nwriters++;
    only = f;
    if (!fs_state(path, deleted, ev->errno_name))
      continue;
    nbest++;
    /* The file written furthest is the likeliest to have filled it. */
    if (best == NULL || f->pos > best->pos ||
        (f->pos == best->pos && f->fd > best->fd))
      best = f;
  }
  if (best == NULL && unverified_ok && nwriters == 1)
    best = only;
  if (best == NULL)
    return 0;
  fd_path(p, best, path, sizeof(path), &deleted);
  ex_strlcpy(o->kind, "path", sizeof(o->kind));
  ex_strlcpy(o->value, path, sizeof(o->value));
  ex_strlcpy(o->how, "descriptor", sizeof(o->how));
  if (nbest > 0)
    snprintf(o->from, sizeof(o->from),
             "the file open for writing on fd %d%s%s, on a %s file system%s",
             best->fd, std_name(best->fd), deleted ? " (deleted since)" : "",
             streq(ev->errno_name, "EROFS") ? "read-only" : "full",
             nbest > 1 ? " (the one written furthest of several)" : "");
  else
    snprintf(o->from, sizeof(o->from),
             "the only file open for writing, on fd %d%s%s", best->fd,
             std_name(best->fd), deleted ? " (deleted since)" : "");
  return 1;
}

/* A file the command has open that another process holds a lock on, from
 * /proc/locks. */
static int locked_file(const ex_proc_t *p, ex_subject_t *o) {
  char line[256];
  char path[EX_PROC_PATH_MAX];
  ex_lock_line_t l;
  size_t lines;
  size_t i;
  int deleted;
  FILE *fp;

  fp = fopen("/proc/locks", "re");
  if (fp == NULL)
    return 0;
  lines = 0;
  while (lines++ < LOCK_LINES_MAX && fgets(line, sizeof(line), fp) != NULL) {
    if (ex__lock_line_parse(line, &l) != 0)
      continue;
    if (l.pid == p->pid)
      continue;
    for (i = 0; i < p->nfds_kept; i++) {
      const ex_proc_fd_t *f = &p->fds[i];

      if (f->kind != EX_PROC_FD_FILE || f->locked || f->dev == 0 ||
          major((dev_t)f->dev) != l.maj || minor((dev_t)f->dev) != l.min ||
          f->ino != (unsigned long long)l.ino)
        continue;
      fd_path(p, f, path, sizeof(path), &deleted);
      if (path[0] != '/')
        continue;
      ex_strlcpy(o->kind, "lock", sizeof(o->kind));
      ex_strlcpy(o->value, path, sizeof(o->value));
      ex_strlcpy(o->how, "descriptor", sizeof(o->how));
      if (l.pid > 0)
        snprintf(o->from, sizeof(o->from),
                 "the file open on fd %d, which pid %d holds locked (%s %s "
                 "lock in /proc/locks)",
                 f->fd, (int)l.pid, l.kind, l.mode);
      else
        snprintf(o->from, sizeof(o->from),
                 "the file open on fd %d, which another open file holds "
                 "locked (%s %s lock in /proc/locks)",
                 f->fd, l.kind, l.mode);
      fclose(fp);
      return 1;
    }
  }
  fclose(fp);
  return 0;
}

/* 1 when path starts with SQLite's header. */
static int sqlite_file(const char *path) {
  char head[16];
  struct stat st;
  ssize_t n;
  int fd;

  fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd == -1)
    return 0;
  n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    n = read(fd, head, sizeof(head));
  close(fd);
  return n == (ssize_t)sizeof(head) && memcmp(head, "SQLite format 3", 16) == 0;
}

/* The main database file of a path that may be its -journal, -wal or
 * -shm. */
static void main_database(char *path) {
  static const char *const sfx[] = {"-journal", "-wal", "-shm", NULL};
  size_t n;
  size_t k;
  size_t sl;

  n = strlen(path);
  for (k = 0; sfx[k] != NULL; k++) {
    sl = strlen(sfx[k]);
    if (n > sl && strcmp(path + n - sl, sfx[k]) == 0) {
      path[n - sl] = '\0';
      return;
    }
  }
}

static int database_fd(const ex_proc_t *p, ex_subject_t *o) {
  char path[EX_PROC_PATH_MAX];
  size_t i;
  int deleted;

  for (i = p->nfds_kept; i > 0; i--) {
    const ex_proc_fd_t *f = &p->fds[i - 1];

    if (f->kind != EX_PROC_FD_FILE)
      continue;
    fd_path(p, f, path, sizeof(path), &deleted);
    if (path[0] != '/' || deleted)
      continue;
    main_database(path);
    if (!sqlite_file(path))
      continue;
    ex_strlcpy(o->kind, "path", sizeof(o->kind));
    ex_strlcpy(o->value, path, sizeof(o->value));
    ex_strlcpy(o->how, "descriptor", sizeof(o->how));
    snprintf(o->from, sizeof(o->from),
             "the SQLite database open on fd %d (opened %s)", f->fd,
             writes(f) ? "read-write" : "read-only");
    return 1;
  }
  return 0;
}

/* A socket of the command connected to a peer (a UDP socket gets
 * ECONNREFUSED on a later send or receive; a TCP one still connecting). */
static int peer_socket(const ex_proc_t *p, ex_subject_t *o) {
  size_t i;
  const ex_proc_sock_t *k;

  for (i = p->nsocks; i > 0; i--) {
    k = &p->socks[i - 1];
    if (k->remote_port == 0 || k->state == 0x0A)
      continue;
    ex_strlcpy(o->kind, "address", sizeof(o->kind));
    snprintf(o->value, sizeof(o->value),
             strchr(k->remote, ':') != NULL ? "[%s]:%u" : "%s:%u", k->remote,
             k->remote_port);
    ex_strlcpy(o->how, "socket", sizeof(o->how));
    ex_strlcpy(o->protocol, "udp", sizeof(o->protocol));
    snprintf(o->from, sizeof(o->from),
             "the %s socket on fd %d, connected to %s port %u", k->proto, k->fd,
             k->remote, k->remote_port);
    return 1;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Ports named on the command line                                         */

static int listened_now(unsigned port) {
  ex_port_scan_t *scan;
  int busy;

  scan = malloc(sizeof(*scan));
  if (scan == NULL)
    return 0;
  busy = ex__port_scan("/proc/net", port, 0, scan) == 0 &&
         (scan->nlisten > 0 || scan->time_wait > 0);
  free(scan);
  return busy;
}

static long unprivileged_start(void) {
  char buf[32];

  if (ex_read_small("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf,
                    sizeof(buf)) > 0)
    return strtol(buf, NULL, 10);
  return 1024;
}

/* A port on the command line that fits the errno: held now (EADDRINUSE),
 * privileged (a denied bind), or named as a port (a refused connect). */
static int argv_port(const ex_probe_event_t *ev, const words_t *w, need_t need,
                     ex_subject_t *o) {
  unsigned port;
  size_t i;
  int explicit;
  int fits;
  int opt;

  for (i = 1; i < w->n; i++) {
    port = word_port(w, i, &explicit);
    if (port == 0)
      continue;
    if (need == NEED_BOUND_PORT)
      fits = port >= 80 && listened_now(port);
    else if (need == NEED_ACCESS)
      fits = (long)port < unprivileged_start();
    else
      fits = explicit;
    if (!fits)
      continue;
    ex_strlcpy(o->kind, need == NEED_PEER ? "address" : "port",
               sizeof(o->kind));
    if (need == NEED_PEER)
      snprintf(o->value, sizeof(o->value), "localhost:%u", port);
    else
      snprintf(o->value, sizeof(o->value), "%u", port);
    if (need == NEED_ACCESS)
      ex_strlcpy(o->operation, "bind", sizeof(o->operation));
    ex_strlcpy(o->how, "command-line", sizeof(o->how));
    /* "--port 8000" shows its option; a bare "8000" stands alone. */
    opt = explicit && w->w[i - 1][0] == '-' && strchr(w->w[i], '=') == NULL;
    snprintf(o->from, sizeof(o->from), "the command line (%s%s%s)%s",
             opt ? w->w[i - 1] : "", opt ? " " : "", w->w[i],
             need == NEED_BOUND_PORT ? ", a port something listens on now"
             : need == NEED_ACCESS   ? ", a privileged port"
                                     : "");
    (void)ev;
    return 1;
  }
  return 0;
}

/* A path on the command line on a file system in the state of the errno
 * (a script's output file). */
static int argv_path(const ex_probe_event_t *ev, const ex_proc_t *p,
                     const words_t *w, need_t need, ex_subject_t *o) {
  struct stat st;
  char *abs;
  size_t i;
  int ok;

  for (i = 1; i < w->n; i++) {
    if (w->w[i][0] == '-' || w->w[i][0] == '\0')
      continue;
    abs = ex__path_absolute(p, w->w[i]);
    if (abs == NULL)
      return 0;
    ok = stat(abs, &st) == 0 && S_ISREG(st.st_mode) &&
         (need == NEED_DATABASE ? sqlite_file(abs)
                                : fs_state(abs, 0, ev->errno_name));
    if (ok) {
      ex_strlcpy(o->kind, "path", sizeof(o->kind));
      ex_strlcpy(o->value, abs, sizeof(o->value));
      ex_strlcpy(o->how, "command-line", sizeof(o->how));
      snprintf(o->from, sizeof(o->from), "the command line (%s)%s", w->w[i],
               need == NEED_DATABASE ? ", a SQLite database"
               : streq(ev->errno_name, "EROFS")
                   ? ", a file on a read-only file system"
                   : ", a file on a full file system");
    }
    free(abs);
    if (ok)
      return 1;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Recovery                                                                */

/* Applies what the source line says. Returns 1 when it names the
 * subject. */
static int from_source(const ex_probe_event_t *ev, need_t need,
                       const src_t *src, const char *where, ex_subject_t *o) {
  const char *what;
  char shown[160];
  int sock;

  sock = strcmp(src->op, "bind") == 0 || strcmp(src->op, "connect") == 0;
  ex_strlcpy(shown, src->text, sizeof(shown));
  if (strlen(src->text) >= sizeof(shown))
    memcpy(shown + sizeof(shown) - 4, "...", 4);
  what = NULL;
  if (need == NEED_PEER && strcmp(src->op, "connect") == 0 && src->port != 0) {
    ex_strlcpy(o->kind, "address", sizeof(o->kind));
    snprintf(o->value, sizeof(o->value),
             strchr(src->host, ':') != NULL ? "[%s]:%u" : "%s:%u",
             src->host[0] != '\0' ? src->host : "localhost", src->port);
    what = "the address";
  } else if ((need == NEED_BOUND_PORT ||
              (need == NEED_ACCESS && streq(ev->operation, "bind"))) &&
             src->port != 0 && strcmp(src->op, "bind") == 0) {
    ex_strlcpy(o->kind, "port", sizeof(o->kind));
    snprintf(o->value, sizeof(o->value), "%u", src->port);
    what = "the port";
  } else if (need == NEED_ACCESS && sock && src->port != 0) {
    /* A bind or connect refused without a path: the socket's port. */
    ex_strlcpy(o->kind, strcmp(src->op, "bind") == 0 ? "port" : "address",
               sizeof(o->kind));
    if (strcmp(src->op, "bind") == 0)
      snprintf(o->value, sizeof(o->value), "%u", src->port);
    else
      snprintf(o->value, sizeof(o->value), "%s:%u",
               src->host[0] != '\0' ? src->host : "localhost", src->port);
    ex_strlcpy(o->operation, src->op, sizeof(o->operation));
    what = "the port";
  } else if ((need == NEED_WRITTEN_FILE || need == NEED_ACCESS ||
              need == NEED_LOCKED_FILE || need == NEED_DATABASE) &&
             src->path[0] != '\0') {
    ex_strlcpy(o->kind, need == NEED_LOCKED_FILE ? "lock" : "path",
               sizeof(o->kind));
    ex_strlcpy(o->value, src->path, sizeof(o->value));
    what = "the path";
  }
  if (what == NULL)
    return 0;
  ex_strlcpy(o->how, "source-line", sizeof(o->how));
  snprintf(o->from, sizeof(o->from), "%s in the source line %s: %s", what,
           where, shown);
  return 1;
}

/* The one database a script opens: a frame's line that only uses the
 * connection (db.execute(...)) does not name it, but when the file (or the
 * -c code) has exactly one sqlite3.connect() of a literal path, that is
 * it. */
static int source_database(const ex_probe_event_t *ev, const ex_proc_t *p,
                           const words_t *w, ex_subject_t *o) {
  static const char *const py_flags[] = {"-c", NULL};
  const char *file = ev->location_file;
  const char *code;
  char *buf;
  char *abs;
  char *line;
  char *save;
  src_t *src;
  char path[EX_PROC_PATH_MAX];
  size_t len;
  int n;

  if (empty(file))
    return 0;
  buf = NULL;
  len = 0;
  if (strcmp(file, "<string>") == 0) {
    code = inline_code(w, py_flags);
    if (code == NULL)
      return 0;
    buf = strdup(code);
  } else {
    abs = ex__path_absolute(p, file);
    if (abs == NULL)
      return 0;
    buf = read_regular(abs, &len);
    free(abs);
    if (buf != NULL)
      buf[len < SOURCE_READ_MAX ? len : SOURCE_READ_MAX - 1] = '\0';
  }
  src = malloc(sizeof(*src));
  if (buf == NULL || src == NULL) {
    free(buf);
    free(src);
    return 0;
  }
  n = 0;
  path[0] = '\0';
  for (line = strtok_r(buf, "\n", &save); line != NULL && n < 2;
       line = strtok_r(NULL, "\n", &save)) {
    if (strstr(line, "connect") == NULL || strstr(line, "sqlite") == NULL)
      continue;
    if (!parse_source(line, src) || strcmp(src->op, "connect") != 0 ||
        src->path[0] == '\0')
      continue;
    if (n == 0 || strcmp(path, src->path) != 0) {
      n++;
      ex_strlcpy(path, src->path, sizeof(path));
    }
  }
  free(buf);
  free(src);
  if (n != 1)
    return 0;
  ex_strlcpy(o->kind, "path", sizeof(o->kind));
  ex_strlcpy(o->value, path, sizeof(o->value));
  ex_strlcpy(o->how, "source-line", sizeof(o->how));
  snprintf(o->from, sizeof(o->from),
           "the one database %s opens (sqlite3.connect of %s)", file, path);
  return 1;
}

static const char *need_word(need_t need) {
  switch (need) {
  case NEED_BOUND_PORT:
    return "port";
  case NEED_PEER:
    return "address";
  case NEED_LOCKED_FILE:
    return "locked file";
  case NEED_DATABASE:
    return "database";
  case NEED_ACCESS:
    return "path or port";
  default:
    return "file";
  }
}

int ex_subject_recover(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       ex_subject_t *out) {
  char where[EX_PROC_PATH_MAX + 32];
  char line[SOURCE_LINE_MAX];
  src_t *src;
  words_t w;
  need_t need;
  int seen;
  int have_line;
  int have_src;
  int found;

  memset(out, 0, sizeof(*out));
  need = need_of(ev);
  if (need == NEED_NONE)
    return 0;
  seen = proc != NULL && proc->valid && !proc->from_self;
  words_of(ev, proc, &w);
  src = malloc(sizeof(*src));
  if (src == NULL)
    return -ENOMEM;
  have_line =
      source_line(ev, proc, &w, where, sizeof(where), line, sizeof(line));
  have_src = have_line && parse_source(line, src);
  found = 0;
  /* A bind the source line shows makes a path-less EACCES a port's. */
  if (need == NEED_ACCESS && have_src && strcmp(src->op, "bind") == 0 &&
      src->port == 0)
    ex_strlcpy(out->operation, "bind", sizeof(out->operation));

  switch (need) {
  case NEED_WRITTEN_FILE:
    found = (seen && written_file(ev, proc, out, 0)) ||
            (have_src && from_source(ev, need, src, where, out)) ||
            (seen && written_file(ev, proc, out, 1)) ||
            argv_path(ev, proc, &w, need, out);
    break;
  case NEED_ACCESS:
    found = (have_src && from_source(ev, need, src, where, out)) ||
            (out->operation[0] != '\0' && argv_port(ev, &w, need, out));
    break;
  case NEED_BOUND_PORT:
    found = (have_src && from_source(ev, need, src, where, out)) ||
            argv_port(ev, &w, need, out);
    break;
  case NEED_PEER:
    found = (seen && peer_socket(proc, out)) ||
            (have_src && from_source(ev, need, src, where, out)) ||
            argv_port(ev, &w, need, out);
    break;
  case NEED_LOCKED_FILE:
    found = (seen && locked_file(proc, out)) ||
            (have_src && from_source(ev, need, src, where, out));
    break;
  case NEED_DATABASE:
    found = (seen && database_fd(proc, out)) ||
            (have_src && from_source(ev, need, src, where, out)) ||
            argv_path(ev, proc, &w, need, out) ||
            source_database(ev, proc, &w, out);
    break;
  default:
    break;
  }
  if (!found) {
    char op[16];

    /* Keep an operation the source line showed: it still decides which
     * probes apply. */
    ex_strlcpy(op, out->operation, sizeof(op));
    memset(out, 0, sizeof(*out));
    ex_strlcpy(out->operation, op, sizeof(out->operation));
    snprintf(out->from, sizeof(out->from),
             "nothing names the %s: not the message%s%s%s%s", need_word(need),
             seen ? ", nor the descriptors the command held" : "",
             have_line ? ", nor the source line " : "", have_line ? where : "",
             w.n > 0 ? ", nor its command line" : "");
    if (!seen && !ev->command)
      ; /* --log: only the message and the source line were there */
    else if (!seen)
      snprintf(out->from + strlen(out->from),
               sizeof(out->from) - strlen(out->from),
               " (the command ended before its descriptors could be "
               "read)");
  }
  free(src);
  return found;
}

const char *ex_subject_frame_operation(const ex_probe_event_t *ev,
                                       const ex_proc_t *proc) {
  struct stat st;
  const char *base;
  char *abs;
  int dir;

  if (empty(ev->location_file) || empty(ev->subject_value) ||
      (!streq(ev->errno_name, "EACCES") && !streq(ev->errno_name, "EPERM") &&
       !streq(ev->errno_name, "ENOEXEC")) ||
      (!streq(ev->operation, "open") && !streq(ev->operation, "other")))
    return NULL;
  base = base_name(ev->location_file);
  if (strcmp(base, "subprocess.py") != 0 && strcmp(base, "os.py") != 0)
    return NULL;
  /* Only the interpreter's own copies, not a script of that name. */
  if (strstr(ev->location_file, "/python") == NULL)
    return NULL;
  abs = ex__path_absolute(proc, ev->subject_value);
  if (abs == NULL)
    return NULL;
  dir = stat(abs, &st) == 0 && S_ISDIR(st.st_mode);
  free(abs);
  return dir ? "search" : "exec";
}
