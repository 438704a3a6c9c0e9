/* EACCES / EPERM on a path: which permission, on which inode, denied the
 * command, and why (mode class, ACL, group not yet effective, inode flags,
 * sticky directories, capabilities, user namespaces, MAC). */
#include "platform/linux/fs/fs.h"
#include "platform/linux/fs/fs_explainers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* What one check needs: a label for ids and text, the inode, the bits. */
typedef struct check {
  const char *id;      /* "read-denied", "write-denied", ... */
  const char *what;    /* "read", "write", "create in", "search" */
  const char *path;
  struct stat st;
  int want;
} check_t;

static int read_int_file(const char *path, int *v) {
  char buf[32];
  ssize_t n;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -errno;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return -EIO;
  buf[n] = '\0';
  *v = atoi(buf);
  return 0;
}

static void add_access_facts(ex_facts_t *f, const char *path,
                             const struct stat *st, int want,
                             const ex_access_t *a) {
  char perm[4];

  ex_facts_str(f, "path", path);
  ex__fs_inode_facts(f, "", st);
  ex_facts_str(f, "class", a->klass != NULL ? a->klass : "");
  ex_facts_str(f, "class_perm", ex__fs_perm_string(a->class_perm, perm));
  ex_facts_printf(f, "needed", "%s%s%s", (want & EX_FS_R) ? "r" : "",
                  (want & EX_FS_W) ? "w" : "", (want & EX_FS_X) ? "x" : "");
  if (a->acl_entry[0] != '\0')
    ex_facts_str(f, "acl_entry", a->acl_entry);
  if (a->cap_would != NULL)
    ex_facts_str(f, "capability_override", a->cap_would);
  if (a->by_cap != NULL)
    ex_facts_str(f, "allowed_by", a->by_cap);
}

/* The groups that would grant want on st, for group-related causes: the
 * file's group when its class bits (or ACL entry) have want. */
static int group_grants(const struct stat *st, int want) {
  return ((int)((st->st_mode >> 3) & 7) & want) == want;
}

static int has_cause(const ex_explanation_t *e, const char *id) {
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    if (strcmp(e->causes[i].id, id) == 0)
      return 1;
  }
  return 0;
}

/* Group causes: the file's group would allow the access; is the user in
 * it in /etc/group but not in the running process (needs a new login)? */
static void group_causes(ex_explanation_t *e, const ex_proc_t *p,
                         const check_t *c, const ex_access_t *a,
                         int *stale_group) {
  char user[256];
  char grp[256];
  gid_t gids[EX_PROC_GROUPS_MAX];
  int n;
  int i;
  int listed;
  ex_cause_t *cause;
  const char *argv[6];

  if (strcmp(a->klass, "other") != 0 || !group_grants(&c->st, c->want))
    return;
  /* One group cause per explanation: read and write checks of the same
   * file would repeat it. */
  if (has_cause(e, "group-membership-not-active") ||
      has_cause(e, "not-in-group"))
    return;
  ex__user_name(p->fsuid, user, sizeof(user));
  ex__fs_group(c->st.st_gid, grp, sizeof(grp));
  if (user[0] == '\0')
    return;
  n = ex__groups_of_user(user, gids, EX_PROC_GROUPS_MAX);
  listed = 0;
  for (i = 0; i < n; i++) {
    if (gids[i] == c->st.st_gid)
      listed = 1;
  }
  if (listed) {
    cause = ex_cause_add(
        e, "group-membership-not-active", EX_VERDICT_CONFIRMED,
        "%s is in group %s (gid %lu) in /etc/group, but the command ran "
        "without it: the membership takes effect at the next login",
        user, grp, (unsigned long)c->st.st_gid);
    if (cause != NULL) {
      ex_facts_str(&cause->facts, "group", grp);
      ex_facts_int(&cause->facts, "group_gid", (long long)c->st.st_gid);
      ex_facts_bool(&cause->facts, "in_etc_group", 1);
      ex_facts_bool(&cause->facts, "in_process_groups", 0);
    }
    argv[0] = "newgrp";
    argv[1] = grp;
    argv[2] = NULL;
    ex_fix_add_cmd(e, 0, argv,
                   "start a shell with group %s now (or log out and back "
                   "in), then run the command again",
                   grp);
    *stale_group = 1;
    return;
  }
  cause = ex_cause_add(e, "not-in-group", EX_VERDICT_CONFIRMED,
                       "group %s (gid %lu) has %s on %s, but %s is not a "
                       "member",
                       grp, (unsigned long)c->st.st_gid, c->what, c->path,
                       user);
  if (cause != NULL) {
    ex_facts_str(&cause->facts, "group", grp);
    ex_facts_int(&cause->facts, "group_gid", (long long)c->st.st_gid);
    ex_facts_bool(&cause->facts, "in_etc_group", 0);
  }
  argv[0] = "usermod";
  argv[1] = "-aG";
  argv[2] = grp;
  argv[3] = user;
  argv[4] = NULL;
  ex_fix_add_cmd(e, 1, argv,
                 "add %s to group %s (takes effect at the next login)", user,
                 grp);
}

/* Inode flags: immutable forbids every change, append-only all but
 * appending; both apply to root too. */
