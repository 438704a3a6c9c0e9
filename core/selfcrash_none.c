/* explain's own crash handler where there is none yet (Windows: a
 * structured exception ends explain the system's way, and the report
 * that core/selfcrash.h describes is not written). The test hook still
 * crashes on purpose, so that a test can see what happens then. */
#include "core/selfcrash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ex_selfcrash_install(void) {
  return -ENOSYS;
}

int ex_selfcrash_owns(int sig) {
  (void)sig;
  return 0;
}

void ex_selfcrash_set_child(pid_t pid) {
  (void)pid;
}

void ex_selfcrash_set_status(int wstatus) {
  (void)wstatus;
}

void ex_selfcrash_test_point(const char *where) {
  const char *v;

  v = getenv("EXPLAIN_TEST_CRASH");
  if (v != NULL && strncmp(v, where, strlen(where)) == 0)
    abort();
}
