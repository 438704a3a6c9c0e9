/* explain's side of --trace: starting the tracer, the spawn child's hook,
 * collecting the log, and pairing its calls with the findings. */
#include "platform/platform.h"

#include "config.h"
#include "platform/linux/trace/trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define EX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define EX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif

#define EX_MARKS 1024          /* output chunks remembered for timing */
#define EX_ACK_TIMEOUT_MS 5000 /* the spawn child waits this long at most */
#define EX_FILTER_MAX 128

/* Where the child's attachment stopped. */
enum { STEP_OK = 0, STEP_TRACER, STEP_SEIZE, STEP_FILTER };

typedef struct mark {
  unsigned long before; /* lines complete before the chunk */
  unsigned long after;  /* and after it */
  long long t;
} mark_t;

struct ex_trace {
  pid_t tracer;
  int req_w;          /* the spawn child writes its pid here */
  int ack_r;          /* and reads the tracer's answer here */
  int out_r;          /* the log arrives here */
  /* Written by the spawn child (shared memory), read after the spawn. */
  int step;
  int err;
  int hooked;         /* the hook ran */
  char why[256];
  struct sock_filter filter[EX_FILTER_MAX];
  struct sock_fprog prog;
  mark_t marks[EX_MARKS];
  size_t nmarks;      /* marks written in all; the last EX_MARKS are kept */
  unsigned long lines;
};

static long long now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The filter: SECCOMP_RET_TRACE | index for each traced call of the native
 * architecture, SECCOMP_RET_ALLOW for everything else. */
static int build_filter(ex_trace_t *t) {
  struct sock_filter *f;
  size_t n;
  size_t i;

#ifndef EX_AUDIT_ARCH
  (void)f;
  (void)n;
  (void)i;
  return -ENOSYS;
#else
  f = t->filter;
  n = 0;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                        offsetof(struct seccomp_data, arch));
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                        EX_AUDIT_ARCH, 1, 0);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                        offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
  /* x32 calls share the architecture; they are not traced. */
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
                                        0x40000000, 0, 1);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
#endif
  for (i = 0; i < ex__trace_nsys && n + 3 < EX_FILTER_MAX; i++) {
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                          (unsigned)ex__trace_sys[i].nr, 0, 1);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                          SECCOMP_RET_TRACE | (unsigned)i);
  }
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  t->prog.len = (unsigned short)n;
  t->prog.filter = t->filter;
  return 0;
#endif
}

/* Moves fd above the descriptors the tracer will use. */
static int move_high(int fd) {
  int nfd;

  nfd = fcntl(fd, F_DUPFD, 100);
  return nfd == -1 ? fd : nfd;
}

int ex_trace_start(ex_trace_t **out) {
  ex_trace_t *t;
  int req[2];
  int ack[2];
  int log[2];
  int rc;
  pid_t pid;

  *out = NULL;
  t = calloc(1, sizeof(*t));
  if (t == NULL)
    return -ENOMEM;
  t->req_w = t->ack_r = t->out_r = -1;
  req[0] = req[1] = ack[0] = ack[1] = log[0] = log[1] = -1;
  rc = build_filter(t);
  if (rc != 0)
    goto fail;
  if (pipe2(req, O_CLOEXEC) == -1 || pipe2(ack, O_CLOEXEC) == -1 ||
      pipe2(log, O_CLOEXEC) == -1) {
    rc = -errno;
    goto fail;
  }
  /* The whole log fits: the tracer never waits for explain to read. */
  (void)fcntl(log[1], F_SETPIPE_SZ, 1 << 20);
  pid = fork();
  if (pid == -1) {
    rc = -errno;
    goto fail;
  }
  if (pid == 0) {
    req[0] = move_high(req[0]);
    ack[1] = move_high(ack[1]);
    log[1] = move_high(log[1]);
    if (dup2(req[0], 3) == -1 || dup2(ack[1], 4) == -1 ||
        dup2(log[1], 5) == -1)
      _exit(0);
    close_range(6, ~0U, 0);
    ex__trace_tracer_main(3, 4, 5);
  }
  close(req[0]);
  close(ack[1]);
  close(log[1]);
  t->tracer = pid;
  t->req_w = req[1];
  t->ack_r = ack[0];
  t->out_r = log[0];
  t->step = STEP_TRACER;
  t->err = ECHILD;
  *out = t;
  return 0;

fail:
  for (pid = 0; pid < 2; pid++) {
    if (req[pid] >= 0)
      close(req[pid]);
    if (ack[pid] >= 0)
      close(ack[pid]);
    if (log[pid] >= 0)
      close(log[pid]);
  }
  free(t);
  return rc;
}

