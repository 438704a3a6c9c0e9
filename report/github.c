/* The GitHub Actions renderer: workflow-command annotations and a Markdown
 * section for the job summary. */
#include "report/report.h"
#include "report/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Appends s escaped for a workflow command: the message escapes %, \r and
 * \n; a property value also escapes : and ,. Text is made valid UTF-8. */
static void put_escaped(ex_buf_t *b, const char *s, int property) {
  ex_buf_t clean;
  const char *p;

  if (s == NULL)
    return;
  memset(&clean, 0, sizeof(clean));
  ex_buf_put_utf8(&clean, s, strlen(s));
  for (p = clean.buf; p != NULL && *p != '\0'; p++) {
    if (*p == '%')
      ex_buf_puts(b, "%25");
    else if (*p == '\r')
      ex_buf_puts(b, "%0D");
    else if (*p == '\n')
      ex_buf_puts(b, "%0A");
    else if (property && *p == ':')
      ex_buf_puts(b, "%3A");
    else if (property && *p == ',')
      ex_buf_puts(b, "%2C");
    else
      ex_buf_append(b, p, 1);
  }
  free(clean.buf);
}

static char *expand(const ex_finding_t *f, const char *tpl, int flags) {
  char *s;

  if (tpl == NULL || ex_finding_expand(f, tpl, flags, &s, NULL) != 0)
    return NULL;
  return s;
}

/* The facts of a diagnosis that both outputs use. */
typedef struct ex_gh_diag {
  const char *id;
  const char *title;
  const char *errno_name;
  const char *operation;
  const char *kind;
  const char *value;
  char *meaning; /* owned */
  const char *file;
  const char *line;
} ex_gh_diag_t;

static void gh_diag(const ex_report_diag_t *g, ex_gh_diag_t *d) {
  const ex_finding_t *f;

  memset(d, 0, sizeof(*d));
  f = g->finding;
  if (f != NULL) {
    d->id = f->rule->id;
    d->title = f->rule->title;
    d->errno_name = f->event.errno_name != NULL ? f->event.errno_name
                                                : f->event.condition;
    d->operation = f->event.operation;
    d->kind = f->event.subject_kind;
    d->value = f->event.subject_value;
    /* "<string>", "<stdin>": not a file a reviewer can open. */
    if (f->location_file != NULL && f->location_file[0] != '<') {
      d->file = f->location_file;
      d->line = f->location_line;
    }
  } else {
    d->id = g->id;
    d->title = g->title;
    d->errno_name = g->errno_name != NULL ? g->errno_name : g->condition;
    d->operation = g->operation;
    d->kind = g->subject_kind;
    d->value = g->subject_value;
  }
  if (g->expl != NULL && g->expl->summary != NULL)
    d->meaning = strdup(g->expl->summary);
  else if (f != NULL)
    d->meaning = expand(f, f->rule->meaning, 0);
  else if (g->meaning != NULL)
    d->meaning = strdup(g->meaning);
}

static void put_annotation(ex_buf_t *b, const ex_gh_diag_t *d) {
  ex_buf_puts(b, "::error ");
  if (d->file != NULL) {
    ex_buf_puts(b, "file=");
    put_escaped(b, d->file, 1);
    if (d->line != NULL) {
      ex_buf_puts(b, ",line=");
      put_escaped(b, d->line, 1);
    }
    ex_buf_puts(b, ",");
  }
  ex_buf_puts(b, "title=");
  put_escaped(b, d->title, 1);
  ex_buf_puts(b, " (explain ");
  put_escaped(b, d->id, 1);
  ex_buf_puts(b, ")::");
  put_escaped(b, d->errno_name, 0);
  if (d->value != NULL && d->value[0] != '\0') {
    ex_buf_puts(b, " ");
    put_escaped(b, d->value, 0);
  }
  if (d->meaning != NULL) {
    ex_buf_puts(b, ": ");
    put_escaped(b, d->meaning, 0);
  }
  ex_buf_puts(b, "\n");
}

/* Markdown: text outside code is escaped so that a path cannot become a
 * link, an image or HTML. */
static void put_md(ex_buf_t *b, const char *s) {
  ex_buf_t clean;
  const char *p;

  if (s == NULL)
    return;
  memset(&clean, 0, sizeof(clean));
  ex_buf_put_utf8(&clean, s, strlen(s));
  for (p = clean.buf; p != NULL && *p != '\0'; p++) {
    if (*p == '<')
      ex_buf_puts(b, "&lt;");
    else if (*p == '>')
      ex_buf_puts(b, "&gt;");
    else if (*p == '&')
      ex_buf_puts(b, "&amp;");
    else if (*p == '\n' || *p == '\r')
      ex_buf_puts(b, " ");
    else if (strchr("\\`*_[]|~", *p) != NULL) {
      ex_buf_puts(b, "\\");
      ex_buf_append(b, p, 1);
    } else {
      ex_buf_append(b, p, 1);
    }
  }
  free(clean.buf);
}

