/* ENOENT / ENOTDIR / EISDIR / ELOOP / ENAMETOOLONG: where the lookup of
 * the path stopped, and why: the first missing component, near-miss names
 * beside it, the command's cwd for relative paths, dangling symlinks, the
 * cycle of a symlink loop, lengths against the limits. */
#include "platform/linux/fs/fs.h"
#include "platform/linux/fs/fs_explainers.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DIR_ENTRIES 20000
#define MAX_HOPS 40
#define MAX_NEAR 5

typedef struct walk {
  char missing[EX_PROC_PATH_MAX];  /* first component that does not exist */
  char parent[EX_PROC_PATH_MAX];   /* the directory that should hold it */
  char name[NAME_MAX + 1];         /* its name */
  int missing_is_last;
  char notdir[EX_PROC_PATH_MAX];   /* a component used as a directory that
                                      is not one */
  mode_t notdir_mode;
  char dangling[EX_PROC_PATH_MAX]; /* a symlink whose target is missing */
  char dangling_target[EX_PROC_PATH_MAX];
  char loop[EX_PROC_PATH_MAX];     /* a symlink that loops */
  int exists;                      /* the whole path exists now */
  struct stat st;                  /* its stat when it does */
  int error;                       /* errno that stopped the walk, or 0 */
} walk_t;

/* Walks abs component by component with lstat, as a lookup would. */
static void walk_path(const char *abs, walk_t *w) {
  char cur[EX_PROC_PATH_MAX];
  const char *s;
  const char *end;
  size_t len;
  size_t clen;
  struct stat st;
  ssize_t n;

  memset(w, 0, sizeof(*w));
  ex_strlcpy(cur, "", sizeof(cur));
  s = abs;
  for (;;) {
    while (*s == '/')
      s++;
    if (*s == '\0')
      break;
    end = strchr(s, '/');
    clen = end != NULL ? (size_t)(end - s) : strlen(s);
    len = strlen(cur);
    if (len + 1 + clen >= sizeof(cur)) {
      w->error = ENAMETOOLONG;
      return;
    }
    cur[len] = '/';
    memcpy(cur + len + 1, s, clen);
    cur[len + 1 + clen] = '\0';
    s += clen;
    while (*s == '/')
      s++;
    if (lstat(cur, &st) != 0) {
      w->error = errno;
      if (errno == ENOENT) {
        ex_strlcpy(w->missing, cur, sizeof(w->missing));
        ex__fs_dirname(cur, w->parent, sizeof(w->parent));
        if (clen > NAME_MAX)
          clen = NAME_MAX;
        memcpy(w->name, cur + len + 1, clen);
        w->name[clen] = '\0';
        w->missing_is_last = *s == '\0';
      }
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      if (stat(cur, &st) != 0) {
        w->error = errno;
        if (errno == ENOENT) {
          ex_strlcpy(w->dangling, cur, sizeof(w->dangling));
          n = readlink(cur, w->dangling_target,
                       sizeof(w->dangling_target) - 1);
          w->dangling_target[n > 0 ? n : 0] = '\0';
        } else if (errno == ELOOP) {
          ex_strlcpy(w->loop, cur, sizeof(w->loop));
        }
        return;
      }
    }
    if (*s != '\0' && !S_ISDIR(st.st_mode)) {
      w->error = ENOTDIR;
      ex_strlcpy(w->notdir, cur, sizeof(w->notdir));
      w->notdir_mode = st.st_mode;
      return;
    }
    if (*s == '\0') {
      /* A trailing slash asks for a directory. */
      if (abs[strlen(abs) - 1] == '/' && !S_ISDIR(st.st_mode)) {
        w->error = ENOTDIR;
        ex_strlcpy(w->notdir, cur, sizeof(w->notdir));
        w->notdir_mode = st.st_mode;
        return;
      }
      w->exists = 1;
      w->st = st;
      return;
    }
  }
  w->exists = stat("/", &w->st) == 0;
}

/* Levenshtein distance, bounded: returns max + 1 when above max. */
static size_t edit_distance(const char *a, const char *b, size_t max) {
  size_t la;
  size_t lb;
  size_t i;
  size_t j;
  size_t prev[NAME_MAX + 2];
  size_t cur[NAME_MAX + 2];
  size_t best;
  size_t v;

  la = strlen(a);
  lb = strlen(b);
  if (la > NAME_MAX || lb > NAME_MAX)
    return max + 1;
  if ((la > lb ? la - lb : lb - la) > max)
    return max + 1;
  for (j = 0; j <= lb; j++)
    prev[j] = j;
  for (i = 1; i <= la; i++) {
    cur[0] = i;
    best = cur[0];
    for (j = 1; j <= lb; j++) {
      v = prev[j - 1] + (a[i - 1] != b[j - 1]);
      if (prev[j] + 1 < v)
        v = prev[j] + 1;
      if (cur[j - 1] + 1 < v)
        v = cur[j - 1] + 1;
      cur[j] = v;
      if (v < best)
        best = v;
    }
    if (best > max)
      return max + 1;
    memcpy(prev, cur, (lb + 1) * sizeof(size_t));
  }
  return prev[lb];
}

