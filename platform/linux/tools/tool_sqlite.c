/* SQLite: "attempt to write a readonly database", "unable to open database
 * file" and "database is locked". The database file and its directory
 * (SQLite writes its -journal and -wal next to it), the files it left
 * there, the mount, and the processes that hold its locks. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/exec/exec_int.h"
#include "platform/linux/fs/fs.h"
#include "platform/linux/proc/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOCK_LINES_MAX 20000
#define HOLDERS_MAX 8

/* SQLite's lock bytes (os_unix.c): PENDING_BYTE at 1 GiB, then RESERVED,
 * then the 510 SHARED bytes. */
#define SQLITE_PENDING 0x40000000ULL
#define SQLITE_RESERVED (SQLITE_PENDING + 1)
#define SQLITE_SHARED_FIRST (SQLITE_PENDING + 2)

static int cond_is(const ex_probe_event_t *ev, const char *c) {
  return ev->condition != NULL && strcmp(ev->condition, c) == 0;
}

int ex__tool_sqlite_applies(const ex_probe_event_t *ev) {
  return cond_is(ev, "sqlite-readonly") || cond_is(ev, "sqlite-cannot-open") ||
         cond_is(ev, "sqlite-locked");
}

static void inode_cause_facts(ex_cause_t *c, const char *path,
                              const struct stat *st, const ex_access_t *a) {
  char perm[4];

  if (c == NULL)
    return;
  ex_facts_str(&c->facts, "path", path);
  ex__fs_inode_facts(&c->facts, "", st);
  ex_facts_str(&c->facts, "class", a->klass != NULL ? a->klass : "");
  ex_facts_str(&c->facts, "class_perm",
               ex__fs_perm_string(a->class_perm, perm));
}

/* The access of proc to path for want; 1 allowed, 0 denied, -1 no such
 * file. */
static int may(const ex_proc_t *p, const char *path, int want, struct stat *st,
               ex_access_t *a) {
  if (stat(path, st) != 0)
    return -1;
  ex__fs_access(p, path, st, want, a);
  return a->allowed;
}

static void mount_cause(ex_explanation_t *e, const char *path, int *found) {
  ex_mount_t *m;

  m = malloc(sizeof(*m));
  if (m == NULL)
    return;
  if (ex__mount_find(path, m) == 0) {
    ex_facts_str(&e->facts, "mount_point", m->mount_point);
    ex_facts_str(&e->facts, "fstype", m->fstype);
    ex__fs_read_only_cause(e, path, m, found);
  }
  free(m);
}

/* The descriptor of the snapshot open on the database, or NULL. */
static const ex_proc_fd_t *db_fd(const ex_proc_t *p, const struct stat *st) {
  size_t i;

  if (p == NULL || !p->valid || p->from_self)
    return NULL;
  for (i = 0; i < p->nfds_kept; i++) {
    if (p->fds[i].kind == EX_PROC_FD_FILE &&
        p->fds[i].dev == (unsigned long long)st->st_dev &&
        p->fds[i].ino == (unsigned long long)st->st_ino)
      return &p->fds[i];
  }
  return NULL;
}

