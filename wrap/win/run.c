/* The launcher's Windows part: spawn, channels, console control events and
 * the command's end (see wrap/internal.h for the seam with the portable
 * loop in wrap/loop.c).
 *
 * The command is found as cmd.exe finds it (spawn.c) and started with
 * uv_spawn(), which needs the loop, so the loop is made first. Its stdin and
 * stdout are explain's own handles, inherited; its stderr is the write end
 * of a pipe made with uv_pipe() (and its stdout too when explain's stdout
 * and stderr are the same file, so that their order is kept), whose read end
 * libuv reads with uv_read_start(): each read is relayed as it comes, with
 * no wait for a line's end, and the bytes are written on unchanged (no
 * CRLF translation: ex_write_all() writes to the handle). explain's copy of
 * the write end is closed once the command has it, so the end of file comes
 * when the command and every descendant holding it are done.
 *
 * Console control events. The command shares explain's console and its
 * console process group, so a Ctrl-C or Ctrl-Break at the console reaches
 * the command from the console itself, once, as it would without explain.
 * explain must only outlive it: libuv's console handler returns TRUE for an
 * event (the default handler, which ends the process, is not called) while
 * a uv_signal watcher for it is started (SIGINT, SIGBREAK; SIGHUP for the
 * console's closing, where libuv's handler then waits so that the command
 * gets its own few seconds). Nothing is sent on: a second event would reach
 * the command twice. The watchers are started before the command, so that
 * there is no moment when a Ctrl-C ends explain and not the command.
 *
 * explain's end. libuv puts every process it spawns in a job object of its
 * own with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: when explain ends, however it
 * ends (killed from the task manager, TerminateProcess by a CI runner), the
 * system closes the job and ends the command with it; it is never left
 * running unseen behind an explain that is gone. The job lets the command's
 * own children break away silently: they outlive the command's end as they
 * would outlive it without explain.
 */
#include "wrap/internal.h"

#include "platform/platform.h"
#include "wrap/win/copier.h"
#include "wrap/win/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <psapi.h>
#include <stdlib.h>
#include <string.h>

/* The state (wrap/internal.h), and the Windows part's own fields in it. */
static ex_wrap_state_t *const w = &ex__wrap;
static ex_wrap_os_t *const g = &ex__wrap.os;

/* ---- channels ---------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = w->buf;
  buf->len = sizeof(w->buf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  ex_channel_t *c;

  c = s->data;
  if (n > 0)
    ex__loop_relay(c, buf->base, (size_t)n);
  else if (n < 0) /* UV_EOF, or the pipe broke: nothing more comes */
    ex__loop_end(c);
}

static void stop_reading(ex_channel_t *c) {
  if (!c->os.reading)
    return;
  uv_read_stop((uv_stream_t *)&c->os.pipe);
  c->os.reading = 0;
}

/* The pipe is not closed: explain ends soon after, and its handles go with
 * it (as on Linux, off the path between the command's end and explain's). */
void ex__os_close(ex_channel_t *c) {
  stop_reading(c);
}

/* Called at the linger's end only: libuv's pending read is cancelled, and
 * what the pipe holds is read here, as libuv itself reads it (PeekNamedPipe,
 * then a ReadFile that the bytes already there complete at once). */
int ex__os_drain(ex_channel_t *c, size_t max) {
  uv_os_fd_t h;
  DWORD avail;
  DWORD got;
  size_t total;

  stop_reading(c);
  if (uv_fileno((uv_handle_t *)&c->os.pipe, &h) != 0)
    return 1;
  total = 0;
  while (total < max) {
    if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL))
      return 1; /* ERROR_BROKEN_PIPE: every writer is gone */
    if (avail == 0)
      return 0;
    if (avail > sizeof(w->buf))
      avail = sizeof(w->buf);
    if (!ReadFile(h, w->buf, avail, &got, NULL))
      return 1;
    ex__loop_relay(c, w->buf, got);
    total += got;
  }
  return 0;
}

/* The pipe ends are explain's only: nothing to let go of, and the
 * command's exit is reported by libuv on its own. */
void ex__os_channels_ended(void) {}

void ex__os_command_exited(void) {}

void ex__os_hand_off(ex_channel_t *c) {
  uv_os_fd_t h;

  if (uv_fileno((uv_handle_t *)&c->os.pipe, &h) == 0)
    (void)ex__win_copier_start(h, c->out_fd);
}

/* ---- the command ------------------------------------------------------- */