static void flag_causes(ex_explanation_t *e, const char *path,
                        const struct stat *st, int modifying, int *found) {
  int flags;
  int rc;
  ex_cause_t *c;
  const char *argv[4];

  rc = ex__fs_inode_flags(path, st, &flags);
  if (rc == -ENOTSUP || rc == -ENOTTY || rc == -EINVAL)
    return;
  if (rc != 0) {
    ex_cause_add(e, "immutable", EX_VERDICT_UNKNOWN,
                 "could not read the inode flags of %s (%s)", path,
                 strerror(-rc));
    return;
  }
  if (flags & FS_IMMUTABLE_FL) {
    c = ex_cause_add(e, "immutable", EX_VERDICT_CONFIRMED,
                     "%s is immutable (chattr +i): nobody, not even root, "
                     "may change, delete or rename it",
                     path);
    if (c != NULL) {
      ex_facts_str(&c->facts, "path", path);
      ex_facts_bool(&c->facts, "immutable", 1);
    }
    argv[0] = "chattr";
    argv[1] = "-i";
    argv[2] = path;
    argv[3] = NULL;
    ex_fix_add_cmd(e, 1, argv,
                   "clear the immutable flag (needs CAP_LINUX_IMMUTABLE)");
    *found = 1;
  } else if (modifying) {
    c = ex_cause_add(e, "immutable", EX_VERDICT_RULED_OUT,
                     "%s is not immutable", path);
    if (c != NULL)
      ex_facts_bool(&c->facts, "immutable", 0);
  }
  if (flags & FS_APPEND_FL) {
    c = ex_cause_add(e, "append-only", EX_VERDICT_CONFIRMED,
                     "%s is append-only (chattr +a): it can only be opened "
                     "for appending, and not deleted or renamed",
                     path);
    if (c != NULL) {
      ex_facts_str(&c->facts, "path", path);
      ex_facts_bool(&c->facts, "append_only", 1);
    }
    argv[0] = "chattr";
    argv[1] = "-a";
    argv[2] = path;
    argv[3] = NULL;
    ex_fix_add_cmd(e, 1, argv, "clear the append-only flag");
    *found = 1;
  }
}

/* Mandatory access control: can only be detected, not evaluated. */
static void mac_causes(ex_explanation_t *e, const ex_proc_t *p,
                       const char *path) {
  int enforce;
  char label[256];
  ssize_t n;
  ex_cause_t *c;
  int aa;

  if (read_int_file("/sys/fs/selinux/enforce", &enforce) == 0) {
    n = getxattr(path, "security.selinux", label, sizeof(label) - 1);
    label[n > 0 ? n : 0] = '\0';
    c = ex_cause_add(e, "selinux", enforce ? EX_VERDICT_UNKNOWN
                                           : EX_VERDICT_RULED_OUT,
                     enforce ? "SELinux is enforcing; its policy may deny "
                               "access to %s (label %s): see the audit log"
                             : "SELinux is permissive here (%s, %s)",
                     path, label[0] ? label : "unknown");
    if (c != NULL) {
      ex_facts_bool(&c->facts, "enforcing", enforce);
      ex_facts_str(&c->facts, "file_label", label);
      ex_facts_str(&c->facts, "process_label", p->apparmor);
    }
    return;
  }
  aa = 0;
  if (read_int_file("/sys/module/apparmor/parameters/enabled", &aa) != 0) {
    char yn[4];
    int fd = open("/sys/module/apparmor/parameters/enabled",
                  O_RDONLY | O_CLOEXEC);
    if (fd != -1) {
      aa = read(fd, yn, 1) == 1 && yn[0] == 'Y';
      close(fd);
    }
  }
  if (!aa && p->apparmor[0] == '\0')
    return;
  if (p->apparmor[0] != '\0' && strncmp(p->apparmor, "unconfined", 10) != 0 &&
      strstr(p->apparmor, "(complain)") == NULL) {
    c = ex_cause_add(e, "apparmor", EX_VERDICT_UNKNOWN,
                     "the command ran under AppArmor profile %s, which may "
                     "deny %s: see the kernel log for apparmor=\"DENIED\"",
                     p->apparmor, path);
  } else {
    c = ex_cause_add(e, "apparmor", EX_VERDICT_RULED_OUT,
                     "the command was not confined by AppArmor (%s)",
                     p->apparmor[0] ? p->apparmor : "no profile");
  }
  if (c != NULL)
    ex_facts_str(&c->facts, "profile", p->apparmor);
}

void ex__fs_read_only_cause(ex_explanation_t *e, const char *path,
                            const ex_mount_t *m, int *found) {
  ex_cause_t *c;

  c = ex_cause_add(e, "read-only-mount",
                   m->ro ? EX_VERDICT_CONFIRMED : EX_VERDICT_RULED_OUT,
                   m->ro ? "%s is on %s, mounted read-only"
                         : "%s is on %s, mounted read-write",
                   path, m->mount_point);
  if (c != NULL) {
    ex_facts_str(&c->facts, "mount_point", m->mount_point);
    ex_facts_str(&c->facts, "options", m->options);
  }
  if (m->ro)
    *found = 1;
}

/* Mount-level causes that look like permission errors: FUSE without
 * allow_other, root squashed on NFS, a read-only mount. */
static void mount_causes(ex_explanation_t *e, const ex_proc_t *p,
                         const char *path, int modifying, int *found) {
  ex_mount_t *m;
  ex_cause_t *c;
  const char *uidopt;

  m = malloc(sizeof(*m));
  if (m == NULL)
    return;
  if (ex__mount_find(path, m) != 0)
    goto cleanup;
  ex_facts_str(&e->facts, "mount_point", m->mount_point);
  ex_facts_str(&e->facts, "fstype", m->fstype);
  if (strncmp(m->fstype, "fuse", 4) == 0 &&
      strstr(m->super_options, "allow_other") == NULL) {
    uidopt = strstr(m->super_options, "user_id=");
    if (uidopt != NULL && (uid_t)strtoul(uidopt + 8, NULL, 10) != p->fsuid) {
      c = ex_cause_add(e, "fuse-without-allow-other", EX_VERDICT_CONFIRMED,
                       "%s is a FUSE mount (%s) of uid %lu without "
                       "allow_other: no other user, not even root, may "
                       "enter it",
                       m->mount_point, m->fstype,
                       strtoul(uidopt + 8, NULL, 10));
      if (c != NULL) {
        ex_facts_str(&c->facts, "mount_point", m->mount_point);
        ex_facts_str(&c->facts, "options", m->super_options);
      }
      *found = 1;
    }
  }
  if (strncmp(m->fstype, "nfs", 3) == 0 && p->fsuid == 0) {
    ex_cause_add(e, "nfs-root-squash", EX_VERDICT_UNKNOWN,
                 "%s is NFS from %s: the server may map root to nobody "
                 "(root_squash), which cannot be checked from here",
                 m->mount_point, m->source);
  }
  if (modifying)
    ex__fs_read_only_cause(e, path, m, found);

cleanup:
  free(m);
}

