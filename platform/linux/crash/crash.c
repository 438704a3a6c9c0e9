/* crash: preparing the reporter, collecting what it and the kernel saw. */
#include "platform/crash.h"

#include "config.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define EX_REPORT_MAX (2 * 1024 * 1024)
#define EX_KMSG_RECORDS 200000

extern char **environ;

/* ex_crash_t is large (64 frames) and almost always unused. The first one
 * of the process is in .bss: its pages are zero and cost nothing until
 * written, with no mmap at every start. Any later one (tests) comes from
 * mmap, zero for the same reason; calloc would clear them all. */
static ex_crash_t first_crash
    __attribute__((section(".lbss.explain_crash"), aligned(4096)));
static int first_crash_taken __attribute__((section(".data")));

EX_HOT int ex_crash_new(ex_crash_t **out) {
  void *p;

  if (!first_crash_taken) {
    first_crash_taken = 1;
    *out = &first_crash;
    return 0;
  }
  p = mmap(NULL, sizeof(**out), PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *out = p == MAP_FAILED ? NULL : p;
  return *out == NULL ? -ENOMEM : 0;
}

/* The report directory, when the handler made it: ours (owner, mode 0700,
 * a real directory). Anything else at that name is not touched. */
static int dir_is_ours(const ex_crash_t *c) {
  struct stat st;

  return c->dir[0] != '\0' && lstat(c->dir, &st) == 0 && S_ISDIR(st.st_mode) &&
         st.st_uid == geteuid() && (st.st_mode & 077) == 0;
}

/* Removes the report files and the directory. */
static void remove_dir(ex_crash_t *c) {
  char path[PATH_MAX];
  DIR *d;
  struct dirent *e;

  if (!dir_is_ours(c)) {
    c->dir[0] = '\0';
    return;
  }
  d = opendir(c->dir);
  if (d != NULL) {
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.')
        continue;
      snprintf(path, sizeof(path), "%s/%s", c->dir, e->d_name);
      (void)unlink(path);
    }
    closedir(d);
  }
  (void)rmdir(c->dir);
  c->dir[0] = '\0';
}

void ex_crash_free(ex_crash_t *c) {
  size_t i;

  if (c == NULL)
    return;
  remove_dir(c);
  for (i = 0; i < sizeof(c->env) / sizeof(c->env[0]); i++)
    free(c->env[i]);
  if (c != &first_crash) /* never handed out again: left as it is */
    (void)munmap(c, sizeof(*c));
}

/* ---- small readers ------------------------------------------------------ */

static long long read_number(const char *dir, const char *name) {
  char path[700];
  char buf[64];

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (ex_read_small(path, buf, sizeof(buf)) <= 0)
    return -1;
  if (strncmp(buf, "max", 3) == 0)
    return -1;
  return strtoll(buf, NULL, 10);
}

/* "key N" in a flat-keyed file. */
static long long read_keyed(const char *dir, const char *name,
                            const char *key) {
  char path[700];
  char buf[2048];
  char *p;
  size_t klen;

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (ex_read_small(path, buf, sizeof(buf)) <= 0)
    return -1;
  klen = strlen(key);
  for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
    if (*p == '\n')
      p++;
    if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
      return strtoll(p + klen + 1, NULL, 10);
  }
  return -1;
}

/* ---- memory cgroups ----------------------------------------------------- */

int ex_crash_read_memcg(const char *dir, ex_crash_memcg_t *m) {
  char path[700];
  struct stat st;

  memset(m, 0, sizeof(*m));
  ex_strlcpy(m->dir, dir, sizeof(m->dir));
  snprintf(path, sizeof(path), "%s/memory.events", dir);
  if (stat(path, &st) == 0) {
    m->version = 2;
    m->oom_kill = read_keyed(dir, "memory.events", "oom_kill");
    m->limit = read_number(dir, "memory.max");
    m->peak = read_number(dir, "memory.peak");
    m->usage = read_number(dir, "memory.current");
    return 0;
  }
  snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
  if (stat(path, &st) == 0) {
    m->version = 1;
    m->oom_kill = read_keyed(dir, "memory.oom_control", "oom_kill");
    m->limit = read_number(dir, "memory.limit_in_bytes");
    /* v1 reports "no limit" as a huge page-aligned number. */
    if (m->limit >= (LLONG_MAX / 4096) * 4096 / 2)
      m->limit = -1;
    m->peak = read_number(dir, "memory.max_usage_in_bytes");
    m->usage = read_number(dir, "memory.usage_in_bytes");
    return 0;
  }
  m->oom_kill = m->limit = m->peak = m->usage = -1;
  return -ENOENT;
}


