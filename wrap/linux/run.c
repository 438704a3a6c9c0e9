/* The launcher's Linux part: spawn, channels, signals, reaping, job
 * control, and the copier (see wrap/internal.h for the seam with the
 * portable loop in wrap/loop.c).
 *
 * The command is started with clone(CLONE_VM | CLONE_VFORK) (spawn.c) and
 * the loop is made after it, so that the command's exec runs on the other
 * CPU meanwhile. The channels are pipes (or a pseudo-terminal when explain's
 * own stream is a terminal) whose descriptors the loop watches (uv_poll),
 * each read until it is empty at every wake-up: libuv's own stream reader
 * goes back to the loop at every read that does not fill its buffer, which
 * made 3.7 times the wake-ups for the same output here, and its first
 * stream holds /dev/null open against EMFILE (one descriptor and about
 * 10 us more at every start).
 *
 * Signals are blocked in explain and read from a signalfd, because
 * forwarding needs what a signal handler, and so libuv's uv_signal, does
 * not give: si_code (a terminal's Ctrl-C must not reach the command twice)
 * and si_pid (a SIGPIPE that explain's own write raised is not the
 * caller's). One signalfd is also far cheaper to set up than a handler per
 * signal (bench/signals.sh); the loop watches it as it watches the
 * channels. The child gets the caller's mask and dispositions back before
 * exec, so SIG_IGN set by `nohup` survives.
 *
 * Process groups. When explain leads its own group (a job-control shell, PID
 * 1, setsid) or has no terminal in the foreground, the command gets a group
 * of its own, which receives every forwarded signal, and becomes the
 * terminal's foreground group when explain's was; stops of the command are
 * mirrored, with a terminal or without, so that Ctrl-Z, `fg`, `kill -TSTP`
 * and `kill -CONT` work on explain as on the command. When explain runs in
 * the foreground inside someone else's group (a script without job
 * control), the command stays in that group, as it would without explain,
 * so a Ctrl-C still reaches the script too and stops its loop; signals sent
 * to explain alone then go to the command's pid.
 *
 * Few descriptors. libuv's loop needs six of its own (an epoll, its signal
 * lock pipe, the loop's signal pipe, an eventfd), and aborts when it cannot
 * make the lock pipe. Under a tiny ulimit -n (below 14 with one channel)
 * there is no room for it next to the channels, the signalfd and the rule
 * files; explain then waits with poll() itself (wait_without_loop), calling
 * the same functions: the relay, its end and the linger are those of the
 * loop.
 */
#include "wrap/internal.h"

#include "config.h"
#include "platform/platform.h"
#include "wrap/linux/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef HAVE_SIGNALFD
#error "explain needs signalfd(2)"
#endif

#define EX_RELAY_ROUNDS 16 /* reads per wake-up without the loop */
#define EX_WINSIZE_POLL_MS 200
#define EX_NO_SIGFD_REAP_MS 50 /* without a signalfd: look for the end */
/* libuv's loop, and the two rule files read while the command runs. */
#define EX_LOOP_FDS 6
#define EX_SPARE_FDS 2
/* The stack below explain's frames that the loop's first poll uses. */
#define EX_PAGE 4096
#define EX_LOOP_STACK (8 * EX_PAGE)
/* With at least this many descriptors allowed, room for the loop is
 * assumed (see room_for_loop). */
#define EX_ROOMY_NOFILE 256

/* The state (wrap/internal.h), and the Linux part's own fields in it. */
static ex_wrap_state_t *const w = &ex__wrap;
static ex_wrap_os_t *const g = &ex__wrap.os;

/* ---- channels ---------------------------------------------------------- */

/* Reads what is available, at most rounds reads and about max bytes.
 * Returns 1 at end of file (EIO on a pty master once every slave is
 * closed), 0 otherwise. */
static int drain(ex_channel_t *c, size_t max, int rounds) {
  ssize_t n;
  size_t total;

  total = 0;
  while (rounds-- > 0 && total < max) {
    n = read(c->os.fd, w->buf, sizeof(w->buf));
    if (n > 0) {
      ex__loop_relay(c, w->buf, (size_t)n);
      total += (size_t)n;
      continue;
    }
    if (n == 0)
      return 1;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return 0;
    return 1; /* EIO from a pty, or a real error: nothing more will come */
  }
  return 0;
}

