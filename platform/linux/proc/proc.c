/* The command's credentials, limits, descriptors and sockets, read from
 * /proc while it runs. */
#include "platform/probe.h"

#include "platform/linux/exec/exec_int.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

/* Descriptors looked at in /proc/<pid>/fd (a process may have millions). */
#define FD_SCAN_MAX 65536
/* Lines read of each socket table. */
#define SOCK_LINES_MAX 8192

/* /proc/<pid>/cmdline, cut after the last word that fits. */
static void read_argv(ex_proc_t *p, const char *path) {
  ssize_t n;

  n = ex_read_small(path, p->argv, sizeof(p->argv));
  if (n <= 0)
    return;
  /* A word cut by the buffer is dropped: a half path is worse than
   * none. */
  while (n > 0 && p->argv[n - 1] != '\0')
    n--;
  p->argv_len = (size_t)n;
  memset(p->argv + n, 0, sizeof(p->argv) - (size_t)n);
}

static int by_fd(const void *a, const void *b) {
  int x = *(const int *)a;
  int y = *(const int *)b;

  return (x > y) - (x < y);
}

/* Adds the name of a descriptor's target to the pool; "" when full. */
static unsigned add_name(ex_proc_t *p, const char *name, size_t len) {
  unsigned at;

  /* Offset 0 holds "": an entry whose name did not fit points there. */
  if (p->fd_names_len == 0)
    p->fd_names_len = 1;
  if (p->fd_names_len + len + 1 > sizeof(p->fd_names))
    return 0;
  at = (unsigned)p->fd_names_len;
  memcpy(p->fd_names + at, name, len);
  p->fd_names[at + len] = '\0';
  p->fd_names_len += len + 1;
  return at;
}

/* flags:, pos: and lock: of /proc/<pid>/fdinfo/<fd>. */
static void read_fdinfo(pid_t pid, ex_proc_fd_t *f) {
  char path[64];
  char text[1024];
  const char *v;

  snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, f->fd);
  if (ex_read_small(path, text, sizeof(text)) <= 0)
    return;
  v = strstr(text, "pos:");
  if (v != NULL)
    f->pos = strtoll(v + 4, NULL, 10);
  v = strstr(text, "flags:");
  if (v != NULL)
    f->flags = (int)strtol(v + 6, NULL, 8);
  f->locked = strstr(text, "\nlock:") != NULL;
}

/* One descriptor: its target, and for files what fdinfo and stat say. */
static void read_fd(ex_proc_t *p, int fd, ex_proc_fd_t *f) {
  char path[64];
  char target[EX_PROC_PATH_MAX];
  struct stat st;
  ssize_t n;

  memset(f, 0, sizeof(*f));
  f->fd = fd;
  f->flags = -1;
  f->pos = -1;
  snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)p->pid, fd);
  n = readlink(path, target, sizeof(target) - 1);
  if (n <= 0)
    return;
  target[n] = '\0';
  f->name = add_name(p, target, (size_t)n);
  if (strncmp(target, "socket:[", 8) == 0) {
    f->kind = EX_PROC_FD_SOCKET;
    f->ino = strtoull(target + 8, NULL, 10);
    return;
  }
  if (strncmp(target, "pipe:[", 6) == 0) {
    f->kind = EX_PROC_FD_PIPE;
    f->ino = strtoull(target + 6, NULL, 10);
    return;
  }
  if (target[0] != '/')
    return; /* anon_inode:[eventfd] and the like */
  /* stat() of the magic link reaches the open file itself, even when it
   * was deleted or renamed since. */
  if (stat(path, &st) == 0) {
    f->dev = (unsigned long long)st.st_dev;
    f->ino = (unsigned long long)st.st_ino;
    f->kind = S_ISREG(st.st_mode)   ? EX_PROC_FD_FILE
              : S_ISDIR(st.st_mode) ? EX_PROC_FD_DIR
              : S_ISFIFO(st.st_mode) ? EX_PROC_FD_PIPE
              : (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                  ? EX_PROC_FD_DEVICE
                  : EX_PROC_FD_OTHER;
  }
  if (f->kind == EX_PROC_FD_FILE || f->kind == EX_PROC_FD_DIR ||
      f->kind == EX_PROC_FD_DEVICE)
    read_fdinfo(p->pid, f);
}

