/* The command's own project and a bounded search of it (see project.h). */
#include "platform/linux/proc/project.h"

#include "platform/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_CAP EX_PROC_PATH_MAX

/* Files that make a directory part of a build tree. */
static const char build_files[][16] = {
    "Makefile",       "GNUmakefile",    "makefile",    "CMakeLists.txt",
    "CMakeCache.txt", "configure",      "meson.build", "build.ninja",
    "package.json",   "pyproject.toml", "setup.py",    "setup.cfg",
    "Cargo.toml",     "go.mod",         "pom.xml",     "build.gradle",
    "build.xml",      "SConstruct",     "BUILD.bazel", "WORKSPACE",
};

static const char vcs_dirs[][8] = {".git", ".hg", ".svn"};

/* Read first at each level: where headers, libraries, modules and build
 * output usually are. */
static const char usual_dirs[][12] = {
    "include", "inc",         "src",        "lib",      "lib64",    "libs",
    "vendor",  "third_party", "thirdparty", "3rdparty", "external", "extern",
    "deps",    "contrib",     "packages",   "modules",  "build",    "out",
    "_build",  "dist",        "target",     "bin",      "classes",  "install",
    "local",   "python",      "app",        "apps",
};

static long long ms_of(clockid_t clock) {
  struct timespec ts;

  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int exists_at(int dfd, const char *name) {
  struct stat st;

  return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The parent of path in place ("/a/b" -> "/a", "/a" -> "/"). */
static void parent_of(char *path) {
  char *slash;

  slash = strrchr(path, '/');
  if (slash == NULL)
    return;
  if (slash == path)
    slash[1] = '\0';
  else
    *slash = '\0';
}

static int same_dir(const char *a, const char *b) {
  return a != NULL && b != NULL && b[0] != '\0' && strcmp(a, b) == 0;
}

/* 1 when path is dir or below it. */
static int path_under(const char *path, const char *dir) {
  size_t n;

  n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return 1;
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int ex__project_root(const char *start, char *out, size_t size,
                     const char **marker) {
  char dir[PATH_CAP];
  char top[PATH_CAP];
  const char *top_marker;
  const char *home;
  size_t i;
  int level;
  int dfd;
  int had_build;
  int has_build;

  if (start == NULL || start[0] != '/' || strlen(start) >= sizeof(dir) ||
      size < strlen(start) + 1)
    return -EINVAL;
  *marker = NULL;
  ex_strlcpy(out, start, size);
  ex_strlcpy(dir, start, sizeof(dir));
  ex_strlcpy(top, start, sizeof(top));
  top_marker = NULL;
  home = getenv("HOME");
  had_build = 0;
  for (level = 0; level <= EX_PROJECT_UP; level++) {
    if (strcmp(dir, "/") == 0 || same_dir(dir, home))
      break;
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
      break;
    for (i = 0; i < sizeof(vcs_dirs) / sizeof(vcs_dirs[0]); i++) {
      if (exists_at(dfd, vcs_dirs[i])) {
        close(dfd);
        ex_strlcpy(out, dir, size);
        *marker = vcs_dirs[i];
        return 0;
      }
    }
    has_build = 0;
    for (i = 0; i < sizeof(build_files) / sizeof(build_files[0]); i++) {
      if (exists_at(dfd, build_files[i])) {
        has_build = 1;
        if (strlen(dir) < sizeof(top)) {
          ex_strlcpy(top, dir, sizeof(top));
          top_marker = build_files[i];
        }
        break;
      }
    }
    close(dfd);
    /* The build tree ends at the first directory without a build file
     * above one that has it; the directories below the first build file
     * may have none (cwd = src/sub under the Makefile's directory). */
    if (had_build && !has_build)
      break;
    had_build |= has_build;
    parent_of(dir);
  }
  if (top_marker != NULL) {
    ex_strlcpy(out, top, size);
    *marker = top_marker;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* The search                                                              */

#define DENTS_BYTES (32 * 1024)

typedef struct qitem {
  char *path;
  int depth;
} qitem_t;

typedef struct search {
  ex_project_search_t *s;
  ex_project_kind_t kind;
  const char *name;
  const char *base;       /* the last component of name */
  size_t prefix_len;      /* length of the directories before base in name */
  long long cpu_deadline; /* the thread's CPU time */
  long long t0;           /* CLOCK_MONOTONIC at the start */
  long long delay0;       /* run_delay_ms() at the start, -1 unknown */
  char *dents;            /* DENTS_BYTES for getdents64 */
  qitem_t *q;
  size_t qhead;
  size_t qlen;
  size_t qcap;
  int stop;
} search_t;

/* How long this thread has waited for a CPU, in milliseconds (the
 * second field of /proc/thread-self/schedstat), or -1. */
static long long run_delay_ms(void) {
  char buf[128];
  unsigned long long cpu;
  unsigned long long delay;

  if (ex_read_small("/proc/thread-self/schedstat", buf, sizeof(buf)) <= 0 ||
      sscanf(buf, "%llu %llu", &cpu, &delay) != 2)
    return -1;
  return (long long)(delay / 1000000);
}

/* The time bound: CPU time, and a cap on the time spent running or
 * waiting for the disk (a slow or cold one), which leaves out the time
 * spent waiting for a CPU: a loaded machine slows the search down, it
 * does not cut it short. Without schedstat, a plain wall-clock cap. */
static int over_time(search_t *x) {
  long long wall;
  long long delay;

  wall = ms_of(CLOCK_MONOTONIC) - x->t0;
  delay = x->delay0 >= 0 ? run_delay_ms() : -1;
  if (ms_of(CLOCK_THREAD_CPUTIME_ID) > x->cpu_deadline ||
      (delay >= 0 ? wall - (delay - x->delay0) > EX_PROJECT_WALL_MS
                  : wall > 3 * EX_PROJECT_WALL_MS)) {
    x->s->stopped_by = "time";
    return 1;
  }
  return 0;
}

static int skip_dir(const search_t *x, const char *name) {
  static const char never[][16] = {"node_modules", "__pycache__",
                                   "site-packages", "dist-packages",
                                   "CMakeFiles"};
  size_t i;

  if (name[0] == '.')
    return strcmp(name, ".libs") != 0;
  for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
    if (strcmp(name, never[i]) == 0)
      return 1;
  }
  /* Copies of a Python package made by a build are not the package. */
  if (x->kind == EX_PROJECT_PYMODULE &&
      (strcmp(name, "build") == 0 || strcmp(name, "dist") == 0))
    return 1;
  return 0;
}

static int usual_rank(const char *name) {
  size_t i;

  for (i = 0; i < sizeof(usual_dirs) / sizeof(usual_dirs[0]); i++) {
    if (strcmp(name, usual_dirs[i]) == 0)
      return (int)i;
  }
  return -1;
}

static int is_regular(int dfd, const char *name, mode_t *mode) {
  struct stat st;

  if (fstatat(dfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
    return 0;
  if (mode != NULL)
    *mode = st.st_mode;
  return 1;
}

static int is_directory(int dfd, const char *name) {
  struct stat st;

  return fstatat(dfd, name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* 1 when dir/sub/file exists as a regular file. */
static int has_file(int dfd, const char *sub, const char *file) {
  char rel[512];

  if (snprintf(rel, sizeof(rel), "%s/%s", sub, file) >= (int)sizeof(rel))
    return 0;
  return is_regular(dfd, rel, NULL);
}

/* A Node package directory whose package.json is named full ("@s/x"). */
static int package_named(int dfd, const char *sub, const char *full) {
  char rel[512];
  char text[4096];
  char want[300];
  int fd;
  ssize_t n;

  if (snprintf(rel, sizeof(rel), "%s/package.json", sub) >= (int)sizeof(rel))
    return 0;
  fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return 0;
  do {
    n = read(fd, text, sizeof(text) - 1);
  } while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  snprintf(want, sizeof(want), "\"%s\"", full);
  return strstr(text, want) != NULL;
}

static void set_hit(search_t *x, const char *dirpath, const char *entry,
                    size_t cut) {
  ex_project_search_t *s;

  s = x->s;
  snprintf(s->found, sizeof(s->found), "%s/%s", dirpath, entry);
  ex_strlcpy(s->dir, dirpath, sizeof(s->dir));
  if (cut > 0 && cut < strlen(s->dir))
    s->dir[strlen(s->dir) - cut] = '\0';
  x->stop = 1;
}

/* Does entry of dirpath (open as dfd) match? Sets the hit. */
static void match(search_t *x, int dfd, const char *dirpath, const char *e,
                  unsigned char type) {
  const char *base;
  size_t n;
  mode_t mode;
  int maybe_file;
  int maybe_dir;

  maybe_file = type == DT_REG || type == DT_LNK || type == DT_UNKNOWN;
  maybe_dir = type == DT_DIR || type == DT_LNK || type == DT_UNKNOWN;
  switch (x->kind) {
  case EX_PROJECT_HEADER:
  case EX_PROJECT_CLASS:
  case EX_PROJECT_FILE:
    if (!maybe_file || strcmp(e, x->base) != 0)
      return;
    /* "sys/x.h": the directory must end with "/sys". */
    n = strlen(dirpath);
    if (x->prefix_len > 0 &&
        (n <= x->prefix_len ||
         strncmp(dirpath + n - x->prefix_len, x->name, x->prefix_len) != 0 ||
         dirpath[n - x->prefix_len - 1] != '/'))
      return;
    if (is_regular(dfd, e, NULL))
      set_hit(x, dirpath, e, x->prefix_len > 0 ? x->prefix_len + 1 : 0);
    return;
  case EX_PROJECT_LINKLIB:
    n = strlen(x->name);
    if (!maybe_file || strncmp(e, "lib", 3) != 0 ||
        strncmp(e + 3, x->name, n) != 0)
      return;
    if ((strcmp(e + 3 + n, ".a") == 0 || strcmp(e + 3 + n, ".so") == 0 ||
         strncmp(e + 3 + n, ".so.", 4) == 0) &&
        is_regular(dfd, e, NULL)) {
      char link[300];

      /* The linker takes lib<x>.so or lib<x>.a; lib<x>.so.N only when
       * neither is next to it. */
      snprintf(link, sizeof(link), "lib%s.so", x->name);
      if (strncmp(e + 3 + n, ".so.", 4) == 0 && is_regular(dfd, link, NULL))
        e = link;
      set_hit(x, dirpath, e, 0);
    }
    return;
  case EX_PROJECT_PYMODULE:
    n = strlen(x->name);
    if (strncmp(e, x->name, n) != 0)
      return;
    if (e[n] == '\0' && maybe_dir && is_directory(dfd, e) &&
        has_file(dfd, e, "__init__.py"))
      set_hit(x, dirpath, e, 0);
    else if (maybe_file && e[n] == '.' &&
             (strcmp(e + n, ".py") == 0 ||
              (strlen(e + n) > 3 && strcmp(e + strlen(e) - 3, ".so") == 0)) &&
             is_regular(dfd, e, NULL))
      set_hit(x, dirpath, e, 0);
    return;
  case EX_PROJECT_NODEPKG:
    base = x->base;
    n = strlen(base);
    if (strncmp(e, base, n) != 0)
      return;
    if (e[n] == '\0' && maybe_dir && is_directory(dfd, e)) {
      if (x->name[0] == '@' ? package_named(dfd, e, x->name)
                            : has_file(dfd, e, "package.json") ||
                                  has_file(dfd, e, "index.js"))
        set_hit(x, dirpath, e, 0);
    } else if (x->name[0] != '@' && maybe_file &&
               (strcmp(e + n, ".js") == 0 || strcmp(e + n, ".cjs") == 0 ||
                strcmp(e + n, ".mjs") == 0 || strcmp(e + n, ".json") == 0) &&
               is_regular(dfd, e, NULL)) {
      set_hit(x, dirpath, e, 0);
    }
    return;
  case EX_PROJECT_PROGRAM:
    if (maybe_file && strcmp(e, x->name) == 0 && is_regular(dfd, e, &mode) &&
        (mode & 0111) != 0)
      set_hit(x, dirpath, e, 0);
    return;
  }
}

/* Queues the directory path at depth (the path is copied). */
static int enqueue(search_t *x, const char *path, int depth) {
  char *p;

  if (x->qlen >= EX_PROJECT_DIRS) {
    x->s->stopped_by = "directories";
    return 0;
  }
  if (x->qlen == x->qcap) {
    size_t cap = x->qcap == 0 ? 64 : x->qcap * 2;
    qitem_t *grown = realloc(x->q, cap * sizeof(*grown));

    if (grown == NULL)
      return -ENOMEM;
    x->q = grown;
    x->qcap = cap;
  }
  p = strdup(path);
  if (p == NULL)
    return -ENOMEM;
  x->q[x->qlen].path = p;
  x->q[x->qlen].depth = depth;
  x->qlen++;
  return 0;
}

/* Reads one directory: matches its entries, queues its subdirectories
 * (the usual ones first). Entries come straight from getdents64 into the
 * search's buffer: no DIR stream to allocate per directory. */
static int read_dir(search_t *x, const char *dirpath, int depth,
                    const char *const *skip, size_t nskip) {
  ex_project_search_t *s;
  struct dirent64 *d;
  ssize_t got;
  ssize_t off;
  int dfd;
  int rc;
  char(*later)[256];
  int *rank;
  size_t nlater;
  size_t cap;
  size_t i;
  int r;

  s = x->s;
  rc = 0;
  later = NULL;
  rank = NULL;
  nlater = 0;
  cap = 0;
  dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dfd < 0)
    return 0;
  s->dirs++;
  while (!x->stop) {
    do {
      got = getdents64(dfd, x->dents, DENTS_BYTES);
    } while (got < 0 && errno == EINTR);
    if (got <= 0)
      break;
    for (off = 0; off < got && !x->stop; off += d->d_reclen) {
      d = (struct dirent64 *)(x->dents + off);
      if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
        continue;
      if (s->entries >= EX_PROJECT_ENTRIES) {
        s->stopped_by = "entries";
        x->stop = 1;
        break;
      }
      if ((s->entries & 255) == 0 && over_time(x)) {
        x->stop = 1;
        break;
      }
      s->entries++;
      match(x, dfd, dirpath, d->d_name, d->d_type);
      if (x->stop || depth >= s->depth)
        continue;
      if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
        continue;
      if (skip_dir(x, d->d_name) || strlen(d->d_name) >= 256)
        continue;
      if (d->d_type == DT_UNKNOWN) {
        struct stat st;

        if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode))
          continue;
      }
      if (nlater == cap) {
        size_t ncap = cap == 0 ? 32 : cap * 2;
        void *g1 = realloc(later, ncap * sizeof(*later));

        if (g1 == NULL) {
          rc = -ENOMEM;
          goto cleanup;
        }
        later = g1;
        g1 = realloc(rank, ncap * sizeof(*rank));
        if (g1 == NULL) {
          rc = -ENOMEM;
          goto cleanup;
        }
        rank = g1;
        cap = ncap;
      }
      ex_strlcpy(later[nlater], d->d_name, sizeof(later[nlater]));
      rank[nlater] = usual_rank(d->d_name);
      nlater++;
    }
  }
  /* The usual directories first, in the table's order, then the rest as
   * the directory listed them. */
  for (r = 0; r <= (int)(sizeof(usual_dirs) / sizeof(usual_dirs[0])) &&
              !x->stop && rc == 0;
       r++) {
    for (i = 0; i < nlater && rc == 0; i++) {
      char child[PATH_CAP];
      size_t k;
      int skipped;

      if (r < (int)(sizeof(usual_dirs) / sizeof(usual_dirs[0])) ? rank[i] != r
                                                                : rank[i] >= 0)
        continue;
      if (snprintf(child, sizeof(child), "%s/%s",
                   strcmp(dirpath, "/") == 0 ? "" : dirpath,
                   later[i]) >= (int)sizeof(child))
        continue;
      /* A directory searched as a root of its own is not read again. */
      skipped = 0;
      for (k = 0; k < nskip; k++)
        skipped |= strcmp(child, skip[k]) == 0;
      if (!skipped)
        rc = enqueue(x, child, depth + 1);
    }
  }

cleanup:
  close(dfd);
  free(later);
  free(rank);
  return rc;
}

static int search_root(search_t *x, const char *root, const char *const *skip,
                       size_t nskip) {
  size_t i;
  int rc;

  rc = enqueue(x, root, 0);
  if (rc != 0)
    return rc;
  while (!x->stop && x->qhead < x->qlen) {
    i = x->qhead++;
    rc = read_dir(x, x->q[i].path, x->q[i].depth, skip, nskip);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int depth_of(ex_project_kind_t kind) {
  switch (kind) {
  case EX_PROJECT_PYMODULE:
  case EX_PROJECT_NODEPKG:
  case EX_PROJECT_PROGRAM:
    return 4;
  case EX_PROJECT_CLASS:
    return 10;
  default:
    return 6;
  }
}

/* How many levels path is below dir (dir is a prefix of path). */
static int levels_below(const char *path, const char *dir) {
  const char *p;
  int n;

  n = 0;
  for (p = path + strlen(dir); *p != '\0'; p++)
    n += *p == '/';
  return n;
}

int ex__project_search(const char *const *starts, size_t nstarts,
                       const char *home, ex_project_kind_t kind,
                       const char *name, ex_project_search_t *s) {
  char root[PATH_CAP];
  char start[PATH_CAP];
  const char *marker;
  const char *slash;
  const char *skip[EX_PROJECT_ROOTS];
  search_t x;
  long long t0;
  size_t i;
  size_t k;
  int known;
  int rc;

  memset(s, 0, sizeof(*s));
  memset(&x, 0, sizeof(x));
  s->depth = depth_of(kind);
  if (name == NULL || name[0] == '\0')
    return 0;
  x.s = s;
  x.kind = kind;
  x.name = name;
  slash = strrchr(name, '/');
  x.base = slash != NULL ? slash + 1 : name;
  x.prefix_len =
      slash != NULL && kind != EX_PROJECT_NODEPKG ? (size_t)(slash - name) : 0;
  t0 = ms_of(CLOCK_MONOTONIC);
  x.t0 = t0;
  x.delay0 = run_delay_ms();
  x.cpu_deadline = ms_of(CLOCK_THREAD_CPUTIME_ID) + EX_PROJECT_MS;
  x.dents = malloc(DENTS_BYTES);
  if (x.dents == NULL)
    return -ENOMEM;

  /* The tops, most likely first: a start deep below its top is searched
   * on its own before the top (its subtree then skipped there), so that
   * the depth bound never hides the directory the command ran in. */
  for (i = 0; i < nstarts && s->nroots < EX_PROJECT_ROOTS; i++) {
    if (starts[i] == NULL || starts[i][0] != '/')
      continue;
    /* "/p/src/../app" is /p/app: compared and reported as such; a start
     * that does not exist holds nothing. */
    if (realpath(starts[i], start) == NULL)
      continue;
    if (ex__project_root(start, root, sizeof(root), &marker) != 0)
      continue;
    if (home != NULL && home[0] != '\0' && strcmp(root, home) == 0)
      continue;
    if (s->top[0] == '\0') {
      ex_strlcpy(s->top, root, sizeof(s->top));
      s->top_marker = marker;
    }
    known = 0;
    for (k = 0; k < s->nroots; k++)
      known |= path_under(start, s->roots[k]) &&
               levels_below(start, s->roots[k]) <= 2;
    if (known)
      continue;
    if (levels_below(start, root) > 2) {
      ex_strlcpy(s->roots[s->nroots], start, PATH_CAP);
      s->markers[s->nroots] = NULL;
      s->is_top[s->nroots++] = 0;
    }
    known = 0;
    for (k = 0; k < s->nroots; k++)
      known |= strcmp(root, s->roots[k]) == 0;
    if (!known && s->nroots < EX_PROJECT_ROOTS) {
      ex_strlcpy(s->roots[s->nroots], root, PATH_CAP);
      s->markers[s->nroots] = marker;
      s->is_top[s->nroots++] = 1;
    }
  }

  /* The deep starts before every top: a top's search then skips them,
   * and nothing is read twice. */
  for (i = 1; i < s->nroots; i++) {
    for (k = i; k > 0 && !s->is_top[k] && s->is_top[k - 1]; k--) {
      char tmp_root[PATH_CAP];
      const char *tmp_marker;

      memcpy(tmp_root, s->roots[k], PATH_CAP);
      memcpy(s->roots[k], s->roots[k - 1], PATH_CAP);
      memcpy(s->roots[k - 1], tmp_root, PATH_CAP);
      tmp_marker = s->markers[k];
      s->markers[k] = s->markers[k - 1];
      s->markers[k - 1] = tmp_marker;
      s->is_top[k] = 1;
      s->is_top[k - 1] = 0;
    }
  }

  rc = 0;
  for (i = 0; i < s->nroots && !x.stop && rc == 0; i++) {
    for (k = 0; k < i; k++)
      skip[k] = s->roots[k];
    rc = search_root(&x, s->roots[i], skip, i);
  }
  s->complete = s->found[0] != '\0' || (rc == 0 && s->stopped_by == NULL);
  s->ms = ms_of(CLOCK_MONOTONIC) - t0;
  for (i = 0; i < x.qlen; i++)
    free(x.q[i].path);
  free(x.q);
  free(x.dents);
  if (rc != 0)
    return rc;
  return s->found[0] != '\0';
}

const char *ex__project_describe(const ex_project_search_t *s, char *buf,
                                 size_t size) {
  char roots[2 * PATH_CAP];
  size_t i;
  size_t n;

  roots[0] = '\0';
  n = 0;
  for (i = 0; i < s->nroots && n < sizeof(roots); i++) {
    if (!s->is_top[i])
      n += (size_t)snprintf(roots + n, sizeof(roots) - n, "%s%s, then ",
                            i > 0 ? " and " : "", s->roots[i]);
    else if (s->markers[i] != NULL)
      n += (size_t)snprintf(
          roots + n, sizeof(roots) - n, "%sthe project %s (up to its %s)",
          i > 0 && s->is_top[i - 1] ? " and " : "", s->roots[i], s->markers[i]);
    else
      n += (size_t)snprintf(roots + n, sizeof(roots) - n,
                            "%s%s (no repository or build file above it)",
                            i > 0 && s->is_top[i - 1] ? " and " : "",
                            s->roots[i]);
  }
  if (s->nroots == 0)
    snprintf(buf, size,
             "no project directory (the working directory is "
             "unknown, or the home directory itself)");
  else if (s->stopped_by != NULL)
    snprintf(buf, size,
             "%s, %d levels deep, until the search stopped at its bound "
             "of %s (%zu directories, %zu entries read): not all of it was "
             "read",
             roots, s->depth, s->stopped_by, s->dirs, s->entries);
  else
    snprintf(buf, size, "%s, %d levels deep (%zu directories, %zu entries)",
             roots, s->depth, s->dirs, s->entries);
  return buf;
}

void ex__project_facts(const ex_project_search_t *s, ex_facts_t *facts) {
  char list[EX_PROJECT_ROOTS * PATH_CAP];
  size_t i;
  size_t n;

  if (s->top[0] != '\0') {
    ex_facts_str(facts, "project_root", s->top);
    ex_facts_str(facts, "project_marker",
                 s->top_marker != NULL ? s->top_marker : "");
  }
  list[0] = '\0';
  n = 0;
  for (i = 0; i < s->nroots && n < sizeof(list); i++)
    n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i > 0 ? ":" : "",
                          s->roots[i]);
  ex_facts_str(facts, "project_searched", list);
  ex_facts_int(facts, "project_depth", s->depth);
  ex_facts_int(facts, "project_dirs_read", (long long)s->dirs);
  ex_facts_int(facts, "project_entries_read", (long long)s->entries);
  ex_facts_bool(facts, "project_complete", s->complete);
  if (s->stopped_by != NULL)
    ex_facts_str(facts, "project_stopped_by", s->stopped_by);
}

/* ---------------------------------------------------------------------- */
/* Fixes that run the command again                                        */

/* Appends the words, shell-quoted and separated by spaces, to *out (a
 * string of *len bytes). Returns 0 or -ENOMEM (then *out is freed). */
static int append_words(char **out, size_t *len, const char *const *words,
                        size_t nwords) {
  size_t i;
  size_t n;
  char *q;
  char *grown;

  for (i = 0; i < nwords; i++) {
    if (words[i] == NULL)
      break;
    q = ex_shell_quote(words[i]);
    if (q == NULL)
      goto fail;
    n = strlen(q);
    grown = realloc(*out, *len + n + 2);
    if (grown == NULL) {
      free(q);
      goto fail;
    }
    *out = grown;
    if (*len > 0)
      (*out)[(*len)++] = ' ';
    memcpy(*out + *len, q, n + 1);
    *len += n;
    free(q);
  }
  return 0;

fail:
  free(*out);
  *out = NULL;
  return -ENOMEM;
}

/* Adds the fix (command owned, freed here) with its text. */
static void add_fix(ex_explanation_t *e, char *cmd, const char *fmt,
                    va_list ap) {
  char *text;

  if (vasprintf(&text, fmt, ap) < 0) {
    free(cmd);
    e->nomem = 1;
    return;
  }
  ex_fix_add_raw(e, 0, cmd, "%s", text);
  free(text);
  free(cmd);
}

static size_t argv_count(char *const *argv) {
  size_t n;

  n = 0;
  while (argv != NULL && argv[n] != NULL)
    n++;
  return n;
}

void ex__project_fix_env(ex_explanation_t *e, const char *var, const char *dir,
                         char *const *argv, const char *fmt, ...) {
  va_list ap;
  char *q;
  char *cmd;
  size_t len;
  int n;

  q = ex_shell_quote(dir);
  cmd = NULL;
  if (q == NULL)
    goto nomem;
  /* The variable keeps what it held: a value before this one. */
  n = asprintf(&cmd, "%s%s=%s${%s:+:$%s}", argv != NULL ? "" : "export ", var,
               q, var, var);
  free(q);
  if (n < 0) {
    cmd = NULL;
    goto nomem;
  }
  len = (size_t)n;
  if (argv != NULL) {
    if (append_words(&cmd, &len, (const char *const *)argv, argv_count(argv)) !=
        0)
      goto nomem;
  }
  va_start(ap, fmt);
  add_fix(e, cmd, fmt, ap);
  va_end(ap);
  return;

nomem:
  free(cmd);
  e->nomem = 1;
}

void ex__project_fix_insert(ex_explanation_t *e, char *const *argv,
                            const char *const *words, size_t nwords,
                            const char *fmt, ...) {
  va_list ap;
  char *cmd;
  size_t len;
  size_t n;

  n = argv_count(argv);
  if (n == 0)
    return;
  cmd = NULL;
  len = 0;
  if (append_words(&cmd, &len, (const char *const *)argv, 1) != 0 ||
      append_words(&cmd, &len, words, nwords) != 0 ||
      append_words(&cmd, &len, (const char *const *)argv + 1, n - 1) != 0) {
    e->nomem = 1;
    return;
  }
  va_start(ap, fmt);
  add_fix(e, cmd, fmt, ap);
  va_end(ap);
}
