/* wrap: run one command transparently, the way tini runs a container's.
 *
 * ex_wrap_run() starts the command with explain's stdin, environment and cwd,
 * gives it a channel for stderr (a pipe, or a pseudo-terminal when explain's
 * own stderr is a terminal), copies every byte that arrives on that channel
 * to explain's fd 2 at once and hands the same bytes to an output callback
 * (the matcher). When explain's fd 1 and fd 2 are the same file (`2>&1`, a CI
 * log, one terminal) the command's stdout joins the channel, so that the order
 * of the two streams is kept exactly.
 *
 * While the command runs, signals sent to explain are forwarded to the
 * command's process group (terminal-generated ones are not doubled), job
 * control stops are mirrored, and orphans are reaped when explain is PID 1 or a
 * subreaper. ex_wrap_run() returns within about a second of the command's
 * exit even when a descendant keeps the channel open (see ex_wrap_config_t's
 * linger_ms). The caller then diagnoses and ends with ex_wrap_exit().
 *
 * On Windows the channel is always a pipe (no pseudo-console yet), stdout
 * joins it only when it is the same file as stderr, a console control event
 * (Ctrl-C, Ctrl-Break) reaches the command from the console it shares with
 * explain and is not sent again, and there is no process group, job
 * control or reaping of orphans; the fields for Linux-only features
 * (subreaper, faults_handled, extra_env, prepare_env, child_hook) are not
 * used there.
 *
 * The relay, its end, the linger and the timers run on one libuv loop
 * (loop.c), the same on every system; what is particular to one (spawn,
 * signals, reaping, job control) sits under it, in linux/ or win/, chosen
 * by the build (internal.h describes the seam). The process-wide state this
 * needs (the loop, the child's pid for forwarding) lives in those files;
 * ex_wrap_run() must be called at most once per process.
 */
#ifndef EX_WRAP_H
#define EX_WRAP_H

#include <stddef.h>
#include <sys/types.h>

#include "platform/platform.h" /* struct rusage */

/* Called with each chunk of the command's output as soon as it has been
 * written on: stream 0 is stderr (with stdout when the two were merged),
 * stream 1 stdout (only with scan_stdout). buf is borrowed until the callback
 * returns. */
typedef void (*ex_wrap_output_cb)(void *ctx, int stream, const char *buf,
                                  size_t len);

/* Called once, right after the command has been started (it is already
 * running): the place to do work that must not delay the command. */
typedef void (*ex_wrap_started_cb)(void *ctx, pid_t pid);

typedef struct ex_wrap_config {
  char *const *argv;        /* command and arguments, NULL-terminated;
                               borrowed for the duration of the call */
  int subreaper;            /* 1: become a child subreaper (orphans reaped) */
  int faults_handled;       /* 1: explain's own handler holds SIGSEGV,
                               SIGBUS, SIGFPE and SIGILL: they stay
                               unblocked */
  int scan_stdout;          /* 1: stdout goes through explain too (a pipe,
                               or a pty when fd 1 is a terminal) */
  int linger_ms;            /* after the command exits, how long to keep
                               relaying while a descendant holds the channel
                               open; 0 means the default (250 ms) */
  ex_wrap_output_cb on_output; /* may be NULL */
  ex_wrap_started_cb on_started; /* may be NULL */
  ex_wrap_started_cb on_settled; /* may be NULL: called once, settle_ms
                                    after the start, if the command still
                                    runs: for work worth doing only for
                                    commands that run a while */
  int settle_ms;
  void *ctx;                /* passed to the callbacks */
  /* Crash reports: "NAME=value" strings, NULL-terminated, merged into
   * the command's environment at exec: each replaces the variable of the
   * same name in place or is appended, the rest of environ keeps its
   * order. NULL: the command gets environ unchanged. Borrowed. */
  char *const *extra_env;
  /* Called once the command's file is resolved (path borrowed for the
   * call), before it starts: returns more variables for its environment,
   * like extra_env (which it replaces when not NULL). May be NULL. */
  char *const *(*prepare_env)(void *ctx, const char *path);
  /* --trace: called in the command's process after its stdio and
   * process group are set and before exec (with every signal blocked). It
   * shares explain's memory (vfork), so it must make system calls only;
   * its return value is ignored. NULL: none. */
  int (*child_hook)(void *arg);
  void *child_hook_arg;
} ex_wrap_config_t;