/* The memory line of /proc/self/cgroup (v1 memory, else v2). */
static int self_cgroup_line(char *out, size_t size) {
  char buf[4096];
  char *line;
  char *save;
  int found;

  found = 0;
  if (ex_read_small("/proc/self/cgroup", buf, sizeof(buf)) <= 0)
    return -ENOENT;
  for (line = strtok_r(buf, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    if (strstr(line, ":memory:") != NULL) {
      ex_strlcpy(out, line, size);
      return 0;
    }
    if (strncmp(line, "0::", 3) == 0) {
      ex_strlcpy(out, line, size);
      found = 1;
    }
  }
  return found ? 0 : -ENOENT;
}

/* Only the OOM-kill counter of dir (all that is needed before the command
 * ends, to compare with later): one file, not four. */
static int read_oom_count(const char *dir, ex_crash_memcg_t *m) {
  char path[700];

  memset(m, 0, sizeof(*m));
  ex_strlcpy(m->dir, dir, sizeof(m->dir));
  m->limit = m->peak = m->usage = -1;
  snprintf(path, sizeof(path), "%s/memory.events", dir);
  if (access(path, R_OK) == 0) {
    m->version = 2;
    m->oom_kill = read_keyed(dir, "memory.events", "oom_kill");
    return 0;
  }
  snprintf(path, sizeof(path), "%s/memory.oom_control", dir);
  if (access(path, R_OK) == 0) {
    m->version = 1;
    m->oom_kill = read_keyed(dir, "memory.oom_control", "oom_kill");
    return 0;
  }
  m->oom_kill = -1;
  return -ENOENT;
}

/* The cgroup and its ancestors up to the mount point, innermost first;
 * with only_oom, just their OOM-kill counters. */
static size_t read_chain(const char *cgline, ex_crash_memcg_t *chain,
                         size_t max, int only_oom) {
  char dir[512];
  char mnt[512];
  char *slash;
  size_t n;

  if (ex_probe_cgroup_dir(cgline, dir, sizeof(dir)) != 0)
    return 0;
  /* The mount point is the directory with cgroup.procs but no parent
   * cgroup files above it; stop at /sys/fs/cgroup depth or max. */
  ex_strlcpy(mnt, dir, sizeof(mnt));
  n = 0;
  while (n < max) {
    if ((only_oom ? read_oom_count(dir, &chain[n])
                  : ex_crash_read_memcg(dir, &chain[n])) == 0)
      n++;
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
      break;
    *slash = '\0';
    if (strcmp(dir, "/sys/fs/cgroup") == 0 || strlen(dir) < 2)
      break;
  }
  return n;
}

/* ---- preparing ---------------------------------------------------------- */

/* Resolves argv0 as execvp does. Returns 0 with out filled. */
static int resolve(const char *argv0, char *out, size_t size) {
  const char *env;
  const char *dir;
  const char *end;
  struct stat st;

  if (argv0[0] == '\0')
    return -ENOENT;
  if (strchr(argv0, '/') != NULL) {
    ex_strlcpy(out, argv0, size);
    return 0;
  }
  env = getenv("PATH");
  if (env == NULL)
    env = "/bin:/usr/bin";
  for (dir = env;; dir = end + 1) {
    end = strchr(dir, ':');
    if (end == NULL)
      end = dir + strlen(dir);
    if (end == dir)
      ex_strlcpy(out, argv0, size);
    else
      snprintf(out, size, "%.*s/%s", (int)(end - dir), dir, argv0);
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
        faccessat(AT_FDCWD, out, X_OK, AT_EACCESS) == 0)
      return 0;
    if (*end == '\0')
      break;
  }
  return -ENOENT;
}

/* explain's own ELF identity: the preload library is built with it, so a
 * program of another class or machine cannot load it. */
#if defined(__x86_64__)
#define EX_SELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define EX_SELF_MACHINE EM_AARCH64
#elif defined(__riscv)
#define EX_SELF_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define EX_SELF_MACHINE EM_PPC64
#elif defined(__s390x__)
#define EX_SELF_MACHINE EM_S390
#endif
#if UINTPTR_MAX > 0xffffffffu
#define EX_SELF_CLASS ELFCLASS64
#else
#define EX_SELF_CLASS ELFCLASS32
#endif

/* What kind of program path is. Returns NULL when the reporter can be
 * preloaded into it, else why not. depth bounds #! chains. */
EX_HOT static const char *preloadable(const char *path, int depth) {
  static const char *const static_bin = "static binary";
  /* The ELF header and its program headers (13 or so: ~800 bytes), or a
   * #! line. */
  unsigned char hdr[1024];
  char interp[256];
  const Elf64_Ehdr *eh;
  const Elf64_Phdr *ph;
  struct stat st;
  ssize_t n;
  char *p;
  size_t i;
  int fd;
  int has_interp;
  int caps;

  /* One open: the mode, the capabilities and the header from the same
   * file (start-up counts every system call). Non-blocking: the "program"
   * may be a FIFO with an x bit, which exec refuses but open would wait on
   * forever. */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1) {
    /* Execute-only (a setuid program often is), or exec will fail. */
    if (stat(path, &st) != 0)
      return NULL;
    caps = getxattr(path, "security.capability", NULL, 0) > 0;
    n = -1;
  } else {
    if (fstat(fd, &st) != 0) {
      close(fd);
      return NULL;
    }
    caps = fgetxattr(fd, "security.capability", NULL, 0) > 0;
    n = read(fd, hdr, sizeof(hdr));
    close(fd);
  }
  if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
      ((st.st_mode & S_ISGID) && st.st_gid != getegid()))
    return "setuid or setgid program (the loader ignores LD_PRELOAD)";
  if (caps)
    return "file-capable program (the loader ignores LD_PRELOAD)";
  if (n >= 2 && hdr[0] == '#' && hdr[1] == '!') {
    if (depth > 0)
      return "nested interpreter";
    hdr[n - 1 < (ssize_t)sizeof(interp) ? n - 1 : (ssize_t)sizeof(interp) - 1] =
        '\0';
    p = (char *)hdr + 2;
    while (*p == ' ' || *p == '\t')
      p++;
    ex_strlcpy(interp, p, sizeof(interp));
    interp[strcspn(interp, " \t\r\n")] = '\0';
    return preloadable(interp, depth + 1);
  }
  if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(hdr, ELFMAG, SELFMAG) != 0)
    return NULL; /* run by /bin/sh */
  eh = (const Elf64_Ehdr *)hdr;
#ifdef EX_SELF_MACHINE
  if (hdr[EI_CLASS] != EX_SELF_CLASS || eh->e_machine != EX_SELF_MACHINE)
    return "program for another architecture or ELF class";
