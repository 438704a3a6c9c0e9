/* --trace on Windows: not available yet (it would need Event Tracing for
 * Windows or a debugger loop, not ptrace and seccomp). ex_trace_start()
 * fails with -ENOSYS, and the command runs untraced with one line that
 * says so; the rest of platform/trace.h answers "nothing recorded". */
#include "platform/trace.h"

#include <errno.h>
#include <string.h>

int ex_trace_start(ex_trace_t **out) {
  *out = NULL;
  return -ENOSYS;
}

int ex_trace_child_hook(void *arg) {
  (void)arg;
  return 0;
}

const char *ex_trace_refused(const ex_trace_t *t) {
  (void)t;
  return NULL;
}

void ex_trace_note_output(ex_trace_t *t, int stream, const char *buf,
                          size_t len) {
  (void)t;
  (void)stream;
  (void)buf;
  (void)len;
}

long long ex_trace_line_time(const ex_trace_t *t, int stream,
                             unsigned long line) {
  (void)t;
  (void)stream;
  (void)line;
  return 0;
}

int ex_trace_finish(ex_trace_t *t, int timeout_ms, ex_trace_log_t *log) {
  (void)t;
  (void)timeout_ms;
  memset(log, 0, sizeof(*log));
  return -ENOSYS;
}

void ex_trace_free(ex_trace_t *t) {
  (void)t;
}

void ex_trace_log_release(ex_trace_log_t *log) {
  memset(log, 0, sizeof(*log));
}

const ex_trace_call_t *ex_trace_match(const ex_trace_log_t *log,
                                      const char *errno_name,
                                      const char *subject,
                                      long long before_ns) {
  (void)log;
  (void)errno_name;
  (void)subject;
  (void)before_ns;
  return NULL;
}

const ex_trace_call_t *ex_trace_last_relevant(const ex_trace_log_t *log) {
  (void)log;
  return NULL;
}
