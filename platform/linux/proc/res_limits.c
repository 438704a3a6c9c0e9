/* Resources held by processes: descriptor limits (EMFILE, ENFILE), file
 * locks (EAGAIN from flock/fcntl, apt's lock files) from /proc/locks, and
 * busy executables (ETXTBSY) from /proc/<pid>/exe and fd. */
#include "platform/linux/exec/exec_int.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOCK_LINES_MAX 20000
#define HOLDERS_MAX 8
#define FD_SCAN_MAX 200000

static int streq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void pinfo_facts(ex_cause_t *c, const ex_pinfo_t *pi) {
  char user[128];

  ex__cf_int(c, "pid", (long long)pi->pid);
  ex__cf_str(c, "comm", pi->comm);
  ex__cf_str(c, "cmdline", pi->cmdline);
  if (pi->uid_known) {
    ex__cf_int(c, "uid", (long long)pi->uid);
    ex__cf_str(c, "user", ex__user_name(pi->uid, user, sizeof(user)));
  }
}

/* ---------------------------------------------------------------------- */
/* EMFILE / ENFILE                                                         */

int ex__res_applies_fd_limit(const ex_probe_event_t *ev) {
  return streq(ev->errno_name, "EMFILE") || streq(ev->errno_name, "ENFILE");
}

/* A limit as a fact: a number, or "unlimited". */
static void limit_fact(ex_facts_t *f, const char *key, rlim_t v) {
  if (v == RLIM_INFINITY)
    ex_facts_str(f, key, "unlimited");
  else
    ex_facts_int(f, key, (long long)v);
}

static const char *limit_str(rlim_t v, char *buf, size_t size) {
  if (v == RLIM_INFINITY)
    ex_strlcpy(buf, "unlimited", size);
  else
    snprintf(buf, size, "%llu", (unsigned long long)v);
  return buf;
}

