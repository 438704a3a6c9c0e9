/* explain's front end: options, the launcher, the diagnosis, the exit. */
#include "config.h"
#include "core/modes.h"
#include "core/options.h"
#include "core/selfcrash.h"
#include "core/session.h"
#include "platform/cjson.h"
#include "wrap/wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EX_EXIT_INTERNAL 125

/* Prints s with control bytes shown as \xNN, so that a name echoed back
 * cannot drive the terminal. */
static void put_sanitized(FILE *f, const char *s, size_t n) {
  size_t i;
  unsigned char c;

  for (i = 0; i < n; i++) {
    c = (unsigned char)s[i];
    if (c == '\r')
      fputs("\\r", f);
    else if (c < 0x20 || c == 0x7f)
      fprintf(f, "\\x%02x", c);
    else
      fputc(c, f);
  }
}

static void put_str(FILE *f, const char *s) { put_sanitized(f, s, strlen(s)); }

/* For an existing file that exec reported as missing: the #! interpreter. */
static void put_interpreter(FILE *f, const char *path) {
  char line[256];
  ssize_t n;
  char *nl;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1)
    return;
  n = read(fd, line, sizeof(line) - 1);
  close(fd);
  if (n < 2 || line[0] != '#' || line[1] != '!') {
    fputs(" (its ELF interpreter, the dynamic loader, was not found)", f);
    return;
  }
  line[n] = '\0';
  nl = strchr(line, '\n');
  if (nl != NULL)
    *nl = '\0';
  fputs(" (its interpreter was not found: #!", f);
  put_str(f, line + 2);
  fputs(")", f);
}

static int report_exec_failure(const char *name, const ex_wrap_result_t *r) {
  struct stat st;
  int exists;
  int code;

  exists = r->path != NULL && stat(r->path, &st) == 0;
  code = ex_wrap_exec_failure_code(r->exec_errno, exists);
  fputs("explain: ", stderr);
  put_str(stderr, name);
  if (code == 127 && r->searched != NULL) {
    fputs(": command not found (searched PATH=", stderr);
    put_str(stderr, r->searched);
    fputs(")\n", stderr);
    return code;
  }
  fprintf(stderr, ": %s",
          r->exec_detail != NULL ? r->exec_detail : strerror(r->exec_errno));
  if (r->path != NULL && strcmp(r->path, name) != 0) {
    fputs(" (", stderr);
    put_str(stderr, r->path);
    fputs(r->exec_errno == EACCES ? ", found in PATH but not executable)"
                                  : ")",
          stderr);
  }
  if (r->exec_errno == ENOENT && exists)
    put_interpreter(stderr, r->path);
  fputc('\n', stderr);
  return code;
}

static void on_started(void *ctx, pid_t pid) {
  ex_session_t *s;
  const char *why;

  s = ctx;
  s->pid = pid;
  ex_selfcrash_set_child(pid);
  /* --trace: refused tracing costs one line, never the run. */
  why = ex_trace_refused(s->trace);
  if (why != NULL) {
    fputs("explain: --trace: ", stderr);
    put_str(stderr, why);
    fputs("; running the command untraced\n", stderr);
    fflush(stderr);
  }
}

/* The command has run a few milliseconds: read the memory cgroup counters
 * that a SIGKILL is compared with. A command that ends sooner costs
 * nothing (no memory limit is reached that fast; its kill stays "sender
 * unknown"). */
static void on_settled(void *ctx, pid_t pid) {
  ex_session_t *s;

  (void)pid;
  s = ctx;
  if (s->crash != NULL)
    ex_crash_started(s->crash);
}

/* The first output of the command: read and compile the rules now, on a
 * thread of their own, so that explain never delays the command or its
 * output, and a command that prints nothing costs no compiling at all. */
static void on_output(void *ctx, int stream, const char *buf, size_t len) {
  ex_session_t *s;

  s = ctx;
  ex_selfcrash_test_point("output");
  if (s->crash != NULL && stream == 0)
    ex_crash_feed(s->crash, buf, len);
  ex_trace_note_output(s->trace, stream, buf, len);
  /* The scanning thread snapshots the command and compiles the rules;
   * without it, both happen here. */
  if (!s->load_started && (!s->opts->quiet || s->opts->report != NULL) &&
      ex_session_load_async(s) != 0) {
    ex_session_capture(s);
    (void)ex_session_load(s);
  }
  ex_session_feed(s, stream == 1 ? EX_STREAM_STDOUT : EX_STREAM_STDERR, buf,
                  len);
}

/* The command's file is resolved: the crash reporter's preload and its
 * private directory are decided now, before it starts. Failing costs only
 * the backtrace. */
