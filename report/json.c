/* The JSON renderer: schema explain-report/2 (docs/report.md). */
#include "report/json_int.h"
#include "report/report.h"
#include "report/utf8.h"
#include "platform/trace.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* s[0..n) as a JSON string made valid UTF-8; *bad (may be NULL) receives
 * the number of bytes that had to be replaced. */
static cJSON *text_item(const char *s, size_t n, size_t *bad) {
  ex_buf_t b;
  size_t k;
  cJSON *item;

  memset(&b, 0, sizeof(b));
  k = ex_buf_put_utf8(&b, s, n);
  if (bad != NULL)
    *bad = k;
  item = cJSON_CreateString(b.buf != NULL ? b.buf : "");
  free(b.buf);
  return item;
}

static size_t add_text(cJSON *obj, const char *key, const char *s, size_t n) {
  size_t bad;

  cJSON_AddItemToObject(obj, key, text_item(s, n, &bad));
  return bad;
}

static void add_cstr(cJSON *obj, const char *key, const char *s) {
  if (s == NULL)
    cJSON_AddNullToObject(obj, key);
  else
    add_text(obj, key, s, strlen(s));
}

static void add_hex(cJSON *obj, const char *key, const char *s, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char *hex;
  size_t i;

  hex = malloc(n * 2 + 1);
  if (hex == NULL)
    return;
  for (i = 0; i < n; i++) {
    hex[2 * i] = digits[(unsigned char)s[i] >> 4];
    hex[2 * i + 1] = digits[(unsigned char)s[i] & 15];
  }
  hex[2 * n] = '\0';
  cJSON_AddStringToObject(obj, key, hex);
  free(hex);
}

/* Adds key: the expansion of a template of f's rule (NULL when tpl is). */
static void add_expanded(cJSON *obj, const char *key, const ex_finding_t *f,
                         const char *tpl, int flags) {
  char *s;
  size_t n;

  if (tpl == NULL) {
    cJSON_AddNullToObject(obj, key);
    return;
  }
  if (ex_finding_expand(f, tpl, flags, &s, &n) != 0) {
    cJSON_AddNullToObject(obj, key);
    return;
  }
  add_text(obj, key, s, n);
  free(s);
}

static const char *confidence_name(ex_confidence_t c) {
  switch (c) {
  case EX_CONF_MEDIUM:
    return "medium";
  case EX_CONF_LOW:
    return "low";
  default:
    return "high";
  }
}

static cJSON *subject_json(const ex_finding_t *f) {
  cJSON *subj;
  const char *v;
  size_t n;

  subj = cJSON_CreateObject();
  add_cstr(subj, "kind", f->event.subject_kind);
  v = f->event.subject_value;
  if (v == NULL) {
    cJSON_AddNullToObject(subj, "value");
    return subj;
  }
  n = strlen(v);
  if (add_text(subj, "value", v, n) > 0)
    add_hex(subj, "value_hex", v, n);
  return subj;
}

static cJSON *evidence_json(const ex_finding_t *f) {
  cJSON *arr;
  cJSON *e;
  size_t i;

  arr = cJSON_CreateArray();
  for (i = 0; i < f->nevidence; i++) {
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "stream", f->evidence[i].stream ==
                                                 EX_STREAM_STDOUT
                                             ? "stdout"
                                             : "stderr");
    cJSON_AddNumberToObject(e, "line", (double)f->evidence[i].line);
    add_text(e, "text", f->evidence[i].text, f->evidence[i].len);
    if (f->evidence[i].cut)
      cJSON_AddBoolToObject(e, "cut", 1);
    cJSON_AddItemToArray(arr, e);
  }
  return arr;
}

static cJSON *location_json(const ex_finding_t *f) {
  cJSON *loc;
  long line;
  char *end;

  if (f->location_file == NULL)
    return cJSON_CreateNull();
  loc = cJSON_CreateObject();
  add_cstr(loc, "file", f->location_file);
  line = f->location_line != NULL ? strtol(f->location_line, &end, 10) : 0;
  if (f->location_line != NULL && *end == '\0' && line > 0)
    cJSON_AddNumberToObject(loc, "line", (double)line);
  else
    cJSON_AddNullToObject(loc, "line");
  return loc;
}