int ex__os_drain(ex_channel_t *c, size_t max) {
  return drain(c, max, 1 << 30);
}

/* c is readable: read what it holds (a bounded number of reads, so that
 * the other channel and the signals get their turn). */
static void on_readable(ex_channel_t *c) {
  if (!c->open)
    return;
#ifdef HAVE_F_SETPIPE_SZ
  /* A larger pipe means fewer wake-ups for a chatty command; enlarged at
   * its first output, so that a command that prints nothing does not pay
   * for it. */
  if (!c->os.read_once && !c->os.pty)
    (void)fcntl(c->os.fd, F_SETPIPE_SZ, 256 * 1024);
#endif
  c->os.read_once = 1;
  if (drain(c, (size_t)-1, EX_RELAY_ROUNDS))
    ex__loop_end(c);
}

static void on_channel_watch(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  on_readable(h->data);
}

/* Once the command has been reaped explain ends soon after, and the last
 * end of a pipe costs ~5 us to close (the pipe is freed): that is left to
 * the exit, off the path between the command's end and explain's. So is
 * taking the last channel out of the loop, which then stops (a channel
 * that ends while another is still relayed must go, or its end of file
 * would wake the loop again and again). */
void ex__os_close(ex_channel_t *c) {
  if (c->os.fd < 0)
    return;
  if (w->loop_up && (!w->exited || ex__loop_channels_open()))
    uv_poll_stop(&c->os.watch);
  if (!w->exited)
    close(c->os.fd);
  c->os.fd = -1;
}

/* A descendant still holds the channel: keep relaying its output from a
 * small process of its own, so that it neither blocks nor gets SIGPIPE, and
 * return now. The copier no longer scans. As PID 1 there is no point: the
 * kernel ends every process of the namespace when explain exits. */
void ex__os_hand_off(ex_channel_t *c) {
  pid_t pid;
  pid_t pid2;
  ssize_t n;

  if (g->self == 1)
    return;
  pid = fork();
  if (pid == 0) {
    pid2 = fork();
    if (pid2 != 0)
      _exit(0);
    if (dup2(c->os.fd, 3) == -1 || dup2(c->out_fd, 4) == -1)
      _exit(1);
    close_range(5, ~0U, 0);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &g->caller_mask, NULL);
    ex_fd_set_nonblock(3, 0);
    for (;;) {
      n = read(3, w->buf, sizeof(w->buf));
      if (n == -1 && errno == EINTR)
        continue;
      if (n <= 0 || ex_write_all(4, w->buf, (size_t)n) != 0)
        _exit(0);
    }
  }
  if (pid > 0)
    while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
      ;
}

/* While the command runs explain keeps a write end of each pipe channel, so
 * that the command's exit wakes explain once, at its SIGCHLD, and not a
 * first time at the end of file (its descriptors close a little before its
 * parent is told) only to find it not yet reapable and sleep again. Once
 * the command is reaped, they go, and what is left in the pipes is read
 * now: without another writer, to the end. */
static int drop_hold(ex_channel_t *c) {
  if (c->os.hold < 0)
    return 0;
  close(c->os.hold);
  c->os.hold = -1;
  return 1;
}

void ex__os_command_exited(void) {
  ex_channel_t *c;
  size_t i;

  for (i = 0; i < w->nchan; i++) {
    c = &w->chan[i];
    if (drop_hold(c) && c->open && drain(c, (size_t)-1, 1 << 30))
      ex__loop_end(c);
  }
}

/* Gives up the held write ends (no descriptor to spare); returns how many
 * there were. */
static int drop_holds(void) {
  size_t i;
  int n;

  n = 0;
  for (i = 0; i < w->nchan; i++)
    n += drop_hold(&w->chan[i]);
  return n;
}

/* ---- job control ------------------------------------------------------ */

