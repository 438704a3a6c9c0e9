/* The text renderer: a compact block after the command's own output, for a
 * person at a terminal or reading a CI log. Long prose is wrapped to the
 * width; commands are never wrapped, so they can be copied as they are. */
#include "report/report.h"
#include "report/utf8.h"
#include "platform/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define C_RESET "\x1b[0m"
#define C_BOLD "\x1b[1m"
#define C_DIM "\x1b[2m"
#define C_RED "\x1b[31m"
#define C_GREEN "\x1b[32m"
#define C_YELLOW "\x1b[33m"
#define C_CYAN "\x1b[36m"

typedef struct ex_text {
  ex_buf_t b;
  int ascii;
  int color;
  int width;
  int verbose;
  int log; /* --log: the output was captured elsewhere */
  int log_noted; /* --log: the reader was told where the checks ran */
} ex_text_t;

static void style(ex_text_t *t, const char *code) {
  if (t->color)
    ex_buf_puts(&t->b, code);
}

/* Display width of valid UTF-8 text: one column per code point (close
 * enough for the wrapping of prose). */
static size_t columns(const char *s, size_t n) {
  size_t i;
  size_t w;

  w = 0;
  for (i = 0; i < n; i++) {
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      w++;
  }
  return w;
}

/* Appends text (made safe for the terminal first) word-wrapped: the first
 * line continues at column `at`, later lines start with `indent` spaces. */
static void put_wrapped(ex_text_t *t, const char *text, size_t at,
                        size_t indent) {
  ex_buf_t clean;
  const char *p;
  const char *end;
  const char *word;
  size_t col;
  size_t wl;
  size_t i;
  int first;

  if (text == NULL)
    return;
  memset(&clean, 0, sizeof(clean));
  ex_buf_put_display(&clean, text, strlen(text));
  if (clean.buf == NULL)
    return;
  col = at;
  first = 1;
  p = clean.buf;
  end = clean.buf + clean.len;
  for (;;) {
    while (p < end && *p == ' ')
      p++;
    word = p;
    while (p < end && *p != ' ')
      p++;
    if (p == word)
      break;
    wl = columns(word, (size_t)(p - word));
    if (!first && col + 1 + wl > (size_t)t->width && col > indent) {
      ex_buf_puts(&t->b, "\n");
      for (i = 0; i < indent; i++)
        ex_buf_puts(&t->b, " ");
      col = indent;
    } else if (!first) {
      ex_buf_puts(&t->b, " ");
      col++;
    }
    ex_buf_append(&t->b, word, (size_t)(p - word));
    col += wl;
    first = 0;
  }
  free(clean.buf);
}

/* A line "  <label><text>" with the text wrapped under itself. */
static void put_line(ex_text_t *t, const char *label, const char *text) {
  size_t at;

  ex_buf_puts(&t->b, "  ");
  ex_buf_puts(&t->b, label);
  at = 2 + columns(label, strlen(label));
  put_wrapped(t, text, at, at);
  ex_buf_puts(&t->b, "\n");
}

static char *expand(const ex_finding_t *f, const char *tpl, int flags) {
  char *s;

  if (tpl == NULL || ex_finding_expand(f, tpl, flags, &s, NULL) != 0)
    return NULL;
  return s;
}

static void put_display(ex_text_t *t, const char *s) {
  if (s != NULL)
    ex_buf_put_display(&t->b, s, strlen(s));
}

/* "EACCES during open of path /data/out.csv" (what is known of it). */
static void put_event(ex_text_t *t, const char *errno_name,
                      const char *condition, const char *operation,
                      const char *kind, const char *value) {
  ex_buf_puts(&t->b, "  ");
  style(t, C_BOLD);
  put_display(t, errno_name != NULL ? errno_name : condition);
  style(t, C_RESET);
  if (operation != NULL && strcmp(operation, "other") != 0) {
    ex_buf_puts(&t->b, " during ");
    put_display(t, operation);
  }
  if (value != NULL && value[0] != '\0') {
    ex_buf_puts(&t->b, operation != NULL ? " of " : ": ");
    put_display(t, kind);
    ex_buf_puts(&t->b, " ");
    put_display(t, value);
  }
  ex_buf_puts(&t->b, "\n");
}

/* The line as the command printed it, on one line: cut to the width (the
 * JSON report has all of it). */
