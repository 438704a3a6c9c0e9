/* libexplain-crash.so: the crash reporter explain preloads into the command.
 *
 * The constructor runs before the program's main() and:
 *   1. copies the report directory from EXPLAIN_CRASH_DIR, then gives the
 *      program back the environment it was started with: EXPLAIN_CRASH_DIR
 *      is removed, and LD_PRELOAD is restored to the caller's own value
 *      (EXPLAIN_CRASH_LD_PRELOAD, present only when the caller had one) or
 *      removed. The program, and everything it starts, sees exactly the
 *      caller's environment; only this process carries the reporter.
 *   2. does not load libunwind: that happens at a crash, with RTLD_LOCAL.
 *      libunwind.so.8 also exports the _Unwind_* functions of the C++
 *      exception ABI; linked in as a normal dependency of a preloaded
 *      library it would be searched before libgcc_s and take over every
 *      C++ throw. Opened locally, it is seen by this file alone.
 *   3. gives the main thread an alternate signal stack (a stack overflow
 *      leaves no room on the real one) and installs a handler for SIGSEGV,
 *      SIGBUS, SIGFPE, SIGILL, SIGABRT and SIGTRAP, only where the
 *      disposition is still SIG_DFL. A runtime that installs its own
 *      handlers later (Python's faulthandler, the JVM, Go, Node) replaces
 *      ours and keeps its behaviour.
 *
 * The handler holds no descriptor while the program runs: at crash time it
 * makes the directory (0700, refused when someone else's) and <dir>/<pid>
 * in it (O_EXCL, mode 0600), writes the signal, the registers that matter,
 * the crashing thread's backtrace and a copy of /proc/self/maps, and closes
 * it. Only the command's own process writes: a child it forked without
 * exec keeps the handler but not the report, which explain never reads. It
 * uses only async-signal-safe calls (open, write, read, close, sigaction,
 * getpid, gettid, tgkill) and libunwind's local unwinder, which is meant to
 * run in signal handlers; no malloc, no stdio. The one exception is the
 * dlopen of libunwind itself, after the signal and registers are written.
 * Then the disposition goes back to SIG_DFL and the signal is delivered
 * again, so the process dies of it exactly as it would have (same signal,
 * same core dump): a hardware fault simply faults again when the handler
 * returns; an abort(), a trap or a signal sent by someone is raised again
 * on the thread.
 *
 * If unwinding itself hangs (the crash happened with the loader's lock
 * held) a 3-second watchdog (SIGALRM, armed only after the crash) ends the
 * process with the original signal.
 *
 * The report format is line-based text, documented in platform/crash.h.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EX_LIBUNWIND_SONAME
#define EX_LIBUNWIND_SONAME "libunwind.so.8"
#endif

#define EX_STR2(x) #x
#define EX_STR(x) EX_STR2(x)

#define EX_ALTSTACK_SIZE (256 * 1024)
#define EX_MAX_FRAMES 128
#define EX_MAPS_MAX (512 * 1024)
#define EX_WATCHDOG_S 3

typedef int (*init_local2_fn)(unw_cursor_t *, unw_context_t *, int);
typedef int (*step_fn)(unw_cursor_t *);
typedef int (*get_reg_fn)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
typedef int (*get_proc_name_fn)(unw_cursor_t *, char *, size_t,
                                unw_word_t *);

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE,
                                    SIGILL,  SIGABRT, SIGTRAP};
#define EX_NSIGNALS (sizeof(crash_signals) / sizeof(crash_signals[0]))

/* explain's directory names are at most ~170 bytes (crash/crash.c). */
#define EX_DIR_MAX 256

/* The handler's pre-allocated state: filled by the constructor, read-only
 * afterwards except for the two flags. It is in .data, not .bss: small
 * enough to share the page of the GOT, which the loader has already
 * written when the constructor runs, so filling it costs no page fault in
 * every command. */
static struct {
  char dir[EX_DIR_MAX];
  init_local2_fn init_local2;
  step_fn step;
  get_reg_fn get_reg;
  get_proc_name_fn get_proc_name;
  int installed[EX_NSIGNALS];
  pid_t pid; /* the command's: a process forked from it writes no report */
  volatile sig_atomic_t crashing_sig; /* the first crash's signal, or 0 */
  int crashing; /* atomic: some thread is writing the report */
} st __attribute__((section(".data")));

/* ---- async-signal-safe output ---------------------------------------- */

typedef struct out {
  int fd;
  char buf[1024];
  size_t len;
} out_t;

