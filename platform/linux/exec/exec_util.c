/* Small shared pieces of the exec, port and limit probes: what a process
 * is, walking /proc, and permission checks with the command's
 * credentials. */
#include "platform/linux/exec/exec_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ex__pinfo(pid_t pid, ex_pinfo_t *pi) {
  char path[64];
  char raw[512];
  struct stat st;
  ssize_t n;
  ssize_t i;

  memset(pi, 0, sizeof(*pi));
  pi->pid = pid;
  snprintf(path, sizeof(path), "/proc/%d", (int)pid);
  if (stat(path, &st) != 0)
    return -ESRCH;
  pi->uid = st.st_uid;
  pi->uid_known = 1;
  snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
  if (ex_read_small(path, pi->comm, sizeof(pi->comm)) > 0)
    pi->comm[strcspn(pi->comm, "\n")] = '\0';
  snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
  n = ex_read_small(path, raw, sizeof(raw));
  if (n > 0) {
    /* Arguments are NUL-separated; join them with spaces, and keep
     * control characters out of what the report prints. */
    while (n > 0 && raw[n - 1] == '\0')
      n--;
    for (i = 0; i < n; i++) {
      if (raw[i] == '\0')
        raw[i] = ' ';
      else if (iscntrl((unsigned char)raw[i]))
        raw[i] = '?';
    }
    raw[n] = '\0';
    ex_strlcpy(pi->cmdline, raw, sizeof(pi->cmdline));
  }
  snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
  n = readlink(path, pi->exe, sizeof(pi->exe) - 1);
  pi->exe[n > 0 ? n : 0] = '\0';
  return 0;
}

size_t ex__proc_each(int (*fn)(void *ud, pid_t pid, uid_t owner),
                     void *ud) {
  struct dirent *d;
  struct stat st;
  char *end;
  long pid;
  size_t n;
  DIR *dp;

  n = 0;
  dp = opendir("/proc");
  if (dp == NULL)
    return 0;
  while (n < EX_PROC_SCAN_MAX) {
    d = readdir(dp);
    if (d == NULL)
      break;
    if (d->d_name[0] < '1' || d->d_name[0] > '9')
      continue;
    pid = strtol(d->d_name, &end, 10);
    if (*end != '\0' || pid <= 0)
      continue;
    if (fstatat(dirfd(dp), d->d_name, &st, 0) != 0)
      continue;
    n++;
    if (fn(ud, (pid_t)pid, st.st_uid))
      break;
  }
  closedir(dp);
  return n;
}

uid_t ex__proc_euid(const ex_proc_t *proc) {
  if (proc != NULL && proc->valid)
    return proc->euid;
  return geteuid();
}

static int privileged(const ex_proc_t *proc) {
  if (proc == NULL || !proc->valid)
    return geteuid() == 0;
  return proc->euid == 0 || ex_proc_has_cap(proc, CAP_DAC_OVERRIDE);
}

static int in_group(const ex_proc_t *proc, gid_t gid) {
  gid_t groups[EX_PROC_GROUPS_MAX];
  int n;
  int i;

  if (proc != NULL && proc->valid)
    return ex_proc_in_group(proc, gid);
  if (getegid() == gid)
    return 1;
  n = getgroups(EX_PROC_GROUPS_MAX, groups);
  for (i = 0; i < n; i++) {
    if (groups[i] == gid)
      return 1;
  }
  return 0;
}

/* The permission class that applies: the owner's bits, the group's, or
 * the others' (shifted to the low three bits). */
static unsigned class_bits(const ex_proc_t *proc, const struct stat *st) {
  if (ex__proc_euid(proc) == st->st_uid)
    return (st->st_mode >> 6) & 7;
  if (in_group(proc, st->st_gid))
    return (st->st_mode >> 3) & 7;
  return st->st_mode & 7;
}

int ex__may_exec(const ex_proc_t *proc, const struct stat *st) {
  if (privileged(proc)) {
    /* Root searches any directory, but runs a file only when some x bit
     * is set. */
    if (S_ISDIR(st->st_mode))
      return 1;
    return (st->st_mode & 0111) != 0;
  }
  return (class_bits(proc, st) & 1) != 0;
}

int ex__may_read(const ex_proc_t *proc, const struct stat *st) {
  if (privileged(proc))
    return 1;
  return (class_bits(proc, st) & 4) != 0;
}

const char *ex__proc_cwd(const ex_proc_t *proc, char *buf, size_t size) {
  buf[0] = '\0';
  if (proc != NULL && proc->valid && proc->cwd[0] == '/')
    ex_strlcpy(buf, proc->cwd, size);
  else if (getcwd(buf, size) == NULL)
    buf[0] = '\0';
  return buf;
}

const char *ex__home(const ex_proc_t *proc, char *buf, size_t size) {
  struct passwd pw;
  struct passwd *res;
  char pwbuf[4096];
  const char *h;

  buf[0] = '\0';
  h = getenv("HOME");
  if (h != NULL && h[0] == '/') {
    ex_strlcpy(buf, h, size);
    return buf;
  }
  res = NULL;
  if (getpwuid_r(ex__proc_euid(proc), &pw, pwbuf, sizeof(pwbuf), &res) ==
          0 &&
      res != NULL && pw.pw_dir != NULL)
    ex_strlcpy(buf, pw.pw_dir, size);
  return buf;
}

void ex__cf_str(ex_cause_t *c, const char *key, const char *value) {
  if (c != NULL)
    ex_facts_str(&c->facts, key, value);
}

void ex__cf_int(ex_cause_t *c, const char *key, long long value) {
  if (c != NULL)
    ex_facts_int(&c->facts, key, value);
}

void ex__cf_bool(ex_cause_t *c, const char *key, int value) {
  if (c != NULL)
    ex_facts_bool(&c->facts, key, value);
}