static void put_evidence(ex_text_t *t, const ex_evidence_t *ev) {
  ex_buf_t line;
  size_t room;
  size_t i;
  size_t cols;
  int label;

  memset(&line, 0, sizeof(line));
  ex_buf_put_display(&line, ev->text, ev->len);
  style(t, C_DIM);
  label = 0;
  /* A log is one text whatever streams wrote it: its line numbers are the
   * log's. */
  if (t->log)
    ex_buf_printf(&t->b, "  seen: line %lu of the log: %n", ev->line, &label);
  else
    ex_buf_printf(&t->b, "  seen: %s line %lu: %n",
                  ev->stream == EX_STREAM_STDOUT ? "stdout" : "stderr",
                  ev->line, &label);
  room = (size_t)t->width > (size_t)label + 4 ? (size_t)t->width - (size_t)label
                                              : 4;
  cols = 0;
  for (i = 0; line.buf != NULL && i < line.len; i++) {
    if (((unsigned char)line.buf[i] & 0xc0) != 0x80 && ++cols > room - 3)
      break;
  }
  if (line.buf != NULL)
    ex_buf_append(&t->b, line.buf, i);
  if (line.buf != NULL && (i < line.len || ev->cut))
    ex_buf_puts(&t->b, "...");
  style(t, C_RESET);
  ex_buf_puts(&t->b, "\n");
  free(line.buf);
}

static void put_mark(ex_text_t *t, ex_verdict_t v) {
  ex_buf_puts(&t->b, "  ");
  switch (v) {
  case EX_VERDICT_CONFIRMED:
    style(t, C_GREEN);
    ex_buf_puts(&t->b, t->ascii ? "[x]" : "\xe2\x9c\x94"); /* ✔ */
    break;
  case EX_VERDICT_RULED_OUT:
    style(t, C_DIM);
    ex_buf_puts(&t->b, t->ascii ? "[ ]" : "\xe2\x9c\x98"); /* ✘ */
    break;
  default:
    style(t, C_YELLOW);
    ex_buf_puts(&t->b, t->ascii ? "[?]" : "?");
    break;
  }
  style(t, C_RESET);
  ex_buf_puts(&t->b, " ");
}

static void put_fact_value(ex_text_t *t, const ex_fact_t *x) {
  size_t i;

  switch (x->kind) {
  case EX_FACT_STR:
    put_display(t, x->str);
    break;
  case EX_FACT_BOOL:
    ex_buf_puts(&t->b, x->num ? "true" : "false");
    break;
  case EX_FACT_INT:
    ex_buf_printf(&t->b, "%lld", x->num);
    break;
  case EX_FACT_LIST:
    for (i = 0; i < x->nlist; i++) {
      if (i > 0)
        ex_buf_puts(&t->b, ", ");
      put_display(t, x->list[i]);
    }
    break;
  case EX_FACT_NUMS:
    for (i = 0; i < x->nlist; i++)
      ex_buf_printf(&t->b, "%s%lld", i > 0 ? ", " : "", x->nums[i]);
    break;
  case EX_FACT_ROWS:
    ex_buf_printf(&t->b, "%zu rows", x->nrows);
    break;
  default:
    ex_buf_puts(&t->b, "unknown");
    break;
  }
}

/* Every fact but the backtrace, which has its own lines (put_backtrace). */
static void put_facts(ex_text_t *t, const ex_facts_t *f, size_t indent) {
  size_t i;
  size_t k;

  for (i = 0; f != NULL && i < f->count; i++) {
    if (f->items[i].kind == EX_FACT_ROWS)
      continue;
    for (k = 0; k < indent; k++)
      ex_buf_puts(&t->b, " ");
    style(t, C_DIM);
    put_display(t, f->items[i].key);
    ex_buf_puts(&t->b, ": ");
    put_fact_value(t, &f->items[i]);
    style(t, C_RESET);
    ex_buf_puts(&t->b, "\n");
  }
}

/* A cause: a confirmed one says what was seen; one that does not hold, or
 * could not be checked, first says what it would be ("✘ a directory on the
 * way denies search: every directory above ... lets ana search it"), so it
 * does not read like a problem. */
