/* The rule-file parser and validator (format explain-rules/1).
 *
 * cJSON parses the file but keeps no positions, so a second, minimal scanner
 * walks the same (already valid) text alongside the cJSON tree and records
 * the byte offset of every value and key. Diagnostics turn offsets into
 * line:column. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "matcher/matcher.h"
#include "rules/rules_int.h"
#include "platform/platform.h"

#include <pthread.h>

#define MAX_PATTERN_NAMES 64
#define MAX_LITERALS 16

/* ---------------------------------------------------------------------- */
/* Position index                                                          */

typedef struct pos_ent_s {
  const cJSON *node;
  size_t key_off; /* offset of the key's opening quote (object members) */
  size_t val_off; /* offset of the value's first byte */
} pos_ent_t;

typedef struct pos_index_s {
  pos_ent_t *ents;
  size_t n;
  size_t cap;
  int err;
} pos_index_t;

static void pos_add(pos_index_t *ix, const cJSON *node, size_t key_off,
                    size_t val_off) {
  if (ix->err != 0)
    return;
  if (ix->n == ix->cap) {
    size_t cap = ix->cap ? ix->cap * 2 : 256;
    pos_ent_t *p = ex_realloc(ix->ents, cap * sizeof(*p));
    if (p == NULL) {
      ix->err = -ENOMEM;
      return;
    }
    ix->ents = p;
    ix->cap = cap;
  }
  ix->ents[ix->n].node = node;
  ix->ents[ix->n].key_off = key_off;
  ix->ents[ix->n].val_off = val_off;
  ix->n++;
}