/* A fenced block longer than any run of backticks inside it. */
static void put_block(ex_buf_t *b, const char *lang, const char *s, size_t n) {
  size_t run;
  size_t longest;
  size_t i;

  longest = 0;
  run = 0;
  for (i = 0; i < n; i++) {
    run = s[i] == '`' ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  longest = longest < 3 ? 3 : longest + 1;
  for (i = 0; i < longest; i++)
    ex_buf_puts(b, "`");
  ex_buf_puts(b, lang);
  ex_buf_puts(b, "\n");
  ex_buf_put_utf8(b, s, n);
  ex_buf_puts(b, "\n");
  for (i = 0; i < longest; i++)
    ex_buf_puts(b, "`");
  ex_buf_puts(b, "\n\n");
}

static const char *verdict_md(ex_verdict_t v) {
  switch (v) {
  case EX_VERDICT_CONFIRMED:
    return "\xe2\x9c\x94 confirmed";
  case EX_VERDICT_RULED_OUT:
    return "\xe2\x9c\x98 ruled out";
  default:
    return "? unknown";
  }
}

/* The probed causes with verdict v; a cause that does not hold says first
 * what it would be (its claim). */
static void put_causes_md(ex_buf_t *b, const ex_explanation_t *e,
                          ex_verdict_t v) {
  const ex_cause_t *c;
  size_t i;

  for (i = 0; e != NULL && i < e->ncauses; i++) {
    c = &e->causes[i];
    if (c->verdict != v)
      continue;
    ex_buf_printf(b, "- %s: ", verdict_md(v));
    if (v != EX_VERDICT_CONFIRMED && c->claim != NULL && c->claim[0] != '\0') {
      put_md(b, c->claim);
      ex_buf_puts(b, ": ");
    }
    put_md(b, c->text);
    ex_buf_puts(b, "\n");
  }
}

/* One diagnosis, in the order of the text report: what failed, what
 * holds, the fixes, then what does not hold and the evidence. */
static void put_section(ex_buf_t *b, const ex_report_diag_t *g,
                        const ex_gh_diag_t *d) {
  const ex_finding_t *f;
  const ex_explanation_t *e;
  const ex_fix_t *fixes;
  size_t nfixes;
  size_t i;
  char *s;

  f = g->finding;
  e = g->expl;
  ex_buf_puts(b, "### explain: ");
  put_md(b, d->title);
  ex_buf_puts(b, " (");
  put_md(b, d->id);
  ex_buf_puts(b, ")\n\n**");
  put_md(b, d->errno_name);
  ex_buf_puts(b, "**");
  if (d->value != NULL && d->value[0] != '\0') {
    ex_buf_puts(b, " ");
    put_md(b, d->operation);
    ex_buf_puts(b, " ");
    put_md(b, d->value);
  }
  if (d->file != NULL) {
    ex_buf_puts(b, " at ");
    put_md(b, d->file);
    if (d->line != NULL) {
      ex_buf_puts(b, ":");
      put_md(b, d->line);
    }
  }
  ex_buf_puts(b, "\n\n");
  put_causes_md(b, e, EX_VERDICT_CONFIRMED);
  if (e != NULL && e->ncauses > 0)
    ex_buf_puts(b, "\n");
  if (d->meaning != NULL) {
    put_md(b, d->meaning);
    ex_buf_puts(b, "\n\n");
  }
  fixes = ex_report_diag_fixes(g, &nfixes);
  for (i = 0; i < nfixes; i++) {
    ex_buf_puts(b, "**Fix:** ");
    put_md(b, fixes[i].text);
    ex_buf_puts(b, fixes[i].needs_root ? " (as root)\n\n" : "\n\n");
    if (fixes[i].command != NULL)
      put_block(b, "sh", fixes[i].command, strlen(fixes[i].command));
  }
  if (e != NULL && e->ncauses > 0) {
    put_causes_md(b, e, EX_VERDICT_RULED_OUT);
    put_causes_md(b, e, EX_VERDICT_UNKNOWN);
    ex_buf_puts(b, "\n");
  } else if (f != NULL && f->rule->ncauses > 0) {
    for (i = 0; i < f->rule->ncauses; i++) {
      s = expand(f, f->rule->causes[i].text, 0);
      ex_buf_printf(b, "- %s: ", verdict_md(EX_VERDICT_UNKNOWN));
      put_md(b, s);
      ex_buf_puts(b, "\n");
      free(s);
    }
    ex_buf_puts(b, "\n");
  }
  if (f != NULL && f->nevidence > 0)
    put_block(b, "text", f->evidence[0].text, f->evidence[0].len);
}

int ex_report_github(const ex_report_t *r, char **annotations, size_t *alen,
                     char **summary, size_t *slen) {
  ex_buf_t a;
  ex_buf_t m;
  ex_gh_diag_t d;
  size_t i;

  memset(&a, 0, sizeof(a));
  memset(&m, 0, sizeof(m));
  ex_buf_append(&a, "", 0);
  ex_buf_append(&m, "", 0);
  for (i = 0; i < r->ndiags; i++) {
    gh_diag(&r->diags[i], &d);
    put_annotation(&a, &d);
    put_section(&m, &r->diags[i], &d);
    free(d.meaning);
  }
  if (a.failed || m.failed) {
    free(a.buf);
    free(m.buf);
    return -ENOMEM;
  }
  *annotations = a.buf;
  *alen = a.len;
  *summary = m.buf;
  *slen = m.len;
  return 0;
}
