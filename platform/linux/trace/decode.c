/* The traced system calls and how a failed one is shown, the way strace
 * shows it, with its path resolved. */
#include "platform/platform.h"
#include "platform/linux/trace/trace_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

#define SYS(n, args, op, lookup)                                               \
  { __NR_##n, #n, args, op, lookup }

const ex__trace_sys_t ex__trace_sys[] = {
#ifdef __NR_open
    SYS(open, "Pfm", "open", 1),
#endif
    SYS(openat, "dPfm", "open", 1),
#ifdef __NR_openat2
    SYS(openat2, "dPHi", "open", 1),
#endif
#ifdef __NR_creat
    SYS(creat, "PM", "write", 0),
#endif
#ifdef __NR_stat
    SYS(stat, "Px", "search", 1),
#endif
#ifdef __NR_lstat
    SYS(lstat, "Px", "search", 1),
#endif
#ifdef __NR_newfstatat
    SYS(newfstatat, "dPxF", "search", 1),
#endif
#ifdef __NR_statx
    SYS(statx, "dPFxx", "search", 1),
#endif
#ifdef __NR_access
    SYS(access, "Pa", "access", 1),
#endif
    SYS(faccessat, "dPa", "access", 1),
#ifdef __NR_faccessat2
    SYS(faccessat2, "dPaF", "access", 1),
#endif
    SYS(execve, "Pvx", "exec", 1),
#ifdef __NR_execveat
    SYS(execveat, "dPvxF", "exec", 1),
#endif
#ifdef __NR_mkdir
    SYS(mkdir, "PM", "mkdir", 0),
#endif
    SYS(mkdirat, "dPM", "mkdir", 0),
#ifdef __NR_rename
    SYS(rename, "pP", "rename", 0),
#endif
#ifdef __NR_renameat
    SYS(renameat, "dpdP", "rename", 0),
#endif
#ifdef __NR_renameat2
    SYS(renameat2, "dpdPx", "rename", 0),
#endif
#ifdef __NR_unlink
    SYS(unlink, "P", "delete", 0),
#endif
    SYS(unlinkat, "dPF", "delete", 0),
#ifdef __NR_rmdir
    SYS(rmdir, "P", "delete", 0),
#endif
#ifdef __NR_link
    SYS(link, "pP", "link", 0),
#endif
    SYS(linkat, "dpdPF", "link", 0),
#ifdef __NR_symlink
    SYS(symlink, "sP", "link", 0),
#endif
    SYS(symlinkat, "sdP", "link", 0),
#ifdef __NR_chmod
    SYS(chmod, "PM", "chmod", 0),
#endif
    SYS(fchmodat, "dPM", "chmod", 0),
#ifdef __NR_chown
    SYS(chown, "Puu", "chown", 0),
#endif
#ifdef __NR_lchown
    SYS(lchown, "Puu", "chown", 0),
#endif
    SYS(fchownat, "dPuuF", "chown", 0),   SYS(truncate, "Pi", "write", 0),
    SYS(chdir, "P", "search", 0),         SYS(socket, "DTi", "socket", 0),
    SYS(bind, "iSi", "bind", 0),          SYS(connect, "iSi", "connect", 0),
    SYS(mount, "spsxx", "mount", 0),      SYS(umount2, "Px", "mount", 0),
};

const size_t ex__trace_nsys = sizeof(ex__trace_sys) / sizeof(ex__trace_sys[0]);

/* ---- memory of the tracee -------------------------------------------- */

int ex__trace_read_mem(pid_t tid, uint64_t addr, void *buf, size_t size) {
  struct iovec local;
  struct iovec remote;
  ssize_t n;

  if (addr == 0)
    return -1;
  local.iov_base = buf;
  local.iov_len = size;
  remote.iov_base = (void *)(uintptr_t)addr;
  remote.iov_len = size;
  n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  return n == (ssize_t)size ? 0 : -1;
}

long ex__trace_read_str(pid_t tid, uint64_t addr, char *buf, size_t size,
                        int *cut) {
  size_t got;
  size_t chunk;
  char *nul;
  struct iovec local;
  struct iovec remote;
  ssize_t n;

  *cut = 0;
  buf[0] = '\0';
  if (addr == 0 || size == 0)
    return -1;
  got = 0;
  while (got < size - 1) {
    /* Never across a page boundary: the next page may not be mapped. */
    chunk = 4096 - ((addr + got) & 4095);
    if (chunk > size - 1 - got)
      chunk = size - 1 - got;
    local.iov_base = buf + got;
    local.iov_len = chunk;
    remote.iov_base = (void *)(uintptr_t)(addr + got);
    remote.iov_len = chunk;
    n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (n <= 0)
      break;
    buf[got + (size_t)n] = '\0';
    nul = memchr(buf + got, '\0', (size_t)n);
    if (nul != NULL)
      return (long)(nul - buf);
    got += (size_t)n;
  }
  buf[got] = '\0';
  if (got == 0)
    return -1;
  *cut = got == size - 1;
  return (long)got;
}

/* ---- errno ------------------------------------------------------------ */

#define E(x)                                                                   \
  { x, #x }
static const struct {
  int e;
  char name[16]; /* not a pointer: no relocation at start (rules/errno.c) */
} errnos[] = {
    E(EPERM),         E(ENOENT),       E(ESRCH),           E(EINTR),
    E(EIO),           E(ENXIO),        E(E2BIG),           E(ENOEXEC),
    E(EBADF),         E(ECHILD),       E(EAGAIN),          E(ENOMEM),
    E(EACCES),        E(EFAULT),       E(EBUSY),           E(EEXIST),
    E(EXDEV),         E(ENODEV),       E(ENOTDIR),         E(EISDIR),
    E(EINVAL),        E(ENFILE),       E(EMFILE),          E(ENOTTY),
    E(ETXTBSY),       E(EFBIG),        E(ENOSPC),          E(ESPIPE),
    E(EROFS),         E(EMLINK),       E(EPIPE),           E(ENAMETOOLONG),
    E(ENOSYS),        E(ENOTEMPTY),    E(ELOOP),           E(EDQUOT),
    E(EOPNOTSUPP),    E(EAFNOSUPPORT), E(EPROTONOSUPPORT), E(EADDRINUSE),
    E(EADDRNOTAVAIL), E(ENETDOWN),     E(ENETUNREACH),     E(ECONNRESET),
    E(ECONNREFUSED),  E(EHOSTUNREACH), E(ETIMEDOUT),       E(EINPROGRESS),
    E(EALREADY),      E(EISCONN),      E(ENOTSOCK),        E(EPROTOTYPE),
    E(ESTALE),        E(EOVERFLOW),    E(ENOMEDIUM),       E(EKEYREJECTED),
    E(ENOTCONN),      E(EDESTADDRREQ), E(ENOTBLK),         E(ENOLINK),
};

const char *ex_trace_errno_name(int e) {
  size_t i;

  for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
    if (errnos[i].e == e)
      return errnos[i].name;
  }
  return NULL;
}

/* ---- relevance and noise ---------------------------------------------- */

static int is_stat_or_access(const char *name) {
  return strstr(name, "stat") != NULL || strstr(name, "access") != NULL;
}

static int is_open(const char *name) {
  return strncmp(name, "open", 4) == 0 || strcmp(name, "creat") == 0;
}

int ex_trace_relevance(const char *name, int e, long open_flags) {
  switch (e) {
  case EACCES:
  case EPERM:
  case EROFS:
  case ENOSPC:
  case EDQUOT:
  case EADDRINUSE:
  case EADDRNOTAVAIL:
  case ECONNREFUSED:
  case ENETUNREACH:
  case EHOSTUNREACH:
  case ETIMEDOUT:
  case EISDIR:
  case ELOOP:
  case ENAMETOOLONG:
  case EMFILE:
  case ENFILE:
  case ETXTBSY:
  case ENOEXEC:
  case EXDEV:
  case ENOTEMPTY:
  case EBUSY:
  case EIO:
  case EFBIG:
  case E2BIG:
  case EMLINK:
  case ESTALE:
    if (strcmp(name, "socket") == 0)
      return EX_TRACE_LOW;
    /* access(W_OK) and stat are how programs ask; a no is an answer. */
    return is_stat_or_access(name) ? EX_TRACE_MEDIUM : EX_TRACE_HIGH;
  case ENOENT:
  case ENOTDIR:
    if (is_stat_or_access(name) || strcmp(name, "unlink") == 0 ||
        strcmp(name, "unlinkat") == 0 || strcmp(name, "rmdir") == 0)
      return EX_TRACE_LOW;
    if (is_open(name) && (open_flags & O_CREAT))
      return EX_TRACE_HIGH; /* the directory to create in is missing */
    if (is_open(name) && (open_flags & O_DIRECTORY))
      return EX_TRACE_LOW; /* listing a directory that may not exist */
    return EX_TRACE_MEDIUM;
  default:
    return EX_TRACE_LOW;
  }
}

int ex_trace_is_noise_path(const char *path) {
  static const char *const exact[] = {"/etc/ld.so.preload", "/run/nscd/socket",
                                      "/var/run/nscd/socket", "/etc/suid-debug",
                                      NULL};
  static const char *const prefix[] = {"/usr/lib/locale/",
                                       "/usr/share/locale/",
                                       "/usr/share/locale-langpack/",
                                       "/proc/",
                                       "/sys/",
                                       NULL};
  static const char *const base[] = {"pyvenv.cfg", "pybuilddir.txt",
                                     "gconv-modules", "gconv-modules.cache",
                                     NULL};
  const char *b;
  size_t i;

  for (i = 0; exact[i] != NULL; i++) {
    if (strcmp(path, exact[i]) == 0)
      return 1;
  }
  for (i = 0; prefix[i] != NULL; i++) {
    if (strncmp(path, prefix[i], strlen(prefix[i])) == 0)
      return 1;
  }
  b = strrchr(path, '/');
  b = b != NULL ? b + 1 : path;
  for (i = 0; base[i] != NULL; i++) {
    if (strcmp(b, base[i]) == 0)
      return 1;
  }
  return 0;
}

/* ---- rendering -------------------------------------------------------- */

typedef struct out {
  char *buf;
  size_t size;
  size_t len;
} out_t;

static void put(out_t *o, const char *s, size_t n) {
  if (o->len + 1 >= o->size)
    return;
  if (n > o->size - 1 - o->len)
    n = o->size - 1 - o->len;
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

static void puts_(out_t *o, const char *s) {
  put(o, s, strlen(s));
}

static void putf(out_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf(out_t *o, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n > 0)
    put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A string as strace shows it: quoted, control bytes escaped. */
static void put_quoted(out_t *o, const char *s, int cut) {
  const unsigned char *p;

  puts_(o, "\"");
  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      putf(o, "\\%c", *p);
    else if (*p == '\n')
      puts_(o, "\\n");
    else if (*p == '\t')
      puts_(o, "\\t");
    else if (*p < 0x20 || *p == 0x7f)
      putf(o, "\\x%02x", *p);
    else
      put(o, (const char *)p, 1);
  }
  puts_(o, cut ? "\"..." : "\"");
}

typedef struct flag {
  long bit;
  const char *name;
} flag_t;

static void put_flags(out_t *o, long v, const flag_t *f, const char *zero) {
  int any;

  any = 0;
  for (; f->name != NULL; f++) {
    if (f->bit != 0 && (v & f->bit) == f->bit) {
      if (any)
        puts_(o, "|");
      puts_(o, f->name);
      v &= ~f->bit;
      any = 1;
    }
  }
  if (v != 0 || !any) {
    if (any)
      puts_(o, "|");
    if (v == 0 && zero != NULL)
      puts_(o, zero);
    else
      putf(o, "%#lx", v);
  }
}

static void put_open_flags(out_t *o, long v) {
  static const flag_t flags[] = {
      {O_TMPFILE, "O_TMPFILE"},   {O_CREAT, "O_CREAT"},
      {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
      {O_TRUNC, "O_TRUNC"},       {O_APPEND, "O_APPEND"},
      {O_NONBLOCK, "O_NONBLOCK"}, {O_SYNC, "O_SYNC"},
      {O_DSYNC, "O_DSYNC"},       {O_DIRECTORY, "O_DIRECTORY"},
      {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
      {O_CLOEXEC, "O_CLOEXEC"},   {O_PATH, "O_PATH"},
      {O_DIRECT, "O_DIRECT"},     {0, NULL}};
  int acc;

  acc = (int)(v & O_ACCMODE);
  puts_(o, acc == O_WRONLY ? "O_WRONLY"
           : acc == O_RDWR ? "O_RDWR"
                           : "O_RDONLY");
  v &= ~(long)O_ACCMODE;
#ifdef O_LARGEFILE
  v &= ~(long)O_LARGEFILE;
#endif
  if (v != 0) {
    puts_(o, "|");
    put_flags(o, v, flags, NULL);
  }
}

static void put_at_flags(out_t *o, const char *name, long v) {
  static const flag_t flags[] = {{AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
                                 {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
                                 {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
                                 {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
                                 {0, NULL}};

  if (v & AT_REMOVEDIR) {
    /* The same bit is AT_EACCESS for faccessat2. */
    puts_(o, strcmp(name, "unlinkat") == 0 ? "AT_REMOVEDIR" : "AT_EACCESS");
    v &= ~(long)AT_REMOVEDIR;
    if (v == 0)
      return;
    puts_(o, "|");
  }
  put_flags(o, v, flags, "0");
}

static void put_access_mode(out_t *o, long v) {
  static const flag_t flags[] = {
      {R_OK, "R_OK"}, {W_OK, "W_OK"}, {X_OK, "X_OK"}, {0, NULL}};

  put_flags(o, v, flags, "F_OK");
}

static const char *domain_name(long d) {
  switch (d) {
  case AF_UNIX:
    return "AF_UNIX";
  case AF_INET:
    return "AF_INET";
  case AF_INET6:
    return "AF_INET6";
  case AF_NETLINK:
    return "AF_NETLINK";
  case AF_PACKET:
    return "AF_PACKET";
  default:
    return NULL;
  }
}

static void put_socket_type(out_t *o, long v) {
  static const flag_t flags[] = {{SOCK_CLOEXEC, "SOCK_CLOEXEC"},
                                 {SOCK_NONBLOCK, "SOCK_NONBLOCK"},
                                 {0, NULL}};
  long t;

  t = v & 0xf;
  puts_(o, t == SOCK_STREAM      ? "SOCK_STREAM"
           : t == SOCK_DGRAM     ? "SOCK_DGRAM"
           : t == SOCK_RAW       ? "SOCK_RAW"
           : t == SOCK_SEQPACKET ? "SOCK_SEQPACKET"
                                 : "SOCK_?");
  if (v & ~0xfL) {
    puts_(o, "|");
    put_flags(o, v & ~0xfL, flags, NULL);
  }
}

/* A socket address, shown and turned into a subject ("127.0.0.1:8080",
 * "[::1]:443", a unix path, "@abstract"). */
static void put_sockaddr(out_t *o, pid_t tid, uint64_t addr, uint64_t len,
                         ex_trace_call_t *c) {
  union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    char raw[128];
  } u;
  char host[INET6_ADDRSTRLEN];
  size_t n;
  size_t plen;

  n = len < sizeof(u) ? (size_t)len : sizeof(u);
  memset(&u, 0, sizeof(u));
  if (n < sizeof(sa_family_t) || ex__trace_read_mem(tid, addr, &u, n) != 0) {
    putf(o, "%#llx", (unsigned long long)addr);
    return;
  }
  if (u.sa.sa_family == AF_INET && n >= sizeof(u.in)) {
    inet_ntop(AF_INET, &u.in.sin_addr, host, sizeof(host));
    snprintf(c->subject, sizeof(c->subject), "%s:%u", host,
             ntohs(u.in.sin_port));
    memcpy(c->subject_kind, "address", sizeof("address"));
  } else if (u.sa.sa_family == AF_INET6 && n >= sizeof(u.in6)) {
    inet_ntop(AF_INET6, &u.in6.sin6_addr, host, sizeof(host));
    snprintf(c->subject, sizeof(c->subject), "[%s]:%u", host,
             ntohs(u.in6.sin6_port));
    memcpy(c->subject_kind, "address", sizeof("address"));
  } else if (u.sa.sa_family == AF_UNIX) {
    plen = n - offsetof(struct sockaddr_un, sun_path);
    if (plen > 0 && u.un.sun_path[0] == '\0') {
      c->subject[0] = '@';
      memcpy(c->subject + 1, u.un.sun_path + 1,
             plen - 1 < sizeof(c->subject) - 2 ? plen - 1
                                               : sizeof(c->subject) - 2);
      c->subject[plen < sizeof(c->subject) - 1 ? plen
                                               : sizeof(c->subject) - 1] = '\0';
      memcpy(c->subject_kind, "address", sizeof("address"));
    } else {
      u.un.sun_path[sizeof(u.un.sun_path) - 1] = '\0';
      (void)ex_strlcpy(c->subject, u.un.sun_path, sizeof(c->subject));
      memcpy(c->subject_kind, "path", sizeof("path"));
    }
    puts_(o, "{AF_UNIX, ");
    put_quoted(o, c->subject, 0);
    puts_(o, "}");
    return;
  } else {
    putf(o, "{sa_family=%u}", (unsigned)u.sa.sa_family);
    return;
  }
  putf(o, "{%s, %s}", domain_name(u.sa.sa_family), c->subject);
}

/* path as the kernel saw it: relative paths are resolved against the
 * caller's cwd, or the directory behind dirfd. */
static void resolve(pid_t tid, int dirfd, const char *path, char *out,
                    size_t size) {
  char link[64];
  char base[EX_TRACE_PATH_MAX];
  ssize_t n;

  if (path[0] == '/') {
    (void)ex_strlcpy(out, path, size);
    return;
  }
  if (dirfd == AT_FDCWD)
    snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
  else
    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, dirfd);
  n = readlink(link, base, sizeof(base) - 1);
  if (n <= 0) {
    (void)ex_strlcpy(out, path, size);
    return;
  }
  base[n] = '\0';
  while (path[0] == '.' && path[1] == '/')
    path += 2;
  (void)ex_strlcpy(out, base, size);
  if (path[0] == '\0' || strcmp(path, ".") == 0)
    return;
  n = (ssize_t)strlen(out);
  if (strcmp(base, "/") != 0 && (size_t)n + 1 < size)
    out[n++] = '/';
  (void)ex_strlcpy(out + n, path, size - (size_t)n);
}

static void set_base(const char *path, char *base, size_t basesize) {
  const char *b;
  size_t n;

  n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  b = path + n;
  while (b > path && b[-1] != '/')
    b--;
  n = (size_t)(path + n - b);
  if (n >= basesize)
    n = basesize - 1;
  memcpy(base, b, n);
  base[n] = '\0';
}

/* The flags of an open call (open_how's for openat2). */
static long open_flags_of(const ex__trace_sys_t *sys, pid_t tid,
                          const uint64_t args[6]) {
  const char *a;
  uint64_t how;
  size_t i;

  for (a = sys->args, i = 0; *a != '\0' && i < 6; a++, i++) {
    if (*a == 'f')
      return (long)args[i];
    if (*a == 'H')
      return ex__trace_read_mem(tid, args[i], &how, sizeof(how)) == 0
                 ? (long)how
                 : 0;
  }
  return 0;
}

static void put_argv(out_t *o, pid_t tid, uint64_t addr) {
  uint64_t ptrs[4];
  char s[64];
  size_t i;
  int cut;

  if (ex__trace_read_mem(tid, addr, ptrs, sizeof(ptrs)) != 0) {
    putf(o, "%#llx", (unsigned long long)addr);
    return;
  }
  puts_(o, "[");
  for (i = 0; i < 4 && ptrs[i] != 0; i++) {
    if (i > 0)
      puts_(o, ", ");
    if (i == 3) {
      puts_(o, "...");
      break;
    }
    if (ex__trace_read_str(tid, ptrs[i], s, sizeof(s), &cut) < 0)
      puts_(o, "?");
    else
      put_quoted(o, s, cut);
  }
  puts_(o, "]");
}

void ex__trace_decode(const ex__trace_sys_t *sys, pid_t tid,
                      const uint64_t args[6], int err, ex_trace_call_t *c,
                      char *base, size_t basesize, char *raw, size_t rawsize) {
  char path[EX_TRACE_PATH_MAX];
  const char *a;
  const char *en;
  out_t o;
  long flags;
  int dirfd;
  int cut;
  size_t i;

  (void)ex_strlcpy(c->name, sys->name, sizeof(c->name));
  c->err = err;
  en = ex_trace_errno_name(err);
  if (en != NULL)
    (void)ex_strlcpy(c->errno_name, en, sizeof(c->errno_name));
  else
    snprintf(c->errno_name, sizeof(c->errno_name), "E%d", err);
  c->subject[0] = '\0';
  c->subject_kind[0] = '\0';
  base[0] = '\0';
  raw[0] = '\0';
  flags = open_flags_of(sys, tid, args);
  dirfd = AT_FDCWD;

  o.buf = c->call;
  o.size = sizeof(c->call);
  o.len = 0;
  c->call[0] = '\0';
  puts_(&o, sys->name);
  puts_(&o, "(");
  for (a = sys->args, i = 0; *a != '\0' && i < 6; a++, i++) {
    if (*a == 'm' && !(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
      continue;
    if (i > 0)
      puts_(&o, ", ");
    switch (*a) {
    case 'd':
      dirfd = (int)args[i];
      if (dirfd == AT_FDCWD)
        puts_(&o, "AT_FDCWD");
      else
        putf(&o, "%d", dirfd);
      break;
    case 'P':
    case 'p':
    case 's':
      if (ex__trace_read_str(tid, args[i], path, sizeof(path), &cut) < 0) {
        putf(&o, "%#llx", (unsigned long long)args[i]);
        break;
      }
      put_quoted(&o, path, cut);
      if (*a == 'P') {
        resolve(tid, dirfd, path, c->subject, sizeof(c->subject));
        memcpy(c->subject_kind, "path", sizeof("path"));
        set_base(path, base, basesize);
        (void)ex_strlcpy(raw, path, rawsize);
      }
      break;
    case 'f':
      put_open_flags(&o, (long)args[i]);
      break;
    case 'H':
      puts_(&o, "{flags=");
      put_open_flags(&o, flags);
      puts_(&o, "}");
      break;
    case 'm':
    case 'M':
      putf(&o, "0%o", (unsigned)(args[i] & 07777));
      break;
    case 'a':
      put_access_mode(&o, (long)args[i]);
      break;
    case 'F':
      put_at_flags(&o, sys->name, (long)(int)args[i]);
      break;
    case 'u':
      if ((int)args[i] == -1)
        puts_(&o, "-1");
      else
        putf(&o, "%u", (unsigned)args[i]);
      break;
    case 'i':
      putf(&o, "%d", (int)args[i]);
      break;
    case 'v':
      put_argv(&o, tid, args[i]);
      break;
    case 'S':
      put_sockaddr(&o, tid, args[i], i + 1 < 6 ? args[i + 1] : 0, c);
      break;
    case 'D':
      if (domain_name((long)args[i]) != NULL)
        puts_(&o, domain_name((long)args[i]));
      else
        putf(&o, "%d", (int)args[i]);
      break;
    case 'T':
      put_socket_type(&o, (long)args[i]);
      break;
    default:
      if (args[i] == 0)
        puts_(&o, "NULL");
      else
        putf(&o, "%#llx", (unsigned long long)args[i]);
      break;
    }
  }
  putf(&o, ") = -1 %s", c->errno_name);

  if (strcmp(sys->op, "open") == 0)
    (void)ex_strlcpy(c->operation,
                     (flags & O_ACCMODE) == O_RDONLY && !(flags & O_CREAT)
                         ? "read"
                         : "write",
                     sizeof(c->operation));
  else if (strcmp(sys->op, "access") == 0)
    (void)ex_strlcpy(c->operation,
                     (args[strchr(sys->args, 'a') - sys->args] & W_OK) ? "write"
                     : (args[strchr(sys->args, 'a') - sys->args] & R_OK)
                         ? "read"
                         : "search",
                     sizeof(c->operation));
  else if (strcmp(sys->name, "unlinkat") == 0 ||
           strcmp(sys->name, "rmdir") == 0 || strcmp(sys->name, "unlink") == 0)
    (void)ex_strlcpy(c->operation, "delete", sizeof(c->operation));
  else
    (void)ex_strlcpy(c->operation, sys->op, sizeof(c->operation));
  c->relevance = ex_trace_relevance(sys->name, err, flags);
}

void ex__trace_basename(const ex__trace_sys_t *sys, pid_t tid,
                        const uint64_t args[6], char *base, size_t basesize,
                        char *raw, size_t rawsize) {
  const char *p;
  int cut;

  base[0] = '\0';
  raw[0] = '\0';
  p = strchr(sys->args, 'P');
  if (p == NULL ||
      ex__trace_read_str(tid, args[p - sys->args], raw, rawsize, &cut) < 0)
    return;
  set_base(raw, base, basesize);
}
