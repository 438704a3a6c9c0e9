/* libFuzzer target: the normaliser (the built-in prefixes) and the
 * errno-phrase recogniser on each line of arbitrary bytes, checking what
 * they promise: boundaries that only move forward and stay in the line,
 * and a reading whose phrase, words and subject lie inside the message,
 * the words holding the phrase. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(ex_normaliser_t *n, const char *s, size_t len) {
  ex_norm_t nm;
  ex_errphrase_t e;
  const char *msg;
  size_t mlen;
  size_t k;

  ex_normalise(n, s, len, &nm);
  if (nm.depth > EX_NORM_DEPTH || nm.off[0] != 0)
    abort();
  for (k = 0; k < nm.depth; k++)
    if (nm.off[k + 1] <= nm.off[k] || nm.off[k + 1] > len ||
        nm.shape[k] == NULL)
      abort();
  msg = s + nm.off[nm.depth];
  mlen = len - nm.off[nm.depth];
  if (!ex_errphrase_find(msg, mlen, &e))
    return;
  if (e.phrase_len == 0 || e.phrase_off + e.phrase_len > mlen ||
      e.words_off + e.words_len > mlen || e.words_off > e.phrase_off ||
      e.words_off + e.words_len < e.phrase_off + e.phrase_len)
    abort();
  if (e.errno_name == NULL && e.condition == NULL)
    abort();
  if (e.subject_kind != NULL &&
      (e.subject_len == 0 || e.subject_off + e.subject_len > mlen))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ex_normaliser_t *n;
  const char *s = (const char *)data;
  const char *end = s + size;

  if (n == NULL && ex_normaliser_new(fuzz_rules(), &n) != 0)
    return 0;
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t len = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
    check_line(n, s, len);
    s += len + 1;
  }
  return 0;
}