static void give_terminal_to_command(void) {
  if (g->handoff && tcgetpgrp(g->tty_fd) == getpgrp())
    (void)tcsetpgrp(g->tty_fd, g->pgid);
}

/* Takes the terminal back from the command's group, and only from it: a job
 * in the background must not take it from the shell. */
static void take_terminal_back(void) {
  if (g->handoff && g->pgid > 0 && tcgetpgrp(g->tty_fd) == g->pgid)
    (void)tcsetpgrp(g->tty_fd, getpgrp());
}

static void forward(int sig) {
  if (g->pgid > 0) {
    if (kill(-g->pgid, sig) == 0 || errno != ESRCH)
      return;
  }
  if (!w->exited)
    (void)kill(g->child, sig);
}

static int cont_pending(void) {
  sigset_t pending;

  return sigpending(&pending) == 0 && sigismember(&pending, SIGCONT) == 1;
}

/* Stops explain with sig (as the shell expects of a job), and on return,
 * when continued, gives the terminal back to the command and continues it.
 * The SIGCONT that woke explain waits, blocked, in the signalfd, and is
 * forwarded from there (once, after the terminal is the command's again).
 * When none is there, the stop did not happen: the kernel drops SIGTSTP,
 * SIGTTIN and SIGTTOU in an orphaned process group (a job whose shell is
 * gone, a CI runner's only group), where the command, had it run without
 * explain, would not have stopped either; it is continued now. */
static void stop_self(int sig) {
  struct sigaction sa;
  sigset_t one;

  if (g->self == 1)
    return;
  if (sigaction(sig, NULL, &sa) == -1 || sa.sa_handler != SIG_DFL)
    sig = SIGSTOP;
  take_terminal_back();
  (void)kill(g->self, sig);
  if (sig != SIGSTOP) {
    sigemptyset(&one);
    sigaddset(&one, sig);
    (void)sigprocmask(SIG_UNBLOCK, &one, NULL);
    (void)sigprocmask(SIG_BLOCK, &one, NULL);
  }
  if (g->pgid > 0 && !cont_pending()) {
    give_terminal_to_command();
    forward(SIGCONT);
  }
}

/* ---- children --------------------------------------------------------- */

/* Reaps every child that has changed state: the command (whose status is
 * kept), and orphans when explain is PID 1 or a subreaper. */
static void reap(void) {
  pid_t pid;
  int st;
  struct rusage ru;

  for (;;) {
    pid = wait4(-1, &st, WNOHANG | WUNTRACED | WCONTINUED, &ru);
    if (pid == -1 && errno == EINTR)
      continue;
    if (pid <= 0)
      return;
    if (pid != g->child || w->exited)
      continue;
    if (WIFSTOPPED(st)) {
      if (g->handoff && g->self == 1 && WSTOPSIG(st) == SIGTSTP)
        forward(SIGCONT); /* the kernel ignores Ctrl-Z for a bare PID 1 */
      else if (g->pgid > 0)
        g->stop_sig = WSTOPSIG(st);
      continue;
    }
    if (WIFCONTINUED(st)) {
      g->stop_sig = 0;
      continue;
    }
    ex__loop_command_exited(st, &ru);
    /* Only explain's own child: nothing else to reap (no more wait4). */
    if (!w->cfg->subreaper && g->self != 1)
      return;
  }
}

/* The last writer of every channel is gone: the command is usually
 * exiting, and its status is there by now (the kernel closes its files just
 * before it signals its parent). Reaping now saves a second wake-up for the
 * SIGCHLD; if it is not there, the SIGCHLD still comes. */
void ex__os_channels_ended(void) {
  reap();
}

/* ---- signals ---------------------------------------------------------- */

