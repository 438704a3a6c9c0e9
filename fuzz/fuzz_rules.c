/* libFuzzer target: the rule loader (cJSON, the position scanner, the
 * validator, regex and literal checks, templates) on arbitrary rule files,
 * then the matcher built from whatever loaded, run over the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "matcher/matcher.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ex_ruleset_t *set = NULL;
  ex_matcher_t *m = NULL;
  ex_diags_t diags;
  char line[256];
  size_t i;

  ex_diags_init(&diags);
  if (ex_ruleset_new(&set) != 0)
    return 0;
  (void)ex_rules_load_buffer(set, "fuzz.json", (const char *)data, size, 0,
                             &diags);
  for (i = 0; i < diags.count; i++)
    (void)ex_diag_format(&diags.items[i], line, sizeof(line));
  if (ex_ruleset_count(set) > 0 && ex_matcher_new(set, &m) == 0) {
    (void)ex_matcher_feed(m, EX_STREAM_STDERR, data, size);
    (void)ex_matcher_finish(m);
    ex_matcher_free(m);
  }
  ex_ruleset_free(set);
  ex_diags_release(&diags);
  return 0;
}