static void run_readonly(const ex_proc_t *p, const char *db,
                         ex_explanation_t *e) {
  static const char *const sidecars[] = {"-journal", "-wal", "-shm", NULL};
  char dir[EX_PROC_PATH_MAX];
  char side[EX_PROC_PATH_MAX];
  char user[256];
  char owner[256];
  struct stat st;
  struct stat dst;
  struct stat sst;
  ex_access_t a;
  ex_cause_t *c;
  const ex_proc_fd_t *f;
  int found;
  int flags;
  int rc;
  size_t k;

  found = 0;
  ex__fs_user(p->fsuid, user, sizeof(user));
  rc = may(p, db, EX_FS_W, &st, &a);
  if (rc < 0) {
    ex_cause_add(e, "file-not-writable", EX_VERDICT_UNKNOWN,
                 "%s does not exist now", db);
    e->stale = 1;
    ex_explanation_summary(e, "the database %s is gone now", db);
    return;
  }
  ex__fs_inode_facts(&e->facts, "", &st);
  ex__fs_user(st.st_uid, owner, sizeof(owner));
  c = ex_cause_add(e, "file-not-writable",
                   rc ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
                   rc ? "%s may write the database %s (owner %s, mode %04o)"
                      : "%s may not write the database %s: owned by %s, mode "
                        "%04o, and %s falls in class %s",
                   user, db, owner, (unsigned)(st.st_mode & 07777),
                   rc ? "" : user, rc ? "" : a.klass);
  inode_cause_facts(c, db, &st, &a);
  if (!rc) {
    found = 1;
    ex_explanation_summary(e, "%s may not write %s (owner %s, mode %04o)", user,
                           db, owner, (unsigned)(st.st_mode & 07777));
    ex__fs_grant_fixes(e, p, db, &st, EX_FS_W);
  }
  ex_strlcpy(dir, db, sizeof(dir));
  ex__tool_dirname(dir);
  rc = may(p, dir, EX_FS_W | EX_FS_X, &dst, &a);
  if (rc >= 0) {
    ex__fs_user(dst.st_uid, owner, sizeof(owner));
    c = ex_cause_add(
        e, "dir-not-writable", rc ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
        rc ? "%s may create files in %s, where SQLite puts its -journal and "
             "-wal files"
           : "%s may not create files in %s (owner %s, mode %04o): SQLite "
             "cannot create the -journal or -wal file it needs next to the "
             "database to write",
        user, dir, owner, (unsigned)(dst.st_mode & 07777));
    inode_cause_facts(c, dir, &dst, &a);
    if (!rc && !found) {
      found = 1;
      ex_explanation_summary(e,
                             "%s may not create %s-journal: %s is not "
                             "writable for it (owner %s, mode %04o)",
                             user, db, dir, owner,
                             (unsigned)(dst.st_mode & 07777));
      ex__fs_grant_fixes(e, p, dir, &dst, EX_FS_W | EX_FS_X);
    }
  }
  for (k = 0; sidecars[k] != NULL; k++) {
    snprintf(side, sizeof(side), "%s%s", db, sidecars[k]);
    rc = may(p, side, EX_FS_R | EX_FS_W, &sst, &a);
    if (rc != 0)
      continue;
    ex__fs_user(sst.st_uid, owner, sizeof(owner));
    c = ex_cause_add(e, "sidecar-not-writable", EX_VERDICT_CONFIRMED,
                     "%s exists and belongs to %s (mode %04o): %s may not "
                     "write it, so SQLite opens the database read-only (left "
                     "by a run as another user, often root)",
                     side, owner, (unsigned)(sst.st_mode & 07777), user);
    inode_cause_facts(c, side, &sst, &a);
    if (!found) {
      found = 1;
      ex_explanation_summary(e, "%s belongs to %s: %s may not write it", side,
                             owner, user);
      ex__fs_grant_fixes(e, p, side, &sst, EX_FS_R | EX_FS_W);
    }
  }
  mount_cause(e, db, &found);
  if (ex__fs_inode_flags(db, &st, &flags) == 0) {
    c = ex_cause_add(e, "immutable",
                     (flags & FS_IMMUTABLE_FL) ? EX_VERDICT_CONFIRMED
                                               : EX_VERDICT_RULED_OUT,
                     (flags & FS_IMMUTABLE_FL) ? "%s is immutable (chattr +i)"
                                               : "%s is not immutable",
                     db);
    if (flags & FS_IMMUTABLE_FL)
      found = 1;
  }
  f = db_fd(p, &st);
  if (!found && f != NULL && (f->flags & O_ACCMODE) == O_RDONLY) {
    c = ex_cause_add(e, "opened-read-only", EX_VERDICT_CONFIRMED,
                     "the program opened %s read-only (fd %d, O_RDONLY) "
                     "although %s may write it: a read-only connection "
                     "(mode=ro in its URI, SQLITE_OPEN_READONLY)",
                     db, f->fd, user);
    if (c != NULL)
      ex_facts_int(&c->facts, "fd", f->fd);
    ex_explanation_summary(e, "the program opened %s read-only", db);
    found = 1;
  }
  if (!found) {
    e->stale = 1;
    ex_explanation_summary(e,
                           "%s and its directory are writable for %s "
                           "now",
                           db, user);
  }
}