static void out_flush(out_t *o) {
  size_t off;
  ssize_t n;

  off = 0;
  while (off < o->len) {
    n = write(o->fd, o->buf + off, o->len - off);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    off += (size_t)n;
  }
  o->len = 0;
}

static void out_bytes(out_t *o, const char *s, size_t n) {
  size_t k;

  while (n > 0) {
    if (o->len == sizeof(o->buf))
      out_flush(o);
    k = sizeof(o->buf) - o->len;
    if (k > n)
      k = n;
    memcpy(o->buf + o->len, s, k);
    o->len += k;
    s += k;
    n -= k;
  }
}

static void out_str(out_t *o, const char *s) { out_bytes(o, s, strlen(s)); }

/* A name from the program's symbol table: no spaces or newlines may reach
 * the line-based report. */
static void out_word(out_t *o, const char *s) {
  char c;

  for (; *s != '\0'; s++) {
    c = *s;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
      c = '_';
    out_bytes(o, &c, 1);
  }
}

static void out_hex(out_t *o, uintptr_t v) {
  char tmp[2 + 2 * sizeof(v)];
  int i;

  i = (int)sizeof(tmp);
  do {
    tmp[--i] = "0123456789abcdef"[v & 0xf];
    v >>= 4;
  } while (v != 0);
  tmp[--i] = 'x';
  tmp[--i] = '0';
  out_bytes(o, tmp + i, sizeof(tmp) - (size_t)i);
}

static void out_dec(out_t *o, long long v) {
  char tmp[24];
  unsigned long long u;
  int i;

  i = (int)sizeof(tmp);
  u = v < 0 ? (unsigned long long)-(v + 1) + 1 : (unsigned long long)v;
  do {
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0)
    tmp[--i] = '-';
  out_bytes(o, tmp + i, sizeof(tmp) - (size_t)i);
}

/* "key value\n" with a number. */
static void out_kv_dec(out_t *o, const char *key, long long v) {
  out_str(o, key);
  out_str(o, " ");
  out_dec(o, v);
  out_str(o, "\n");
}

static void out_kv_hex(out_t *o, const char *key, uintptr_t v) {
  out_str(o, key);
  out_str(o, " ");
  out_hex(o, v);
  out_str(o, "\n");
}

/* ---- the report ------------------------------------------------------- */

static pid_t ex_gettid(void) { return (pid_t)syscall(SYS_gettid); }