/* The sticky bit of a directory limits deleting and renaming to the
 * owners of the entry and of the directory. */
static int sticky_cause(ex_explanation_t *e, const ex_proc_t *p,
                        const char *dir, const struct stat *dst,
                        const char *path, const struct stat *st) {
  ex_cause_t *c;
  char owner[256];

  if (!(dst->st_mode & S_ISVTX))
    return 0;
  if (st->st_uid == p->fsuid || dst->st_uid == p->fsuid ||
      ex_proc_has_cap(p, EX_CAP_FOWNER))
    return 0;
  ex__fs_user(st->st_uid, owner, sizeof(owner));
  c = ex_cause_add(e, "sticky-directory", EX_VERDICT_CONFIRMED,
                   "%s has the sticky bit: only the owner of %s (%s) or of "
                   "the directory may delete or rename it",
                   dir, path, owner);
  if (c != NULL) {
    ex_facts_str(&c->facts, "directory", dir);
    ex_facts_printf(&c->facts, "dir_mode", "%04o",
                    (unsigned)(dst->st_mode & 07777));
    ex_facts_int(&c->facts, "owner_uid", (long long)st->st_uid);
    ex_facts_str(&c->facts, "owner", owner);
  }
  return 1;
}

/* fs.protected_regular: O_CREAT on an existing file of someone else in a
 * sticky world- (or group-) writable directory fails, even for root. */
static int protected_regular_cause(ex_explanation_t *e, const ex_proc_t *p,
                                   const char *dir, const struct stat *dst,
                                   const char *path, const struct stat *st) {
  int level;
  ex_cause_t *c;

  if (!S_ISREG(st->st_mode) || !(dst->st_mode & S_ISVTX))
    return 0;
  if (read_int_file("/proc/sys/fs/protected_regular", &level) != 0 ||
      level == 0)
    return 0;
  if (st->st_uid == p->fsuid || st->st_uid == dst->st_uid)
    return 0;
  if (!((dst->st_mode & S_IWOTH) || (level >= 2 && (dst->st_mode & S_IWGRP))))
    return 0;
  c = ex_cause_add(e, "protected-regular", EX_VERDICT_CONFIRMED,
                   "%s belongs to uid %lu in the sticky, shared directory "
                   "%s: with fs.protected_regular=%d, opening it with "
                   "O_CREAT is denied, even to root",
                   path, (unsigned long)st->st_uid, dir, level);
  if (c != NULL) {
    ex_facts_int(&c->facts, "protected_regular", level);
    ex_facts_str(&c->facts, "directory", dir);
  }
  return 1;
}

/* Adds the cause for one permission check. Returns 1 when it denies. */
static int run_check(ex_explanation_t *e, const ex_proc_t *p,
                     const check_t *c, int *stale_group) {
  ex_access_t a;
  ex_cause_t *cause;
  char perm[4];
  char owner[256];
  char user[256];

  ex__fs_access(p, c->path, &c->st, c->want, &a);
  ex__fs_perm_string(a.class_perm, perm);
  ex__fs_user(c->st.st_uid, owner, sizeof(owner));
  ex__fs_user(p->fsuid, user, sizeof(user));
  if (a.allowed) {
    cause = ex_cause_add(e, c->id, EX_VERDICT_RULED_OUT,
                         "%s may %s %s (class %s: %s%s%s)", user, c->what,
                         c->path, a.klass, perm, a.by_cap ? ", with " : "",
                         a.by_cap ? a.by_cap : "");
    if (cause != NULL)
      add_access_facts(&cause->facts, c->path, &c->st, c->want, &a);
    return 0;
  }
  cause = ex_cause_add(
      e, c->id, EX_VERDICT_CONFIRMED,
      "%s (uid %lu) may not %s %s: owned by %s (uid %lu), group %lu, mode "
      "%04o; %s falls in class %s%s%s, which has %s and lacks %s",
      user, (unsigned long)p->fsuid, c->what, c->path, owner,
      (unsigned long)c->st.st_uid, (unsigned long)c->st.st_gid,
      (unsigned)(c->st.st_mode & 07777), user, a.klass,
      a.acl_entry[0] ? " by ACL entry " : "", a.acl_entry, perm,
      c->want == EX_FS_R ? "r" : c->want == EX_FS_X ? "x" : c->want == EX_FS_W ? "w" : "wx");
  if (cause != NULL)
    add_access_facts(&cause->facts, c->path, &c->st, c->want, &a);
  if (a.acl) {
    ex_acl_t acl;
    char s[512];

    if (ex__fs_acl_read(c->path, &acl) > 0) {
      ex__fs_acl_string(&acl, s, sizeof(s));
      cause = ex_cause_add(e, "acl-denies", EX_VERDICT_CONFIRMED,
                           "the POSIX ACL of %s decides: %s applies (%s)",
                           c->path, a.acl_entry, s);
      if (cause != NULL) {
        ex_facts_str(&cause->facts, "acl", s);
        ex_facts_str(&cause->facts, "acl_entry", a.acl_entry);
      }
    }
  }
  if (a.cap_unmapped) {
    cause = ex_cause_add(e, "owner-unmapped", EX_VERDICT_CONFIRMED,
                         "the owner of %s (uid %lu) is not mapped in the "
                         "command's user namespace (%s), so its %s does "
                         "not apply",
                         c->path, (unsigned long)c->st.st_uid, p->uid_map,
                         a.cap_would);
    if (cause != NULL)
      ex_facts_str(&cause->facts, "uid_map", p->uid_map);
  } else if (p->fsuid == 0 && a.cap_would != NULL) {
    cause = ex_cause_add(e, "root-without-capability", EX_VERDICT_CONFIRMED,
                         "the command ran as root but without %s (a "
                         "container or a service that drops it), so the "
                         "mode applies to root too",
                         a.cap_would);
    if (cause != NULL) {
      ex_facts_str(&cause->facts, "capability", a.cap_would);
      ex_facts_printf(&cause->facts, "cap_eff", "%016llx",
                      (unsigned long long)p->cap_eff);
    }
  }
  group_causes(e, p, c, &a, stale_group);
  return 1;
}

