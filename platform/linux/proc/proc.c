/* The command's credentials and limits, read from /proc while it runs. */
#include "platform/probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Returns 0, or -errno: ENOENT for a live pid means the process is on its
 * way out (its memory or its cwd already released). */
static int read_link(const char *path, char *buf, size_t size) {
  ssize_t n;

  n = readlink(path, buf, size - 1);
  buf[n > 0 ? n : 0] = '\0';
  return n >= 0 ? 0 : -errno;
}

static void parse_ids(const char *v, unsigned long out[4]) {
  (void)sscanf(v, "%lu %lu %lu %lu", &out[0], &out[1], &out[2], &out[3]);
}

static void parse_status(ex_proc_t *p, char *text) {
  char *line;
  char *save;
  char *v;
  unsigned long ids[4];
  char *tok;
  char *end;

  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    v = strchr(line, ':');
    if (v == NULL)
      continue;
    *v++ = '\0';
    while (*v == ' ' || *v == '\t')
      v++;
    if (strcmp(line, "Name") == 0) {
      ex_strlcpy(p->comm, v, sizeof(p->comm));
    } else if (strcmp(line, "Uid") == 0) {
      memset(ids, 0, sizeof(ids));
      parse_ids(v, ids);
      p->ruid = (uid_t)ids[0];
      p->euid = (uid_t)ids[1];
      p->suid = (uid_t)ids[2];
      p->fsuid = (uid_t)ids[3];
    } else if (strcmp(line, "Gid") == 0) {
      memset(ids, 0, sizeof(ids));
      parse_ids(v, ids);
      p->rgid = (gid_t)ids[0];
      p->egid = (gid_t)ids[1];
      p->sgid = (gid_t)ids[2];
      p->fsgid = (gid_t)ids[3];
    } else if (strcmp(line, "Groups") == 0) {
      p->ngroups = 0;
      for (tok = v; *tok != '\0' && p->ngroups < EX_PROC_GROUPS_MAX;) {
        unsigned long g = strtoul(tok, &end, 10);
        if (end == tok)
          break;
        p->groups[p->ngroups++] = (gid_t)g;
        tok = end;
        while (*tok == ' ' || *tok == '\t')
          tok++;
      }
    } else if (strcmp(line, "CapEff") == 0) {
      p->cap_eff = strtoull(v, NULL, 16);
    } else if (strcmp(line, "CapPrm") == 0) {
      p->cap_prm = strtoull(v, NULL, 16);
    } else if (strcmp(line, "CapBnd") == 0) {
      p->cap_bnd = strtoull(v, NULL, 16);
    } else if (strcmp(line, "NoNewPrivs") == 0) {
      p->no_new_privs = atoi(v);
    } else if (strcmp(line, "Seccomp") == 0) {
      ex_strlcpy(p->seccomp, v, sizeof(p->seccomp));
    }
  }
}

/* /proc/<pid>/limits: "Max open files   1024   524288   files". */
static const struct {
  const char *name;
  int resource;
} limit_names[] = {
    {"Max cpu time", RLIMIT_CPU},
    {"Max file size", RLIMIT_FSIZE},
    {"Max data size", RLIMIT_DATA},
    {"Max stack size", RLIMIT_STACK},
    {"Max core file size", RLIMIT_CORE},
    {"Max resident set", RLIMIT_RSS},
    {"Max processes", RLIMIT_NPROC},
    {"Max open files", RLIMIT_NOFILE},
    {"Max locked memory", RLIMIT_MEMLOCK},
    {"Max address space", RLIMIT_AS},
    {"Max file locks", RLIMIT_LOCKS},
    {"Max pending signals", RLIMIT_SIGPENDING},
    {"Max msgqueue size", RLIMIT_MSGQUEUE},
    {"Max nice priority", RLIMIT_NICE},
    {"Max realtime priority", RLIMIT_RTPRIO},
    {"Max realtime timeout", RLIMIT_RTTIME},
};

static rlim_t parse_limit(const char *s, const char **end) {
  char *e;
  rlim_t v;

  while (*s == ' ')
    s++;
  if (strncmp(s, "unlimited", 9) == 0) {
    *end = s + 9;
    return RLIM_INFINITY;
  }
  v = (rlim_t)strtoull(s, &e, 10);
  *end = e;
  return v;
}

