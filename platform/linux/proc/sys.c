/* Small read-only probes shared by the explainers: mounts, names of users
 * and groups, group membership as /etc/group gives it, paths, modes. */
#include "platform/linux/proc/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Enough for any sane passwd or group entry; a group with thousands of
 * members needs more, and then we only lose its name, not correctness. */
#define NSS_BUF 16384

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
  char *r;
  char *w;

  for (r = w = s; *r != '\0'; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
        r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
      *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
}

/* 1 when option `name` is in the comma-separated list opts. */
static int has_option(const char *opts, const char *name) {
  size_t n;
  const char *p;

  n = strlen(name);
  for (p = opts; p != NULL && *p != '\0';) {
    if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
      return 1;
    p = strchr(p, ',');
    if (p != NULL)
      p++;
  }
  return 0;
}

/* Splits one mountinfo line into m. Returns 0, or -1 when malformed. */
static int parse_mount_line(char *line, ex_mount_t *m) {
  char *f[12];
  char *save;
  char *tok;
  int n;
  int after_sep;
  char *sub;

  memset(m, 0, sizeof(*m));
  n = 0;
  after_sep = 0;
  /* Fields: id parent maj:min root mount_point options [optional...] -
   * fstype source super_options. */
  for (tok = strtok_r(line, " ", &save); tok != NULL;
       tok = strtok_r(NULL, " ", &save)) {
    if (!after_sep && n >= 6) {
      if (strcmp(tok, "-") == 0)
        after_sep = 1;
      continue;
    }
    if (n < 12)
      f[n++] = tok;
  }
  if (!after_sep || n < 9)
    return -1;
  unescape_octal(f[3]);
  unescape_octal(f[4]);
  unescape_octal(f[7]);
  ex_strlcpy(m->root, f[3], sizeof(m->root));
  ex_strlcpy(m->mount_point, f[4], sizeof(m->mount_point));
  ex_strlcpy(m->options, f[5], sizeof(m->options));
  ex_strlcpy(m->fstype, f[6], sizeof(m->fstype));
  ex_strlcpy(m->source, f[7], sizeof(m->source));
  ex_strlcpy(m->super_options, f[8], sizeof(m->super_options));
  m->ro = has_option(m->options, "ro");
  m->noexec = has_option(m->options, "noexec");
  m->nosuid = has_option(m->options, "nosuid");
  m->bind = strcmp(m->root, "/") != 0;
  /* A btrfs subvolume also shows a root other than "/" without being a
   * bind mount: its root is named in subvol=. */
  if (m->bind && strcmp(m->fstype, "btrfs") == 0) {
    sub = strstr(m->super_options, "subvol=");
    if (sub != NULL && strncmp(sub + 7, m->root, strlen(m->root)) == 0 &&
        (sub[7 + strlen(m->root)] == ',' || sub[7 + strlen(m->root)] == '\0'))
      m->bind = 0;
  }
  return 0;
}

/* Resolves the symlinks of the longest existing prefix of abs and appends
 * the rest unchanged, so that a path that does not exist yet still lands on
 * the right mount. out has EX_PROC_PATH_MAX bytes. */
static void resolve_existing(const char *abs, char *out) {
  char work[2 * EX_PROC_PATH_MAX + 2];
  char real[PATH_MAX];
  const char *rest;
  char *slash;

  ex_strlcpy(work, abs, sizeof(work));
  for (;;) {
    if (realpath(work[0] != '\0' ? work : "/", real) != NULL) {
      /* rest is "" or starts with "/". */
      rest = abs + strlen(work);
      if (strcmp(real, "/") == 0 && rest[0] == '/')
        ex_strlcpy(out, rest, EX_PROC_PATH_MAX);
      else
        snprintf(out, EX_PROC_PATH_MAX, "%s%s", real, rest);
      return;
    }
    slash = strrchr(work, '/');
    if (slash == NULL)
      break;
    *slash = '\0';
  }
  ex_strlcpy(out, abs, EX_PROC_PATH_MAX);
}

/* The length of mount point mp when it holds path p (a whole-component
 * prefix), else 0. */
static size_t prefix_len(const char *mp, const char *p) {
  size_t n;

  n = strlen(mp);
  if (strcmp(mp, "/") == 0)
    return 1;
  if (strncmp(mp, p, n) != 0)
    return 0;
  if (p[n] != '\0' && p[n] != '/')
    return 0;
  return n;
}

int ex__mount_find(const char *path, ex_mount_t *m) {
  FILE *fp;
  char *line;
  size_t cap;
  ssize_t n;
  char cwd[EX_PROC_PATH_MAX];
  char abs[2 * EX_PROC_PATH_MAX + 2];
  char resolved[EX_PROC_PATH_MAX];
  ex_mount_t *cur;
  size_t best;
  size_t len;
  int found;
  int rc;

  line = NULL;
  cap = 0;
  fp = NULL;
  found = 0;
  best = 0;
  rc = -ENOENT;
  cur = malloc(sizeof(*cur));
  if (cur == NULL)
    return -ENOMEM;
  if (path[0] == '/') {
    ex_strlcpy(abs, path, sizeof(abs));
  } else {
    if (getcwd(cwd, sizeof(cwd)) == NULL)
      cwd[0] = '\0';
    snprintf(abs, sizeof(abs), "%s/%s", cwd, path);
  }
  resolve_existing(abs, resolved);
  fp = fopen("/proc/self/mountinfo", "re");
  if (fp == NULL) {
    rc = -errno;
    goto cleanup;
  }
  while ((n = getline(&line, &cap, fp)) != -1) {
    if (n > 0 && line[n - 1] == '\n')
      line[n - 1] = '\0';
    if (parse_mount_line(line, cur) != 0)
      continue;
    len = prefix_len(cur->mount_point, resolved);
    /* Later lines are mounted over earlier ones on the same point, so a
     * tie goes to the later line. */
    if (len == 0 || len < best)
      continue;
    best = len;
    *m = *cur;
    found = 1;
  }
  rc = found ? 0 : -ENOENT;

cleanup:
  if (fp != NULL)
    fclose(fp);
  free(line);
  free(cur);
  return rc;
}

