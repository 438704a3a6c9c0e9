/* History lines: rendering and reading the JSON lines of the history
 * (schema explain-history/1, docs/history.md). The file itself (where it
 * is, locking, rotation) belongs to core/history.c. */
#include "report/json_int.h"
#include "report/report.h"
#include "report/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EX_HISTORY_WORDS_MAX 32  /* command words kept */
#define EX_HISTORY_CAUSES_MAX 16 /* verdicts kept */
#define EX_HISTORY_FIXES_MAX 8   /* fixes kept */

/* ---------------------------------------------------------------------- */
/* Normalised strings: what a line holds                                   */

/* Appends s cut at EX_HISTORY_FIELD_MAX bytes (on a character boundary) and
 * made valid UTF-8, so that a value read back compares equal to the same
 * value normalised again. */
static void put_norm(ex_buf_t *b, const char *s) {
  size_t n;

  n = strlen(s);
  if (n > EX_HISTORY_FIELD_MAX) {
    n = EX_HISTORY_FIELD_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
  }
  ex_buf_append(b, "", 0);
  ex_buf_put_utf8(b, s, n);
}

static cJSON *norm_item(const char *s) {
  ex_buf_t b;
  cJSON *item;

  if (s == NULL)
    return cJSON_CreateNull();
  memset(&b, 0, sizeof(b));
  put_norm(&b, s);
  item = cJSON_CreateString(b.buf != NULL ? b.buf : "");
  free(b.buf);
  return item;
}

/* 1 when item is the string s normalised (both NULL/null counts too). */
static int norm_equal(const cJSON *item, const char *s) {
  ex_buf_t b;
  int eq;

  if (s == NULL)
    return item == NULL || cJSON_IsNull(item);
  if (!cJSON_IsString(item))
    return 0;
  memset(&b, 0, sizeof(b));
  put_norm(&b, s);
  eq = b.buf != NULL && strcmp(b.buf, item->valuestring) == 0;
  free(b.buf);
  return eq;
}

/* ---------------------------------------------------------------------- */
/* What a diagnosis says, whether it comes from a finding or the launcher  */

static const char *diag_id(const ex_report_diag_t *g) {
  return g->finding != NULL ? g->finding->rule->id : g->id;
}

static const char *diag_title(const ex_report_diag_t *g) {
  return g->finding != NULL ? g->finding->rule->title : g->title;
}

/* A subject recovered from what the command held counts as the one the
 * message would have named. */
static const char *diag_subject_kind(const ex_report_diag_t *g) {
  return g->finding != NULL && g->subject_from == NULL
             ? g->finding->event.subject_kind
             : g->subject_kind;
}

static const char *diag_subject_value(const ex_report_diag_t *g) {
  return g->finding != NULL && g->subject_from == NULL
             ? g->finding->event.subject_value
             : g->subject_value;
}

static void add_verdicts(cJSON *obj, const ex_report_diag_t *g) {
  const ex_explanation_t *e;
  const ex_rule_t *rule;
  const char *id;
  size_t i;
  size_t n;

  e = g->expl;
  if (e != NULL && e->ncauses > 0) {
    n = e->ncauses < EX_HISTORY_CAUSES_MAX ? e->ncauses
                                           : EX_HISTORY_CAUSES_MAX;
    for (i = 0; i < n; i++) {
      id = e->causes[i].id;
      if (id != NULL && cJSON_GetObjectItemCaseSensitive(obj, id) == NULL)
        cJSON_AddStringToObject(obj, id,
                                ex_verdict_name(e->causes[i].verdict));
    }
    return;
  }
  if (g->finding == NULL)
    return;
  rule = g->finding->rule;
  n = rule->ncauses < EX_HISTORY_CAUSES_MAX ? rule->ncauses
                                            : EX_HISTORY_CAUSES_MAX;
  for (i = 0; i < n; i++) {
    id = rule->causes[i].id;
    /* A rule only names causes; no probe looked at them. */
    if (id != NULL && cJSON_GetObjectItemCaseSensitive(obj, id) == NULL)
      cJSON_AddStringToObject(obj, id, "unknown");
  }
}

static void add_fix(cJSON *arr, const char *text, const char *command,
                    int needs_root) {
  cJSON *c;

  c = cJSON_CreateObject();
  cJSON_AddItemToObject(c, "text", norm_item(text));
  cJSON_AddItemToObject(c, "command", norm_item(command));
  cJSON_AddBoolToObject(c, "needs_root", needs_root);
  cJSON_AddItemToArray(arr, c);
}

