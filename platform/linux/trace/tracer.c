/* The tracer process: a fork of explain that PTRACE_SEIZEs the command,
 * follows its descendants, and stops them only where the seccomp filter
 * says (SECCOMP_RET_TRACE). It keeps the failed calls in a ring, drops
 * lookups that later succeed, and sends the ring to explain once the
 * command has exited. It then keeps tracing whatever descendants remain
 * until the last one is gone: a tracee whose tracer vanished would see its
 * filtered calls fail with ENOSYS. */
#include "platform/platform.h"
#include "platform/linux/trace/trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EX_NOISE_WINDOW_NS (5LL * 1000 * 1000 * 1000)
#define EX_BASE_MAX 256

/* A thread being traced. */
typedef struct task {
  pid_t tid;   /* 0: free slot */
  pid_t tgid;  /* 0 until read */
  int in_call; /* between the seccomp stop and the exit stop */
  int sys;     /* index in ex__trace_sys */
  uint64_t args[6];
  char comm[16];
  int comm_ok;                 /* comm and tgid are current */
  unsigned pending;            /* ring entries of this thread that a later
                                  success may prove to be noise */
  char exec_base[EX_BASE_MAX]; /* file name of the execve in progress */
} task_t;

/* A slot of the ring. */
typedef struct slot {
  int used;      /* 0: a hole left by a call found to be noise */
  int candidate; /* a failed lookup that may yet be noise */
  int probe;     /* a low-relevance probe (stat, access): a later
                    success in the same directory makes it noise */
  uint64_t dir;  /* hash of the directory part of the path */
  char base[EX_BASE_MAX];
  ex_trace_call_t call;
} slot_t;

static struct {
  task_t *tasks;
  size_t ntasks; /* capacity, a power of two */
  size_t live;
  slot_t ring[EX_TRACE_RING];
  size_t start; /* oldest slot */
  size_t len;   /* slots in use, holes included */
  unsigned long seq;
  unsigned long failed;
  unsigned long dropped;
  unsigned long stops;
  long long t0;
  pid_t main_pid;
  int out;
} T;

static long long now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- tasks ------------------------------------------------------------ */

static task_t *task_find(pid_t tid) {
  size_t i;

  for (i = (size_t)tid & (T.ntasks - 1);; i = (i + 1) & (T.ntasks - 1)) {
    if (T.tasks[i].tid == tid)
      return &T.tasks[i];
    if (T.tasks[i].tid == 0)
      return NULL;
  }
}

static int task_grow(void) {
  task_t *old;
  size_t n;
  size_t i;
  size_t j;

  old = T.tasks;
  n = T.ntasks;
  T.tasks = calloc(n * 2, sizeof(*T.tasks));
  if (T.tasks == NULL) {
    T.tasks = old;
    return -1;
  }
  T.ntasks = n * 2;
  for (i = 0; i < n; i++) {
    if (old[i].tid == 0)
      continue;
    for (j = (size_t)old[i].tid & (T.ntasks - 1); T.tasks[j].tid != 0;
         j = (j + 1) & (T.ntasks - 1))
      ;
    T.tasks[j] = old[i];
  }
  free(old);
  return 0;
}

/* The task for tid, created when new. NULL only when memory ran out. */
static task_t *task_get(pid_t tid) {
  task_t *t;
  size_t i;

  t = task_find(tid);
  if (t != NULL)
    return t;
  if ((T.live + 1) * 2 > T.ntasks && task_grow() != 0)
    return NULL;
  for (i = (size_t)tid & (T.ntasks - 1); T.tasks[i].tid != 0;
       i = (i + 1) & (T.ntasks - 1))
    ;
  memset(&T.tasks[i], 0, sizeof(T.tasks[i]));
  T.tasks[i].tid = tid;
  T.live++;
  return &T.tasks[i];
}

/* Removes tid (linear probing: the entries after it are put back). */
static void task_forget(pid_t tid) {
  task_t *t;
  task_t moved;
  size_t i;
  size_t j;

  t = task_find(tid);
  if (t == NULL)
    return;
  i = (size_t)(t - T.tasks);
  T.tasks[i].tid = 0;
  T.live--;
  for (j = (i + 1) & (T.ntasks - 1); T.tasks[j].tid != 0;
       j = (j + 1) & (T.ntasks - 1)) {
    moved = T.tasks[j];
    T.tasks[j].tid = 0;
    T.live--;
    t = task_get(moved.tid);
    if (t != NULL)
      *t = moved;
  }
}