static int is_stop_signal(int sig) {
  return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* A signal the caller ignored (nohup's SIGHUP) stays ignored for explain
 * and is not forwarded: the kernel keeps it pending while blocked, even
 * though ignored, and the command's group may have reset it. explain
 * changes no disposition but SIGCHLD's, so the one seen now is the
 * caller's. */
static int caller_ignores(int sig) {
  struct sigaction sa;

  return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN &&
         !(sa.sa_flags & SA_SIGINFO);
}

/* Gives each pseudo-terminal the size of the real terminal behind it.
 * Returns 1 when some size changed. */
static int sync_winsizes(void) {
  size_t i;
  int changed;

  changed = 0;
  for (i = 0; i < w->nchan; i++) {
    if (w->chan[i].os.pty && w->chan[i].open &&
        ex_pty_sync_winsize(w->chan[i].out_fd, w->chan[i].os.fd) == 1)
      changed = 1;
  }
  return changed;
}

static void on_signal(const struct signalfd_siginfo *si) {
  int sig;
  int from_tty;

  sig = (int)si->ssi_signo;
  if (sig == SIGCHLD) {
    reap();
    return;
  }
  /* A SIGPIPE (or anything else) explain raised against itself. */
  if ((pid_t)si->ssi_pid == g->self && si->ssi_code == SI_USER)
    return;
  if (caller_ignores(sig))
    return;
  if (sig == SIGWINCH)
    sync_winsizes();

  /* In a shared group the terminal already signalled the command. */
  from_tty = g->pgid == 0 && si->ssi_code == SI_KERNEL;
  /* A continued job takes the terminal back before it runs again; a stop
   * of the command that explain has not followed yet is void. */
  if (sig == SIGCONT && g->pgid > 0) {
    give_terminal_to_command();
    g->stop_sig = 0;
  }
  if (!from_tty)
    forward(sig);
  if (g->pgid == 0 && is_stop_signal(sig))
    stop_self(sig);
}

/* The command, in a group of its own, stopped: explain stops with the same
 * signal, as sudo does, so that whoever waits on explain (a shell, with a
 * terminal or without, a supervisor) sees its job stopped, and a SIGCONT
 * to explain resumes both. Done once the signals read with the command's
 * SIGCHLD are handled: a SIGCONT among them (the standard signals come in
 * order of number, so after SIGCHLD) has continued the command already,
 * and a stop of explain's own would discard any SIGCONT still pending. */
static void follow_stop(void) {
  int sig;

  sig = g->stop_sig;
  g->stop_sig = 0;
  if (sig != 0 && !w->exited)
    stop_self(sig);
}

/* Reads the signalfd until it is drained (more than the standard signals
 * at a time, so that one read usually takes all), then follows a stop. */
static void on_signal_ready(void) {
  struct signalfd_siginfo si[64];
  ssize_t n;
  size_t i;

  for (;;) {
    n = read(g->sig_fd, si, sizeof(si));
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    for (i = 0; i < (size_t)n / sizeof(si[0]); i++)
      on_signal(&si[i]);
    if ((size_t)n < sizeof(si))
      break; /* drained: a later signal makes the descriptor ready again */
  }
  follow_stop();
}

static void on_signal_watch(uv_poll_t *h, int status, int events) {
  (void)h;
  (void)status;
  (void)events;
  on_signal_ready();
}

/* While the command owns the terminal, SIGWINCH goes to its group and not to
 * explain: follow the real terminal's size by looking at it. */
static void on_winsize_poll(uv_timer_t *t) {
  (void)t;
  if (sync_winsizes())
    forward(SIGWINCH);
}

/* Without a signalfd, the command's end is looked for. */
static void on_reap_poll(uv_timer_t *t) {
  if (!w->exited)
    reap();
  if (w->exited)
    uv_timer_stop(t);
}

/* Blocks every signal that can be caught (read from a signalfd once the
 * command runs). Which ones the caller ignored is asked only when one
 * arrives (caller_ignores): 64 sigaction queries at every start cost more
 * than one per signal received.
 * SIGCHLD ignored by the caller would reap the command behind explain's
 * back and leave it waiting forever: explain takes it back, the command
 * gets SIG_IGN again (plan.ignore_sigchld).
 * See core/selfcrash.h: a fault whose signal is blocked kills with
 * the default action and skips any handler, so the fault signals with
 * explain's crash handler stay unblocked (the handler forwards the ones
 * sent from outside); the caller says whether it is there. */
static int setup_signals(void) {
  struct sigaction sa;

  if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
    g->ignore_sigchld = 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    if (sigaction(SIGCHLD, &sa, NULL) == -1)
      return -errno;
  }
  sigfillset(&g->blocked);
  (void)sigdelset(&g->blocked, SIGKILL);
  (void)sigdelset(&g->blocked, SIGSTOP);
  if (w->cfg->faults_handled) {
    (void)sigdelset(&g->blocked, SIGSEGV);
    (void)sigdelset(&g->blocked, SIGBUS);
    (void)sigdelset(&g->blocked, SIGFPE);
    (void)sigdelset(&g->blocked, SIGILL);
  }
  if (sigprocmask(SIG_BLOCK, &g->blocked, &g->caller_mask) == -1)
    return -errno;
  return 0;
}

/* ---- set-up ----------------------------------------------------------- */

/* Fills closed descriptors 0-2 with /dev/null so that none of explain's own
 * descriptors lands there; records which were closed and which are
 * terminals (g->std_tty), one system call each. */
static void fill_std_fds(int closed[3]) {
  int fd;
  int nfd;
  int kind;

  for (fd = 0; fd < 3; fd++) {
    kind = ex_fd_kind(fd);
    g->std_tty[fd] = kind == EX_FD_TTY;
    closed[fd] = kind == EX_FD_CLOSED;
    if (!closed[fd])
      continue;
    nfd = open("/dev/null", O_RDWR);
    if (nfd != -1 && nfd != fd) {
      (void)dup2(nfd, fd);
      close(nfd);
    }
  }
}

/* Finds the controlling terminal among fds 0-2, if explain has one. */
static int find_tty(void) {
  int fd;

  for (fd = 0; fd < 3; fd++) {
    if (g->std_tty[fd] && tcgetpgrp(fd) != -1)
      return fd;
  }
  return -1;
}

/* Opens a channel whose bytes go on to out_fd: a pseudo-terminal when out_fd
 * is a terminal (the command then sees one), else a pipe. The read end is
 * made non-blocking later, by the loop or by wait_without_loop. */
static int open_channel(ex_channel_t *c, int out_fd, int stream,
                        int *child_end) {
  int fds[2];

  c->out_fd = out_fd;
  c->stream = stream;
  c->os.pty = 0;
  c->os.hold = -1;
  c->os.read_once = 0;
  if (g->std_tty[out_fd] && ex_pty_open(&c->os.fd, child_end, out_fd) == 0) {
    c->os.pty = 1;
    return 0;
  }
  if (pipe2(fds, O_CLOEXEC) == -1)
    return -errno;
  c->os.fd = fds[0];
  *child_end = fds[1];
  return 0;
}

/* Crash reports: environ with cfg->extra_env merged in (see wrap.h).
 * Returns a new array (the strings are borrowed) or NULL. */
extern char **environ;

static char **merge_env(char *const *extra) {
  char **env;
  size_t n;
  size_t k;
  size_t i;
  size_t j;
  size_t len;

  for (n = 0; environ != NULL && environ[n] != NULL; n++)
    ;
  for (k = 0; extra[k] != NULL; k++)
    ;
  env = malloc((n + k + 1) * sizeof(*env));
  if (env == NULL)
    return NULL;
  for (i = 0; i < n; i++)
    env[i] = environ[i];
  for (j = 0; j < k; j++) {
    len = strcspn(extra[j], "=") + 1;
    for (i = 0; i < n; i++) {
      if (strncmp(env[i], extra[j], len) == 0)
        break;
    }
    env[i] = extra[j];
    if (i == n)
      n++;
  }
  env[n] = NULL;
  return env;
}

static void keep_or_close(ex_channel_t *c, int *child_end, int started) {
  if (*child_end < 0)
    return;
  if (started && !c->os.pty)
    c->os.hold = *child_end;
  else
    close(*child_end);
  *child_end = -1;
}

static void no_relay(int err) {
  fprintf(stderr,
          "explain: no descriptor for the output relay (%s): the command "
          "runs, its output is not read\n",
          strerror(-err));
}

static void close_all_channels(void) {
  size_t i;

  for (i = 0; i < w->nchan; i++) {
    if (w->chan[i].os.fd >= 0)
      close(w->chan[i].os.fd);
    w->chan[i].os.fd = -1;
  }
}

/* ---- waiting for the command ------------------------------------------- */

/* The signalfd, made after the spawn (signals that came in between wait,
 * blocked, for it). Without one (no memory for it) the output is still
 * relayed and the status kept, without signal forwarding or job control. */
static void open_signal_fd(void) {
  g->sig_fd = signalfd(-1, &g->blocked, SFD_NONBLOCK | SFD_CLOEXEC);
  if (g->sig_fd == -1 && (errno == EMFILE || errno == ENFILE) &&
      drop_holds()) /* the signalfd matters more (ulimit -n 5) */
    g->sig_fd = signalfd(-1, &g->blocked, SFD_NONBLOCK | SFD_CLOEXEC);
  if (g->sig_fd == -1)
    fprintf(stderr,
            "explain: no signal descriptor (%s): relaying without "
            "forwarding signals\n",
            strerror(errno));
}

/* Whether libuv's loop fits next to explain's descriptors, leaving room
 * for the rule files: libuv aborts when it cannot make its signal lock
 * pipe, so this is asked first. With a roomy limit (the usual 1024 or more)
 * one getrlimit answers, on the assumption that the caller did not pass
 * nearly that many descriptors; below it, the free slots are counted by
 * taking them (and given back at once, so that libuv gets the same
 * numbers). */
static int room_for_loop(void) {
  int fds[EX_LOOP_FDS + EX_SPARE_FDS];
  struct rlimit rl;
  int n;
  int ok;

  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
      (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= EX_ROOMY_NOFILE))
    return 1;
  for (n = 0; n < EX_LOOP_FDS + EX_SPARE_FDS; n++) {
    fds[n] = fcntl(2, F_DUPFD_CLOEXEC, 0);
    if (fds[n] == -1)
      break;
  }
  ok = n == EX_LOOP_FDS + EX_SPARE_FDS;
  while (n-- > 0)
    close(fds[n]);
  return ok;
}