#endif
  if (hdr[EI_CLASS] != ELFCLASS64)
    return "32-bit program";
  has_interp = 0;
  for (i = 0; i < eh->e_phnum; i++) {
    if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
        eh->e_phoff + (i + 1) * sizeof(Elf64_Phdr) > (size_t)n)
      return NULL; /* headers beyond what was read: assume dynamic */
    ph = (const Elf64_Phdr *)(hdr + eh->e_phoff + i * sizeof(Elf64_Phdr));
    if (ph->p_type == PT_INTERP)
      has_interp = 1;
  }
  return has_interp ? NULL : static_bin;
}

/* out = a + b + c when it fits; returns 0, or -ENAMETOOLONG. (Not
 * snprintf: this runs at every start-up, and printf's code is pages the
 * launcher would fault in for nothing.) */
EX_HOT static int join3(char *out, size_t size, const char *a,
                        const char *b, const char *c) {
  size_t la = strlen(a);
  size_t lb = strlen(b);
  size_t lc = strlen(c);

  if (la + lb + lc >= size)
    return -ENAMETOOLONG;
  memcpy(out, a, la);
  memcpy(out + la, b, lb);
  memcpy(out + la + lb, c, lc + 1);
  return 0;
}

/* The preload library: next to the binary (a build tree), under
 * ../<libdir>/explain (an installed binary), or the configured install
 * directory. */
/* out[n..] = tail; 1 when it fits and the file exists. */
EX_HOT static int exists_as(char *out, size_t size, size_t n,
                            const char *tail) {
  struct stat st;

  return ex_strlcpy(out + n, tail, size - n) < size - n &&
         stat(out, &st) == 0;
}

EX_HOT static int find_library(char *out, size_t size) {
  const char *execfn;
  const char *slash;
  struct stat st;
  size_t n;

  /* Next to the file the kernel executed, by the name it was given (no
   * system call: it is in the auxiliary vector); that name may be a
   * symbolic link elsewhere, so /proc/self/exe comes next. */
  execfn = (const char *)getauxval(AT_EXECFN);
  if (execfn != NULL && execfn[0] == '/' &&
      (slash = strrchr(execfn, '/')) != NULL &&
      (size_t)(slash - execfn) < size) {
    n = (size_t)(slash - execfn);
    memcpy(out, execfn, n);
    if (exists_as(out, size, n, "/libexplain-crash.so"))
      return 0;
  }
  /* One buffer: the directory, then each name after it in place (every
   * buffer on this path deepens the stack, a page fault per 4 KiB). */
  if (ex_exe_dir(out, size) == 0) {
    n = strlen(out);
    if (exists_as(out, size, n, "/libexplain-crash.so") ||
        exists_as(out, size, n,
                  "/../" EX_CRASH_LIBDIR_REL "/explain/libexplain-crash.so"))
      return 0;
  }
  ex_strlcpy(out, EX_CRASH_INSTALL_PATH, size);
  return stat(out, &st) == 0 ? 0 : -ENOENT;
}

EX_HOT static char *concat(const char *a, const char *b, const char *c) {
  size_t la;
  size_t lb;
  size_t lc;
  char *s;

  la = strlen(a);
  lb = strlen(b);
  lc = c != NULL ? strlen(c) : 0;
  s = malloc(la + lb + lc + 1);
  if (s == NULL)
    return NULL;
  memcpy(s, a, la);
  memcpy(s + la, b, lb);
  if (c != NULL)
    memcpy(s + la + lb, c, lc);
  s[la + lb + lc] = '\0';
  return s;
}

EX_HOT static int random_name(char *out, size_t size, const char *tmp) {
  static const char alphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char rnd[16];
  char tail[sizeof(rnd) + 1];
  size_t i;

  if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
    return -EIO;
  for (i = 0; i < sizeof(rnd); i++)
    tail[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
  tail[sizeof(rnd)] = '\0';
  return join3(out, size, tmp, "/explain-crash-", tail);
}

void ex_crash_started(ex_crash_t *c) {
  char cgline[600];

  if (self_cgroup_line(cgline, sizeof(cgline)) == 0)
    c->nbefore = read_chain(cgline, c->before, EX_CRASH_CG_DEPTH, 1);
}

int ex_crash_prepare(ex_crash_t *c, char *const *argv) {
  char path[PATH_MAX];

  if (argv == NULL || argv[0] == NULL ||
      resolve(argv[0], path, sizeof(path)) != 0)
    return 0;
  return ex_crash_prepare_path(c, path);
}

EX_HOT int ex_crash_prepare_path(ex_crash_t *c, const char *path) {
  char lib[PATH_MAX];
  const char *tmp;
  const char *orig;
  size_t i;

  if (path == NULL)
    return 0;
  /* As given: made real only when a crash needs it (ex_crash_collect). */
  ex_strlcpy(c->exe, path, sizeof(c->exe));
  c->no_backtrace = preloadable(c->exe, 0);
  if (c->no_backtrace != NULL)
    return 0;
  if (find_library(lib, sizeof(lib)) != 0) {
    c->no_backtrace = "crash reporter library not found";
    return 0;
  }
  if (strpbrk(lib, ": \t\n") != NULL) {
    c->no_backtrace = "crash reporter's path has a ':' or a space";
    return 0;
  }
  for (i = 0; environ != NULL && environ[i] != NULL; i++) {
    if (strncmp(environ[i], "EXPLAIN_CRASH_", 14) == 0) {
      c->no_backtrace = "the environment already has EXPLAIN_CRASH_*";
      return 0;
    }
  }
  tmp = getenv("TMPDIR");
  if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 150)
    tmp = "/tmp";
  /* Only a name: the handler makes the directory (0700) if a crash ever
   * happens, so a run that does not crash costs no mkdir and rmdir. The
   * name is random so that nobody can take it first. */
  if (random_name(c->dir, sizeof(c->dir), tmp) != 0) {
    c->dir[0] = '\0';
    c->no_backtrace = "no private directory for the report";
    return 0;
  }
  orig = getenv("LD_PRELOAD");
  c->env[0] = concat("EXPLAIN_CRASH_DIR=", c->dir, NULL);
  if (orig != NULL && orig[0] != '\0')
    c->env[1] = concat("LD_PRELOAD=", orig, NULL);
  else
    c->env[1] = concat("LD_PRELOAD=", lib, NULL);
  if (c->env[1] != NULL && orig != NULL && orig[0] != '\0') {
    /* The caller's own preloads first, as they were. */
    free(c->env[1]);
    c->env[1] = malloc(strlen("LD_PRELOAD=") + strlen(orig) + strlen(lib) + 2);
    if (c->env[1] != NULL)
      sprintf(c->env[1], "LD_PRELOAD=%s:%s", orig, lib);
  }
  if (orig != NULL)
    c->env[2] = concat("EXPLAIN_CRASH_LD_PRELOAD=", orig, NULL);
  if (c->env[0] == NULL || c->env[1] == NULL ||
      (orig != NULL && c->env[2] == NULL)) {
    for (i = 0; i < 3; i++) {
      free(c->env[i]);
      c->env[i] = NULL;
    }
    remove_dir(c);
    return -ENOMEM;
  }
  return 0;
}

