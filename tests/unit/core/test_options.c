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
    {{"explain", "--log"}, -EINVAL, -1, 0, 0, 0, 0, "--log needs a value"},
    {{"explain", "--log", "x.log", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "a command cannot be given with --log"},
    {{"explain", "--log", "a", "--list-rules"}, -EINVAL, -1, 0, 0, 0, 0,
     "cannot be combined"},
    {{"explain", "--format", "xml", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "invalid value 'xml' for --format"},
    {{"explain", "--scan=all", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "invalid value 'all' for --scan"},
    {{"explain", "--check-rules"}, -EINVAL, -1, 0, 0, 0, 0,
     "--check-rules needs at least one path"},
    {{"explain", "--report", "", "ls"}, -EINVAL, -1, 0, 0, 0, 0,
     "needs a non-empty value"},
};

/* Options with values: where each value lands. */
static void test_values(void **state) {
  char *argv[] = {"explain", "--log", "-", "--format=json", "--report",
                  "r.json", "--rules", "a", "--rules=b", "--scan", "both",
                  "--always", NULL};
  char *check[] = {"explain", "--rules", "d", "--check-rules", "x.json",
                   "--not-an-option", NULL};
  char *rule[] = {"explain", "--rule", "python.permission-error", NULL};
  ex_options_t o;
  char err[256];

  (void)state;
  assert_int_equal(ex_options_parse(12, argv, &o, err, sizeof(err)), 0);
  assert_string_equal(o.log, "-");
  assert_int_equal(o.format, EX_FORMAT_JSON);
  assert_string_equal(o.report, "r.json");
  assert_int_equal(o.nrules, 2);
  assert_string_equal(o.rules[0], "a");
  assert_string_equal(o.rules[1], "b");
  assert_int_equal(o.scan, EX_SCAN_BOTH);
  assert_int_equal(o.always, 1);
  assert_null(o.command);

  /* --check-rules takes every word after it, options included. */
  assert_int_equal(ex_options_parse(6, check, &o, err, sizeof(err)), 0);
  assert_ptr_equal(o.check_rules, check + 4);
  assert_string_equal(o.check_rules[1], "--not-an-option");
  assert_null(o.check_rules[2]);
  assert_int_equal(o.nrules, 1);
  assert_null(o.command);

  assert_int_equal(ex_options_parse(3, rule, &o, err, sizeof(err)), 0);
  assert_string_equal(o.rule, "python.permission-error");
}

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
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases),
                                     cmocka_unit_test(test_values)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
