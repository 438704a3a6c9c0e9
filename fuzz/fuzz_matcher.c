/* libFuzzer target: the line splitter, the line cleaner (escape sequences,
 * carriage returns), the prefilter, the normaliser and the errno-phrase
 * recogniser inside the matcher, with explain's built-in rules, on
 * arbitrary output cut into arbitrary chunks; then every template of
 * every finding is expanded (shell-quoted for fix commands), and the
 * ending is read.
 *
 * The matcher is built once per process and reset between inputs:
 * building it (the literals of 900 patterns, the prefilter's tables) took
 * most of each run when it was built for every input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_finding(const ex_finding_t *f) {
  char *out;
  size_t len;
  size_t j;

  for (j = 0; j < f->rule->nfixes; j++) {
    out = NULL;
    if (f->rule->fixes[j].command != NULL &&
        ex_finding_expand(f, f->rule->fixes[j].command, EX_TEMPLATE_SHELL, &out,
                          &len) == 0 &&
        strlen(out) != len)
      abort(); /* a NUL inside a fix command: sh would cut it there */
    free(out);
  }
  if (f->rule->meaning != NULL &&
      ex_finding_expand(f, f->rule->meaning, 0, &out, &len) == 0)
    free(out);
  /* A generic finding's subject is a copy of words of its line. */
  if (f->rule->recogniser != NULL && f->event.subject_value != NULL &&
      (f->event.subject_kind == NULL || f->event.subject_value[0] == '\0'))
    abort();
  for (j = 0; j < f->nchildren; j++)
    check_finding(f->children[j]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ex_matcher_t *m;
  ex_match_ending_t end;
  size_t i;

  if (m == NULL && ex_matcher_new(fuzz_rules(), &m) != 0)
    return 0;
  ex_matcher_reset(m);
  fuzz_feed(m, data, size);
  (void)ex_matcher_finish(m);
  for (i = 0; i < ex_matcher_count(m); i++)
    check_finding(ex_matcher_get(m, i));
  if (ex_matcher_ending(m, &end) && (end.shape == NULL || end.line == 0))
    abort();
  return 0;
}