static void write_registers(out_t *o, const ucontext_t *uc) {
#if defined(__x86_64__)
  out_kv_hex(o, "pc", (uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
  out_kv_hex(o, "sp", (uintptr_t)uc->uc_mcontext.gregs[REG_RSP]);
  /* The page-fault error code: bit 1 write, bit 4 instruction fetch. */
  out_kv_hex(o, "err", (uintptr_t)uc->uc_mcontext.gregs[REG_ERR]);
  out_kv_dec(o, "trapno", (long long)uc->uc_mcontext.gregs[REG_TRAPNO]);
#elif defined(__aarch64__)
  out_kv_hex(o, "pc", (uintptr_t)uc->uc_mcontext.pc);
  out_kv_hex(o, "sp", (uintptr_t)uc->uc_mcontext.sp);
#elif defined(__i386__)
  out_kv_hex(o, "pc", (uintptr_t)uc->uc_mcontext.gregs[REG_EIP]);
  out_kv_hex(o, "sp", (uintptr_t)uc->uc_mcontext.gregs[REG_ESP]);
  out_kv_hex(o, "err", (uintptr_t)uc->uc_mcontext.gregs[REG_ERR]);
#else
  (void)o;
  (void)uc;
#endif
}

static uintptr_t context_pc(const ucontext_t *uc) {
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.pc;
#elif defined(__i386__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
#else
  (void)uc;
  return 0;
#endif
}

/* The bytes of the instruction that the CPU refused (SIGILL): the page is
 * mapped executable, since the CPU fetched from it. */
static void write_insn(out_t *o, const ucontext_t *uc) {
  const unsigned char *p;
  char hex[2];
  int i;

  p = (const unsigned char *)context_pc(uc);
  if (p == NULL)
    return;
  out_str(o, "insn ");
  for (i = 0; i < 16; i++) {
    hex[0] = "0123456789abcdef"[p[i] >> 4];
    hex[1] = "0123456789abcdef"[p[i] & 0xf];
    out_bytes(o, hex, 2);
  }
  out_str(o, "\n");
}

/* One line per frame: "frame IP SP NAME+OFF" (NAME is "?" when unknown).
 * The module and its base come from the maps copy, after the fact. */
static int load_unwinder(void);

static void write_backtrace(out_t *o, ucontext_t *uc) {
  unw_cursor_t cur;
  unw_word_t ip;
  unw_word_t sp;
  unw_word_t off;
  char name[256];
  int n;

  /* libunwind is opened only now, at the crash: loading it (and liblzma)
   * into every command would cost every run of explain about half a
   * millisecond. dlopen is not async-signal-safe; when the crash happened
   * with the loader's or malloc's lock held it hangs, and the watchdog ends
   * the process with its signal (the report then has no backtrace). */
  if (st.init_local2 == NULL)
    (void)load_unwinder();
  if (st.init_local2 == NULL ||
      st.init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) != 0) {
    out_str(o, "unwind unavailable\n");
    return;
  }
  for (n = 0; n < EX_MAX_FRAMES; n++) {
    ip = 0;
    sp = 0;
    if (st.get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0)
      break;
    (void)st.get_reg(&cur, UNW_REG_SP, &sp);
    out_str(o, "frame ");
    out_hex(o, (uintptr_t)ip);
    out_str(o, " ");
    out_hex(o, (uintptr_t)sp);
    out_str(o, " ");
    off = 0;
    if (st.get_proc_name != NULL &&
        st.get_proc_name(&cur, name, sizeof(name), &off) == 0) {
      name[sizeof(name) - 1] = '\0';
      out_word(o, name);
      out_str(o, "+");
      out_hex(o, (uintptr_t)off);
    } else {
      out_str(o, "?");
    }
    out_str(o, "\n");
    if (st.step(&cur) <= 0)
      break;
  }
  if (n == EX_MAX_FRAMES) {
    /* Count the rest (a deep recursion), up to a bound. */
    while (n < 100000 && st.step(&cur) > 0)
      n++;
    out_kv_dec(o, "depth", n);
  }
}

static void write_maps(out_t *o) {
  char buf[1024];
  size_t total;
  ssize_t n;
  int fd;

  out_str(o, "maps\n");
  fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return;
  total = 0;
  while (total < EX_MAPS_MAX) {
    n = read(fd, buf, sizeof(buf));
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out_bytes(o, buf, (size_t)n);
    total += (size_t)n;
  }
  close(fd);
}

static void write_report(int sig, siginfo_t *si, ucontext_t *uc) {
  char path[EX_DIR_MAX + 32];
  struct stat dst;
  out_t o;
  size_t dlen;
  pid_t pid;
  int i;
  char num[16];
  unsigned v;

  /* Only the command's own report is read, and only when the command dies
   * of a signal: a child it forked (without exec, so with this handler)
   * writes none, which lets explain look for the directory only after a
   * death by signal. */
  pid = getpid();
  if (pid != st.pid)
    return;
  /* path = dir + "/" + pid, built by hand. */
  dlen = strlen(st.dir);
  memcpy(path, st.dir, dlen);
  path[dlen++] = '/';
  v = (unsigned)pid;
  i = (int)sizeof(num);
  do {
    num[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  memcpy(path + dlen, num + i, sizeof(num) - (size_t)i);
  path[dlen + sizeof(num) - (size_t)i] = '\0';

  /* The directory is made now, at the crash; one that someone else made
   * (or a link) is not written into. */
  path[dlen - 1] = '\0';
  if (mkdir(path, 0700) == -1 && errno != EEXIST)
    return;
  if (lstat(path, &dst) == -1 || !S_ISDIR(dst.st_mode) ||
      dst.st_uid != geteuid() || (dst.st_mode & 077) != 0)
    return;
  path[dlen - 1] = '/';
  o.len = 0;
  o.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              0600);
  if (o.fd == -1)
    return;
  out_str(&o, "explain-crash 1\n");
  out_kv_dec(&o, "pid", pid);
  out_kv_dec(&o, "tid", ex_gettid());
  out_kv_dec(&o, "signal", sig);
  out_kv_dec(&o, "code", si->si_code);
  out_kv_hex(&o, "addr", (uintptr_t)si->si_addr);
  if (si->si_code <= 0)
    out_kv_dec(&o, "sender", si->si_pid);
  write_registers(&o, uc);
  if (sig == SIGILL && si->si_code > 0)
    write_insn(&o, uc);
  out_flush(&o);
  write_backtrace(&o, uc);
  out_str(&o, "end-frames\n");
  out_flush(&o);
  write_maps(&o);
  out_flush(&o);
  (void)close(o.fd);
}

/* ---- dying the same way ----------------------------------------------- */

static void set_default(int sig) {
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(sig, &sa, NULL);
}

/* Delivers sig, now SIG_DFL, to this thread at once. */
static void die_now(int sig) {
  sigset_t one;

  set_default(sig);
  (void)syscall(SYS_tgkill, getpid(), ex_gettid(), sig);
  sigemptyset(&one);
  sigaddset(&one, sig);
  (void)sigprocmask(SIG_UNBLOCK, &one, NULL);
}

static void on_watchdog(int sig) {
  (void)sig;
  die_now(st.crashing_sig != 0 ? (int)st.crashing_sig : SIGABRT);
}

static void arm_watchdog(void) {
  struct sigaction sa;
  sigset_t one;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_watchdog;
  sa.sa_flags = SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(SIGALRM, &sa, NULL);
  sigemptyset(&one);
  sigaddset(&one, SIGALRM);
  (void)sigprocmask(SIG_UNBLOCK, &one, NULL);
  (void)alarm(EX_WATCHDOG_S);
}

static void on_crash(int sig, siginfo_t *si, void *ctx) {
  struct timespec ts;
  int hardware;

  if (__atomic_exchange_n(&st.crashing, 1, __ATOMIC_ACQ_REL)) {
    /* Another thread is already reporting, or the reporter itself faulted
     * (with a different signal): end with the first crash's signal. */
    if (st.crashing_sig != 0 && st.crashing_sig != sig) {
      die_now((int)st.crashing_sig);
      return;
    }
    ts.tv_sec = 0;
    ts.tv_nsec = 10 * 1000 * 1000;
    for (;;)
      (void)nanosleep(&ts, NULL); /* the reporting thread ends us */
  }
  st.crashing_sig = sig;
  arm_watchdog();
  write_report(sig, si, (ucontext_t *)ctx);
  (void)alarm(0);

  set_default(sig);
  /* A fault the CPU raised happens again when we return, now fatal, with
   * the same siginfo in the core. A signal someone sent, abort()'s, or a
   * trap (the CPU has moved past int3) is raised again on this thread; it
   * stays blocked until the handler returns. */
  hardware = si->si_code > 0 && sig != SIGTRAP && sig != SIGABRT;
  if (!hardware)
    (void)syscall(SYS_tgkill, getpid(), ex_gettid(), sig);
}

/* ---- set-up ----------------------------------------------------------- */

/* The constructor runs in every command explain starts, so it costs what
 * the kernel calls cost and nothing more: no libc function is called
 * before main (each first call through the PLT is a symbol lookup by the
 * loader), the environment is edited in place, and on x86-64 the eight
 * system calls are made directly. The crash-time code above uses libc as
 * usual; its symbols are bound at the crash. */

extern char **environ;

#if defined(__x86_64__)
/* The kernel's struct sigaction (not glibc's: no 128-byte sigset_t). */
typedef struct {
  void (*handler)(int, siginfo_t *, void *);
  unsigned long flags;
  void (*restorer)(void);
  unsigned long mask;
} ex_ksigaction_t;

#define EX_SA_RESTORER 0x04000000UL

/* The return path of a handler: rt_sigreturn, in the very bytes glibc's
 * __restore_rt has, which debuggers and unwinders recognise as a signal
 * frame. */
void ex_crash_restore_rt(void) __attribute__((visibility("hidden")));
__asm__(".text\n"
        ".align 16\n"
        ".type ex_crash_restore_rt,@function\n"
        "ex_crash_restore_rt:\n"
        "\tmovq $15, %rax\n"
        "\tsyscall\n"
        ".size ex_crash_restore_rt,.-ex_crash_restore_rt\n");

static long raw_syscall4(long nr, long a, long b, long c, long d) {
  long ret;
  register long r10 __asm__("r10") = d;

  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}

static pid_t own_pid(void) {
  return (pid_t)raw_syscall4(SYS_getpid, 0, 0, 0, 0);
}

static int set_altstack(const stack_t *ss, stack_t *old) {
  return raw_syscall4(SYS_sigaltstack, (long)ss, (long)old, 0, 0) == 0 ? 0
                                                                        : -1;
}

/* Installs on_crash for sig; returns 1 when it was installed, 0 when the
 * signal already had a disposition of its own (put back as it was). */
static int take_signal(int sig) {
  ex_ksigaction_t sa;
  ex_ksigaction_t old;

  sa.handler = on_crash;
  sa.flags = SA_SIGINFO | SA_ONSTACK | EX_SA_RESTORER;
  sa.restorer = ex_crash_restore_rt;
  sa.mask = 0;
  if (raw_syscall4(SYS_rt_sigaction, sig, (long)&sa, (long)&old,
                   sizeof(sa.mask)) != 0)
    return 0;
  if ((old.flags & SA_SIGINFO) || old.handler != NULL) {
    (void)raw_syscall4(SYS_rt_sigaction, sig, (long)&old, 0,
                       sizeof(old.mask));
    return 0;
  }
  return 1;
}
#else
static pid_t own_pid(void) { return getpid(); }

static int set_altstack(const stack_t *ss, stack_t *old) {
  return sigaltstack(ss, old);
}

static int take_signal(int sig) {
  struct sigaction sa;
  struct sigaction old;

  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_crash;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, &old) == -1)
    return 0;
  if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) {
    (void)sigaction(sig, &old, NULL);
    return 0;
  }
  return 1;
}
#endif