static size_t skip_ws(const char *t, size_t len, size_t p) {
  while (p < len &&
         (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
    p++;
  return p;
}

/* p at the opening quote; returns the offset after the closing quote. */
static size_t skip_string(const char *t, size_t len, size_t p) {
  p++;
  while (p < len && t[p] != '"') {
    if (t[p] == '\\')
      p++;
    p++;
  }
  return p + 1;
}

/* Walks the value at p, which cJSON parsed into `node`. The text is valid
 * JSON, so the scanner only has to follow its structure. */
static size_t scan_value(pos_index_t *ix, const char *t, size_t len, size_t p,
                         const cJSON *node, size_t key_off) {
  p = skip_ws(t, len, p);
  pos_add(ix, node, key_off, p);
  if (p >= len || node == NULL)
    return p;
  if (t[p] == '{' || t[p] == '[') {
    char close = t[p] == '{' ? '}' : ']';
    const cJSON *child = node->child;
    p = skip_ws(t, len, p + 1);
    while (p < len && t[p] != close) {
      size_t koff = p;
      if (close == '}') {
        p = skip_string(t, len, p);
        p = skip_ws(t, len, p) + 1; /* ':' */
      }
      p = scan_value(ix, t, len, p, child, close == '}' ? koff : p);
      if (child == NULL)
        return len; /* out of step with cJSON: stop rather than loop */
      child = child->next;
      p = skip_ws(t, len, p);
      if (p < len && t[p] == ',')
        p = skip_ws(t, len, p + 1);
    }
    return p + 1;
  }
  if (t[p] == '"')
    return skip_string(t, len, p);
  while (p < len && t[p] != ',' && t[p] != ']' && t[p] != '}' && t[p] != ' ' &&
         t[p] != '\t' && t[p] != '\n' && t[p] != '\r')
    p++;
  return p;
}

static int pos_cmp(const void *a, const void *b) {
  const pos_ent_t *x = a;
  const pos_ent_t *y = b;

  if (x->node == y->node)
    return 0;
  return (uintptr_t)x->node < (uintptr_t)y->node ? -1 : 1;
}

static const pos_ent_t *pos_find(const pos_index_t *ix, const cJSON *node) {
  pos_ent_t key;

  key.node = node;
  return bsearch(&key, ix->ents, ix->n, sizeof(key), pos_cmp);
}

/* Offset in the file of byte `idx` of the decoded JSON string whose opening
 * quote is at `qoff`. */
static size_t string_byte_offset(const char *t, size_t len, size_t qoff,
                                 size_t idx) {
  size_t p = qoff + 1;
  size_t n = 0;

  while (p < len && t[p] != '"' && n < idx) {
    if (t[p] != '\\') {
      p++;
      n++;
      continue;
    }
    if (p + 1 < len && t[p + 1] == 'u') {
      unsigned v = (unsigned)strtoul(
          (char[]){t[p + 2], t[p + 3], t[p + 4], t[p + 5], 0}, NULL, 16);
      p += 6;
      if (v >= 0xd800 && v <= 0xdbff && p + 1 < len && t[p] == '\\') {
        p += 6;
        n += 4;
      } else {
        n += v < 0x80 ? 1 : v < 0x800 ? 2 : 3;
      }
      continue;
    }
    p += 2;
    n++;
  }
  return p;
}

/* ---------------------------------------------------------------------- */
/* Loader context and diagnostics                                          */

typedef struct lctx_s {
  const char *name;
  const char *text;
  size_t len;
  int builtin;
  ex_diags_t *diags;
  pos_index_t ix;
  int errors;
  int nomem;
  /* Where the last offset_to_lc() stopped: rules are read in file order, so
   * counting lines from there keeps the whole load linear. */
  size_t lc_off;
  size_t lc_bol;
  int lc_line;
} lctx_t;

static void offset_to_lc(lctx_t *c, size_t off, int *line, int *col) {
  size_t i;

  if (off > c->len)
    off = c->len;
  if (c->lc_line == 0 || off < c->lc_off) {
    c->lc_off = 0;
    c->lc_bol = 0;
    c->lc_line = 1;
  }
  for (i = c->lc_off; i < off; i++) {
    if (c->text[i] == '\n') {
      c->lc_line++;
      c->lc_bol = i + 1;
    }
  }
  c->lc_off = off;
  *line = c->lc_line;
  *col = (int)(off - c->lc_bol) + 1;
}

static void vreport(lctx_t *c, size_t off, const char *fmt, va_list ap) {
  char msg[400];
  int line;
  int col;

  vsnprintf(msg, sizeof(msg), fmt, ap);
  offset_to_lc(c, off, &line, &col);
  ex__diag_add(c->diags, c->name, line, col, c->builtin, "%s", msg);
  c->errors++;
}

static void report_off(lctx_t *c, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_off(lctx_t *c, size_t off, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vreport(c, off, fmt, ap);
  va_end(ap);
}

/* Reports at the value of `node` (or at its key when at_key). */
static void report(lctx_t *c, const cJSON *node, int at_key, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
static void report(lctx_t *c, const cJSON *node, int at_key, const char *fmt,
                   ...) {
  const pos_ent_t *e = pos_find(&c->ix, node);
  va_list ap;

  va_start(ap, fmt);
  vreport(c, e == NULL ? 0 : at_key ? e->key_off : e->val_off, fmt, ap);
  va_end(ap);
}

static size_t node_off(const lctx_t *c, const cJSON *node) {
  const pos_ent_t *e = pos_find(&c->ix, node);

  return e == NULL ? 0 : e->val_off;
}

static char *dup_str(lctx_t *c, const char *s) {
  char *d;

  if (s == NULL)
    return NULL;
  d = ex_strdup(s);
  if (d == NULL)
    c->nomem = 1;
  return d;
}

static const char *type_name(const cJSON *n) {
  if (cJSON_IsString(n))
    return "a string";
  if (cJSON_IsNumber(n))
    return "a number";
  if (cJSON_IsBool(n))
    return "a boolean";
  if (cJSON_IsNull(n))
    return "null";
  if (cJSON_IsArray(n))
    return "an array";
  if (cJSON_IsObject(n))
    return "an object";
  return "invalid";
}

/* Checks an object's keys against `allowed` (NULL-terminated) and
 * `required`; reports unknown, repeated and missing keys. `what` names the
 * object in messages. Returns 0 when all is well. */
static int check_keys(lctx_t *c, const cJSON *obj, const char *what,
                      const char *const *allowed, const char *const *required) {
  const cJSON *m;
  const cJSON *n;
  int before = c->errors;
  size_t i;

  if (!cJSON_IsObject(obj)) {
    report(c, obj, 0, "%s must be an object, not %s", what, type_name(obj));
    return -1;
  }
  for (m = obj->child; m != NULL; m = m->next) {
    int known = 0;
    for (i = 0; allowed[i] != NULL; i++)
      if (strcmp(m->string, allowed[i]) == 0)
        known = 1;
    if (!known) {
      report(c, m, 1, "unknown key \"%s\" in %s", m->string, what);
      continue;
    }
    for (n = obj->child; n != m; n = n->next)
      if (strcmp(n->string, m->string) == 0) {
        report(c, m, 1, "duplicate key \"%s\" in %s", m->string, what);
        break;
      }
  }
  for (i = 0; required != NULL && required[i] != NULL; i++)
    if (cJSON_GetObjectItemCaseSensitive(obj, required[i]) == NULL)
      report(c, obj, 0, "%s: missing key \"%s\"", what, required[i]);
  return c->errors == before ? 0 : -1;
}

static const cJSON *get(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* A string member (NULL if absent or reported). */
static const char *get_string(lctx_t *c, const cJSON *obj, const char *key,
                              const char *what) {
  const cJSON *v = get(obj, key);

  if (v == NULL)
    return NULL;
  if (!cJSON_IsString(v)) {
    report(c, v, 0, "%s \"%s\" must be a string, not %s", what, key,
           type_name(v));
    return NULL;
  }
  return v->valuestring;
}

static int in_list(const char *s, const char *const *list) {
  size_t i;

  for (i = 0; list[i] != NULL; i++)
    if (strcmp(s, list[i]) == 0)
      return 1;
  return 0;
}

static const char *const operations[] = {
    "read", "write",    "open",    "create",  "delete",       "rename",
    "exec", "search",   "mkdir",   "chmod",   "chown",        "link",
    "bind", "connect",  "listen",  "resolve", "lock",         "mount",
    "load", "import",   "install", "compile", "link-objects", "fetch",
    "auth", "allocate", "other",   NULL};

static const char *const subject_kinds[] = {
    "path",       "port",    "address", "host",    "url",    "module",
    "package",    "library", "symbol",  "command", "header", "file",
    "repository", "lock",    "signal",  "version", "class",  "image",
    "resource",   "none",    NULL};

/* ^[a-z0-9-]+$ (and for ids, dots too). */
static int is_word(const char *s, int dots) {
  if (*s == '\0')
    return 0;
  for (; *s != '\0'; s++) {
    char ch = *s;
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          (dots && (ch == '.' || ch == '_'))))
      return 0;
  }
  return 1;
}

/* ^[a-z0-9]+(\.[a-z0-9][a-z0-9-]*)+$ */
static int is_rule_id(const char *s) {
  const char *p = s;
  int segments = 0;

  while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
    p++;
  if (p == s)
    return 0;
  while (*p == '.') {
    p++;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
      return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
      p++;
    segments++;
  }
  return *p == '\0' && segments > 0;
}

/* ---------------------------------------------------------------------- */
/* Capture names, for checking templates                                   */

typedef struct names_s {
  size_t n;
  char *name[MAX_PATTERN_NAMES];
} names_t;

static void names_release(names_t *s) {
  size_t i;

  for (i = 0; i < s->n; i++)
    ex_free(s->name[i]);
  s->n = 0;
}

static int names_has(const names_t *s, const char *name, size_t len) {
  size_t i;

  for (i = 0; i < s->n; i++)
    if (strlen(s->name[i]) == len && memcmp(s->name[i], name, len) == 0)
      return 1;
  return 0;
}

/* Compiles the regex of a string node (without JIT, with `flags`) into
 * *re, reporting an invalid one at the byte where PCRE2 stopped. Returns
 * 0 or a negative errno. */
static int compile_node(lctx_t *c, const cJSON *node, int flags,
                        ex_regex_t **re) {
  ex_regex_error_t err;
  const char *src = node->valuestring;
  int rc;

  rc = ex_regex_compile(src, strlen(src), EX_REGEX_NOJIT | flags, re, &err);
  if (rc == -ENOMEM)
    c->nomem = 1;
  else if (rc < 0)
    report_off(
        c, string_byte_offset(c->text, c->len, node_off(c, node), err.offset),
        "invalid regex: %s (at offset %zu of the pattern)", err.message,
        err.offset);
  return rc;
}

/* Compiles a regex string node and checks its literal when need_literal;
 * fills `names` (may be NULL) with its named groups. Returns 0 when valid. */
static int check_regex(lctx_t *c, const cJSON *node, int need_literal,
                       names_t *names) {
  ex_regex_t *re = NULL;
  ex_literal_t lits[MAX_LITERALS];
  const char *src = node->valuestring;
  size_t len = strlen(src);
  int rc;
  size_t i;

  rc = compile_node(c, node, 0, &re);
  if (rc < 0)
    return rc;
  for (i = 0; names != NULL && i < ex_regex_name_count(re) &&
              names->n < MAX_PATTERN_NAMES;
       i++) {
    names->name[names->n] = dup_str(c, ex_regex_name(re, i));
    if (names->name[names->n] != NULL)
      names->n++;
  }
  ex_regex_free(re);
  if (!need_literal)
    return 0;
  rc = ex_literals_extract(src, len, lits, MAX_LITERALS);
  if (rc == -E2BIG) {
    report(c, node, 0,
           "pattern needs more than %d literals (too many alternatives)",
           MAX_LITERALS);
    return -EINVAL;
  }
  if (rc <= 0) {
    report(c, node, 0,
           "pattern has no required literal of at least %d bytes: every "
           "match must contain some fixed text",
           EX_LITERAL_MIN);
    return -EINVAL;
  }
  return 0;
}

/* Template checking: every ${name} must be in one of the name sets. */
typedef struct tcheck_s {
  lctx_t *c;
  const cJSON *node;
  const names_t *sets[4];
} tcheck_t;

static int tcheck_ref(void *ud, const char *name, size_t len, size_t off) {
  tcheck_t *t = ud;
  size_t at =
      string_byte_offset(t->c->text, t->c->len, node_off(t->c, t->node), off);
  size_t i;

  if (len == 0) {
    report_off(t->c, at, "template: \"${\" without a valid \"name}\"");
    return 0;
  }
  for (i = 0; i < 4; i++)
    if (t->sets[i] != NULL && names_has(t->sets[i], name, len))
      return 0;
  report_off(t->c, at,
             "template names capture \"%.*s\", which is not a named group "
             "of every pattern nor of a context pattern",
             (int)len, name);
  return 0;
}

/* Validates a template string member and returns a copy (NULL if absent).
 * `sets` are the names it may use. */
static char *get_template(lctx_t *c, const cJSON *obj, const char *key,
                          const char *what, const names_t *const sets[4]) {
  const cJSON *v = get(obj, key);
  const char *s = get_string(c, obj, key, what);
  tcheck_t t;

  if (s == NULL)
    return NULL;
  t.c = c;
  t.node = v;
  memcpy(t.sets, sets, sizeof(t.sets));
  ex_template_refs(s, tcheck_ref, &t);
  return dup_str(c, s);
}

/* ---------------------------------------------------------------------- */
/* Rule parts                                                              */

typedef struct rule_names_s {
  names_t common; /* names of every pattern */
  names_t before; /* context.before */
  names_t after;  /* context.after */
  names_t *per;   /* per pattern */
} rule_names_t;

static void parse_event(lctx_t *c, const cJSON *obj, const char *what,
                        int override, ex_rule_event_t *ev,
                        const names_t *const sets[4]) {
  static const char *const keys[] = {"errno", "condition", "operation",
                                     "subject", NULL};
  static const char *const skeys[] = {"kind", "value", NULL};
  static const char *const sreq[] = {"kind", NULL};
  const cJSON *v;
  const char *s;

  check_keys(c, obj, what, keys, NULL);
  if (!cJSON_IsObject(obj))
    return;
  v = get(obj, "errno");
  if (v != NULL && !cJSON_IsNull(v)) {
    ev->errno_tpl = get_template(c, obj, "errno", what, sets);
    if (ev->errno_tpl != NULL && strstr(ev->errno_tpl, "${") == NULL &&
        ex_errno_parse(ev->errno_tpl) == NULL)
      report(c, v, 0, "unknown errno \"%s\"", ev->errno_tpl);
  }
  s = get_string(c, obj, "condition", what);
  if (s != NULL) {
    if (!is_word(s, 0))
      report(c, get(obj, "condition"), 0,
             "condition \"%s\" must match ^[a-z0-9-]+$", s);
    ev->condition = dup_str(c, s);
  }
  s = get_string(c, obj, "operation", what);
  if (s != NULL) {
    if (!in_list(s, operations))
      report(c, get(obj, "operation"), 0, "unknown operation \"%s\"", s);
    ev->operation = dup_str(c, s);
  }
  v = get(obj, "subject");
  if (v != NULL && check_keys(c, v, "subject", skeys, sreq) == 0) {
    s = get_string(c, v, "kind", "subject");
    if (s != NULL && !in_list(s, subject_kinds))
      report(c, get(v, "kind"), 0, "unknown subject kind \"%s\"", s);
    ev->subject_kind = dup_str(c, s);
    ev->subject_value = get_template(c, v, "value", "subject", sets);
  }
  if (!override && ev->errno_tpl == NULL && ev->condition == NULL)
    report(c, obj, 0, "event needs \"errno\" or \"condition\"");
}

/* Reads "lines" of a context or suppressor: an integer in 1..max. */
static int get_lines(lctx_t *c, const cJSON *obj, int max, int dflt) {
  const cJSON *v = get(obj, "lines");

  if (v == NULL)
    return dflt;
  if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble ||
      v->valuedouble < 1 || v->valuedouble > max) {
    report(c, v, 0, "\"lines\" must be an integer from 1 to %d", max);
    return dflt;
  }
  return (int)v->valuedouble;
}

static void parse_context_one(lctx_t *c, const cJSON *obj, const char *what,
                              ex_rule_context_t *ctx, int max, int dflt,
                              names_t *names) {
  static const char *const keys[] = {"lines", "pattern", "pick", NULL};
  static const char *const req[] = {"pattern", NULL};
  const char *s;

  if (check_keys(c, obj, what, keys, req) < 0 && !cJSON_IsObject(obj))
    return;
  ctx->lines = get_lines(c, obj, max, dflt);
  s = get_string(c, obj, "pattern", what);
  if (s != NULL && check_regex(c, get(obj, "pattern"), 0, names) == 0)
    ctx->pattern = dup_str(c, s);
  s = get_string(c, obj, "pick", what);
  if (s != NULL) {
    if (strcmp(s, "first") == 0)
      ctx->pick = EX_PICK_FIRST;
    else if (strcmp(s, "last") == 0)
      ctx->pick = EX_PICK_LAST;
    else
      report(c, get(obj, "pick"), 0,
             "pick must be \"first\" or \"last\", not \"%s\"", s);
  }
}

/* Intersection of the pattern name sets into common. */
static void names_intersect(lctx_t *c, rule_names_t *rn, size_t npatterns) {
  size_t i;
  size_t p;

  for (i = 0; npatterns > 0 && i < rn->per[0].n; i++) {
    const char *name = rn->per[0].name[i];
    int all = 1;
    for (p = 1; p < npatterns; p++)
      if (!names_has(&rn->per[p], name, strlen(name)))
        all = 0;
    if (all && rn->common.n < MAX_PATTERN_NAMES) {
      rn->common.name[rn->common.n] = dup_str(c, name);
      if (rn->common.name[rn->common.n] != NULL)
        rn->common.n++;
    }
  }
}

static void parse_patterns(lctx_t *c, const cJSON *arr, ex_rule_t *r,
                           rule_names_t *rn) {
  static const char *const pkeys[] = {"regex", "event", NULL};
  static const char *const preq[] = {"regex", NULL};
  const cJSON *p;
  size_t n = 0;
  size_t count = (size_t)cJSON_GetArraySize(arr);

  r->patterns = ex_calloc(count, sizeof(*r->patterns));
  rn->per = ex_calloc(count, sizeof(*rn->per));
  if (r->patterns == NULL || rn->per == NULL) {
    c->nomem = 1;
    return;
  }
  cJSON_ArrayForEach(p, arr) {
    const cJSON *re = p;
    if (cJSON_IsObject(p)) {
      if (check_keys(c, p, "pattern", pkeys, preq) < 0) {
        n++;
        continue;
      }
      re = get(p, "regex");
    }
    if (!cJSON_IsString(re)) {
      report(c, re, 0, "a pattern must be a string or an object, not %s",
             type_name(re));
    } else if (check_regex(c, re, 1, &rn->per[n]) == 0) {
      r->patterns[n].regex = dup_str(c, re->valuestring);
    }
    n++;
  }
  r->npatterns = n;
}

/* Checks the per-pattern event overrides, now that names are known. */
static void parse_pattern_events(lctx_t *c, const cJSON *arr, ex_rule_t *r,
                                 rule_names_t *rn) {
  const cJSON *p;
  size_t n = 0;

  cJSON_ArrayForEach(p, arr) {
    const cJSON *ev = cJSON_IsObject(p) ? get(p, "event") : NULL;
    if (ev != NULL && n < r->npatterns) {
      const names_t *sets[4] = {&rn->per[n], &rn->before, &rn->after, NULL};
      parse_event(c, ev, "pattern event", 1, &r->patterns[n].event, sets);
    }
    n++;
  }
}

/* Checks that `arr` is an array and returns zeroed room for its elements,
 * or NULL when that was reported or memory ran out. */
static void *alloc_items(lctx_t *c, const cJSON *arr, const char *key,
                         size_t size) {
  void *items;

  if (!cJSON_IsArray(arr)) {
    report(c, arr, 0, "\"%s\" must be an array, not %s", key, type_name(arr));
    return NULL;
  }
  items = ex_calloc((size_t)cJSON_GetArraySize(arr) + 1, size);
  if (items == NULL)
    c->nomem = 1;
  return items;
}

static void parse_causes(lctx_t *c, const cJSON *arr, ex_rule_t *r,
                         const names_t *const sets[4]) {
  static const char *const keys[] = {"id", "text", NULL};
  const cJSON *e;
  size_t n = 0;

  r->causes = alloc_items(c, arr, "causes", sizeof(*r->causes));
  if (r->causes == NULL)
    return;
  cJSON_ArrayForEach(e, arr) {
    const char *id;
    if (check_keys(c, e, "cause", keys, keys) < 0)
      continue;
    id = get_string(c, e, "id", "cause");
    if (id != NULL && !is_word(id, 1))
      report(c, get(e, "id"), 0, "cause id \"%s\" must match ^[a-z0-9_.-]+$",
             id);
    r->causes[n].id = dup_str(c, id);
    r->causes[n].text = get_template(c, e, "text", "cause", sets);
    n++;
  }
  r->ncauses = n;
}

static void parse_fixes(lctx_t *c, const cJSON *arr, ex_rule_t *r,
                        const names_t *const sets[4]) {
  static const char *const keys[] = {"text", "command", "needs_root", NULL};
  static const char *const req[] = {"text", NULL};
  const cJSON *e;
  size_t n = 0;

  r->fixes = alloc_items(c, arr, "fixes", sizeof(*r->fixes));
  if (r->fixes == NULL)
    return;
  cJSON_ArrayForEach(e, arr) {
    const cJSON *v;
    if (check_keys(c, e, "fix", keys, req) < 0)
      continue;
    r->fixes[n].text = get_template(c, e, "text", "fix", sets);
    r->fixes[n].command = get_template(c, e, "command", "fix", sets);
    v = get(e, "needs_root");
    if (v != NULL && !cJSON_IsBool(v))
      report(c, v, 0, "\"needs_root\" must be a boolean, not %s", type_name(v));
    r->fixes[n].needs_root = cJSON_IsTrue(v);
    n++;
  }
  r->nfixes = n;
}

static void parse_suppress(lctx_t *c, const cJSON *arr, ex_rule_t *r) {
  static const char *const keys[] = {"pattern", "where", "lines", NULL};
  static const char *const req[] = {"pattern", NULL};
  const cJSON *e;
  size_t n = 0;

  r->suppress = alloc_items(c, arr, "suppress", sizeof(*r->suppress));
  if (r->suppress == NULL)
    return;
  cJSON_ArrayForEach(e, arr) {
    const char *s;
    ex_rule_suppress_t *sp = &r->suppress[n];
    if (check_keys(c, e, "suppressor", keys, req) < 0)
      continue;
    s = get_string(c, e, "where", "suppressor");
    sp->where = EX_WHERE_SAME;
    if (s != NULL) {
      if (strcmp(s, "before") == 0)
        sp->where = EX_WHERE_BEFORE;
      else if (strcmp(s, "after") == 0)
        sp->where = EX_WHERE_AFTER;
      else if (strcmp(s, "same") != 0)
        report(c, get(e, "where"), 0,
               "where must be \"same\", \"before\" or \"after\", not \"%s\"",
               s);
    }
    if (sp->where == EX_WHERE_SAME && get(e, "lines") != NULL)
      report(c, get(e, "lines"), 1,
             "\"lines\" has no meaning for a \"same\" suppressor");
    else if (sp->where != EX_WHERE_SAME)
      sp->lines = get_lines(c, e, EX_RULES_SUPPRESS_MAX, 20);
    s = get_string(c, e, "pattern", "suppressor");
    if (s != NULL && check_regex(c, get(e, "pattern"), 0, NULL) == 0)
      sp->pattern = dup_str(c, s);
    n++;
  }
  r->nsuppress = n;
}

static void parse_tags(lctx_t *c, const cJSON *arr, ex_rule_t *r) {
  const cJSON *e;

  if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
    report(c, arr, 0, "\"tags\" must be a non-empty array of strings");
    return;
  }
  r->tags = ex_calloc((size_t)cJSON_GetArraySize(arr), sizeof(*r->tags));
  if (r->tags == NULL) {
    c->nomem = 1;
    return;
  }
  cJSON_ArrayForEach(e, arr) {
    if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
      report(c, e, 0, "a tag must be a non-empty string");
      continue;
    }
    r->tags[r->ntags] = dup_str(c, e->valuestring);
    if (r->tags[r->ntags] != NULL)
      r->ntags++;
  }
}

