/* Shared probes of the fs explainers: permission checks as the kernel makes
 * them, ACLs, inode flags, facts about inodes and the process. */
#include "platform/linux/fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ACL_XATTR "system.posix_acl_access"
#define ACL_VERSION 2

int ex__fs_acl_read(const char *path, ex_acl_t *acl) {
  unsigned char buf[4 + 8 * EX_ACL_MAX];
  ssize_t n;
  size_t i;
  uint32_t version;

  acl->n = 0;
  n = getxattr(path, ACL_XATTR, buf, sizeof(buf));
  if (n < 0) {
    if (errno == ENODATA || errno == ENOTSUP)
      return 0;
    return -errno;
  }
  if (n < 4)
    return -EINVAL;
  /* The xattr is little-endian whatever the CPU: a 4-byte version, then
   * 8-byte entries {u16 tag, u16 perm, u32 id}. */
  version = (uint32_t)buf[0] | ((uint32_t)buf[1] << 8) |
            ((uint32_t)buf[2] << 16) | ((uint32_t)buf[3] << 24);
  if (version != ACL_VERSION)
    return -EINVAL;
  for (i = 4; i + 8 <= (size_t)n && acl->n < EX_ACL_MAX; i += 8) {
    acl->e[acl->n].tag = buf[i] | (buf[i + 1] << 8);
    acl->e[acl->n].perm = (buf[i + 2] | (buf[i + 3] << 8)) & 7;
    acl->e[acl->n].id = (unsigned)buf[i + 4] | ((unsigned)buf[i + 5] << 8) |
                        ((unsigned)buf[i + 6] << 16) |
                        ((unsigned)buf[i + 7] << 24);
    acl->n++;
  }
  return acl->n > 0 ? 1 : 0;
}

const char *ex__fs_perm_string(int perm, char *buf) {
  buf[0] = (perm & 4) ? 'r' : '-';
  buf[1] = (perm & 2) ? 'w' : '-';
  buf[2] = (perm & 1) ? 'x' : '-';
  buf[3] = '\0';
  return buf;
}

static void acl_entry_string(const ex_acl_entry_t *x, char *buf,
                             size_t size) {
  char p[4];

  ex__fs_perm_string(x->perm, p);
  switch (x->tag) {
  case EX_ACL_USER_OBJ:
    snprintf(buf, size, "user::%s", p);
    break;
  case EX_ACL_USER:
    snprintf(buf, size, "user:%u:%s", x->id, p);
    break;
  case EX_ACL_GROUP_OBJ:
    snprintf(buf, size, "group::%s", p);
    break;
  case EX_ACL_GROUP:
    snprintf(buf, size, "group:%u:%s", x->id, p);
    break;
  case EX_ACL_MASK:
    snprintf(buf, size, "mask::%s", p);
    break;
  case EX_ACL_OTHER:
    snprintf(buf, size, "other::%s", p);
    break;
  default:
    snprintf(buf, size, "tag%d:%u:%s", x->tag, x->id, p);
    break;
  }
}

void ex__fs_acl_string(const ex_acl_t *acl, char *buf, size_t size) {
  char one[64];
  size_t i;
  size_t len;

  buf[0] = '\0';
  len = 0;
  for (i = 0; i < acl->n; i++) {
    acl_entry_string(&acl->e[i], one, sizeof(one));
    if (len + strlen(one) + 2 >= size)
      break;
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "", one);
  }
}

static int acl_mask(const ex_acl_t *acl) {
  size_t i;

  for (i = 0; i < acl->n; i++) {
    if (acl->e[i].tag == EX_ACL_MASK)
      return acl->e[i].perm;
  }
  return 7;
}

