/* Allocation torture (curl's idea): run the rule loader on real rule files
 * and the matcher on real logs once to count their allocations, then once
 * more for each allocation N with exactly that one failing. Every run must
 * end cleanly: -ENOMEM (or the documented partial results), no crash, and
 * nothing left allocated (ex_alloc_live(), and LeakSanitizer in the
 * sanitizer build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher.h"
#include "platform/platform.h"
#include "rules/rules.h"

#define SRC EX_SOURCE_DIR

/* ---------------------------------------------------------------------- */
/* Rule loader                                                             */

/* Loads `path` into a fresh set and frees everything. Returns the first
 * error. */
static int load_once(const char *path, size_t *nrules) {
  ex_ruleset_t *set = NULL;
  ex_diags_t diags;
  int rc;

  ex_diags_init(&diags);
  rc = ex_ruleset_new(&set);
  if (rc == 0)
    rc = ex_rules_load_path(set, path, 0, &diags);
  if (nrules != NULL)
    *nrules = set != NULL ? ex_ruleset_count(set) : 0;
  ex_ruleset_free(set);
  ex_diags_release(&diags);
  return rc;
}

/* Fails every allocation of loading `path` in turn; `clean` is the return
 * value without failures (0, or -EINVAL for a broken file). */
static void torture_load(const char *path, int clean) {
  unsigned long n;
  unsigned long i;
  size_t count;
  int rc;

  ex_alloc_fail_at(ULONG_MAX);
  rc = load_once(path, &count);
  n = ex_alloc_count();
  assert_int_equal(rc, clean);
  assert_int_equal(ex_alloc_live(), 0);
  assert_true(n > 10);
  for (i = 1; i <= n; i++) {
    ex_alloc_fail_at(i);
    rc = load_once(path, NULL);
    if (ex_alloc_live() != 0 || !(rc == -ENOMEM || rc == clean)) {
      ex_alloc_fail_at(0);
      fail_msg("%s, allocation %lu of %lu failing: rc %d, %ld left", path, i,
               n, rc, ex_alloc_live());
    }
    /* A valid file must say that it ran out of memory, never that it is
     * broken or that it loaded. */
    if (clean == 0 && rc != -ENOMEM) {
      ex_alloc_fail_at(0);
      fail_msg("%s, allocation %lu of %lu failing: rc %d, not -ENOMEM", path,
               i, n, rc);
    }
  }
  ex_alloc_fail_at(0);
  print_message("%s: %lu allocations, each failed in turn\n", path, n);
}

static void test_loader_valid_file(void **state) {
  (void)state;
  torture_load(SRC "/rules/python.json", 0);
}