static void parse_limits(ex_proc_t *p, char *text) {
  char *line;
  char *save;
  const char *rest;
  size_t i;
  size_t n;

  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    for (i = 0; i < sizeof(limit_names) / sizeof(limit_names[0]); i++) {
      n = strlen(limit_names[i].name);
      if (strncmp(line, limit_names[i].name, n) != 0 || line[n] != ' ')
        continue;
      if (limit_names[i].resource >= EX_PROC_RLIMITS)
        break;
      p->rlim[limit_names[i].resource].rlim_cur =
          parse_limit(line + n, &rest);
      p->rlim[limit_names[i].resource].rlim_max = parse_limit(rest, &rest);
      break;
    }
  }
}

/* Keeps the cgroup v2 line, or v1's memory controller line. */
static void parse_cgroup(ex_proc_t *p, char *text) {
  char *line;
  char *save;

  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    if (strncmp(line, "0::", 3) == 0 || strstr(line, ":memory:") != NULL) {
      ex_strlcpy(p->cgroup, line, sizeof(p->cgroup));
      if (strstr(line, ":memory:") != NULL)
        return;
    }
  }
}

static int count_fds(const char *dir) {
  DIR *d;
  struct dirent *e;
  int n;

  d = opendir(dir);
  if (d == NULL)
    return -1;
  n = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.')
      n++;
  }
  closedir(d);
  return n;
}

int ex_proc_capture(pid_t pid, ex_proc_t *p) {
  char path[64];
  char text[8192];
  char *nl;

  memset(p, 0, sizeof(*p));
  p->pid = pid;
  p->nfds = -1;
  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  if (ex_read_small(path, text, sizeof(text)) <= 0)
    return -ESRCH;
  /* A zombie keeps its status but no longer has a cwd or descriptors: it
   * is gone for the probes. */
  if (strstr(text, "\nState:\tZ") != NULL)
    return -ESRCH;
  parse_status(p, text);
  /* An exiting process has released its memory (no exe) and then its cwd
   * before it becomes a zombie: half a snapshot would make the probes
   * reason about "no working directory". It is gone too. Other errors
   * (EACCES for another user's process) leave the field empty. */
  snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
  if (read_link(path, p->cwd, sizeof(p->cwd)) == -ENOENT)
    return -ESRCH;
  snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
  if (read_link(path, p->exe, sizeof(p->exe)) == -ENOENT)
    return -ESRCH;
  snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
  if (ex_read_small(path, text, sizeof(text)) > 0)
    parse_limits(p, text);
  snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
  if (ex_read_small(path, text, sizeof(text)) > 0)
    parse_cgroup(p, text);
  snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
  if (ex_read_small(path, text, sizeof(text)) > 0) {
    nl = strchr(text, '\n');
    if (nl != NULL)
      *nl = '\0';
    ex_strlcpy(p->uid_map, text, sizeof(p->uid_map));
    {
      unsigned long in = 1, out = 1, count = 0;
      (void)sscanf(text, "%lu %lu %lu", &in, &out, &count);
      p->userns = !(in == 0 && out == 0 && count == 4294967295UL);
    }
  }
  snprintf(path, sizeof(path), "/proc/%d/attr/current", (int)pid);
  if (ex_read_small(path, text, sizeof(text)) > 0) {
    nl = strchr(text, '\n');
    if (nl != NULL)
      *nl = '\0';
    ex_strlcpy(p->apparmor, text, sizeof(p->apparmor));
  }
  snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
  p->nfds = count_fds(path);
  p->valid = 1;
  return 0;
}

void ex_proc_capture_self(ex_proc_t *p) {
  if (ex_proc_capture(getpid(), p) != 0) {
    memset(p, 0, sizeof(*p));
    p->pid = getpid();
    p->ruid = getuid();
    p->euid = p->fsuid = geteuid();
    p->rgid = getgid();
    p->egid = p->fsgid = getegid();
    if (getcwd(p->cwd, sizeof(p->cwd)) == NULL)
      p->cwd[0] = '\0';
    p->nfds = -1;
    p->valid = 1;
  }
  p->from_self = 1;
}

int ex_proc_has_cap(const ex_proc_t *p, int cap) {
  if (cap < 0 || cap > 63)
    return 0;
  return (p->cap_eff >> cap) & 1;
}

int ex_proc_in_group(const ex_proc_t *p, gid_t gid) {
  size_t i;

  if (p->egid == gid || p->fsgid == gid)
    return 1;
  for (i = 0; i < p->ngroups; i++) {
    if (p->groups[i] == gid)
      return 1;
  }
  return 0;
}
