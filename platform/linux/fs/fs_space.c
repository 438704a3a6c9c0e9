/* ENOSPC / EDQUOT: blocks or inodes, size, used and free on the file system
 * of the path, space held by deleted files that are still open, tmpfs
 * limits. */
#include "platform/linux/fs/fs.h"
#include "platform/linux/fs/fs_explainers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* Bounds of the /proc scan, so that a diagnosis stays fast with thousands
 * of processes. */
#define SCAN_MAX_PROCS 8192
#define SCAN_MAX_FDS 200000
#define SCAN_MAX_NS (500LL * 1000 * 1000) /* a safety net: counts bound the scan */

#define DELETED_SUFFIX " (deleted)"

typedef struct deleted {
  unsigned long long bytes;  /* allocated bytes of deleted open files */
  long files;
  pid_t top_pid;             /* the holder of the largest one */
  int top_fd;
  uid_t top_uid;
  unsigned long long top_bytes;
  char top_comm[32];
  char top_name[256];
  int truncated;             /* the scan hit a bound */
} deleted_t;

static long long now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void read_comm(pid_t pid, char *buf, size_t size) {
  char path[64];
  ssize_t n;
  int fd;

  buf[0] = '\0';
  snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return;
  n = read(fd, buf, size - 1);
  close(fd);
  buf[n > 0 ? n : 0] = '\0';
  if (n > 0 && buf[n - 1] == '\n')
    buf[n - 1] = '\0';
}

/* Sums the deleted regular files on device dev that processes hold
 * open. */
