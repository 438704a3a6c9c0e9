/* The diagnosis step: after the command, decide, explain and report. */
#include "core/session.h"

#include "core/fixes.h"
#include "core/history.h"
#include "report/report.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_NL_LANGINFO
#include <langinfo.h>
#endif
#ifdef HAVE_TIOCGWINSZ
#include <sys/ioctl.h>
#endif
#ifdef HAVE_SYS_WAIT_H
#include <sys/wait.h>
#endif

/* The diagnoses of one run, with their explanations. */
typedef struct ex_diagnoses {
  ex_report_diag_t *items;
  ex_explanation_t *expl; /* parallel to items */
  ex_explanation_t *rulefix; /* parallel to items: the rules' fixes */
  ex_subject_t **subjects; /* parallel to items: recovered subjects, or
                              NULL */
  size_t count;
  const ex_finding_t **folded; /* findings folded under the crash */
} ex_diagnoses_t;

static int write_file(const char *path, const char *buf, size_t len,
                      int append) {
  int fd;
  int rc;

  fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
            0644);
  if (fd == -1)
    return -errno;
  rc = ex_write_all(fd, buf, len);
  if (close(fd) == -1 && rc == 0)
    rc = -errno;
  return rc;
}

static void fill_report(const ex_session_t *s, ex_report_t *r,
                        const ex_host_t *host, const char *cwd) {
  const ex_wrap_result_t *run;

  memset(r, 0, sizeof(*r));
  run = &s->run;
  r->command = s->opts->command;
  r->log_name = s->opts->log;
  r->cwd = cwd;
  r->host = host;
  if (run->started) {
    r->ran = 1;
    r->exit_code = ex_wrap_exit_code(run->wstatus, &r->signal);
#ifdef WCOREDUMP
    r->core_dumped = WIFSIGNALED(run->wstatus) && WCOREDUMP(run->wstatus);
#endif
    r->duration_ms = run->duration_ms;
  } else if (s->opts->command != NULL) {
    r->exec_errno = run->exec_errno;
    r->exit_code = ex_wrap_exec_failure_code(
        run->exec_errno, run->path != NULL && access(run->path, F_OK) == 0);
  }
}

static int command_failed(const ex_session_t *s) {
  int sig;

  if (s->opts->log != NULL || !s->run.started)
    return 1;
  /* Not 0: an exit code, or 128+N for a death by signal N. */
  return ex_wrap_exit_code(s->run.wstatus, &sig) != 0;
}

static const char *capture_of(const void *ud, const char *name) {
  return ex_finding_capture(ud, name, NULL);
}

static void event_from_finding(const ex_session_t *s, const ex_report_t *r,
                               const ex_finding_t *f, ex_probe_event_t *ev) {
  memset(ev, 0, sizeof(*ev));
  ev->rule_id = f->rule->id;
  ev->errno_name = f->event.errno_name;
  ev->condition = f->event.condition;
  ev->operation = f->event.operation;
  ev->subject_kind = f->event.subject_kind;
  ev->subject_value = f->event.subject_value;
  ev->location_file = f->location_file;
  ev->location_line = f->location_line != NULL ? atol(f->location_line) : 0;
  ev->capture = capture_of;
  ev->capture_ud = f;
  ev->command = s->opts->command;
  ev->exit_code = s->opts->log != NULL ? -1 : r->exit_code;
  ev->signal = r->signal;
}

/* The launcher's own diagnosis: the command could not be executed. */
static void launcher_diag(const ex_session_t *s, const ex_report_t *r,
                          ex_report_diag_t *g, ex_probe_event_t *ev) {
  int notfound;

  notfound = r->exit_code == 127;
  memset(g, 0, sizeof(*g));
  g->id = "explain.exec-failed";
  g->title = notfound ? "command not found" : "command could not be executed";
  g->errno_name = s->run.exec_errno == ENOENT   ? "ENOENT"
                  : s->run.exec_errno == EACCES ? "EACCES"
                  : s->run.exec_errno == ENOEXEC ? "ENOEXEC"
                                                 : NULL;
  g->condition = notfound ? "command-not-found" : "cannot-execute";
  g->operation = "exec";
  g->subject_kind = "command";
  g->subject_value = s->opts->command[0];
  g->meaning = notfound ? "The command was not found: no file of that name "
                          "in the directories of PATH, or no such path."
                        : "The command's file exists but the system refused "
                          "to execute it.";
  memset(ev, 0, sizeof(*ev));
  ev->rule_id = g->id;
  ev->errno_name = g->errno_name;
  ev->condition = g->condition;
  ev->operation = g->operation;
  ev->subject_kind = g->subject_kind;
  ev->subject_value = g->subject_value;
  ev->command = s->opts->command;
  ev->exit_code = r->exit_code;
}