/* Name and thread group of t, from /proc (once per exec). */
static void task_identify(task_t *t) {
  char path[64];
  char buf[1024];
  char *p;
  ssize_t n;
  int fd;

  if (t->comm_ok)
    return;
  t->comm_ok = 1;
  t->tgid = t->tid;
  t->comm[0] = '\0';
  snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return;
  buf[n] = '\0';
  if (strncmp(buf, "Name:\t", 6) == 0) {
    p = strchr(buf + 6, '\n');
    if (p != NULL)
      *p = '\0';
    (void)ex_strlcpy(t->comm, buf + 6, sizeof(t->comm));
    if (p != NULL)
      *p = '\n';
  }
  p = strstr(buf, "\nTgid:\t");
  if (p != NULL)
    t->tgid = (pid_t)atoi(p + 7);
}

/* ---- the ring --------------------------------------------------------- */

static slot_t *ring_push(void) {
  slot_t *s;
  task_t *t;

  if (T.len == EX_TRACE_RING) {
    s = &T.ring[T.start];
    if (s->used) {
      T.dropped++;
      if (s->candidate) {
        t = task_find(s->call.tid);
        if (t != NULL && t->pending > 0)
          t->pending--;
      }
    }
    T.start = (T.start + 1) % EX_TRACE_RING;
    T.len--;
  }
  s = &T.ring[(T.start + T.len) % EX_TRACE_RING];
  T.len++;
  memset(s, 0, sizeof(*s) - sizeof(s->call));
  return s;
}

/* A lookup of base succeeded in t: the failed lookups of the same file name
 * that t made shortly before were a search (PATH, library path, import
 * path), not failures. */
static void drop_search_noise(task_t *t, const char *base, uint64_t dir,
                              long long now) {
  slot_t *s;
  size_t i;

  if (base[0] == '\0')
    return;
  for (i = 0; i < T.len && t->pending > 0; i++) {
    s = &T.ring[(T.start + i) % EX_TRACE_RING];
    if (!s->used || !s->candidate || s->call.tid != t->tid ||
        now - s->call.time_ns > EX_NOISE_WINDOW_NS ||
        (strcmp(s->base, base) != 0 && !(s->probe && s->dir == dir)))
      continue;
    s->used = 0;
    t->pending--;
    T.failed--;
  }
}

static int is_search_errno(const ex__trace_sys_t *sys, int err) {
  if (err == ENOENT || err == ENOTDIR)
    return 1;
  /* execvp goes on past a directory it may not search, or a file it may
   * not execute, and reports EACCES only when nothing else is found. */
  return err == EACCES && strcmp(sys->op, "exec") == 0;
}

/* FNV-1a of the directory part of path ("" for a bare name). */
static uint64_t dir_hash(const char *path) {
  const char *end;
  uint64_t h;

  end = strrchr(path, '/');
  h = 1469598103934665603ULL;
  for (; end != NULL && path < end; path++)
    h = (h ^ (unsigned char)*path) * 1099511628211ULL;
  return h;
}

static void on_failure(task_t *t, int err) {
  const ex__trace_sys_t *sys;
  ex_trace_call_t c;
  char base[EX_BASE_MAX];
  char raw[EX_TRACE_PATH_MAX];
  slot_t *s;

  /* Not failures: a call to be restarted, one in progress, try again. */
  if (err >= 512 || err == EINTR || err == EAGAIN || err == EINPROGRESS ||
      err == EALREADY)
    return;
  sys = &ex__trace_sys[t->sys];
  memset(&c, 0, sizeof(c));
  ex__trace_decode(sys, t->tid, t->args, err, &c, base, sizeof(base), raw,
                   sizeof(raw));
  if ((err == ENOENT || err == ENOTDIR) && c.subject_kind[0] == 'p' &&
      ex_trace_is_noise_path(c.subject))
    return;
  task_identify(t);
  c.pid = t->tgid;
  c.tid = t->tid;
  memcpy(c.comm, t->comm, sizeof(c.comm));
  c.time_ns = now_ns();
  c.time_ms = (c.time_ns - T.t0) / 1000000;
  c.seq = T.seq++;
  s = ring_push();
  s->used = 1;
  s->candidate = sys->lookup && is_search_errno(sys, err) && base[0] != '\0';
  if (s->candidate) {
    memcpy(s->base, base, sizeof(s->base));
    s->probe = c.relevance == EX_TRACE_LOW;
    s->dir = dir_hash(raw);
    t->pending++;
  }
  s->call = c;
  T.failed++;
}