/* posix_acl_permission() of the kernel, recording the decisive entry. */
static int acl_check(const ex_proc_t *p, const struct stat *st,
                     const ex_acl_t *acl, int want, ex_access_t *a) {
  size_t i;
  int found;
  int mask;
  const ex_acl_entry_t *x;
  const ex_acl_entry_t *grp;

  found = 0;
  grp = NULL;
  mask = acl_mask(acl);
  for (i = 0; i < acl->n; i++) {
    x = &acl->e[i];
    switch (x->tag) {
    case EX_ACL_USER_OBJ:
      if (st->st_uid == p->fsuid) {
        a->klass = "owner";
        a->class_perm = x->perm;
        acl_entry_string(x, a->acl_entry, sizeof(a->acl_entry));
        return (x->perm & want) == want;
      }
      break;
    case EX_ACL_USER:
      if (x->id == p->fsuid) {
        a->klass = "acl-user";
        a->class_perm = x->perm & mask;
        acl_entry_string(x, a->acl_entry, sizeof(a->acl_entry));
        return (x->perm & mask & want) == want;
      }
      break;
    case EX_ACL_GROUP_OBJ:
    case EX_ACL_GROUP:
      if (ex_proc_in_group(p, x->tag == EX_ACL_GROUP_OBJ ? st->st_gid
                                                          : (gid_t)x->id)) {
        found = 1;
        if (grp == NULL)
          grp = x;
        if ((x->perm & want) == want) {
          a->klass = x->tag == EX_ACL_GROUP_OBJ ? "group" : "acl-group";
          a->class_perm = x->perm & mask;
          acl_entry_string(x, a->acl_entry, sizeof(a->acl_entry));
          return (x->perm & mask & want) == want;
        }
      }
      break;
    case EX_ACL_OTHER:
      if (found) {
        a->klass = grp->tag == EX_ACL_GROUP_OBJ ? "group" : "acl-group";
        a->class_perm = grp->perm & mask;
        acl_entry_string(grp, a->acl_entry, sizeof(a->acl_entry));
        return 0;
      }
      a->klass = "other";
      a->class_perm = x->perm;
      acl_entry_string(x, a->acl_entry, sizeof(a->acl_entry));
      return (x->perm & want) == want;
    default:
      break;
    }
  }
  return 0;
}

/* The overflow uid the kernel shows for ids not mapped in a namespace. */
static uid_t overflow_uid(void) {
  char buf[32];

  if (ex_read_small("/proc/sys/kernel/overflowuid", buf, sizeof(buf)) <= 0)
    return 65534;
  return (uid_t)strtoul(buf, NULL, 10);
}

void ex__fs_access(const ex_proc_t *p, const char *path,
                   const struct stat *st, int want, ex_access_t *a) {
  ex_acl_t acl;
  int ok;
  int isdir;
  int unmapped;
  const char *cap;

  memset(a, 0, sizeof(*a));
  ok = 0;
  if (path != NULL && !S_ISLNK(st->st_mode) &&
      ex__fs_acl_read(path, &acl) > 0) {
    a->acl = 1;
    ok = acl_check(p, st, &acl, want, a);
  } else if (st->st_uid == p->fsuid) {
    a->klass = "owner";
    a->class_perm = (st->st_mode >> 6) & 7;
  } else if (ex_proc_in_group(p, st->st_gid)) {
    a->klass = "group";
    a->class_perm = (st->st_mode >> 3) & 7;
  } else {
    a->klass = "other";
    a->class_perm = st->st_mode & 7;
  }
  if (!a->acl)
    ok = (a->class_perm & want) == want;
  if (ok) {
    a->allowed = 1;
    return;
  }
  /* The capabilities that override the mode (generic_permission()). */
  isdir = S_ISDIR(st->st_mode);
  cap = NULL;
  if (isdir) {
    if (!(want & EX_FS_W))
      cap = "CAP_DAC_READ_SEARCH";
    else
      cap = "CAP_DAC_OVERRIDE";
  } else if (want == EX_FS_R) {
    cap = "CAP_DAC_READ_SEARCH";
  } else if (!(want & EX_FS_X) || (st->st_mode & 0111)) {
    cap = "CAP_DAC_OVERRIDE";
  }
  a->cap_would = cap;
  if (cap == NULL)
    return;
  /* A capability counts only when the owner and group are mapped in the
   * process's user namespace; unmapped ids show as the overflow id. */
  unmapped = p->userns && (st->st_uid == overflow_uid() ||
                           st->st_gid == (gid_t)overflow_uid());
  if (ex_proc_has_cap(p, EX_CAP_DAC_OVERRIDE) ||
      (strcmp(cap, "CAP_DAC_READ_SEARCH") == 0 &&
       ex_proc_has_cap(p, EX_CAP_DAC_READ_SEARCH))) {
    if (unmapped) {
      a->cap_unmapped = 1;
      return;
    }
    a->allowed = 1;
    a->by_cap = ex_proc_has_cap(p, EX_CAP_DAC_OVERRIDE) &&
                        strcmp(cap, "CAP_DAC_OVERRIDE") == 0
                    ? "CAP_DAC_OVERRIDE"
                    : (ex_proc_has_cap(p, EX_CAP_DAC_READ_SEARCH)
                           ? "CAP_DAC_READ_SEARCH"
                           : "CAP_DAC_OVERRIDE");
  }
}