/* Resolves the socket descriptors against the UDP tables of the process's
 * own network namespace: a connected UDP socket names the peer that
 * refused it. The TCP tables are not read: the kernel walks its whole
 * established hash to list them (3 to 8 ms here, longer than a failing
 * program lives after its message), and a TCP socket whose connect or
 * bind failed is in none of them anyway. */
static void read_socks(ex_proc_t *p) {
  static const char *const tables[] = {"udp", "udp6"};
  char path[64];
  char line[512];
  ex_sock_t s;
  ex_proc_sock_t *o;
  size_t wanted;
  size_t lines;
  size_t t;
  size_t i;
  FILE *fp;

  wanted = 0;
  for (i = 0; i < p->nfds_kept; i++) {
    if (p->fds[i].kind == EX_PROC_FD_SOCKET)
      wanted++;
  }
  for (t = 0; t < 2 && wanted > 0 && p->nsocks < EX_PROC_SOCKS_MAX; t++) {
    snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)p->pid, tables[t]);
    fp = fopen(path, "re");
    if (fp == NULL)
      continue;
    lines = 0;
    while (lines++ < SOCK_LINES_MAX && wanted > 0 &&
           p->nsocks < EX_PROC_SOCKS_MAX &&
           fgets(line, sizeof(line), fp) != NULL) {
      if (ex__tcp_line_parse(line, (int)(t & 1), &s) != 0 || s.inode == 0)
        continue;
      for (i = 0; i < p->nfds_kept; i++) {
        if (p->fds[i].kind != EX_PROC_FD_SOCKET ||
            p->fds[i].ino != (unsigned long long)s.inode)
          continue;
        o = &p->socks[p->nsocks++];
        o->fd = p->fds[i].fd;
        ex_strlcpy(o->proto, tables[t], sizeof(o->proto));
        ex_strlcpy(o->local, s.addr, sizeof(o->local));
        o->local_port = s.port;
        ex_strlcpy(o->remote, s.raddr, sizeof(o->remote));
        o->remote_port = s.rport;
        o->state = s.state;
        wanted--;
        break;
      }
    }
    fclose(fp);
  }
}

/* Lists the descriptors, keeps 0-2 and the newest (highest) others, and
 * reads what each refers to. Returns how many there are, or -1 when the
 * directory cannot be read. */
static int read_fds(ex_proc_t *p) {
  char dir[64];
  int nums[EX_PROC_FDS_MAX];
  struct dirent *e;
  size_t nnums;
  size_t i;
  int total;
  int fd;
  DIR *d;

  snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)p->pid);
  d = opendir(dir);
  if (d == NULL)
    return -1;
  total = 0;
  nnums = 0;
  while (total < FD_SCAN_MAX && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    total++;
    fd = atoi(e->d_name);
    if (nnums < EX_PROC_FDS_MAX) {
      nums[nnums++] = fd;
      continue;
    }
    /* Full: the lowest descriptor above 2 makes room for a newer one. */
    {
      size_t victim = EX_PROC_FDS_MAX;
      for (i = 0; i < nnums; i++) {
        if (nums[i] > 2 && fd > nums[i] &&
            (victim == EX_PROC_FDS_MAX || nums[i] < nums[victim]))
          victim = i;
      }
      if (victim != EX_PROC_FDS_MAX)
        nums[victim] = fd;
    }
  }
  closedir(d);
  qsort(nums, nnums, sizeof(nums[0]), by_fd);
  for (i = 0; i < nnums; i++)
    read_fd(p, nums[i], &p->fds[i]);
  p->nfds_kept = nnums;
  read_socks(p);
  return total;
}

