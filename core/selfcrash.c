/* explain's own crash handler (see core/selfcrash.h). Everything that runs
 * in the handler is async-signal-safe (write, kill, waitpid, sigaction,
 * sigprocmask, sigtimedwait, close, _exit), except the dlopen of libunwind,
 * which comes after the signal and the faulting address are written; a
 * watchdog ends the process with the right status if unwinding hangs. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "core/selfcrash.h"

#include "config.h"
#include "wrap/wrap.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef EX_BUG_URL
#define EX_BUG_URL "the project's issue tracker"
#endif
#ifndef EX_LIBUNWIND_SONAME
#define EX_LIBUNWIND_SONAME "libunwind.so.8"
#endif
#define EX_ALTSTACK_SIZE (64 * 1024)
#define EX_MAX_FRAMES 48
#define EX_WATCHDOG_S 3
#define EX_EXIT_INTERNAL 125

#define EX_STR2(x) #x
#define EX_STR(x) EX_STR2(x)

typedef int (*init_local2_fn)(unw_cursor_t *, unw_context_t *, int);
typedef int (*step_fn)(unw_cursor_t *);
typedef int (*get_reg_fn)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
typedef int (*get_proc_name_fn)(unw_cursor_t *, char *, size_t,
                                 unw_word_t *);

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define EX_NSIGNALS (sizeof(fault_signals) / sizeof(fault_signals[0]))

/* The crash handler's pre-allocated state: plain words only. */
static struct {
  volatile sig_atomic_t installed;
  volatile sig_atomic_t in_crash;
  volatile sig_atomic_t crash_sig;
  volatile pid_t child;
  volatile sig_atomic_t status_known;
  volatile int wstatus;
  const char *test_crash; /* EXPLAIN_TEST_CRASH, read once */
} st;

/* ---- output (write(2) only) ------------------------------------------- */

static void out(const char *s, size_t n) {
  ssize_t w;

  while (n > 0) {
    w = write(2, s, n);
    if (w == -1 && errno == EINTR)
      continue;
    if (w <= 0)
      return; /* stderr closed or broken: nothing more to do */
    s += w;
    n -= (size_t)w;
  }
}

static void out_str(const char *s) { out(s, strlen(s)); }

static void out_dec(unsigned long v) {
  char b[24];
  size_t i = sizeof(b);

  do {
    b[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0 && i > 0);
  out(b + i, sizeof(b) - i);
}

static void out_hex(uintptr_t v) {
  char b[2 + 2 * sizeof(v)];
  size_t i = sizeof(b);

  do {
    b[--i] = "0123456789abcdef"[v & 0xf];
    v >>= 4;
  } while (v > 0 && i > 2);
  b[--i] = 'x';
  b[--i] = '0';
  out(b + i, sizeof(b) - i);
}

/* A symbol name, with control bytes left out. */
static void out_name(const char *s) {
  size_t i;

  for (i = 0; s[i] != '\0'; i++) {
    if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
      out(s + i, 1);
  }
}

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGSEGV: return "SIGSEGV (invalid memory access)";
  case SIGBUS: return "SIGBUS (bus error)";
  case SIGFPE: return "SIGFPE (arithmetic exception)";
  case SIGILL: return "SIGILL (illegal instruction)";
  case SIGABRT: return "SIGABRT (abort)";
  default: return "a fatal signal";
  }
}

/* ---- backtrace -------------------------------------------------------- */