/* Checks search on the directory abs[0..len) ("/" when len is 0). Returns
 * 1 denied, 0 allowed, 2 missing or not a directory, or a negative errno. */
static int check_dir(const ex_proc_t *p, const char *abs, size_t len,
                     char *blocker, size_t size, struct stat *bst,
                     ex_access_t *a) {
  char prefix[EX_PROC_PATH_MAX];

  if (len == 0) {
    ex_strlcpy(prefix, "/", sizeof(prefix));
  } else {
    if (len >= sizeof(prefix))
      return -ENAMETOOLONG;
    memcpy(prefix, abs, len);
    prefix[len] = '\0';
  }
  if (stat(prefix, bst) != 0)
    return (errno == ENOENT || errno == ENOTDIR) ? 2 : -errno;
  if (!S_ISDIR(bst->st_mode))
    return 2;
  ex__fs_access(p, prefix, bst, EX_FS_X, a);
  if (a->allowed)
    return 0;
  ex_strlcpy(blocker, prefix, size);
  return 1;
}

int ex__fs_walk_search(const ex_proc_t *p, const char *abs, char *blocker,
                       size_t size, struct stat *bst, ex_access_t *a,
                       int *missing) {
  size_t end;
  size_t last;
  size_t i;
  int rc;

  *missing = 0;
  if (abs[0] != '/')
    return -EINVAL;
  /* The last component is the target (trailing slashes name the same
   * one); the directories above it must all be searchable. */
  end = strlen(abs);
  while (end > 1 && abs[end - 1] == '/')
    end--;
  last = 0;
  for (i = 0; i < end; i++) {
    if (abs[i] == '/')
      last = i;
  }
  for (i = 0; i <= last; i++) {
    if (abs[i] != '/' || (i > 0 && abs[i - 1] == '/'))
      continue;
    rc = check_dir(p, abs, i, blocker, size, bst, a);
    if (rc == 2) {
      *missing = 1;
      return 0;
    }
    if (rc != 0)
      return rc;
  }
  return 0;
}

int ex__fs_inode_flags(const char *path, const struct stat *st, int *flags) {
  struct statx sx;
  int fd;
  int rc;
  int v;

  *flags = 0;
  /* statx reports the immutable and append-only attributes without
   * opening the file, which an unprivileged explain may not do. */
  if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) ==
          0 &&
      (sx.stx_attributes_mask & (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND)) ==
          (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND)) {
    if (sx.stx_attributes & STATX_ATTR_IMMUTABLE)
      *flags |= FS_IMMUTABLE_FL;
    if (sx.stx_attributes & STATX_ATTR_APPEND)
      *flags |= FS_APPEND_FL;
    return 0;
  }
  /* Opening a device or a FIFO can have effects: only files and
   * directories. */
  if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
    return -ENOTSUP;
  fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
  if (fd == -1)
    return -errno;
  v = 0;
  rc = ioctl(fd, FS_IOC_GETFLAGS, &v);
  if (rc != 0)
    rc = -errno;
  else
    *flags = v;
  close(fd);
  return rc;
}

const char *ex__fs_type_name(mode_t mode) {
  if (S_ISREG(mode))
    return "file";
  if (S_ISDIR(mode))
    return "directory";
  if (S_ISLNK(mode))
    return "symlink";
  if (S_ISFIFO(mode))
    return "fifo";
  if (S_ISSOCK(mode))
    return "socket";
  if (S_ISCHR(mode))
    return "character-device";
  if (S_ISBLK(mode))
    return "block-device";
  return "unknown";
}

int ex__fs_named_path(const char *s) {
  return s != NULL && s[0] != '\0' && strcmp(s, "-") != 0 &&
         strcmp(s, "standard output") != 0 &&
         strcmp(s, "standard input") != 0 &&
         strcmp(s, "standard error") != 0 && strcmp(s, "stdout") != 0 &&
         strcmp(s, "stdin") != 0;
}