EX_HOT char *const *ex_crash_env(const ex_crash_t *c) {
  return c->env[0] != NULL ? c->env : NULL;
}

void ex_crash_feed(ex_crash_t *c, const char *buf, size_t len) {
  if (len >= EX_CRASH_TAIL) {
    memcpy(c->tail, buf + len - EX_CRASH_TAIL, EX_CRASH_TAIL);
    c->tail_len = EX_CRASH_TAIL;
    return;
  }
  if (c->tail_len + len > EX_CRASH_TAIL) {
    memmove(c->tail, c->tail + (c->tail_len + len - EX_CRASH_TAIL),
            EX_CRASH_TAIL - len);
    c->tail_len = EX_CRASH_TAIL - len;
  }
  memcpy(c->tail + c->tail_len, buf, len);
  c->tail_len += len;
}

/* ---- the report --------------------------------------------------------- */

typedef struct map_line {
  uintptr_t start, end, off;
  char perms[5];
  const char *path; /* into the report text; "" for anonymous */
  size_t path_len;
  const char *line;
  size_t line_len;
} map_line_t;

static int parse_map(const char *line, size_t len, map_line_t *m) {
  char tmp[768];
  unsigned long s, e, o;
  int pos;

  if (len >= sizeof(tmp))
    len = sizeof(tmp) - 1;
  memcpy(tmp, line, len);
  tmp[len] = '\0';
  pos = 0;
  if (sscanf(tmp, "%lx-%lx %4s %lx %*s %*s %n", &s, &e, m->perms, &o, &pos) <
          4 ||
      pos == 0)
    return -1;
  m->start = s;
  m->end = e;
  m->off = o;
  m->path = line + pos;
  m->path_len = len - (size_t)pos;
  m->line = line;
  m->line_len = len;
  return 0;
}

static const map_line_t *map_of(const map_line_t *maps, size_t n,
                                uintptr_t a) {
  size_t i;

  for (i = 0; i < n; i++) {
    if (maps[i].start <= a && a < maps[i].end)
      return &maps[i];
  }
  return NULL;
}

static void resolve_frame(ex_crash_frame_t *f, const map_line_t *maps,
                          size_t nmaps, int first) {
  const map_line_t *m;
  uintptr_t look;
  uint64_t vaddr;
  uint64_t foff;
  char fn[sizeof(f->func)];

  /* A return address points after the call: look up the call itself. */
  look = first ? f->ip : f->ip - 1;
  m = map_of(maps, nmaps, look);
  if (m == NULL || m->path_len == 0 || m->path[0] != '/')
    return;
  snprintf(f->module, sizeof(f->module), "%.*s", (int)m->path_len, m->path);
  if (ex_crash_elf_lookup(f->module, look - m->start + m->off, &vaddr, fn,
                          sizeof(fn), &foff) != 0)
    return;
  f->module_off = (uintptr_t)vaddr + (first ? 0 : 1);
  if (f->func[0] == '\0' && fn[0] != '\0') {
    ex_strlcpy(f->func, fn, sizeof(f->func));
    f->func_off = (uintptr_t)foff + (first ? 0 : 1);
  }
  (void)ex_crash_addr2line(f->module, vaddr, f->file, sizeof(f->file),
                           &f->line);
}

