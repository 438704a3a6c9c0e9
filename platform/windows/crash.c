/* Crash reports on Windows: not collected yet. The command's own crash
 * (an exception code such as 0xC0000005) reaches the report as its exit
 * code; a backtrace would need DbgHelp (StackWalk64, SymFromAddr) in a
 * debugger-like helper, which does not exist yet. Every entry point of
 * platform/crash.h is here so that the launcher and the diagnosis run
 * unchanged: ex_crash_new() fails with -ENOSYS, and the launcher runs the
 * command without a crash reporter, as it does when one cannot be made. */
#include "platform/crash.h"

#include <errno.h>
#include <stdlib.h>

int ex_crash_new(ex_crash_t **out) {
  *out = NULL;
  return -ENOSYS;
}

void ex_crash_free(ex_crash_t *c) {
  free(c);
}

void ex_crash_started(ex_crash_t *c) {
  (void)c;
}

int ex_crash_prepare(ex_crash_t *c, char *const *argv) {
  (void)argv;
  c->no_backtrace = "crash backtraces are not collected on Windows yet";
  return 0;
}

int ex_crash_prepare_path(ex_crash_t *c, const char *path) {
  (void)path;
  return ex_crash_prepare(c, NULL);
}

char *const *ex_crash_env(const ex_crash_t *c) {
  (void)c;
  return NULL;
}

void ex_crash_feed(ex_crash_t *c, const char *buf, size_t len) {
  (void)c;
  (void)buf;
  (void)len;
}

int ex_crash_collect(ex_crash_t *c, pid_t pid, int wstatus,
                     const ex_proc_t *proc) {
  (void)proc;
  c->collected = 1;
  c->pid = pid;
  c->wstatus = wstatus;
  return 0;
}

const char *ex_crash_diag_id(const ex_crash_t *c, const char **title,
                             const char **meaning) {
  (void)c;
  if (title != NULL)
    *title = NULL;
  if (meaning != NULL)
    *meaning = NULL;
  return NULL;
}

int ex_crash_explain(const ex_crash_t *c, const ex_proc_t *proc,
                     ex_explanation_t *out) {
  (void)c;
  (void)proc;
  (void)out;
  return -EINVAL;
}

const char *ex_crash_class_name(ex_crash_class_t cls) {
  (void)cls;
  return "none";
}