/* The fixes offered: the explainer's exact ones, else the rule's. */
static void add_fixes(cJSON *arr, const ex_report_diag_t *g) {
  const ex_fix_t *fixes;
  size_t n;
  size_t i;

  fixes = ex_report_diag_fixes(g, &n);
  for (i = 0; i < n && i < EX_HISTORY_FIXES_MAX; i++)
    add_fix(arr, fixes[i].text, fixes[i].command, fixes[i].needs_root);
}

/* ---------------------------------------------------------------------- */
/* Times: "2024-05-06T10:00:00Z"                                           */

static void format_time(long long t, char *buf, size_t size) {
  struct tm tm;
  time_t tt;

  tt = (time_t)t;
  if (gmtime_r(&tt, &tm) == NULL ||
      strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, size, "1970-01-01T00:00:00Z");
}

/* Returns the Unix time of an ISO 8601 UTC time, or -1. */
static long long parse_time(const cJSON *item) {
  struct tm tm;
  char z;

  if (!cJSON_IsString(item))
    return -1;
  memset(&tm, 0, sizeof(tm));
  if (sscanf(item->valuestring, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year,
             &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
             &z) != 7 ||
      z != 'Z')
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (long long)timegm(&tm);
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

int ex_report_history_line(const ex_report_t *r, size_t i, long long now,
                           char **out, size_t *len) {
  const ex_report_diag_t *g;
  cJSON *root;
  cJSON *arr;
  cJSON *subj;
  char when[32];
  size_t k;

  g = &r->diags[i];
  root = cJSON_CreateObject();
  if (root == NULL)
    return -ENOMEM;
  cJSON_AddStringToObject(root, "schema", EX_HISTORY_SCHEMA);
  format_time(now, when, sizeof(when));
  cJSON_AddStringToObject(root, "time", when);
  cJSON_AddItemToObject(root, "cwd", norm_item(r->cwd));
  if (r->command != NULL) {
    arr = cJSON_AddArrayToObject(root, "command");
    for (k = 0; r->command[k] != NULL && k < EX_HISTORY_WORDS_MAX; k++)
      cJSON_AddItemToArray(arr, norm_item(r->command[k]));
  } else {
    cJSON_AddNullToObject(root, "command");
  }
  if (r->ran || r->exec_errno != 0)
    cJSON_AddNumberToObject(root, "exit", r->exit_code);
  else
    cJSON_AddNullToObject(root, "exit");
  cJSON_AddItemToObject(root, "id", norm_item(diag_id(g)));
  cJSON_AddItemToObject(root, "title", norm_item(diag_title(g)));
  subj = cJSON_AddObjectToObject(root, "subject");
  cJSON_AddItemToObject(subj, "kind", norm_item(diag_subject_kind(g)));
  cJSON_AddItemToObject(subj, "value", norm_item(diag_subject_value(g)));
  add_verdicts(cJSON_AddObjectToObject(root, "verdicts"), g);
  add_fixes(cJSON_AddArrayToObject(root, "fixes"), g);

  return ex__json_line(root, EX_HISTORY_LINE_MAX - 1, out, len);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

/* Calls fn for each complete, non-empty line of buf[0..len). */
static void each_line(const char *buf, size_t len,
                      void (*fn)(void *ud, const char *line, size_t n),
                      void *ud) {
  const char *p;
  const char *end;
  const char *nl;

  p = buf;
  end = buf + len;
  while (p < end) {
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      break; /* a line still being written, or cut: not complete */
    if (nl > p)
      fn(ud, p, (size_t)(nl - p));
    p = nl + 1;
  }
}

static const char *first_fix(const cJSON *line) {
  const cJSON *fix;
  const cJSON *v;

  fix = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(line, "fixes"), 0);
  v = cJSON_GetObjectItemCaseSensitive(fix, "command");
  if (cJSON_IsString(v) && v->valuestring[0] != '\0')
    return v->valuestring;
  v = cJSON_GetObjectItemCaseSensitive(fix, "text");
  return cJSON_IsString(v) ? v->valuestring : "";
}

typedef struct scan_ctx {
  const ex_report_t *r;
  ex_report_recurrence_t *recs;
} scan_ctx_t;

static int same_diag(const cJSON *line, const ex_report_t *r,
                     const ex_report_diag_t *g) {
  const cJSON *subj;

  subj = cJSON_GetObjectItemCaseSensitive(line, "subject");
  return norm_equal(cJSON_GetObjectItemCaseSensitive(line, "id"),
                    diag_id(g)) &&
         norm_equal(cJSON_GetObjectItemCaseSensitive(line, "cwd"), r->cwd) &&
         norm_equal(cJSON_GetObjectItemCaseSensitive(subj, "kind"),
                    diag_subject_kind(g)) &&
         norm_equal(cJSON_GetObjectItemCaseSensitive(subj, "value"),
                    diag_subject_value(g));
}

static void scan_line(void *ud, const char *line, size_t n) {
  scan_ctx_t *c;
  ex_report_recurrence_t *rec;
  cJSON *obj;
  char needle[256];
  long long t;
  size_t k;
  int hit;

  c = ud;
  /* Most lines are about other errors: look for the id before parsing. */
  hit = 0;
  for (k = 0; k < c->r->ndiags && !hit; k++) {
    snprintf(needle, sizeof(needle), "\"id\":\"%s\"", diag_id(&c->r->diags[k]));
    hit = memmem(line, n, needle, strlen(needle)) != NULL;
  }
  if (!hit)
    return;
  obj = cJSON_ParseWithLength(line, n);
  if (obj == NULL)
    return;
  t = parse_time(cJSON_GetObjectItemCaseSensitive(obj, "time"));
  for (k = 0; t >= 0 && k < c->r->ndiags; k++) {
    if (!same_diag(obj, c->r, &c->r->diags[k]))
      continue;
    rec = &c->recs[k];
    if (rec->earlier == 0 || t < rec->first)
      rec->first = t;
    /* Lines are in time order; a later line wins a tie. */
    if (rec->earlier == 0 || t >= rec->last) {
      rec->last = t;
      snprintf(rec->last_fix, sizeof(rec->last_fix), "%s", first_fix(obj));
    }
    rec->earlier++;
  }
  cJSON_Delete(obj);
}

void ex_report_history_scan(const ex_report_t *r, const char *buf, size_t len,
                            ex_report_recurrence_t *recs) {
  scan_ctx_t c;

  if (r->ndiags == 0 || buf == NULL)
    return;
  c.r = r;
  c.recs = recs;
  each_line(buf, len, scan_line, &c);
}

/* ---------------------------------------------------------------------- */
/* For a person                                                            */

/* "09:14", "yesterday", "Monday", "6 May", "6 May 2023". */
static void format_since(long long first, long long now, char *buf,
                         size_t size) {
  struct tm tf;
  struct tm tn;
  struct tm day;
  time_t t;
  time_t midnight;
  long long days;

  t = (time_t)first;
  if (localtime_r(&t, &tf) == NULL) {
    snprintf(buf, size, "some time");
    return;
  }
  t = (time_t)now;
  if (localtime_r(&t, &tn) == NULL)
    memset(&tn, 0, sizeof(tn));
  day = tn;
  day.tm_hour = 0;
  day.tm_min = 0;
  day.tm_sec = 0;
  day.tm_isdst = -1;
  midnight = mktime(&day);
  /* Whole days between first and the start of today, rounded up. */
  days = first >= (long long)midnight
             ? 0
             : ((long long)midnight - first + 86399) / 86400;
  if (days == 0)
    strftime(buf, size, "%H:%M", &tf);
  else if (days == 1)
    snprintf(buf, size, "yesterday");
  else if (days < 7)
    strftime(buf, size, "%A", &tf);
  else if (tf.tm_year == tn.tm_year)
    strftime(buf, size, "%-d %B", &tf);
  else
    strftime(buf, size, "%-d %B %Y", &tf);
}

void ex_report_recurrence_text(const ex_report_recurrence_t *rec,
                               long long now, char *buf, size_t size) {
  ex_buf_t b;
  char since[64];

  if (size == 0)
    return;
  buf[0] = '\0';
  if (rec == NULL || rec->earlier == 0)
    return;
  memset(&b, 0, sizeof(b));
  format_since(rec->first, now, since, sizeof(since));
  ex_buf_printf(&b, "seen %lu times since %s", rec->earlier + 1, since);
  if (rec->last_fix[0] != '\0') {
    ex_buf_puts(&b, "; last fix offered: ");
    ex_buf_put_display(&b, rec->last_fix, strlen(rec->last_fix));
  }
  if (b.buf != NULL)
    snprintf(buf, size, "%s", b.buf);
  free(b.buf);
}

typedef struct list_ctx {
  cJSON **ring; /* the last max valid lines */
  size_t max;
  size_t count; /* valid lines seen */
} list_ctx_t;

static void list_line(void *ud, const char *line, size_t n) {
  list_ctx_t *c;
  cJSON *obj;
  size_t slot;

  c = ud;
  obj = cJSON_ParseWithLength(line, n);
  if (!cJSON_IsObject(obj) ||
      !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, "id"))) {
    cJSON_Delete(obj);
    return;
  }
  slot = c->count % c->max;
  cJSON_Delete(c->ring[slot]);
  c->ring[slot] = obj;
  c->count++;
}

