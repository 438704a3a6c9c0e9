/* Helpers shared by the matcher's unit tests (included once per test
 * program, after cmocka). */
#ifndef EX_TEST_MATCHER_HELPERS_H
#define EX_TEST_MATCHER_HELPERS_H

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* Rules written with ' for " like the loader tests. */
static ex_ruleset_t *load(const char *src) {
  ex_ruleset_t *set = NULL;
  ex_diags_t d;
  char *json = strdup(src);
  size_t i;

  assert_non_null(json);
  for (i = 0; json[i] != '\0'; i++)
    if (json[i] == '\'')
      json[i] = '"';
  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  if (ex_rules_load_buffer(set, "t.json", json, strlen(json), 0, &d) != 0) {
    for (i = 0; i < d.count; i++)
      print_error("%d:%d: %s\n", d.items[i].line, d.items[i].column,
                  d.items[i].message);
    fail();
  }
  ex_diags_release(&d);
  free(json);
  return set;
}

static size_t describe_one(const ex_finding_t *f, char *out, size_t size,
                           size_t n, int depth) {
  size_t i;

  n += (size_t)snprintf(out + n, size - n, "%*s%s x%lu L%lu", depth * 2, "",
                        f->rule->id, f->count, f->evidence[0].line);
  if (f->event.errno_name != NULL)
    n += (size_t)snprintf(out + n, size - n, " %s", f->event.errno_name);
  if (f->event.operation != NULL)
    n += (size_t)snprintf(out + n, size - n, " op=%s", f->event.operation);
  if (f->event.subject_value != NULL)
    n += (size_t)snprintf(out + n, size - n, " s=%s", f->event.subject_value);
  if (f->location_file != NULL)
    n += (size_t)snprintf(out + n, size - n, " at=%s:%s", f->location_file,
                          f->location_line ? f->location_line : "");
  for (i = 1; i < f->nevidence; i++)
    n += (size_t)snprintf(out + n, size - n, " +L%lu", f->evidence[i].line);
  n += (size_t)snprintf(out + n, size - n, "\n");
  for (i = 0; i < f->nchildren; i++)
    n = describe_one(f->children[i], out, size, n, depth + 1);
  return n;
}

/* Feeds text in chunks of `chunk` bytes to stderr and describes the ranked
 * findings into out. */
static void run_matcher(const ex_ruleset_t *set, const char *text, size_t len,
                        size_t chunk, char *out, size_t size,
                        ex_matcher_stats_t *st) {
  ex_matcher_t *m = NULL;
  size_t off;
  size_t n = 0;
  size_t i;

  assert_int_equal(ex_matcher_new(set, &m), 0);
  for (off = 0; off < len; off += chunk) {
    size_t k = len - off < chunk ? len - off : chunk;
    assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, text + off, k), 0);
  }
  assert_int_equal(ex_matcher_finish(m), 0);
  out[0] = '\0';
  for (i = 0; i < ex_matcher_count(m); i++)
    n = describe_one(ex_matcher_get(m, i), out, size, n, 0);
  if (st != NULL)
    ex_matcher_stats(m, st);
  ex_matcher_free(m);
}

#endif
