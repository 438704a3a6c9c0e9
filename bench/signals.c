/* What it costs a launcher to receive every signal through libuv's loop,
 * two ways, from the start of the process to its first wait:
 *
 *   signals uv        uv_signal_start for each signal a launcher forwards
 *                     (1-64 but SIGKILL, SIGSTOP and the four fault
 *                     signals): libuv's own handlers and signal pipe
 *   signals signalfd  every such signal blocked, one signalfd watched by a
 *                     uv_poll (what wrap/unix/ does)
 *   signals none      the loop alone, no signals
 *
 * Each mode initialises a loop, sets up its signals, runs the loop once
 * without waiting and exits. Time it with bench/interleave.c and count its
 * system calls with strace -c (bench/signals.sh does both). Besides the
 * cost, a libuv signal handler tells only the signal's number: neither
 * si_code (a terminal's Ctrl-C) nor si_pid (a SIGPIPE raised by the
 * launcher's own write) reach the callback. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <uv.h>

#define MAX_SIGNALS 65

static int forwarded(int sig) {
  return sig != SIGKILL && sig != SIGSTOP && sig != SIGSEGV && sig != SIGBUS &&
         sig != SIGFPE && sig != SIGILL;
}

static void on_signal(uv_signal_t *h, int sig) {
  (void)h;
  (void)sig;
}

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)h;
  (void)status;
  (void)events;
}

int main(int argc, char **argv) {
  static uv_signal_t handles[MAX_SIGNALS];
  static uv_poll_t poll;
  static uv_loop_t loop;
  sigset_t set;
  int sig;
  int fd;

  if (argc != 2) {
    fprintf(stderr, "usage: signals uv|signalfd|none\n");
    return 2;
  }
  if (uv_loop_init(&loop) != 0)
    return 1;
  if (strcmp(argv[1], "uv") == 0) {
    for (sig = 1; sig < MAX_SIGNALS && sig <= SIGRTMAX; sig++) {
      if (!forwarded(sig) || (sig > SIGSYS && sig < SIGRTMIN))
        continue;
      uv_signal_init(&loop, &handles[sig]);
      if (uv_signal_start(&handles[sig], on_signal, sig) != 0)
        return 1;
    }
  } else if (strcmp(argv[1], "signalfd") == 0) {
    sigfillset(&set);
    for (sig = 1; sig < MAX_SIGNALS; sig++) {
      if (!forwarded(sig))
        sigdelset(&set, sig);
    }
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
      return 1;
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd == -1 || uv_poll_init(&loop, &poll, fd) != 0 ||
        uv_poll_start(&poll, UV_READABLE, on_poll) != 0)
      return 1;
  } else if (strcmp(argv[1], "none") != 0) {
    return 2;
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  return 0;
}
