/* libFuzzer target: the line splitter, the line cleaner (escape sequences,
 * carriage returns), the prefilter and the matcher with explain's built-in
 * rules, on arbitrary output cut into arbitrary chunks; then every
 * template of every finding is expanded (shell-quoted for fix commands). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ex_matcher_t *m = NULL;
  const ex_finding_t *f;
  char *out;
  size_t len;
  size_t i;
  size_t j;

  if (ex_matcher_new(fuzz_rules(), &m) != 0)
    return 0;
  fuzz_feed(m, data, size);
  (void)ex_matcher_finish(m);
  for (i = 0; i < ex_matcher_count(m); i++) {
    f = ex_matcher_get(m, i);
    for (j = 0; j < f->rule->nfixes; j++) {
      out = NULL;
      if (f->rule->fixes[j].command != NULL &&
          ex_finding_expand(f, f->rule->fixes[j].command, EX_TEMPLATE_SHELL,
                            &out, &len) == 0 &&
          strlen(out) != len)
        abort(); /* a NUL inside a fix command: sh would cut it there */
      free(out);
    }
    if (f->rule->meaning != NULL &&
        ex_finding_expand(f, f->rule->meaning, 0, &out, &len) == 0)
      free(out);
  }
  ex_matcher_free(m);
  return 0;
}