const char *ex__fs_user(uid_t uid, char *buf, size_t size) {
  if (ex__user_name(uid, buf, size)[0] == '\0')
    snprintf(buf, size, "%lu", (unsigned long)uid);
  return buf;
}

const char *ex__fs_group(gid_t gid, char *buf, size_t size) {
  if (ex__group_name(gid, buf, size)[0] == '\0')
    snprintf(buf, size, "%lu", (unsigned long)gid);
  return buf;
}

void ex__fs_inode_facts(ex_facts_t *f, const char *prefix,
                        const struct stat *st) {
  char key[64];
  char name[256];
  char rwx[16];

  snprintf(key, sizeof(key), "%sowner_uid", prefix);
  ex_facts_int(f, key, (long long)st->st_uid);
  snprintf(key, sizeof(key), "%sowner", prefix);
  ex_facts_str(f, key, ex__user_name(st->st_uid, name, sizeof(name)));
  snprintf(key, sizeof(key), "%sgroup_gid", prefix);
  ex_facts_int(f, key, (long long)st->st_gid);
  snprintf(key, sizeof(key), "%sgroup", prefix);
  ex_facts_str(f, key, ex__group_name(st->st_gid, name, sizeof(name)));
  snprintf(key, sizeof(key), "%smode", prefix);
  ex_facts_printf(f, key, "%04o", (unsigned)(st->st_mode & 07777));
  snprintf(key, sizeof(key), "%smode_rwx", prefix);
  ex_facts_str(f, key, ex__mode_string(st->st_mode, rwx));
  snprintf(key, sizeof(key), "%stype", prefix);
  ex_facts_str(f, key, ex__fs_type_name(st->st_mode));
}

static int file_contains(const char *path, const char *needle) {
  char buf[512];
  ssize_t n;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return 0;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  return strstr(buf, needle) != NULL;
}

/* The CI system from the environment explain shares with the command. */
static const char *ci_name(void) {
  static const struct {
    const char *var;
    const char *name;
  } cis[] = {
      {"GITHUB_ACTIONS", "github-actions"}, {"GITLAB_CI", "gitlab"},
      {"BUILDKITE", "buildkite"},           {"JENKINS_URL", "jenkins"},
      {"CIRCLECI", "circleci"},             {"TRAVIS", "travis"},
      {"TF_BUILD", "azure-pipelines"},      {"DRONE", "drone"},
      {"CI", "ci"},
  };
  size_t i;
  const char *v;

  for (i = 0; i < sizeof(cis) / sizeof(cis[0]); i++) {
    v = getenv(cis[i].var);
    if (v != NULL && v[0] != '\0' && strcmp(v, "false") != 0)
      return cis[i].name;
  }
  return NULL;
}

void ex__fs_proc_facts(ex_facts_t *f, const ex_proc_t *p,
                       const ex_host_t *host) {
  char name[256];
  size_t i;
  const char *ci;

  ex_facts_int(f, "uid", (long long)p->fsuid);
  ex_facts_str(f, "user", ex__user_name(p->fsuid, name, sizeof(name)));
  if (p->euid != p->fsuid)
    ex_facts_int(f, "euid", (long long)p->euid);
  ex_facts_int(f, "gid", (long long)p->fsgid);
  ex_facts_str(f, "user_group",
               ex__group_name(p->fsgid, name, sizeof(name)));
  ex_facts_list_add(f, "groups", NULL);
  for (i = 0; i < p->ngroups; i++) {
    ex_facts_t *row = ex_facts_row_add(f, "groups");

    if (row == NULL)
      break;
    ex_facts_int(row, "gid", (long long)p->groups[i]);
    ex_facts_str(row, "name", ex__group_name(p->groups[i], name, sizeof(name)));
  }
  if (p->fsuid == 0 || p->cap_eff != 0) {
    ex_facts_bool(f, "cap_dac_override",
                  ex_proc_has_cap(p, EX_CAP_DAC_OVERRIDE));
  }
  if (host != NULL && host->container[0] != '\0')
    ex_facts_str(f, "container", host->container);
  ci = ci_name();
  if (ci != NULL)
    ex_facts_str(f, "ci", ci);
  if (access("/proc/sys/fs/binfmt_misc/WSLInterop", F_OK) == 0 ||
      file_contains("/proc/version", "icrosoft"))
    ex_facts_bool(f, "wsl", 1);
  if (p->userns) {
    ex_facts_bool(f, "userns", 1);
    ex_facts_str(f, "uid_map", p->uid_map);
  }
  if (p->from_self && p->creds_from_argv)
    ex_facts_bool(f, "credentials_from_command_line", 1);
  else if (p->from_self)
    ex_facts_bool(f, "credentials_from_explain", 1);
}