/* In the spawn child: system calls only (it shares explain's memory). */
int ex_trace_child_hook(void *arg) {
  ex_trace_t *t;
  ex__trace_ack_t a;
  struct pollfd pfd;
  pid_t pid;
  int r;

  t = arg;
  t->hooked = 1;
  pid = getpid();
  /* Yama scope 1 lets only ancestors trace, unless the tracee names its
   * tracer. */
  (void)prctl(PR_SET_PTRACER, (unsigned long)t->tracer, 0, 0, 0);
  if (write(t->req_w, &pid, sizeof(pid)) != (ssize_t)sizeof(pid)) {
    t->err = errno;
    return 0;
  }
  pfd.fd = t->ack_r;
  pfd.events = POLLIN;
  do
    r = poll(&pfd, 1, EX_ACK_TIMEOUT_MS);
  while (r == -1 && errno == EINTR);
  if (r <= 0) {
    t->err = r == 0 ? ETIMEDOUT : errno;
    return 0;
  }
  if (read(t->ack_r, &a, sizeof(a)) != (ssize_t)sizeof(a)) {
    t->err = EPIPE;
    return 0;
  }
  if (a.err != 0) {
    t->step = STEP_SEIZE;
    t->err = a.err;
    return 0;
  }
  /* Seized: only now may traced calls stop (without a tracer they would
   * fail with ENOSYS). Unprivileged filters need no_new_privs. */
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &t->prog) != 0) {
    if (errno != EACCES ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &t->prog) != 0) {
      t->step = STEP_FILTER;
      t->err = errno;
      return 0;
    }
  }
  t->step = STEP_OK;
  t->err = 0;
  return 0;
}

/* The TracerPid of explain itself, 0 when not traced. */
static long own_tracer(void) {
  char buf[2048];
  char *p;

  if (ex_read_small("/proc/self/status", buf, sizeof(buf)) <= 0)
    return 0;
  p = strstr(buf, "TracerPid:");
  return p != NULL ? strtol(p + 10, NULL, 10) : 0;
}

static int yama_scope(void) {
  char buf[16];
  ssize_t n;
  int fd;

  fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  return atoi(buf);
}

EX_HOT const char *ex_trace_refused(const ex_trace_t *t) {
  ex_trace_t *m;
  const char *en;
  long tracer;
  int scope;

  if (t == NULL || !t->hooked || t->step == STEP_OK)
    return NULL;
  m = (ex_trace_t *)t; /* the message is built once, into t */
  if (m->why[0] != '\0')
    return m->why;
  en = ex_trace_errno_name(t->err);
  if (en == NULL)
    en = "?";
  switch (t->step) {
  case STEP_SEIZE:
    tracer = own_tracer();
    scope = yama_scope();
    if (tracer > 0)
      snprintf(m->why, sizeof(m->why),
               "the command is already traced (explain itself is traced by "
               "pid %ld)",
               tracer);
    else if (scope == 3)
      snprintf(m->why, sizeof(m->why),
               "ptrace is disabled on this system (Yama ptrace_scope is 3)");
    else if (t->err == EPERM)
      snprintf(m->why, sizeof(m->why),
               "ptrace is not permitted here (EPERM: a seccomp profile, or "
               "no CAP_SYS_PTRACE%s)",
               scope >= 2 ? ", Yama ptrace_scope 2" : "");
    else
      snprintf(m->why, sizeof(m->why), "ptrace failed (%s)", en);
    break;
  case STEP_FILTER:
    snprintf(m->why, sizeof(m->why),
             "seccomp filters are not available here (%s)", en);
    break;
  default:
    snprintf(m->why, sizeof(m->why), "the tracer did not answer (%s)", en);
    break;
  }
  return m->why;
}

void ex_trace_note_output(ex_trace_t *t, int stream, const char *buf,
                          size_t len) {
  const char *p;
  const char *end;
  unsigned long n;
  mark_t *m;

  if (t == NULL || stream != 0)
    return;
  n = 0;
  end = buf + len;
  for (p = buf; p < end; p++) {
    p = memchr(p, '\n', (size_t)(end - p));
    if (p == NULL)
      break;
    n++;
  }
  m = &t->marks[t->nmarks % EX_MARKS];
  t->nmarks++;
  m->before = t->lines;
  m->after = t->lines + n;
  m->t = now_ns();
  t->lines += n;
}

long long ex_trace_line_time(const ex_trace_t *t, int stream,
                             unsigned long line) {
  const mark_t *m;
  size_t i;
  size_t kept;

  if (t == NULL || stream != 0 || t->nmarks == 0)
    return 0;
  kept = t->nmarks < EX_MARKS ? t->nmarks : EX_MARKS;
  m = &t->marks[(t->nmarks - 1) % EX_MARKS];
  if (line > m->after)
    return m->t; /* the last line, without a newline */
  for (i = 0; i < kept; i++) {
    m = &t->marks[(t->nmarks - 1 - i) % EX_MARKS];
    if (m->before < line && line <= m->after)
      return m->t;
  }
  return 0;
}

