/* The text renderer: a compact block after the command's own output. */
#include "report/report.h"
#include "report/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put_display(ex_buf_t *b, const char *s) {
  if (s != NULL)
    ex_buf_put_display(b, s, strlen(s));
}

static void put_expanded(ex_buf_t *b, const ex_finding_t *f, const char *tpl,
                         int flags) {
  char *s;
  size_t n;

  if (tpl == NULL || ex_finding_expand(f, tpl, flags, &s, &n) != 0)
    return;
  ex_buf_put_display(b, s, n);
  free(s);
}

/* "EACCES during open of path /data/out.csv" (what is known of it). */
static void put_event(ex_buf_t *b, const char *errno_name,
                      const char *condition, const char *operation,
                      const char *kind, const char *value) {
  ex_buf_puts(b, "  ");
  put_display(b, errno_name != NULL ? errno_name : condition);
  if (operation != NULL && strcmp(operation, "other") != 0) {
    ex_buf_puts(b, " during ");
    put_display(b, operation);
  }
  if (value != NULL && value[0] != '\0') {
    ex_buf_puts(b, operation != NULL ? " of " : ": ");
    put_display(b, kind);
    ex_buf_puts(b, " ");
    put_display(b, value);
  }
  ex_buf_puts(b, "\n");
}

static void put_evidence(ex_buf_t *b, const ex_evidence_t *ev) {
  ex_buf_printf(b, "  seen: %s line %lu: ",
                ev->stream == EX_STREAM_STDOUT ? "stdout" : "stderr", ev->line);
  ex_buf_put_display(b, ev->text, ev->len);
  if (ev->cut)
    ex_buf_puts(b, "...");
  ex_buf_puts(b, "\n");
}

static const char *mark(ex_verdict_t v, int ascii) {
  switch (v) {
  case EX_VERDICT_CONFIRMED:
    return ascii ? "[x]" : "\xe2\x9c\x94"; /* ✔ */
  case EX_VERDICT_RULED_OUT:
    return ascii ? "[ ]" : "\xe2\x9c\x98"; /* ✘ */
  default:
    return ascii ? "[?]" : "?";
  }
}

static void put_probed(ex_buf_t *b, const ex_explanation_t *e, int ascii) {
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    ex_buf_printf(b, "  %s ", mark(e->causes[i].verdict, ascii));
    put_display(b, e->causes[i].text);
    ex_buf_puts(b, "\n");
  }
}

static void put_fix(ex_buf_t *b, const char *text, const char *command,
                    int needs_root) {
  ex_buf_puts(b, "  fix: ");
  put_display(b, text);
  if (command != NULL) {
    ex_buf_puts(b, needs_root ? " (as root):\n      " : ":\n      ");
    put_display(b, command);
  }
  ex_buf_puts(b, "\n");
}

static void put_rule_causes_and_fixes(ex_buf_t *b, const ex_finding_t *f,
                                      const ex_explanation_t *e, int ascii) {
  const ex_rule_t *r;
  size_t i;
  char *cmd;

  r = f->rule;
  if (e == NULL || e->ncauses == 0) {
    for (i = 0; i < r->ncauses; i++) {
      ex_buf_printf(b, "  %s ", mark(EX_VERDICT_UNKNOWN, ascii));
      put_expanded(b, f, r->causes[i].text, 0);
      ex_buf_puts(b, " (not checked)\n");
    }
  }
  if (e != NULL && e->nfixes > 0)
    return;
  for (i = 0; i < r->nfixes; i++) {
    ex_buf_puts(b, "  fix: ");
    put_expanded(b, f, r->fixes[i].text, 0);
    if (r->fixes[i].command != NULL &&
        ex_finding_expand(f, r->fixes[i].command, EX_TEMPLATE_SHELL, &cmd,
                          NULL) == 0) {
      ex_buf_puts(b, r->fixes[i].needs_root ? " (as root):\n      "
                                            : ":\n      ");
      put_display(b, cmd);
      free(cmd);
    }
    ex_buf_puts(b, "\n");
  }
}

static void put_diag(ex_buf_t *b, const ex_report_diag_t *g, int ascii) {
  const ex_finding_t *f;
  const ex_explanation_t *e;
  size_t i;

  f = g->finding;
  e = g->expl;
  ex_buf_puts(b, "\nexplain: ");
  put_display(b, f != NULL ? f->rule->title : g->title);
  ex_buf_puts(b, " (");
  put_display(b, f != NULL ? f->rule->id : g->id);
  ex_buf_puts(b, ")");
  if (f != NULL && f->count > 1)
    ex_buf_printf(b, ", seen %lu times", f->count);
  ex_buf_puts(b, "\n");
  if (f != NULL)
    put_event(b, f->event.errno_name, f->event.condition, f->event.operation,
              f->event.subject_kind, f->event.subject_value);
  else
    put_event(b, g->errno_name, g->condition, g->operation, g->subject_kind,
              g->subject_value);
  if (f != NULL && f->location_file != NULL) {
    ex_buf_puts(b, "  at: ");
    put_display(b, f->location_file);
    if (f->location_line != NULL) {
      ex_buf_puts(b, ":");
      put_display(b, f->location_line);
    }
    ex_buf_puts(b, "\n");
  }
  if (e != NULL && e->summary != NULL) {
    ex_buf_puts(b, "  ");
    put_display(b, e->summary);
    ex_buf_puts(b, "\n");
  } else {
    ex_buf_puts(b, "  meaning: ");
    if (f != NULL)
      put_expanded(b, f, f->rule->meaning, 0);
    else
      put_display(b, g->meaning);
    ex_buf_puts(b, "\n");
  }
  if (f != NULL && f->nevidence > 0)
    put_evidence(b, &f->evidence[0]);
  if (e != NULL && e->stale)
    ex_buf_puts(b, "  note: the state seen now no longer produces this "
                   "error\n");
  if (e != NULL)
    put_probed(b, e, ascii);
  if (e != NULL) {
    for (i = 0; i < e->nfixes; i++)
      put_fix(b, e->fixes[i].text, e->fixes[i].command,
              e->fixes[i].needs_root);
  }
  if (f != NULL)
    put_rule_causes_and_fixes(b, f, e, ascii);
  for (i = 0; f != NULL && i < f->nchildren; i++) {
    ex_buf_puts(b, "  also: ");
    put_display(b, f->children[i]->rule->title);
    if (f->children[i]->nevidence > 0)
      ex_buf_printf(b, " (line %lu)", f->children[i]->evidence[0].line);
    ex_buf_puts(b, "\n");
  }
}

int ex_report_text(const ex_report_t *r, char **out, size_t *len) {
  ex_buf_t b;
  size_t i;

  memset(&b, 0, sizeof(b));
  ex_buf_append(&b, "", 0);
  for (i = 0; i < r->ndiags; i++)
    put_diag(&b, &r->diags[i], r->ascii);
  if (b.failed) {
    free(b.buf);
    return -ENOMEM;
  }
  *out = b.buf;
  if (len != NULL)
    *len = b.len;
  return 0;
}