const char *ex__user_name(uid_t uid, char *buf, size_t size) {
  struct passwd pw;
  struct passwd *res;
  char *tmp;

  buf[0] = '\0';
  tmp = malloc(NSS_BUF);
  if (tmp == NULL)
    return buf;
  res = NULL;
  if (getpwuid_r(uid, &pw, tmp, NSS_BUF, &res) == 0 && res != NULL)
    ex_strlcpy(buf, res->pw_name, size);
  free(tmp);
  return buf;
}

const char *ex__group_name(gid_t gid, char *buf, size_t size) {
  struct group gr;
  struct group *res;
  char *tmp;

  buf[0] = '\0';
  tmp = malloc(NSS_BUF);
  if (tmp == NULL)
    return buf;
  res = NULL;
  if (getgrgid_r(gid, &gr, tmp, NSS_BUF, &res) == 0 && res != NULL)
    ex_strlcpy(buf, res->gr_name, size);
  free(tmp);
  return buf;
}

/* Adds gid to out unless present; returns the new count. */
static size_t add_gid(gid_t *out, size_t n, size_t max, gid_t gid) {
  size_t i;

  for (i = 0; i < n; i++) {
    if (out[i] == gid)
      return n;
  }
  if (n < max)
    out[n++] = gid;
  return n;
}

/* 1 when name is in the comma-separated member list. */
static int in_members(const char *members, const char *name) {
  return has_option(members, name);
}

int ex__groups_of_user(const char *name, gid_t *out, size_t max) {
  struct passwd pw;
  struct passwd *res;
  char *tmp;
  FILE *fp;
  char *line;
  size_t cap;
  ssize_t len;
  size_t n;
  char *f[4];
  char *p;
  int i;
  int rc;

  n = 0;
  line = NULL;
  cap = 0;
  fp = NULL;
  tmp = malloc(NSS_BUF);
  if (tmp == NULL)
    return -ENOMEM;
  res = NULL;
  /* The primary group comes from the user database (NSS, so LDAP users
   * work too); the supplementary ones are read from /etc/group itself,
   * because the question is what a new login would give. */
  if (getpwnam_r(name, &pw, tmp, NSS_BUF, &res) == 0 && res != NULL)
    n = add_gid(out, n, max, res->pw_gid);
  fp = fopen("/etc/group", "re");
  if (fp == NULL) {
    rc = res != NULL ? (int)n : -errno;
    goto cleanup;
  }
  while ((len = getline(&line, &cap, fp)) != -1) {
    if (len > 0 && line[len - 1] == '\n')
      line[len - 1] = '\0';
    if (line[0] == '#' || line[0] == '+' || line[0] == '-')
      continue;
    p = line;
    for (i = 0; i < 4; i++) {
      f[i] = p;
      p = strchr(p, ':');
      if (p == NULL)
        break;
      *p++ = '\0';
    }
    if (i < 3)
      continue;
    if (in_members(f[3], name))
      n = add_gid(out, n, max, (gid_t)strtoul(f[2], NULL, 10));
  }
  rc = (int)n;

cleanup:
  if (fp != NULL)
    fclose(fp);
  free(line);
  free(tmp);
  return rc;
}

char *ex__path_absolute(const ex_proc_t *proc, const char *path) {
  char *s;
  const char *cwd;

  if (path == NULL)
    return NULL;
  cwd = proc != NULL ? proc->cwd : "";
  if (path[0] == '/' || cwd[0] == '\0')
    return strdup(path);
  if (path[0] == '.' && path[1] == '/')
    path += 2;
  if (asprintf(&s, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path) <
      0)
    return NULL;
  return s;
}

const char *ex__mode_string(mode_t mode, char *buf) {
  buf[0] = (mode & S_IRUSR) ? 'r' : '-';
  buf[1] = (mode & S_IWUSR) ? 'w' : '-';
  buf[2] = (mode & S_ISUID) ? ((mode & S_IXUSR) ? 's' : 'S')
                            : ((mode & S_IXUSR) ? 'x' : '-');
  buf[3] = (mode & S_IRGRP) ? 'r' : '-';
  buf[4] = (mode & S_IWGRP) ? 'w' : '-';
  buf[5] = (mode & S_ISGID) ? ((mode & S_IXGRP) ? 's' : 'S')
                            : ((mode & S_IXGRP) ? 'x' : '-');
  buf[6] = (mode & S_IROTH) ? 'r' : '-';
  buf[7] = (mode & S_IWOTH) ? 'w' : '-';
  buf[8] = (mode & S_ISVTX) ? ((mode & S_IXOTH) ? 't' : 'T')
                            : ((mode & S_IXOTH) ? 'x' : '-');
  buf[9] = '\0';
  return buf;
}