static char *const *prepare_env(void *ctx, const char *path) {
  ex_session_t *s;

  s = ctx;
  if (ex_crash_new(&s->crash) != 0)
    return NULL;
  if (ex_crash_prepare_path(s->crash, path) != 0)
    return NULL;
  return ex_crash_env(s->crash);
}

/* explain's own crash handler is installed. */
static int faults_handled;

static int run_command(ex_session_t *session) {
  const ex_options_t *opts;
  ex_wrap_config_t cfg;
  int joined;
  int rc;
  int code;

  opts = session->opts;
  memset(&cfg, 0, sizeof(cfg));
  cfg.argv = opts->command;
  cfg.subreaper = opts->subreaper;
  cfg.faults_handled = faults_handled;
  cfg.scan_stdout = opts->scan == EX_SCAN_BOTH;
  cfg.on_output = on_output;
  cfg.on_started = on_started;
  cfg.on_settled = on_settled;
  cfg.settle_ms = 10;
  cfg.ctx = session;
  cfg.prepare_env = prepare_env;
  /* --trace: the tracer is forked now, before any thread or
   * event loop; the spawn child attaches it. Failing costs the trace. */
  if (opts->trace && ex_trace_start(&session->trace) == 0) {
    cfg.child_hook = ex_trace_child_hook;
    cfg.child_hook_arg = session->trace;
  } else if (opts->trace) {
    fputs("explain: --trace: the tracer could not be started; running the "
          "command untraced\n",
          stderr);
  }

  ex_selfcrash_test_point("start");
  ex_cjson_hold_messages();
  rc = ex_wrap_run(&cfg, &session->run);
  if (session->trace != NULL)
    (void)ex_trace_finish(session->trace, EX_TRACE_FINISH_MS,
                          &session->tracelog);
  /* Before a diagnosis the scanning thread is joined (it may still be
   * taking its snapshot of the command or loading the rules), and then
   * explain's own lines may be said. After a success nothing is waited
   * for: the exit ends the thread, however far it got. */
  joined = rc >= 0 && ex_diagnosis_wanted(session);
  if (joined) {
    ex_session_wait(session);
    ex_cjson_release_messages();
  }
  if (rc < 0) {
    fprintf(stderr, "explain: cannot run the command: %s\n", strerror(-rc));
    return EX_EXIT_INTERNAL;
  }
  if (!session->run.started) {
    code = report_exec_failure(opts->command[0], &session->run);
    ex_diagnose(session);
    fflush(stdout);
    fflush(stderr);
    return code;
  }
  ex_selfcrash_set_status(session->run.wstatus);
  ex_selfcrash_test_point("end");
  /* The snapshot belongs to the scanning thread until it is joined (a
   * death by signal is a failure: it is by then). */
  if (session->crash != NULL)
    (void)ex_crash_collect(session->crash, session->run.pid,
                           session->run.wstatus,
                           joined ? session->proc : NULL);
  /* After a success explain has nothing to say: no stdio to flush either
   * (its code would be paged in between the command's end and explain's). */
  if (ex_diagnosis_wanted(session)) {
    ex_diagnose(session);
    fflush(stdout);
    fflush(stderr);
  }
  ex_wrap_exit(session->run.wstatus);
}

int main(int argc, char **argv) {
  ex_options_t opts;
  ex_session_t session;
  char err[256];
  int code;

  /* explain.exe started again as a helper of its launcher (the copier of
   * a handed-off channel on Windows): nothing else runs. */
  code = ex_wrap_helper_main(argc, argv);
  if (code >= 0)
    return code;
  /* First, so that a crash of explain's own is reported and does
   * not lose the command's status (core/selfcrash.h). */
  faults_handled = ex_selfcrash_install() == 0;
  if (ex_options_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
    fprintf(stderr, "explain: %s\n", err);
    return EX_EXIT_INTERNAL;
  }
  if (opts.help) {
    fputs(ex_options_help, stdout);
    return fflush(stdout) == 0 ? 0 : EX_EXIT_INTERNAL;
  }
  if (opts.version) {
    printf("explain %s\n", EX_VERSION);
    return fflush(stdout) == 0 ? 0 : EX_EXIT_INTERNAL;
  }

  ex_session_init(&session, &opts);
  if (opts.log != NULL)
    code = ex_mode_log(&session);
  else if (opts.list_rules)
    code = ex_mode_list_rules(&session);
  else if (opts.rule != NULL)
    code = ex_mode_rule(&session);
  else if (opts.check_rules != NULL)
    code = ex_mode_check_rules(&session);
  else if (opts.history)
    code = ex_mode_history(&session);
  else
    code = run_command(&session);
  ex_session_release(&session);
  return code;
}