/* The name without trailing spaces, tabs and carriage returns, also when
 * the message quoted them as escapes (Python's repr writes '\\r'). */
static void strip_trailing(const char *s, char *buf, size_t size) {
  size_t n;

  ex_strlcpy(buf, s, size);
  n = strlen(buf);
  for (;;) {
    if (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\r' ||
                  buf[n - 1] == '\t' || buf[n - 1] == '\n')) {
      buf[--n] = '\0';
    } else if (n > 1 && buf[n - 2] == '\\' &&
               (buf[n - 1] == 'r' || buf[n - 1] == 'n' ||
                buf[n - 1] == 't')) {
      n -= 2;
      buf[n] = '\0';
    } else {
      break;
    }
  }
}

/* Why entry is a near miss of want, or NULL. */
static const char *near_kind(const char *want, const char *entry) {
  char a[NAME_MAX + 1];
  char b[NAME_MAX + 1];
  size_t max;

  if (strcasecmp(want, entry) == 0)
    return "case";
  strip_trailing(want, a, sizeof(a));
  strip_trailing(entry, b, sizeof(b));
  if (strcmp(a, b) == 0)
    return strlen(want) > strlen(entry) ? "trailing-space-in-path"
                                        : "trailing-space-in-name";
  if (strcasecmp(a, b) == 0)
    return "case";
  max = strlen(want) >= 8 ? 2 : 1;
  if (strlen(want) >= 3 && edit_distance(want, entry, max) <= max)
    return "typo";
  return NULL;
}

/* Lists up to MAX_NEAR near misses of name in dir into cause facts. */
static int near_misses(ex_explanation_t *e, const char *dir,
                       const char *name, const char *rest) {
  DIR *d;
  struct dirent *x;
  char list[1024];
  char names[MAX_NEAR][256];
  char first[EX_PROC_PATH_MAX];
  const char *kind;
  const char *first_kind;
  size_t len;
  long scanned;
  int n;
  ex_cause_t *c;

  d = opendir(dir);
  if (d == NULL)
    return -errno;
  n = 0;
  len = 0;
  list[0] = '\0';
  first_kind = NULL;
  scanned = 0;
  while ((x = readdir(d)) != NULL && scanned++ < MAX_DIR_ENTRIES) {
    if (strcmp(x->d_name, ".") == 0 || strcmp(x->d_name, "..") == 0)
      continue;
    kind = near_kind(name, x->d_name);
    if (kind == NULL)
      continue;
    if (n == 0) {
      first_kind = kind;
      snprintf(first, sizeof(first), "%s%s%s%s", dir,
               strcmp(dir, "/") == 0 ? "" : "/", x->d_name, rest);
    }
    if (n < MAX_NEAR)
      snprintf(names[n], sizeof(names[n]), "%s", x->d_name);
    if (n < MAX_NEAR && len + strlen(x->d_name) + 4 < sizeof(list))
      len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                              n ? "," : "", x->d_name);
    n++;
  }
  closedir(d);
  if (n == 0) {
    ex_cause_add(e, "near-miss-name", EX_VERDICT_RULED_OUT,
                 "no name in %s is close to '%s'", dir, name);
    return 0;
  }
  c = ex_cause_add(e, "near-miss-name", EX_VERDICT_CONFIRMED,
                   "%s has %s instead of '%s' (%s)", dir, list, name,
                   first_kind);
  if (c != NULL) {
    ex_facts_str(&c->facts, "directory", dir);
    ex_facts_str(&c->facts, "wanted", name);
    for (len = 0; len < (size_t)n && len < MAX_NEAR; len++)
      ex_facts_list_add(&c->facts, "candidates", names[len]);
    ex_facts_str(&c->facts, "kind", first_kind);
    ex_facts_str(&c->facts, "suggested_path", first);
  }
  ex_fix_add_raw(e, 0, NULL, "use the existing name: %s", first);
  return n;
}

/* For a relative path: does it exist from a directory above the cwd, or
 * beside the program? */