/* The captures a recogniser gives its rule's templates. */
static const char *const errno_phrase_names[] = {
    "errno", "message", "words", "operation", "subject", NULL};

/* "recogniser": instead of patterns, a recogniser of the matcher finds the
 * lines and gives the event, so the rule has neither. Its captures are the
 * names the templates may use. Returns 1 for a recogniser rule (problems
 * reported), 0 for a rule of patterns. */
static int parse_recogniser(lctx_t *c, const cJSON *obj, ex_rule_t *r,
                            rule_names_t *rn) {
  const char *s;
  size_t i;

  if (get(obj, "recogniser") == NULL)
    return 0;
  s = get_string(c, obj, "recogniser", "rule");
  if (s != NULL && strcmp(s, EX_RECOGNISER_ERRNO) != 0)
    report(c, get(obj, "recogniser"), 0,
           "unknown recogniser \"%s\" (explain has \"%s\")", s,
           EX_RECOGNISER_ERRNO);
  else if (s != NULL)
    r->recogniser = dup_str(c, s);
  if (get(obj, "patterns") != NULL)
    report(c, get(obj, "patterns"), 1,
           "a rule has \"patterns\" or a \"recogniser\", not both");
  if (get(obj, "event") != NULL)
    report(c, get(obj, "event"), 1,
           "a recogniser rule has no \"event\": the recogniser gives it");
  for (i = 0; errno_phrase_names[i] != NULL; i++) {
    rn->common.name[rn->common.n] = dup_str(c, errno_phrase_names[i]);
    if (rn->common.name[rn->common.n] != NULL)
      rn->common.n++;
  }
  return 1;
}

