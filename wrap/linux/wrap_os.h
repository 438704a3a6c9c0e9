/* Internal to wrap/: the Linux part's own fields in the launcher's state
 * (wrap/internal.h includes this file from the folder the build chose, as
 * libuv's uv.h includes uv/unix.h or uv/win.h). */
#ifndef EX_WRAP_OS_H
#define EX_WRAP_OS_H

#include <signal.h>
#include <sys/types.h>
#include <uv.h>

/* A channel's descriptors. */
typedef struct ex_wrap_os_channel {
  uv_poll_t watch; /* the loop watches fd (when there is a loop) */
  int fd;          /* explain's end: pipe read end or pty master; -1 */
  int hold;        /* explain's copy of a pipe's write end, or -1 */
  int pty;         /* a pseudo-terminal, not a pipe */
  int read_once;   /* the command has written to it */
} ex_wrap_os_channel_t;

/* Signals, process groups, job control. */
typedef struct ex_wrap_os {
  int sig_fd;          /* -1 without one: no forwarding, the end is polled */
  uv_poll_t sig_watch; /* the signalfd on the loop */
  uv_timer_t winsize_timer;
  uv_timer_t reap_timer;
  pid_t self; /* explain's pid (glibc no longer caches it) */
  pid_t child;
  pid_t pgid;         /* the command's own group, or 0 when shared */
  int tty_fd;         /* controlling terminal among fds 0-2, or -1 */
  int std_tty[3];     /* fds 0-2 are terminals (fill_std_fds) */
  int handoff;        /* job control: the command's group takes the terminal
                         whenever explain's group has it */
  int stop_sig;       /* the command in its own group stopped with this
                         signal: explain follows (see follow_stop) */
  int ignore_sigchld; /* the caller ignored SIGCHLD (see setup_signals) */
  sigset_t caller_mask;
  sigset_t blocked;
} ex_wrap_os_t;

#endif
