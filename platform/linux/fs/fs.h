/* Internal to the Linux probes: what the fs explainers share (fs/fs_common.c).
 * Everything reads; nothing here changes the system. Permission checks
 * follow the kernel's generic_permission() with the credentials of the
 * command (ex_proc_t), not explain's own. */
#ifndef EX_PROBE_FS_H
#define EX_PROBE_FS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "platform/probe.h"
#include "platform/linux/proc/sys.h"

#define EX_FS_R 4
#define EX_FS_W 2
#define EX_FS_X 1

/* CAP_* numbers, so that no libcap header is needed. */
#define EX_CAP_CHOWN 0
#define EX_CAP_DAC_OVERRIDE 1
#define EX_CAP_DAC_READ_SEARCH 2
#define EX_CAP_FOWNER 3
#define EX_CAP_LINUX_IMMUTABLE 9
#define EX_CAP_SYS_ADMIN 21
#define EX_CAP_SYS_RESOURCE 24

/* A POSIX ACL as stored in system.posix_acl_access. */
#define EX_ACL_MAX 64
typedef struct ex_acl_entry {
  int tag;       /* EX_ACL_USER_OBJ, ... */
  int perm;      /* rwx as 4/2/1 */
  unsigned id;   /* uid or gid for USER and GROUP */
} ex_acl_entry_t;

#define EX_ACL_USER_OBJ 0x01
#define EX_ACL_USER 0x02
#define EX_ACL_GROUP_OBJ 0x04
#define EX_ACL_GROUP 0x08
#define EX_ACL_MASK 0x10
#define EX_ACL_OTHER 0x20

typedef struct ex_acl {
  ex_acl_entry_t e[EX_ACL_MAX];
  size_t n;
} ex_acl_t;

/* Reads the access ACL of path. Returns 1 when it has one, 0 when not (or
 * the file system has none), or a negative errno when it could not be
 * read. */
int ex__fs_acl_read(const char *path, ex_acl_t *acl);

/* "user::rw-,user:1000:r--,group::r--,mask::r--,other::---" (names are
 * left out on purpose: ids are what the kernel compares). */
void ex__fs_acl_string(const ex_acl_t *acl, char *buf, size_t size);

/* Why an access was allowed or denied. */
typedef struct ex_access {
  int allowed;            /* 1 when the process may, 0 when not */
  const char *klass;      /* "owner", "group", "other", "acl-user",
                             "acl-group", "acl-other" */
  int class_perm;         /* rwx bits of that class (after the ACL mask) */
  char acl_entry[64];     /* the decisive ACL entry, or "" */
  int acl;                /* 1 when an ACL took part */
  const char *by_cap;     /* capability that allows it, or NULL */
  const char *cap_would;  /* capability that would override the denial,
                             or NULL (none would) */
  int cap_unmapped;       /* the process has the capability, but the
                             owner is not mapped in its user namespace */
} ex_access_t;

/* Decides whether proc may access the inode st (at path, for its ACL) with
 * want (EX_FS_R|W|X). Fills *a. */
void ex__fs_access(const ex_proc_t *proc, const char *path,
                   const struct stat *st, int want, ex_access_t *a);

/* "rwx" / "r-x" for the bits 4/2/1 (buf at least 4 bytes). */
const char *ex__fs_perm_string(int perm, char *buf);

/* Walks the directories of abs (absolute) from "/" down to the last
 * component's parent, as the kernel does on lookup. Returns 1 when one
 * denies search (x) to proc, its path in blocker and its stat in *bst; 0
 * when all allow it (or the walk reached a component that does not
 * exist: *missing is set to 1); a negative errno when a component could
 * not be examined. */
int ex__fs_walk_search(const ex_proc_t *proc, const char *abs,
                       char *blocker, size_t size, struct stat *bst,
                       ex_access_t *a, int *missing);

/* The inode flags (FS_IOC_GETFLAGS) of path: 0 and *flags, or a negative
 * errno. */
