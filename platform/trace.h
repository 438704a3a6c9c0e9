/* trace: the failing system calls of a command and of all its descendants
 * (`explain --trace`), kept as evidence for the diagnosis.
 *
 * Mechanism. ex_trace_start() forks a small tracer process before the
 * command exists (and before any thread is started). explain stays the
 * command's parent: it spawns it as usual, waits for it, forwards signals and
 * mirrors its stops; the tracer only observes. In the spawn child, before
 * exec, ex_trace_child_hook() allows the tracer (PR_SET_PTRACER, for Yama
 * scope 1), hands it the child's pid over a pipe and waits until the tracer
 * has PTRACE_SEIZEd it; then it installs a seccomp-BPF filter that answers
 * SECCOMP_RET_TRACE for the calls worth recording (open family, stat family,
 * access, exec, mkdir/rename/unlink/link/symlink/chmod/chown/truncate, chdir,
 * socket/bind/connect, mount) and RET_ALLOW for all others, as
 * `strace --seccomp-bpf` does. Tracees therefore stop only at those calls:
 * at the seccomp stop the tracer reads the arguments
 * (PTRACE_GET_SYSCALL_INFO), asks for the syscall-exit stop, and there reads
 * the result. Forks, vforks, threads and execs are followed
 * (PTRACE_O_TRACEFORK|VFORK|CLONE|EXEC). Group stops are left in place
 * (PTRACE_LISTEN), so job control and explain's stop mirroring still work;
 * the real parent is told of the command's stops and exit as usual.
 *
 * Without CAP_SYS_ADMIN the filter needs PR_SET_NO_NEW_PRIVS: under --trace
 * setuid programs (sudo, su, ping on old systems) run without their
 * privileges. The filter outlives the tracer's attention: the tracer keeps
 * tracing every descendant until the last one exits, even after explain has
 * gone (a traced call whose tracer died would fail with ENOSYS).
 *
 * What is kept. Only failed calls, decoded (pid and program, the call as
 * strace prints it, the path resolved against the caller's cwd or dirfd,
 * the socket address, errno, time), in a ring of EX_TRACE_RING entries, so
 * memory stays bounded. Lookups that fail and then succeed elsewhere (PATH
 * search, the dynamic loader's library search, Python's import path, config
 * probing: an ENOENT followed, in the same thread, by a success of a lookup
 * of the same file name) and a short list of paths every program probes
 * (/etc/ld.so.preload, locale files) are dropped as noise.
 *
 * When tracing is refused (ptrace denied by a seccomp profile or Yama scope
 * 3, explain already traced, no seccomp filters), the command runs untraced
 * and ex_trace_refused() says why, for one line on stderr. Nothing here
 * ever changes the command's output or exit status.
 *
 * Conventions: 0 or a negative errno; nothing here prints.
 */
#ifndef EX_TRACE_H
#define EX_TRACE_H

#include <stddef.h>
#include <sys/types.h>

#define EX_TRACE_RING 128      /* failed calls kept (the most recent) */
#define EX_TRACE_PATH_MAX 1024 /* bytes kept of a resolved path */
#define EX_TRACE_CALL_MAX 640  /* bytes kept of the rendered call */
#define EX_TRACE_FINISH_MS 2000 /* how long explain waits for the log */

/* How much a failed call says about a failure. */
typedef enum ex_trace_relevance {
  EX_TRACE_LOW = 0,    /* a probe: stat/access ENOENT, EEXIST, EAGAIN, ... */
  EX_TRACE_MEDIUM = 1, /* a missing file that was really needed (open,
                          exec, chdir, connect), or a denied probe */
  EX_TRACE_HIGH = 2    /* denied, read-only, full, in use, refused, ... */
} ex_trace_relevance_t;