static void on_exit(uv_process_t *p, int64_t status, int term_signal) {
  PROCESS_MEMORY_COUNTERS pmc;
  struct rusage ru;

  (void)term_signal;
  memset(&ru, 0, sizeof(ru));
  if (GetProcessMemoryInfo(p->process_handle, &pmc, sizeof(pmc)))
    ru.ru_maxrss = (long)(pmc.PeakWorkingSetSize / 1024);
  /* The whole 32-bit exit code (an NTSTATUS such as 0xC0000005 for a
   * crash), kept as the int's bits. */
  ex__loop_command_exited((int)(uint32_t)status, &ru);
}

/* A console control event: it reached the command too (see above). */
static void on_console_event(uv_signal_t *h, int signum) {
  (void)h;
  (void)signum;
  g->console_events++;
}

static int watch_console_events(void) {
  uv_signal_t *const hs[] = {&g->ctrl_c, &g->ctrl_break, &g->ctrl_close};
  const int nums[] = {SIGINT, SIGBREAK, SIGHUP};
  size_t i;
  int rc;

  for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
    rc = uv_signal_init(&w->loop, hs[i]);
    if (rc == 0)
      rc = uv_signal_start(hs[i], on_console_event, nums[i]);
    if (rc != 0)
      return -ENOMEM;
    uv_unref((uv_handle_t *)hs[i]); /* the loop waits for the command */
  }
  return 0;
}

/* Fills closed descriptors 0-2 with NUL so that none of explain's pipes
 * lands there; records which were closed. */
static void fill_std_fds(int closed[3], int tty[3]) {
  int fd;
  int nfd;
  int kind;

  for (fd = 0; fd < 3; fd++) {
    kind = ex_fd_kind(fd);
    tty[fd] = kind == EX_FD_TTY;
    closed[fd] = kind == EX_FD_CLOSED;
    if (!closed[fd])
      continue;
    nfd = _open("NUL", _O_RDWR | _O_BINARY | _O_NOINHERIT);
    if (nfd != -1 && nfd != fd) {
      (void)_dup2(nfd, fd);
      _close(nfd);
    }
  }
}

/* A channel whose bytes go on to out_fd: a pipe whose read end the loop
 * reads (overlapped) and whose write end the command gets. */
static int open_channel(ex_channel_t *c, int out_fd, int stream) {
  uv_file fds[2];
  int rc;

  c->out_fd = out_fd;
  c->stream = stream;
  c->os.fd = -1;
  c->os.child_fd = -1;
  c->os.reading = 0;
  rc = uv_pipe(fds, UV_NONBLOCK_PIPE, 0);
  if (rc != 0)
    return rc == UV_EMFILE ? -EMFILE : -ENOMEM;
  c->os.fd = fds[0];
  c->os.child_fd = fds[1];
  rc = uv_pipe_init(&w->loop, &c->os.pipe, 0);
  if (rc == 0)
    rc = uv_pipe_open(&c->os.pipe, c->os.fd);
  if (rc != 0)
    return -ENOMEM;
  c->os.fd = -1; /* the pipe handle owns it now */
  c->os.pipe.data = c;
  return 0;
}

static void close_child_ends(void) {
  size_t i;

  for (i = 0; i < EX_CHANNELS; i++) {
    if (w->chan[i].os.child_fd >= 0)
      _close(w->chan[i].os.child_fd);
    w->chan[i].os.child_fd = -1;
  }
}

static void inherit(uv_stdio_container_t *s, int fd) {
  s->flags = UV_INHERIT_FD;
  s->data.fd = fd;
}

/* What a failed uv_spawn() means for the shell's codes (libuv's error
 * codes are not errno values on Windows). ERROR_BAD_EXE_FORMAT and its
 * kind have no libuv code of their own. */
static int exec_errno_of(int uv_err) {
  switch (uv_err) {
  case UV_ENOENT:
    return ENOENT;
  case UV_EACCES:
  case UV_EPERM:
    return EACCES;
  case UV_EINVAL:
    return EINVAL;
  default:
    return ENOEXEC;
  }
}