/* The launcher's diagnosis of a crash or a kill (platform/crash.h): 1 when one
 * was added. */
static int crash_diag(const ex_session_t *s, const ex_proc_t *proc,
                      ex_report_diag_t *g, ex_explanation_t *expl) {
  const char *id;

  if (s->crash == NULL)
    return 0;
  memset(g, 0, sizeof(*g));
  id = ex_crash_diag_id(s->crash, &g->title, &g->meaning);
  if (id == NULL)
    return 0;
  g->id = id;
  g->condition = strcmp(id, "proc.killed") == 0 ? "killed" : "crash";
  g->subject_kind = "command";
  g->subject_value = s->opts->command[0];
  if (ex_crash_explain(s->crash, proc, expl) == 0)
    g->expl = expl;
  return 1;
}

/* The command ended before it could be seen in /proc (it printed nothing,
 * or too briefly). It started with explain's credentials, groups, limits
 * and cwd, inherited as they were, so those stand in; the program is the
 * file explain executed. */
static void self_as_command(const ex_session_t *s, ex_proc_t *proc) {
  const char *path;
  const char *base;
  char *real;
  char how[256];

  ex_proc_capture_self(proc);
  /* The wrapper's words say whose credentials the program got. */
  if (s->opts->command != NULL &&
      ex_proc_assume_wrapper(proc, s->opts->command, how, sizeof(how)))
    proc->creds_from_argv = 1;
  path = s->run.path;
  if (path == NULL)
    return;
  real = realpath(path, NULL);
  ex_strlcpy(proc->exe, real != NULL ? real : path, sizeof(proc->exe));
  free(real);
  base = strrchr(path, '/');
  ex_strlcpy(proc->comm, base != NULL ? base + 1 : path, sizeof(proc->comm));
  proc->pid = s->run.pid;
  proc->nfds = -1;
}

/* Moves diagnosis 0 (the crash) behind the causes the rules found, keeping
 * every explanation with its diagnosis. */
static void move_first_behind_causes(ex_diagnoses_t *d) {
  ex_report_diag_t item;
  ex_explanation_t expl;
  ex_explanation_t rulefix;
  size_t k;
  size_t i;

  for (k = 1; k < d->count && d->items[k].finding != NULL &&
              d->items[k].finding->rule->role == EX_ROLE_CAUSE;
       k++)
    ;
  if (k == 1)
    return;
  item = d->items[0];
  expl = d->expl[0];
  rulefix = d->rulefix[0];
  memmove(&d->items[0], &d->items[1], (k - 1) * sizeof(d->items[0]));
  memmove(&d->expl[0], &d->expl[1], (k - 1) * sizeof(d->expl[0]));
  memmove(&d->rulefix[0], &d->rulefix[1], (k - 1) * sizeof(d->rulefix[0]));
  d->items[k - 1] = item;
  d->expl[k - 1] = expl;
  d->rulefix[k - 1] = rulefix;
  for (i = 0; i < k; i++) {
    if (d->items[i].expl != NULL)
      d->items[i].expl = &d->expl[i];
    if (d->items[i].rule_fixes != NULL)
      d->items[i].rule_fixes = d->rulefix[i].fixes;
  }
}