/* Fixes for a denied check, least privilege first. */
static void access_fixes(ex_explanation_t *e, const ex_proc_t *p,
                         const check_t *c) {
  char user[256];
  char spec[300];
  char bits[4];
  char perm[8];
  const char *argv[6];

  ex__fs_user_word(p, user, sizeof(user));
  ex__fs_perm_string(c->want, bits);
  snprintf(perm, sizeof(perm), "%s%s%s", (c->want & 4) ? "r" : "",
           (c->want & 2) ? "w" : "", (c->want & 1) ? "x" : "");
  if (c->st.st_uid == p->fsuid) {
    snprintf(spec, sizeof(spec), "u+%s", perm);
    argv[0] = "chmod";
    argv[1] = spec;
    argv[2] = c->path;
    argv[3] = NULL;
    ex_fix_add_cmd(e, 0, argv, "you own %s: give yourself %s", c->path,
                   perm);
    return;
  }
  snprintf(spec, sizeof(spec), "u:%s:%s", user, perm);
  argv[0] = "setfacl";
  argv[1] = "-m";
  argv[2] = spec;
  argv[3] = c->path;
  argv[4] = NULL;
  ex_fix_add_cmd(e, 1, argv, "grant %s %s on %s only (as its owner or root)",
                 user, perm, c->path);
  /* The usual fix next to it: the group's bits when the user is in the
   * file's group, and search for everyone on a directory (reading or
   * writing for everyone is not offered: it is too wide). */
  if (ex_proc_in_group(p, c->st.st_gid) || strcmp(c->what, "search") == 0) {
    char grp[256];
    int group = ex_proc_in_group(p, c->st.st_gid);

    snprintf(spec, sizeof(spec), "%s+%s", group ? "g" : "o", perm);
    argv[0] = "chmod";
    argv[1] = spec;
    argv[2] = c->path;
    argv[3] = NULL;
    if (group)
      ex_fix_add_cmd(e, 1, argv, "or give group %s, which %s is in, %s on "
                     "%s", ex__fs_group(c->st.st_gid, grp, sizeof(grp)),
                     user, perm, c->path);
    else
      ex_fix_add_cmd(e, 1, argv, "or let every user pass through %s (they "
                     "still need rights on what is inside)", c->path);
  }
  if (strcmp(c->what, "search") != 0) {
    argv[0] = "chown";
    argv[1] = user;
    argv[2] = c->path;
    argv[3] = NULL;
    ex_fix_add_cmd(e, 1, argv, "give %s to %s", c->path, user);
  }
}

void ex__fs_grant_fixes(ex_explanation_t *e, const ex_proc_t *p,
                        const char *path, const struct stat *st, int want) {
  check_t c;

  memset(&c, 0, sizeof(c));
  c.what = S_ISDIR(st->st_mode) && (want & EX_FS_W) ? "create entries in"
           : want == EX_FS_X                        ? "search"
           : want == EX_FS_R                        ? "read"
                                                    : "write";
  c.path = path;
  c.st = *st;
  c.want = want;
  access_fixes(e, p, &c);
}

/* chmod/chown and friends: EPERM unless owner or capable. */
static int owner_check(ex_explanation_t *e, const ex_proc_t *p,
                       const char *path, const struct stat *st,
                       const char *op) {
  ex_cause_t *c;
  int chown_op;
  int cap;
  char owner[256];
  char user[256];

  chown_op = strcmp(op, "chown") == 0;
  cap = chown_op ? EX_CAP_CHOWN : EX_CAP_FOWNER;
  ex__fs_user(st->st_uid, owner, sizeof(owner));
  ex__fs_user(p->fsuid, user, sizeof(user));
  if (chown_op && !ex_proc_has_cap(p, cap)) {
    c = ex_cause_add(e, "chown-needs-capability", EX_VERDICT_CONFIRMED,
                     "only a process with CAP_CHOWN may give a file away; "
                     "%s (uid %lu) does not have it",
                     user, (unsigned long)p->fsuid);
    if (c != NULL) {
      ex__fs_inode_facts(&c->facts, "", st);
      ex_facts_str(&c->facts, "capability", "CAP_CHOWN");
    }
    return 1;
  }
  if (!chown_op && st->st_uid != p->fsuid && !ex_proc_has_cap(p, cap)) {
    c = ex_cause_add(e, "not-owner", EX_VERDICT_CONFIRMED,
                     "only the owner of %s (%s, uid %lu) or a process with "
                     "CAP_FOWNER may change its mode; you are %s (uid %lu)",
                     path, owner, (unsigned long)st->st_uid, user,
                     (unsigned long)p->fsuid);
    if (c != NULL) {
      ex__fs_inode_facts(&c->facts, "", st);
      ex_facts_str(&c->facts, "capability", "CAP_FOWNER");
    }
    return 1;
  }
  return 0;
}

/* The outermost file or directory on the way to path that root owns while
 * the directory holding it is the user's: what an earlier sudo (sudo pip,
 * sudo npm, a root container step) leaves in a home, a venv, a
 * __pycache__ or a project. Returns 1 with its path in top. */