/* The channels, the signalfd and the timers on the loop. Fails only when
 * libuv does (no memory): the caller then waits without it. */
static int start_on_loop(void) {
  ex_channel_t *c;
  size_t i;
  int rc;

  rc = ex__loop_init();
  for (i = 0; rc == 0 && i < w->nchan; i++) {
    c = &w->chan[i];
    rc = uv_poll_init(&w->loop, &c->os.watch, c->os.fd); /* made non-blocking */
    c->os.watch.data = c;
    if (rc == 0)
      rc = uv_poll_start(&c->os.watch, UV_READABLE, on_channel_watch);
    if (rc == 0)
      c->open = 1;
  }
  if (rc == 0 && g->sig_fd >= 0) {
    rc = uv_poll_init(&w->loop, &g->sig_watch, g->sig_fd);
    if (rc == 0)
      rc = uv_poll_start(&g->sig_watch, UV_READABLE, on_signal_watch);
  }
  if (rc == 0 && g->sig_fd < 0) {
    uv_timer_init(&w->loop, &g->reap_timer);
    uv_timer_start(&g->reap_timer, on_reap_poll, EX_NO_SIGFD_REAP_MS,
                   EX_NO_SIGFD_REAP_MS);
  }
  if (rc == 0 && g->handoff) {
    uv_timer_init(&w->loop, &g->winsize_timer);
    uv_timer_start(&g->winsize_timer, on_winsize_poll, EX_WINSIZE_POLL_MS,
                   EX_WINSIZE_POLL_MS);
  }
  return rc;
}