/* A finding that only reports how the process died. */
static int same_death(const ex_finding_t *f) {
  static const char *const conditions[] = {
      "crash", "oom-killed", "terminated", "assertion-failed",
      "heap-corruption", "stack-smashing", "uncaught-exception"};
  size_t i;

  if (f->event.condition == NULL)
    return 0;
  for (i = 0; i < sizeof(conditions) / sizeof(conditions[0]); i++) {
    if (strcmp(f->event.condition, conditions[i]) == 0)
      return 1;
  }
  return 0;
}

/* ---- trace: failed system calls as evidence ---------------- */

/* A finding takes, as evidence, the failed call with its errno made last
 * before its message (and naming its subject, when it has one); a finding
 * without subject takes the call's. */
static void fuse_trace(const ex_session_t *s, const ex_finding_t *f,
                       ex_report_diag_t *g, ex_probe_event_t *ev) {
  const ex_trace_call_t *c;
  long long when;

  if (s->tracelog.count == 0 || f->event.errno_name == NULL)
    return;
  when = f->nevidence > 0
             ? ex_trace_line_time(s->trace,
                                  f->evidence[0].stream == EX_STREAM_STDOUT,
                                  f->evidence[0].line)
             : 0;
  c = ex_trace_match(&s->tracelog, f->event.errno_name,
                     f->event.subject_value, when);
  if (c == NULL)
    return;
  g->syscall = c;
  if (f->event.subject_value != NULL || c->subject[0] == '\0')
    return;
  g->syscall_subject = 1;
  g->subject_kind = c->subject_kind;
  g->subject_value = c->subject;
  ev->subject_kind = c->subject_kind;
  ev->subject_value = c->subject;
  if (ev->operation == NULL)
    ev->operation = c->operation;
}

/* ---- subjects the message does not name ------------------------------ */

/* A finding whose message names no subject takes the one the command's
 * snapshot, its source line or its command line shows (--trace, when on,
 * has given the exact one already). When nothing names it, the probes
 * still get the sentence that says where it was looked for. */
static void recover_subject(const ex_proc_t *proc, const ex_proc_t *before,
                            ex_report_diag_t *g, ex_probe_event_t *ev,
                            ex_subject_t **slot) {
  ex_subject_t *sub;
  const char *op;

  op = ex_subject_frame_operation(ev, proc);
  if (op != NULL) {
    ev->operation = op;
    g->operation = op;
  }
  if (!ex_subject_wanted(ev))
    return;
  sub = malloc(sizeof(*sub));
  if (sub == NULL)
    return;
  *slot = sub;
  if (ex_subject_recover(ev, proc, sub) != 1 &&
      (before == NULL || ex_subject_recover(ev, before, sub) != 1)) {
    /* The later snapshot says where it looked. */
    (void)ex_subject_recover(ev, proc, sub);
    ev->subject_from = sub->from;
    if (sub->operation[0] != '\0') {
      ev->operation = sub->operation;
      g->operation = sub->operation;
    }
    return;
  }
  ev->subject_kind = sub->kind;
  ev->subject_value = sub->value;
  ev->subject_from = sub->from;
  ev->subject_recovered = 1;
  if (sub->protocol[0] != '\0')
    ev->protocol = sub->protocol;
  if (sub->operation[0] != '\0')
    ev->operation = sub->operation;
  g->subject_kind = sub->kind;
  g->subject_value = sub->value;
  g->subject_from = sub->from;
  g->operation = ev->operation;
}

/* ---- the directory the tool worked in ---------------------------------- */

/* Relative paths that a tool prints are relative to the directory it worked
 * in: git -C repo, make -C dir, npm --prefix app, cargo --manifest-path,
 * docker compose -f. A tool that changes into it shows it as its own cwd
 * once seen running; one that only reads from it (npm, cargo, compose), or
 * one that ended before it was seen, gets it from its command line. The
 * process that printed the line, when it is another one (a script's
 * python3), has its own cwd and keeps it. Returns proc, or view filled
 * with that directory as cwd (how names the words that gave it). */