static cJSON *facts_json(const ex_facts_t *f);

/* Adds fact x to obj under its key, with its type: string, number,
 * boolean, null, an array of strings, or an array of objects. */
static void add_fact(cJSON *obj, const ex_fact_t *x) {
  cJSON *arr;
  size_t i;

  switch (x->kind) {
  case EX_FACT_STR:
    add_cstr(obj, x->key, x->str != NULL ? x->str : "");
    break;
  case EX_FACT_BOOL:
    cJSON_AddBoolToObject(obj, x->key, (int)x->num);
    break;
  case EX_FACT_INT:
    cJSON_AddNumberToObject(obj, x->key, (double)x->num);
    break;
  case EX_FACT_LIST:
    arr = cJSON_AddArrayToObject(obj, x->key);
    for (i = 0; arr != NULL && i < x->nlist; i++)
      cJSON_AddItemToArray(arr,
                           text_item(x->list[i], strlen(x->list[i]), NULL));
    break;
  case EX_FACT_NUMS:
    arr = cJSON_AddArrayToObject(obj, x->key);
    for (i = 0; arr != NULL && i < x->nlist; i++)
      cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)x->nums[i]));
    break;
  case EX_FACT_ROWS:
    arr = cJSON_AddArrayToObject(obj, x->key);
    for (i = 0; arr != NULL && i < x->nrows; i++)
      cJSON_AddItemToArray(arr, facts_json(&x->rows[i]));
    break;
  default:
    cJSON_AddNullToObject(obj, x->key);
    break;
  }
}

static cJSON *facts_json(const ex_facts_t *f) {
  cJSON *o;
  size_t i;

  o = cJSON_CreateObject();
  for (i = 0; f != NULL && i < f->count; i++)
    add_fact(o, &f->items[i]);
  return o;
}

/* What every finding says, folded ones included: the rule and the event. */
static cJSON *finding_json(const ex_finding_t *f) {
  const ex_rule_t *r;
  cJSON *d;

  r = f->rule;
  d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "id", r->id);
  add_cstr(d, "title", r->title);
  cJSON_AddStringToObject(d, "confidence", confidence_name(r->confidence));
  cJSON_AddStringToObject(d, "role",
                          r->role == EX_ROLE_FALLOUT ? "fallout" : "cause");
  add_cstr(d, "errno", f->event.errno_name);
  add_cstr(d, "condition", f->event.condition);
  add_cstr(d, "operation", f->event.operation);
  cJSON_AddItemToObject(d, "subject", subject_json(f));
  cJSON_AddItemToObject(d, "location", location_json(f));
  cJSON_AddNumberToObject(d, "count", (double)f->count);
  cJSON_AddItemToObject(d, "evidence", evidence_json(f));
  add_expanded(d, "meaning", f, r->meaning, 0);
  return d;
}

/* A diagnosis from the launcher: the command could not be executed. */
static cJSON *launcher_json(const ex_report_diag_t *g) {
  cJSON *d;
  cJSON *subj;

  d = cJSON_CreateObject();
  add_cstr(d, "id", g->id);
  add_cstr(d, "title", g->title);
  cJSON_AddStringToObject(d, "confidence", "high");
  cJSON_AddStringToObject(d, "role", "cause");
  add_cstr(d, "errno", g->errno_name);
  add_cstr(d, "condition", g->condition);
  add_cstr(d, "operation", g->operation);
  subj = cJSON_AddObjectToObject(d, "subject");
  add_cstr(subj, "kind", g->subject_kind);
  add_cstr(subj, "value", g->subject_value);
  cJSON_AddNullToObject(d, "location");
  cJSON_AddNumberToObject(d, "count", 1);
  cJSON_AddArrayToObject(d, "evidence");
  add_cstr(d, "meaning", g->meaning);
  return d;
}