static ex_rule_t *parse_rule(lctx_t *c, const cJSON *obj) {
  static const char *const keys[] = {"id",         "title",
                                     "tags",       "patterns",
                                     "context",    "event",
                                     "location",   "confidence",
                                     "role",       "meaning",
                                     "causes",     "fixes",
                                     "suppress",   "fatal_on_success",
                                     "recogniser", NULL};
  static const char *const req[] = {"id", "title", "tags", "meaning", NULL};
  static const char *const ckeys[] = {"before", "after", NULL};
  static const char *const lkeys[] = {"file", "line", NULL};
  rule_names_t rn;
  const names_t *sets[4];
  ex_rule_t *r = NULL;
  const cJSON *v;
  const char *s;
  int before = c->errors;
  size_t i;

  memset(&rn, 0, sizeof(rn));
  if (check_keys(c, obj, "rule", keys, req) < 0 && !cJSON_IsObject(obj))
    return NULL;
  r = ex_calloc(1, sizeof(*r));
  if (r == NULL) {
    c->nomem = 1;
    return NULL;
  }
  r->builtin = c->builtin;
  r->file = dup_str(c, c->name);
  offset_to_lc(c, node_off(c, obj), &r->line, &(int){0});
  s = get_string(c, obj, "id", "rule");
  if (s != NULL && !is_rule_id(s))
    report(c, get(obj, "id"), 0,
           "id \"%s\" must look like ecosystem.name: "
           "^[a-z0-9]+(\\.[a-z0-9][a-z0-9-]*)+$",
           s);
  r->id = dup_str(c, s);
  r->title = dup_str(c, get_string(c, obj, "title", "rule"));
  v = get(obj, "tags");
  if (v != NULL)
    parse_tags(c, v, r);
  if (parse_recogniser(c, obj, r, &rn) == 0) {
    v = get(obj, "patterns");
    if (v == NULL)
      report(c, obj, 0, "rule: missing key \"patterns\"");
    else if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
      report(c, v, 0, "\"patterns\" must be a non-empty array");
    else
      parse_patterns(c, v, r, &rn);
    if (get(obj, "event") == NULL)
      report(c, obj, 0, "rule: missing key \"event\"");
  }
  v = get(obj, "context");
  if (v != NULL && check_keys(c, v, "context", ckeys, NULL) == 0) {
    if (get(v, "before") != NULL)
      parse_context_one(c, get(v, "before"), "context.before", &r->before,
                        EX_RULES_BEFORE_MAX, 20, &rn.before);
    if (get(v, "after") != NULL)
      parse_context_one(c, get(v, "after"), "context.after", &r->after,
                        EX_RULES_AFTER_MAX, 5, &rn.after);
    r->after.pick =
        get(get(v, "after"), "pick") == NULL ? EX_PICK_FIRST : r->after.pick;
  }
  if (r->recogniser == NULL)
    names_intersect(c, &rn, r->npatterns);
  sets[0] = &rn.common;
  sets[1] = &rn.before;
  sets[2] = &rn.after;
  sets[3] = NULL;
  v = get(obj, "patterns");
  if (cJSON_IsArray(v))
    parse_pattern_events(c, v, r, &rn);
  v = get(obj, "event");
  if (v != NULL)
    parse_event(c, v, "event", 0, &r->event, sets);
  v = get(obj, "location");
  if (v != NULL && check_keys(c, v, "location", lkeys, NULL) == 0) {
    r->location_file = get_template(c, v, "file", "location", sets);
    r->location_line = get_template(c, v, "line", "location", sets);
  }
  s = get_string(c, obj, "confidence", "rule");
  if (s != NULL) {
    if (strcmp(s, "high") == 0)
      r->confidence = EX_CONF_HIGH;
    else if (strcmp(s, "medium") == 0)
      r->confidence = EX_CONF_MEDIUM;
    else if (strcmp(s, "low") == 0)
      r->confidence = EX_CONF_LOW;
    else
      report(c, get(obj, "confidence"), 0,
             "confidence must be \"high\", \"medium\" or \"low\", not \"%s\"",
             s);
  }
  s = get_string(c, obj, "role", "rule");
  if (s != NULL) {
    if (strcmp(s, "fallout") == 0)
      r->role = EX_ROLE_FALLOUT;
    else if (strcmp(s, "cause") != 0)
      report(c, get(obj, "role"), 0,
             "role must be \"cause\" or \"fallout\", not \"%s\"", s);
  }
  r->meaning = get_template(c, obj, "meaning", "rule", sets);
  if (get(obj, "causes") != NULL)
    parse_causes(c, get(obj, "causes"), r, sets);
  if (get(obj, "fixes") != NULL)
    parse_fixes(c, get(obj, "fixes"), r, sets);
  if (get(obj, "suppress") != NULL)
    parse_suppress(c, get(obj, "suppress"), r);
  v = get(obj, "fatal_on_success");
  if (v != NULL && !cJSON_IsBool(v))
    report(c, v, 0, "\"fatal_on_success\" must be a boolean, not %s",
           type_name(v));
  r->fatal_on_success = cJSON_IsTrue(v);

  names_release(&rn.common);
  names_release(&rn.before);
  names_release(&rn.after);
  for (i = 0; rn.per != NULL && i < r->npatterns; i++)
    names_release(&rn.per[i]);
  ex_free(rn.per);
  if (c->errors != before || c->nomem) {
    ex__rule_free(r);
    return NULL;
  }
  return r;
}

