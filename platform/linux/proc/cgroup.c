/* Memory cgroups: where the command's cgroup lives, and its limit. */
#include "platform/probe.h"
#include "platform/linux/tools/tool_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the 4th and 5th space-separated fields of a mountinfo line (the
 * root and the mount point). Returns 0, or -1 when the line is short. */
static int fields_4_5(const char *line, char *a, size_t asz, char *b,
                      size_t bsz) {
  const char *p;
  const char *e;
  int i;

  p = line;
  for (i = 0; i < 3; i++) {
    p = strchr(p, ' ');
    if (p == NULL)
      return -1;
    p++;
  }
  e = strchr(p, ' ');
  if (e == NULL || (size_t)(e - p) >= asz)
    return -1;
  memcpy(a, p, (size_t)(e - p));
  a[e - p] = '\0';
  p = e + 1;
  e = strchr(p, ' ');
  if (e == NULL || (size_t)(e - p) >= bsz)
    return -1;
  memcpy(b, p, (size_t)(e - p));
  b[e - p] = '\0';
  return 0;
}

/* The directory of a /proc/<pid>/cgroup line ("4:memory:/a/b" for v1,
 * "0::/a/b" for v2) under its mount point, from /proc/self/mountinfo. */
int ex_probe_cgroup_dir(const char *cgline, char *out, size_t size) {
  char buf[65536];
  const char *cgpath;
  char *line;
  char *save;
  char root[512];
  char mnt[512];
  char rest[1024];
  char *sep;
  int v1;
  size_t rlen;

  cgpath = strchr(cgline, ':');
  if (cgpath == NULL)
    return -EINVAL;
  cgpath = strchr(cgpath + 1, ':');
  if (cgpath == NULL)
    return -EINVAL;
  cgpath++;
  v1 = strncmp(cgline, "0::", 3) != 0;
  if (ex_read_small("/proc/self/mountinfo", buf, sizeof(buf)) <= 0)
    return -ENOENT;
  for (line = strtok_r(buf, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    /* id parent maj:min root mountpoint opts... - fstype source superopts */
    sep = strstr(line, " - ");
    if (sep == NULL || fields_4_5(line, root, sizeof(root), mnt, sizeof(mnt)))
      continue;
    ex_strlcpy(rest, sep + 3, sizeof(rest));
    if (v1 ? !(strncmp(rest, "cgroup ", 7) == 0 &&
               strstr(rest, "memory") != NULL)
           : strncmp(rest, "cgroup2 ", 8) != 0)
      continue;
    rlen = strlen(root);
    if (strcmp(root, "/") == 0)
      snprintf(out, size, "%s%s", mnt, strcmp(cgpath, "/") == 0 ? "" : cgpath);
    else if (strncmp(cgpath, root, rlen) == 0)
      snprintf(out, size, "%s%s", mnt, cgpath + rlen);
    else
      snprintf(out, size, "%s%s", mnt, cgpath);
    return 0;
  }
  return -ENOENT;
}

/* A number file of dir ("max" is no limit: -1). */
static long long read_number(const char *dir, const char *name) {
  char path[EX_PROC_PATH_MAX + 64];
  char buf[64];

  if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
          sizeof(path) ||
      ex_read_small(path, buf, sizeof(buf)) <= 0 ||
      strncmp(buf, "max", 3) == 0)
    return -1;
  return strtoll(buf, NULL, 10);
}

int ex_probe_memcg(const char *cgline, ex_probe_memcg_t *m) {
  char dir[EX_PROC_PATH_MAX];
  char *slash;
  long long v;

  memset(m, 0, sizeof(*m));
  m->limit = m->usage = m->peak = -1;
  if (cgline == NULL || cgline[0] == '\0' ||
      ex_probe_cgroup_dir(cgline, dir, sizeof(dir)) != 0)
    return -ENOENT;
  ex_strlcpy(m->dir, dir, sizeof(m->dir));
  m->version = strncmp(cgline, "0::", 3) == 0 ? 2 : 1;
  /* The tightest limit on the way up to the mount point is the one that
   * applies (a container's limit is often set on a parent). */
  for (;;) {
    v = read_number(dir, m->version == 2 ? "memory.max"
                                         : "memory.limit_in_bytes");
    /* v1 says "no limit" with a huge page-aligned number. */
    if (v > 0 && v < (1LL << 60) && (m->limit < 0 || v < m->limit))
      m->limit = v;
    if (m->usage < 0)
      m->usage = read_number(dir, m->version == 2 ? "memory.current"
                                                  : "memory.usage_in_bytes");
    if (m->peak < 0)
      m->peak = read_number(dir, m->version == 2 ? "memory.peak"
                                                 : "memory.max_usage_in_bytes");
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir || strcmp(dir, "/sys/fs/cgroup") == 0)
      break;
    *slash = '\0';
    if (strncmp(dir, "/sys/fs/cgroup", 14) != 0 || strlen(dir) <= 15)
      break;
  }
  return 0;
}
