/* Internal to wrap/: the Windows part's own fields in the launcher's state
 * (wrap/internal.h includes this file from the folder the build chose, as
 * libuv's uv.h includes uv/unix.h or uv/win.h). */
#ifndef EX_WRAP_OS_H
#define EX_WRAP_OS_H

#include <uv.h> /* windows.h too */

/* A channel: explain's end of a pipe that libuv reads. */
typedef struct ex_wrap_os_channel {
  uv_pipe_t pipe; /* the read end, on the loop (uv_read_start) */
  int fd;         /* its C runtime descriptor until uv_pipe_open took it,
                     or -1 */
  int child_fd;   /* the command's end until it has been started, or -1 */
  int reading;    /* uv_read_start is on */
} ex_wrap_os_channel_t;

/* The command and what explain does with console control events. */
typedef struct ex_wrap_os {
  uv_process_t process;
  uv_signal_t ctrl_c;     /* SIGINT: CTRL_C_EVENT */
  uv_signal_t ctrl_break; /* SIGBREAK: CTRL_BREAK_EVENT */
  uv_signal_t ctrl_close; /* SIGHUP: CTRL_CLOSE_EVENT */
  int console_events;     /* how many explain received (not forwarded) */
} ex_wrap_os_t;

#endif