/* How the command's output reached explain. */
typedef enum ex_wrap_channel {
  EX_WRAP_CHANNEL_PIPE = 0,
  EX_WRAP_CHANNEL_PTY = 1,
  EX_WRAP_CHANNEL_NONE = 2 /* not read: no descriptor for a relay */
} ex_wrap_channel_t;

typedef struct ex_wrap_result {
  int started;             /* 1 when the command was executed */
  int exec_errno;          /* when not started: why (ENOENT, EACCES, ...) */
  const char *exec_detail; /* when not started: the system's reason in
                              words where the errno says too little (on
                              Windows: a file no program runs, an argument
                              a batch file cannot get), or NULL; static */
  char *path;              /* the file executed or last tried; may be NULL;
                              owned, freed by ex_wrap_result_release() */
  char *searched;          /* PATH value searched when argv[0] has no '/';
                              NULL otherwise; owned */
  pid_t pid;               /* the command's pid when started */
  int wstatus;             /* the command's wait status when started */
  struct rusage rusage;    /* the command's resource usage (wait4) */
  long long duration_ms;   /* from start to exit */
  ex_wrap_channel_t channel;
  int stdout_merged;       /* 1 when stdout went through the channel too */
  int lingering;           /* 1 when a descendant still held the channel */
  int stderr_lost;         /* 1 when writing to explain's fd 2 failed */
  int stdout_lost;         /* 1 when writing to explain's fd 1 failed */
} ex_wrap_result_t;

/* Runs cfg->argv[0] (searched in PATH when it has no '/', as execvp does,
 * with a file that has no #! line run by /bin/sh; on Windows as cmd.exe
 * searches, PATH and PATHEXT, a .bat or .cmd run by cmd.exe) and waits for
 * it.
 *
 * Returns 0 when the command was started and has ended (res->wstatus holds
 * its status), 0 with res->started == 0 when it could not be executed
 * (res->exec_errno says why), or a negative errno when explain itself failed
 * before the command ran. res is filled in every case and must be released
 * with ex_wrap_result_release(). */
int ex_wrap_run(const ex_wrap_config_t *cfg, ex_wrap_result_t *res);

/* Frees what res owns and zeroes it. */
void ex_wrap_result_release(ex_wrap_result_t *res);

/* Maps a wait status to what explain must do at the end: returns the exit
 * code and sets *signo to 0, or, when the command died of a signal,
 * returns 128+N and sets *signo to N. The code is 0-255 on POSIX systems;
 * on Windows, where there are no signals and the wait status is the
 * process's 32-bit exit code, it is that code as an unsigned number
 * (0-4294967295: 3221225477 is 0xC0000005, an access violation). */
long long ex_wrap_exit_code(int wstatus, int *signo);

/* Maps a failed execution to the shell's code: 127 when the file was not
 * found, 126 when it was found but could not be executed. */
int ex_wrap_exec_failure_code(int exec_errno, int file_exists);

/* Ends the process the way the command ended: exit with its code, or die of
 * its signal with core dumps off (when explain is PID 1, which cannot die of
 * a signal, exit 128+N); on Windows, exit with the same 32-bit code. Flush
 * stdio before calling. Never returns. */
void ex_wrap_exit(int wstatus) __attribute__((noreturn));

/* Where the OS part runs explain's own executable again as a helper (on
 * Windows, which has no fork, the copier of a channel handed off after the
 * linger): when argv is such a run, does the helper's work and returns its
 * exit code; otherwise returns -1 at once (always on Linux). The front end
 * calls it first. */
int ex_wrap_helper_main(int argc, char **argv);

#endif
