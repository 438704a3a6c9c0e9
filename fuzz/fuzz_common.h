/* Shared by the fuzz targets that need explain's built-in rules. */
#ifndef EX_FUZZ_COMMON_H
#define EX_FUZZ_COMMON_H

#include <stdlib.h>

#include "matcher/matcher.h"
#include "rules/rules.h"

/* The built-in rules (EX_SOURCE_DIR/rules), loaded once; abort() when they
 * do not load, since every input would then test nothing. */
static inline const ex_ruleset_t *fuzz_rules(void) {
  static ex_ruleset_t *set;
  ex_diags_t diags;

  if (set != NULL)
    return set;
  ex_diags_init(&diags);
  if (ex_ruleset_new(&set) != 0 ||
      ex_rules_load_dir(set, EX_SOURCE_DIR "/rules", EX_RULES_BUILTIN,
                        &diags) != 0)
    abort();
  ex_diags_release(&diags);
  return set;
}

/* Feeds data to m the way the launcher would: the first byte chooses chunk
 * sizes and streams, so that lines, escape sequences and UTF-8 sequences
 * are cut at every place. */
static inline void fuzz_feed(ex_matcher_t *m, const unsigned char *data,
                             size_t size) {
  unsigned seed;
  size_t off;
  size_t n;

  if (size == 0)
    return;
  seed = data[0];
  data++;
  size--;
  for (off = 0; off < size; off += n) {
    n = 1 + (seed * 131 + off * 7) % 4099;
    if (n > size - off)
      n = size - off;
    (void)ex_matcher_feed(m,
                          (seed & 0x80) && (off & 1) ? EX_STREAM_STDOUT
                                                     : EX_STREAM_STDERR,
                          data + off, n);
    seed = seed * 1103515245u + 12345u;
  }
}

#endif