static void write_backtrace(ucontext_t *uc) {
  init_local2_fn init_local2;
  step_fn step;
  get_reg_fn get_reg;
  get_proc_name_fn get_proc_name;
  unw_cursor_t cur;
  unw_word_t ip;
  unw_word_t off;
  char name[256];
  void *h;
  int n;

  /* dlopen is not async-signal-safe: when the crash happened with the
   * loader's or malloc's lock held it may hang, and the watchdog ends the
   * process (the report then has no backtrace, the status is still
   * right). */
  h = dlopen(EX_LIBUNWIND_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    out_str("  (no backtrace: " EX_LIBUNWIND_SONAME " is not installed)\n");
    return;
  }
  init_local2 = (init_local2_fn)dlsym(h, EX_STR(unw_init_local2));
  step = (step_fn)dlsym(h, EX_STR(unw_step));
  get_reg = (get_reg_fn)dlsym(h, EX_STR(unw_get_reg));
  get_proc_name = (get_proc_name_fn)dlsym(h, EX_STR(unw_get_proc_name));
  if (init_local2 == NULL || step == NULL || get_reg == NULL ||
      init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) != 0) {
    out_str("  (no backtrace: unwinding failed)\n");
    return;
  }
  out_str("backtrace:\n");
  for (n = 0; n < EX_MAX_FRAMES; n++) {
    ip = 0;
    if (get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0)
      break;
    out_str("  #");
    out_dec((unsigned long)n);
    out_str(" ");
    out_hex((uintptr_t)ip);
    off = 0;
    if (get_proc_name != NULL &&
        get_proc_name(&cur, name, sizeof(name), &off) == 0) {
      name[sizeof(name) - 1] = '\0';
      out_str(" ");
      out_name(name);
      out_str("+");
      out_hex((uintptr_t)off);
    }
    out_str("\n");
    if (step(&cur) <= 0)
      break;
  }
  if (n == EX_MAX_FRAMES)
    out_str("  ...\n");
}

/* ---- ending ----------------------------------------------------------- */

/* Dies of sig as if no handler had been there, core dumps off. */
static void die_of(int sig) {
  struct sigaction sa;
  sigset_t one;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(sig, &sa, NULL);
  (void)kill(getpid(), sig);
  sigemptyset(&one);
  sigaddset(&one, sig);
  (void)sigprocmask(SIG_UNBLOCK, &one, NULL);
  _exit(128 + sig);
}

static void forward(pid_t child, int sig) {
  /* The command leads its own group when wrap gave it one (forward() in
   * wrap/linux/run.c): the group gets the signal, else the command alone. */
  if (getpgid(child) == child && kill(-child, sig) == 0)
    return;
  (void)kill(child, sig);
}

/* The command still runs: wait for it, forwarding what explain is sent. */
static void wait_for_command(pid_t child) {
  struct timespec tick = {0, 100 * 1000 * 1000};
  siginfo_t si;
  sigset_t wait_set;
  int status;
  pid_t r;
  size_t i;
  int fd;

  /* Nobody reads the command's stderr any more: explain's end of the pipe
   * (or pty) is closed so that the command gets EPIPE instead of blocking
   * forever on a full pipe. */
  for (fd = 3; fd < 1024; fd++)
    (void)close(fd);
  (void)sigprocmask(SIG_BLOCK, NULL, &wait_set);
  for (i = 0; i < EX_NSIGNALS; i++)
    sigdelset(&wait_set, fault_signals[i]);
  sigdelset(&wait_set, SIGALRM);
  for (;;) {
    r = waitpid(child, &status, WNOHANG);
    if (r == child)
      ex_wrap_exit(status);
    if (r == -1 && errno != EINTR)
      return; /* reaped already (by explain's loop): status unknown */
    if (sigtimedwait(&wait_set, &si, &tick) > 0 && si.si_signo != SIGCHLD &&
        !(si.si_code <= 0 && si.si_pid == getpid()))
      forward(child, si.si_signo);
  }
}

static void finish(int sig) {
  pid_t child = st.child;

  if (st.status_known)
    ex_wrap_exit(st.wstatus);
  if (child > 0) {
    out_str("explain: the command (pid ");
    out_dec((unsigned long)child);
    out_str(") is still running; explain waits for it and exits with its "
            "status (its stderr is no longer passed on)\n");
    wait_for_command(child);
    die_of(sig);
  }
  _exit(EX_EXIT_INTERNAL);
}

static void on_watchdog(int sig) {
  (void)sig;
  out_str("\n(backtrace timed out)\n");
  out_str("=== end of explain crash report ===\n");
  finish(st.crash_sig);
}

/* ---- the handler ------------------------------------------------------ */