/* The value of entry e when it is "name=value", else NULL. */
static const char *env_value(const char *e, const char *name) {
  while (*name != '\0' && *e == *name) {
    e++;
    name++;
  }
  return *name == '\0' && *e == '=' ? e + 1 : NULL;
}

/* Restores the caller's environment before anything of the program reads
 * it, in place, as unsetenv does (the order of the others stays): the
 * report directory is copied out of EXPLAIN_CRASH_DIR and the entry
 * removed; LD_PRELOAD gets the caller's value back, which is the tail of
 * "EXPLAIN_CRASH_LD_PRELOAD=..." (present only when the caller had one),
 * or is removed. Returns 0, or -1 when explain did not start us. */
static int restore_environment(void) {
  char **env;
  const char *v;
  const char *dir;
  char *orig;
  size_t i;
  size_t w;
  size_t n;

  env = environ;
  if (env == NULL)
    return -1;
  dir = NULL;
  orig = NULL;
  for (i = 0; env[i] != NULL; i++) {
    if (env[i][0] != 'E')
      continue;
    if ((v = env_value(env[i], "EXPLAIN_CRASH_DIR")) != NULL)
      dir = v;
    else if (env_value(env[i], "EXPLAIN_CRASH_LD_PRELOAD") != NULL)
      orig = env[i] + sizeof("EXPLAIN_CRASH_") - 1;
  }
  if (dir == NULL)
    return -1;
  for (n = 0; dir[n] != '\0' && n < sizeof(st.dir) - 1; n++)
    st.dir[n] = dir[n];
  st.dir[dir[n] == '\0' ? n : 0] = '\0'; /* too long: no reports */
  for (i = w = 0; env[i] != NULL; i++) {
    if (env_value(env[i], "EXPLAIN_CRASH_DIR") != NULL ||
        env_value(env[i], "EXPLAIN_CRASH_LD_PRELOAD") != NULL)
      continue;
    if (env_value(env[i], "LD_PRELOAD") != NULL) {
      if (orig == NULL)
        continue;
      env[i] = orig;
    }
    env[w++] = env[i];
  }
  env[w] = NULL;
  return 0;
}