typedef struct ex_trace_call {
  pid_t pid;          /* the process (thread group) */
  pid_t tid;          /* the thread that made the call */
  char comm[16];      /* the process's name when it made the call */
  char name[24];      /* the system call: "openat" */
  int err;            /* the errno it failed with (positive) */
  char errno_name[16]; /* "EACCES" */
  char operation[16]; /* for the explainers: "read", "write", "exec",
                         "mkdir", "delete", "rename", "link", "chmod",
                         "chown", "search", "connect", "bind", ... */
  char subject_kind[16]; /* "path", "address", or "" */
  char subject[EX_TRACE_PATH_MAX]; /* absolute path (resolved against the
                                      caller's cwd or dirfd), or address
                                      "127.0.0.1:8080"; "" when none */
  char call[EX_TRACE_CALL_MAX]; /* as strace prints it: `openat(AT_FDCWD,
                                   "out.csv", O_WRONLY|O_CREAT|O_TRUNC,
                                   0666) = -1 EACCES` (control bytes
                                   escaped) */
  long long time_ns;  /* CLOCK_MONOTONIC when it returned */
  long long time_ms;  /* milliseconds since the command was attached */
  int relevance;      /* ex_trace_relevance_t */
  unsigned long seq;  /* order among all failed calls */
} ex_trace_call_t;

/* What explain learns from the tracer once the command has exited. */
typedef struct ex_trace_log {
  ex_trace_call_t *calls; /* oldest first; owned */
  size_t count;
  unsigned long failed;   /* failed calls seen in all (noise excluded) */
  unsigned long dropped;  /* of those, pushed out of the ring */
  unsigned long stops;    /* seccomp stops: calls inspected */
  int complete;           /* 1: the tracer sent its whole log */
} ex_trace_log_t;

typedef struct ex_trace ex_trace_t;

/* Forks the tracer. Call before the command is spawned and before explain
 * starts threads or an event loop. Returns 0 and a handle, or a negative
 * errno (then run untraced; *out is NULL). */
int ex_trace_start(ex_trace_t **out);

/* The spawn child's hook (ex_wrap_config_t.child_hook): runs in the child
 * between fork and exec, in memory shared with explain, so it makes system
 * calls only. Attaches the tracer and installs the filter; on any failure
 * the command simply runs untraced (the reason is kept in t). Always
 * returns 0. arg is the ex_trace_t. */
int ex_trace_child_hook(void *arg);

/* After the spawn: NULL when the command is traced, else why it is not
 * ("ptrace is not permitted here (EPERM): ..."). Borrowed from t. */
const char *ex_trace_refused(const ex_trace_t *t);

/* Records when a chunk of the command's output (stream 0: stderr) arrived,
 * so that a message can be paired with the calls made before it. Cheap:
 * counts newlines into a bounded ring. */
void ex_trace_note_output(ex_trace_t *t, int stream, const char *buf,
                          size_t len);

/* When line `line` (1-based) of stream 0 arrived (CLOCK_MONOTONIC ns), or 0
 * when unknown (too old, or another stream). */
long long ex_trace_line_time(const ex_trace_t *t, int stream,
                             unsigned long line);

/* Collects the log once the command has exited, waiting at most timeout_ms
 * for the tracer. log is filled in every case (possibly empty; complete
 * says whether it is whole) and released with ex_trace_log_release().
 * Returns 0 or a negative errno. */
int ex_trace_finish(ex_trace_t *t, int timeout_ms, ex_trace_log_t *log);

/* Frees the handle (the tracer process lives on while it has tracees). */
void ex_trace_free(ex_trace_t *t);

void ex_trace_log_release(ex_trace_log_t *log);

/* Fusion with a finding: the failed call that matches errno_name (required)
 * and, when subject is not NULL, names the same path (or the same file
 * name); among those the last one made at or before `before_ns` (0: no
 * bound). NULL when none. */
const ex_trace_call_t *ex_trace_match(const ex_trace_log_t *log,
                                      const char *errno_name,
                                      const char *subject,
                                      long long before_ns);

/* For a failure that no signature recognised: the last failed call of the
 * highest relevance, at least EX_TRACE_MEDIUM. NULL when none. */
const ex_trace_call_t *ex_trace_last_relevant(const ex_trace_log_t *log);

/* ---------------------------------------------------------------------- */
/* Internal to the tracer but tested: decoding (linux/trace/decode.c).   */

/* Name of errno e ("EACCES"), or NULL when unknown. */
const char *ex_trace_errno_name(int e);

/* Relevance of a failure of system call `name` with errno e (open flags
 * for open calls, else 0). */
int ex_trace_relevance(const char *name, int e, long open_flags);

/* 1 when path is one every program probes (/etc/ld.so.preload, ...). */
int ex_trace_is_noise_path(const char *path);

#endif