static int root_inside_users(const ex_proc_t *p, const char *path, char *top,
                             size_t size) {
  char cur[EX_PROC_PATH_MAX];
  struct stat st;
  struct stat pst;
  size_t i;
  size_t n;
  int have_parent;

  if (p->fsuid == 0 || path[0] != '/')
    return 0;
  n = strlen(path);
  if (n >= sizeof(cur))
    return 0;
  have_parent = 0;
  for (i = 1; i <= n; i++) {
    if (i < n && path[i] != '/')
      continue;
    memcpy(cur, path, i);
    cur[i] = '\0';
    if (lstat(cur, &st) != 0)
      return 0;
    if (have_parent && pst.st_uid == p->fsuid && st.st_uid == 0) {
      ex_strlcpy(top, cur, size);
      return 1;
    }
    pst = st;
    have_parent = 1;
  }
  return 0;
}

static void sudo_leftover_cause(ex_explanation_t *e, const ex_proc_t *p,
                                const char *path) {
  char top[EX_PROC_PATH_MAX];
  char owner[EX_PROC_PATH_MAX + 8];
  char user[256];
  char grp[256];
  ex_cause_t *c;
  const char *argv[5];

  if (has_cause(e, "sudo-leftover") || !root_inside_users(p, path, top,
                                                          sizeof(top)))
    return;
  ex__fs_user_word(p, user, sizeof(user));
  c = ex_cause_add(e, "sudo-leftover", EX_VERDICT_CONFIRMED,
                   "%s belongs to root, inside a directory of %s's: left by "
                   "an earlier sudo (sudo pip, sudo npm, a root build or "
                   "container step)",
                   top, user);
  if (c != NULL) {
    ex_facts_str(&c->facts, "path", top);
    ex_facts_int(&c->facts, "owner_uid", 0);
  }
  snprintf(owner, sizeof(owner), "%s:%s", user,
           ex__fs_group(p->fsgid, grp, sizeof(grp)));
  argv[0] = "chown";
  argv[1] = "-R";
  argv[2] = owner;
  argv[3] = top;
  argv[4] = NULL;
  ex_fix_add_cmd(e, 1, argv, "give %s back to %s (everything below it came "
                 "from the same sudo)", top, user);
}

/* Python's own packages: written by the package manager as root, never by
 * a user's pip. */
static int system_site_packages(const char *path) {
  static const char *const prefixes[] = {"/usr/lib/python3", "/usr/lib64/python3",
                                         "/usr/local/lib/python3",
                                         "/usr/share/python3", NULL};
  size_t i;

  for (i = 0; prefixes[i] != NULL; i++) {
    if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
      return 1;
  }
  return 0;
}

static void site_packages_cause(ex_explanation_t *e, const ex_proc_t *p,
                                const ex_probe_event_t *ev,
                                const char *path) {
  char venv[EX_PROC_PATH_MAX];
  char cmd[EX_PROC_PATH_MAX * 2 + 128];
  char *qv;
  char *qp;
  const char *pkg;
  ex_cause_t *c;
  size_t i;

  if (p->fsuid == 0 || !system_site_packages(path))
    return;
  c = ex_cause_add(e, "system-site-packages", EX_VERDICT_CONFIRMED,
                   "%s is among the system's Python packages, which the "
                   "package manager writes as root: a user installs into a "
                   "virtual environment instead",
                   path);
  if (c != NULL)
    ex_facts_str(&c->facts, "path", path);
  if (p->cwd[0] != '/' ||
      (size_t)snprintf(venv, sizeof(venv), "%s/.venv", p->cwd) >=
          sizeof(venv))
    return;
  /* pip install NAME: the package goes into the new environment too. */
  pkg = NULL;
  for (i = 1; ev->command != NULL && ev->command[i] != NULL; i++) {
    if (strcmp(ev->command[i], "install") == 0 && ev->command[i + 1] != NULL &&
        ev->command[i + 1][0] != '-')
      pkg = ev->command[i + 1];
  }
  qv = ex_shell_quote(venv);
  qp = pkg != NULL ? ex_shell_quote(pkg) : NULL;
  if (qv != NULL && (pkg == NULL || qp != NULL)) {
    if (pkg != NULL)
      snprintf(cmd, sizeof(cmd), "python3 -m venv %s && %s/bin/pip install %s",
               qv, qv, qp);
    else
      snprintf(cmd, sizeof(cmd), "python3 -m venv %s", qv);
    ex_fix_add_raw(e, 0, cmd, "make a virtual environment of your own%s, "
                   "then run the program with %s/bin/python",
                   pkg != NULL ? " and install into it" : "", venv);
  }
  free(qv);
  free(qp);
}

/* Inside a container, a volume or bind mount keeps the host's owners: a
 * host user's uid means nothing to the container's user. */
static void volume_cause(ex_explanation_t *e, const ex_proc_t *p,
                         const ex_host_t *host, const char *path,
                         const struct stat *st) {
  ex_mount_t *m;
  ex_cause_t *c;
  char ids[64];
  int podman;

  if (host == NULL || host->container[0] == '\0' || st->st_uid == p->fsuid)
    return;
  m = malloc(sizeof(*m));
  if (m == NULL)
    return;
  if (ex__mount_find(path, m) != 0 || strcmp(m->fstype, "overlay") == 0 ||
      (!m->bind && strcmp(m->mount_point, "/") == 0)) {
    free(m);
    return;
  }
  podman = strcmp(host->container, "podman") == 0;
  c = ex_cause_add(e, "volume-owner", EX_VERDICT_CONFIRMED,
                   "%s is on %s, a %s mounted into this %s container (%s%s%s), "
                   "and belongs to uid %lu: the owner of the files on the "
                   "host, not the container's user (uid %lu)",
                   path, m->mount_point, m->bind ? "bind mount" : "volume",
                   host->container, m->source, m->bind ? " " : "",
                   m->bind ? m->root : "", (unsigned long)st->st_uid,
                   (unsigned long)p->fsuid);
  if (c != NULL) {
    ex_facts_str(&c->facts, "mount_point", m->mount_point);
    ex_facts_str(&c->facts, "mount_root", m->root);
    ex_facts_str(&c->facts, "source", m->source);
    ex_facts_int(&c->facts, "owner_uid", (long long)st->st_uid);
    ex_facts_int(&c->facts, "container_uid", (long long)p->fsuid);
  }
  snprintf(ids, sizeof(ids), "%lu:%lu", (unsigned long)st->st_uid,
           (unsigned long)st->st_gid);
  ex_fix_add_raw(e, 0, NULL, "run the container as the volume's owner: "
                 "%s run --user %s ...%s",
                 podman ? "podman" : "docker", ids,
                 podman ? " (rootless: --userns=keep-id maps your own uid)"
                        : "");
  free(m);
}