int ex_crash_parse_report(ex_crash_t *c, const char *text, size_t len) {
  const char *p;
  const char *end;
  const char *nl;
  char line[768];
  size_t ll;
  map_line_t *maps;
  size_t nmaps;
  size_t cap;
  size_t i;
  const map_line_t *m;
  ex_crash_frame_t *f;
  unsigned long long a, b;
  char name[512];
  char *plus;
  int in_maps;
  int rc;

  if (len < 16 || memcmp(text, "explain-crash 1\n", 16) != 0)
    return -EINVAL;
  maps = NULL;
  nmaps = cap = 0;
  in_maps = 0;
  rc = 0;
  c->sender = -1;
  end = text + len;
  for (p = text; p < end; p = nl + 1) {
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      nl = end;
    ll = (size_t)(nl - p);
    if (in_maps) {
      if (nmaps == cap) {
        map_line_t *n2;
        cap = cap ? cap * 2 : 256;
        n2 = realloc(maps, cap * sizeof(*maps));
        if (n2 == NULL) {
          rc = -ENOMEM;
          break;
        }
        maps = n2;
      }
      if (parse_map(p, ll, &maps[nmaps]) == 0)
        nmaps++;
      continue;
    }
    if (ll >= sizeof(line))
      ll = sizeof(line) - 1;
    memcpy(line, p, ll);
    line[ll] = '\0';
    if (strcmp(line, "maps") == 0) {
      in_maps = 1;
    } else if (sscanf(line, "pid %llu", &a) == 1) {
      c->pid = (pid_t)a;
    } else if (sscanf(line, "tid %llu", &a) == 1) {
      c->tid = (pid_t)a;
    } else if (sscanf(line, "signal %llu", &a) == 1) {
      c->signo = (int)a;
    } else if (strncmp(line, "code ", 5) == 0) {
      c->code = atoi(line + 5);
    } else if (sscanf(line, "addr %llx", &a) == 1) {
      c->addr = (uintptr_t)a;
    } else if (strncmp(line, "sender ", 7) == 0) {
      c->sender = atoll(line + 7);
    } else if (sscanf(line, "pc %llx", &a) == 1) {
      c->pc = (uintptr_t)a;
      c->have_regs = 1;
    } else if (sscanf(line, "sp %llx", &a) == 1) {
      c->sp = (uintptr_t)a;
    } else if (sscanf(line, "err %llx", &a) == 1) {
      c->err = (uintptr_t)a;
    } else if (strncmp(line, "insn ", 5) == 0) {
      for (i = 0; i < 16 && line[5 + 2 * i] && line[6 + 2 * i]; i++) {
        sscanf(line + 5 + 2 * i, "%2llx", &a);
        c->insn[i] = (unsigned char)a;
      }
      c->have_insn = i == 16;
    } else if (sscanf(line, "depth %llu", &a) == 1) {
      c->depth = (long long)a;
    } else if (sscanf(line, "frame %llx %llx %511s", &a, &b, name) == 3 &&
               c->nframes < EX_CRASH_FRAMES_MAX) {
      f = &c->frames[c->nframes++];
      memset(f, 0, sizeof(*f));
      f->ip = (uintptr_t)a;
      plus = strrchr(name, '+');
      if (strcmp(name, "?") != 0 && plus != NULL) {
        *plus = '\0';
        ex_strlcpy(f->func, name, sizeof(f->func));
        f->func_off = (uintptr_t)strtoull(plus + 1, NULL, 16);
      }
    }
  }
  if (rc == 0) {
    c->have_report = 1;
    c->main_thread = c->tid == c->pid;
    if (c->nframes == 0 && c->have_regs) {
      /* No unwinder: the faulting pc alone. */
      c->frames[0].ip = c->pc;
      c->nframes = 1;
    }
    for (i = 0; i < c->nframes; i++)
      resolve_frame(&c->frames[i], maps, nmaps, i == 0);
    m = map_of(maps, nmaps, c->addr);
    if (m != NULL) {
      snprintf(c->addr_map, sizeof(c->addr_map), "%.*s", (int)m->line_len,
               m->line);
      ex_strlcpy(c->addr_perms, m->perms, sizeof(c->addr_perms));
    }
    m = map_of(maps, nmaps, c->sp);
    if (m == NULL && c->sp != 0) {
      /* The stack pointer itself may have run past the stack: the mapping
       * just above it. */
      for (i = 0; i < nmaps; i++) {
        if (maps[i].start > c->sp && maps[i].start - c->sp <= 65536 &&
            maps[i].perms[0] == 'r' && maps[i].perms[1] == 'w')
          m = &maps[i];
      }
    }
    if (m != NULL)
      snprintf(c->stack_map, sizeof(c->stack_map), "%.*s", (int)m->line_len,
               m->line);
  }
  free(maps);
  return rc;
}

static int read_report(ex_crash_t *c) {
  char path[PATH_MAX];
  struct stat st;
  char *buf;
  ssize_t n;
  size_t got;
  int fd;
  int rc;

  if (!dir_is_ours(c))
    return -ENOENT; /* no crash was reported */
  snprintf(path, sizeof(path), "%s/%d", c->dir, (int)c->pid);
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd == -1)
    return -errno;
  if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    return -EINVAL;
  }
  got = (size_t)st.st_size < EX_REPORT_MAX ? (size_t)st.st_size
                                           : EX_REPORT_MAX;
  buf = malloc(got);
  if (buf == NULL) {
    close(fd);
    return -ENOMEM;
  }
  n = read(fd, buf, got);
  close(fd);
  rc = n > 0 ? ex_crash_parse_report(c, buf, (size_t)n) : -EINVAL;
  free(buf);
  return rc;
}

/* ---- the kernel log ----------------------------------------------------- */

/* Keeps the lines of /dev/kmsg that are about pid: the OOM killer's and the
 * unhandled-fault lines ("segfault at", "traps:"). */
static void read_kmsg(ex_crash_t *c) {
  char rec[2048];
  char needle1[32];
  char needle2[32];
  char needle3[32];
  char *msg;
  ssize_t n;
  int fd;
  int i;

  fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd == -1)
    return;
  c->kmsg_readable = 1;
  snprintf(needle1, sizeof(needle1), "[%d]", (int)c->pid);
  snprintf(needle2, sizeof(needle2), "process %d ", (int)c->pid);
  snprintf(needle3, sizeof(needle3), ",pid=%d,", (int)c->pid);
  for (i = 0; i < EX_KMSG_RECORDS; i++) {
    n = read(fd, rec, sizeof(rec) - 1);
    if (n == -1 && (errno == EINTR || errno == EPIPE))
      continue; /* EPIPE: records were overwritten while reading */
    if (n <= 0)
      break;
    rec[n] = '\0';
    msg = strchr(rec, ';');
    if (msg == NULL)
      continue;
    msg++;
    msg[strcspn(msg, "\n")] = '\0';
    if (strstr(msg, needle1) == NULL && strstr(msg, needle2) == NULL &&
        strstr(msg, needle3) == NULL)
      continue;
    if (c->nkmsg == EX_CRASH_KMSG_LINES) {
      memmove(c->kmsg[0], c->kmsg[1],
              sizeof(c->kmsg[0]) * (EX_CRASH_KMSG_LINES - 1));
      c->nkmsg--;
    }
    ex_strlcpy(c->kmsg[c->nkmsg++], msg, sizeof(c->kmsg[0]));
  }
  close(fd);
}