static void put_cause(ex_text_t *t, ex_verdict_t v, const char *claim,
                      const char *text, const char *suffix,
                      const ex_facts_t *facts) {
  char *joined;

  put_mark(t, v);
  joined = NULL;
  if (v != EX_VERDICT_CONFIRMED && claim != NULL && claim[0] != '\0' &&
      text != NULL) {
    if (asprintf(&joined, "%s: %s%s", claim, text,
                 suffix != NULL ? suffix : "") < 0)
      joined = NULL;
  } else if (suffix != NULL && text != NULL &&
             asprintf(&joined, "%s%s", text, suffix) < 0) {
    joined = NULL;
  }
  put_wrapped(t, joined != NULL ? joined : text, t->ascii ? 6 : 4,
              t->ascii ? 6 : 4);
  free(joined);
  ex_buf_puts(&t->b, "\n");
  if (t->verbose)
    put_facts(t, facts, 8);
}

static void put_fix(ex_text_t *t, const char *text, const char *command,
                    int needs_root) {
  char *joined;

  ex_buf_puts(&t->b, "  fix: ");
  joined = NULL;
  if (needs_root && text != NULL &&
      asprintf(&joined, "%s (needs root)", text) < 0)
    joined = NULL;
  put_wrapped(t, joined != NULL ? joined : text, 7, 7);
  free(joined);
  ex_buf_puts(&t->b, "\n");
  if (command != NULL) {
    ex_buf_puts(&t->b, "       ");
    style(t, C_CYAN);
    put_display(t, command);
    style(t, C_RESET);
    ex_buf_puts(&t->b, "\n");
  }
}

/* The rule's causes, when no probe looked at any: each unchecked. */
static void put_rule_causes(ex_text_t *t, const ex_finding_t *f) {
  const ex_rule_t *r;
  size_t i;
  char *a;

  r = f->rule;
  for (i = 0; i < r->ncauses; i++) {
    a = expand(f, r->causes[i].text, 0);
    put_cause(t, EX_VERDICT_UNKNOWN, NULL, a, " (not checked)", NULL);
    free(a);
  }
}

static const char *row_str(const ex_facts_t *row, const char *key) {
  const ex_fact_t *x;

  x = ex_facts_get(row, key);
  return x != NULL && x->kind == EX_FACT_STR ? x->str : NULL;
}

static long long row_int(const ex_facts_t *row, const char *key) {
  const ex_fact_t *x;

  x = ex_facts_get(row, key);
  return x != NULL && (x->kind == EX_FACT_INT || x->kind == EX_FACT_BOOL)
             ? x->num
             : -1;
}

static const char *base_name(const char *p) {
  const char *s;

  s = p != NULL ? strrchr(p, '/') : NULL;
  return s != NULL ? s + 1 : p;
}

/* A frame worth a line of its own: the program's (but its start-up code,
 * which every program has), or one with a source line outside the
 * system's library directories (a library of the project). */
static int own_frame(const ex_facts_t *row) {
  static const char startup[][24] = {"_start", "__libc_start_main",
                                     "__libc_start_call_main",
                                     "__libc_csu_init", "_init"};
  const char *m;
  size_t i;

  if (row_int(row, "program") == 1) {
    m = row_str(row, "function");
    for (i = 0; m != NULL && i < sizeof(startup) / sizeof(startup[0]); i++) {
      if (strcmp(m, startup[i]) == 0)
        return 0;
    }
    return 1;
  }
  m = row_str(row, "module");
  return row_int(row, "line") > 0 && m != NULL && strncmp(m, "/lib", 4) != 0 &&
         strncmp(m, "/usr/lib", 8) != 0;
}

/* One frame: "#0 parse_line (null.c:4)"; with -v every field. */
static void put_frame(ex_text_t *t, const ex_facts_t *row) {
  const char *fn;
  const char *mod;
  const char *file;
  long long line;

  fn = row_str(row, "function");
  mod = row_str(row, "module");
  file = row_str(row, "file");
  line = row_int(row, "line");
  ex_buf_printf(&t->b, "    #%lld ", row_int(row, "index"));
  if (fn != NULL)
    put_display(t, fn);
  else
    put_display(t, row_str(row, "address"));
  if (t->verbose) {
    if (fn != NULL)
      ex_buf_printf(&t->b, "+0x%llx", row_int(row, "offset"));
    if (mod != NULL) {
      ex_buf_puts(&t->b, " (");
      put_display(t, mod);
      ex_buf_printf(&t->b, "+0x%llx)", row_int(row, "module_offset"));
    }
    if (file != NULL && line > 0) {
      ex_buf_puts(&t->b, " ");
      put_display(t, file);
      ex_buf_printf(&t->b, ":%lld", line);
    }
  } else if (file != NULL && line > 0) {
    ex_buf_puts(&t->b, " (");
    put_display(t, base_name(file));
    ex_buf_printf(&t->b, ":%lld)", line);
  } else if (mod != NULL) {
    ex_buf_puts(&t->b, " (in ");
    put_display(t, base_name(mod));
    ex_buf_puts(&t->b, ")");
  }
  ex_buf_puts(&t->b, "\n");
}