static int read_deadline(int fd, void *buf, size_t len, long long deadline) {
  struct pollfd pfd;
  char *p;
  ssize_t n;
  long long left;
  int r;

  p = buf;
  while (len > 0) {
    left = (deadline - now_ns()) / 1000000;
    if (left <= 0)
      return -ETIMEDOUT;
    pfd.fd = fd;
    pfd.events = POLLIN;
    r = poll(&pfd, 1, (int)left);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      return r == 0 ? -ETIMEDOUT : -errno;
    n = read(fd, p, len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      return n == 0 ? -EPIPE : -errno;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void close_fd(int *fd) {
  if (*fd >= 0) {
    close(*fd);
    *fd = -1;
  }
}

int ex_trace_finish(ex_trace_t *t, int timeout_ms, ex_trace_log_t *log) {
  ex__trace_wire_t w;
  long long deadline;
  int rc;

  memset(log, 0, sizeof(*log));
  if (t == NULL)
    return 0;
  /* The tracer, if it never got a pid, sees end of file and leaves. */
  close_fd(&t->req_w);
  close_fd(&t->ack_r);
  if (t->out_r < 0 || t->step != STEP_OK)
    return 0;
  deadline = now_ns() + (long long)timeout_ms * 1000000;
  rc = read_deadline(t->out_r, &w, sizeof(w), deadline);
  if (rc == 0 && (w.magic != EX__TRACE_MAGIC || w.count > EX_TRACE_RING))
    rc = -EPROTO;
  if (rc != 0)
    goto done;
  log->failed = (unsigned long)w.failed;
  log->dropped = (unsigned long)w.dropped;
  log->stops = (unsigned long)w.stops;
  if (w.count > 0) {
    log->calls = calloc(w.count, sizeof(*log->calls));
    if (log->calls == NULL) {
      rc = -ENOMEM;
      goto done;
    }
    rc = read_deadline(t->out_r, log->calls, w.count * sizeof(*log->calls),
                       deadline);
    if (rc != 0) {
      free(log->calls);
      log->calls = NULL;
      goto done;
    }
  }
  log->count = w.count;
  log->complete = 1;
done:
  close_fd(&t->out_r);
  return rc;
}

void ex_trace_free(ex_trace_t *t) {
  if (t == NULL)
    return;
  close_fd(&t->req_w);
  close_fd(&t->ack_r);
  close_fd(&t->out_r);
  /* Reap the tracer if it is done; otherwise it lives on, tracing what
   * remains, and init (or the subreaper) reaps it. */
  if (t->tracer > 0)
    (void)waitpid(t->tracer, NULL, WNOHANG);
  free(t);
}

void ex_trace_log_release(ex_trace_log_t *log) {
  free(log->calls);
  memset(log, 0, sizeof(*log));
}

/* ---- fusion ----------------------------------------------------------- */

static const char *base_of(const char *p) {
  const char *b;

  b = strrchr(p, '/');
  return b != NULL && b[1] != '\0' ? b + 1 : p;
}

static int same_subject(const ex_trace_call_t *c, const char *subject) {
  if (subject == NULL)
    return 1;
  if (c->subject[0] == '\0')
    return 0;
  if (strcmp(c->subject, subject) == 0)
    return 1;
  return strcmp(base_of(c->subject), base_of(subject)) == 0;
}

const ex_trace_call_t *ex_trace_match(const ex_trace_log_t *log,
                                      const char *errno_name,
                                      const char *subject,
                                      long long before_ns) {
  const ex_trace_call_t *c;
  size_t i;

  if (log == NULL || errno_name == NULL)
    return NULL;
  for (i = log->count; i > 0; i--) {
    c = &log->calls[i - 1];
    if (strcmp(c->errno_name, errno_name) != 0)
      continue;
    if (before_ns != 0 && c->time_ns > before_ns)
      continue;
    if (same_subject(c, subject))
      return c;
  }
  return NULL;
}

const ex_trace_call_t *ex_trace_last_relevant(const ex_trace_log_t *log) {
  const ex_trace_call_t *best;
  size_t i;

  best = NULL;
  for (i = 0; log != NULL && i < log->count; i++) {
    if (log->calls[i].relevance < EX_TRACE_MEDIUM)
      continue;
    if (best == NULL || log->calls[i].relevance >= best->relevance)
      best = &log->calls[i];
  }
  return best;
}