static void relative_causes(ex_explanation_t *e, const ex_proc_t *p,
                            const char *rel) {
  char dir[EX_PROC_PATH_MAX];
  char probe[2 * EX_PROC_PATH_MAX + 2];
  struct stat st;
  ex_cause_t *c;
  const char *argv[3];
  int i;

  c = ex_cause_add(e, "relative-to-cwd", EX_VERDICT_CONFIRMED,
                   "'%s' is relative: it was looked up from the command's "
                   "working directory %s",
                   rel, p->cwd[0] ? p->cwd : "(unknown)");
  if (c != NULL) {
    ex_facts_str(&c->facts, "cwd", p->cwd);
    ex_facts_str(&c->facts, "relative_path", rel);
  }
  if (p->cwd[0] != '/')
    return;
  ex_strlcpy(dir, p->cwd, sizeof(dir));
  for (i = 0; i < 4 && strcmp(dir, "/") != 0; i++) {
    ex__fs_dirname(dir, dir, sizeof(dir));
    snprintf(probe, sizeof(probe), "%s%s%s", dir,
             strcmp(dir, "/") == 0 ? "" : "/", rel);
    if (stat(probe, &st) == 0) {
      c = ex_cause_add(e, "exists-elsewhere", EX_VERDICT_CONFIRMED,
                       "%s exists: '%s' is relative to %s, not to %s",
                       probe, rel, dir, p->cwd);
      if (c != NULL)
        ex_facts_str(&c->facts, "found_at", probe);
      argv[0] = "cd";
      argv[1] = dir;
      argv[2] = NULL;
      ex_fix_add_cmd(e, 0, argv, "run the command from %s", dir);
      return;
    }
  }
}

/* Follows the symlinks from link until one repeats: "a -> b -> a". */
static void loop_cause(ex_explanation_t *e, const char *link) {
  char seen[MAX_HOPS][256];
  char cur[EX_PROC_PATH_MAX];
  char target[EX_PROC_PATH_MAX];
  char dir[EX_PROC_PATH_MAX];
  char next[2 * EX_PROC_PATH_MAX + 2];
  char chain[2048];
  size_t len;
  int n;
  int i;
  int cycle;
  ssize_t r;
  struct stat st;
  ex_cause_t *c;

  ex_strlcpy(cur, link, sizeof(cur));
  n = 0;
  cycle = -1;
  len = 0;
  chain[0] = '\0';
  while (n < MAX_HOPS) {
    for (i = 0; i < n; i++) {
      if (strcmp(seen[i], cur) == 0)
        cycle = i;
    }
    if (len + strlen(cur) + 5 < sizeof(chain))
      len += (size_t)snprintf(chain + len, sizeof(chain) - len, "%s%s",
                              n ? " -> " : "", cur);
    if (cycle >= 0)
      break;
    ex_strlcpy(seen[n++], cur, sizeof(seen[0]));
    if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
      break;
    r = readlink(cur, target, sizeof(target) - 1);
    if (r <= 0)
      break;
    target[r] = '\0';
    if (target[0] == '/') {
      ex_strlcpy(next, target, sizeof(next));
    } else {
      ex__fs_dirname(cur, dir, sizeof(dir));
      snprintf(next, sizeof(next), "%s/%s", dir, target);
    }
    ex_strlcpy(cur, next, sizeof(cur));
  }
  c = ex_cause_add(e, "symlink-loop", cycle >= 0 || n >= MAX_HOPS
                                          ? EX_VERDICT_CONFIRMED
                                          : EX_VERDICT_UNKNOWN,
                   cycle >= 0 ? "the symlinks form a cycle: %s"
                              : "following the symlinks does not end: %s",
                   chain);
  if (c != NULL) {
    ex_facts_str(&c->facts, "cycle", chain);
    ex_facts_str(&c->facts, "link", link);
    ex_facts_int(&c->facts, "hops", n);
  }
  ex_fix_add_raw(e, 0, NULL, "point %s at a real file or directory (ln "
                 "-sfn TARGET LINK)", link);
}