/* Frames [from, to) of library code on one line: "#3-5 libc.so.6
 * (__libc_start_call_main, __libc_start_main, _start)", the names as many
 * as fit in the width. */
static void put_folded(ex_text_t *t, const ex_facts_t *rows, size_t from,
                       size_t to) {
  const char *mods[4];
  const char *m;
  size_t nmods;
  size_t start;
  size_t i;
  size_t k;

  start = t->b.len;
  if (to - from == 1)
    ex_buf_printf(&t->b, "    #%zu ", from);
  else
    ex_buf_printf(&t->b, "    #%zu-%zu ", from, to - 1);
  nmods = 0;
  for (i = from; i < to; i++) {
    m = base_name(row_str(&rows[i], "module"));
    for (k = 0; m != NULL && k < nmods && strcmp(mods[k], m) != 0; k++)
      ;
    if (m == NULL || k < nmods || nmods == 4)
      continue;
    mods[nmods++] = m;
    if (nmods > 1)
      ex_buf_puts(&t->b, ", ");
    put_display(t, m);
  }
  if (nmods == 0)
    ex_buf_puts(&t->b, "unknown code");
  ex_buf_puts(&t->b, " (");
  for (i = from; i < to; i++) {
    m = row_str(&rows[i], "function");
    if (m == NULL)
      m = "?";
    if (t->b.len - start + strlen(m) + 6 > (size_t)t->width) {
      ex_buf_puts(&t->b, "...");
      break;
    }
    if (i > from)
      ex_buf_puts(&t->b, ", ");
    put_display(t, m);
  }
  ex_buf_puts(&t->b, ")\n");
}

#define EX_TEXT_FRAMES 10 /* frames of the program shown without -v */

/* The backtrace of a crash (the rows fact "backtrace" of the crash
 * explainer): the program's own frames, up to EX_TEXT_FRAMES, with each
 * run of library frames folded into one line; every frame with -v. */
static void put_backtrace(ex_text_t *t, const ex_explanation_t *e) {
  const ex_fact_t *bt;
  const ex_fact_t *x;
  size_t i;
  size_t j;
  size_t shown;

  bt = e != NULL ? ex_facts_get(&e->facts, "backtrace") : NULL;
  if (bt == NULL || bt->kind != EX_FACT_ROWS || bt->nrows == 0)
    return;
  x = ex_facts_get(&e->facts, "backtrace_thread");
  ex_buf_puts(&t->b, "  backtrace");
  if (x != NULL && x->kind == EX_FACT_STR) {
    ex_buf_puts(&t->b, " (");
    put_display(t, x->str);
    ex_buf_puts(&t->b, ")");
  }
  ex_buf_puts(&t->b, ":\n");
  shown = 0;
  for (i = 0; i < bt->nrows; i = j) {
    if (t->verbose || own_frame(&bt->rows[i])) {
      if (!t->verbose && shown == EX_TEXT_FRAMES)
        break;
      put_frame(t, &bt->rows[i]);
      shown++;
      j = i + 1;
      continue;
    }
    for (j = i + 1; j < bt->nrows && !own_frame(&bt->rows[j]); j++)
      ;
    put_folded(t, bt->rows, i, j);
  }
  x = ex_facts_get(&e->facts, "backtrace_depth");
  if (i < bt->nrows)
    ex_buf_printf(&t->b, "    ... %zu more frames (-v shows them)\n",
                  bt->nrows - i);
  if (x != NULL && x->kind == EX_FACT_INT && (size_t)x->num > bt->nrows)
    ex_buf_printf(&t->b,
                  "    ... %lld frames in all; only the innermost "
                  "%zu were recorded\n",
                  x->num, bt->nrows);
}

/* A later finding of the same cause, on one line. */
static void put_also(ex_text_t *t, const ex_finding_t *f) {
  ex_buf_puts(&t->b, "  also: ");
  put_display(t, f->rule->title);
  if (f->nevidence > 0) {
    ex_buf_printf(&t->b, " (line %lu: ", f->evidence[0].line);
    ex_buf_put_display(&t->b, f->evidence[0].text,
                       f->evidence[0].len < 100 ? f->evidence[0].len : 100);
    ex_buf_puts(&t->b, ")");
  }
  ex_buf_puts(&t->b, "\n");
}

