/* Internal to the Linux probes: small read-only probes that several explainers share
 * (proc/sys.c). No shell, no programs run: system calls, /proc, /etc. */
#ifndef EX_PROBE_SYS_H
#define EX_PROBE_SYS_H

#include <stddef.h>
#include <sys/types.h>

#include "platform/probe.h"

/* One line of /proc/self/mountinfo. */
typedef struct ex_mount {
  char mount_point[EX_PROC_PATH_MAX];
  char root[EX_PROC_PATH_MAX];   /* the mounted subtree ("/" unless a bind
                                    mount of a directory) */
  char fstype[64];
  char source[EX_PROC_PATH_MAX];
  char options[1024];            /* per-mount options: "ro,nosuid,..." */
  char super_options[1024];      /* file-system options */
  int ro;
  int noexec;
  int nosuid;
  int bind;                      /* root is not "/": a bind mount */
} ex_mount_t;

/* The mount that holds path (longest mount point that is a prefix of the
 * path once made absolute and free of "."/".." and symlinks where they
 * resolve). Returns 0 or a negative errno. */
int ex__mount_find(const char *path, ex_mount_t *m);

/* Names of users and groups ("" when the id has no name here: an id from
 * another machine or container). buf is returned. */
const char *ex__user_name(uid_t uid, char *buf, size_t size);
const char *ex__group_name(gid_t gid, char *buf, size_t size);

/* The groups /etc/group (and the primary group of /etc/passwd) gives the
 * user `name`: up to max gids into out. Returns the count, or a negative
 * errno. Compared with ex_proc_t.groups, it shows memberships that need a
 * new login (or newgrp) to take effect. */
int ex__groups_of_user(const char *name, gid_t *out, size_t max);

/* path made absolute against proc->cwd when relative (no resolution of
 * symlinks). Returns a new string the caller frees, or NULL. */
char *ex__path_absolute(const ex_proc_t *proc, const char *path);

/* "rwxr-x---" for mode (buf at least 10 bytes); returns buf. */
const char *ex__mode_string(mode_t mode, char *buf);

#endif