/* SELinux labels and AppArmor profiles decide after the mode; from inside
 * a container the host's policy cannot be seen. */
static void container_mac_cause(ex_explanation_t *e, const ex_proc_t *p,
                                const ex_host_t *host, const char *path) {
  ex_mount_t *m;
  int volume;

  if (host == NULL || host->container[0] == '\0' ||
      access("/sys/fs/selinux", F_OK) == 0 || has_cause(e, "selinux"))
    return;
  /* Only a volume carries the host's labels into the container. */
  m = malloc(sizeof(*m));
  if (m == NULL)
    return;
  volume = ex__mount_find(path, m) == 0 && strcmp(m->fstype, "overlay") != 0 &&
           (m->bind || strcmp(m->mount_point, "/") != 0) &&
           strncmp(m->mount_point, "/proc", 5) != 0 &&
           strncmp(m->mount_point, "/sys", 4) != 0 &&
           strncmp(m->mount_point, "/dev", 4) != 0;
  free(m);
  if (!volume)
    return;
  ex_cause_add(e, "selinux", EX_VERDICT_UNKNOWN,
               "inside a %s container the host's SELinux cannot be seen "
               "(process label: %s); on an SELinux host a volume needs a "
               "label the container may use: -v SRC:DST:z (shared) or :Z "
               "(private)",
               host->container, p->apparmor[0] ? p->apparmor : "unknown");
}

int ex__fs_wsl_drvfs_no_metadata(const ex_mount_t *m) {
  int drvfs;

  drvfs = strcmp(m->fstype, "drvfs") == 0 ||
          (strcmp(m->fstype, "9p") == 0 &&
           strstr(m->super_options, "aname=drvfs") != NULL);
  return drvfs && strstr(m->options, "metadata") == NULL &&
         strstr(m->super_options, "metadata") == NULL;
}

/* WSL's Windows drives: without the metadata option, Linux modes there
 * are made up from Windows permissions, which cannot be read here. */
static void wsl_cause(ex_explanation_t *e, const char *path) {
  ex_mount_t *m;

  if (access("/proc/sys/fs/binfmt_misc/WSLInterop", F_OK) != 0 &&
      access("/run/WSL", F_OK) != 0)
    return;
  m = malloc(sizeof(*m));
  if (m == NULL)
    return;
  if (ex__mount_find(path, m) == 0 && ex__fs_wsl_drvfs_no_metadata(m)) {
    ex_cause_add(e, "wsl-drvfs-no-metadata", EX_VERDICT_UNKNOWN,
                 "%s is a Windows drive (%s, drvfs) mounted without "
                 "metadata: its Linux owners and modes are made up, chmod "
                 "does not stick, and Windows permissions (not readable "
                 "from here) decide",
                 m->mount_point, m->source);
    ex_fix_add_raw(e, 1, NULL, "mount it with metadata: [automount] options "
                   "= \"metadata\" in /etc/wsl.conf, then wsl --shutdown; "
                   "or work in the Linux file system (~) instead of %s",
                   m->mount_point);
  }
  free(m);
}

/* A file function given a directory: no mode makes that work. */
static void directory_cause(ex_explanation_t *e, const char *path) {
  ex_cause_t *c;

  c = ex_cause_add(e, "is-a-directory", EX_VERDICT_CONFIRMED,
                   "%s is a directory, where the program expected a file: "
                   "with permission it would fail with IsADirectoryError "
                   "(EISDIR) instead; the path lacks its file name",
                   path);
  if (c != NULL)
    ex_facts_str(&c->facts, "path", path);
}

/* A file of a kernel file system whose mode gives nobody the access that
 * was refused: the kernel offers no such operation there. Returns 1 when
 * that explains the error. */
static int kernel_mode_cause(ex_explanation_t *e, const ex_proc_t *p,
                             const char *path, const struct stat *st,
                             const ex_kernel_fs_t *k, const char *op) {
  ex_access_t ra;
  ex_cause_t *c;
  char rwx[16];
  int want;

  if (strcmp(op, "read") == 0 || strcmp(op, "load") == 0) {
    want = EX_FS_R;
  } else if (strcmp(op, "write") == 0 || strcmp(op, "create") == 0) {
    want = EX_FS_W;
  } else {
    /* open() without its mode: what was refused is the access that
     * nobody has while the other one is allowed. */
    ex__fs_access(p, path, st, EX_FS_R, &ra);
    want = ra.allowed ? EX_FS_W : EX_FS_R;
  }
  if ((want == EX_FS_W && (st->st_mode & 0222) != 0) ||
      (want == EX_FS_R && (st->st_mode & 0444) != 0))
    return 0;
  ex__mode_string(st->st_mode, rwx);
  c = ex_cause_add(
      e, want == EX_FS_W ? "kernel-read-only" : "kernel-write-only",
      EX_VERDICT_CONFIRMED,
      "%s is a %s file with mode %04o (%s): the kernel lets it be %s only, "
      "so there is nothing to %s there%s",
      path, k->name, (unsigned)(st->st_mode & 07777), rwx,
      want == EX_FS_W ? "read" : "written", want == EX_FS_W ? "write" : "read",
      k->mode_final ? "; on this file system the mode is final, for root "
                      "with CAP_DAC_OVERRIDE too"
                    : "");
  if (c != NULL) {
    ex_facts_str(&c->facts, "path", path);
    ex_facts_str(&c->facts, "fstype", k->name);
    ex_facts_printf(&c->facts, "mode", "%04o",
                    (unsigned)(st->st_mode & 07777));
    ex_facts_str(&c->facts, "mode_rwx", rwx);
    ex_facts_bool(&c->facts, "mode_final", k->mode_final);
    ex_facts_printf(&c->facts, "needed", "%s", want == EX_FS_W ? "w" : "r");
  }
  ex_explanation_summary(e, "%s is a %s file the kernel offers for %s only "
                         "(mode %04o)",
                         path, k->name,
                         want == EX_FS_W ? "reading" : "writing",
                         (unsigned)(st->st_mode & 07777));
  ex__fs_kernel_fixes(e, path, k, 0);
  return 1;
}