static size_t count_verdict(const ex_explanation_t *e, ex_verdict_t v) {
  size_t i;
  size_t n;

  n = 0;
  for (i = 0; e != NULL && i < e->ncauses; i++)
    n += e->causes[i].verdict == v;
  return n;
}

/* The note that tells the reader how far to trust what is seen here. */
static void put_note(ex_text_t *t, const ex_report_diag_t *g) {
  const ex_explanation_t *e;
  char *s;

  e = g->expl;
  s = NULL;
  if (g->subject_foreign && g->finding != NULL) {
    if (asprintf(&s,
                 "%s is a Windows path, which names nothing explain can "
                 "look at on this machine: no cause was checked.",
                 g->finding->event.subject_value) < 0)
      s = NULL;
    put_line(t, "note: ", s);
    free(s);
  } else if (t->log && g->subject_absent) {
    if (asprintf(&s,
                 "%s does not exist on this machine: the log may come "
                 "from another machine, and what explain checks here is "
                 "this one.",
                 g->finding != NULL ? g->finding->event.subject_value
                                    : g->subject_value) < 0)
      s = NULL;
    put_line(t, "note: ", s);
    free(s);
    t->log_noted = 1;
  } else if (e != NULL && e->stale) {
    put_line(t, "note: ",
             t->log ? "what explain sees now no longer produces "
                      "this error: it may have been fixed "
                      "since, or the log comes from another "
                      "machine."
                    : "what explain sees now no longer produces "
                      "this error; it may have been fixed "
                      "since.");
    t->log_noted = t->log;
  } else if (t->log && !t->log_noted &&
             count_verdict(e, EX_VERDICT_CONFIRMED) +
                     count_verdict(e, EX_VERDICT_RULED_OUT) >
                 0) {
    /* A verdict is what a probe saw on this machine, now; a log may have
     * been written on another one, or before something changed. Said once,
     * at the first diagnosis with a verdict. */
    put_line(t, "note: ",
             t->ascii ? "[x] and [ ] are what explain sees on this machine "
                        "now; the log may come from another machine, or "
                        "from before something changed."
                      : "\xe2\x9c\x94 and \xe2\x9c\x98 are what explain "
                        "sees on this machine now; the log may come from "
                        "another machine, or from before something "
                        "changed.");
    t->log_noted = 1;
  }
}

static void put_causes(ex_text_t *t, const ex_explanation_t *e,
                       ex_verdict_t v) {
  size_t i;

  for (i = 0; e != NULL && i < e->ncauses; i++) {
    if (e->causes[i].verdict == v)
      put_cause(t, v, e->causes[i].claim, e->causes[i].text, NULL,
                &e->causes[i].facts);
  }
}

/* One diagnosis, the answer first: what failed, the confirmed causes, the
 * fixes; then what was ruled out or could not be checked, the evidence,
 * and at the end whether it came back. */