int ex__fs_inode_flags(const char *path, const struct stat *st, int *flags);

/* Adds facts about the inode with the given key prefix ("" for the target,
 * "dir_" for a directory): <p>owner_uid, <p>owner, <p>group_gid, <p>group,
 * <p>mode, <p>mode_rwx, <p>type. */
void ex__fs_inode_facts(ex_facts_t *f, const char *prefix,
                        const struct stat *st);

/* Adds the process's identity: uid, user, gid, group, groups (as
 * "27(sudo),1000(ana)"), user_group (of gid), and the context: container, ci, wsl, userns. */
void ex__fs_proc_facts(ex_facts_t *f, const ex_proc_t *proc,
                       const ex_host_t *host);

/* The type of st as a word: "file", "directory", "symlink", ... */
const char *ex__fs_type_name(mode_t mode);

/* 1 when s names a file: not NULL, "", "-" or "standard output" (a
 * stream whose file the message does not give). */
int ex__fs_named_path(const char *s);

/* A display name for the user: "ana" or, with no name, the number. */
const char *ex__fs_user(uid_t uid, char *buf, size_t size);
const char *ex__fs_group(gid_t gid, char *buf, size_t size);

/* The parent directory of abs into buf ("/" for "/x"). */
void ex__fs_dirname(const char *abs, char *buf, size_t size);

/* Formats bytes as "12.3 GiB" into buf. */
const char *ex__fs_human(unsigned long long bytes, char *buf, size_t size);

/* Adds a fix pointing at a directory that proc can write, on a file system
 * with free space (the user's home, /tmp, /var/tmp), other than the one of
 * avoid_dev (pass (dev_t)-1 for none). Returns 1 when one was found. */
int ex__fs_fix_writable_dir(ex_explanation_t *e, const ex_proc_t *proc,
                            dev_t avoid_dev);

/* "sudo " when the person at the terminal is not root, else "". */
const char *ex__fs_sudo(void);

/* A word that names the process's user in commands: the name, or the
 * number when it has none. */
const char *ex__fs_user_word(const ex_proc_t *proc, char *buf, size_t size);

/* 1 when m is a Windows drive of WSL (drvfs, or 9p with aname=drvfs)
 * mounted without the metadata option (fs_access.c). */
int ex__fs_wsl_drvfs_no_metadata(const ex_mount_t *m);

/* The cause that the mount m of path is read-only (confirmed, *found set)
 * or read-write (ruled out), with its options (fs_access.c). */
void ex__fs_read_only_cause(ex_explanation_t *e, const char *path,
                            const ex_mount_t *m, int *found);

/* The fixes that let proc have want on st at path, least privilege first:
 * chmod u+ when it is the owner, else an ACL entry for it, the group's
 * bits when it is in the file's group (or search for all on a directory),
 * and the file given to it (fs_access.c). */
void ex__fs_grant_fixes(ex_explanation_t *e, const ex_proc_t *p,
                        const char *path, const struct stat *st, int want);

/* A kernel file system (fs_kernel.c). */
typedef struct ex_kernel_fs {
  const char *name;  /* "sysfs", "proc", "cgroup2", "debugfs", ... */
  int mode_final;    /* sysfs, cgroupfs and /proc/sys refuse what the mode
                        does not give, to root with CAP_DAC_OVERRIDE too */
} ex_kernel_fs_t;

/* 1 when path is on a kernel file system (statfs magic), *k filled. */
int ex__fs_kernel(const char *path, ex_kernel_fs_t *k);

/* Adds the fix that changes the setting behind a kernel file, where a tool
 * does (ip link for /sys/class/net, sysctl for /proc/sys, the cgroup's
 * own setting for its counters); writable says whether its mode lets
 * someone write it. Never chmod, chown or setfacl: a kernel file's mode is
 * the kernel's. Returns 1 when one was added. */
int ex__fs_kernel_fixes(ex_explanation_t *e, const char *path,
                        const ex_kernel_fs_t *k, int writable);

#endif