static void run_cannot_open(const ex_proc_t *p, const char *db,
                            ex_explanation_t *e) {
  char dir[EX_PROC_PATH_MAX];
  char blocker[EX_PROC_PATH_MAX];
  char user[256];
  char owner[256];
  struct stat st;
  struct stat bst;
  ex_access_t a;
  ex_cause_t *c;
  const char *argv[5];
  int missing;
  int rc;

  ex__fs_user(p->fsuid, user, sizeof(user));
  ex_strlcpy(dir, db, sizeof(dir));
  ex__tool_dirname(dir);
  rc = ex__fs_walk_search(p, db, blocker, sizeof(blocker), &bst, &a, &missing);
  if (rc == 1) {
    ex__fs_user(bst.st_uid, owner, sizeof(owner));
    c = ex_cause_add(e, "search-denied", EX_VERDICT_CONFIRMED,
                     "%s may not enter %s (owner %s, mode %04o), on the way "
                     "to %s",
                     user, blocker, owner, (unsigned)(bst.st_mode & 07777), db);
    inode_cause_facts(c, blocker, &bst, &a);
    ex_explanation_summary(e, "%s may not enter %s", user, blocker);
    ex__fs_grant_fixes(e, p, blocker, &bst, EX_FS_X);
    return;
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    ex_cause_add(e, "dir-missing", EX_VERDICT_CONFIRMED,
                 "the directory %s does not exist: SQLite creates the "
                 "database file, not its directory",
                 dir);
    ex_explanation_summary(e, "the directory of %s does not exist", db);
    argv[0] = "mkdir";
    argv[1] = "-p";
    argv[2] = "--";
    argv[3] = dir;
    argv[4] = NULL;
    ex_fix_add_cmd(e, 0, argv, "create it");
    return;
  }
  ex_cause_add(e, "dir-missing", EX_VERDICT_RULED_OUT, "%s exists", dir);
  if (stat(db, &st) == 0 && S_ISDIR(st.st_mode)) {
    ex_cause_add(e, "is-a-directory", EX_VERDICT_CONFIRMED,
                 "%s is a directory, not a database file", db);
    ex_explanation_summary(e, "%s is a directory", db);
    return;
  }
  if (stat(db, &st) != 0) {
    rc = may(p, dir, EX_FS_W | EX_FS_X, &st, &a);
    if (rc == 0) {
      ex__fs_user(st.st_uid, owner, sizeof(owner));
      c = ex_cause_add(e, "dir-not-writable", EX_VERDICT_CONFIRMED,
                       "%s does not exist, and %s may not create it in %s "
                       "(owner %s, mode %04o)",
                       db, user, dir, owner, (unsigned)(st.st_mode & 07777));
      inode_cause_facts(c, dir, &st, &a);
      ex_explanation_summary(e, "%s may not create %s", user, db);
      ex__fs_grant_fixes(e, p, dir, &st, EX_FS_W | EX_FS_X);
      return;
    }
  } else if (may(p, db, EX_FS_R, &st, &a) == 0) {
    ex__fs_user(st.st_uid, owner, sizeof(owner));
    c = ex_cause_add(e, "file-not-readable", EX_VERDICT_CONFIRMED,
                     "%s may not read %s (owner %s, mode %04o)", user, db,
                     owner, (unsigned)(st.st_mode & 07777));
    inode_cause_facts(c, db, &st, &a);
    ex_explanation_summary(e, "%s may not read %s", user, db);
    ex__fs_grant_fixes(e, p, db, &st, EX_FS_R);
    return;
  }
  e->stale = 1;
  ex_explanation_summary(e, "%s could be opened now", db);
}

typedef struct holder {
  pid_t pid;
  int writer; /* RESERVED, PENDING or EXCLUSIVE */
  int file;   /* 0 the database, 1 its -shm (WAL mode) */
} holder_t;

/* "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 1073741825 1073741825" */
static int lock_range(const char *line, unsigned long long *start,
                      unsigned long long *end) {
  char e[32];

  if (sscanf(line, "%*u: %*s %*s %*s %*d %*x:%*x:%*u %llu %31s", start, e) != 2)
    return -EINVAL;
  *end = strcmp(e, "EOF") == 0 ? ~0ULL : strtoull(e, NULL, 10);
  return 0;
}

static size_t lock_holders(const ex_proc_t *p, const struct stat *db,
                           const struct stat *shm, holder_t *out) {
  char line[256];
  ex_lock_line_t l;
  unsigned long long s;
  unsigned long long t;
  size_t lines;
  size_t n;
  size_t i;
  int file;
  FILE *fp;

  n = 0;
  fp = fopen("/proc/locks", "re");
  if (fp == NULL)
    return 0;
  lines = 0;
  while (lines++ < LOCK_LINES_MAX && n < HOLDERS_MAX &&
         fgets(line, sizeof(line), fp) != NULL) {
    if (ex__lock_line_parse(line, &l) != 0 || l.pid <= 0)
      continue;
    if (p != NULL && p->valid && !p->from_self && l.pid == p->pid)
      continue;
    if (l.maj == major(db->st_dev) && l.min == minor(db->st_dev) &&
        l.ino == (unsigned long)db->st_ino)
      file = 0;
    else if (shm != NULL && l.maj == major(shm->st_dev) &&
             l.min == minor(shm->st_dev) && l.ino == (unsigned long)shm->st_ino)
      file = 1;
    else
      continue;
    if (lock_range(line, &s, &t) != 0)
      continue;
    for (i = 0; i < n && out[i].pid != l.pid; i++)
      ;
    if (i == n) {
      out[n].pid = l.pid;
      out[n].writer = 0;
      out[n].file = file;
      n++;
    }
    /* A write lock on RESERVED or PENDING, or on the SHARED range, is a
     * writer; a WAL's writer locks a byte of the -shm file. */
    if (strcmp(l.mode, "WRITE") == 0 &&
        (file == 1 || (s <= SQLITE_RESERVED && t >= SQLITE_PENDING) ||
         (s >= SQLITE_SHARED_FIRST && s < SQLITE_SHARED_FIRST + 510)))
      out[i].writer = 1;
  }
  fclose(fp);
  return n;
}