static void on_success(task_t *t) {
  const ex__trace_sys_t *sys;
  char base[EX_BASE_MAX];
  char raw[EX_TRACE_PATH_MAX];

  sys = &ex__trace_sys[t->sys];
  if (!sys->lookup || t->pending == 0)
    return;
  raw[0] = '\0';
  if (strcmp(sys->op, "exec") == 0)
    memcpy(base, t->exec_base, sizeof(base));
  else
    ex__trace_basename(sys, t->tid, t->args, base, sizeof(base), raw,
                       sizeof(raw));
  drop_search_noise(t, base, dir_hash(raw), now_ns());
}

/* ---- the log ---------------------------------------------------------- */

static void write_all(int fd, const void *buf, size_t len) {
  const char *p;
  ssize_t n;

  p = buf;
  while (len > 0) {
    n = write(fd, p, len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    p += n;
    len -= (size_t)n;
  }
}

static void send_log(void) {
  ex__trace_wire_t w;
  slot_t *s;
  size_t i;

  if (T.out < 0)
    return;
  memset(&w, 0, sizeof(w));
  w.magic = EX__TRACE_MAGIC;
  for (i = 0; i < T.len; i++)
    w.count += T.ring[(T.start + i) % EX_TRACE_RING].used;
  w.failed = T.failed;
  w.dropped = T.dropped;
  w.stops = T.stops;
  write_all(T.out, &w, sizeof(w));
  for (i = 0; i < T.len; i++) {
    s = &T.ring[(T.start + i) % EX_TRACE_RING];
    if (s->used)
      write_all(T.out, &s->call, sizeof(s->call));
  }
  close(T.out);
  T.out = -1;
}

/* ---- stops ------------------------------------------------------------ */

static void restart(task_t *t, pid_t tid, int sig) {
  (void)ptrace(t != NULL && t->in_call ? PTRACE_SYSCALL : PTRACE_CONT, tid, 0,
               (void *)(long)sig);
}

static void on_seccomp_stop(task_t *t) {
  struct __ptrace_syscall_info info;
  const ex__trace_sys_t *sys;
  char path[EX_TRACE_PATH_MAX];
  const char *p;
  const char *b;
  int cut;
  long n;

  T.stops++;
  memset(&info, 0, sizeof(info));
  n = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info);
  if (n <= 0 || info.op != PTRACE_SYSCALL_INFO_SECCOMP ||
      info.seccomp.ret_data >= ex__trace_nsys) {
    (void)ptrace(PTRACE_CONT, t->tid, 0, 0);
    return;
  }
  t->sys = (int)info.seccomp.ret_data;
  memcpy(t->args, info.seccomp.args, sizeof(t->args));
  t->in_call = 1;
  sys = &ex__trace_sys[t->sys];
  /* After a successful exec the old memory is gone: keep the file name. */
  t->exec_base[0] = '\0';
  if (strcmp(sys->op, "exec") == 0 && t->pending > 0) {
    p = strchr(sys->args, 'P');
    if (ex__trace_read_str(t->tid, t->args[p - sys->args], path, sizeof(path),
                           &cut) > 0) {
      b = strrchr(path, '/');
      (void)ex_strlcpy(t->exec_base, b != NULL ? b + 1 : path,
                       sizeof(t->exec_base));
    }
  }
  (void)ptrace(PTRACE_SYSCALL, t->tid, 0, 0);
}