/* ---------------------------------------------------------------------- */
/* cJSON's allocator                                                       */

/* cJSON allocates through explain's allocator (its hooks are global: the
 * JSON renderer's cJSON uses them too, which is harmless since ex_malloc()
 * is malloc()). cJSON returns NULL both for a syntax error and for an
 * allocation failure; the flag tells the two apart for this thread. */
static _Thread_local int cjson_nomem;
static pthread_once_t cjson_once = PTHREAD_ONCE_INIT;

static void *cjson_malloc(size_t size) {
  void *p = ex_malloc(size);

  if (p == NULL)
    cjson_nomem = 1;
  return p;
}

static void cjson_hooks_init(void) {
  cJSON_Hooks hooks;

  hooks.malloc_fn = cjson_malloc;
  hooks.free_fn = ex_free;
  cJSON_InitHooks(&hooks);
}

/* ---------------------------------------------------------------------- */
/* Line shapes: prefixes and success lines                                 */

typedef struct shape_list_s {
  ex_shape_t **items;
  size_t n;
} shape_list_t;

static void shape_list_release(shape_list_t *l) {
  size_t i;

  for (i = 0; i < l->n; i++)
    ex__shape_free(l->items[i]);
  ex_free(l->items);
  l->items = NULL;
  l->n = 0;
}

