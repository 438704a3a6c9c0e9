/* The loader's view of a library: /etc/ld.so.cache (read directly, never
 * through ldconfig -p), directory lists such as LD_LIBRARY_PATH and
 * RUNPATH, and a bounded search of the places where libraries end up
 * outside the loader's path. */
#include "platform/linux/exec/exec_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Caches have a few thousand entries; anything above this is not one. */
#define CACHE_MAX_BYTES (16 * 1024 * 1024)
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_HEADER 48
#define NEW_ENTRY 24
#define OLD_MAGIC "ld.so-1.7.0"
#define OLD_HEADER 16
#define OLD_ENTRY 12

/* Bounds of the search outside the loader's path. */
#define SEARCH_MAX_DIRS 400
#define SEARCH_MAX_ENTRIES 20000

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static unsigned char *read_file(const char *path, size_t *len, int *err) {
  struct stat st;
  unsigned char *buf;
  size_t done;
  ssize_t n;
  int fd;

  buf = NULL;
  *err = 0;
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *err = -errno;
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size > CACHE_MAX_BYTES || st.st_size < NEW_HEADER) {
    *err = -ENOEXEC;
    goto cleanup;
  }
  buf = malloc((size_t)st.st_size);
  if (buf == NULL) {
    *err = -ENOMEM;
    goto cleanup;
  }
  done = 0;
  while (done < (size_t)st.st_size) {
    n = read(fd, buf + done, (size_t)st.st_size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += (size_t)n;
  }
  *len = done;
cleanup:
  close(fd);
  return buf;
}

/* The soname's stem: "libssl.so" for "libssl.so.1.1". */
static size_t stem_len(const char *soname) {
  const char *p;

  p = strstr(soname, ".so");
  if (p == NULL)
    return strlen(soname);
  return (size_t)(p - soname) + 3;
}

int ex__ldcache_lookup(const char *cache_path, const char *soname,
                       ex_ldcache_hit_t *hits, size_t max,
                       ex_ldcache_hit_t *others, size_t omax,
                       size_t *nothers) {
  unsigned char *buf;
  const unsigned char *base;
  size_t len;
  size_t blen;
  size_t off;
  size_t nlibs;
  size_t i;
  size_t stem;
  int nhits;
  int err;

  nhits = 0;
  if (nothers != NULL)
    *nothers = 0;
  buf = read_file(cache_path, &len, &err);
  if (buf == NULL)
    return err;
  /* An old-format header may come first (glibc before 2.32 wrote both);
   * the new table then follows the old entries, 8-byte aligned. */
  off = 0;
  if (len >= OLD_HEADER && memcmp(buf, OLD_MAGIC, strlen(OLD_MAGIC)) == 0) {
    size_t nold = le32(buf + 12);
    if (nold > len / OLD_ENTRY) {
      nhits = -ENOEXEC;
      goto cleanup;
    }
    off = OLD_HEADER + nold * OLD_ENTRY;
    off = (off + 7) & ~(size_t)7;
  }
  if (off > len || len - off < NEW_HEADER ||
      memcmp(buf + off, NEW_MAGIC, strlen(NEW_MAGIC)) != 0) {
    nhits = -ENOEXEC;
    goto cleanup;
  }
  base = buf + off;
  blen = len - off;
  nlibs = le32(base + 20);
  if (nlibs > (blen - NEW_HEADER) / NEW_ENTRY) {
    nhits = -ENOEXEC;
    goto cleanup;
  }
  stem = stem_len(soname);
  for (i = 0; i < nlibs; i++) {
    const unsigned char *ent = base + NEW_HEADER + i * NEW_ENTRY;
    uint32_t flags = le32(ent);
    uint32_t key = le32(ent + 4);
    uint32_t value = le32(ent + 8);
    const char *k;
    const char *v;

    /* String offsets count from the new header; check both strings end
     * inside the file before using them. */
    if (key >= blen || value >= blen ||
        memchr(base + key, '\0', blen - key) == NULL ||
        memchr(base + value, '\0', blen - value) == NULL)
      continue;
    k = (const char *)base + key;
    v = (const char *)base + value;
    if (strcmp(k, soname) == 0) {
      if ((size_t)nhits < max) {
        ex_strlcpy(hits[nhits].path, v, sizeof(hits[nhits].path));
        hits[nhits].flags = flags;
      }
      nhits++;
    } else if (others != NULL && nothers != NULL && *nothers < omax &&
               strncmp(k, soname, stem) == 0 &&
               (k[stem] == '\0' || k[stem] == '.')) {
      ex_strlcpy(others[*nothers].path, v, sizeof(others[*nothers].path));
      others[*nothers].flags = flags;
      (*nothers)++;
    }
  }
  if ((size_t)nhits > max)
    nhits = (int)max;
cleanup:
  free(buf);
  return nhits;
}