static void on_fault(int sig, siginfo_t *si, void *ctx) {
  struct sigaction sa;
  sigset_t alrm;
  pid_t child = st.child;
  int saved = errno;

  /* Sent by someone else (kill, sigqueue, tgkill): not a crash of ours.
   * While the command runs it gets the signal, as through the signalfd;
   * otherwise explain ends as the signal's default action would. */
  if (si != NULL && si->si_code <= 0 && si->si_pid != getpid()) {
    if (child > 0 && !st.status_known) {
      forward(child, sig);
      errno = saved;
      return;
    }
    die_of(sig);
  }
  if (st.in_crash)
    die_of(sig); /* a crash while reporting a crash */
  st.in_crash = 1;
  st.crash_sig = sig;

  out_str("\n=== explain crashed ===\n");
  out_str("explain " EX_VERSION " (pid ");
  out_dec((unsigned long)getpid());
  out_str(") received ");
  out_str(signal_name(sig));
  if (si != NULL) {
    out_str(", code ");
    if (si->si_code < 0) {
      out_str("-");
      out_dec((unsigned long)-si->si_code);
    } else {
      out_dec((unsigned long)si->si_code);
    }
    if (sig != SIGABRT) {
      out_str(", address ");
      out_hex((uintptr_t)si->si_addr);
    }
  }
  out_str("\n");
  if (child > 0) {
    out_str("the command: pid ");
    out_dec((unsigned long)child);
    out_str(st.status_known ? ", already exited\n" : ", still running\n");
  } else {
    out_str("the command had not started\n");
  }

  /* The watchdog, armed only now: SIGALRM is blocked while the launcher
   * runs (it reads signals from a signalfd). */
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_watchdog;
  sa.sa_flags = SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(SIGALRM, &sa, NULL);
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  (void)sigprocmask(SIG_UNBLOCK, &alrm, NULL);
  (void)alarm(EX_WATCHDOG_S);
  write_backtrace((ucontext_t *)ctx);
  (void)alarm(0);
  (void)sigprocmask(SIG_BLOCK, &alrm, NULL);

  out_str("This is a bug in explain, not in your command. Please report it "
          "at " EX_BUG_URL ", with this report and the command line.\n");
  out_str("=== end of explain crash report ===\n");
  finish(sig);
}

/* ---- set-up ----------------------------------------------------------- */

/* In .bss: no mapping to make at every start-up, and no page is touched
 * until a crash uses it. */
static char altstack[EX_ALTSTACK_SIZE] __attribute__((aligned(16)));

static void install_altstack(void) {
  stack_t ss;

  ss.ss_sp = altstack;
  ss.ss_size = sizeof(altstack);
  ss.ss_flags = 0;
  (void)sigaltstack(&ss, NULL);
}

int ex_selfcrash_install(void) {
  struct sigaction sa;
  size_t i;

  st.test_crash = getenv("EXPLAIN_TEST_CRASH");
  install_altstack();
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  /* While one fault is reported, the other fault signals wait. */
  for (i = 0; i < EX_NSIGNALS; i++)
    sigaddset(&sa.sa_mask, fault_signals[i]);
  for (i = 0; i < EX_NSIGNALS; i++) {
    if (sigaction(fault_signals[i], &sa, NULL) == -1)
      return -errno;
  }
  st.installed = 1;
  return 0;
}

int ex_selfcrash_owns(int sig) {
  return st.installed &&
         (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL);
}

void ex_selfcrash_set_child(pid_t pid) {
  st.child = pid;
}

void ex_selfcrash_set_status(int wstatus) {
  st.wstatus = wstatus;
  st.status_known = 1;
}

void ex_selfcrash_test_point(const char *where) {
  static volatile uintptr_t bad = 16;
  size_t n;

  if (st.test_crash == NULL)
    return;
  n = strlen(where);
  if (strncmp(st.test_crash, where, n) != 0)
    return;
  if (strcmp(st.test_crash + n, "-abort") == 0)
    abort();
  if (st.test_crash[n] == '\0')
    *(volatile int *)bad = 1;
}