static void add_rule_causes(cJSON *arr, const ex_finding_t *f) {
  const ex_rule_t *r;
  cJSON *c;
  size_t i;

  r = f->rule;
  for (i = 0; i < r->ncauses; i++) {
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", r->causes[i].id);
    /* A rule only names causes; no probe has looked at them. Its text is
     * already the hypothesis. */
    cJSON_AddStringToObject(c, "verdict", "unknown");
    add_expanded(c, "text", f, r->causes[i].text, 0);
    add_expanded(c, "claim", f, r->causes[i].text, 0);
    cJSON_AddItemToObject(c, "facts", cJSON_CreateObject());
    cJSON_AddItemToArray(arr, c);
  }
}

static void add_probed_causes(cJSON *arr, const ex_explanation_t *e) {
  cJSON *c;
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    c = cJSON_CreateObject();
    add_cstr(c, "id", e->causes[i].id);
    cJSON_AddStringToObject(c, "verdict", ex_verdict_name(e->causes[i].verdict));
    add_cstr(c, "text", e->causes[i].text);
    add_cstr(c, "claim",
             e->causes[i].claim != NULL && e->causes[i].claim[0] != '\0'
                 ? e->causes[i].claim
                 : NULL);
    cJSON_AddItemToObject(c, "facts", facts_json(&e->causes[i].facts));
    cJSON_AddItemToArray(arr, c);
  }
}

static void add_fixes(cJSON *arr, const ex_report_diag_t *g) {
  const ex_fix_t *fixes;
  cJSON *c;
  size_t n;
  size_t i;

  fixes = ex_report_diag_fixes(g, &n);
  for (i = 0; i < n; i++) {
    c = cJSON_CreateObject();
    add_cstr(c, "text", fixes[i].text);
    add_cstr(c, "command", fixes[i].command);
    cJSON_AddBoolToObject(c, "needs_root", fixes[i].needs_root);
    cJSON_AddItemToArray(arr, c);
  }
}

static void add_time(cJSON *o, const char *key, long long t) {
  char buf[32];
  time_t tt;
  struct tm tm;

  tt = (time_t)t;
  if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
      strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    cJSON_AddNullToObject(o, key);
    return;
  }
  cJSON_AddStringToObject(o, key, buf);
}

/* What the history knew of this diagnosis before this run, or null. */
static cJSON *recurrence_json(const ex_report_recurrence_t *rec) {
  cJSON *o;

  if (rec == NULL || rec->earlier == 0)
    return cJSON_CreateNull();
  o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "earlier", (double)rec->earlier);
  add_time(o, "first", rec->first);
  add_time(o, "last", rec->last);
  add_cstr(o, "last_fix", rec->last_fix[0] != '\0' ? rec->last_fix : NULL);
  return o;
}

/* ---- trace ---- */
/* The failed system call behind a diagnosis; a finding without subject
 * takes the call's. */