static const ex_proc_t *tool_view(const ex_session_t *s,
                                  const ex_proc_t *proc, ex_proc_t *view,
                                  char *dir, size_t dsize, char *how,
                                  size_t hsize) {
  char start[PATH_MAX];
  int chdirs;

  dir[0] = '\0';
  if (view == NULL || proc == NULL || !proc->valid ||
      s->opts->command == NULL)
    return proc;
  if (!proc->from_self && proc->pid != s->run.pid)
    return proc;
  /* The command started in explain's own cwd. */
  if (getcwd(start, sizeof(start)) == NULL)
    return proc;
  if (!ex_tool_dir(s->opts->command, start, dir, dsize, how, hsize,
                   &chdirs)) {
    dir[0] = '\0';
    return proc;
  }
  if (chdirs && !proc->from_self) {
    /* Its own cwd shows that directory already. */
    if (strcmp(proc->cwd, dir) != 0)
      dir[0] = '\0';
    return proc;
  }
  *view = *proc;
  ex_strlcpy(view->cwd, dir, sizeof(view->cwd));
  return view;
}

/* The command failed and no message was recognised: the last relevant
 * failed call is the diagnosis. Returns 1 when there was one. */
static int trace_diag(const ex_session_t *s, const ex_report_t *r,
                      ex_report_diag_t *g, ex_probe_event_t *ev) {
  static char title[96];
  const ex_trace_call_t *c;

  c = ex_trace_last_relevant(&s->tracelog);
  if (c == NULL)
    return 0;
  snprintf(title, sizeof(title), "%s failed with %s", c->name,
           c->errno_name);
  memset(g, 0, sizeof(*g));
  g->id = "trace.failed-call";
  g->title = title;
  g->errno_name = c->errno_name;
  g->operation = c->operation;
  g->subject_kind = c->subject_kind[0] != '\0' ? c->subject_kind : NULL;
  g->subject_value = c->subject[0] != '\0' ? c->subject : NULL;
  g->meaning = "No message of the command was recognised. This is the "
               "last system call that failed before it exited (--trace), "
               "the likeliest reason it gave up.";
  g->syscall = c;
  memset(ev, 0, sizeof(*ev));
  ev->rule_id = g->id;
  ev->errno_name = g->errno_name;
  ev->operation = g->operation;
  ev->subject_kind = g->subject_kind;
  ev->subject_value = g->subject_value;
  ev->command = s->opts->command;
  ev->exit_code = r->exit_code;
  ev->signal = r->signal;
  return 1;
}
/* ---- end trace -------------------------------------------------------- */

static int finding_lookup(void *ud, const char *name, size_t len,
                          const char **value, size_t *vlen) {
  char key[128];

  if (len >= sizeof(key))
    return 0;
  memcpy(key, name, len);
  key[len] = '\0';
  *value = ex_finding_capture(ud, key, vlen);
  return *value != NULL;
}

/* The rule's fixes of diagnosis k, through the fix policy. When some were
 * left out for want of a subject, the first fix says how to find it: run
 * the command again under --trace, which records the failed system call
 * and its path. */
static void add_rule_fixes(const ex_session_t *s, ex_diagnoses_t *d, size_t k) {
  ex_report_diag_t *g;
  ex_explanation_t *e;
  const ex_finding_t *f;
  const char **argv;
  ex_fix_t first;
  size_t n;
  size_t i;

  g = &d->items[k];
  e = &d->rulefix[k];
  f = g->finding;
  e->fix_flags = s->opts->probe ? 0 : EX_FIX_VET_PATHS_ONLY;
  (void)ex_rule_fixes_add(e, f->rule, finding_lookup, (void *)f);
  if (e->fixes_unfilled > 0 && f->event.errno_name != NULL &&
      g->subject_value == NULL && f->event.subject_value == NULL &&
      s->trace == NULL) {
    if (s->opts->command == NULL) {
      ex_fix_add_raw(
          e, 0, NULL,
          "the log does not name the %s: run the "
          "command under explain --trace, which records the "
          "failed system call and its %s",
          f->event.subject_kind != NULL ? f->event.subject_kind : "subject",
          f->event.subject_kind != NULL ? f->event.subject_kind : "subject");
    } else {
      for (n = 0; s->opts->command[n] != NULL; n++)
        ;
      argv = calloc(n + 4, sizeof(*argv));
      if (argv != NULL) {
        argv[0] = "explain";
        argv[1] = "--trace";
        argv[2] = "--";
        for (i = 0; i < n; i++)
          argv[3 + i] = s->opts->command[i];
        ex_fix_add_cmd(e, 0, argv,
                       "find the %s: run it again under "
                       "--trace, which records the failed system call",
                       f->event.subject_kind != NULL ? f->event.subject_kind
                                                     : "subject");
        free(argv);
      }
    }
    /* That fix goes first: the others need what it finds. */
    if (e->nfixes > 1) {
      first = e->fixes[e->nfixes - 1];
      memmove(&e->fixes[1], &e->fixes[0],
              (e->nfixes - 1) * sizeof(e->fixes[0]));
      e->fixes[0] = first;
    }
  }
  g->rule_fixes = e->nfixes > 0 ? e->fixes : NULL;
  g->nrule_fixes = e->nfixes;
}

