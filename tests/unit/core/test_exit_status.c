/* Exit-status mapping: wait statuses to codes and signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>

#include "wrap/wrap.h"

/* Wait statuses as the kernel encodes them. */
#define EXITED(c) (((c)&0xff) << 8)
#define SIGNALED(s) ((s)&0x7f)
#define SIGNALED_CORE(s) (((s)&0x7f) | 0x80)

static void test_exit_codes(void **state) {
  int code;
  int sig;

  (void)state;
  for (code = 0; code < 256; code++) {
    assert_int_equal(ex_wrap_exit_code(EXITED(code), &sig), code);
    assert_int_equal(sig, 0);
  }
}

static void test_signals(void **state) {
  const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT,
                             SIGKILL, SIGSEGV, SIGPIPE, SIGTERM, SIGRTMAX};
  size_t i;
  int sig;

  (void)state;
  for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
    assert_int_equal(ex_wrap_exit_code(SIGNALED(sigs[i]), &sig),
                     128 + sigs[i]);
    assert_int_equal(sig, sigs[i]);
    assert_int_equal(ex_wrap_exit_code(SIGNALED_CORE(sigs[i]), &sig),
                     128 + sigs[i]);
    assert_int_equal(sig, sigs[i]);
  }
}

static void test_exec_failures(void **state) {
  (void)state;
  assert_int_equal(ex_wrap_exec_failure_code(ENOENT, 0), 127);
  /* The file is there but its interpreter is not: the shell says 126. */
  assert_int_equal(ex_wrap_exec_failure_code(ENOENT, 1), 126);
  assert_int_equal(ex_wrap_exec_failure_code(EACCES, 1), 126);
  assert_int_equal(ex_wrap_exec_failure_code(ENOEXEC, 1), 126);
  assert_int_equal(ex_wrap_exec_failure_code(ETXTBSY, 1), 126);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exit_codes),
      cmocka_unit_test(test_signals),
      cmocka_unit_test(test_exec_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