unsigned ex__ldcache_host_flags(void) {
  /* FLAG_ELF_LIBC6 (3) plus the ABI bits glibc's ldconfig writes. */
  switch (ex__elf_host_machine()) {
  case 62:
    return 0x0303;
  case 183:
    return 0x0a03;
  case 3:
  case 40:
    return 0x0003;
  default:
    return 0;
  }
}

/* "$ORIGIN/../lib" with origin replaced; out is cut to size. */
static void expand_origin(const char *dir, size_t n, const char *origin,
                          char *out, size_t size) {
  char tmp[EX_PROC_PATH_MAX];
  const char *rest;

  if (n >= sizeof(tmp))
    n = sizeof(tmp) - 1;
  memcpy(tmp, dir, n);
  tmp[n] = '\0';
  rest = NULL;
  if (strncmp(tmp, "$ORIGIN", 7) == 0)
    rest = tmp + 7;
  else if (strncmp(tmp, "${ORIGIN}", 9) == 0)
    rest = tmp + 9;
  if (rest != NULL && origin != NULL)
    snprintf(out, size, "%s%s", origin, rest);
  else
    ex_strlcpy(out, tmp, size);
}

int ex__lib_in_dirs(const char *dirs, const char *origin_dir,
                    const char *soname, char *out, size_t size) {
  char dir[EX_PROC_PATH_MAX];
  char path[EX_PROC_PATH_MAX + EX_ELF_NAME_MAX];
  const char *p;
  const char *end;
  struct stat st;
  int n;

  if (dirs == NULL)
    return 0;
  for (p = dirs; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
    end = strchr(p, ':');
    if (end == NULL)
      end = p + strlen(p);
    if (end == p)
      continue;
    expand_origin(p, (size_t)(end - p), origin_dir, dir, sizeof(dir));
    n = snprintf(path, sizeof(path), "%s/%s", dir, soname);
    if (n < 0 || (size_t)n >= sizeof(path))
      continue;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      ex_strlcpy(out, path, size);
      return 1;
    }
  }
  return 0;
}

typedef struct search {
  const char *soname;
  char (*out)[EX_PROC_PATH_MAX];
  size_t max;
  size_t n;
  size_t dirs;
  size_t entries;
} search_t;

static void add_hit(search_t *s, const char *path) {
  size_t i;

  for (i = 0; i < s->n; i++) {
    if (strcmp(s->out[i], path) == 0)
      return;
  }
  if (s->n < s->max)
    ex_strlcpy(s->out[s->n++], path, EX_PROC_PATH_MAX);
}

/* Looks in dir and, down to depth levels, its subdirectories. Symlinked
 * directories are not followed (no loops, no escaping the bound). */
static void search_dir(search_t *s, const char *dir, int depth) {
  char path[EX_PROC_PATH_MAX];
  struct dirent *d;
  struct stat st;
  DIR *dp;
  int n;

  if (s->dirs >= SEARCH_MAX_DIRS || s->n >= s->max)
    return;
  s->dirs++;
  dp = opendir(dir);
  if (dp == NULL)
    return;
  while (s->entries < SEARCH_MAX_ENTRIES) {
    d = readdir(dp);
    if (d == NULL)
      break;
    s->entries++;
    if (d->d_name[0] == '.')
      continue;
    n = snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
    if (n < 0 || (size_t)n >= sizeof(path))
      continue;
    if (strcmp(d->d_name, s->soname) == 0) {
      if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        add_hit(s, path);
      continue;
    }
    if (depth > 0 && (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN)) {
      if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        search_dir(s, path, depth - 1);
    }
  }
  closedir(dp);
}

size_t ex__lib_search(const ex_proc_t *proc, const char *soname,
                      char (*out)[EX_PROC_PATH_MAX], size_t max) {
  char home[EX_PROC_PATH_MAX];
  char dir[EX_PROC_PATH_MAX + 64];
  search_t s;
  const char *conda;

  memset(&s, 0, sizeof(s));
  s.soname = soname;
  s.out = out;
  s.max = max;
  if (strchr(soname, '/') != NULL || soname[0] == '\0')
    return 0;
  /* Most likely first: make install prefixes, then environments (the
   * project's own build output is proc/project.c's). */
  search_dir(&s, "/usr/local/lib", 2);
  search_dir(&s, "/usr/local/lib64", 1);
  search_dir(&s, "/opt", 4);
  conda = getenv("CONDA_PREFIX");
  if (conda != NULL && conda[0] == '/') {
    snprintf(dir, sizeof(dir), "%s/lib", conda);
    search_dir(&s, dir, 0);
  }
  ex__home(proc, home, sizeof(home));
  if (home[0] == '/') {
    snprintf(dir, sizeof(dir), "%s/.local/lib", home);
    search_dir(&s, dir, 1);
    snprintf(dir, sizeof(dir), "%s/miniconda3/envs", home);
    search_dir(&s, dir, 2);
    snprintf(dir, sizeof(dir), "%s/anaconda3/envs", home);
    search_dir(&s, dir, 2);
    snprintf(dir, sizeof(dir), "%s/miniconda3/lib", home);
    search_dir(&s, dir, 0);
  }
  return s.n;
}