int ex__fs_run_access(const ex_probe_event_t *ev, const ex_proc_t *p,
                      const ex_host_t *host, ex_explanation_t *e) {
  char *abs;
  char dir[EX_PROC_PATH_MAX];
  char blocker[EX_PROC_PATH_MAX];
  const char *op;
  struct stat st;
  struct stat dst;
  struct stat bst;
  ex_access_t a;
  check_t checks[3];
  size_t nchecks;
  size_t i;
  int exists;
  int missing;
  int rc;
  int denied;
  int other;
  int stale_group;
  int modifying;
  int isdir;
  int kernel;
  int dir_as_file;
  ex_kernel_fs_t kfs;
  char user[256];
  char owner[256];

  abs = NULL;
  kernel = 0;
  denied = 0;
  other = 0;
  stale_group = 0;
  op = ev->operation != NULL ? ev->operation : "other";
  ex__fs_proc_facts(&e->facts, p, host);
  if (!ex__fs_named_path(ev->subject_value)) {
    ex_cause_add(e, "path-unknown", EX_VERDICT_UNKNOWN,
                 "%s, so no permission could be checked",
                 ex_probe_unnamed(ev, "the message did not name the path"));
    ex_explanation_summary(e, "%s on an unnamed path: not checked",
                           ev->errno_name);
    return 0;
  }
  abs = ex__path_absolute(p, ev->subject_value);
  if (abs == NULL)
    return -ENOMEM;
  ex_facts_str(&e->facts, "path", ev->subject_value);
  if (strcmp(abs, ev->subject_value) != 0) {
    ex_facts_str(&e->facts, "abs_path", abs);
    ex_facts_str(&e->facts, "cwd", p->cwd);
  }
  ex_facts_str(&e->facts, "operation", op);
  ex__fs_user(p->fsuid, user, sizeof(user));

  /* 1. Every directory on the way must allow search. */
  rc = ex__fs_walk_search(p, abs, blocker, sizeof(blocker), &bst, &a,
                          &missing);
  if (rc < 0) {
    ex_cause_add(e, "search-denied", EX_VERDICT_UNKNOWN,
                 "could not examine the directories of %s (%s)", abs,
                 strerror(-rc));
  } else if (rc == 1) {
    check_t sc;

    memset(&sc, 0, sizeof(sc));
    sc.id = "search-denied";
    sc.what = "search";
    sc.path = blocker;
    sc.st = bst;
    sc.want = EX_FS_X;
    run_check(e, p, &sc, &stale_group);
    ex_facts_str(&e->facts, "blocking_component", blocker);
    ex__fs_inode_facts(&e->facts, "", &bst);
    ex__fs_user(bst.st_uid, owner, sizeof(owner));
    ex_explanation_summary(
        e, "%s (uid %lu) may not enter %s (owner %s, mode %04o), on the "
           "way to %s",
        user, (unsigned long)p->fsuid, blocker, owner,
        (unsigned)(bst.st_mode & 07777), abs);
    if (!stale_group)
      access_fixes(e, p, &sc);
    sudo_leftover_cause(e, p, blocker);
    volume_cause(e, p, host, blocker, &bst);
    mac_causes(e, p, blocker);
    container_mac_cause(e, p, host, blocker);
    goto cleanup;
  } else if (missing) {
    /* The walk stopped at a directory that does not exist now: what it
     * saw allows search, but nothing can be said of what was there when
     * the error happened (a log from another machine, a tree removed). */
    ex_cause_add(e, "search-denied", EX_VERDICT_UNKNOWN,
                 "the directories of %s that exist here let %s search them, "
                 "but not all of them exist now",
                 abs, user);
  } else {
    ex_cause_add(e, "search-denied", EX_VERDICT_RULED_OUT,
                 "every directory above %s lets %s search it", abs, user);
  }

  /* 2. The target, or its directory when the entry is created or
   * removed. */
  ex__fs_dirname(abs, dir, sizeof(dir));
  exists = lstat(abs, &st) == 0;
  if (exists && S_ISLNK(st.st_mode) && strcmp(op, "delete") != 0 &&
      strcmp(op, "rename") != 0) {
    if (stat(abs, &st) != 0)
      exists = 0;
  }
  if (stat(dir, &dst) != 0) {
    ex_cause_add(e, "path-missing", EX_VERDICT_UNKNOWN,
                 "%s does not exist now (%s)", dir, strerror(errno));
    e->stale = 1;
    goto cleanup;
  }
  if (exists)
    ex__fs_inode_facts(&e->facts, "", &st);
  kernel = exists && ex__fs_kernel(abs, &kfs);
  if (kernel) {
    ex_facts_str(&e->facts, "fstype", kfs.name);
    ex_facts_bool(&e->facts, "kernel_file_system", 1);
    if (kernel_mode_cause(e, p, abs, &st, &kfs, op))
      goto cleanup;
  }
  isdir = exists && S_ISDIR(st.st_mode);
  /* A file operation on a directory: no permission makes it work, so no
   * fix grants one. */
  dir_as_file = isdir && (strcmp(op, "open") == 0 || strcmp(op, "read") == 0 ||
                          strcmp(op, "write") == 0 || strcmp(op, "other") == 0);
  nchecks = 0;
  memset(checks, 0, sizeof(checks));
  modifying = strcmp(op, "read") != 0 && strcmp(op, "search") != 0;
  if (strcmp(op, "chmod") == 0 || strcmp(op, "chown") == 0) {
    if (exists && owner_check(e, p, abs, &st, op)) {
      denied = 1;
      ex_explanation_summary(e, "%s of %s denied: %s is not its owner or "
                             "lacks the capability", op, abs, user);
    }
  } else if (strcmp(op, "mkdir") == 0 || strcmp(op, "delete") == 0 ||
             strcmp(op, "rename") == 0 || strcmp(op, "link") == 0 ||
             (!exists && (strcmp(op, "create") == 0 ||
                          strcmp(op, "write") == 0 ||
                          strcmp(op, "open") == 0 ||
                          strcmp(op, "other") == 0))) {
    checks[nchecks].id = "create-denied";
    checks[nchecks].what = strcmp(op, "delete") == 0
                               ? "delete entries in"
                               : "create entries in";
    checks[nchecks].path = dir;
    checks[nchecks].st = dst;
    checks[nchecks].want = EX_FS_W | EX_FS_X;
    nchecks++;
  } else if (strcmp(op, "read") == 0 || strcmp(op, "load") == 0) {
    checks[nchecks].id = "read-denied";
    checks[nchecks].what = "read";
    checks[nchecks].want = EX_FS_R;
    nchecks++;
  } else if (strcmp(op, "write") == 0 || strcmp(op, "create") == 0) {
    checks[nchecks].id = "write-denied";
    checks[nchecks].what = "write";
    checks[nchecks].want = EX_FS_W;
    nchecks++;
  } else if (strcmp(op, "search") == 0 && isdir) {
    checks[nchecks].id = "search-denied";
    checks[nchecks].what = "search";
    checks[nchecks].want = EX_FS_X;
    nchecks++;
  } else {
    /* The message does not say how the file was opened: check each bit
     * and say which are denied. */
    checks[nchecks].id = "read-denied";
    checks[nchecks].what = "read";
    checks[nchecks].want = EX_FS_R;
    nchecks++;
    if (isdir) {
      checks[nchecks].id = "search-denied";
      checks[nchecks].what = "search";
      checks[nchecks].want = EX_FS_X;
    } else {
      checks[nchecks].id = "write-denied";
      checks[nchecks].what = "write";
      checks[nchecks].want = EX_FS_W;
    }
    nchecks++;
  }
  for (i = 0; i < nchecks; i++) {
    if (checks[i].path == NULL) {
      checks[i].path = abs;
      checks[i].st = st;
    }
    if (run_check(e, p, &checks[i], &stale_group)) {
      if (!denied) {
        ex__fs_user(checks[i].st.st_uid, owner, sizeof(owner));
        ex_explanation_summary(
            e, "%s (uid %lu) may not %s %s: owner %s (uid %lu), mode %04o",
            user, (unsigned long)p->fsuid, checks[i].what, checks[i].path,
            owner, (unsigned long)checks[i].st.st_uid,
            (unsigned)(checks[i].st.st_mode & 07777));
        /* A kernel file's mode is the kernel's: its tool, not chmod; the
         * system's Python packages are the package manager's. */
        if (kernel)
          ex__fs_kernel_fixes(e, abs, &kfs, 1);
        else if ((p->fsuid != 0 && system_site_packages(abs)) || dir_as_file)
          ;
        else if (!stale_group)
          access_fixes(e, p, &checks[i]);
      }
      denied = 1;
    }
  }

  /* 3. What denies even when the mode allows. */
  if (exists && (strcmp(op, "delete") == 0 || strcmp(op, "rename") == 0)) {
    if (sticky_cause(e, p, dir, &dst, abs, &st))
      other = 1;
  }
  if (exists && !isdir &&
      (strcmp(op, "create") == 0 || strcmp(op, "open") == 0 ||
       strcmp(op, "write") == 0 || strcmp(op, "other") == 0)) {
    if (protected_regular_cause(e, p, dir, &dst, abs, &st))
      other = 1;
  }
  if (exists && modifying)
    flag_causes(e, abs, &st, 1, &other);
  if (!exists || strcmp(op, "delete") == 0 || strcmp(op, "rename") == 0 ||
      strcmp(op, "mkdir") == 0)
    flag_causes(e, dir, &dst, 0, &other);
  mount_causes(e, p, exists ? abs : dir, modifying, &other);
  mac_causes(e, p, exists ? abs : dir);
  /* The causes people hit most, where the mode denies. */
  if (denied && !kernel) {
    sudo_leftover_cause(e, p, exists ? abs : dir);
    site_packages_cause(e, p, ev, abs);
    if (exists)
      volume_cause(e, p, host, abs, &st);
    else
      volume_cause(e, p, host, dir, &dst);
    if (dir_as_file) {
      directory_cause(e, abs);
      ex_fix_add_raw(e, 0, NULL, "give the program the path of a file inside "
                     "%s, not the directory itself", abs);
    }
  }
  container_mac_cause(e, p, host, exists ? abs : dir);
  wsl_cause(e, exists ? abs : dir);

  if (!denied && !other) {
    /* Nothing seen now produces the error: it was fixed since, or a cause
     * that cannot be seen from here (MAC, NFS, seccomp) made it. */
    e->stale = 1;
    ex_explanation_summary(e, "%s may %s %s now: the permissions seen now "
                           "would not produce %s",
                           user, op, abs, ev->errno_name);
  } else if (!denied && other) {
    ex_explanation_summary(e, "%s on %s: the mode allows it, but %s",
                           ev->errno_name, abs, e->ncauses > 0 ? "see below"
                                                               : "");
    for (i = 0; i < e->ncauses; i++) {
      if (e->causes[i].verdict == EX_VERDICT_CONFIRMED) {
        ex_explanation_summary(e, "%s", e->causes[i].text);
        break;
      }
    }
  }
  if ((denied || other) && modifying && !stale_group && !kernel &&
      !dir_as_file)
    ex__fs_fix_writable_dir(e, p, (dev_t)-1);

cleanup:
  free(abs);
  return 0;
}