static void scan_deleted(dev_t dev, deleted_t *d) {
  DIR *proc;
  DIR *fds;
  struct dirent *pe;
  struct dirent *fe;
  char dir[64];
  char link[320];
  char target[512];
  struct stat st;
  ssize_t n;
  size_t slen;
  long nprocs;
  long nfds;
  long long start;
  pid_t pid;
  unsigned long long bytes;

  memset(d, 0, sizeof(*d));
  slen = strlen(DELETED_SUFFIX);
  start = now_ns();
  nprocs = 0;
  nfds = 0;
  proc = opendir("/proc");
  if (proc == NULL) {
    d->truncated = 1;
    return;
  }
  while ((pe = readdir(proc)) != NULL) {
    if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
      continue;
    if (++nprocs > SCAN_MAX_PROCS || nfds > SCAN_MAX_FDS ||
        now_ns() - start > SCAN_MAX_NS) {
      d->truncated = 1;
      break;
    }
    pid = (pid_t)atoi(pe->d_name);
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    fds = opendir(dir);
    if (fds == NULL)
      continue;
    while ((fe = readdir(fds)) != NULL) {
      if (fe->d_name[0] == '.')
        continue;
      nfds++;
      snprintf(link, sizeof(link), "%s/%s", dir, fe->d_name);
      n = readlink(link, target, sizeof(target) - 1);
      if (n <= 0 || (size_t)n < slen)
        continue;
      target[n] = '\0';
      if (strcmp(target + n - slen, DELETED_SUFFIX) != 0 ||
          target[0] != '/')
        continue;
      if (stat(link, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != dev)
        continue;
      /* The same file open twice holds its space once; counting per fd
       * overstates only in that rare case, and the largest holder is
       * what the fix needs. */
      bytes = (unsigned long long)st.st_blocks * 512ULL;
      d->bytes += bytes;
      d->files++;
      if (bytes > d->top_bytes) {
        d->top_bytes = bytes;
        d->top_pid = pid;
        d->top_fd = atoi(fe->d_name);
        target[n - slen] = '\0';
        ex_strlcpy(d->top_name, target, sizeof(d->top_name));
        snprintf(link, sizeof(link), "/proc/%d", (int)pid);
        d->top_uid = stat(link, &st) == 0 ? st.st_uid : (uid_t)-1;
      }
    }
    closedir(fds);
  }
  closedir(proc);
  if (d->top_pid > 0)
    read_comm(d->top_pid, d->top_comm, sizeof(d->top_comm));
}

/* The value of option name= in opts ("size=1m"), or "". */
static void option_value(const char *opts, const char *name, char *buf,
                         size_t size) {
  const char *p;
  size_t n;
  size_t len;

  buf[0] = '\0';
  n = strlen(name);
  for (p = opts; p != NULL && *p != '\0';) {
    if (strncmp(p, name, n) == 0 && p[n] == '=') {
      p += n + 1;
      len = strcspn(p, ",");
      if (len >= size)
        len = size - 1;
      memcpy(buf, p, len);
      buf[len] = '\0';
      return;
    }
    p = strchr(p, ',');
    if (p != NULL)
      p++;
  }
}

/* The deepest existing directory (or file) of abs, into buf. */
static int existing_ancestor(const char *abs, char *buf, size_t size,
                             struct stat *st) {
  char *slash;

  ex_strlcpy(buf, abs, size);
  for (;;) {
    if (stat(buf, st) == 0)
      return 0;
    slash = strrchr(buf, '/');
    if (slash == NULL)
      return -ENOENT;
    if (slash == buf) {
      buf[1] = '\0';
      return stat(buf, st) == 0 ? 0 : -errno;
    }
    *slash = '\0';
  }
}

int ex__fs_run_no_space(const ex_probe_event_t *ev, const ex_proc_t *p,
                        const ex_host_t *host, ex_explanation_t *e) {
  char *abs;
  char where[EX_PROC_PATH_MAX];
  char h1[32], h2[32], h3[32];
  char size_opt[64];
  char inodes_opt[64];
  char newsize[64];
  char fdpath[64];
  struct statvfs v;
  struct stat st;
  ex_mount_t *m;
  ex_cause_t *c;
  deleted_t d;
  unsigned long long total, avail, freeroot, used;
  unsigned long long files, ffree, favail;
  int blocks_out;
  int inodes_out;
  int have_mount;
  int quota;
  int rc;
  const char *argv[6];

  abs = NULL;
  m = NULL;
  newsize[0] = '\0';
  quota = ev->errno_name != NULL && strcmp(ev->errno_name, "EDQUOT") == 0;
  ex__fs_proc_facts(&e->facts, p, host);
  if (!ex__fs_named_path(ev->subject_value)) {
    ex_cause_add(e, "blocks-exhausted", EX_VERDICT_UNKNOWN,
                 "%s, so its file system could not be checked",
                 ex_probe_unnamed(ev, "the message did not name the path"));
    ex_explanation_summary(e, "no space left: path not named");
    /* A fix that needs no path: every file system with its free space. */
    argv[0] = "df";
    argv[1] = "-h";
    argv[2] = NULL;
    ex_fix_add_cmd(e, 0, argv, "see which file system is full");
    return 0;
  }
  abs = ex__path_absolute(p, ev->subject_value);
  m = malloc(sizeof(*m));
  if (abs == NULL || m == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  ex_facts_str(&e->facts, "path", abs);
  if (existing_ancestor(abs, where, sizeof(where), &st) != 0 ||
      statvfs(where, &v) != 0) {
    ex_cause_add(e, "blocks-exhausted", EX_VERDICT_UNKNOWN,
                 "could not read the file system of %s (%s)", abs,
                 strerror(errno));
    rc = 0;
    goto cleanup;
  }
  have_mount = ex__mount_find(where, m) == 0;
  if (have_mount) {
    ex_facts_str(&e->facts, "mount_point", m->mount_point);
    ex_facts_str(&e->facts, "fstype", m->fstype);
    ex_facts_str(&e->facts, "source", m->source);
  }
  total = (unsigned long long)v.f_blocks * v.f_frsize;
  avail = (unsigned long long)v.f_bavail * v.f_frsize;
  freeroot = (unsigned long long)v.f_bfree * v.f_frsize;
  used = total - freeroot;
  files = v.f_files;
  ffree = v.f_ffree;
  favail = v.f_favail;
  ex_facts_int(&e->facts, "size_bytes", (long long)total);
  ex_facts_int(&e->facts, "used_bytes", (long long)used);
  ex_facts_int(&e->facts, "free_bytes", (long long)avail);
  ex_facts_int(&e->facts, "free_bytes_root", (long long)freeroot);
  ex_facts_int(&e->facts, "inodes_total", (long long)files);
  ex_facts_int(&e->facts, "inodes_free", (long long)favail);
  ex_facts_int(&e->facts, "use_percent",
               total ? (long long)((used * 100 + total - 1) / total) : 0);
  /* Under 1% or 1 MiB left counts as full: the write that failed wanted
   * more than that, and what it wrote before failing may be gone. */
  blocks_out = total > 0 && (avail < 1024ULL * 1024 || avail * 100 < total);
  inodes_out = files > 0 && (favail == 0 || favail * 1000 < files);

  ex__fs_human(total, h1, sizeof(h1));
  ex__fs_human(used, h2, sizeof(h2));
  ex__fs_human(avail, h3, sizeof(h3));
  c = ex_cause_add(e, "blocks-exhausted",
                   blocks_out ? EX_VERDICT_CONFIRMED : EX_VERDICT_RULED_OUT,
                   "%s (%s): %s used of %s, %s free%s",
                   have_mount ? m->mount_point : where,
                   have_mount ? m->fstype : "?", h2, h1, h3,
                   blocks_out ? "" : ": space is not what ran out");
  if (c != NULL) {
    ex_facts_int(&c->facts, "size_bytes", (long long)total);
    ex_facts_int(&c->facts, "used_bytes", (long long)used);
    ex_facts_int(&c->facts, "free_bytes", (long long)avail);
  }
  if (avail == 0 && freeroot > 0 && p->fsuid != 0) {
    ex__fs_human(freeroot, h3, sizeof(h3));
    c = ex_cause_add(e, "reserved-for-root", EX_VERDICT_CONFIRMED,
                     "the last %s are reserved for root; uid %lu may not "
                     "use them",
                     h3, (unsigned long)p->fsuid);
    if (c != NULL)
      ex_facts_int(&c->facts, "reserved_bytes", (long long)freeroot);
  }
  if (files == 0) {
    ex_cause_add(e, "inodes-exhausted", EX_VERDICT_UNKNOWN,
                 "%s does not report an inode count (it allocates them as "
                 "needed)",
                 have_mount ? m->fstype : where);
  } else {
    c = ex_cause_add(e, "inodes-exhausted",
                     inodes_out ? EX_VERDICT_CONFIRMED : EX_VERDICT_RULED_OUT,
                     "%llu of %llu inodes free%s", favail, files,
                     inodes_out ? ": no new file can be created, however "
                                  "much space is free"
                                : "");
    if (c != NULL) {
      ex_facts_int(&c->facts, "inodes_total", (long long)files);
      ex_facts_int(&c->facts, "inodes_free", (long long)favail);
      ex_facts_int(&c->facts, "inodes_used", (long long)(files - ffree));
    }
  }

  scan_deleted(st.st_dev, &d);
  if (d.files > 0) {
    ex__fs_human(d.bytes, h1, sizeof(h1));
    ex__fs_human(d.top_bytes, h2, sizeof(h2));
    c = ex_cause_add(e, "deleted-open-files", EX_VERDICT_CONFIRMED,
                     "%ld deleted files still open hold %s; the largest, "
                     "%s (%s), is held by %s (pid %d)",
                     d.files, h1, d.top_name, h2, d.top_comm,
                     (int)d.top_pid);
    if (c != NULL) {
      ex_facts_int(&c->facts, "deleted_bytes", (long long)d.bytes);
      ex_facts_int(&c->facts, "deleted_files", d.files);
      ex_facts_int(&c->facts, "holder_pid", d.top_pid);
      ex_facts_str(&c->facts, "holder_comm", d.top_comm);
      ex_facts_str(&c->facts, "holder_file", d.top_name);
    }
    snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%d", (int)d.top_pid,
             d.top_fd);
    argv[0] = "truncate";
    argv[1] = "-s";
    argv[2] = "0";
    argv[3] = fdpath;
    argv[4] = NULL;
    ex_fix_add_cmd(e, d.top_uid != p->fsuid, argv,
                   "free the %s of the deleted %s that %s (pid %d) keeps "
                   "open (or restart it)",
                   h2, d.top_name, d.top_comm, (int)d.top_pid);
  } else {
    ex_cause_add(e, "deleted-open-files",
                 d.truncated ? EX_VERDICT_UNKNOWN : EX_VERDICT_RULED_OUT,
                 d.truncated ? "the scan for deleted open files stopped at "
                               "its bound"
                             : "no process holds deleted files open on "
                               "this file system");
  }

  if (have_mount && strcmp(m->fstype, "tmpfs") == 0) {
    option_value(m->super_options, "size", size_opt, sizeof(size_opt));
    option_value(m->super_options, "nr_inodes", inodes_opt,
                 sizeof(inodes_opt));
    ex__fs_human(total, h1, sizeof(h1));
    c = ex_cause_add(e, "tmpfs-size-limit",
                     blocks_out || inodes_out ? EX_VERDICT_CONFIRMED
                                              : EX_VERDICT_RULED_OUT,
                     "%s is a tmpfs limited to %s (size=%s) and %llu inodes "
                     "(nr_inodes=%s)",
                     m->mount_point, h1, size_opt[0] ? size_opt : "default",
                     files, inodes_opt[0] ? inodes_opt : "default");
    if (c != NULL) {
      ex_facts_str(&c->facts, "size_option", size_opt);
      ex_facts_str(&c->facts, "nr_inodes_option", inodes_opt);
      ex_facts_int(&c->facts, "size_bytes", (long long)total);
    }
    if (blocks_out || inodes_out) {
      if (inodes_out)
        snprintf(newsize, sizeof(newsize), "remount,nr_inodes=%llu",
                 files * 2);
      else
        snprintf(newsize, sizeof(newsize), "remount,size=%lluk",
                 total * 2 / 1024);
    }
  }
  if (quota) {
    ex_cause_add(e, "quota-exceeded", EX_VERDICT_UNKNOWN,
                 "the disk quota of uid %lu on %s is used up; quotas are "
                 "not read from here",
                 (unsigned long)p->fsuid,
                 have_mount ? m->mount_point : where);
    argv[0] = "quota";
    argv[1] = "-s";
    argv[2] = NULL;
    ex_fix_add_cmd(e, 0, argv, "show your quota and usage");
  }

  if (blocks_out && !inodes_out) {
    ex__fs_human(avail, h3, sizeof(h3));
    ex_explanation_summary(e, "%s is full: %s free of %s (%s, %s)",
                           have_mount ? m->mount_point : where, h3, h1,
                           have_mount ? m->fstype : "?",
                           have_mount ? m->source : "?");
    if (have_mount) {
      argv[0] = "du";
      argv[1] = "-xh";
      argv[2] = "--max-depth=2";
      argv[3] = m->mount_point;
      argv[4] = NULL;
      ex_fix_add_cmd(e, 0, argv, "find what takes the space on %s, then "
                     "delete what is not needed", m->mount_point);
    }
  } else if (inodes_out) {
    ex_explanation_summary(e, "%s has no free inodes (%llu of %llu used) "
                           "while %s of space is free",
                           have_mount ? m->mount_point : where,
                           files - ffree, files, h3);
    if (have_mount) {
      argv[0] = "du";
      argv[1] = "-x";
      argv[2] = "--inodes";
      argv[3] = "--max-depth=2";
      argv[4] = m->mount_point;
      argv[5] = NULL;
      ex_fix_add_cmd(e, 0, argv, "find the directories with most files on "
                     "%s, then delete what is not needed", m->mount_point);
    }
  } else if (!quota) {
    e->stale = 1;
    ex_explanation_summary(e, "%s has %s free and %llu inodes now: the "
                           "space was freed since, or one write wanted "
                           "more than was free",
                           have_mount ? m->mount_point : where, h3, favail);
  } else {
    ex_explanation_summary(e, "disk quota exceeded on %s",
                           have_mount ? m->mount_point : where);
  }
  ex__fs_fix_writable_dir(e, p, st.st_dev);
  /* Growing a tmpfs needs root and RAM: after the fixes that need
   * neither. */
  if (newsize[0] != '\0') {
    argv[0] = "mount";
    argv[1] = "-o";
    argv[2] = newsize;
    argv[3] = m->mount_point;
    argv[4] = NULL;
    ex_fix_add_cmd(e, 1, argv, "raise the %s of the tmpfs %s (it uses RAM)",
                   inodes_out ? "inode limit" : "size", m->mount_point);
  }
  rc = 0;

cleanup:
  free(abs);
  free(m);
  return rc;
}