void ex__fs_dirname(const char *abs, char *buf, size_t size) {
  char *slash;

  ex_strlcpy(buf, abs, size);
  /* Trailing slashes name the same directory. */
  while (strlen(buf) > 1 && buf[strlen(buf) - 1] == '/')
    buf[strlen(buf) - 1] = '\0';
  slash = strrchr(buf, '/');
  if (slash == NULL) {
    ex_strlcpy(buf, ".", size);
    return;
  }
  if (slash == buf)
    slash[1] = '\0';
  else
    *slash = '\0';
}

const char *ex__fs_human(unsigned long long bytes, char *buf, size_t size) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB",
                                      "PiB"};
  double v;
  size_t u;

  v = (double)bytes;
  u = 0;
  while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
    v /= 1024.0;
    u++;
  }
  if (u == 0)
    snprintf(buf, size, "%llu B", bytes);
  else
    snprintf(buf, size, "%.1f %s", v, units[u]);
  return buf;
}

const char *ex__fs_sudo(void) { return geteuid() == 0 ? "" : "sudo "; }

const char *ex__fs_user_word(const ex_proc_t *p, char *buf, size_t size) {
  return ex__fs_user(p->fsuid, buf, size);
}

/* 1 when proc may create files in dir (w and x), stat in *st. */
static int dir_writable(const ex_proc_t *p, const char *dir,
                        struct stat *st) {
  ex_access_t a;
  ex_access_t wa;
  char blocker[EX_PROC_PATH_MAX];
  struct stat bst;
  int missing;
  char child[EX_PROC_PATH_MAX];

  if (stat(dir, st) != 0 || !S_ISDIR(st->st_mode))
    return 0;
  snprintf(child, sizeof(child), "%s/x", dir);
  if (ex__fs_walk_search(p, child, blocker, sizeof(blocker), &bst, &wa,
                         &missing) != 0)
    return 0;
  ex__fs_access(p, dir, st, EX_FS_W | EX_FS_X, &a);
  return a.allowed;
}

int ex__fs_fix_writable_dir(ex_explanation_t *e, const ex_proc_t *p,
                            dev_t avoid_dev) {
  char home[EX_PROC_PATH_MAX];
  const char *cands[3];
  const char *cd[3];
  struct passwd pw;
  struct passwd *res;
  struct statvfs vfs;
  struct stat st;
  char human[32];
  char *buf;
  size_t n;
  size_t i;

  n = 0;
  home[0] = '\0';
  /* The home directory of the process's user, from the user database. */
  buf = malloc(16384);
  if (buf != NULL) {
    res = NULL;
    if (getpwuid_r(p->fsuid, &pw, buf, 16384, &res) == 0 && res != NULL &&
        res->pw_dir != NULL)
      ex_strlcpy(home, res->pw_dir, sizeof(home));
    free(buf);
  }
  if (home[0] != '\0' && strcmp(home, "/") != 0)
    cands[n++] = home;
  cands[n++] = "/tmp";
  cands[n++] = "/var/tmp";
  for (i = 0; i < n; i++) {
    if (!dir_writable(p, cands[i], &st))
      continue;
    if (avoid_dev != (dev_t)-1 && st.st_dev == avoid_dev)
      continue;
    if (statvfs(cands[i], &vfs) != 0 || vfs.f_bavail == 0 ||
        (vfs.f_files > 0 && vfs.f_favail == 0) ||
        (vfs.f_flag & ST_RDONLY))
      continue;
    ex__fs_human((unsigned long long)vfs.f_bavail * vfs.f_frsize, human,
                 sizeof(human));
    cd[0] = "cd";
    cd[1] = cands[i];
    cd[2] = NULL;
    ex_fix_add_cmd(e, 0, cd,
                   "write to %s instead: you can write there (%s free)",
                   cands[i], human);
    return 1;
  }
  return 0;
}