/* A shape's pattern: it compiles anchored and cannot match an empty
 * string (it must take something off the line). */
static int check_shape_pattern(lctx_t *c, const cJSON *node) {
  ex_regex_t *re = NULL;
  int rc;

  rc = compile_node(c, node, EX_REGEX_ANCHORED, &re);
  if (rc < 0)
    return rc;
  if (ex_regex_min_length(re) == 0) {
    report(c, node, 0,
           "pattern may match an empty string: a line shape must match at "
           "least one byte");
    rc = -EINVAL;
  }
  ex_regex_free(re);
  return rc;
}

/* One entry of "prefixes" (success 0) or "success" (success 1). */
static ex_shape_t *parse_shape(lctx_t *c, const cJSON *obj, int success) {
  static const char *const pkeys[] = {"id", "pattern", "level", NULL};
  static const char *const skeys[] = {"id", "pattern", NULL};
  static const char *const req[] = {"id", "pattern", NULL};
  const char *what = success ? "success line" : "prefix";
  ex_shape_t *sh;
  const cJSON *v;
  const char *s;
  int before = c->errors;

  if (check_keys(c, obj, what, success ? skeys : pkeys, req) < 0 &&
      !cJSON_IsObject(obj))
    return NULL;
  sh = ex_calloc(1, sizeof(*sh));
  if (sh == NULL) {
    c->nomem = 1;
    return NULL;
  }
  sh->builtin = c->builtin;
  sh->file = dup_str(c, c->name);
  offset_to_lc(c, node_off(c, obj), &sh->line, &(int){0});
  s = get_string(c, obj, "id", what);
  if (s != NULL && !is_rule_id(s))
    report(c, get(obj, "id"), 0,
           "id \"%s\" must look like ecosystem.name: "
           "^[a-z0-9]+(\\.[a-z0-9][a-z0-9-]*)+$",
           s);
  sh->id = dup_str(c, s);
  v = get(obj, "pattern");
  s = get_string(c, obj, "pattern", what);
  if (s != NULL && check_shape_pattern(c, v) == 0)
    sh->pattern = dup_str(c, s);
  s = get_string(c, obj, "level", what);
  if (s != NULL) {
    if (strcmp(s, "error") == 0)
      sh->level = EX_LEVEL_ERROR;
    else if (strcmp(s, "warning") == 0)
      sh->level = EX_LEVEL_WARNING;
    else if (strcmp(s, "info") == 0)
      sh->level = EX_LEVEL_INFO;
    else
      report(c, get(obj, "level"), 0,
             "level must be \"error\", \"warning\" or \"info\", not "
             "\"%s\"",
             s);
  }
  if (c->errors != before || c->nomem) {
    ex__shape_free(sh);
    return NULL;
  }
  return sh;
}