static void put_display_item(ex_buf_t *b, const cJSON *item) {
  if (cJSON_IsString(item))
    ex_buf_put_display(b, item->valuestring, strlen(item->valuestring));
}

static void put_entry_text(ex_buf_t *b, const cJSON *obj) {
  const cJSON *cmd;
  const cJSON *w;
  const cJSON *subj;
  const cJSON *exit_code;
  const char *fix;
  struct tm tm;
  char when[32];
  time_t t;
  long long tt;
  int first;

  tt = parse_time(cJSON_GetObjectItemCaseSensitive(obj, "time"));
  t = (time_t)tt;
  if (tt < 0 || localtime_r(&t, &tm) == NULL ||
      strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
    snprintf(when, sizeof(when), "(unknown time)");
  ex_buf_printf(b, "%s  ", when);
  put_display_item(b, cJSON_GetObjectItemCaseSensitive(obj, "cwd"));
  cmd = cJSON_GetObjectItemCaseSensitive(obj, "command");
  if (cJSON_IsArray(cmd)) {
    ex_buf_puts(b, "  $");
    cJSON_ArrayForEach(w, cmd) {
      ex_buf_puts(b, " ");
      put_display_item(b, w);
    }
  }
  exit_code = cJSON_GetObjectItemCaseSensitive(obj, "exit");
  if (cJSON_IsNumber(exit_code))
    ex_buf_printf(b, "  (exit %.0f)", exit_code->valuedouble);
  ex_buf_puts(b, "\n  ");
  put_display_item(b, cJSON_GetObjectItemCaseSensitive(obj, "id"));
  ex_buf_puts(b, ": ");
  put_display_item(b, cJSON_GetObjectItemCaseSensitive(obj, "title"));
  subj = cJSON_GetObjectItemCaseSensitive(obj, "subject");
  first = 1;
  if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(subj, "value"))) {
    ex_buf_puts(b, " (");
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(subj, "kind"))) {
      put_display_item(b, cJSON_GetObjectItemCaseSensitive(subj, "kind"));
      first = 0;
    }
    if (!first)
      ex_buf_puts(b, " ");
    put_display_item(b, cJSON_GetObjectItemCaseSensitive(subj, "value"));
    ex_buf_puts(b, ")");
  }
  ex_buf_puts(b, "\n");
  fix = first_fix(obj);
  if (fix[0] != '\0') {
    ex_buf_puts(b, "  fix: ");
    ex_buf_put_display(b, fix, strlen(fix));
    ex_buf_puts(b, "\n");
  }
}