static void put_diag(ex_text_t *t, const ex_report_diag_t *g) {
  const ex_finding_t *f;
  const ex_explanation_t *e;
  const ex_fix_t *fixes;
  size_t nfixes;
  size_t i;
  char *s;

  f = g->finding;
  e = g->expl;
  ex_buf_puts(&t->b, "\n");
  style(t, C_BOLD C_RED);
  ex_buf_puts(&t->b, "explain: ");
  put_display(t, f != NULL ? f->rule->title : g->title);
  style(t, C_RESET);
  ex_buf_puts(&t->b, " (");
  put_display(t, f != NULL ? f->rule->id : g->id);
  ex_buf_puts(&t->b, ")");
  if (f != NULL && f->count > 1)
    ex_buf_printf(&t->b, ", seen %lu times", f->count);
  ex_buf_puts(&t->b, "\n");
  if (f != NULL && g->syscall_subject)
    put_event(t, f->event.errno_name, f->event.condition,
              f->event.operation != NULL ? f->event.operation
                                         : g->syscall->operation,
              g->subject_kind, g->subject_value);
  else if (f != NULL && g->subject_from != NULL && g->subject_value != NULL)
    put_event(t, f->event.errno_name, f->event.condition,
              g->operation != NULL ? g->operation : f->event.operation,
              g->subject_kind, g->subject_value);
  else if (f != NULL)
    put_event(t, f->event.errno_name, f->event.condition,
              g->operation != NULL ? g->operation : f->event.operation,
              f->event.subject_kind, f->event.subject_value);
  else
    put_event(t, g->errno_name, g->condition, g->operation, g->subject_kind,
              g->subject_value);
  if (f != NULL && g->subject_from != NULL && g->subject_value != NULL)
    put_line(t, "from: ", g->subject_from);

  /* The answer: what holds, else the explainer's one line or the rule's
   * meaning, with how far to trust it; then the fixes. */
  put_causes(t, e, EX_VERDICT_CONFIRMED);
  if (count_verdict(e, EX_VERDICT_CONFIRMED) == 0 || t->verbose) {
    if (e != NULL && e->summary != NULL) {
      put_line(t, "", e->summary);
    } else {
      s = f != NULL ? expand(f, f->rule->meaning, 0) : NULL;
      put_line(t, "meaning: ", f != NULL ? s : g->meaning);
      free(s);
    }
  }
  put_note(t, g);
  fixes = ex_report_diag_fixes(g, &nfixes);
  for (i = 0; i < nfixes; i++)
    put_fix(t, fixes[i].text, fixes[i].command, fixes[i].needs_root);
  put_backtrace(t, e);

  /* What does not hold, and what could not be checked. */
  put_causes(t, e, EX_VERDICT_RULED_OUT);
  put_causes(t, e, EX_VERDICT_UNKNOWN);
  if (f != NULL && (e == NULL || e->ncauses == 0))
    put_rule_causes(t, f);

  /* Where it was seen. */
  if (f != NULL && f->location_file != NULL) {
    ex_buf_puts(&t->b, "  at: ");
    put_display(t, f->location_file);
    if (f->location_line != NULL) {
      ex_buf_puts(&t->b, ":");
      put_display(t, f->location_line);
    }
    ex_buf_puts(&t->b, "\n");
  }
  if (f != NULL && f->nevidence > 0)
    put_evidence(t, &f->evidence[0]);
  if (g->syscall != NULL) {
    style(t, C_DIM);
    ex_buf_puts(&t->b, "  call: ");
    put_display(t, g->syscall->call);
    ex_buf_printf(&t->b, " in pid %d (", (int)g->syscall->pid);
    put_display(t, g->syscall->comm);
    ex_buf_printf(&t->b, "), at %lld ms", g->syscall->time_ms);
    style(t, C_RESET);
    ex_buf_puts(&t->b, "\n");
  }
  for (i = 0; f != NULL && i < f->nchildren; i++)
    put_also(t, f->children[i]);
  for (i = 0; f == NULL && i < g->nfolded; i++)
    put_also(t, g->folded[i]);
  if (t->verbose && e != NULL && e->facts.count > 0) {
    ex_buf_puts(&t->b, "  facts:\n");
    put_facts(t, &e->facts, 4);
  }
  if (f != NULL && f->rule->confidence != EX_CONF_HIGH)
    ex_buf_printf(&t->b, "  confidence: %s\n",
                  f->rule->confidence == EX_CONF_MEDIUM ? "medium" : "low");

  /* Whether it came back: last, since it does not change the answer. */
  if (g->recurrence != NULL) {
    char seen[512];

    ex_report_recurrence_text(g->recurrence, (long long)time(NULL), seen,
                              sizeof(seen));
    if (seen[0] != '\0') {
      style(t, C_YELLOW);
      put_line(t, "", seen);
      style(t, C_RESET);
    }
  }
}

int ex_report_text(const ex_report_t *r, char **out, size_t *len) {
  ex_text_t t;
  size_t i;

  memset(&t, 0, sizeof(t));
  t.ascii = r->ascii;
  t.color = r->color;
  t.verbose = r->verbose;
  t.log = r->log_name != NULL;
  t.width = r->width >= 40 ? r->width : 80;
  ex_buf_append(&t.b, "", 0);
  for (i = 0; i < r->ndiags; i++)
    put_diag(&t, &r->diags[i]);
  if (r->context != NULL && r->context->count > 0 && r->ndiags > 0 &&
      t.verbose) {
    ex_buf_puts(&t.b, "  context:\n");
    put_facts(&t, r->context, 4);
  }
  if (t.b.failed) {
    free(t.b.buf);
    return -ENOMEM;
  }
  *out = t.b.buf;
  if (len != NULL)
    *len = t.b.len;
  return 0;
}
