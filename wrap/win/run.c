/* wrap on Windows, until the launcher's libuv loop serves it: explain.exe
 * does not run commands yet. ex_wrap_run() fails with -ENOSYS before
 * anything is started, which the front end reports as explain's own
 * failure (exit 125); the modes without a command (--log, --list-rules,
 * --rule, --check-rules, --history) work.
 *
 * On Windows a wait status is the process's exit code itself: there are no
 * signals to die of (a crash is an exception code such as 0xC0000005). */
#include "wrap/wrap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ex_wrap_run(const ex_wrap_config_t *cfg, ex_wrap_result_t *res) {
  (void)cfg;
  memset(res, 0, sizeof(*res));
  return -ENOSYS;
}

void ex_wrap_result_release(ex_wrap_result_t *res) {
  free(res->path);
  free(res->searched);
  memset(res, 0, sizeof(*res));
}

long long ex_wrap_exit_code(int wstatus, int *signo) {
  *signo = 0;
  return (long long)(unsigned)wstatus;
}

int ex_wrap_exec_failure_code(int exec_errno, int file_exists) {
  return exec_errno == ENOENT && !file_exists ? 127 : 126;
}

void ex_wrap_exit(int wstatus) {
  exit(wstatus);
}