static void test_loader_broken_file(void **state) {
  (void)state;
  torture_load(SRC "/tests/unit/torture/data/broken.json", -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* Matcher                                                                 */

static const char *const logs[] = {
    "python.permission-error.1.log", "git.dubious-ownership.1.log",
    "node.eacces.1.log",             "node.module-not-found.1.log",
    "git.index-lock.1.log",          "python.address-in-use.1.log",
};

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;

  if (f == NULL)
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

typedef struct mstate_s {
  ex_ruleset_t *set;
  char *text; /* the logs, one after the other */
  size_t len;
} mstate_t;

static int setup_matcher(void **state) {
  mstate_t *ms = calloc(1, sizeof(*ms));
  ex_diags_t diags;
  char path[512];
  size_t i;
  size_t n = 0;
  char *t;

  ex_diags_init(&diags);
  assert_int_equal(ex_ruleset_new(&ms->set), 0);
  assert_int_equal(ex_rules_load_dir(ms->set, SRC "/rules", 0, &diags), 0);
  ex_diags_release(&diags);
  for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
    snprintf(path, sizeof(path), "%s/tests/fixtures/signatures/%s", SRC,
             logs[i]);
    t = slurp(path, &n);
    assert_non_null(t);
    ms->text = realloc(ms->text, ms->len + n);
    memcpy(ms->text + ms->len, t, n);
    ms->len += n;
    free(t);
  }
  *state = ms;
  return 0;
}

static int teardown_matcher(void **state) {
  mstate_t *ms = *state;

  ex_ruleset_free(ms->set);
  free(ms->text);
  free(ms);
  return 0;
}

#define OK_RC(rc) ((rc) == 0 || (rc) == -ENOMEM)

/* One matcher run over the text, in odd-sized chunks, with every fix
 * command expanded. Returns 1 when some call said -ENOMEM, 0 when none did,
 * -1 on an unexpected return value. *nfound: findings listed. */
static int match_once(const mstate_t *ms, size_t *nfound) {
  ex_matcher_t *m = NULL;
  const ex_finding_t *f;
  size_t off;
  size_t n;
  size_t i;
  size_t j;
  char *cmd;
  int nomem = 0;
  int rc;

  *nfound = 0;
  rc = ex_matcher_new(ms->set, &m);
  if (rc != 0)
    return rc == -ENOMEM ? 1 : -1;
  for (off = 0; off < ms->len; off += n) {
    n = ms->len - off < 1000 ? ms->len - off : 1000;
    rc = ex_matcher_feed(m, EX_STREAM_STDERR, ms->text + off, n);
    if (!OK_RC(rc))
      goto bad;
    nomem |= rc == -ENOMEM;
  }
  rc = ex_matcher_finish(m);
  if (!OK_RC(rc))
    goto bad;
  nomem |= rc == -ENOMEM;
  *nfound = ex_matcher_count(m);
  for (i = 0; i < *nfound; i++) {
    f = ex_matcher_get(m, i);
    for (j = 0; j < f->rule->nfixes; j++) {
      if (f->rule->fixes[j].command == NULL)
        continue;
      cmd = NULL;
      rc = ex_finding_expand(f, f->rule->fixes[j].command, EX_TEMPLATE_SHELL,
                             &cmd, NULL);
      ex_free(cmd);
      if (!OK_RC(rc))
        goto bad;
      nomem |= rc == -ENOMEM;
    }
  }
  ex_matcher_free(m);
  return nomem;

bad:
  ex_matcher_free(m);
  return -1;
}

static void test_matcher(void **state) {
  const mstate_t *ms = *state;
  unsigned long n;
  unsigned long i;
  unsigned long silent = 0;
  size_t base;
  size_t found;
  int rc;

  ex_alloc_fail_at(ULONG_MAX);
  rc = match_once(ms, &base);
  n = ex_alloc_count();
  assert_int_equal(rc, 0);
  assert_int_equal(ex_alloc_live(), 0);
  assert_true(base >= 4);
  for (i = 1; i <= n; i++) {
    ex_alloc_fail_at(i);
    rc = match_once(ms, &found);
    if (rc < 0 || ex_alloc_live() != 0) {
      ex_alloc_fail_at(0);
      fail_msg("allocation %lu of %lu failing: rc %d, %ld left", i, n, rc,
               ex_alloc_live());
    }
    /* A failure nobody reported may only cost what is documented: the JIT
     * (the interpreter gives the same findings). Fewer findings must come
     * with an -ENOMEM. */
    if (rc == 0) {
      silent++;
      if (found != base) {
        ex_alloc_fail_at(0);
        fail_msg("allocation %lu of %lu failing: %zu findings instead of %zu "
                 "and no -ENOMEM",
                 i, n, found, base);
      }
    }
  }
  ex_alloc_fail_at(0);
  print_message("matcher: %lu allocations, each failed in turn (%lu absorbed "
                "without a change)\n",
                n, silent);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loader_valid_file),
      cmocka_unit_test(test_loader_broken_file),
      cmocka_unit_test_setup_teardown(test_matcher, setup_matcher,
                                      teardown_matcher),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