/* A fault that no handler saw: the kernel's own line gives its address. */
static void regs_from_kmsg(ex_crash_t *c) {
  unsigned long long a, ip, sp, e;
  const char *s;
  char mod[256];
  unsigned long long base;
  int divide;
  size_t i;
  uint64_t vaddr;
  uint64_t foff;
  ex_crash_frame_t *f;

  for (i = 0; i < c->nkmsg; i++) {
    s = strstr(c->kmsg[i], "segfault at ");
    if (s != NULL &&
        sscanf(s, "segfault at %llx ip %llx sp %llx error %llx", &a, &ip, &sp,
               &e) == 4) {
      c->addr = (uintptr_t)a;
      c->code = 0; /* unknown: MAPERR or ACCERR */
      c->err = (uintptr_t)e;
    } else if ((s = strstr(c->kmsg[i], " ip:")) != NULL &&
               sscanf(s, " ip:%llx sp:%llx", &ip, &sp) == 2) {
      divide = strstr(c->kmsg[i], "divide error") != NULL;
      c->code = divide ? FPE_INTDIV : 0;
    } else {
      continue;
    }
    c->pc = (uintptr_t)ip;
    c->sp = (uintptr_t)sp;
    c->have_regs = 1;
    f = &c->frames[0];
    memset(f, 0, sizeof(*f));
    f->ip = c->pc;
    c->nframes = 1;
    s = strstr(c->kmsg[i], " in ");
    if (s != NULL && sscanf(s, " in %255[^[][", mod) == 1 &&
        c->exe[0] != '\0') {
      const char *bn = strrchr(c->exe, '/');
      const char *br = strchr(s, '[');
      unsigned long long foff_k;
      int fd;

      if (strcmp(bn != NULL ? bn + 1 : c->exe, mod) != 0 || br == NULL)
        continue;
      /* Since Linux 6.2: "in prog[FILEOFF,BASE+SIZE]"; before that only
       * "[BASE+SIZE]", where the file offset is ip - BASE when the mapping
       * starts at offset 0 (the first text mapping of most programs is
       * not: then the lookup fails and only the module is shown). */
      if (sscanf(br, "[%llx,%llx+", &foff_k, &base) != 2) {
        if (sscanf(br, "[%llx+", &base) != 1)
          continue;
        foff_k = c->pc - base;
      }
      ex_strlcpy(f->module, c->exe, sizeof(f->module));
      if (ex_crash_elf_lookup(f->module, foff_k, &vaddr, f->func,
                              sizeof(f->func), &foff) == 0) {
        f->module_off = (uintptr_t)vaddr;
        f->func_off = (uintptr_t)foff;
        (void)ex_crash_addr2line(f->module, vaddr, f->file, sizeof(f->file),
                                 &f->line);
      }
      /* The instruction itself, from the file (SIGILL: ud2 or not). */
      fd = open(c->exe, O_RDONLY | O_CLOEXEC);
      if (fd != -1) {
        c->have_insn = pread(fd, c->insn, sizeof(c->insn),
                             (off_t)foff_k) == (ssize_t)sizeof(c->insn);
        close(fd);
      }
    }
    return;
  }
}

/* ---- core dumps --------------------------------------------------------- */

