/* Internal to wrap/: finding and starting the command. */
#ifndef EX_WRAP_SPAWN_H
#define EX_WRAP_SPAWN_H

#include <signal.h>
#include <sys/types.h>

/* Resolves argv0 the way execvp does: used as a path when it contains '/',
 * otherwise searched in PATH (an empty entry is the current directory; with
 * PATH unset, the system default path). On success returns 0 and sets *path
 * (caller frees). On failure returns -ENOENT (nothing found) or -EACCES (only
 * files without execute permission found; *path is the first of them), and
 * *path may be set. *searched is set to the PATH string searched (caller
 * frees) when argv0 has no '/'. */
int ex_spawn_resolve(const char *argv0, char **path, char **searched);

/* What the child does between fork and exec. */
typedef struct ex_spawn_plan {
  const char *path;         /* resolved file to execute */
  char *const *argv;
  int own_pgrp;             /* setpgid(0, 0) */
  int tty_fd;               /* >= 0: make the new group the foreground of
                               this terminal (requires own_pgrp) */
  int stderr_fd;            /* becomes the child's fd 2 */
  int stdout_fd;            /* >= 0: becomes the child's fd 1 */
  int close_fds[3];         /* 1: close fd i in the child (it was closed
                               when explain started) */
  const sigset_t *mask;     /* signal mask the child starts with */
  int ignore_sigchld;       /* SIGCHLD back to SIG_IGN before exec (the
                               caller ignored it; explain cannot) */
  char *const *envp;        /* environment to exec with; NULL: environ */
  int (*hook)(void *arg);   /* --trace: called before exec, system
                               calls only; may be NULL */
  void *hook_arg;
} ex_spawn_plan_t;

/* Starts plan->path in a child that shares explain's memory until its exec
 * (clone with CLONE_VM | CLONE_VFORK, the way posix_spawn works), so start-up
 * copies no page tables. Returns the child's pid once the exec has
 * succeeded. When the exec failed, the child has been reaped and the
 * negative errno of the exec is returned (the child leaves it in memory
 * shared with explain: no guessing from exit codes). */
pid_t ex_spawn_start(const ex_spawn_plan_t *plan);

#endif