int ex_wrap_run(const ex_wrap_config_t *cfg, ex_wrap_result_t *res) {
  uv_process_options_t opt;
  uv_stdio_container_t stdio[3];
  ex_win_kind_t kind;
  char **argv;
  char **args;
  char *cmd_path;
  int closed[3];
  int tty[3];
  size_t i;
  int rc;

  memset(res, 0, sizeof(*res));
  memset(&opt, 0, sizeof(opt));
  ex__loop_reset(cfg, res);
  for (i = 0; i < EX_CHANNELS; i++) {
    w->chan[i].os.fd = -1;
    w->chan[i].os.child_fd = -1;
    w->chan[i].os.reading = 0;
  }
  g->console_events = 0;
  args = NULL;
  cmd_path = NULL;

  argv = ex__win_argv(cfg->argv);
  if (argv == NULL)
    return -ENOMEM;
  rc = ex__win_resolve(argv[0], &res->path, &res->searched, &kind);
  if (rc == -ENOENT || rc == -ENOEXEC) {
    res->exec_errno = -rc;
    if (rc == -ENOEXEC)
      res->exec_detail = "not a program: Windows runs .exe and .com files "
                         "(.bat and .cmd through cmd.exe); a file of "
                         "another kind only opens in the program associated "
                         "with it";
    rc = 0;
    goto done;
  }
  if (rc != 0)
    goto done;
  if (kind == EX_WIN_BATCH) {
    rc = ex__win_batch_args(res->path, argv, &cmd_path, &args);
    if (rc == -EINVAL || rc == -ENOENT) {
      res->exec_errno = -rc;
      res->exec_detail =
          rc == -EINVAL ? "an argument holds a line break (or the script's "
                          "name a quote), which cmd.exe cannot pass to a "
                          "batch file intact"
                        : "cmd.exe, which runs batch files, was not found";
      rc = 0;
      goto done;
    }
    if (rc != 0)
      goto done;
    opt.file = cmd_path;
    opt.args = args;
    opt.flags = UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS;
  } else {
    opt.file = res->path;
    opt.args = argv; /* quoted by libuv for the C runtime's parser */
  }

  fill_std_fds(closed, tty);
  if (ex__loop_init() != 0) {
    rc = -ENOMEM;
    goto done;
  }
  rc = watch_console_events();
  if (rc != 0)
    goto done;

  /* The same file behind stdout and stderr (2>&1 into a file): the
   * command's stdout joins the stderr channel so the two stay in order. */
  res->stdout_merged =
      !closed[1] && !closed[2] && !tty[1] && ex_fd_same_file(1, 2);
  rc = open_channel(&w->chan[0], 2, 0);
  if (rc == -EMFILE) {
    /* No descriptor left for the relay: the command writes to explain's
     * own stderr, unread. */
    res->channel = EX_WRAP_CHANNEL_NONE;
    res->stdout_merged = 0;
  } else if (rc != 0) {
    goto done;
  } else {
    w->nchan = 1;
    res->channel = EX_WRAP_CHANNEL_PIPE;
  }
  if (w->nchan == 1 && cfg->scan_stdout && !res->stdout_merged && !closed[1]) {
    rc = open_channel(&w->chan[1], 1, 1);
    if (rc == 0)
      w->nchan = 2;
    else if (rc != -EMFILE)
      goto done;
  }

  if (closed[0])
    stdio[0].flags = UV_IGNORE; /* libuv gives NUL */
  else
    inherit(&stdio[0], 0);
  if (res->stdout_merged)
    inherit(&stdio[1], w->chan[0].os.child_fd);
  else if (w->nchan == 2)
    inherit(&stdio[1], w->chan[1].os.child_fd);
  else if (closed[1])
    stdio[1].flags = UV_IGNORE;
  else
    inherit(&stdio[1], 1);
  if (w->nchan >= 1)
    inherit(&stdio[2], w->chan[0].os.child_fd);
  else if (closed[2])
    stdio[2].flags = UV_IGNORE;
  else
    inherit(&stdio[2], 2);
  opt.stdio = stdio;
  opt.stdio_count = 3;
  opt.exit_cb = on_exit;

  w->t_start_ns = uv_hrtime();
  rc = uv_spawn(&w->loop, &g->process, &opt);
  close_child_ends();
  if (rc == UV_ENOMEM) {
    rc = -ENOMEM;
    goto done;
  }
  if (rc != 0) {
    res->exec_errno = exec_errno_of(rc);
    if (res->exec_errno == ENOEXEC)
      res->exec_detail = "not a valid Windows program (CreateProcess "
                         "refused it)";
    rc = 0;
    goto done;
  }
  res->started = 1;
  res->pid = g->process.pid;
  ex__win_argv_free(argv);
  ex__win_argv_free(args);
  free(cmd_path);
  argv = args = NULL;
  cmd_path = NULL;

  for (i = 0; i < w->nchan; i++) {
    if (uv_read_start((uv_stream_t *)&w->chan[i].os.pipe, on_alloc, on_read) ==
        0) {
      w->chan[i].os.reading = 1;
      w->chan[i].open = 1;
    }
  }
  if (cfg->on_started != NULL)
    cfg->on_started(cfg->ctx, res->pid);
  ex__loop_run();
  return 0;

done:
  close_child_ends();
  ex__win_argv_free(argv);
  ex__win_argv_free(args);
  free(cmd_path);
  return rc;
}

void ex_wrap_result_release(ex_wrap_result_t *res) {
  free(res->path);
  free(res->searched);
  memset(res, 0, sizeof(*res));
}