static int exists(const char *p) {
  struct stat st;

  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Expands core_pattern for this crash; '*' stands for what cannot be known
 * (%t, %c, %i, ...). */
static void expand_pattern(const ex_crash_t *c, const ex_proc_t *proc,
                           char *out, size_t size) {
  const char *p;
  size_t o;
  char tmp[1100];
  const char *comm;
  size_t i;

  comm = proc != NULL && proc->valid && proc->comm[0] ? proc->comm : "";
  o = 0;
  for (p = c->core_pattern; *p != '\0' && o + 1 < size; p++) {
    tmp[0] = '\0';
    if (*p != '%') {
      out[o++] = *p;
      continue;
    }
    p++;
    switch (*p) {
    case '%':
      snprintf(tmp, sizeof(tmp), "%%");
      break;
    case 'p':
    case 'P':
      snprintf(tmp, sizeof(tmp), "%d", (int)c->pid);
      break;
    case 'u':
      snprintf(tmp, sizeof(tmp), "%u",
               proc != NULL && proc->valid ? proc->euid : geteuid());
      break;
    case 'g':
      snprintf(tmp, sizeof(tmp), "%u",
               proc != NULL && proc->valid ? proc->egid : getegid());
      break;
    case 's':
      snprintf(tmp, sizeof(tmp), "%d", c->signo);
      break;
    case 'e':
      ex_strlcpy(tmp, comm[0] ? comm : "*", sizeof(tmp));
      break;
    case 'E':
      ex_strlcpy(tmp, c->exe, sizeof(tmp));
      for (i = 0; tmp[i]; i++)
        if (tmp[i] == '/')
          tmp[i] = '!';
      break;
    case 'h':
      if (gethostname(tmp, 256) != 0)
        snprintf(tmp, sizeof(tmp), "*");
      break;
    case '\0':
      p--;
      break;
    default:
      snprintf(tmp, sizeof(tmp), "*");
      break;
    }
    for (i = 0; tmp[i] && o + 1 < size; i++)
      out[o++] = tmp[i];
  }
  out[o] = '\0';
}

#include <fnmatch.h>

/* Finds a file matching a pattern with '*' in its last component. */
static int glob_one(const char *pat, char *out, size_t size) {
  char dir[1024];
  const char *base;
  DIR *d;
  struct dirent *e;
  int found;

  if (strchr(pat, '*') == NULL) {
    if (!exists(pat))
      return 0;
    ex_strlcpy(out, pat, size);
    return 1;
  }
  base = strrchr(pat, '/');
  if (base == NULL)
    return 0;
  snprintf(dir, sizeof(dir), "%.*s", (int)(base - pat), pat);
  if (strchr(dir, '*') != NULL)
    return 0;
  base++;
  d = opendir(dir[0] ? dir : "/");
  if (d == NULL)
    return 0;
  found = 0;
  while ((e = readdir(d)) != NULL) {
    if (fnmatch(base, e->d_name, 0) == 0 &&
        (size_t)snprintf(out, size, "%s/%s", dir, e->d_name) < size)
      found = 1;
  }
  closedir(d);
  return found;
}

static void locate_core(ex_crash_t *c, const ex_proc_t *proc) {
  char pat[1100];
  char full[2200];
  char tmp[1100];
  const char *cwd;
  struct rlimit rl;
  size_t i;

  if (ex_read_small("/proc/sys/kernel/core_pattern", c->core_pattern,
                 sizeof(c->core_pattern)) < 0)
    c->core_pattern[0] = '\0';
  c->core_pattern[strcspn(c->core_pattern, "\n")] = '\0';
  if (proc != NULL && proc->valid && !proc->from_self)
    c->core_limit = proc->rlim[RLIMIT_CORE].rlim_cur == RLIM_INFINITY
                        ? -1
                        : (long long)proc->rlim[RLIMIT_CORE].rlim_cur;
  else if (getrlimit(RLIMIT_CORE, &rl) == 0)
    c->core_limit =
        rl.rlim_cur == RLIM_INFINITY ? -1 : (long long)rl.rlim_cur;
  else
    c->core_limit = -2;
  if (c->core_pattern[0] == '|') {
    snprintf(c->core_handler, sizeof(c->core_handler), "%s",
             c->core_pattern + 1);
    c->core_handler[strcspn(c->core_handler, " ")] = '\0';
    if (strstr(c->core_handler, "apport") != NULL) {
      /* apport: /var/crash/<path with / as _>.<uid>.crash */
      ex_strlcpy(tmp, c->exe, sizeof(tmp));
      for (i = 0; tmp[i]; i++)
        if (tmp[i] == '/')
          tmp[i] = '_';
      snprintf(full, sizeof(full), "/var/crash/%s.%u.crash", tmp,
               proc != NULL && proc->valid ? proc->ruid : getuid());
      if (exists(full))
        ex_strlcpy(c->core_file, full, sizeof(c->core_file));
    }
    return;
  }
  if (!c->core_dumped || c->core_pattern[0] == '\0')
    return;
  expand_pattern(c, proc, pat, sizeof(pat));
  cwd = proc != NULL && proc->valid && proc->cwd[0] ? proc->cwd : ".";
  if (pat[0] == '/')
    ex_strlcpy(full, pat, sizeof(full));
  else
    if (snprintf(full, sizeof(full), "%s/%s", cwd, pat) >= (int)sizeof(full))
      return;
  if (glob_one(full, c->core_file, sizeof(c->core_file)))
    return;
  /* core_uses_pid appends .PID when the pattern has no %p. */
  if (snprintf(tmp, sizeof(tmp), "%s.%d", full, (int)c->pid) <
          (int)sizeof(tmp) &&
      glob_one(tmp, c->core_file, sizeof(c->core_file)))
    return;
}

/* ---- classification ----------------------------------------------------- */

static int is_crash_signal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
         sig == SIGABRT || sig == SIGTRAP;
}

static ex_crash_class_t classify(const ex_crash_t *c) {
  uintptr_t dist;

  switch (c->signo) {
  case SIGABRT:
    return EX_CRASH_ABORT;
  case SIGTRAP:
    return EX_CRASH_TRAP;
  case SIGKILL:
    return c->oom_confirmed ? EX_CRASH_OOM_KILL : EX_CRASH_KILLED;
  default:
    break;
  }
  if (c->have_report && c->code <= 0 && c->code != SI_KERNEL)
    return EX_CRASH_SENT;
  if (!c->have_regs)
    return c->signo == SIGSEGV   ? EX_CRASH_SEGV
           : c->signo == SIGFPE  ? EX_CRASH_FPE
           : c->signo == SIGILL  ? EX_CRASH_ILLEGAL_INSN
                                 : EX_CRASH_SEGV;
  switch (c->signo) {
  case SIGFPE:
    return c->code == FPE_INTDIV || (!c->have_report && c->code == 0)
               ? EX_CRASH_DIV_ZERO
               : EX_CRASH_FPE;
  case SIGILL:
    if (c->have_insn && c->insn[0] == 0x0f && c->insn[1] == 0x0b)
      return EX_CRASH_TRAP_UD2;
    return EX_CRASH_ILLEGAL_INSN;
  case SIGBUS:
    if (c->code == BUS_ADRALN)
      return EX_CRASH_MISALIGNED;
    if (c->code == BUS_ADRERR)
      return EX_CRASH_BUS_MMAP;
    return EX_CRASH_SEGV;
  default:
    break;
  }
  /* SIGSEGV */
  if (c->code == SI_KERNEL)
    return EX_CRASH_BAD_POINTER;
  if (c->addr < 65536)
    return EX_CRASH_NULL_DEREF;
  dist = c->addr > c->sp ? c->addr - c->sp : c->sp - c->addr;
  if (c->sp != 0 && dist <= 65536 &&
      (c->addr_map[0] == '\0' || strcmp(c->addr_perms, "---p") == 0))
    return EX_CRASH_STACK_OVERFLOW;
  if (c->err & 0x10)
    return EX_CRASH_EXEC_NONEXEC;
  if (c->addr_map[0] != '\0' && (c->err & 0x2) && c->addr_perms[1] != 'w')
    return EX_CRASH_WRITE_READONLY;
  if (c->have_report && c->addr_map[0] == '\0')
    return EX_CRASH_UNMAPPED;
  return EX_CRASH_SEGV;
}