/* 0 when something (a dangling link included, where links exist) is at
 * path, else -1 with errno set. */
static int entry_exists(const char *path) {
  struct stat st;

#ifdef HAVE_LSTAT
  return lstat(path, &st);
#else
  return stat(path, &st);
#endif
}

/* --log: a path the log names (of any kind: a file, a repository) after a
 * system call failed that does not exist here, nor its
 * directory (a file being created may be missing; its directory may not),
 * while the error was not that it is missing, suggests that the log comes
 * from another machine. */
static void check_subject_here(const ex_session_t *s, ex_report_diag_t *g) {
  const ex_finding_t *f;
  char dir[PATH_MAX];
  char *slash;

  f = g->finding;
  if (s->opts->log == NULL || !s->opts->probe || f == NULL ||
      f->event.subject_value == NULL || f->event.subject_value[0] != '/' ||
      strlen(f->event.subject_value) >= sizeof(dir))
    return;
  if (f->event.errno_name == NULL ||
      strcmp(f->event.errno_name, "ENOENT") == 0 ||
      strcmp(f->event.errno_name, "ENOTDIR") == 0)
    return;
  if (entry_exists(f->event.subject_value) == 0 || errno != ENOENT)
    return;
  strcpy(dir, f->event.subject_value);
  slash = strrchr(dir, '/');
  if (slash == dir)
    return; /* its directory is / */
  *slash = '\0';
  if (entry_exists(dir) != 0 && errno == ENOENT)
    g->subject_absent = 1;
}