static void run_locked(const ex_proc_t *p, const char *db,
                       ex_explanation_t *e) {
  char shmpath[EX_PROC_PATH_MAX];
  char user[128];
  char pidbuf[32];
  struct stat st;
  struct stat shm;
  holder_t h[HOLDERS_MAX];
  ex_pinfo_t pi;
  ex_cause_t *c;
  size_t n;
  size_t i;
  pid_t mine;

  if (stat(db, &st) != 0) {
    ex_cause_add(e, "held-by", EX_VERDICT_UNKNOWN, "%s does not exist now", db);
    e->stale = 1;
    return;
  }
  snprintf(shmpath, sizeof(shmpath), "%s-shm", db);
  n = lock_holders(p, &st, stat(shmpath, &shm) == 0 ? &shm : NULL, h);
  mine = 0;
  for (i = 0; i < n; i++) {
    if (ex__pinfo(h[i].pid, &pi) != 0)
      continue;
    ex__user_name(pi.uid, user, sizeof(user));
    if (user[0] == '\0')
      snprintf(user, sizeof(user), "uid %lu", (unsigned long)pi.uid);
    c = ex_cause_add(e, "held-by", EX_VERDICT_CONFIRMED,
                     "pid %d (%s), run by %s, holds a %s lock on %s%s: %s",
                     (int)pi.pid, pi.comm, user, h[i].writer ? "write" : "read",
                     db, h[i].file ? "-shm (WAL)" : "", pi.cmdline);
    if (c != NULL) {
      ex_facts_int(&c->facts, "pid", (long long)pi.pid);
      ex_facts_str(&c->facts, "comm", pi.comm);
      ex_facts_str(&c->facts, "cmdline", pi.cmdline);
      ex_facts_int(&c->facts, "uid", (long long)pi.uid);
      ex_facts_str(&c->facts, "user", user);
      ex_facts_bool(&c->facts, "writer", h[i].writer);
    }
    if (mine == 0 && (h[i].writer || n == 1))
      mine = pi.pid;
  }
  if (n == 0) {
    e->stale = 1;
    ex_cause_add(e, "held-by", EX_VERDICT_RULED_OUT,
                 "no process holds a lock on %s now: the other transaction "
                 "ended",
                 db);
    ex_explanation_summary(e, "nobody holds %s locked now; retry", db);
    return;
  }
  ex_explanation_summary(e, "%s is locked by pid %d", db,
                         mine != 0 ? (int)mine : (int)h[0].pid);
  if (mine != 0) {
    const char *argv[] = {"kill", pidbuf, NULL};

    snprintf(pidbuf, sizeof(pidbuf), "%d", (int)mine);
    ex_fix_add_raw(e, 0, NULL,
                   "let pid %d finish its transaction (commit "
                   "or close), or give this program a longer busy timeout "
                   "(Python: sqlite3.connect(..., timeout=30))",
                   (int)mine);
    ex_fix_add_cmd(e, 0, argv,
                   "or stop it, if it hangs holding the lock "
                   "(its open transaction is rolled back)");
  }
}

int ex__tool_sqlite_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out) {
  ex_proc_t *own;
  const ex_proc_t *p;
  char *db;

  own = NULL;
  p = proc;
  if (p == NULL || !p->valid) {
    own = malloc(sizeof(*own));
    if (own == NULL)
      return -ENOMEM;
    ex_proc_capture_self(own);
    p = own;
  }
  ex__fs_proc_facts(&out->facts, p, host);
  if (ev->subject_value == NULL || ev->subject_value[0] == '\0' ||
      strcmp(ev->subject_kind != NULL ? ev->subject_kind : "", "path") != 0) {
    ex_cause_add(out, "database-unknown", EX_VERDICT_UNKNOWN,
                 "%s, so it could not be checked",
                 ex_probe_unnamed(ev, "the message does not name the "
                                      "database"));
    ex_explanation_summary(out, "SQLite: the database is not named");
    free(own);
    return 0;
  }
  db = ex__path_absolute(p, ev->subject_value);
  if (db == NULL) {
    free(own);
    return -ENOMEM;
  }
  ex_facts_str(&out->facts, "database", db);
  if (cond_is(ev, "sqlite-readonly"))
    run_readonly(p, db, out);
  else if (cond_is(ev, "sqlite-cannot-open"))
    run_cannot_open(p, db, out);
  else
    run_locked(p, db, out);
  free(db);
  free(own);
  return 0;
}