/* A death by signal: the report, the kill's cause, the core. Apart from
 * ex_crash_collect, whose normal-exit path then keeps a small stack frame
 * (its PATH_MAX buffers would cost a page fault after every command). */
static __attribute__((noinline)) int collect_death(ex_crash_t *c,
                                                   const ex_proc_t *proc) {
  char real[PATH_MAX];
  char cgline[600];
  size_t i;
  size_t j;

  if (proc != NULL && proc->valid && !proc->from_self && proc->exe[0])
    ex_strlcpy(c->exe, proc->exe, sizeof(c->exe));
  else if (c->exe[0] != '\0' && realpath(c->exe, real) != NULL)
    ex_strlcpy(c->exe, real, sizeof(c->exe)); /* as the maps name it */
  if (c->dir[0] != '\0')
    (void)read_report(c);
  c->signo = WTERMSIG(c->wstatus);
  remove_dir(c);
  if (!is_crash_signal(c->signo) && c->signo != SIGKILL) {
    c->cls = EX_CRASH_NONE;
    return 0;
  }
  if (c->signo == SIGKILL) {
    if (proc != NULL && proc->valid && !proc->from_self && proc->cgroup[0])
      ex_strlcpy(cgline, proc->cgroup, sizeof(cgline));
    else if (self_cgroup_line(cgline, sizeof(cgline)) != 0)
      cgline[0] = '\0';
    if (cgline[0] != '\0')
      c->nafter = read_chain(cgline, c->after, EX_CRASH_CG_DEPTH, 0);
    for (i = 0; i < c->nafter && !c->oom_confirmed; i++) {
      for (j = 0; j < c->nbefore; j++) {
        if (strcmp(c->before[j].dir, c->after[i].dir) == 0 &&
            c->before[j].oom_kill >= 0 &&
            c->after[i].oom_kill > c->before[j].oom_kill) {
          c->oom_confirmed = 1;
          c->oom_level = i;
        }
      }
    }
    read_kmsg(c);
    for (i = 0; i < c->nkmsg; i++) {
      if (strstr(c->kmsg[i], "Killed process") != NULL ||
          strstr(c->kmsg[i], "oom-kill") != NULL ||
          strstr(c->kmsg[i], "oom_reaper") != NULL)
        c->oom_confirmed = 1;
    }
  } else if (!c->have_report) {
    read_kmsg(c);
    regs_from_kmsg(c);
  }
  locate_core(c, proc);
  c->cls = classify(c);
  return 1;
}

EX_HOT int ex_crash_collect(ex_crash_t *c, pid_t pid, int wstatus,
                     const ex_proc_t *proc) {
  c->collected = 1;
  c->pid = pid;
  c->wstatus = wstatus;
  c->signo = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
  c->core_dumped = WIFSIGNALED(wstatus) && WCOREDUMP(wstatus);
  c->sender = -1;
  if (WIFSIGNALED(wstatus))
    return collect_death(c, proc);
  /* Only the command itself writes a report (platform/linux/crash/preload.c), and then it
   * dies of the signal: after any other end there is no directory to look
   * for, and the lookup of a name that is not cached costs ~10 us between
   * the command's exit and explain's. */
  c->dir[0] = '\0';
  c->cls = EX_CRASH_NONE;
  return 0;
}

const char *ex_crash_class_name(ex_crash_class_t cls) {
  static const char *const names[] = {
      "none",           "segmentation-fault",   "null-pointer-dereference",
      "stack-overflow", "write-to-read-only-memory",
      "jump-to-non-executable-memory", "non-canonical-address",
      "unmapped-address", "misaligned-access", "past-end-of-mapped-file",
      "division-by-zero", "arithmetic-exception", "illegal-instruction",
      "deliberate-trap", "abort", "breakpoint-trap", "signal-sent",
      "oom-kill",       "killed"};

  if ((size_t)cls >= sizeof(names) / sizeof(names[0]))
    return "unknown";
  return names[cls];
}

const char *ex_crash_diag_id(const ex_crash_t *c, const char **title,
                             const char **meaning) {
  const char *t;
  const char *m;
  const char *id;

  if (!c->collected || c->cls == EX_CRASH_NONE)
    return NULL;
  if (c->signo == SIGKILL) {
    id = "proc.killed";
    t = c->oom_confirmed ? "killed by the kernel's OOM killer"
                         : "killed by SIGKILL";
    m = "The process was killed with SIGKILL, which cannot be caught: "
        "the kernel's out-of-memory killer, a timeout, a CI cancellation or "
        "a container stop sends it.";
  } else {
    id = "native.crash";
    t = "the program crashed";
    m = "The program was ended by the CPU or by itself with a fatal signal: "
        "a bug in the program (or a library it uses), not in how it was "
        "run.";
  }
  if (title != NULL)
    *title = t;
  if (meaning != NULL)
    *meaning = m;
  return id;
}