int ex_report_history_list(const char *buf, size_t len, size_t max, int json,
                           char **out, size_t *outlen) {
  list_ctx_t c;
  ex_buf_t b;
  cJSON *arr;
  char *s;
  size_t first;
  size_t n;
  size_t k;
  int rc;

  memset(&c, 0, sizeof(c));
  memset(&b, 0, sizeof(b));
  arr = NULL;
  s = NULL;
  rc = -ENOMEM;
  c.max = max > 0 ? max : 1;
  c.ring = calloc(c.max, sizeof(*c.ring));
  if (c.ring == NULL)
    goto cleanup;
  if (buf != NULL)
    each_line(buf, len, list_line, &c);
  n = c.count < c.max ? c.count : c.max;
  first = c.count < c.max ? 0 : c.count % c.max;
  ex_buf_append(&b, "", 0);
  if (json) {
    arr = cJSON_CreateArray();
    if (arr == NULL)
      goto cleanup;
    for (k = 0; k < n; k++) {
      /* The array takes the item over: take it out of the ring. */
      cJSON_AddItemToArray(arr, c.ring[(first + k) % c.max]);
      c.ring[(first + k) % c.max] = NULL;
    }
    s = cJSON_PrintUnformatted(arr);
    if (s == NULL)
      goto cleanup;
    ex_buf_puts(&b, s);
    ex_buf_puts(&b, "\n");
  } else {
    for (k = 0; k < n; k++)
      put_entry_text(&b, c.ring[(first + k) % c.max]);
  }
  if (b.failed)
    goto cleanup;
  *out = b.buf;
  if (outlen != NULL)
    *outlen = b.len;
  b.buf = NULL;
  rc = 0;

cleanup:
  for (k = 0; c.ring != NULL && k < c.max; k++)
    cJSON_Delete(c.ring[k]);
  free(c.ring);
  cJSON_Delete(arr);
  free(s);
  free(b.buf);
  return rc;
}