static void add_syscall(cJSON *d, const ex_report_diag_t *g) {
  const ex_trace_call_t *c;
  cJSON *o;
  cJSON *subj;

  c = g->syscall;
  if (c == NULL)
    return;
  if (g->finding != NULL && g->syscall_subject) {
    subj = cJSON_CreateObject();
    add_cstr(subj, "kind", g->subject_kind);
    add_cstr(subj, "value", g->subject_value);
    cJSON_ReplaceItemInObject(d, "subject", subj);
    if (g->finding->event.operation == NULL)
      cJSON_ReplaceItemInObject(d, "operation",
                                cJSON_CreateString(c->operation));
  }
  if (g->finding == NULL)
    cJSON_ReplaceItemInObject(
        d, "confidence",
        cJSON_CreateString(c->relevance >= EX_TRACE_HIGH ? "medium" : "low"));
  o = cJSON_AddObjectToObject(d, "syscall");
  cJSON_AddNumberToObject(o, "pid", (double)c->pid);
  add_cstr(o, "comm", c->comm);
  add_cstr(o, "name", c->name);
  add_cstr(o, "call", c->call);
  add_cstr(o, "errno", c->errno_name);
  add_cstr(o, "path", strcmp(c->subject_kind, "path") == 0 ? c->subject
                                                             : NULL);
  add_cstr(o, "address", strcmp(c->subject_kind, "address") == 0 ? c->subject
                                                                  : NULL);
  cJSON_AddNumberToObject(o, "time_ms", (double)c->time_ms);
}
/* The whole log of --trace: counters and the failed calls kept. */
static cJSON *trace_json(const ex_trace_log_t *log) {
  const ex_trace_call_t *c;
  cJSON *o;
  cJSON *arr;
  cJSON *x;
  size_t i;

  o = cJSON_CreateObject();
  cJSON_AddBoolToObject(o, "complete", log->complete);
  cJSON_AddNumberToObject(o, "failed", (double)log->failed);
  cJSON_AddNumberToObject(o, "dropped", (double)log->dropped);
  cJSON_AddNumberToObject(o, "stops", (double)log->stops);
  arr = cJSON_AddArrayToObject(o, "calls");
  for (i = 0; i < log->count; i++) {
    c = &log->calls[i];
    x = cJSON_CreateObject();
    cJSON_AddNumberToObject(x, "pid", (double)c->pid);
    add_cstr(x, "comm", c->comm);
    add_cstr(x, "name", c->name);
    add_cstr(x, "call", c->call);
    add_cstr(x, "errno", c->errno_name);
    add_cstr(x, "path", strcmp(c->subject_kind, "path") == 0 ? c->subject
                                                             : NULL);
    add_cstr(x, "address", strcmp(c->subject_kind, "address") == 0
                               ? c->subject
                               : NULL);
    cJSON_AddNumberToObject(x, "time_ms", (double)c->time_ms);
    cJSON_AddStringToObject(x, "relevance",
                            c->relevance >= EX_TRACE_HIGH     ? "high"
                            : c->relevance == EX_TRACE_MEDIUM ? "medium"
                                                              : "low");
    cJSON_AddItemToArray(arr, x);
  }
  return o;
}
/* ---- end trace ---- */

/* A subject recovered from what the command held replaces the empty one
 * of the message, with how it was found. */
static void add_recovered_subject(cJSON *d, const ex_report_diag_t *g) {
  cJSON *subj;

  if (g->finding != NULL && g->operation != NULL)
    cJSON_ReplaceItemInObject(d, "operation",
                              cJSON_CreateString(g->operation));
  if (g->finding == NULL || g->subject_from == NULL ||
      g->subject_value == NULL)
    return;
  subj = cJSON_CreateObject();
  add_cstr(subj, "kind", g->subject_kind);
  add_text(subj, "value", g->subject_value, strlen(g->subject_value));
  add_cstr(subj, "from", g->subject_from);
  cJSON_ReplaceItemInObject(d, "subject", subj);
  if (g->operation != NULL)
    cJSON_ReplaceItemInObject(d, "operation",
                              cJSON_CreateString(g->operation));
}

static cJSON *diag_json(const ex_report_diag_t *g) {
  const ex_explanation_t *e;
  cJSON *d;
  cJSON *arr;
  size_t i;

  e = g->expl;
  d = g->finding != NULL ? finding_json(g->finding) : launcher_json(g);
  add_syscall(d, g);
  add_recovered_subject(d, g);
  add_cstr(d, "explainer", e != NULL ? e->explainer : NULL);
  add_cstr(d, "summary", e != NULL ? e->summary : NULL);
  cJSON_AddBoolToObject(d, "stale", e != NULL && e->stale);
  /* Probed causes and exact fixes replace the rule's generic ones. */
  arr = cJSON_AddArrayToObject(d, "causes");
  if (e != NULL && e->ncauses > 0)
    add_probed_causes(arr, e);
  else if (g->finding != NULL)
    add_rule_causes(arr, g->finding);
  add_fixes(cJSON_AddArrayToObject(d, "fixes"), g);
  cJSON_AddItemToObject(d, "facts", facts_json(e != NULL ? &e->facts : NULL));
  cJSON_AddItemToObject(d, "recurrence", recurrence_json(g->recurrence));
  arr = cJSON_AddArrayToObject(d, "folded");
  for (i = 0; g->finding != NULL && i < g->finding->nchildren; i++)
    cJSON_AddItemToArray(arr, finding_json(g->finding->children[i]));
  for (i = 0; g->finding == NULL && i < g->nfolded; i++)
    cJSON_AddItemToArray(arr, finding_json(g->folded[i]));
  return d;
}