static void length_causes(ex_explanation_t *e, const char *abs,
                          const char *given) {
  char dir[EX_PROC_PATH_MAX];
  const char *s;
  const char *end;
  const char *longest;
  size_t clen;
  size_t lmax;
  long name_max;
  long path_max;
  struct stat st;
  ex_cause_t *c;
  char shown[48];

  ex_strlcpy(dir, abs, sizeof(dir));
  while (stat(dir, &st) != 0 && strcmp(dir, "/") != 0)
    ex__fs_dirname(dir, dir, sizeof(dir));
  name_max = pathconf(dir, _PC_NAME_MAX);
  if (name_max <= 0)
    name_max = NAME_MAX;
  path_max = pathconf(dir, _PC_PATH_MAX);
  if (path_max <= 0)
    path_max = PATH_MAX;
  longest = abs;
  lmax = 0;
  for (s = abs; *s != '\0';) {
    while (*s == '/')
      s++;
    end = strchr(s, '/');
    clen = end != NULL ? (size_t)(end - s) : strlen(s);
    if (clen > lmax) {
      lmax = clen;
      longest = s;
    }
    s += clen;
  }
  snprintf(shown, sizeof(shown), "%.*s%s", (int)(lmax < 40 ? lmax : 40),
           longest, lmax > 40 ? "..." : "");
  c = ex_cause_add(e, "component-too-long",
                   (long)lmax > name_max ? EX_VERDICT_CONFIRMED
                                         : EX_VERDICT_RULED_OUT,
                   "the longest name, '%s', has %zu bytes; the limit on %s "
                   "is %ld",
                   shown, lmax, dir, name_max);
  if (c != NULL) {
    ex_facts_str(&c->facts, "component", shown);
    ex_facts_int(&c->facts, "component_length", (long long)lmax);
    ex_facts_int(&c->facts, "name_max", name_max);
  }
  c = ex_cause_add(e, "path-too-long",
                   (long)strlen(given) >= path_max ? EX_VERDICT_CONFIRMED
                                                   : EX_VERDICT_RULED_OUT,
                   "the path has %zu bytes; the limit is %ld",
                   strlen(given), path_max);
  if (c != NULL) {
    ex_facts_int(&c->facts, "path_length", (long long)strlen(given));
    ex_facts_int(&c->facts, "path_max", path_max);
  }
  ex_explanation_summary(e, "%s: a name of %zu bytes (limit %ld), a path "
                         "of %zu bytes (limit %ld)",
                         (long)lmax > name_max ? "name too long"
                                               : "path too long",
                         lmax, name_max, strlen(given), path_max);
}

/* mkdir -p for a missing parent, as the user when they may create it. */
static void mkdir_fix(ex_explanation_t *e, const ex_proc_t *p,
                      const walk_t *w, const char *abs) {
  char target_dir[EX_PROC_PATH_MAX];
  struct stat st;
  ex_access_t a;
  const char *argv[4];
  int root;

  ex__fs_dirname(abs, target_dir, sizeof(target_dir));
  root = 1;
  if (stat(w->parent, &st) == 0) {
    ex__fs_access(p, w->parent, &st, EX_FS_W | EX_FS_X, &a);
    root = !a.allowed;
  }
  argv[0] = "mkdir";
  argv[1] = "-p";
  argv[2] = target_dir;
  argv[3] = NULL;
  ex_fix_add_cmd(e, root, argv, "create the missing directories%s",
                 root ? " (you may not write in the existing parent)" : "");
}

