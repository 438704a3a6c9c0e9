/* Unit tests of the CI-family helpers (tools/tool_ci_util.c): version
 * requirements as npm, pip, poetry, cargo and Go print them, the dates
 * certificates and clocks are printed with, and the certificate count of a
 * PEM file. Tables: each row is a case a tool really prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/linux/tools/tool_ci.h"

typedef struct {
  const char *version;
  const char *requirement;
  int want; /* 1 satisfied, 0 not, -1 unreadable */
} req_case_t;

static const req_case_t reqs[] = {
    {"16.20.2", ">=18", 0},
    {"20.11.1", ">=18", 1},
    {"18.20.3", "^20.17.0 || >=22.9.0", 0},
    {"22.10.0", "^20.17.0 || >=22.9.0", 1},
    {"20.18.0", "^20.17.0 || >=22.9.0", 1},
    {"12.22.9", "^18", 0},
    {"7.10.0", "0.10.x", 0},
    {"0.10.48", "0.10.x", 1},
    {"14.17.0", "12.16.2", 0},
    {"3.8.10", "==3.9.*", 0},
    {"3.9.7", "==3.9.*", 1},
    {"3.11.8", ">=3.12", 0},
    {"3.11.2", ">=3.8,<4.0", 1},
    {"3.8.18", ">=3.9", 0},
    {"1.76.0", ">=1.79", 0},
    {"1.21.10", ">=1.22", 0},
    {"1.22.1", ">=go1.22", 1},
    {"3.10.0", "!=3.10.0", 0},
    {"5.0.0", ">= 4.0", 1},
    {"1.0.0", "latest", -1},
};

static void test_requirements(void **state) {
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
    int v[3];
    int n = ex__ci_version(reqs[i].version, v);

    assert_int_equal(n, 3);
    if (ex__ci_satisfies(v, n, reqs[i].requirement) != reqs[i].want)
      fail_msg("%s against \"%s\": want %d", reqs[i].version,
               reqs[i].requirement, reqs[i].want);
  }
}

static void test_versions(void **state) {
  int v[3];

  (void)state;
  assert_int_equal(ex__ci_version("v18.19.0", v), 3);
  assert_int_equal(v[0], 18);
  assert_int_equal(ex__ci_version("go1.21.5", v), 3);
  assert_int_equal(v[1], 21);
  assert_int_equal(ex__ci_version("1.76.0-nightly (07dca489a 2024)", v), 3);
  assert_int_equal(ex__ci_version("3.11", v), 2);
  assert_int_equal(ex__ci_version("none", v), 0);
}

static void test_dates(void **state) {
  time_t t;
  char buf[32];

  (void)state;
  /* Go's x509 message, with and without an offset. */
  assert_int_equal(ex__ci_parse_time("2017-11-28T17:25:51+03:00", &t), 0);
  assert_string_equal(ex__ci_time(t, buf, sizeof(buf)), "2017-11-28T14:25:51Z");
  assert_int_equal(ex__ci_parse_time("2024-04-30T23:59:59Z", &t), 0);
  assert_string_equal(ex__ci_time(t, buf, sizeof(buf)), "2024-04-30T23:59:59Z");
  /* OpenSSL's notAfter and curl -v's expire date. */
  assert_int_equal(ex__ci_parse_time("Feb  1 00:00:00 2020 GMT", &t), 0);
  assert_string_equal(ex__ci_time(t, buf, sizeof(buf)), "2020-02-01T00:00:00Z");
  /* Java's CertificateExpiredException. */
  assert_int_equal(ex__ci_parse_time("Sun Mar 10 12:00:00 UTC 2024", &t), 0);
  assert_string_equal(ex__ci_time(t, buf, sizeof(buf)), "2024-03-10T12:00:00Z");
  assert_int_equal(ex__ci_parse_time("yesterday", &t), -EINVAL);
}

static void test_count_certs(void **state) {
  char path[] = "/tmp/explain-ci-certsXXXXXX";
  static const char pem[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                            "-----END CERTIFICATE-----\n";
  FILE *f;
  int fd;
  int i;

  (void)state;
  fd = mkstemp(path);
  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  /* Enough certificates that marks fall across read boundaries. */
  for (i = 0; i < 3000; i++)
    fputs(pem, f);
  fclose(f);
  assert_int_equal(ex__ci_count_certs(path), 3000);
  assert_int_equal(ex__ci_count_certs("/nonexistent/bundle.pem"), -ENOENT);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requirements),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_dates),
      cmocka_unit_test(test_count_certs),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
