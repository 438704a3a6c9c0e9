/* The normaliser: log prefixes stripped, one after the other.
 *
 * Each prefix is tried only where it can start: PCRE2 knows the first
 * bytes of most patterns, so that at each step only the few prefixes that
 * can begin with the byte at hand run (a timestamp needs a digit, `##[`
 * a '#'). A prefix that keeps hitting its match limit is switched off, as
 * patterns are. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher.h"
#include "platform/platform.h"

#define NORM_LIMIT_HITS_MAX 16

typedef struct nprefix_s {
  const ex_shape_t *shape;
  ex_regex_t *re;
  unsigned limit_hits;
} nprefix_t;

struct ex_normaliser_s {
  nprefix_t *pre;
  size_t npre;
  /* For each first byte, the prefixes that can start with it, in load
   * order: index lists into byfirst[] (start[b]..start[b + 1]). */
  uint32_t start[257];
  uint32_t *byfirst;
  ex_regex_scratch_t *scratch;
};

int ex_normaliser_new(const ex_ruleset_t *set, ex_normaliser_t **out) {
  ex_normaliser_t *n;
  size_t count = ex_ruleset_prefix_count(set);
  unsigned char(*first)[32] = NULL;
  size_t i;
  unsigned b;
  size_t k;
  int rc;

  *out = NULL;
  n = ex_calloc(1, sizeof(*n));
  if (n == NULL)
    return -ENOMEM;
  n->pre = ex_calloc(count + 1, sizeof(*n->pre));
  first = ex_calloc(count + 1, sizeof(*first));
  if (n->pre == NULL || first == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  rc = ex_regex_scratch_new(&n->scratch);
  if (rc < 0)
    goto cleanup;
  for (i = 0; i < count; i++) {
    const ex_shape_t *sh = ex_ruleset_prefix(set, i);
    nprefix_t *p = &n->pre[n->npre];
    if (sh->pattern == NULL)
      continue;
    rc = ex_regex_compile(sh->pattern, strlen(sh->pattern), EX_REGEX_ANCHORED,
                          &p->re, NULL);
    if (rc == -ENOMEM)
      goto cleanup;
    if (rc < 0)
      continue; /* the loader refuses these: a set built by hand */
    p->shape = sh;
    if (!ex_regex_first_bytes(p->re, first[n->npre]))
      memset(first[n->npre], 0xFF, sizeof(first[0]));
    n->npre++;
  }
  /* Counting sort of (first byte, prefix) pairs. */
  k = 0;
  for (b = 0; b < 256; b++) {
    n->start[b] = (uint32_t)k;
    for (i = 0; i < n->npre; i++)
      k += (first[i][b >> 3] >> (b & 7)) & 1;
  }
  n->start[256] = (uint32_t)k;
  n->byfirst = ex_calloc(k + 1, sizeof(*n->byfirst));
  if (n->byfirst == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  k = 0;
  for (b = 0; b < 256; b++)
    for (i = 0; i < n->npre; i++)
      if ((first[i][b >> 3] >> (b & 7)) & 1)
        n->byfirst[k++] = (uint32_t)i;
  *out = n;
  n = NULL;
  rc = 0;

cleanup:
  ex_free(first);
  ex_normaliser_free(n);
  return rc;
}

void ex_normaliser_free(ex_normaliser_t *n) {
  size_t i;

  if (n == NULL)
    return;
  for (i = 0; i < n->npre; i++)
    ex_regex_free(n->pre[i].re);
  ex_free(n->pre);
  ex_free(n->byfirst);
  ex_regex_scratch_free(n->scratch);
  ex_free(n);
}

size_t ex_normaliser_count(const ex_normaliser_t *n) {
  return n->npre;
}

/* The length of the prefix that matches at s[0..len), 0 when none does. */
static size_t strip_one(ex_normaliser_t *n, const char *s, size_t len,
                        const ex_shape_t **which) {
  unsigned char c = (unsigned char)s[0];
  uint32_t j;

  for (j = n->start[c]; j < n->start[c + 1]; j++) {
    nprefix_t *p = &n->pre[n->byfirst[j]];
    size_t at;
    size_t mlen;
    int rc;
    if (p->limit_hits >= NORM_LIMIT_HITS_MAX)
      continue;
    rc = ex_regex_match(p->re, n->scratch, s, len);
    if (rc == -ETIMEDOUT)
      p->limit_hits++;
    if (rc != 1)
      continue;
    ex_regex_span(n->scratch, &at, &mlen);
    if (at != 0 || mlen == 0)
      continue; /* anchored: at is 0; an empty match strips nothing */
    *which = p->shape;
    return mlen;
  }
  return 0;
}

void ex_normalise(ex_normaliser_t *n, const char *line, size_t len,
                  ex_norm_t *out) {
  size_t pos = 0;

  out->depth = 0;
  out->off[0] = 0;
  out->level[0] = EX_LEVEL_NONE;
  if (n == NULL)
    return;
  while (out->depth < EX_NORM_DEPTH && pos < len) {
    const ex_shape_t *sh = NULL;
    size_t k = strip_one(n, line + pos, len - pos, &sh);
    size_t d = out->depth;
    if (k == 0)
      break;
    pos += k;
    out->shape[d] = sh;
    out->off[d + 1] = pos;
    out->level[d + 1] = sh->level != EX_LEVEL_NONE ? sh->level : out->level[d];
    out->depth++;
  }
}
