/* The diagnosis step: after the command, decide and report. */
#include "core/session.h"

#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(const char *path, const char *buf, size_t len) {
  int fd;
  int rc;

  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
    r->core_dumped = WIFSIGNALED(run->wstatus) && WCOREDUMP(run->wstatus);
    r->duration_ms = run->duration_ms;
  } else if (s->opts->command != NULL) {
    r->exec_errno = run->exec_errno;
    r->exit_code = ex_wrap_exec_failure_code(run->exec_errno, 1);
  }
}

static int command_failed(const ex_session_t *s) {
  if (s->opts->log != NULL || !s->run.started)
    return 1;
  return !WIFEXITED(s->run.wstatus) || WEXITSTATUS(s->run.wstatus) != 0;
}

size_t ex_diagnose(ex_session_t *s) {
  const ex_options_t *o;
  ex_report_t r;
  ex_host_t host;
  char cwd[PATH_MAX];
  char *json;
  char *text;
  size_t len;
  size_t count;
  int rc;

  o = s->opts;
  json = NULL;
  text = NULL;
  /* Nothing to say after a success: do not wait for the rules. */
  if (!command_failed(s) && !o->always && o->report == NULL &&
      o->format != EX_FORMAT_JSON)
    return 0;
  ex_session_wait(s);
  ex_session_print_diags(s);
  if (s->matcher != NULL)
    (void)ex_matcher_finish(s->matcher);

  ex_host_probe(&host);
  fill_report(s, &r, &host, getcwd(cwd, sizeof(cwd)));
  if (command_failed(s) || o->always)
    r.matcher = s->matcher;
  count = r.matcher != NULL ? ex_matcher_count(r.matcher) : 0;

  if (o->report != NULL || o->format == EX_FORMAT_JSON) {
    rc = ex_report_json(&r, &json, &len);
    if (rc == 0 && o->report != NULL) {
      rc = write_file(o->report, json, len);
      if (rc != 0)
        fprintf(stderr, "explain: cannot write the report %s: %s\n",
                o->report, strerror(-rc));
    } else if (rc == 0 && !o->quiet) {
      (void)ex_write_all(1, json, len);
    }
  }
  if (!o->quiet && o->format == EX_FORMAT_TEXT && count > 0 &&
      ex_report_text(&r, &text, &len) == 0) {
    fflush(stderr);
    (void)ex_write_all(2, text, len);
  }
  free(json);
  free(text);
  return count;
}