/* libuv's poll keeps its 1024 epoll events (12 KB) on the stack, below
 * the frames explain has used so far, and the lazy binding of the C
 * library's functions it calls first saves the vector registers below
 * that: the pages they take are made present in one call instead of a page
 * fault each (about 4 us apiece in this VM; 9 stack faults become 4-5).
 * Before Linux 5.14 the call fails and nothing changes. */
static void ready_stack_for_loop(void) {
#ifdef MADV_POPULATE_WRITE
  char here;
  uintptr_t page;

  page = (uintptr_t)&here & ~(uintptr_t)(EX_PAGE - 1);
  (void)madvise((void *)(page - EX_LOOP_STACK), EX_LOOP_STACK,
                MADV_POPULATE_WRITE);
#endif
}

/* No room for the loop (a tiny ulimit -n): one poll() over the signalfd and
 * the channels, calling what the loop would call. Without the loop the
 * window size of a pty is not followed and the settle callback is not
 * made. */
static void wait_without_loop(void) {
  struct pollfd fds[1 + EX_CHANNELS];
  ex_channel_t *chan[1 + EX_CHANNELS];
  ex_channel_t *c;
  uint64_t now;
  nfds_t n;
  nfds_t i;
  size_t k;
  int timeout;

  for (k = 0; k < w->nchan; k++) {
    c = &w->chan[k];
    (void)ex_fd_set_nonblock(c->os.fd, 1);
    c->open = 1;
  }
  while (!w->stop) {
    n = 0;
    if (g->sig_fd >= 0) {
      fds[n].fd = g->sig_fd;
      fds[n].events = POLLIN;
      chan[n++] = NULL;
    }
    for (k = 0; k < w->nchan; k++) {
      if (!w->chan[k].open)
        continue;
      fds[n].fd = w->chan[k].os.fd;
      fds[n].events = POLLIN;
      chan[n++] = &w->chan[k];
    }
    timeout = -1;
    if (w->linger_at_ms > 0) {
      now = ex__loop_now_ms();
      timeout = now >= w->linger_at_ms ? 0 : (int)(w->linger_at_ms - now);
    } else if (g->sig_fd < 0) {
      timeout = EX_NO_SIGFD_REAP_MS;
    }
    if (poll(fds, n, timeout) == -1 && errno != EINTR && errno != EAGAIN &&
        errno != ENOMEM)
      break; /* EFAULT, EINVAL: not from this loop */
    for (i = 0; i < n; i++) {
      c = chan[i];
      if (fds[i].revents == 0)
        continue;
      if (c == NULL) {
        on_signal_ready();
        continue;
      }
      on_readable(c);
    }
    if (g->sig_fd < 0 && !w->exited)
      reap();
    if (w->linger_at_ms > 0 && ex__loop_now_ms() >= w->linger_at_ms)
      ex__loop_linger_over();
  }
}