static int collect(ex_session_t *s, const ex_report_t *r, const ex_host_t *host,
                   const ex_proc_t *proc, ex_diagnoses_t *d) {
  const ex_finding_t *f;
  const ex_proc_t *fproc;
  ex_proc_t *view;
  char tooldir[PATH_MAX];
  char toolhow[PATH_MAX + 64];
  ex_report_diag_t *crash;
  int abort_last;
  int sig;
  ex_probe_event_t ev;
  size_t n;
  size_t i;

  memset(d, 0, sizeof(*d));
  n = s->matcher != NULL ? ex_matcher_count(s->matcher) : 0;
  if (!s->run.started && s->opts->command != NULL)
    n++;
  if (s->crash != NULL && ex_crash_diag_id(s->crash, NULL, NULL) != NULL)
    n++;
  if (s->tracelog.count > 0)
    n++;
  if (n == 0)
    return 0;
  d->items = calloc(n, sizeof(*d->items));
  d->expl = calloc(n, sizeof(*d->expl));
  d->rulefix = calloc(n, sizeof(*d->rulefix));
  d->subjects = calloc(n, sizeof(*d->subjects));
  if (d->items == NULL || d->expl == NULL || d->rulefix == NULL ||
      d->subjects == NULL)
    return -ENOMEM;
  /* A copy of the command to give another cwd (26 KB: off the stack). */
  view = malloc(sizeof(*view));
  crash = NULL;
  if (crash_diag(s, proc, &d->items[d->count], &d->expl[d->count])) {
    crash = &d->items[d->count];
    d->folded = calloc(n, sizeof(*d->folded));
    crash->folded = d->folded;
    d->count++;
  }
  /* An abort is the runtime's own decision: a message it printed (Node's
   * heap, a failed assertion the rules know) is the root cause, and the
   * abort comes after it (see the end). */
  (void)ex_wrap_exit_code(s->run.wstatus, &sig);
  abort_last = crash != NULL && sig == SIGABRT;
  if (!s->run.started && s->opts->command != NULL) {
    launcher_diag(s, r, &d->items[d->count], &ev);
    if (s->opts->probe && ex_explain(&ev, proc, host, &d->expl[d->count]) == 1)
      d->items[d->count].expl = &d->expl[d->count];
    d->count++;
  }
  for (i = 0; s->matcher != NULL && i < ex_matcher_count(s->matcher); i++) {
    f = ex_matcher_get(s->matcher, i);
    /* "Segmentation fault", "Assertion failed", "Killed": the crash or kill
     * the launcher saw itself, told by the shell or the runtime. Folded
     * under it, with their evidence. */
    if (crash != NULL && d->folded != NULL && same_death(f)) {
      d->folded[crash->nfolded++] = f;
      continue;
    }
    d->items[d->count].finding = f;
    event_from_finding(s, r, d->items[d->count].finding, &ev);
    fuse_trace(s, f, &d->items[d->count], &ev);
    /* The process that printed this line, as it was then, in the
     * directory its tool worked in. */
    fproc = ex_session_proc_at(s, f->nevidence > 0 ? f->evidence[0].line : 0);
    if (fproc == NULL || !fproc->valid)
      fproc = proc;
    fproc = tool_view(s, fproc, view, tooldir, sizeof(tooldir), toolhow,
                      sizeof(toolhow));
    if (s->opts->probe)
      recover_subject(fproc,
                      ex_session_proc_before(s, f->nevidence > 0
                                                    ? f->evidence[0].line
                                                    : 0),
                      &d->items[d->count], &ev, &d->subjects[d->count]);
    if (s->opts->probe &&
        ex_explain(&ev, fproc, host, &d->expl[d->count]) == 1) {
      d->items[d->count].expl = &d->expl[d->count];
      if (tooldir[0] != '\0') {
        ex_facts_str(&d->expl[d->count].facts, "working_directory",
                     tooldir);
        ex_facts_str(&d->expl[d->count].facts, "working_directory_from",
                     toolhow);
      }
    }
    add_rule_fixes(s, d, d->count);
    d->items[d->count].subject_foreign =
        s->opts->probe && ex_probe_path_foreign(f->event.subject_value);
    check_subject_here(s, &d->items[d->count]);
    d->count++;
  }
  /* trace: nothing recognised, but a call failed. */
  if (d->count == 0 && s->run.started && command_failed(s) &&
      trace_diag(s, r, &d->items[d->count], &ev)) {
    if (s->opts->probe && ex_explain(&ev, proc, host, &d->expl[d->count]) == 1)
      d->items[d->count].expl = &d->expl[d->count];
    d->count++;
  }
  if (abort_last)
    move_first_behind_causes(d);
  free(view);
  return 0;
}

static void release(ex_diagnoses_t *d) {
  size_t i;

  for (i = 0; d->expl != NULL && i < d->count; i++)
    ex_explanation_release(&d->expl[i]);
  for (i = 0; d->rulefix != NULL && i < d->count; i++)
    ex_explanation_release(&d->rulefix[i]);
  for (i = 0; d->subjects != NULL && i < d->count; i++)
    free(d->subjects[i]);
  free(d->subjects);
  free(d->expl);
  free(d->rulefix);
  free(d->items);
  free(d->folded);
}

static int env_is(const char *name, const char *value) {
  const char *v;

  v = getenv(name);
  return v != NULL && strcmp(v, value) == 0;
}

/* Colour when asked, or when stderr is a terminal and NO_COLOR is unset
 * (https://no-color.org: present and not empty). */
static int use_color(const ex_options_t *o) {
  const char *nc;

  if (o->color != EX_COLOR_AUTO)
    return o->color == EX_COLOR_ALWAYS;
  nc = getenv("NO_COLOR");
  if (nc != NULL && nc[0] != '\0')
    return 0;
  return isatty(2) && !env_is("TERM", "dumb");
}