int ex__fs_run_lookup(const ex_probe_event_t *ev, const ex_proc_t *p,
                      const ex_host_t *host, ex_explanation_t *e) {
  const char *err;
  const char *given;
  char *abs;
  walk_t *w;
  ex_cause_t *c;
  int rc;

  err = ev->errno_name;
  given = ev->subject_value;
  abs = NULL;
  w = NULL;
  ex__fs_proc_facts(&e->facts, p, host);
  if (!ex__fs_named_path(given)) {
    ex_cause_add(e, "missing-component", EX_VERDICT_UNKNOWN,
                 "%s, so it could not be checked",
                 ex_probe_unnamed(ev, "the message did not name the path"));
    ex_explanation_summary(e, "%s on an unnamed path: not checked", err);
    return 0;
  }
  abs = ex__path_absolute(p, given);
  w = malloc(sizeof(*w));
  if (abs == NULL || w == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  ex_facts_str(&e->facts, "path", given);
  if (strcmp(abs, given) != 0) {
    ex_facts_str(&e->facts, "abs_path", abs);
    ex_facts_str(&e->facts, "cwd", p->cwd);
  }
  if (strcmp(err, "ENAMETOOLONG") == 0) {
    length_causes(e, abs, given);
    rc = 0;
    goto cleanup;
  }
  walk_path(abs, w);

  if (strcmp(err, "ELOOP") == 0) {
    if (w->loop[0] != '\0') {
      loop_cause(e, w->loop);
      ex_explanation_summary(e, "%s: symlink loop at %s", given, w->loop);
    } else if (w->exists && S_ISLNK(w->st.st_mode)) {
      ex_cause_add(e, "nofollow", EX_VERDICT_CONFIRMED,
                   "%s is a symlink and the program refused to follow it "
                   "(O_NOFOLLOW)",
                   abs);
    } else {
      e->stale = 1;
      ex_cause_add(e, "symlink-loop", EX_VERDICT_RULED_OUT,
                   "%s resolves now without a loop", abs);
      ex_explanation_summary(e, "%s resolves now: the loop is gone", abs);
    }
    rc = 0;
    goto cleanup;
  }

  if (w->notdir[0] != '\0') {
    c = ex_cause_add(e, "not-a-directory",
                     EX_VERDICT_CONFIRMED,
                     "%s is a %s, but the path uses it as a directory",
                     w->notdir, ex__fs_type_name(w->notdir_mode));
    if (c != NULL) {
      ex_facts_str(&c->facts, "component", w->notdir);
      ex_facts_str(&c->facts, "type", ex__fs_type_name(w->notdir_mode));
    }
    ex_explanation_summary(e, "%s: %s is a %s, not a directory", given,
                           w->notdir, ex__fs_type_name(w->notdir_mode));
  } else if (strcmp(err, "ENOTDIR") == 0) {
    ex_cause_add(e, "not-a-directory", EX_VERDICT_RULED_OUT,
                 "every component of %s that is used as a directory is "
                 "one now",
                 abs);
  }

  if (strcmp(err, "EISDIR") == 0) {
    if (w->exists && S_ISDIR(w->st.st_mode)) {
      c = ex_cause_add(e, "is-a-directory", EX_VERDICT_CONFIRMED,
                       "%s is a directory; the program wanted a file there",
                       abs);
      if (c != NULL) {
        ex__fs_inode_facts(&c->facts, "", &w->st);
        ex_facts_str(&c->facts, "path", abs);
      }
      ex_explanation_summary(e, "%s is a directory, not a file", abs);
      ex_fix_add_raw(e, 0, NULL, "give the path of a file inside %s, or "
                     "remove the trailing part that names the directory",
                     abs);
    } else {
      e->stale = 1;
      ex_cause_add(e, "is-a-directory", EX_VERDICT_RULED_OUT,
                   "%s is not a directory now", abs);
    }
  }

  if (strcmp(err, "ENOENT") == 0 || (strcmp(err, "ENOTDIR") == 0 &&
                                     w->notdir[0] == '\0')) {
    if (w->dangling[0] != '\0') {
      c = ex_cause_add(e, "dangling-symlink", EX_VERDICT_CONFIRMED,
                       "%s is a symlink to %s, which does not exist",
                       w->dangling, w->dangling_target);
      if (c != NULL) {
        ex_facts_str(&c->facts, "link", w->dangling);
        ex_facts_str(&c->facts, "target", w->dangling_target);
      }
      ex_explanation_summary(e, "%s: the symlink %s points to %s, which "
                             "does not exist",
                             given, w->dangling, w->dangling_target);
    } else if (w->missing[0] != '\0') {
      c = ex_cause_add(
          e, w->missing_is_last ? "missing-file" : "missing-directory",
          EX_VERDICT_CONFIRMED, "%s does not exist%s", w->missing,
          w->missing_is_last ? "" : " (a directory on the way)");
      if (c != NULL) {
        ex_facts_str(&c->facts, "missing_component", w->missing);
        ex_facts_str(&c->facts, "existing_parent", w->parent);
      }
      ex_facts_str(&e->facts, "missing_component", w->missing);
      ex_facts_str(&e->facts, "existing_parent", w->parent);
      ex_explanation_summary(e, "%s: %s does not exist (%s exists)", given,
                             w->missing, w->parent);
      near_misses(e, w->parent, w->name,
                  abs + strlen(w->missing));
      if (!w->missing_is_last)
        mkdir_fix(e, p, w, abs);
    } else if (w->exists) {
      e->stale = 1;
      c = ex_cause_add(e, "exists-now", EX_VERDICT_CONFIRMED,
                       "%s exists now (a %s): it was created after the "
                       "error, or the program looked elsewhere",
                       abs, ex__fs_type_name(w->st.st_mode));
      ex_explanation_summary(e, "%s exists now", abs);
    } else if (w->error != 0) {
      ex_cause_add(e, "missing-file", EX_VERDICT_UNKNOWN,
                   "the lookup of %s could not be repeated (%s)", abs,
                   strerror(w->error));
    }
    if (given[0] != '/')
      relative_causes(e, p, given);
  }
  rc = 0;

cleanup:
  free(abs);
  free(w);
  return rc;
}
