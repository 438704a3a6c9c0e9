/* Option parsing: table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "core/options.h"

typedef struct {
  const char *argv[8];
  int rc;
  int command_at;   /* index in argv of the command, -1 for none */
  int help, version, subreaper, quiet;
  const char *err;  /* substring of the message when rc != 0 */
} option_case_t;

static const option_case_t cases[] = {
    {{"explain", "ls", "-l"}, 0, 1, 0, 0, 0, 0, NULL},
    {{"explain", "-q", "ls"}, 0, 2, 0, 0, 0, 1, NULL},
    {{"explain", "--quiet", "--subreaper", "make", "-q"}, 0, 3, 0, 0, 1, 1,
     NULL},
    {{"explain", "--", "--help"}, 0, 2, 0, 0, 0, 0, NULL},
    {{"explain", "-q", "--", "-x"}, 0, 3, 0, 0, 0, 1, NULL},
    {{"explain", "-", "x"}, 0, 1, 0, 0, 0, 0, NULL},
    {{"explain", "--help"}, 0, -1, 1, 0, 0, 0, NULL},
    {{"explain", "-h"}, 0, -1, 1, 0, 0, 0, NULL},
    {{"explain", "--version"}, 0, -1, 0, 1, 0, 0, NULL},
    {{"explain"}, -EINVAL, -1, 0, 0, 0, 0, "no command given"},
    {{"explain", "-q"}, -EINVAL, -1, 0, 0, 0, 1, "no command given"},
    {{"explain", "--"}, -EINVAL, -1, 0, 0, 0, 0, "no command given"},
    {{"explain", "--bogus", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "unknown option '--bogus'"},
    {{"explain", "--bogus=1", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "unknown option '--bogus'"},
    {{"explain", "-z", "ls"}, -EINVAL, -1, 0, 0, 0, 0, "unknown option '-z'"},
    {{"explain", "--quiet=yes", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "option --quiet takes no value"},
    {{"explain", "-qh"}, 0, -1, 1, 0, 0, 1, NULL},
};

static void test_cases(void **state) {
  size_t i;
  int argc;
  ex_options_t o;
  char err[256];
  int rc;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const option_case_t *c = &cases[i];
    for (argc = 0; c->argv[argc] != NULL; argc++)
      ;
    rc = ex_options_parse(argc, (char **)c->argv, &o, err, sizeof(err));
    assert_int_equal(rc, c->rc);
    if (rc != 0) {
      assert_non_null(strstr(err, c->err));
      continue;
    }
    if (c->command_at < 0)
      assert_null(o.command);
    else
      assert_ptr_equal(o.command, (char **)c->argv + c->command_at);
    assert_int_equal(o.help, c->help);
    assert_int_equal(o.version, c->version);
    assert_int_equal(o.subreaper, c->subreaper);
    assert_int_equal(o.quiet, c->quiet);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
