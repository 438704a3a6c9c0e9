/* Rule files on disk: reading files, directories and the search path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules_int.h"
#include "platform/cjson.h"
#include "platform/platform.h"

#define EX_RULES_DIRS_MAX 64

void ex_rules_dirs_init(ex_rules_dirs_t *dirs) {
  memset(dirs, 0, sizeof(*dirs));
}

void ex_rules_dirs_release(ex_rules_dirs_t *dirs) {
  size_t i;

  for (i = 0; i < dirs->count; i++)
    ex_free(dirs->items[i].path);
  ex_free(dirs->items);
  memset(dirs, 0, sizeof(*dirs));
}

int ex_rules_dirs_add(ex_rules_dirs_t *dirs, const char *path, int flags) {
  ex_rules_dir_t *p;
  char *copy;

  if (path == NULL || path[0] == '\0')
    return 0;
  if (dirs->count >= EX_RULES_DIRS_MAX)
    return -E2BIG;
  copy = ex_strdup(path);
  if (copy == NULL)
    return -ENOMEM;
  p = ex_realloc(dirs->items, (dirs->count + 1) * sizeof(*p));
  if (p == NULL) {
    ex_free(copy);
    return -ENOMEM;
  }
  dirs->items = p;
  dirs->items[dirs->count].path = copy;
  dirs->items[dirs->count].flags = flags;
  dirs->count++;
  return 0;
}

int ex_rules_dirs_default(ex_rules_dirs_t *dirs, const char *builtin_dir) {
  const char *xdg = getenv("XDG_CONFIG_HOME");
  const char *home = getenv("HOME");
  const char *list = getenv("EXPLAIN_RULES_PATH");
  char path[4096];
  int rc = 0;

  if (builtin_dir != NULL) {
    rc = ex_rules_dirs_add(dirs, builtin_dir, EX_RULES_BUILTIN);
    if (rc < 0)
      return rc;
  }
  path[0] = '\0';
  if (xdg != NULL && xdg[0] == '/')
    snprintf(path, sizeof(path), "%s/explain/rules", xdg);
  else if (home != NULL && home[0] != '\0')
    snprintf(path, sizeof(path), "%s/.config/explain/rules", home);
  rc = ex_rules_dirs_add(dirs, path, 0);
  while (rc == 0 && list != NULL && *list != '\0') {
    const char *colon = strchr(list, ':');
    size_t n = colon != NULL ? (size_t)(colon - list) : strlen(list);
    if (n > 0 && n < sizeof(path)) {
      memcpy(path, list, n);
      path[n] = '\0';
      rc = ex_rules_dirs_add(dirs, path, 0);
    }
    list = colon != NULL ? colon + 1 : NULL;
  }
  return rc == -E2BIG ? 0 : rc;
}

/* Errors that end the whole load, said once by the caller: no memory, or
 * no descriptor left (a tiny ulimit -n), which every other file would hit
 * too. */
static int stops_loading(int rc) {
  return rc == -ENOMEM || rc == -EMFILE || rc == -ENFILE;
}

int ex_rules_load_file(ex_ruleset_t *set, const char *path, int flags,
                       ex_diags_t *diags) {
  int builtin = (flags & EX_RULES_BUILTIN) != 0;
  char *buf = NULL;
  size_t len = 0;
  size_t cap;
  struct stat st;
  int fd = -1;
  int rc;

  /* Non-blocking: a FIFO named like a rule file must not hang the loader
   * (and with it the diagnosis); it is refused below. */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    rc = -errno;
    if (!stops_loading(rc))
      ex__diag_add(diags, path, 0, 0, builtin, "cannot open: %s",
                   strerror(-rc));
    goto cleanup;
  }
  if (fstat(fd, &st) < 0) {
    rc = -errno;
    ex__diag_add(diags, path, 0, 0, builtin, "cannot stat: %s", strerror(-rc));
    goto cleanup;
  }
  if (S_ISDIR(st.st_mode)) {
    rc = -EISDIR;
    ex__diag_add(diags, path, 0, 0, builtin, "is a directory");
    goto cleanup;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = -EINVAL;
    ex__diag_add(diags, path, 0, 0, builtin, "not a regular file");
    goto cleanup;
  }
  if (st.st_size > EX_RULES_FILE_MAX) {
    rc = -EFBIG;
    ex__diag_add(diags, path, 0, 0, builtin, "file is larger than %d bytes",
                 EX_RULES_FILE_MAX);
    goto cleanup;
  }
  /* Sized from fstat, but read to the end: the file may be growing. */
  cap = (size_t)st.st_size + 1;
  buf = ex_malloc(cap);
  if (buf == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  for (;;) {
    ssize_t n;
    if (len == cap) {
      char *p;
      cap = cap * 2 < EX_RULES_FILE_MAX + 1 ? cap * 2 : EX_RULES_FILE_MAX + 1;
      p = ex_realloc(buf, cap);
      if (p == NULL) {
        rc = -ENOMEM;
        goto cleanup;
      }
      buf = p;
    }
    n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = -errno;
      ex__diag_add(diags, path, 0, 0, builtin, "cannot read: %s",
                   strerror(-rc));
      goto cleanup;
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len > EX_RULES_FILE_MAX) {
      rc = -EFBIG;
      ex__diag_add(diags, path, 0, 0, builtin, "file is larger than %d bytes",
                   EX_RULES_FILE_MAX);
      goto cleanup;
    }
  }
  rc = ex_rules_load_buffer(set, path, buf, len, flags, diags);