int ex_proc_capture(pid_t pid, ex_proc_t *p) {
  char path[64];
  char text[8192];
  char *nl;

  memset(p, 0, sizeof(*p));
  p->pid = pid;
  p->nfds = -1;
  /* The descriptors first: a program that has printed its error closes
   * them soon after (a Python script within a few hundred microseconds),
   * while its credentials and limits stay. */
  p->nfds = read_fds(p);
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
  snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
  read_argv(p, path);
  p->valid = 1;
  return 0;
}

void ex_proc_capture_self(ex_proc_t *p) {
  if (ex_proc_capture(getpid(), p) == 0) {
    /* explain's own descriptors and words say nothing of the command. */
    p->argv_len = 0;
    memset(p->argv, 0, sizeof(p->argv));
    p->nfds_kept = 0;
    p->fd_names_len = 0;
    p->nsocks = 0;
    p->nfds = -1;
  } else {
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

const char *ex_proc_fd_name(const ex_proc_t *p, const ex_proc_fd_t *f) {
  if (f->name == 0 || f->name >= p->fd_names_len)
    return "";
  return p->fd_names + f->name;
}

const ex_proc_fd_t *ex_proc_fd_find(const ex_proc_t *p, int fd) {
  size_t i;

  for (i = 0; i < p->nfds_kept; i++) {
    if (p->fds[i].fd == fd)
      return &p->fds[i];
  }
  return NULL;
}

const char *ex_proc_arg(const ex_proc_t *p, size_t i) {
  size_t at;

  at = 0;
  while (at < p->argv_len) {
    if (i == 0)
      return p->argv + at;
    at += strlen(p->argv + at) + 1;
    i--;
  }
  return NULL;
}

/* Processes looked at as descendants of the command. */
#define PRINTER_CANDIDATES 512

typedef struct pnode {
  pid_t pid;
  pid_t ppid;
  int below;  /* a descendant of the root */
  int holds;  /* has the root's stderr as its fd 2 */
} pnode_t;

static pid_t read_ppid(pid_t pid) {
  char path[64];
  char text[512];
  const char *rp;

  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  if (ex_read_small(path, text, sizeof(text)) <= 0)
    return 0;
  /* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
  rp = strrchr(text, ')');
  if (rp == NULL || rp[1] != ' ' || rp[2] == '\0' || rp[2] == 'Z')
    return 0;
  return (pid_t)strtol(rp + 4, NULL, 10);
}

static int same_stderr(pid_t pid, const struct stat *want) {
  char path[64];
  struct stat st;

  snprintf(path, sizeof(path), "/proc/%d/fd/2", (int)pid);
  return stat(path, &st) == 0 && st.st_dev == want->st_dev &&
         st.st_ino == want->st_ino;
}

pid_t ex_proc_printer(pid_t root) {
  char path[64];
  struct stat err;
  struct dirent *e;
  pnode_t *nodes;
  size_t n;
  size_t i;
  size_t j;
  int changed;
  int passes;
  pid_t pid;
  pid_t found;
  DIR *d;

  snprintf(path, sizeof(path), "/proc/%d/fd/2", (int)root);
  if (root <= 0 || stat(path, &err) != 0)
    return 0;
  nodes = malloc(PRINTER_CANDIDATES * sizeof(*nodes));
  if (nodes == NULL)
    return 0;
  n = 0;
  d = opendir("/proc");
  if (d == NULL) {
    free(nodes);
    return 0;
  }
  while (n < PRINTER_CANDIDATES && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9')
      continue;
    pid = (pid_t)atoi(e->d_name);
    /* Children get higher pids than their parent until the pid space
     * wraps; an older process is no descendant, and reading nothing of it
     * keeps the scan cheap among a thousand others. */
    if (pid <= root)
      continue;
    nodes[n].pid = pid;
    nodes[n].ppid = read_ppid(pid);
    nodes[n].below = 0;
    nodes[n].holds = 0;
    if (nodes[n].ppid > 0)
      n++;
  }
  closedir(d);
  /* Descendants: a parent may come later in the listing, so repeat until
   * nothing changes (bounded). */
  for (passes = 0, changed = 1; changed && passes < 16; passes++) {
    changed = 0;
    for (i = 0; i < n; i++) {
      if (nodes[i].below)
        continue;
      if (nodes[i].ppid == root) {
        nodes[i].below = changed = 1;
        continue;
      }
      for (j = 0; j < n; j++) {
        if (nodes[j].below && nodes[j].pid == nodes[i].ppid) {
          nodes[i].below = changed = 1;
          break;
        }
      }
    }
  }
  for (i = 0; i < n; i++)
    nodes[i].holds = nodes[i].below && same_stderr(nodes[i].pid, &err);
  /* The printer: a holder none of whose descendants holds it too. A
   * holder whose parent is a holder hides that parent. */
  for (i = 0; i < n; i++) {
    if (!nodes[i].holds)
      continue;
    for (j = 0; j < n; j++) {
      if (nodes[j].holds && nodes[j].pid == nodes[i].ppid)
        nodes[j].holds = 2; /* has a holding child: not the printer */
    }
  }
  found = 0;
  for (i = 0; i < n; i++) {
    if (nodes[i].holds != 1)
      continue;
    if (found != 0) {
      found = 0; /* two candidates: unknown which one printed */
      break;
    }
    found = nodes[i].pid;
  }
  free(nodes);
  return found;
}

/* A user given by name or number: its uid and primary gid. */
static int user_ids(const char *s, uid_t *uid, gid_t *gid, char *name,
                    size_t nsize) {
  struct passwd pw;
  struct passwd *res;
  char buf[4096];
  char *end;
  unsigned long v;

  res = NULL;
  v = strtoul(s, &end, 10);
  if (*s != '\0' && *end == '\0') {
    *uid = (uid_t)v;
    if (getpwuid_r(*uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
      *gid = pw.pw_gid;
      ex_strlcpy(name, pw.pw_name, nsize);
    } else {
      name[0] = '\0';
    }
    return 0;
  }
  if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
    return -ENOENT;
  *uid = pw.pw_uid;
  *gid = pw.pw_gid;
  ex_strlcpy(name, pw.pw_name, nsize);
  return 0;
}

static int group_id(const char *s, gid_t *gid) {
  struct group gr;
  struct group *res;
  char buf[4096];
  char *end;
  unsigned long v;

  v = strtoul(s, &end, 10);
  if (*s != '\0' && *end == '\0') {
    *gid = (gid_t)v;
    return 0;
  }
  res = NULL;
  if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
    return -ENOENT;
  *gid = gr.gr_gid;
  return 0;
}

static void set_user(ex_proc_t *p, uid_t uid) {
  p->ruid = p->euid = p->suid = p->fsuid = uid;
  if (uid != 0)
    p->cap_eff = p->cap_prm = 0;
}

static void set_group(ex_proc_t *p, gid_t gid) {
  p->rgid = p->egid = p->sgid = p->fsgid = gid;
}

static void init_groups(ex_proc_t *p, const char *name) {
  int n;

  n = name[0] != '\0' ? ex__groups_of_user(name, p->groups,
                                            EX_PROC_GROUPS_MAX)
                      : 0;
  p->ngroups = n > 0 ? (size_t)n : 0;
}

/* USER or USER:GROUP (gosu, su-exec, chpst). */
static int user_spec(ex_proc_t *p, const char *spec) {
  char user[256];
  char name[256];
  const char *colon;
  uid_t uid;
  gid_t gid;

  colon = strchr(spec, ':');
  ex_strlcpy(user, spec, colon != NULL && (size_t)(colon - spec) < sizeof(user)
                             ? (size_t)(colon - spec) + 1
                             : sizeof(user));
  if (user_ids(user, &uid, &gid, name, sizeof(name)) != 0)
    return 0;
  set_user(p, uid);
  set_group(p, gid);
  init_groups(p, name);
  if (colon != NULL && group_id(colon + 1, &gid) == 0) {
    set_group(p, gid);
    p->ngroups = 0;
  }
  return 1;
}

static int assume_setpriv(ex_proc_t *p, char *const *argv) {
  char name[256];
  const char *a;
  const char *v;
  uid_t uid;
  gid_t gid;
  size_t i;
  int changed;
  int init;
  char *tok;
  char *save;
  char list[1024];

  changed = 0;
  init = 0;
  name[0] = '\0';
  for (i = 1; argv[i] != NULL && argv[i][0] == '-'; i++) {
    a = argv[i];
    v = strchr(a, '=');
    v = v != NULL ? v + 1 : argv[i + 1];
    if (strncmp(a, "--reuid", 7) == 0 || strncmp(a, "--ruid", 6) == 0 ||
        strncmp(a, "--euid", 6) == 0) {
      if (v != NULL && user_ids(v, &uid, &gid, name, sizeof(name)) == 0) {
        set_user(p, uid);
        changed = 1;
      }
    } else if (strncmp(a, "--regid", 7) == 0 || strncmp(a, "--rgid", 6) == 0 ||
               strncmp(a, "--egid", 6) == 0) {
      if (v != NULL && group_id(v, &gid) == 0) {
        set_group(p, gid);
        changed = 1;
      }
    } else if (strcmp(a, "--clear-groups") == 0) {
      p->ngroups = 0;
      changed = 1;
      continue;
    } else if (strcmp(a, "--init-groups") == 0) {
      init = 1;
      continue;
    } else if (strncmp(a, "--groups", 8) == 0) {
      p->ngroups = 0;
      if (v != NULL) {
        ex_strlcpy(list, v, sizeof(list));
        for (tok = strtok_r(list, ",", &save);
             tok != NULL && p->ngroups < EX_PROC_GROUPS_MAX;
             tok = strtok_r(NULL, ",", &save)) {
          if (group_id(tok, &gid) == 0)
            p->groups[p->ngroups++] = gid;
        }
      }
      changed = 1;
    } else {
      continue;
    }
    if (strchr(a, '=') == NULL && argv[i + 1] != NULL)
      i++;
  }
  if (init)
    init_groups(p, name);
  return changed;
}

int ex_proc_assume_wrapper(ex_proc_t *p, char *const *argv, char *how,
                           size_t hsize) {
  const char *tool;
  size_t i;
  int done;

  if (argv == NULL || argv[0] == NULL)
    return 0;
  tool = strrchr(argv[0], '/');
  tool = tool != NULL ? tool + 1 : argv[0];
  done = 0;
  if (strcmp(tool, "setpriv") == 0) {
    done = assume_setpriv(p, argv);
  } else if (strcmp(tool, "sudo") == 0 || strcmp(tool, "runuser") == 0 ||
             strcmp(tool, "doas") == 0) {
    for (i = 1; argv[i] != NULL && argv[i][0] == '-'; i++) {
      if (strcmp(argv[i], "-u") == 0 && argv[i + 1] != NULL) {
        done = user_spec(p, argv[i + 1]);
        break;
      }
      if (strncmp(argv[i], "--user=", 7) == 0) {
        done = user_spec(p, argv[i] + 7);
        break;
      }
    }
    if (!done && strcmp(tool, "sudo") == 0)
      done = user_spec(p, "0");
  } else if (strcmp(tool, "gosu") == 0 || strcmp(tool, "su-exec") == 0) {
    if (argv[1] != NULL)
      done = user_spec(p, argv[1]);
  } else if (strcmp(tool, "chpst") == 0) {
    for (i = 1; argv[i] != NULL && argv[i + 1] != NULL; i++) {
      if (strcmp(argv[i], "-u") == 0) {
        done = user_spec(p, argv[i + 1]);
        break;
      }
    }
  } else if (strcmp(tool, "su") == 0) {
    for (i = 1; argv[i] != NULL && argv[i][0] == '-'; i++)
      ;
    done = user_spec(p, argv[i] != NULL ? argv[i] : "0");
  }
  if (done) {
    size_t len = 0;

    how[0] = '\0';
    for (i = 0; argv[i] != NULL && i < 6 && len + 2 < hsize; i++)
      len += (size_t)snprintf(how + len, hsize - len, "%s%s", i ? " " : "",
                              argv[i]);
    if (len >= hsize)
      how[hsize - 1] = '\0';
  }
  return done;
}