int ex_wrap_run(const ex_wrap_config_t *cfg, ex_wrap_result_t *res) {
  ex_spawn_plan_t plan;
  size_t i;
  int closed[3];
  int err_end;
  int out_end;
  int rc;
  pid_t pid;
  int leader;
  int foreground;
  char **envp;
  char *const *extra;

  envp = NULL;
  memset(res, 0, sizeof(*res));
  memset(&plan, 0, sizeof(plan));
  ex__loop_reset(cfg, res);
  for (i = 0; i < EX_CHANNELS; i++) {
    w->chan[i].os.fd = -1;
    w->chan[i].os.hold = -1;
  }
  g->self = getpid();
  g->stop_sig = 0;
  g->sig_fd = -1;
  g->tty_fd = -1;
  err_end = -1;
  out_end = -1;

  fill_std_fds(closed);
  rc = ex_spawn_resolve(cfg->argv[0], &res->path, &res->searched);
  if (rc == -ENOENT || rc == -EACCES) {
    res->exec_errno = -rc;
    return 0;
  }
  if (rc != 0)
    return rc;

#ifdef HAVE_SUBREAPER
  if (cfg->subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
    return -errno;
#endif
  rc = setup_signals();
  if (rc != 0)
    goto fail;

  /* The same file behind fd 1 and fd 2 that is not a terminal: the
   * command's stdout joins the stderr channel so the two stay in order. */
  res->stdout_merged =
      !closed[1] && !closed[2] && !g->std_tty[1] && ex_fd_same_file(1, 2);
  rc = open_channel(&w->chan[0], 2, 0, &err_end);
  if (rc == -EMFILE || rc == -ENFILE) {
    /* No descriptor left for the relay (ulimit -n 4): the command still
     * runs, on explain's own stderr, only its output is not read. */
    no_relay(rc);
    res->channel = EX_WRAP_CHANNEL_NONE;
    res->stdout_merged = 0;
  } else if (rc != 0) {
    goto fail;
  } else {
    w->nchan = 1;
    res->channel =
        w->chan[0].os.pty ? EX_WRAP_CHANNEL_PTY : EX_WRAP_CHANNEL_PIPE;
  }
  if (w->nchan == 1 && cfg->scan_stdout && !res->stdout_merged && !closed[1]) {
    rc = open_channel(&w->chan[1], 1, 1, &out_end);
    if (rc == -EMFILE || rc == -ENFILE)
      no_relay(rc); /* stdout then goes straight to explain's */
    else if (rc != 0)
      goto fail;
    else
      w->nchan = 2;
  }

  g->tty_fd = find_tty();
  /* Without a terminal the command always gets a group of its own, and
   * explain's own group does not matter (one system call fewer). */
  leader = 0;
  foreground = 0;
  if (g->tty_fd >= 0) {
    pid_t pgrp = getpgrp();

    leader = pgrp == g->self;
    foreground = tcgetpgrp(g->tty_fd) == pgrp;
  }
  plan.own_pgrp = !(foreground && !leader);
  g->handoff = plan.own_pgrp && leader && g->tty_fd >= 0;
  plan.tty_fd = g->handoff && foreground ? g->tty_fd : -1;
  plan.path = res->path;
  plan.argv = cfg->argv;
  plan.stderr_fd = err_end;
  plan.stdout_fd = res->stdout_merged ? err_end : out_end;
  plan.close_fds[0] = closed[0];
  plan.close_fds[1] = closed[1];
  plan.close_fds[2] = 0;
  plan.mask = &g->caller_mask;
  plan.ignore_sigchld = g->ignore_sigchld;
  plan.hook = cfg->child_hook; /* --trace */
  plan.hook_arg = cfg->child_hook_arg;
  extra =
      cfg->prepare_env != NULL ? cfg->prepare_env(cfg->ctx, res->path) : NULL;
  if (extra == NULL)
    extra = cfg->extra_env;
  if (extra != NULL) {
    envp = merge_env(extra);
    if (envp == NULL) {
      rc = -ENOMEM;
      goto fail;
    }
    plan.envp = envp;
  }

  w->t_start_ns = uv_hrtime();
  pid = ex_spawn_start(&plan);
  free(envp);
  envp = NULL;
  /* Pipe write ends stay with explain until the command is reaped
   * (ex__os_command_exited); a terminal's is closed, so that the master
   * sees the end. */
  keep_or_close(&w->chan[0], &err_end, pid > 0);
  keep_or_close(&w->chan[1], &out_end, pid > 0);
  if (pid < 0) {
    res->exec_errno = (int)-pid;
    rc = 0;
    goto fail;
  }
  res->started = 1;
  res->pid = pid;
  g->child = pid;
  g->pgid = plan.own_pgrp ? pid : 0;

  open_signal_fd();
  if (cfg->on_started != NULL)
    cfg->on_started(cfg->ctx, pid);
  if (room_for_loop() && start_on_loop() == 0) {
    ready_stack_for_loop();
    ex__loop_run();
  }
  /* Without the loop (or, should libuv have failed to take a descriptor,
   * for what is left of the run) explain waits by itself. */
  if (!w->stop) {
    w->loop_up = 0;
    wait_without_loop();
  }
  take_terminal_back();
  /* The signalfd stays open: signals stay blocked, so a Ctrl-C during the
   * report waits, unread, in it. */
  return 0;

fail:
  if (err_end >= 0)
    close(err_end);
  if (out_end >= 0)
    close(out_end);
  close_all_channels();
  return rc;
}

void ex_wrap_result_release(ex_wrap_result_t *res) {
  free(res->path);
  free(res->searched);
  memset(res, 0, sizeof(*res));
}