/* The width of stderr's terminal, else $COLUMNS, else 80. */
static int text_width(void) {
#ifdef HAVE_TIOCGWINSZ
  struct winsize ws;
#endif
  const char *c;

#ifdef HAVE_TIOCGWINSZ
  if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
#endif
  c = getenv("COLUMNS");
  if (c != NULL && atoi(c) > 0)
    return atoi(c);
  return 80;
}

/* GitHub Actions: annotations on stdout, a section in the job summary. */
static void emit_github(const ex_report_t *r) {
  char *ann;
  char *md;
  size_t alen;
  size_t mlen;
  const char *summary;

  if (r->ndiags == 0 || ex_report_github(r, &ann, &alen, &md, &mlen) != 0)
    return;
  fflush(stdout);
  (void)ex_write_all(1, ann, alen);
  summary = getenv("GITHUB_STEP_SUMMARY");
  if (summary != NULL && summary[0] != '\0')
    (void)write_file(summary, md, mlen, 1);
  free(ann);
  free(md);
}

/* GitLab CI folds a section between these markers. */
static void emit_text(const char *text, size_t len) {
  char mark[128];
  int n;
  long now;

  fflush(stderr);
  if (!env_is("GITLAB_CI", "true")) {
    (void)ex_write_all(2, text, len);
    return;
  }
  now = (long)time(NULL);
  n = snprintf(mark, sizeof(mark),
               "\x1b[0Ksection_start:%ld:explain[collapsed=true]\r\x1b[0K"
               "explain: diagnosis\n",
               now);
  (void)ex_write_all(2, mark, (size_t)n);
  (void)ex_write_all(2, text, len);
  n = snprintf(mark, sizeof(mark), "\x1b[0Ksection_end:%ld:explain\r\x1b[0K\n",
               now);
  (void)ex_write_all(2, mark, (size_t)n);
}

/* The text report uses ✔ and ✘ only where the locale is UTF-8. */
static int locale_is_ascii(void) {
#ifdef HAVE_NL_LANGINFO
  const char *codeset;

  if (setlocale(LC_CTYPE, "") == NULL)
    return 1;
  codeset = nl_langinfo(CODESET);
  return codeset == NULL || strcmp(codeset, "UTF-8") != 0;
#else
  return 1; /* no codeset to ask: ASCII is safe everywhere */
#endif
}

/* One line: the log ends in success, so nothing is diagnosed. */
static void note_success(const ex_match_ending_t *e) {
  size_t i;
  size_t n = e->len < 120 ? e->len : 120;

  fprintf(stderr, "explain: the log ends in success at line %lu (\"", e->line);
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)e->text[i];
    fputc(c == '\t' ? ' ' : c < 0x20 || c == 0x7f ? '?' : c, stderr);
  }
  fprintf(stderr, "%s\"): nothing to explain\n", n < e->len ? "..." : "");
}

/* One line when output went by unscanned: the scanner fell behind a
 * command that wrote faster than it could read (the output itself was
 * passed on whole). */
static void note_unscanned(const ex_session_t *s) {
  ex_matcher_stats_t st;

  if (s->matcher == NULL)
    return;
  ex_matcher_stats(s->matcher, &st);
  if (st.bytes_unscanned == 0)
    return;
  fprintf(stderr,
          "explain: note: %.1f MiB of the output (%llu lines) came faster "
          "than it could be scanned and was passed on unscanned; the end "
          "of the output was scanned\n",
          (double)st.bytes_unscanned / (1024.0 * 1024.0), st.lines_unscanned);
}

/* Nothing to say after a success (no report asked for): the rules are not
 * waited for, and nothing is written. */
int ex_diagnosis_wanted(const ex_session_t *s) {
  const ex_options_t *o = s->opts;

  return command_failed(s) || o->always || o->report != NULL ||
         o->format == EX_FORMAT_JSON;
}