static int parse_shapes(lctx_t *c, const cJSON *arr, int success,
                        shape_list_t *out) {
  const char *key = success ? "success" : "prefixes";
  const cJSON *e;
  size_t i;

  if (!cJSON_IsArray(arr)) {
    report(c, arr, 0, "\"%s\" must be an array, not %s", key, type_name(arr));
    return 0;
  }
  out->items =
      ex_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out->items));
  if (out->items == NULL)
    return -ENOMEM;
  cJSON_ArrayForEach(e, arr) {
    ex_shape_t *sh = parse_shape(c, e, success);
    if (c->nomem) {
      ex__shape_free(sh);
      return -ENOMEM;
    }
    if (sh == NULL)
      continue;
    for (i = 0; i < out->n; i++) {
      if (strcmp(out->items[i]->id, sh->id) == 0) {
        report(c, get(e, "id"), 0,
               "duplicate id \"%s\" (first defined at line %d)", sh->id,
               out->items[i]->line);
        ex__shape_free(sh);
        sh = NULL;
        break;
      }
    }
    if (sh != NULL)
      out->items[out->n++] = sh;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */

int ex_rules_load_buffer(ex_ruleset_t *set, const char *name, const char *buf,
                         size_t len, int flags, ex_diags_t *diags) {
  static const char *const keys[] = {"format", "rules", "prefixes", "success",
                                     NULL};
  static const char *const req[] = {"format", "rules", NULL};
  shape_list_t shapes[2];
  lctx_t c;
  cJSON *root = NULL;
  const char *end = NULL;
  ex_rule_t **rules = NULL;
  size_t nrules = 0;
  const cJSON *v;
  const cJSON *e;
  size_t i;
  int rc = 0;

  memset(&c, 0, sizeof(c));
  memset(shapes, 0, sizeof(shapes));
  c.name = name;
  c.text = buf;
  c.len = len;
  c.builtin = (flags & EX_RULES_BUILTIN) != 0;
  c.diags = diags;
  /* Found by fuzzing the loader: cJSON takes any byte up to 0x20 for
   * white space and raw control bytes inside strings, which JSON forbids;
   * the position scanner then lost its way and never ended. Refused here,
   * with their position. */
  for (i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)buf[i];
    if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
      report_off(&c, i,
                 "JSON syntax error: control character 0x%02x (inside a "
                 "string write it as \\u%04x)",
                 ch, ch);
      rc = -EINVAL;
      goto cleanup;
    }
  }
  (void)pthread_once(&cjson_once, cjson_hooks_init);
  cjson_nomem = 0;
  root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
  if (root == NULL && cjson_nomem) {
    rc = -ENOMEM;
    goto cleanup;
  }
  if (root == NULL) {
    size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;
    report_off(&c, off, "JSON syntax error");
    rc = -EINVAL;
    goto cleanup;
  }
  /* cJSON stops after the first value: anything but white space after it
   * is an error (it used to be ignored). */
  if (end != NULL && end >= buf && skip_ws(buf, len, (size_t)(end - buf)) < len) {
    report_off(&c, skip_ws(buf, len, (size_t)(end - buf)),
               "JSON syntax error: text after the end of the top-level value");
    rc = -EINVAL;
    goto cleanup;
  }
  scan_value(&c.ix, buf, len, 0, root, 0);
  if (c.ix.err != 0) {
    rc = c.ix.err;
    goto cleanup;
  }
  qsort(c.ix.ents, c.ix.n, sizeof(c.ix.ents[0]), pos_cmp);
  if (check_keys(&c, root, "the file", keys, req) < 0 &&
      !cJSON_IsObject(root)) {
    rc = -EINVAL;
    goto cleanup;
  }
  v = get(root, "format");
  if (v != NULL &&
      (!cJSON_IsString(v) || strcmp(v->valuestring, EX_RULES_FORMAT) != 0))
    report(&c, v, 0, "format must be \"%s\"", EX_RULES_FORMAT);
  v = get(root, "rules");
  if (v != NULL && !cJSON_IsArray(v))
    report(&c, v, 0, "\"rules\" must be an array, not %s", type_name(v));
  if (cJSON_IsArray(v)) {
    rules = ex_calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*rules));
    if (rules == NULL) {
      rc = -ENOMEM;
      goto cleanup;
    }
    cJSON_ArrayForEach(e, v) {
      ex_rule_t *r = parse_rule(&c, e);
      if (c.nomem) {
        ex__rule_free(r);
        rc = -ENOMEM;
        goto cleanup;
      }
      if (r == NULL)
        continue;
      for (i = 0; i < nrules; i++) {
        if (strcmp(rules[i]->id, r->id) == 0) {
          report(&c, get(e, "id"), 0,
                 "duplicate id \"%s\" (first defined at line %d)", r->id,
                 rules[i]->line);
          ex__rule_free(r);
          r = NULL;
          break;
        }
      }
      if (r != NULL)
        rules[nrules++] = r;
    }
  }
  for (i = 0; i < 2; i++) {
    v = get(root, i == 0 ? "prefixes" : "success");
    if (v != NULL && parse_shapes(&c, v, (int)i, &shapes[i]) < 0) {
      rc = -ENOMEM;
      goto cleanup;
    }
  }
  if (c.errors > 0) {
    rc = -EINVAL;
    goto cleanup;
  }
  for (i = 0; i < nrules; i++) {
    rc = ex__ruleset_add(set, rules[i]);
    rules[i] = NULL;
    if (rc < 0)
      goto cleanup;
  }
  for (i = 0; i < 2; i++) {
    size_t k;
    for (k = 0; k < shapes[i].n; k++) {
      rc = ex__ruleset_add_shape(set, (int)i, shapes[i].items[k]);
      shapes[i].items[k] = NULL;
      if (rc < 0)
        goto cleanup;
    }
  }
  rc = 0;

cleanup:
  if (c.nomem && rc == 0)
    rc = -ENOMEM;
  if (c.errors > 0 && rc == 0)
    rc = -EINVAL;
  for (i = 0; rules != NULL && i < nrules; i++)
    ex__rule_free(rules[i]);
  ex_free(rules);
  shape_list_release(&shapes[0]);
  shape_list_release(&shapes[1]);
  ex_free(c.ix.ents);
  cJSON_Delete(root);
  return rc;
}