int ex__res_run_fd_limit(const ex_probe_event_t *ev, const ex_proc_t *proc,
                         const ex_host_t *host, ex_explanation_t *out) {
  char buf[128];
  char s1[32];
  char s2[32];
  unsigned long long alloc, unused, max;
  ex_cause_t *c;
  ex_proc_t self;
  rlim_t soft, hard;
  int nfds;

  if (streq(ev->errno_name, "ENFILE")) {
    if (ex_read_small("/proc/sys/fs/file-nr", buf, sizeof(buf)) <= 0 ||
        sscanf(buf, "%llu %llu %llu", &alloc, &unused, &max) != 3) {
      ex_cause_add(out, "system-table-full", EX_VERDICT_UNKNOWN,
                   "/proc/sys/fs/file-nr could not be read");
      return 0;
    }
    ex_facts_int(&out->facts, "files_open", (long long)alloc);
    ex_facts_int(&out->facts, "file_max", (long long)max);
    if (alloc * 10 >= max * 9) {
      c = ex_cause_add(out, "system-table-full", EX_VERDICT_CONFIRMED,
                       "the whole system has %llu files open of %llu "
                       "(fs.file-max)", alloc, max);
      ex__cf_int(c, "files_open", (long long)alloc);
      {
        char val[64];
        const char *argv[] = {"sudo", "sysctl", "-w", val, NULL};
        snprintf(val, sizeof(val), "fs.file-max=%llu", max * 2);
        ex_fix_add_cmd(out, 1, argv, "raise the system-wide limit");
      }
    } else {
      out->stale = 1;
      ex_cause_add(out, "system-table-full", EX_VERDICT_RULED_OUT,
                   "the system has %llu files open of %llu now", alloc,
                   max);
    }
    ex_explanation_summary(out, "the system file table: %llu of %llu used",
                           alloc, max);
    return 0;
  }

  if (proc == NULL || !proc->valid) {
    ex_proc_capture_self(&self);
    proc = &self;
  }
  soft = proc->rlim[RLIMIT_NOFILE].rlim_cur;
  hard = proc->rlim[RLIMIT_NOFILE].rlim_max;
  nfds = proc->nfds;
  limit_str(soft, s1, sizeof(s1));
  limit_str(hard, s2, sizeof(s2));
  limit_fact(&out->facts, "soft_limit", soft);
  limit_fact(&out->facts, "hard_limit", hard);
  if (nfds >= 0)
    ex_facts_int(&out->facts, "open_fds", nfds);
  ex_facts_bool(&out->facts, "limits_of_explain", proc->from_self);
  if (host != NULL && host->container[0] != '\0')
    ex_facts_str(&out->facts, "container", host->container);

  if (soft != RLIM_INFINITY && soft <= 4096) {
    c = ex_cause_add(out, "low-limit", EX_VERDICT_CONFIRMED,
                     "the open-files soft limit is %s (hard limit %s)", s1,
                     s2);
  } else {
    c = ex_cause_add(out, "low-limit", EX_VERDICT_RULED_OUT,
                     "the open-files soft limit is %s, not low", s1);
  }
  if (c != NULL) {
    limit_fact(&c->facts, "soft_limit", soft);
    limit_fact(&c->facts, "hard_limit", hard);
  }
  if (nfds >= 0 && soft != RLIM_INFINITY &&
      (unsigned long long)nfds * 10 >= (unsigned long long)soft * 8) {
    c = ex_cause_add(out, "near-limit", EX_VERDICT_CONFIRMED,
                     "the program had %d descriptors open of %s allowed", nfds,
                     s1);
    ex__cf_int(c, "open_fds", nfds);
  } else if (nfds >= 0 && !proc->from_self) {
    ex_cause_add(out, "fd-leak", EX_VERDICT_UNKNOWN,
                 "the program had %d descriptors open when explain looked "
                 "(the peak may have been higher)", nfds);
  }
  if (soft != RLIM_INFINITY && soft < hard) {
    char cmd[128];
    const char *prog = ev->command != NULL && ev->command[0] != NULL
                           ? ev->command[0]
                           : NULL;
    snprintf(cmd, sizeof(cmd), "ulimit -n %s", s2);
    ex_fix_add_raw(out, 0, cmd, "raise the soft limit to the hard limit in "
                   "this shell, then run %s again",
                   prog != NULL ? prog : "the command");
  } else if (soft != RLIM_INFINITY) {
    c = ex_cause_add(out, "hard-limit", EX_VERDICT_CONFIRMED,
                     "the soft limit already equals the hard limit (%s): "
                     "raising it needs root", s2);
    ex_fix_add_raw(out, 1, NULL, "raise the hard limit: 'nofile' in "
                   "/etc/security/limits.conf (new login), LimitNOFILE= for "
                   "a systemd service, or docker run --ulimit "
                   "nofile=65536:65536");
  }
  ex_fix_add_raw(out, 0, NULL, "if the count keeps growing, the program "
                 "leaks descriptors: close files and sockets it no longer "
                 "uses");
  ex_explanation_summary(out, "too many open files: limit %s (hard %s)%s", s1,
                         s2, nfds >= 0 ? ", see open_fds" : "");
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Locks                                                                   */

int ex__lock_line_parse(const char *line, ex_lock_line_t *l) {
  char kind[16];
  char adv[16];
  char mode[8];
  int pid;
  unsigned maj, min;
  unsigned long ino;

  memset(l, 0, sizeof(*l));
  if (strstr(line, "->") != NULL)
    return -EINVAL; /* a waiter, not a holder */
  if (sscanf(line, "%*u: %15s %15s %7s %d %x:%x:%lu", kind, adv, mode, &pid,
             &maj, &min, &ino) != 7)
    return -EINVAL;
  ex_strlcpy(l->kind, kind, sizeof(l->kind));
  ex_strlcpy(l->mode, mode, sizeof(l->mode));
  l->pid = (pid_t)pid;
  l->maj = maj;
  l->min = min;
  l->ino = ino;
  return 0;
}

int ex__res_applies_lock(const ex_probe_event_t *ev) {
  return (streq(ev->errno_name, "EAGAIN") ||
          streq(ev->errno_name, "EWOULDBLOCK")) &&
         (streq(ev->operation, "lock") || streq(ev->subject_kind, "lock"));
}

typedef struct fd_match {
  dev_t dev;
  ino_t ino;
  pid_t found[HOLDERS_MAX];
  int writer[HOLDERS_MAX];
  size_t n;
  size_t fds;
  int want_writers; /* record only descriptors open for writing */
  const char *path;
} fd_match_t;

/* 1 when descriptor fd of pid is open for writing (from fdinfo flags). */
static int fd_writes(pid_t pid, const char *fd) {
  char path[64 + 260];
  char buf[256];
  char *p;
  unsigned long flags;

  snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
  if (ex_read_small(path, buf, sizeof(buf)) <= 0)
    return 0;
  p = strstr(buf, "flags:");
  if (p == NULL)
    return 0;
  flags = strtoul(p + 6, NULL, 8);
  return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
}

/* Finds processes with a descriptor on the file (dev, ino). Links are
 * compared by name first (cheap), and stat()ed only when they name it. */
static int fd_cb(void *ud, pid_t pid, uid_t owner) {
  fd_match_t *m = ud;
  char dir[64];
  char link[64 + 260];
  char target[EX_PROC_PATH_MAX];
  struct dirent *d;
  struct stat st;
  size_t plen;
  ssize_t n;
  DIR *dp;
  int hit;

  (void)owner;
  if (pid == getpid())
    return 0;
  snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
  dp = opendir(dir);
  if (dp == NULL)
    return 0;
  hit = 0;
  plen = strlen(m->path);
  while (!hit && m->fds < FD_SCAN_MAX) {
    d = readdir(dp);
    if (d == NULL)
      break;
    if (d->d_name[0] == '.')
      continue;
    m->fds++;
    snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
      continue;
    target[n] = '\0';
    if (strncmp(target, m->path, plen) != 0 ||
        (target[plen] != '\0' && strcmp(target + plen, " (deleted)") != 0))
      continue;
    if (stat(link, &st) != 0 || st.st_dev != m->dev || st.st_ino != m->ino)
      continue;
    if (m->want_writers && !fd_writes(pid, d->d_name))
      continue;
    hit = 1;
  }
  closedir(dp);
  if (hit && m->n < HOLDERS_MAX) {
    m->writer[m->n] = m->want_writers;
    m->found[m->n++] = pid;
  }
  return m->n >= HOLDERS_MAX || m->fds >= FD_SCAN_MAX;
}

/* Adds a "holder" cause for pid, naming what kind it is. */
static void lock_holder_cause(const ex_probe_event_t *ev,
                              const ex_proc_t *proc, ex_explanation_t *out,
                              pid_t pid, const char *path, int *killable) {
  ex_pinfo_t pi;
  ex_cause_t *c;
  const char *id;
  char user[128];

  if (ex__pinfo(pid, &pi) != 0) {
    ex_cause_add(out, "holder-gone", EX_VERDICT_CONFIRMED,
                 "pid %d, which held the lock, has exited", (int)pid);
    return;
  }
  if (strcmp(pi.comm, "unattended-upgr") == 0)
    id = "unattended-upgrades";
  else if (strcmp(pi.comm, "apt") == 0 || strcmp(pi.comm, "apt-get") == 0 ||
           strcmp(pi.comm, "dpkg") == 0 || strcmp(pi.comm, "packagekitd") == 0 ||
           strcmp(pi.comm, "aptitude") == 0 || strcmp(pi.comm, "http") == 0)
    id = "other-apt";
  else if (ex__same_program(ev, proc, &pi))
    id = "other-instance";
  else
    id = "held-by";
  ex__user_name(pi.uid, user, sizeof(user));
  if (user[0] == '\0')
    snprintf(user, sizeof(user), "uid %lu", (unsigned long)pi.uid);
  c = ex_cause_add(out, id, EX_VERDICT_CONFIRMED,
                   "pid %d (%s), run by %s, holds the lock%s%s: %s", (int)pid,
                   pi.comm, pi.uid_known ? user : "an unknown user",
                   path != NULL ? " on " : "", path != NULL ? path : "",
                   pi.cmdline);
  pinfo_facts(c, &pi);
  if (strcmp(id, "other-instance") == 0 || strcmp(id, "held-by") == 0)
    *killable = (int)pid;
}

int ex__res_run_lock(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out) {
  char line[256];
  ex_lock_line_t l;
  struct stat st;
  const char *path;
  const char *said;
  pid_t seen[HOLDERS_MAX];
  size_t nseen;
  size_t lines;
  size_t i;
  int killable;
  int is_apt;
  FILE *fp;

  (void)host;
  path = ev->subject_value != NULL && ev->subject_value[0] == '/'
             ? ev->subject_value
             : NULL;
  is_apt = ev->rule_id != NULL && strncmp(ev->rule_id, "apt.", 4) == 0;
  killable = 0;
  nseen = 0;
  if (path != NULL) {
    ex_facts_str(&out->facts, "lock", path);
    if (stat(path, &st) != 0) {
      out->stale = 1;
      ex_cause_add(out, "held-by", EX_VERDICT_RULED_OUT,
                   "%s does not exist now", path);
      ex_explanation_summary(out, "the lock %s is gone now", path);
      return 0;
    }
  }
  said = ex_probe_capture(ev, "pid");
  if (said != NULL && said[0] != '\0' &&
      strspn(said, "0123456789") == strlen(said) && strlen(said) < 12)
    ex_facts_int(&out->facts, "pid_in_message", atoll(said));
  else if (said != NULL && said[0] != '\0')
    ex_facts_str(&out->facts, "pid_in_message", said);

  fp = fopen("/proc/locks", "re");
  if (fp == NULL) {
    ex_cause_add(out, "held-by", EX_VERDICT_UNKNOWN,
                 "/proc/locks could not be read: %s", strerror(errno));
    ex_explanation_summary(out, "a lock is held");
    return 0;
  }
  lines = 0;
  while (lines < LOCK_LINES_MAX && fgets(line, sizeof(line), fp) != NULL) {
    lines++;
    if (ex__lock_line_parse(line, &l) != 0)
      continue;
    if (path != NULL) {
      if (l.maj != major(st.st_dev) || l.min != minor(st.st_dev) ||
          l.ino != (unsigned long)st.st_ino)
        continue;
      if (l.pid <= 0) {
        /* An OFD lock has no pid: find who has the file open. */
        fd_match_t m;
        memset(&m, 0, sizeof(m));
        m.dev = st.st_dev;
        m.ino = st.st_ino;
        m.path = path;
        ex__proc_each(fd_cb, &m);
        for (i = 0; i < m.n && nseen < HOLDERS_MAX; i++)
          seen[nseen++] = m.found[i];
        continue;
      }
    } else {
      /* No file named (Python's BlockingIOError): only a lock held by
       * another instance of the same program is evidence. */
      ex_pinfo_t pi;
      if (l.pid <= 0 || (proc != NULL && proc->valid && l.pid == proc->pid))
        continue;
      if (ex__pinfo(l.pid, &pi) != 0 || !ex__same_program(ev, proc, &pi))
        continue;
    }
    for (i = 0; i < nseen; i++) {
      if (seen[i] == l.pid)
        break;
    }
    if (i == nseen && nseen < HOLDERS_MAX)
      seen[nseen++] = l.pid;
  }
  fclose(fp);

  for (i = 0; i < nseen; i++)
    lock_holder_cause(ev, proc, out, seen[i], path, &killable);
  if (nseen == 0) {
    if (path != NULL) {
      out->stale = 1;
      ex_cause_add(out, "held-by", EX_VERDICT_RULED_OUT,
                   "nobody holds a lock on %s now: the holder finished",
                   path);
      ex_explanation_summary(out, "the lock on %s is free now; retry", path);
      if (is_apt) {
        const char *argv[] = {"sudo", "dpkg", "--configure", "-a", NULL};
        ex_fix_add_cmd(out, 1, argv, "if the holder was interrupted, finish "
                       "its work (lock files need not be deleted: the "
                       "kernel dropped the lock)");
      }
    } else {
      ex_cause_add(out, "other-instance", EX_VERDICT_UNKNOWN,
                   "%s, and no other instance of this program holds a lock "
                   "now",
                   ex_probe_unnamed(ev, "the message does not name the "
                                        "file"));
      ex_explanation_summary(out, "a lock was held");
    }
    return 0;
  }
  if (is_apt) {
    ex_fix_add_raw(out, 0, NULL, "wait for it to finish (apt-get -o "
                   "DPkg::Lock::Timeout=300 waits up to 5 minutes)");
  } else if (killable > 0) {
    char pid[32];
    const char *argv[] = {"kill", pid, NULL};
    snprintf(pid, sizeof(pid), "%d", killable);
    ex_fix_add_raw(out, 0, NULL, "wait for pid %d to finish", killable);
    ex_fix_add_cmd(out, 0, argv, "or stop it if it is stuck");
  }
  ex_explanation_summary(out, "the lock%s%s is held by pid %d",
                         path != NULL ? " on " : "", path ? path : "",
                         (int)seen[0]);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* ETXTBSY                                                                 */

int ex__res_applies_txtbsy(const ex_probe_event_t *ev) {
  return streq(ev->errno_name, "ETXTBSY");
}

typedef struct exe_match {
  dev_t dev;
  ino_t ino;
  pid_t found[HOLDERS_MAX];
  size_t n;
} exe_match_t;

static int exe_cb(void *ud, pid_t pid, uid_t owner) {
  exe_match_t *m = ud;
  char path[64];
  struct stat st;

  (void)owner;
  snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
  /* stat() follows the link to the very inode being executed, even when
   * the file was replaced or deleted since. */
  if (stat(path, &st) != 0 || st.st_dev != m->dev || st.st_ino != m->ino)
    return 0;
  if (m->n < HOLDERS_MAX)
    m->found[m->n++] = pid;
  return m->n >= HOLDERS_MAX;
}

int ex__res_run_txtbsy(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       const ex_host_t *host, ex_explanation_t *out) {
  exe_match_t em;
  fd_match_t fm;
  ex_pinfo_t pi;
  ex_cause_t *c;
  struct stat st;
  char *abs;
  size_t i;
  int rc;

  (void)host;
  if (ev->subject_value == NULL || ev->subject_value[0] == '\0') {
    ex_cause_add(out, "running", EX_VERDICT_UNKNOWN,
                 "the message does not name the file");
    ex_explanation_summary(out, "a program file was busy");
    return 0;
  }
  abs = ex__path_absolute(proc, ev->subject_value);
  if (abs == NULL)
    return -ENOMEM;
  rc = 0;
  ex_facts_str(&out->facts, "path", abs);
  if (stat(abs, &st) != 0) {
    out->stale = 1;
    ex_cause_add(out, "running", EX_VERDICT_RULED_OUT, "%s does not exist now",
                 abs);
    ex_explanation_summary(out, "%s is gone now", abs);
    goto cleanup;
  }
  memset(&em, 0, sizeof(em));
  em.dev = st.st_dev;
  em.ino = st.st_ino;
  ex__proc_each(exe_cb, &em);
  memset(&fm, 0, sizeof(fm));
  fm.dev = st.st_dev;
  fm.ino = st.st_ino;
  fm.want_writers = 1;
  fm.path = abs;
  ex__proc_each(fd_cb, &fm);

  for (i = 0; i < em.n; i++) {
    if (ex__pinfo(em.found[i], &pi) != 0)
      continue;
    c = ex_cause_add(out, "running", EX_VERDICT_CONFIRMED,
                     "pid %d (%s) is running %s, so it cannot be written",
                     (int)pi.pid, pi.comm, abs);
    pinfo_facts(c, &pi);
  }
  for (i = 0; i < fm.n; i++) {
    if (ex__pinfo(fm.found[i], &pi) != 0)
      continue;
    c = ex_cause_add(out, "writer", EX_VERDICT_CONFIRMED,
                     "pid %d (%s) has %s open for writing, so it cannot be "
                     "executed", (int)pi.pid, pi.comm, abs);
    pinfo_facts(c, &pi);
  }
  if (em.n == 0 && fm.n == 0) {
    out->stale = 1;
    ex_cause_add(out, "running", EX_VERDICT_RULED_OUT,
                 "no process runs %s or has it open for writing now", abs);
    ex_explanation_summary(out, "%s is not busy any more; retry", abs);
    goto cleanup;
  }
  if (em.n > 0) {
    const char *base = NULL;
    if (ev->command != NULL && ev->command[0] != NULL) {
      base = strrchr(ev->command[0], '/');
      base = base != NULL ? base + 1 : ev->command[0];
    }
    if (streq(base, "cp")) {
      const char *argv[40];
      size_t n = 0;
      argv[n++] = ev->command[0];
      argv[n++] = "--remove-destination";
      for (i = 1; ev->command[i] != NULL && n < 39; i++)
        argv[n++] = ev->command[i];
      argv[n] = NULL;
      ex_fix_add_cmd(out, 0, argv, "replace the file instead of writing "
                     "into it (the running program keeps the old one)");
    } else {
      ex_fix_add_raw(out, 0, NULL, "write the new version to another name "
                     "and mv it over %s (rename replaces a running program "
                     "safely), or use install(1)", abs);
    }
    {
      char pid[32];
      const char *argv[] = {"kill", pid, NULL};
      snprintf(pid, sizeof(pid), "%d", (int)em.found[0]);
      ex_fix_add_cmd(out, 0, argv, "or stop the running program first");
    }
  }
  if (fm.n > 0)
    ex_fix_add_raw(out, 0, NULL, "wait until pid %d closes the file (a "
                   "build or copy still writing it), then run it",
                   (int)fm.found[0]);
  ex_explanation_summary(out, "%s is busy: %s", abs,
                         em.n > 0 ? "a process is running it"
                                  : "a process is writing it");

cleanup:
  free(abs);
  return rc;
}