size_t ex_diagnose(ex_session_t *s) {
  const ex_options_t *o;
  ex_report_t r;
  ex_host_t host;
  ex_diagnoses_t d;
  ex_facts_t context;
  /* The command unseen while it ran: explain's own view (static: 26 KB
   * that stay off the stack, and one diagnosis per process). */
  static ex_proc_t unseen;
  ex_proc_t *proc;
  ex_report_recurrence_t *recs;
  ex_match_ending_t ending;
  size_t i;
  char cwd[PATH_MAX];
  char *json;
  char *text;
  size_t len;
  int diagnose;
  int rc;

  o = s->opts;
  json = NULL;
  text = NULL;
  memset(&d, 0, sizeof(d));
  diagnose = command_failed(s) || o->always;
  if (!ex_diagnosis_wanted(s))
    return 0;
  ex_session_wait(s);
  ex_session_print_diags(s);
  if (s->matcher != NULL)
    (void)ex_matcher_finish(s->matcher);
  /* A log that ends in success records a run that passed: what failed on
   * the way (a step retried, a warning worded as an error) is not its
   * diagnosis. */
  if (o->log != NULL && s->matcher != NULL &&
      ex_matcher_ending(s->matcher, &ending)) {
    diagnose = 0;
    if (!o->quiet && o->format != EX_FORMAT_JSON)
      note_success(&ending);
  }
  if (diagnose && !o->quiet && o->format != EX_FORMAT_JSON)
    note_unscanned(s);

  ex_host_probe(&host);
  fill_report(s, &r, &host, getcwd(cwd, sizeof(cwd)));
  r.trace = s->trace != NULL ? &s->tracelog : NULL;
  /* Probes reason with the command's credentials when it was seen running,
   * else with explain's own (the same at the start). */
  proc = s->proc;
  if (proc == NULL || !proc->valid) {
    proc = &unseen;
    self_as_command(s, proc);
  }
  memset(&context, 0, sizeof(context));
  if (diagnose && collect(s, &r, &host, proc, &d) == 0) {
    r.diags = d.items;
    r.ndiags = d.count;
  }
  if (diagnose && o->probe) {
    ex_probe_context_facts(proc, &host, &context);
    r.context = &context;
  }
  /* History: remember the diagnoses, learn which came back. */
  recs = r.ndiags > 0 ? calloc(r.ndiags, sizeof(*recs)) : NULL;
  if (recs != NULL) {
    rc = ex_history_record(&r, (long long)time(NULL), recs);
    if (rc < 0 && o->verbose)
      fprintf(stderr, "explain: the history was not written: %s\n",
              strerror(-rc));
    for (i = 0; i < r.ndiags; i++)
      d.items[i].recurrence = recs[i].earlier > 0 ? &recs[i] : NULL;
  }

  if (o->report != NULL || o->format == EX_FORMAT_JSON) {
    rc = ex_report_json(&r, &json, &len);
    if (rc == 0 && o->report != NULL) {
      rc = write_file(o->report, json, len, 0);
      if (rc != 0)
        fprintf(stderr, "explain: cannot write the report %s: %s\n",
                o->report, strerror(-rc));
    } else if (rc == 0 && !o->quiet) {
      (void)ex_write_all(1, json, len);
    }
  }
  if (!o->quiet && o->format != EX_FORMAT_JSON && r.ndiags > 0) {
    r.ascii = locale_is_ascii();
    r.color = use_color(o);
    r.width = text_width();
    r.verbose = o->verbose;
    if (ex_report_text(&r, &text, &len) == 0)
      emit_text(text, len);
    /* Without /proc the command was never seen running; say why
     * the diagnosis is thinner instead of failing. */
    if (HAVE_PROCFS && access("/proc/self/stat", R_OK) != 0)
      fputs("explain: note: /proc is not mounted here: the command's own "
            "state (credentials, descriptors, limits) could not be seen; "
            "the probes used explain's\n",
            stderr);
    if (o->format == EX_FORMAT_GITHUB)
      emit_github(&r);
  }
  len = r.ndiags;
  free(json);
  free(text);
  free(recs);
  release(&d);
  ex_facts_release(&context);
  return len;
}
