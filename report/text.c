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

/* "EACCES during open of /data/out.csv" (what is known of it). */
static void put_event(ex_buf_t *b, const ex_finding_t *f) {
  const ex_finding_event_t *e;

  e = &f->event;
  ex_buf_puts(b, "  ");
  if (e->errno_name != NULL)
    put_display(b, e->errno_name);
  else
    put_display(b, e->condition);
  if (e->operation != NULL && strcmp(e->operation, "other") != 0) {
    ex_buf_puts(b, " during ");
    put_display(b, e->operation);
  }
  if (e->subject_value != NULL) {
    ex_buf_puts(b, e->operation != NULL ? " of " : ": ");
    put_display(b, e->subject_kind);
    ex_buf_puts(b, " ");
    put_display(b, e->subject_value);
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

static void put_finding(ex_buf_t *b, const ex_finding_t *f) {
  const ex_rule_t *r;
  size_t i;

  r = f->rule;
  ex_buf_puts(b, "\nexplain: ");
  put_display(b, r->title);
  ex_buf_puts(b, " (");
  put_display(b, r->id);
  ex_buf_puts(b, ")");
  if (f->count > 1)
    ex_buf_printf(b, ", seen %lu times", f->count);
  ex_buf_puts(b, "\n");
  put_event(b, f);
  if (f->location_file != NULL) {
    ex_buf_puts(b, "  at: ");
    put_display(b, f->location_file);
    if (f->location_line != NULL) {
      ex_buf_puts(b, ":");
      put_display(b, f->location_line);
    }
    ex_buf_puts(b, "\n");
  }
  ex_buf_puts(b, "  meaning: ");
  put_expanded(b, f, r->meaning, 0);
  ex_buf_puts(b, "\n");
  if (f->nevidence > 0)
    put_evidence(b, &f->evidence[0]);
  for (i = 0; i < r->ncauses; i++) {
    ex_buf_puts(b, "  ? ");
    put_expanded(b, f, r->causes[i].text, 0);
    ex_buf_puts(b, " (not checked)\n");
  }
  for (i = 0; i < r->nfixes; i++) {
    ex_buf_puts(b, "  fix: ");
    put_expanded(b, f, r->fixes[i].text, 0);
    if (r->fixes[i].command != NULL) {
      ex_buf_puts(b, r->fixes[i].needs_root ? " (as root): " : ": ");
      put_expanded(b, f, r->fixes[i].command, EX_TEMPLATE_SHELL);
    }
    ex_buf_puts(b, "\n");
  }
  for (i = 0; i < f->nchildren; i++) {
    ex_buf_puts(b, "  also: ");
    put_display(b, f->children[i]->rule->title);
    if (f->children[i]->nevidence > 0) {
      ex_buf_printf(b, " (line %lu)", f->children[i]->evidence[0].line);
    }
    ex_buf_puts(b, "\n");
  }
}

int ex_report_text(const ex_report_t *r, char **out, size_t *len) {
  ex_buf_t b;
  size_t i;

  memset(&b, 0, sizeof(b));
  ex_buf_append(&b, "", 0);
  if (r->matcher != NULL) {
    for (i = 0; i < ex_matcher_count(r->matcher); i++)
      put_finding(&b, ex_matcher_get(r->matcher, i));
  }
  if (b.failed) {
    free(b.buf);
    return -ENOMEM;
  }
  *out = b.buf;
  if (len != NULL)
    *len = b.len;
  return 0;
}