static cJSON *host_json(const ex_host_t *h) {
  cJSON *o;

  if (h == NULL)
    return cJSON_CreateNull();
  o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "os", h->os);
  add_cstr(o, "kernel", h->kernel);
  add_cstr(o, "arch", h->arch);
  if (h->container[0] != '\0')
    add_cstr(o, "container", h->container);
  else
    cJSON_AddNullToObject(o, "container");
  if (h->user[0] != '\0')
    add_cstr(o, "user", h->user);
  else
    cJSON_AddNullToObject(o, "user");
  if (h->uid != EX_UID_NONE)
    cJSON_AddNumberToObject(o, "uid", (double)h->uid);
  else
    cJSON_AddNullToObject(o, "uid");
  return o;
}

static cJSON *exit_json(const ex_report_t *r) {
  cJSON *o;

  if (!r->ran && r->exec_errno == 0)
    return cJSON_CreateNull();
  o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "code", r->exit_code);
  if (r->signal > 0)
    cJSON_AddNumberToObject(o, "signal", r->signal);
  else
    cJSON_AddNullToObject(o, "signal");
  cJSON_AddBoolToObject(o, "core_dumped", r->core_dumped);
  return o;
}

int ex_report_json(const ex_report_t *r, char **out, size_t *len) {
  cJSON *root;
  cJSON *arr;
  size_t i;

  root = cJSON_CreateObject();
  if (root == NULL)
    return -ENOMEM;
  cJSON_AddStringToObject(root, "schema", EX_REPORT_SCHEMA);
  if (r->command != NULL) {
    arr = cJSON_AddArrayToObject(root, "command");
    for (i = 0; r->command[i] != NULL; i++)
      cJSON_AddItemToArray(arr, text_item(r->command[i], strlen(r->command[i]),
                                          NULL));
  } else {
    cJSON_AddNullToObject(root, "command");
  }
  if (r->log_name != NULL)
    add_cstr(root, "log", r->log_name);
  add_cstr(root, "cwd", r->cwd);
  cJSON_AddItemToObject(root, "exit", exit_json(r));
  cJSON_AddNumberToObject(root, "duration_ms", (double)r->duration_ms);
  cJSON_AddItemToObject(root, "host", host_json(r->host));
  cJSON_AddItemToObject(root, "context", facts_json(r->context));
  arr = cJSON_AddArrayToObject(root, "diagnoses");
  for (i = 0; i < r->ndiags; i++)
    cJSON_AddItemToArray(arr, diag_json(&r->diags[i]));
  if (r->trace != NULL)
    cJSON_AddItemToObject(root, "trace", trace_json(r->trace));

  return ex__json_line(root, 0, out, len);
}

int ex__json_line(cJSON *root, size_t max, char **out, size_t *len) {
  char *s;
  char *nl;
  size_t n;

  /* Unformatted: cJSON escapes newlines in strings, so this is one line. */
  s = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (s == NULL)
    return -ENOMEM;
  n = strlen(s);
  if (max > 0 && n > max) {
    free(s);
    return -E2BIG;
  }
  nl = realloc(s, n + 2);
  if (nl == NULL) {
    free(s);
    return -ENOMEM;
  }
  nl[n] = '\n';
  nl[n + 1] = '\0';
  *out = nl;
  if (len != NULL)
    *len = n + 1;
  return 0;
}