static void on_syscall_stop(task_t *t) {
  struct __ptrace_syscall_info info;
  long n;

  if (!t->in_call) {
    (void)ptrace(PTRACE_CONT, t->tid, 0, 0);
    return;
  }
  t->in_call = 0;
  memset(&info, 0, sizeof(info));
  n = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info);
  if (n > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT) {
    if (info.exit.is_error)
      on_failure(t, (int)-info.exit.rval);
    else
      on_success(t);
  }
  (void)ptrace(PTRACE_CONT, t->tid, 0, 0);
}

static void on_exec(task_t *t, pid_t tid) {
  unsigned long former;
  task_t *old;
  task_t saved;

  /* A thread other than the leader exec'd: it now has the leader's pid. */
  if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &former) == 0 &&
      (pid_t)former != tid) {
    old = task_find((pid_t)former);
    if (old != NULL) {
      saved = *old;
      task_forget((pid_t)former);
      t = task_get(tid);
      if (t != NULL) {
        saved.tid = tid;
        *t = saved;
      }
    }
  }
  if (t != NULL)
    t->comm_ok = 0;
  restart(t, tid, 0);
}

static void on_stop(pid_t tid, int status) {
  task_t *t;
  int sig;
  int event;

  t = task_get(tid);
  sig = WSTOPSIG(status);
  event = (status >> 16) & 0xff;
  if (t == NULL) {
    (void)ptrace(PTRACE_CONT, tid, 0, 0);
    return;
  }
  switch (event) {
  case PTRACE_EVENT_SECCOMP:
    on_seccomp_stop(t);
    return;
  case PTRACE_EVENT_EXEC:
    on_exec(t, tid);
    return;
  case PTRACE_EVENT_FORK:
  case PTRACE_EVENT_VFORK:
  case PTRACE_EVENT_CLONE:
    restart(t, tid, 0);
    return;
  case PTRACE_EVENT_STOP:
    /* A group stop (Ctrl-Z, SIGSTOP): leave it stopped, as without a
     * tracer, so that the parent sees it and SIGCONT ends it. Else the
     * first stop of a new tracee, or an interrupt. */
    if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
      (void)ptrace(PTRACE_LISTEN, tid, 0, 0);
    else
      restart(t, tid, 0);
    return;
  default:
    break;
  }
  if (sig == (SIGTRAP | 0x80)) {
    on_syscall_stop(t);
    return;
  }
  /* A signal on its way to the tracee: deliver it. */
  restart(t, tid, sig);
}

/* ---- main ------------------------------------------------------------- */

static void quiet_signals(void) {
  static const int sigs[] = {SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                             SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE,
                             SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH};
  struct sigaction sa;
  sigset_t none;
  size_t i;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_IGN;
  for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
    (void)sigaction(sigs[i], &sa, NULL);
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static int read_full(int fd, void *buf, size_t len) {
  char *p;
  ssize_t n;

  p = buf;
  while (len > 0) {
    n = read(fd, p, len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

void ex__trace_tracer_main(int req, int ack, int out) {
  ex__trace_ack_t a;
  pid_t pid;
  pid_t w;
  int status;
  int null;

  /* Hold nothing of explain's: no terminal, no pipe a reader waits on. */
  null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    (void)dup2(null, 0);
    (void)dup2(null, 1);
    (void)dup2(null, 2);
    if (null > 2)
      close(null);
  }
  quiet_signals();
  T.out = out;
  T.ntasks = 64;
  T.tasks = calloc(T.ntasks, sizeof(*T.tasks));
  if (T.tasks == NULL || read_full(req, &pid, sizeof(pid)) != 0)
    _exit(0); /* no command, or explain gave up: nothing to trace */
  a.err = 0;
  if (ptrace(PTRACE_SEIZE, pid, 0,
             (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP |
                            PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                            PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)) != 0)
    a.err = errno;
  T.t0 = now_ns();
  T.main_pid = pid;
  write_all(ack, &a, sizeof(a));
  close(ack);
  close(req);
  if (a.err != 0)
    _exit(0);
  (void)task_get(pid);

  for (;;) {
    w = waitpid(-1, &status, __WALL);
    if (w == -1) {
      if (errno == EINTR)
        continue;
      break; /* ECHILD: no tracee left */
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      task_forget(w);
      if (w == T.main_pid)
        send_log();
      continue;
    }
    if (WIFSTOPPED(status))
      on_stop(w, status);
  }
  send_log();
  _exit(0);
}