cleanup:
  if (fd >= 0)
    close(fd);
  ex_free(buf);
  return rc;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_rule_file(const char *name) {
  size_t n = strlen(name);

  return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

int ex_rules_load_dir(ex_ruleset_t *set, const char *dir, int flags,
                      ex_diags_t *diags) {
  int builtin = (flags & EX_RULES_BUILTIN) != 0;
  char **names = NULL;
  size_t count = 0;
  size_t i;
  DIR *d = NULL;
  int rc = 0;

  d = opendir(dir);
  if (d == NULL) {
    rc = -errno;
    if (rc != -ENOENT && !stops_loading(rc))
      ex__diag_add(diags, dir, 0, 0, builtin, "cannot read directory: %s",
                   strerror(-rc));
    goto cleanup;
  }
  names = ex_calloc(EX_RULES_FILES_MAX, sizeof(*names));
  if (names == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  for (;;) {
    struct dirent *e;
    errno = 0;
    e = readdir(d);
    if (e == NULL)
      break;
    if (!is_rule_file(e->d_name))
      continue;
    if (count >= EX_RULES_FILES_MAX) {
      ex__diag_add(diags, dir, 0, 0, builtin,
                   "more than %d rule files: the rest are ignored",
                   EX_RULES_FILES_MAX);
      rc = -EINVAL;
      break;
    }
    names[count] = ex_strdup(e->d_name);
    if (names[count] == NULL) {
      rc = -ENOMEM;
      goto cleanup;
    }
    count++;
  }
  qsort(names, count, sizeof(*names), name_cmp);
  for (i = 0; i < count; i++) {
    char path[4096];
    int r;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
        sizeof(path)) {
      ex__diag_add(diags, dir, 0, 0, builtin, "path too long: %s", names[i]);
      rc = -EINVAL;
      continue;
    }
    r = ex_rules_load_file(set, path, flags, diags);
    if (stops_loading(r)) {
      rc = r;
      goto cleanup;
    }
    if (r < 0)
      rc = -EINVAL;
  }

cleanup:
  if (d != NULL)
    closedir(d);
  for (i = 0; names != NULL && i < count; i++)
    ex_free(names[i]);
  ex_free(names);
  return rc;
}

int ex_rules_load_path(ex_ruleset_t *set, const char *path, int flags,
                       ex_diags_t *diags) {
  struct stat st;
  int rc;

  if (stat(path, &st) < 0) {
    rc = -errno;
    ex__diag_add(diags, path, 0, 0, (flags & EX_RULES_BUILTIN) != 0, "%s",
                 strerror(-rc));
    return rc;
  }
  if (S_ISDIR(st.st_mode))
    return ex_rules_load_dir(set, path, flags, diags);
  return ex_rules_load_file(set, path, flags, diags);
}

int ex_rules_load_dirs(ex_ruleset_t *set, const ex_rules_dirs_t *dirs,
                       ex_diags_t *diags) {
  size_t i;
  int rc = 0;

  if (!ex_cjson_available())
    return -ENOSYS; /* said in one line; no "syntax error" per file */
  for (i = 0; i < dirs->count; i++) {
    int r = ex_rules_load_dir(set, dirs->items[i].path, dirs->items[i].flags,
                              diags);
    if (stops_loading(r))
      return r;
    if (r < 0 && r != -ENOENT)
      rc = -EINVAL;
  }
  return rc;
}
