#include "wrap/wrap.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

long long ex_wrap_exit_code(int wstatus, int *signo) {
  *signo = 0;
  if (WIFEXITED(wstatus))
    return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) {
    *signo = WTERMSIG(wstatus);
    return 128 + *signo;
  }
  return 125; /* not an end state; cannot happen for a reaped command */
}

void ex_wrap_exit(int wstatus) {
  struct rlimit none = {0, 0};
  struct sigaction sa;
  sigset_t one;
  int code;
  int sig;

  code = ex_wrap_exit_code(wstatus, &sig);
  if (sig == 0 || getpid() == 1)
    _exit(code);

  /* Die of the same signal, so that a shell sees 128+N and a Ctrl-C stops
   * its loop; without a core dump of explain's own. */
  (void)setrlimit(RLIMIT_CORE, &none);
  (void)prctl(PR_SET_DUMPABLE, 0);
  sa.sa_handler = SIG_DFL;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(sig, &sa, NULL);
  (void)kill(getpid(), sig);
  sigemptyset(&one);
  sigaddset(&one, sig);
  (void)sigprocmask(SIG_UNBLOCK, &one, NULL);
  _exit(code); /* a signal whose default is not to terminate */
}

/* Linux forks its helpers (the copier): explain never runs as one. */
int ex_wrap_helper_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return -1;
}
