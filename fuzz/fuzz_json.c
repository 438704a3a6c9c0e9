/* libFuzzer target: the renderers. Arbitrary output goes through the
 * matcher with the built-in rules, and the findings (captures, evidence
 * and subjects holding any bytes) are rendered as JSON, text, history lines
 * and GitHub annotations, with a command line and a directory taken from
 * the input too. The JSON must parse (cJSON), the history lines too, and
 * without colours the text report must not hold a single escape byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_parse(const char *s, size_t len) {
  cJSON *j = cJSON_ParseWithLength(s, len);

  if (j == NULL)
    abort(); /* invalid JSON */
  cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ex_matcher_t *m = NULL;
  ex_report_diag_t *diags = NULL;
  ex_report_t r;
  ex_host_t host;
  char *argv[4];
  char word[256];
  char *out = NULL;
  char *out2 = NULL;
  size_t len = 0;
  size_t len2 = 0;
  size_t n;
  size_t i;

  if (ex_matcher_new(fuzz_rules(), &m) != 0)
    return 0;
  fuzz_feed(m, data, size);
  (void)ex_matcher_finish(m);
  n = ex_matcher_count(m);
  diags = calloc(n + 1, sizeof(*diags));
  if (diags == NULL)
    goto cleanup;
  for (i = 0; i < n; i++)
    diags[i].finding = ex_matcher_get(m, i);

  /* A command word and a directory from the input's first bytes. */
  n = size < sizeof(word) - 1 ? size : sizeof(word) - 1;
  memcpy(word, data, n);
  word[n] = '\0';
  argv[0] = "sh";
  argv[1] = "-c";
  argv[2] = word;
  argv[3] = NULL;
  memset(&host, 0, sizeof(host));
  memcpy(host.os, "linux", 6);
  memset(&r, 0, sizeof(r));
  r.command = argv;
  r.cwd = word;
  r.ran = 1;
  r.exit_code = size > 0 ? data[0] : 1;
  r.host = &host;
  r.diags = diags;
  r.ndiags = ex_matcher_count(m);
  r.width = size > 1 ? data[1] % 120 : 0;

  if (ex_report_json(&r, &out, &len) == 0)
    must_parse(out, len);
  free(out);
  out = NULL;
  if (ex_report_text(&r, &out, &len) == 0 && memchr(out, 0x1b, len) != NULL)
    abort(); /* an escape sequence would reach the terminal */
  free(out);
  out = NULL;
  for (i = 0; i < r.ndiags; i++) {
    if (ex_report_history_line(&r, i, 1700000000, &out, &len) == 0) {
      if (len == 0 || memchr(out, '\n', len) != out + len - 1)
        abort(); /* one line per diagnosis */
      must_parse(out, len);
    }
    free(out);
    out = NULL;
  }
  if (ex_report_github(&r, &out, &len, &out2, &len2) == 0 &&
      memchr(out, 0x1b, len) != NULL)
    abort();
  free(out);
  free(out2);

cleanup:
  free(diags);
  ex_matcher_free(m);
  return 0;
}