static int load_unwinder(void) {
  void *h;

  h = dlopen(EX_LIBUNWIND_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return -1;
  st.init_local2 = (init_local2_fn)dlsym(h, EX_STR(unw_init_local2));
  st.step = (step_fn)dlsym(h, EX_STR(unw_step));
  st.get_reg = (get_reg_fn)dlsym(h, EX_STR(unw_get_reg));
  st.get_proc_name = (get_proc_name_fn)dlsym(h, EX_STR(unw_get_proc_name));
  if (st.step == NULL || st.get_reg == NULL)
    st.init_local2 = NULL;
  return 0;
}

/* The alternate stack lives in .bss: its pages cost nothing until a
 * handler runs on them, and no mmap at every start. */
static char altstack[EX_ALTSTACK_SIZE] __attribute__((aligned(16)));

static void install_altstack(void) {
  stack_t ss;
  stack_t old;

  ss.ss_sp = altstack;
  ss.ss_size = sizeof(altstack);
  ss.ss_flags = 0;
  /* One call sets ours and returns what was there: a stack the program (or
   * another preload) already had is put back. */
  if (set_altstack(&ss, &old) == 0 && !(old.ss_flags & SS_DISABLE))
    (void)set_altstack(&old, NULL);
}

/* One call per signal sets ours and returns the old disposition: where one
 * was already ignored or handled, it is put back (left alone). */
static void install_handlers(void) {
  size_t i;

  for (i = 0; i < EX_NSIGNALS; i++)
    st.installed[i] = take_signal(crash_signals[i]);
}

__attribute__((constructor)) static void ex_crash_init(void) {
  if (restore_environment() != 0 || st.dir[0] != '/')
    return; /* not started by explain: do nothing */
  st.pid = own_pid();
  install_altstack();
  install_handlers();
}
