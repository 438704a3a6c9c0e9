/* The streaming matcher: lines -> prefilter -> regexes -> findings. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "matcher/matcher_int.h"
#include "platform/platform.h"

#define MAX_LITS 16

typedef struct cpat_s {
  ex_regex_t *re; /* compiled on first use (most patterns never run) */
  const char *src;
  size_t rule;  /* index in m->rules */
  size_t index; /* in rule->patterns */
  unsigned limit_hits;
  int disabled;
  int generic; /* stands for the errno-phrase recogniser (no regex) */
  int fence;   /* stands for a Markdown code fence (no rule, no regex) */
} cpat_t;

typedef struct crule_s {
  const ex_rule_t *rule;
  ex_regex_t *before;
  ex_regex_t *after;
  ex_regex_t **supp;       /* one per suppressor */
  int wait;                /* lines to wait after a match (after context or
                              after-suppressors) */
  int compiled;            /* before, after and supp are compiled (on the rule's
                              first match) */
  unsigned long fired_gen; /* line generation it last fired on */
} crule_t;

typedef struct pending_s {
  ex_finding_t *f;
  size_t rule;
  ex_stream_t stream;
  int left;           /* lines still to look at */
  int after_left;     /* lines left for the after context */
  int after_done;     /* the after context matched (pick first) */
  int has_after;      /* evidence and captures from an after line */
  size_t after_cap;   /* index of the first capture it added */
  size_t after_ev;    /* index of the first evidence line it added */
  unsigned long seen; /* lines seen after the match */
} pending_t;

typedef struct stream_s {
  ex_splitter_t split;
  ex_ring_t ring;
  ex_tailbuf_t tail; /* the last bytes, for the lines it ends with */
  unsigned long lineno;
  /* Whole lines of the chunk being fed that the prefilter passed over:
   * not yet counted nor in the ring (see skip_flush()). NULL when none. */
  const char *skipped;
  int in_fence; /* inside a Markdown code block (see fence_line()) */
  unsigned long fence_at; /* the line number of the fence that opened it */
  unsigned long quote_until;  /* lines up to this one are a document's
                                quotation (see in_quotation()) */
  unsigned long lead_checked; /* lines up to this one were looked at */
} stream_t;

struct ex_matcher_s {
  crule_t *rules;
  size_t nrules;
  cpat_t *pats;
  size_t npats;
  const ex_ruleset_t *set;
  ex_prefilter_t *pf;
  ex_normaliser_t *norm;
  ex_regex_t *lead_re; /* see quotation_lead() */
  int lead_failed;
  ex_norm_t line_norm;    /* the current line's prefixes */
  unsigned long norm_gen; /* line generation line_norm is for */
  size_t generic_rule;    /* index in rules of the recogniser's rule, or
                             (size_t)-1 */
  ex_splitter_t clean;    /* cleans single lines met in whole chunks */
  uint32_t *cand;
  ex_regex_scratch_t *scratch;
  int need_ring;
  stream_t streams[EX_STREAM_COUNT];
  ex_stream_t cur_stream; /* stream of the line being processed */
  unsigned long line_gen;
  pending_t pending[EX_MATCH_PENDING_MAX];
  size_t npending;
  ex_finding_t **found; /* committed, distinct, in commit order */
  size_t nfound;
  ex_finding_t **top; /* ranked, after finish */
  size_t ntop;
  unsigned long seq;
  int finished;
  ex_regex_t **success; /* compiled at finish */
  int ended;            /* the output ends in success: ending is set */
  ex_match_ending_t ending;
  ex_matcher_stats_t st;
};

/* ---------------------------------------------------------------------- */
/* Findings                                                                */

static void finding_free(ex_finding_t *f) {
  size_t i;

  if (f == NULL)
    return;
  for (i = 0; i < f->ncaptures; i++)
    ex_free(f->captures[i].value);
  ex_free(f->captures);
  for (i = 0; i < f->nevidence; i++)
    ex_free(f->evidence[i].text);
  ex_free(f->evidence);
  ex_free(f->event.subject_value);
  ex_free(f->line_subject);
  ex_free(f->location_file);
  ex_free(f->location_line);
  ex_free(f->children);
  ex_free(f);
}

const char *ex_finding_capture(const ex_finding_t *f, const char *name,
                               size_t *len) {
  size_t i;

  for (i = 0; i < f->ncaptures; i++) {
    if (strcmp(f->captures[i].name, name) == 0) {
      if (len != NULL)
        *len = f->captures[i].len;
      return f->captures[i].value;
    }
  }
  if (len != NULL)
    *len = 0;
  return NULL;
}

static int capture_lookup(void *ud, const char *name, size_t name_len,
                          const char **value, size_t *len) {
  const ex_finding_t *f = ud;
  size_t i;

  for (i = 0; i < f->ncaptures; i++) {
    if (strlen(f->captures[i].name) == name_len &&
        memcmp(f->captures[i].name, name, name_len) == 0) {
      *value = f->captures[i].value;
      *len = f->captures[i].len;
      return 1;
    }
  }
  return 0;
}

int ex_finding_expand(const ex_finding_t *f, const char *tpl, int flags,
                      char **out, size_t *out_len) {
  return ex_template_expand(tpl, capture_lookup, (void *)f, flags, out,
                            out_len);
}

static char *copy_bytes(const char *s, size_t len) {
  char *d = ex_malloc(len + 1);

  if (d == NULL)
    return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

static int add_evidence(ex_finding_t *f, ex_stream_t stream, unsigned long line,
                        const char *text, size_t len) {
  ex_evidence_t *ev;
  ex_evidence_t *p = ex_realloc(f->evidence, (f->nevidence + 1) * sizeof(*p));

  if (p == NULL)
    return -ENOMEM;
  f->evidence = p;
  ev = &p[f->nevidence];
  ev->stream = stream;
  ev->line = line;
  ev->cut = len > EX_MATCH_EVIDENCE_MAX;
  ev->len = ev->cut ? EX_MATCH_EVIDENCE_MAX : len;
  ev->text = copy_bytes(text, ev->len);
  if (ev->text == NULL)
    return -ENOMEM;
  f->nevidence++;
  return 0;
}

/* Adds the named groups of the last match of `re` that participated and
 * whose name the finding does not have yet. */
static int add_captures(ex_matcher_t *m, ex_finding_t *f, const ex_regex_t *re,
                        const char *subject) {
  size_t n = ex_regex_name_count(re);
  size_t i;
  ex_capture_t *p;

  if (n == 0)
    return 0;
  p = ex_realloc(f->captures, (f->ncaptures + n) * sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  f->captures = p;
  for (i = 0; i < n; i++) {
    const char *name = ex_regex_name(re, i);
    size_t start;
    size_t len;
    ex_capture_t *c;
    if (!ex_regex_named(re, m->scratch, i, &start, &len))
      continue;
    if (ex_finding_capture(f, name, NULL) != NULL)
      continue;
    if (len > EX_MATCH_CAPTURE_MAX)
      len = EX_MATCH_CAPTURE_MAX;
    c = &f->captures[f->ncaptures];
    c->name = name;
    c->len = len;
    c->value = copy_bytes(subject + start, len);
    if (c->value == NULL)
      return -ENOMEM;
    f->ncaptures++;
  }
  return 0;
}

/* Drops the captures from index `from` on whose names the last match of
 * `re` sets, so that add_captures() takes the new values; returns how many
 * captures are left. */
static size_t forget_after_captures(ex_matcher_t *m, ex_finding_t *f,
                                    const ex_regex_t *re, size_t from) {
  size_t keep = from;
  size_t c;
  size_t i;

  for (c = from; c < f->ncaptures; c++) {
    int set = 0;
    for (i = 0; i < ex_regex_name_count(re) && !set; i++) {
      size_t start;
      size_t len;
      set = strcmp(ex_regex_name(re, i), f->captures[c].name) == 0 &&
            ex_regex_named(re, m->scratch, i, &start, &len);
    }
    if (set)
      ex_free(f->captures[c].value);
    else
      f->captures[keep++] = f->captures[c];
  }
  f->ncaptures = keep;
  return keep;
}

/* The references of a template, and how many of them have a capture
 * that is not empty. */
typedef struct refs_s {
  const ex_finding_t *f;
  size_t refs;
  size_t filled;
} refs_t;

static int count_ref(void *ud, const char *name, size_t name_len,
                     size_t offset) {
  refs_t *c = ud;
  const char *value;
  size_t len = 0;

  (void)offset;
  if (name_len == 0)
    return 0;
  c->refs++;
  if (capture_lookup((void *)c->f, name, name_len, &value, &len) && len > 0)
    c->filled++;
  return 0;
}

/* Expands a template into an owned string, NULL when empty or absent. */
static int expand_opt(const ex_finding_t *f, const char *tpl, char **out) {
  refs_t c = {f, 0, 0};
  size_t len = 0;
  int rc;

  *out = NULL;
  if (tpl == NULL)
    return 0;
  /* "${host}:${port}" with neither captured names nothing; the ':' left
   * over is no subject. */
  (void)ex_template_refs(tpl, count_ref, &c);
  if (c.refs > 0 && c.filled == 0)
    return 0;
  rc = ex_finding_expand(f, tpl, 0, out, &len);
  if (rc < 0)
    return rc == -E2BIG ? 0 : rc;
  if (len == 0) {
    ex_free(*out);
    *out = NULL;
  }
  return 0;
}

static int same_str(const char *a, const char *b) {
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}

#define PICK(field) (pe->field != NULL ? pe->field : re->field)

/* A rule that knows a tool's wording but not where that tool puts the
 * path (`failed to register layer: ... mkdir /x: no space left on
 * device`) takes the subject the errno-phrase recogniser read on the same
 * line, when both read the same errno and the same kind of subject. A
 * rule that says it has no subject ("none") never takes one. */
static void take_line_subject(ex_finding_t *f) {
  const char *kind = f->event.subject_kind;

  if (f->line_subject == NULL || f->event.errno_name == NULL ||
      !same_str(f->event.errno_name, f->line_errno))
    return;
  if (kind != NULL && strcmp(kind, f->line_subject_kind) != 0)
    return;
  f->event.subject_kind = f->line_subject_kind;
  f->event.subject_value = f->line_subject;
  f->line_subject = NULL;
}

/* Fills the event and location from the captures. */
static int resolve(ex_finding_t *f) {
  const ex_rule_t *r = f->rule;
  const ex_rule_event_t *re = &r->event;
  const ex_rule_event_t *pe;
  char *errno_text = NULL;
  int rc;

  /* The recogniser filled the event itself. */
  if (r->recogniser != NULL) {
    rc = expand_opt(f, r->location_file, &f->location_file);
    if (rc == 0)
      rc = expand_opt(f, r->location_line, &f->location_line);
    return rc;
  }
  pe = &r->patterns[f->pattern].event;
  f->event.condition = PICK(condition);
  f->event.operation = PICK(operation);
  f->event.subject_kind = PICK(subject_kind);
  rc = expand_opt(f, PICK(errno_tpl), &errno_text);
  if (rc < 0)
    return rc;
  f->event.errno_name = ex_errno_parse(errno_text);
  ex_free(errno_text);
  rc = expand_opt(f, PICK(subject_value), &f->event.subject_value);
  if (rc == 0 && f->event.subject_value == NULL)
    take_line_subject(f);
  if (rc == 0)
    rc = expand_opt(f, r->location_file, &f->location_file);
  if (rc == 0)
    rc = expand_opt(f, r->location_line, &f->location_line);
  return rc;
}

#undef PICK

static int same_subject(const ex_finding_t *a, const ex_finding_t *b) {
  return same_str(a->event.subject_value, b->event.subject_value);
}

/* Duplicates merge: the same rule and subject; the recogniser's findings
 * also need the same errno and condition (one rule for every errno). */
static int same_finding(const ex_finding_t *a, const ex_finding_t *b) {
  if (a->rule != b->rule || !same_subject(a, b))
    return 0;
  return a->rule->recogniser == NULL ||
         (same_str(a->event.errno_name, b->event.errno_name) &&
          same_str(a->event.condition, b->event.condition));
}

/* A decided finding joins the list: merged with a duplicate, or added while
 * there is room. Takes ownership. */
static int commit(ex_matcher_t *m, ex_finding_t *f) {
  size_t i;
  int rc = resolve(f);

  if (rc < 0) {
    finding_free(f);
    return rc;
  }
  f->last_line = f->evidence[0].line;
  for (i = 0; i < m->nfound; i++) {
    ex_finding_t *g = m->found[i];
    if (same_finding(g, f)) {
      g->count++;
      g->quiet = g->quiet && f->quiet;
      if (f->evidence[0].stream == g->evidence[0].stream &&
          f->last_line > g->last_line)
        g->last_line = f->last_line;
      finding_free(f);
      return 0;
    }
  }
  /* One rule seen first without its subject and then with it (dockerd
   * logs "manifest unknown" before "manifest for mariadb:10.1 not
   * found") is one failure: the finding that names the subject takes the
   * first one's place. */
  for (i = 0; f->event.subject_value != NULL && f->rule->recogniser == NULL &&
              i < m->nfound;
       i++) {
    ex_finding_t *g = m->found[i];
    if (g->rule != f->rule || g->event.subject_value != NULL ||
        g->evidence[0].stream != f->evidence[0].stream)
      continue;
    f->seq = g->seq;
    f->count += g->count;
    f->quiet = f->quiet && g->quiet;
    m->found[i] = f;
    finding_free(g);
    return 0;
  }
  if (m->nfound >= EX_MATCH_FINDINGS_MAX) {
    m->st.findings_dropped++;
    finding_free(f);
    return 0;
  }
  m->found[m->nfound++] = f;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Lazy compilation                                                        */

static int compile_opt(const char *src, ex_regex_t **out) {
  if (src == NULL) {
    *out = NULL;
    return 0;
  }
  return ex_regex_compile(src, strlen(src), 0, out, NULL);
}

/* Compiles a rule's context and suppressor patterns, on its first match.
 * One that does not compile (the loader refuses those) is left out. */
static int compile_rule_extras(crule_t *cr) {
  const ex_rule_t *r = cr->rule;
  size_t i;
  int rc;

  cr->compiled = 1;
  rc = compile_opt(r->before.pattern, &cr->before);
  if (rc == -ENOMEM)
    return rc;
  rc = compile_opt(r->after.pattern, &cr->after);
  if (rc == -ENOMEM)
    return rc;
  for (i = 0; i < r->nsuppress; i++) {
    rc = compile_opt(r->suppress[i].pattern, &cr->supp[i]);
    if (rc == -ENOMEM)
      return rc;
  }
  return 0;
}

/* Compiles a pattern on its first use: 1 when usable, 0 when not, -ENOMEM
 * (the pattern stays enabled: running out of memory once must not switch it
 * off for the rest of the output). */
static int pattern_ready(ex_matcher_t *m, cpat_t *cp) {
  int rc;

  if (cp->disabled)
    return 0;
  if (cp->re != NULL)
    return 1;
  rc = ex_regex_compile(cp->src, strlen(cp->src), 0, &cp->re, NULL);
  if (rc == -ENOMEM)
    return rc;
  if (rc < 0) {
    cp->disabled = 1;
    m->st.patterns_disabled++;
    return 0;
  }
  return 1;
}

/* ---------------------------------------------------------------------- */
/* Matching one line                                                       */

/* The prefixes of the current line, found once per line and only when a
 * regex is to run on it. */
static const ex_norm_t *line_norm(ex_matcher_t *m, const char *s, size_t len) {
  if (m->norm_gen != m->line_gen) {
    ex_normalise(m->norm, s, len, &m->line_norm);
    m->norm_gen = m->line_gen;
  }
  return &m->line_norm;
}

/* A message behind a warning or an informational prefix is not the error
 * report a rule is looking for (the line as printed still is). */
static int quiet_level(ex_level_t level) {
  return level == EX_LEVEL_WARNING || level == EX_LEVEL_INFO;
}

/* How run_norm() treats a line behind a warning or informational prefix. */
enum {
  LEVELS_ANY = 0,   /* as any other line (suppressors, success lines) */
  LEVELS_WHOLE = 1, /* only the text before the quiet prefix (contexts) */
  LEVELS_CAUSE = 2  /* and only a pattern that needs that text (causes) */
};

/* Runs re on s[0..len) after each number of prefixes, innermost first, so
 * that a pattern anchored with ^ matches the message behind the prefixes
 * and a pattern written for the whole line still matches it. With
 * `levels`, boundaries behind a warning or informational prefix are
 * passed over. With LEVELS_CAUSE, a pattern that matches the message of
 * a warning by itself gives 2 (a quiet match, *at at the message): one that
 * is not anchored (or starts with `^.*?`) reads the message behind
 * `WARNING: ` as surely as behind nothing, and a warning is not a failure
 * by itself; a pattern that spells out the warning prefix (`^npm WARN `)
 * fails on the message alone and gives 1 on the whole line. Returns 1
 * with *at set to where the subject starts, 0, or -ETIMEDOUT (the match
 * limit: the other boundaries are not tried). */
static int run_norm(ex_matcher_t *m, const ex_regex_t *re, const char *s,
                    size_t len, const ex_norm_t *nm, int levels, size_t *at) {
  size_t k = nm->depth + 1;
  size_t msg = nm->off[nm->depth];
  int rc;

  while (k-- > 0) {
    if (levels != LEVELS_ANY && k > 0 && quiet_level(nm->level[k]))
      continue;
    rc = ex_regex_match(re, m->scratch, s + nm->off[k], len - nm->off[k]);
    if (rc == -ETIMEDOUT) {
      m->st.limit_hits++;
      return rc;
    }
    if (rc == 1)
      break;
  }
  if (k == (size_t)-1)
    return 0;
  *at = nm->off[k];
  if (levels != LEVELS_CAUSE || nm->level[nm->depth] != EX_LEVEL_WARNING)
    return 1;
  /* A warning's line: does the pattern need the text before its message? */
  rc = ex_regex_match(re, m->scratch, s + msg, len - msg);
  if (rc == 1) {
    *at = msg;
    return 2;
  }
  if (rc == -ETIMEDOUT)
    m->st.limit_hits++;
  /* The captures of the match found first. */
  rc = ex_regex_match(re, m->scratch, s + nm->off[k], len - nm->off[k]);
  return rc == 1 ? 1 : rc;
}

/* run_norm() on a line that is not the current one (the ring's). */
static int run_other(ex_matcher_t *m, const ex_regex_t *re, const char *s,
                     size_t len, size_t *at) {
  ex_norm_t nm;

  ex_normalise(m->norm, s, len, &nm);
  return run_norm(m, re, s, len, &nm, LEVELS_WHOLE, at) == 1;
}

/* The line `back` lines before the current one of a stream, or NULL. */
static const ex_ring_rec_t *ring_line(ex_matcher_t *m, ex_stream_t stream,
                                      size_t back) {
  return ex__ring_back(&m->streams[stream].ring, back);
}

static int suppressed_now(ex_matcher_t *m, const crule_t *cr, const char *s,
                          size_t len, ex_stream_t stream) {
  const ex_rule_t *r = cr->rule;
  const ex_norm_t *nm = line_norm(m, s, len);
  size_t at;
  size_t i;
  size_t k;

  for (i = 0; i < r->nsuppress; i++) {
    const ex_rule_suppress_t *sp = &r->suppress[i];
    if (cr->supp[i] == NULL)
      continue;
    if (sp->where == EX_WHERE_SAME &&
        run_norm(m, cr->supp[i], s, len, nm, LEVELS_ANY, &at) == 1)
      return 1;
    if (sp->where != EX_WHERE_BEFORE)
      continue;
    for (k = 0; k < (size_t)sp->lines; k++) {
      const ex_ring_rec_t *rec = ring_line(m, stream, k);
      if (rec == NULL)
        break;
      if (run_other(m, cr->supp[i],
                    ex__ring_text(&m->streams[stream].ring, rec), rec->len,
                    &at))
        return 1;
    }
  }
  return 0;
}

/* Looks for the before context in the ring. */
static int before_context(ex_matcher_t *m, const crule_t *cr, ex_finding_t *f,
                          ex_stream_t stream) {
  const ex_ring_t *ring = &m->streams[stream].ring;
  const ex_rule_context_t *ctx = &cr->rule->before;
  size_t avail =
      ring->count < (size_t)ctx->lines ? ring->count : (size_t)ctx->lines;
  size_t k;
  size_t at;
  int rc;

  for (k = 0; k < avail; k++) {
    /* pick last: nearest first; pick first: oldest first */
    size_t back = ctx->pick == EX_PICK_LAST ? k : avail - 1 - k;
    const ex_ring_rec_t *rec = ex__ring_back(ring, back);
    const char *text = ex__ring_text(ring, rec);
    if (rec->line + (unsigned long)ctx->lines < f->evidence[0].line)
      continue; /* older than the window */
    if (!run_other(m, cr->before, text, rec->len, &at))
      continue;
    rc = add_captures(m, f, cr->before, text + at);
    if (rc == 0)
      rc = add_evidence(f, stream, rec->line, text, rec->len);
    return rc;
  }
  return 0;
}

static int pending_add(ex_matcher_t *m, ex_finding_t *f, size_t rule,
                       ex_stream_t stream);

/* A new finding of rule `rule` on the current line s[0..len): the
 * suppressors, the before context, then it waits for the lines after it
 * or is committed. Takes ownership of f. */
static int found_on_line(ex_matcher_t *m, size_t rule, ex_finding_t *f,
                         const char *s, size_t len) {
  crule_t *cr = &m->rules[rule];
  ex_stream_t stream = m->cur_stream;
  int rc;

  rc = add_evidence(f, stream, m->streams[stream].lineno, s, len);
  if (rc < 0)
    goto fail;
  if (suppressed_now(m, cr, s, len, stream)) {
    finding_free(f);
    return 0;
  }
  if (cr->before != NULL) {
    rc = before_context(m, cr, f, stream);
    if (rc < 0)
      goto fail;
  }
  if (cr->wait > 0)
    return pending_add(m, f, rule, stream);
  return commit(m, f);

fail:
  finding_free(f);
  return rc;
}

static ex_finding_t *finding_new(ex_matcher_t *m, crule_t *cr) {
  ex_finding_t *f;

  if (!cr->compiled && compile_rule_extras(cr) < 0)
    return NULL;
  f = ex_calloc(1, sizeof(*f));
  if (f == NULL)
    return NULL;
  f->rule = cr->rule;
  f->count = 1;
  f->seq = m->seq++;
  return f;
}

/* The subject the recogniser read, as one string: the host, then ":port"
 * when the line printed them apart. */
static char *reading_subject(const char *msg, const ex_errphrase_t *e) {
  size_t n = e->subject_len + (e->port_len > 0 ? 1 + e->port_len : 0);
  char *v = ex_malloc(n + 1);

  if (v == NULL)
    return NULL;
  memcpy(v, msg + e->subject_off, e->subject_len);
  if (e->port_len > 0) {
    v[e->subject_len] = ':';
    memcpy(v + e->subject_len + 1, msg + e->port_off, e->port_len);
  }
  v[n] = '\0';
  return v;
}

/* Whether a word is written as a path: with a directory separator, a
 * drive (`C:\\x`) or a file name's extension. */
static int shows_path(const char *v, size_t n) {
  size_t dot;

  if (memchr(v, '/', n) != NULL)
    return 1;
  if (n >= 3 && v[1] == ':' && v[2] == '\\')
    return 1;
  for (dot = 0; dot < n && v[dot] != '.'; dot++)
    ;
  return dot + 1 < n && memchr(v, '\\', n) == NULL;
}

/* Keeps on f what the recogniser reads on the current line, when it names
 * a subject: resolve() gives it to a rule that found none of its own. */
static int keep_line_subject(ex_matcher_t *m, ex_finding_t *f, const char *s,
                             size_t len) {
  const ex_norm_t *nm = line_norm(m, s, len);
  const char *msg = s + nm->off[nm->depth];
  ex_errphrase_t e;

  if (!ex_errphrase_find(msg, len - nm->off[nm->depth], &e) ||
      e.subject_kind == NULL || e.errno_name == NULL)
    return 0;
  /* A bare word is a path only in the recogniser's own guess (`write
   * error: No space left` is no file called "error"): given to another
   * rule, a path shows that it is one. */
  if (strcmp(e.subject_kind, "path") == 0 &&
      !shows_path(msg + e.subject_off, e.subject_len))
    return 0;
  f->line_subject = reading_subject(msg, &e);
  if (f->line_subject == NULL)
    return -ENOMEM;
  f->line_subject_kind = e.subject_kind;
  f->line_errno = e.errno_name;
  return 0;
}

/* Pattern cp matched the current line, its subject starting at s[at]
 * (quietly: behind a warning prefix). */
static int on_match(ex_matcher_t *m, const cpat_t *cp, const char *s,
                    size_t len, size_t at, int quiet, int line_generic) {
  ex_finding_t *f = finding_new(m, &m->rules[cp->rule]);
  int rc;

  if (f == NULL)
    return -ENOMEM;
  f->pattern = cp->index;
  f->quiet = quiet;
  /* Captures first: the suppressor runs reuse the match data. */
  rc = add_captures(m, f, cp->re, s + at);
  if (rc == 0) {
    /* A sentence that quotes the error is about it, not a run of it. */
    size_t ms;
    size_t ml;
    ex_regex_span(m->scratch, &ms, &ml);
    if (ex_errphrase_quoted(s + at, len - at, ms + ml) ||
        ex_errphrase_aside(s + at, len - at)) {
      finding_free(f);
      return 0;
    }
  }
  if (rc == 0 && line_generic)
    rc = keep_line_subject(m, f, s, len);
  if (rc < 0) {
    finding_free(f);
    return rc;
  }
  return found_on_line(m, cp->rule, f, s, len);
}

/* Adds a capture the recogniser read: value[0..len) copied. */
static int add_capture(ex_finding_t *f, const char *name, const char *value,
                       size_t len) {
  ex_capture_t *p;

  if (value == NULL)
    return 0;
  p = ex_realloc(f->captures, (f->ncaptures + 1) * sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  f->captures = p;
  if (len > EX_MATCH_CAPTURE_MAX)
    len = EX_MATCH_CAPTURE_MAX;
  p[f->ncaptures].name = name;
  p[f->ncaptures].len = len;
  p[f->ncaptures].value = copy_bytes(value, len);
  if (p[f->ncaptures].value == NULL)
    return -ENOMEM;
  f->ncaptures++;
  return 0;
}

static int add_capture_str(ex_finding_t *f, const char *name,
                           const char *value) {
  return value == NULL ? 0 : add_capture(f, name, value, strlen(value));
}

/* The recogniser on the message of the current line (behind all its
 * prefixes; quietly behind a warning one, not at all behind an
 * informational one). */
static int generic_line(ex_matcher_t *m, const char *s, size_t len) {
  const ex_norm_t *nm = line_norm(m, s, len);
  const char *msg = s + nm->off[nm->depth];
  size_t mlen = len - nm->off[nm->depth];
  ex_errphrase_t e;
  ex_finding_t *f;
  int rc;

  if (nm->level[nm->depth] == EX_LEVEL_INFO ||
      !ex_errphrase_find(msg, mlen, &e))
    return 0;
  f = finding_new(m, &m->rules[m->generic_rule]);
  if (f == NULL)
    return -ENOMEM;
  /* A directory that already exists is mostly what a script's mkdir
   * wanted (`mkdir: src: File exists`, and the script goes on): said
   * beside a failure, not as one. */
  f->quiet = nm->level[nm->depth] == EX_LEVEL_WARNING || e.warning ||
             (e.errno_name != NULL && strcmp(e.errno_name, "EEXIST") == 0 &&
              ((e.operation != NULL && strcmp(e.operation, "mkdir") == 0) ||
               (mlen > 7 && memcmp(msg, "mkdir: ", 7) == 0)));
  f->event.errno_name = e.errno_name;
  f->event.condition = e.condition;
  f->event.operation = e.operation;
  f->event.subject_kind = e.subject_kind;
  if (e.subject_kind != NULL) {
    f->event.subject_value = reading_subject(msg, &e);
    if (f->event.subject_value == NULL) {
      finding_free(f);
      return -ENOMEM;
    }
  }
  rc = add_capture_str(f, "errno", e.errno_name);
  if (rc == 0)
    rc = add_capture(f, "message", msg + e.phrase_off, e.phrase_len);
  if (rc == 0)
    rc = add_capture(f, "words", msg + e.words_off, e.words_len);
  if (rc == 0)
    rc = add_capture_str(f, "operation", e.operation);
  if (rc == 0 && e.subject_kind != NULL)
    rc = add_capture(f, "subject", f->event.subject_value,
                     strlen(f->event.subject_value));
  if (rc < 0) {
    finding_free(f);
    return rc;
  }
  return found_on_line(m, m->generic_rule, f, s, len);
}

/* Decides pending[i] (suppressed ones are freed) and removes it. */
static int pending_done(ex_matcher_t *m, size_t i, int suppressed) {
  ex_finding_t *f = m->pending[i].f;
  int rc = 0;

  memmove(&m->pending[i], &m->pending[i + 1],
          (m->npending - i - 1) * sizeof(m->pending[0]));
  m->npending--;
  if (suppressed)
    finding_free(f);
  else
    rc = commit(m, f);
  return rc;
}

static int pending_add(ex_matcher_t *m, ex_finding_t *f, size_t rule,
                       ex_stream_t stream) {
  pending_t *p;
  int rc;

  if (m->npending == EX_MATCH_PENDING_MAX) {
    /* Too many waiting: decide the oldest with what it has. */
    rc = pending_done(m, 0, 0);
    if (rc < 0) {
      finding_free(f);
      return rc;
    }
  }
  p = &m->pending[m->npending++];
  memset(p, 0, sizeof(*p));
  p->f = f;
  p->rule = rule;
  p->stream = stream;
  p->left = m->rules[rule].wait;
  p->after_left =
      m->rules[rule].after != NULL ? m->rules[rule].rule->after.lines : 0;
  return 0;
}

/* A new line of the pending findings' stream: after context and after
 * suppressors. */
static int pending_line(ex_matcher_t *m, ex_stream_t stream, const char *s,
                        size_t len) {
  const ex_norm_t *nm = line_norm(m, s, len);
  size_t i = 0;
  size_t at;
  int rc;

  while (i < m->npending) {
    pending_t *p = &m->pending[i];
    const crule_t *cr = &m->rules[p->rule];
    const ex_rule_t *r = cr->rule;
    int suppressed = 0;
    size_t k;

    if (p->stream != stream) {
      i++;
      continue;
    }
    p->seen++;
    for (k = 0; k < r->nsuppress && !suppressed; k++)
      if (r->suppress[k].where == EX_WHERE_AFTER && cr->supp[k] != NULL &&
          p->seen <= (unsigned long)r->suppress[k].lines &&
          run_norm(m, cr->supp[k], s, len, nm, LEVELS_ANY, &at) == 1)
        suppressed = 1;
    if (!suppressed && p->after_left > 0 && !p->after_done) {
      p->after_left--;
      if (run_norm(m, cr->after, s, len, nm, LEVELS_WHOLE, &at) == 1) {
        ex_finding_t *f = p->f;
        size_t c;
        if (r->after.pick == EX_PICK_FIRST)
          p->after_done = 1;
        if (p->has_after) {
          /* pick last: the nearest line wins for each name it sets; the
           * names only an earlier line set keep their values (libpq names
           * the host on one line and the port on the next). */
          size_t kept = forget_after_captures(m, f, cr->after, p->after_cap);
          if (kept == p->after_cap) {
            for (c = p->after_ev; c < f->nevidence; c++)
              ex_free(f->evidence[c].text);
            f->nevidence = p->after_ev;
          }
        } else {
          p->after_cap = f->ncaptures;
          p->after_ev = f->nevidence;
        }
        p->has_after = 1;
        rc = add_captures(m, f, cr->after, s + at);
        if (rc == 0)
          rc = add_evidence(f, stream, m->streams[stream].lineno, s, len);
        if (rc < 0)
          return rc;
      }
    }
    if (--p->left <= 0 || suppressed) {
      rc = pending_done(m, i, suppressed);
      if (rc < 0)
        return rc;
      continue;
    }
    i++;
  }
  return 0;
}

enum { EX_FENCE_MAX_LINES = 100 };

static const char *const verbatim_tags[] = {"pre", "screen", "programlisting",
                                            NULL};

/* Whether s[0..len) is only a tag that opens or closes a block of
 * verbatim text (attributes allowed: <pre class="x">). */
static int verbatim_tag(const char *s, size_t len) {
  size_t i = 0;
  size_t k;

  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (len < i + 3 || s[i] != '<' || s[len - 1] != '>')
    return 0;
  i++;
  if (s[i] == '/')
    i++;
  for (k = 0; verbatim_tags[k] != NULL; k++) {
    size_t n = strlen(verbatim_tags[k]);
    size_t j;
    for (j = 0; j < n && i + j < len &&
                tolower((unsigned char)s[i + j]) == verbatim_tags[k][j];
         j++)
      ;
    if (j == n && i + n < len &&
        (s[i + n] == '>' || (s[i + n] == ' ' && s[i - 1] != '/')))
      return memchr(s + i, '<', len - i) == NULL;
  }
  return 0;
}

/* Whether s[0..len) opens or closes a Markdown code block: three or more
 * backticks, alone on the line but for an indentation, a language word
 * (```log) and, in a diff of a Markdown file, the diff's mark. What such
 * a block holds is text a document quotes (a README's example error, a
 * how-to's "Problem:" log), not the output of a command: a command's own
 * output has no fences, and the logs people paste have theirs taken off
 * by whoever pastes them. Tildes are left out: a compiler's and Python's
 * underlines are made of them. HTML's and DocBook's blocks of verbatim
 * text (<pre>, <screen>, <programlisting>, alone on their lines) are
 * such blocks too. */
static int fence_line(const char *s, size_t len) {
  size_t i = 0;
  size_t ticks = 0;

  if (verbatim_tag(s, len))
    return 1;

  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  while (i < len && s[i] == '`') {
    i++;
    ticks++;
  }
  if (ticks < 3)
    return 0;
  while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' ||
                     s[i] == '_' || s[i] == '+' || s[i] == '.'))
    i++;
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  return i == len;
}

/* Documents that list the messages a tool looks for ("Faultline looks for
 * one or more of these log fragments:", "If your error looks similar to
 * this, then this is a match:", "you only get an error message like
 * this:", "it usually surfaces as an uncaught exception:", "Messages like
 * this appear in the UI.", "You start your dev server and get this:",
 * "Added an instruction ... to avoid error - ") quote failures without
 * having one. Such a lead ends with a colon (or, when it says "like this",
 * a full stop; "to avoid error" may end in a dash), or is a heading of
 * examples ("expected output", also glued to the code before it; "What
 * the error looks like"; "trigger — this will error"; a Chinese
 * tutorial's "typical ... symptoms" or "common errors"; "Confirm this is
 * your error"), and the lines that follow it are its examples. So is a
 * sentence that ends in "such as:", "for example:", ", like:" (or the
 * same in French, German, Spanish) when no one in it speaks of
 * themselves: "I get errors such as:" is a report. "This prevents the
 * error "...":" is a change that avoids the error it quotes. A person
 * who reports an error says "I get this error:", which is no lead: the
 * words are those of documents about errors (which speak to "you"), not
 * of a run. */
enum { EX_QUOTE_LINES = 20 };

static const char lead_pattern[] =
    "(?i)(?:(?:\\b(?:looks?|watch(?:es)?|search(?:es)?|scans?) for\\b.*\\b"
    "(?:fragments?|signals?|signatures?|patterns?|messages?|strings?|errors?)"
    "\\b|\\bif (?:your|the) (?:error|output|message|log)s? (?:looks?|reads?|is)"
    " (?:like|similar to)\\b|\\b(?:typical|common|example|sample) (?:error )?"
    "(?:messages?|errors?|output|log lines?)\\b|\\byou\\b[^:]*\\b(?:get|see|"
    "receive|encounter|run into|hit)s?\\b(?:[^:]*\\b(?:errors?|messages?|"
    "output)\\b| (?:this|something like this))"
    "|\\b(?:usually|typically|often|commonly|generally) (?:surfaces?"
    "|shows? up|appears?|looks?|reads?)\\b|\\b(?:the )?(?:message|error)s? "
    "(?:shows? up|appears?)\\b|\\byou(?:'ll| will)? see (?:it|this|that)\\b)"
    "[^:]*:"
    "|\\b(?:messages?|errors?|lines?) like (?:this|these|the following) "
    "(?:appears?|shows? up|occurs?|are (?:shown|logged|printed))\\b[^:]*[.:]"
    "|(?:^|[^\\w\\s])\\s*(?:expected|example|sample) (?:output|errors?)"
    "\\s*:?"
    "|^\\s*what (?:the|this|an?) (?:error|failure|message|output) looks? "
    "like\\s*:?"
    "|\\b(?:to )?(?:avoid|prevent)s? (?:the |this |that |an )?(?:errors?|"
    "messages?|failures?)\\b(?:\\s*-|[^:]*:)"
    "|^\\s*(?:\u5178\u578b|\u5e38\u89c1)\\S*(?:\u73b0\u8c61|\u9519\u8bef|"
    "\u62a5\u9519|\u75c7\u72b6)\\s*(?::|\uff1a)?"
    "|\\bthis will (?:error|fail)\\b.*"
    "|\\bthis is your (?:error|problem|issue)\\b.*"
    "|(?-i:^(?!.*\\b(?:I|I'm|I've|my|[Ww]e|[Oo]ur|me)\\b)).*(?:,\\s*like|"
    "\\b(?:such as|for example|for instance|e\\.g\\.|par exemple|comme|"
    "zum Beispiel|por ejemplo))\\s*:)"
    "\\s*$";

/* Compiled on first use, as patterns are. */
static int quotation_lead(ex_matcher_t *m, const char *s, size_t len) {
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  /* A lead ends in a colon, a full stop or a dash, or is a short heading:
   * other lines are not run through the pattern. */
  if (len == 0 || (s[len - 1] != ':' && s[len - 1] != '.' &&
                   s[len - 1] != '-' && len > 100))
    return 0;
  if (m->lead_re == NULL && !m->lead_failed &&
      ex_regex_compile(lead_pattern, sizeof(lead_pattern) - 1, 0,
                       &m->lead_re, NULL) < 0)
    m->lead_failed = 1;
  return m->lead_re != NULL &&
         ex_regex_match(m->lead_re, m->scratch, s, len) == 1;
}

/* Whether the current line, which some pattern may match, is among the
 * examples of a lead. A lead has no words any pattern looks for, so it
 * went by unread: it is looked for among the lines kept before this one,
 * each of them once. Without the ring (no rule reads lines before its
 * match) there is no looking back, and no quotation. */
static int in_quotation(ex_matcher_t *m, stream_t *st) {
  size_t back;

  for (back = 0; m->need_ring && back < st->ring.count; back++) {
    const ex_ring_rec_t *rec = ex__ring_back(&st->ring, back);
    if (rec->line <= st->lead_checked ||
        rec->line + EX_QUOTE_LINES < st->lineno)
      break;
    if (quotation_lead(m, ex__ring_text(&st->ring, rec), rec->len)) {
      st->quote_until = rec->line + EX_QUOTE_LINES;
      break;
    }
  }
  st->lead_checked = st->lineno - 1;
  return st->lineno <= st->quote_until;
}

static int on_line(void *ud, const char *s, size_t len, int cut) {
  ex_matcher_t *m = ud;
  ex_stream_t stream = m->cur_stream;
  stream_t *st = &m->streams[stream];
  int specific = 0;
  int generic = 0;
  int line_generic = 0;
  size_t n;
  size_t i;
  int rc;

  st->lineno++;
  m->st.lines++;
  if (cut)
    m->st.lines_cut++;
  m->line_gen++;
  if (m->npending > 0) {
    rc = pending_line(m, stream, s, len);
    if (rc < 0)
      return rc;
  }
  n = ex__prefilter_scan(m->pf, (const unsigned char *)s, len, m->cand);
  if (n > 0 && m->pats[m->cand[n - 1]].fence) {
    n--; /* the fence slot is the last pattern */
    if (fence_line(s, len)) {
      st->in_fence = !st->in_fence;
      st->fence_at = st->lineno;
      n = 0;
    }
  }
  if (n > 0 && in_quotation(m, st))
    n = 0;
  /* The examples documents quote are short. A fence that stays open this
   * long is no quotation (a command that printed one line of backticks):
   * what follows is read again, so that one stray fence cannot silence the
   * rest of a run. */
  if (st->in_fence && st->lineno - st->fence_at > EX_FENCE_MAX_LINES)
    st->in_fence = 0;
  if (st->in_fence)
    n = 0;
  /* Whether the recogniser's phrases are on the line: then a rule that
   * matches it may take the subject the recogniser reads there. */
  for (i = 0; i < n && !line_generic; i++)
    line_generic = m->pats[m->cand[i]].generic;
  for (i = 0; i < n; i++) {
    cpat_t *cp = &m->pats[m->cand[i]];
    crule_t *cr = &m->rules[cp->rule];
    size_t at = 0;
    if (cp->generic) {
      generic = 1;
      continue;
    }
    if (cr->fired_gen == m->line_gen)
      continue;
    rc = pattern_ready(m, cp);
    if (rc < 0)
      return rc;
    if (rc == 0)
      continue;
    m->st.candidates++;
    rc = run_norm(m, cp->re, s, len, line_norm(m, s, len), LEVELS_CAUSE, &at);
    if (rc == -ETIMEDOUT) {
      if (++cp->limit_hits >= EX_MATCH_LIMIT_HITS_MAX) {
        cp->disabled = 1;
        m->st.patterns_disabled++;
      }
      continue;
    }
    if (rc != 1 && rc != 2)
      continue;
    cr->fired_gen = m->line_gen;
    specific = 1;
    rc = on_match(m, cp, s, len, at, rc == 2, line_generic);
    if (rc < 0)
      return rc;
  }
  /* Specific rules win: a line one of them matched (even when its
   * suppressor then found it benign) is not read again generically. */
  if (generic && !specific) {
    m->st.candidates++;
    rc = generic_line(m, s, len);
    if (rc < 0)
      return rc;
  }
  if (m->need_ring)
    ex__ring_push(&st->ring, s, len, st->lineno);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Life cycle                                                              */

/* The recogniser's rule (the last one loaded, if several): one pattern
 * slot without regex, made a candidate by every phrase and code it
 * reads. */
static int compile_recogniser(ex_matcher_t *m, const ex_rule_t *r) {
  ex_literal_t lits[128];
  unsigned char keys[128];
  cpat_t *cp = &m->pats[m->npats];
  size_t n;
  size_t k;
  int rc = 0;

  if (strcmp(r->recogniser, EX_RECOGNISER_ERRNO) != 0)
    return -EINVAL;
  if (m->generic_rule != (size_t)-1)
    return -EINVAL; /* one recogniser rule: a second is left out */
  memset(cp, 0, sizeof(*cp));
  cp->rule = m->nrules - 1;
  cp->generic = 1;
  m->npats++;
  /* In batches on the stack (9 KiB): the 850 literals at once would be
   * 60 KiB of heap touched for a moment and resident for good. */
  n = ex_errphrase_literals(NULL, NULL, 0, 0);
  for (k = 0; rc == 0 && k < n; k++) {
    size_t b = k % 128;
    if (b == 0)
      ex_errphrase_literals(lits, keys, k, 128);
    rc = ex__prefilter_add_key(m->pf, &lits[b], (uint32_t)(m->npats - 1),
                               keys[b] == 0xFF ? (size_t)-1 : keys[b]);
  }
  if (rc == 0)
    m->generic_rule = m->nrules - 1;
  return rc;
}

/* Prepares one rule: literals into the prefilter; the regexes themselves
 * are compiled when first needed, which keeps ex_matcher_new() cheap. A
 * rule with a pattern without literal is left out: its patterns are
 * disabled and -EINVAL is returned. */
static int compile_rule(ex_matcher_t *m, const ex_rule_t *r) {
  crule_t *cr = &m->rules[m->nrules];
  ex_literal_t lits[MAX_LITS];
  size_t first = m->npats;
  size_t i;
  int wait = 0;
  int rc = 0;

  memset(cr, 0, sizeof(*cr));
  cr->rule = r;
  cr->supp = ex_calloc(r->nsuppress + 1, sizeof(*cr->supp));
  if (cr->supp == NULL)
    return -ENOMEM;
  m->nrules++;
  for (i = 0; i < r->nsuppress; i++) {
    if (r->suppress[i].where == EX_WHERE_AFTER && r->suppress[i].lines > wait)
      wait = r->suppress[i].lines;
    if (r->suppress[i].where == EX_WHERE_BEFORE)
      m->need_ring = 1;
  }
  if (r->after.pattern != NULL && r->after.lines > wait)
    wait = r->after.lines;
  if (r->before.pattern != NULL)
    m->need_ring = 1;
  cr->wait = wait;
  if (r->recogniser != NULL)
    return compile_recogniser(m, r);
  for (i = 0; rc == 0 && i < r->npatterns; i++) {
    const char *src = r->patterns[i].regex;
    cpat_t *cp = &m->pats[m->npats];
    int nl =
        src == NULL ? 0 : ex_literals_extract(src, strlen(src), lits, MAX_LITS);
    int k;
    memset(cp, 0, sizeof(*cp));
    cp->src = src;
    cp->rule = m->nrules - 1;
    cp->index = i;
    m->npats++;
    if (nl <= 0)
      rc = -EINVAL;
    for (k = 0; rc == 0 && k < nl; k++)
      rc = ex__prefilter_add(m->pf, &lits[k], (uint32_t)(m->npats - 1));
  }
  if (rc < 0) {
    for (i = first; i < m->npats; i++)
      m->pats[i].disabled = 1;
  }
  return rc;
}

/* The last pattern slot: lines with three backticks or a verbatim tag
 * come to on_line(), which keeps track of quoted blocks (fence_line()). */
static int add_fence(ex_matcher_t *m) {
  cpat_t *cp = &m->pats[m->npats];
  ex_literal_t lit;
  size_t k;
  int rc;

  memset(&lit, 0, sizeof(lit));
  memcpy(lit.bytes, "```", 3);
  lit.len = 3;
  memset(cp, 0, sizeof(*cp));
  cp->fence = 1;
  cp->disabled = 1;
  m->npats++;
  rc = ex__prefilter_add(m->pf, &lit, (uint32_t)(m->npats - 1));
  /* "<pre" and "/pre>", ... in any case: HTML's tags are caseless. */
  for (k = 0; rc == 0 && verbatim_tags[k] != NULL; k++) {
    size_t n = strlen(verbatim_tags[k]);
    memset(&lit, 0, sizeof(lit));
    lit.caseless = 1;
    lit.bytes[0] = '<';
    memcpy(lit.bytes + 1, verbatim_tags[k], n);
    lit.len = n + 1;
    rc = ex__prefilter_add(m->pf, &lit, (uint32_t)(m->npats - 1));
    if (rc < 0)
      break;
    lit.bytes[0] = '/';
    lit.bytes[n + 1] = '>';
    lit.len = n + 2;
    rc = ex__prefilter_add(m->pf, &lit, (uint32_t)(m->npats - 1));
  }
  return rc;
}

int ex_matcher_new(const ex_ruleset_t *set, ex_matcher_t **out) {
  ex_matcher_t *m = NULL;
  size_t nr = ex_ruleset_count(set);
  size_t np = 0;
  size_t i;
  int rc;

  *out = NULL;
  for (i = 0; i < nr; i++)
    np += ex_ruleset_get(set, i)->npatterns + 1;
  m = ex_calloc(1, sizeof(*m));
  if (m == NULL)
    return -ENOMEM;
  m->rules = ex_calloc(nr + 1, sizeof(*m->rules));
  m->pats = ex_calloc(np + 1, sizeof(*m->pats));
  m->cand = ex_calloc(np + 1, sizeof(*m->cand));
  m->found = ex_calloc(EX_MATCH_FINDINGS_MAX, sizeof(*m->found));
  if (m->rules == NULL || m->pats == NULL || m->cand == NULL ||
      m->found == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  m->set = set;
  m->generic_rule = (size_t)-1;
  rc = ex__prefilter_new(&m->pf);
  if (rc == 0)
    rc = ex_regex_scratch_new(&m->scratch);
  if (rc == 0 && ex_ruleset_prefix_count(set) > 0)
    rc = ex_normaliser_new(set, &m->norm);
  if (rc < 0)
    goto cleanup;
  for (i = 0; i < nr; i++) {
    rc = compile_rule(m, ex_ruleset_get(set, i));
    if (rc == -ENOMEM)
      goto cleanup;
    if (rc < 0)
      m->st.rules_skipped++;
  }
  m->st.rules = m->nrules - m->st.rules_skipped;
  rc = add_fence(m);
  if (rc == 0)
    rc = ex__prefilter_build(m->pf, (uint32_t)m->npats);
  if (rc < 0)
    goto cleanup;
  rc = ex__splitter_init(&m->clean);
  if (rc < 0)
    goto cleanup;
  for (i = 0; i < EX_STREAM_COUNT; i++) {
    rc = ex__splitter_init(&m->streams[i].split);
    if (rc == 0 && m->need_ring)
      rc = ex__ring_init(&m->streams[i].ring);
    if (rc == 0 && ex_ruleset_success_count(set) > 0) {
      m->streams[i].tail.buf = ex_malloc(EX_MATCH_TAIL_BYTES);
      m->streams[i].tail.cap = EX_MATCH_TAIL_BYTES;
      if (m->streams[i].tail.buf == NULL)
        rc = -ENOMEM;
    }
    if (rc < 0)
      goto cleanup;
  }
  *out = m;
  m = NULL;
  rc = 0;

cleanup:
  ex_matcher_free(m);
  return rc;
}

static void ring_clear(ex_ring_t *r) {
  r->head = 0;
  r->first = 0;
  r->count = 0;
  r->live = 0;
}

/* Frees the findings and what the output left: pending, ranked, the
 * ending. */
static void forget_output(ex_matcher_t *m) {
  size_t i;

  for (i = 0; i < m->npending; i++)
    finding_free(m->pending[i].f);
  m->npending = 0;
  for (i = 0; i < m->nfound; i++)
    finding_free(m->found[i]);
  m->nfound = 0;
  ex_free(m->top);
  m->top = NULL;
  m->ntop = 0;
  ex_free((char *)m->ending.text);
  memset(&m->ending, 0, sizeof(m->ending));
  m->ended = 0;
}

void ex_matcher_free(ex_matcher_t *m) {
  size_t i;
  size_t k;

  if (m == NULL)
    return;
  for (i = 0; i < m->nrules; i++) {
    crule_t *cr = &m->rules[i];
    ex_regex_free(cr->before);
    ex_regex_free(cr->after);
    for (k = 0; k < cr->rule->nsuppress; k++)
      ex_regex_free(cr->supp[k]);
    ex_free(cr->supp);
  }
  ex_free(m->rules);
  for (i = 0; i < m->npats; i++)
    ex_regex_free(m->pats[i].re);
  ex_free(m->pats);
  ex_free(m->cand);
  ex_regex_free(m->lead_re);
  ex__prefilter_free(m->pf);
  ex_regex_scratch_free(m->scratch);
  ex_normaliser_free(m->norm);
  ex__splitter_release(&m->clean);
  for (i = 0; i < EX_STREAM_COUNT; i++) {
    ex__splitter_release(&m->streams[i].split);
    ex__ring_release(&m->streams[i].ring);
    ex_free(m->streams[i].tail.buf);
  }
  forget_output(m);
  for (i = 0; m->success != NULL && i < ex_ruleset_success_count(m->set); i++)
    ex_regex_free(m->success[i]);
  ex_free(m->success);
  ex_free(m->found);
  ex_free(m);
}

void ex_matcher_reset(ex_matcher_t *m) {
  size_t rules;
  size_t skipped;
  size_t disabled;
  size_t i;

  forget_output(m);
  for (i = 0; i < m->nrules; i++)
    m->rules[i].fired_gen = 0;
  for (i = 0; i < EX_STREAM_COUNT; i++) {
    stream_t *st = &m->streams[i];
    ex__splitter_reset(&st->split);
    ring_clear(&st->ring);
    st->tail.head = 0;
    st->tail.total = 0;
    st->lineno = 0;
    st->skipped = NULL;
    st->in_fence = 0;
    st->quote_until = 0;
    st->lead_checked = 0;
  }
  m->line_gen = 0;
  m->norm_gen = 0;
  m->seq = 0;
  m->finished = 0;
  /* What the rules are stays; what the output did goes. */
  rules = m->st.rules;
  skipped = m->st.rules_skipped;
  disabled = m->st.patterns_disabled;
  memset(&m->st, 0, sizeof(m->st));
  m->st.rules = rules;
  m->st.rules_skipped = skipped;
  m->st.patterns_disabled = disabled;
}

/* ---------------------------------------------------------------------- */
/* Whole chunks                                                            */

/* Lines of output are mostly ones that no pattern can match. Rather than
 * cutting and looking at each, the whole lines of a chunk are searched at
 * once for the literals (ex__prefilter_find()), and only a line where one
 * occurs goes through on_line(). The lines passed over are only counted,
 * and the newest of them pushed to the ring, when something needs them
 * (skip_flush()). A line with an escape sequence is cleaned and searched
 * alone, since cleaning can join a literal; one with only carriage returns
 * is searched as it is, since its cleaned text is a part of it. While
 * findings wait for the lines after them, lines go one by one. */

static int has_dirt(const char *s, size_t len) {
  return memchr(s, 0x1b, len) != NULL || memchr(s, '\r', len) != NULL;
}

/* Newlines in s[0..len): sixteen bytes at a time where SSE2 is there (the
 * x86-64 baseline), eight bytes at a time otherwise. */
unsigned long ex_matcher_newlines(const char *s, size_t len) {
  const uint64_t ones = 0x0101010101010101u;
  const uint64_t low7 = 0x7F7F7F7F7F7F7F7Fu;
  unsigned long n = 0;
  size_t i = 0;

#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n');
  const __m128i zero = _mm_setzero_si128();

  while (i + 16 <= len) {
    /* Each byte lane counts down by one per newline, at most 255 times
     * before the lanes are summed. */
    __m128i acc = zero;
    size_t stop = len - i >= 255 * 16 ? i + 255 * 16 : i + (len - i) / 16 * 16;
    __m128i sum;
    for (; i < stop; i += 16) {
      __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, nl));
    }
    sum = _mm_sad_epu8(acc, zero);
    n += (unsigned long)_mm_cvtsi128_si32(sum) +
         (unsigned long)_mm_cvtsi128_si32(_mm_unpackhi_epi64(sum, sum));
  }
#endif
  for (; i + 8 <= len; i += 8) {
    uint64_t x;
    uint64_t t;
    memcpy(&x, s + i, 8);
    x ^= ones * '\n';
    /* High bit set in each byte of t that was zero in x, exactly. */
    t = ~(((x & low7) + low7) | x | low7);
    n += (unsigned long)(((t >> 7) * ones) >> 56); /* sum of the bytes */
  }
  for (; i < len; i++)
    n += s[i] == '\n';
  return n;
}

/* Start of the line holding *p, not before lo. */
static const char *line_start(const char *lo, const char *p) {
  const char *q = p > lo ? memrchr(lo, '\n', (size_t)(p - lo)) : NULL;

  return q != NULL ? q + 1 : lo;
}

/* Cleans a whole line with escape sequences or carriage returns into
 * m->clean (the text is then m->clean.buf); a plain one stays where it is,
 * cut at EX_MATCH_LINE_MAX. */
static void clean_line(ex_matcher_t *m, const char *s, size_t n,
                       const char **text, size_t *len, int *cut) {
  if (!has_dirt(s, n)) {
    *text = s;
    *len = n < EX_MATCH_LINE_MAX ? n : EX_MATCH_LINE_MAX;
    *cut = n > EX_MATCH_LINE_MAX;
    return;
  }
  ex__splitter_reset(&m->clean);
  ex__splitter_clean(&m->clean, s, n);
  *text = m->clean.buf;
  *len = m->clean.len;
  *cut = m->clean.cut;
}

/* Lines of the skipped run [p, to) longer than EX_MATCH_LINE_MAX
 * once cleaned. Only long stretches without a newline are looked at. */
static unsigned long count_cut(ex_matcher_t *m, const char *p, const char *to) {
  unsigned long n = 0;

  while ((size_t)(to - p) > EX_MATCH_LINE_MAX + 1) {
    const char *nl = memrchr(p, '\n', EX_MATCH_LINE_MAX + 1);
    const char *text;
    size_t len;
    int cut;
    if (nl != NULL) {
      p = nl + 1; /* the lines before are short */
      continue;
    }
    nl = memchr(p, '\n', (size_t)(to - p));
    clean_line(m, p, (size_t)(nl - p), &text, &len, &cut);
    n += (unsigned long)cut;
    p = nl + 1;
  }
  return n;
}

/* Counts the skipped lines before `to` (a line start) and pushes the
 * newest of them to the ring: the ring keeps no more, and older ones would
 * have left it anyway. */
static void skip_flush(ex_matcher_t *m, stream_t *st, const char *to) {
  const char *p = st->skipped;
  unsigned long n;

  st->skipped = NULL;
  if (p == NULL || p >= to)
    return;
  n = ex_matcher_newlines(p, (size_t)(to - p));
  m->st.lines += n;
  m->st.lines_cut += count_cut(m, p, to);
  if (m->need_ring) {
    const char *q = to;
    unsigned long k = 0;
    /* Back to the start of the newest EX_MATCH_RING_LINES lines. */
    while (k < n && k < EX_MATCH_RING_LINES) {
      q = line_start(p, q - 1);
      k++;
    }
    while (q < to) {
      const char *nl = memchr(q, '\n', (size_t)(to - q));
      const char *text;
      size_t len;
      int cut;
      clean_line(m, q, (size_t)(nl - q), &text, &len, &cut);
      ex__ring_push(&st->ring, text, len, st->lineno + (n - k) + 1);
      k--;
      q = nl + 1;
    }
  }
  st->lineno += n;
}

/* Runs the line s[0..n) (newline excluded) through on_line(). */
static int one_line(ex_matcher_t *m, stream_t *st, const char *s, size_t n) {
  const char *text;
  size_t len;
  int cut;

  skip_flush(m, st, s);
  clean_line(m, s, n, &text, &len, &cut);
  return on_line(m, text, len, cut);
}

/* The whole lines p[0..end), end just after a newline. */
static int feed_lines(ex_matcher_t *m, stream_t *st, const char *p,
                      const char *end) {
  const unsigned char *u;
  const char *esc = NULL;
  int rc;

  while (p < end) {
    const char *seg;
    const char *nl;
    size_t at;

    if (m->npending > 0) {
      nl = memchr(p, '\n', (size_t)(end - p));
      rc = one_line(m, st, p, (size_t)(nl - p));
      if (rc < 0)
        return rc;
      p = nl + 1;
      continue;
    }
    if (st->skipped == NULL)
      st->skipped = p;
    if (esc < p) {
      esc = memchr(p, 0x1b, (size_t)(end - p));
      if (esc == NULL)
        esc = end;
    }
    /* Lines without escape sequences, searched as they are. */
    seg = esc < end ? line_start(p, esc) : end;
    u = (const unsigned char *)p;
    at = ex__prefilter_find(m->pf, u, (size_t)(seg - p));
    if (at < (size_t)(seg - p)) {
      const char *ls = line_start(p, p + at);
      nl = memchr(p + at, '\n', (size_t)(end - (p + at)));
      rc = one_line(m, st, ls, (size_t)(nl - ls));
      if (rc < 0)
        return rc;
      p = nl + 1;
      continue;
    }
    if (seg == end)
      break;
    /* A line with an escape sequence: cleaned, then searched. */
    nl = memchr(seg, '\n', (size_t)(end - seg));
    ex__splitter_reset(&m->clean);
    ex__splitter_clean(&m->clean, seg, (size_t)(nl - seg));
    u = (const unsigned char *)m->clean.buf;
    if (ex__prefilter_find(m->pf, u, m->clean.len) < m->clean.len) {
      rc = one_line(m, st, seg, (size_t)(nl - seg));
      if (rc < 0)
        return rc;
    }
    p = nl + 1;
  }
  skip_flush(m, st, end);
  return 0;
}

void ex_tailbuf_put(ex_tailbuf_t *t, const char *p, size_t len) {
  size_t n;

  t->total += len;
  if (t->buf == NULL || t->cap == 0)
    return;
  if (len > t->cap) {
    p += len - t->cap;
    len = t->cap;
  }
  n = t->cap - t->head < len ? t->cap - t->head : len;
  memcpy(t->buf + t->head, p, n);
  memcpy(t->buf, p + n, len - n);
  t->head = (t->head + len) % t->cap;
}

size_t ex_tailbuf_copy(const ex_tailbuf_t *t, char *out) {
  size_t n;
  size_t start;
  size_t first;

  if (t->buf == NULL || t->cap == 0)
    return 0;
  n = t->total < t->cap ? (size_t)t->total : t->cap;
  start = (t->head + t->cap - n) % t->cap;
  first = t->cap - start < n ? t->cap - start : n;
  memcpy(out, t->buf + start, first);
  memcpy(out + first, t->buf, n - first);
  return n;
}

int ex_matcher_skip(ex_matcher_t *m, ex_stream_t stream,
                    unsigned long long bytes, unsigned long long lines) {
  stream_t *st;
  size_t i = 0;

  if (m->finished || (unsigned)stream >= EX_STREAM_COUNT)
    return -EINVAL;
  st = &m->streams[stream];
  m->st.bytes_unscanned += bytes;
  m->st.lines_unscanned += lines;
  m->st.lines += lines;
  st->lineno += (unsigned long)lines;
  ex__splitter_reset(&st->split);
  ring_clear(&st->ring);
  /* A fence that closed unseen must not silence the rest. */
  st->in_fence = 0;
  st->quote_until = 0;
  /* The lines a pending finding waited for went by unseen. */
  while (i < m->npending) {
    pending_t *p = &m->pending[i];
    if (p->stream == stream && (unsigned long long)p->left <= lines) {
      int rc = pending_done(m, i, 0);
      if (rc < 0)
        return rc;
      continue;
    }
    if (p->stream == stream)
      p->left -= (int)lines;
    i++;
  }
  /* The tail starts again at the next line. */
  st->tail.head = 0;
  st->tail.total = 0;
  return 0;
}

int ex_matcher_feed(ex_matcher_t *m, ex_stream_t stream, const void *buf,
                    size_t len) {
  const char *p = buf;
  const char *end = p + len;
  const char *last;
  stream_t *st;
  int rc;

  if (m->finished || (unsigned)stream >= EX_STREAM_COUNT)
    return -EINVAL;
  st = &m->streams[stream];
  m->st.bytes += len;
  m->cur_stream = stream;
  if (st->tail.buf != NULL)
    ex_tailbuf_put(&st->tail, p, len);
  last = len > 0 ? memrchr(p, '\n', len) : NULL;
  if (last == NULL)
    return ex__splitter_feed(&st->split, p, len, on_line, m);
  if (!ex__splitter_empty(&st->split)) {
    /* The end of a line begun in an earlier chunk. */
    const char *nl = memchr(p, '\n', len);
    rc = ex__splitter_feed(&st->split, p, (size_t)(nl + 1 - p), on_line, m);
    if (rc < 0)
      return rc;
    p = nl + 1;
  }
  rc = feed_lines(m, st, p, last + 1);
  if (rc < 0)
    return rc;
  return ex__splitter_feed(&st->split, last + 1, (size_t)(end - last - 1),
                           on_line, m);
}

static int add_child(ex_finding_t *parent, ex_finding_t *child) {
  ex_finding_t **p =
      ex_realloc(parent->children, (parent->nchildren + 1) * sizeof(*p));

  if (p == NULL)
    return -ENOMEM;
  parent->children = p;
  p[parent->nchildren++] = child;
  return 0;
}

static int seq_cmp(const void *a, const void *b) {
  const ex_finding_t *x = *(ex_finding_t *const *)a;
  const ex_finding_t *y = *(ex_finding_t *const *)b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Whether f says only that something else failed: a fallout rule, or a
 * broken pipe the recogniser read (the reader at the other end went
 * away; why is told elsewhere, as rsync's "Broken pipe (32)" comes
 * before the receiver's "No space left on device"). */
static int is_fallout(const ex_finding_t *f) {
  return f->rule->role == EX_ROLE_FALLOUT ||
         (f->rule->recogniser != NULL && f->event.errno_name != NULL &&
          strcmp(f->event.errno_name, "EPIPE") == 0);
}

/* The causes of one pass of rank(): specific or the recogniser's, loud or
 * quiet, in detection order; one with the subject of an earlier cause
 * folds under it. */
static int rank_causes(ex_matcher_t *m, int generic, int quiet,
                       size_t *ncauses) {
  size_t i;
  size_t k;
  int rc;

  for (i = 0; i < m->nfound; i++) {
    ex_finding_t *f = m->found[i];
    ex_finding_t *parent = NULL;
    if (is_fallout(f) || (f->rule->recogniser != NULL) != generic ||
        f->quiet != quiet)
      continue;
    for (k = 0; k < m->ntop && f->event.subject_value != NULL; k++)
      if (m->top[k]->rule->role == EX_ROLE_CAUSE &&
          m->top[k]->event.subject_value != NULL &&
          strcmp(m->top[k]->event.subject_value, f->event.subject_value) == 0)
        parent = m->top[k];
    if (parent != NULL) {
      rc = add_child(parent, f);
      if (rc < 0)
        return rc;
      continue;
    }
    m->top[m->ntop++] = f;
    (*ncauses)++;
  }
  return 0;
}

/* A cause that names no subject, with a fallout of the same errno folded
 * under it that does (npm's "npm ERR! path /x" after "npm ERR! code
 * EPERM"), is about that subject: the two lines report one failure. */
static int subject_from_fallout(ex_finding_t *f) {
  size_t i;

  if (f->rule->role != EX_ROLE_CAUSE || f->event.subject_value != NULL ||
      f->event.errno_name == NULL)
    return 0;
  for (i = 0; i < f->nchildren; i++) {
    const ex_finding_t *c = f->children[i];
    if (c->rule->role == EX_ROLE_CAUSE || c->event.subject_value == NULL ||
        !same_str(c->event.errno_name, f->event.errno_name))
      continue;
    f->event.subject_value = copy_bytes(c->event.subject_value,
                                        strlen(c->event.subject_value));
    if (f->event.subject_value == NULL)
      return -ENOMEM;
    f->event.subject_kind = c->event.subject_kind;
    return 0;
  }
  return 0;
}

/* Causes first (specific ones, then the recogniser's less sure ones);
 * every fallout folds under the first cause, or stands alone when there
 * is none. What was read behind a warning prefix comes last, and not at
 * all when nothing else failed: a warning may say why a step failed, but
 * it is no failure by itself. */
static int rank(ex_matcher_t *m) {
  size_t i;
  size_t ncauses = 0;
  int loud = 0;
  int rc = 0;

  qsort(m->found, m->nfound, sizeof(*m->found), seq_cmp);
  m->top = ex_calloc(m->nfound + 1, sizeof(*m->top));
  if (m->top == NULL)
    return -ENOMEM;
  for (i = 0; i < m->nfound; i++)
    loud |= !m->found[i]->quiet;
  if (!loud)
    return 0;
  rc = rank_causes(m, 0, 0, &ncauses);
  if (rc == 0)
    rc = rank_causes(m, 1, 0, &ncauses);
  for (i = 0; rc == 0 && i < m->nfound; i++) {
    ex_finding_t *f = m->found[i];
    if (!is_fallout(f))
      continue;
    if (ncauses > 0)
      rc = add_child(m->top[0], f);
    else
      m->top[m->ntop++] = f;
  }
  for (i = 0; rc == 0 && i < m->ntop; i++)
    rc = subject_from_fallout(m->top[i]);
  if (rc == 0)
    rc = rank_causes(m, 0, 1, &ncauses);
  if (rc == 0)
    rc = rank_causes(m, 1, 1, &ncauses);
  return rc;
}

/* Whether finding a is within EX_MATCH_GENERIC_NEAR lines of b's
 * occurrences, in the same stream. */
static int near(const ex_finding_t *a, const ex_finding_t *b) {
  unsigned long line = a->evidence[0].line;

  return a->evidence[0].stream == b->evidence[0].stream &&
         line + EX_MATCH_GENERIC_NEAR >= b->evidence[0].line &&
         line <= b->last_line + EX_MATCH_GENERIC_NEAR;
}

/* Whether generic finding g says what finding f says: the same errno (or
 * condition) about the same subject, or where one of them names none. */
static int same_event(const ex_finding_t *g, const ex_finding_t *f) {
  int same = (g->event.errno_name != NULL &&
              same_str(g->event.errno_name, f->event.errno_name)) ||
             (g->event.condition != NULL &&
              same_str(g->event.condition, f->event.condition));

  return same && (g->event.subject_value == NULL ||
                  f->event.subject_value == NULL || same_subject(g, f));
}

/* Specific rules win: a generic finding near a specific cause of the
 * same event is dropped; so is one without a subject near a generic one of
 * the same errno that names it (Node prints its error twice, once with
 * the path). */
static void drop_covered(ex_matcher_t *m) {
  unsigned char drop[EX_MATCH_FINDINGS_MAX];
  size_t i;
  size_t k;
  size_t n = 0;

  /* Decided on the whole list first, then removed. */
  for (i = 0; i < m->nfound; i++) {
    const ex_finding_t *g = m->found[i];
    drop[i] = 0;
    for (k = 0; g->rule->recogniser != NULL && !drop[i] && k < m->nfound; k++) {
      const ex_finding_t *f = m->found[k];
      /* A fallout says that something failed, not why: it covers no
       * cause. */
      if (f == g || f->rule->role != EX_ROLE_CAUSE || !near(g, f) ||
          !same_event(g, f))
        continue;
      if (f->rule->recogniser == NULL)
        drop[i] = 1;
      else if (g->event.subject_value == NULL && f->event.subject_value != NULL)
        drop[i] = 1;
    }
  }
  for (i = 0; i < m->nfound; i++) {
    if (drop[i]) {
      m->st.generic_dropped++;
      finding_free(m->found[i]);
      continue;
    }
    m->found[n++] = m->found[i];
  }
  m->nfound = n;
}

/* The lines a stream's tail ends with, newest first, into lines[] (at most
 * max): offsets into buf, where the tail is laid out in order. */
typedef struct tline_s {
  size_t off;
  size_t len;
} tline_t;

static size_t tail_lines(const ex_tailbuf_t *t, char *buf, tline_t *lines,
                         size_t max) {
  size_t len = ex_tailbuf_copy(t, buf);
  size_t end;
  size_t n = 0;
  size_t lo = 0;

  /* A tail that lost its beginning starts inside a line: not that one. */
  if (t->total > t->cap) {
    const char *nl = memchr(buf, '\n', len);
    lo = nl == NULL ? len : (size_t)(nl - buf) + 1;
  }
  end = len;
  if (end > lo && buf[end - 1] == '\n')
    end--;
  while (n < max && end > lo) {
    const char *nl = memrchr(buf + lo, '\n', end - lo);
    size_t b = nl == NULL ? lo : (size_t)(nl - buf) + 1;
    lines[n].off = b;
    lines[n].len = end - b;
    n++;
    end = b > lo ? b - 1 : lo;
    if (nl == NULL)
      break;
  }
  return n;
}

/* Whether a success line is among the last non-blank lines of a stream,
 * with no finding after it. */
static int stream_ending(ex_matcher_t *m, ex_stream_t stream, char *buf) {
  stream_t *st = &m->streams[stream];
  tline_t lines[64];
  size_t nsucc = ex_ruleset_success_count(m->set);
  size_t n = tail_lines(&st->tail, buf, lines, 64);
  size_t seen = 0;
  size_t i;
  size_t k;
  size_t j;

  for (i = 0; i < n && seen < EX_MATCH_SUCCESS_LINES; i++) {
    const char *text;
    size_t len;
    ex_norm_t nm;
    ex__splitter_reset(&m->clean);
    ex__splitter_clean(&m->clean, buf + lines[i].off, lines[i].len);
    text = m->clean.buf;
    len = m->clean.len;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
      len--;
    ex_normalise(m->norm, text, len, &nm);
    if (len == nm.off[nm.depth])
      continue; /* blank, or only prefixes */
    seen++;
    for (k = 0; k < nsucc; k++) {
      size_t at;
      unsigned long line = st->lineno - (unsigned long)i;
      if (m->success[k] == NULL ||
          run_norm(m, m->success[k], text, len, &nm, LEVELS_ANY, &at) != 1)
        continue;
      for (j = 0; j < m->nfound; j++)
        if (m->found[j]->evidence[0].stream == stream &&
            m->found[j]->last_line > line && !m->found[j]->quiet)
          return 0; /* it failed after it said it succeeded */
      m->ending.shape = ex_ruleset_success(m->set, k);
      m->ending.stream = stream;
      m->ending.line = line;
      m->ending.len = len < EX_MATCH_EVIDENCE_MAX ? len : EX_MATCH_EVIDENCE_MAX;
      m->ending.text = copy_bytes(text, m->ending.len);
      if (m->ending.text == NULL)
        return -ENOMEM;
      m->ended = 1;
      return 1;
    }
  }
  return 0;
}

/* The success lines are compiled now, once: only the last lines of the
 * output ever meet them. */
static int find_ending(ex_matcher_t *m) {
  size_t nsucc = ex_ruleset_success_count(m->set);
  char *buf;
  size_t i;
  int rc = 0;

  if (nsucc == 0)
    return 0;
  if (m->success == NULL) {
    m->success = ex_calloc(nsucc, sizeof(*m->success));
    if (m->success == NULL)
      return -ENOMEM;
    for (i = 0; i < nsucc; i++) {
      const ex_shape_t *sh = ex_ruleset_success(m->set, i);
      rc = ex_regex_compile(sh->pattern, strlen(sh->pattern), EX_REGEX_ANCHORED,
                            &m->success[i], NULL);
      if (rc == -ENOMEM)
        return rc;
    }
  }
  buf = ex_malloc(EX_MATCH_TAIL_BYTES);
  if (buf == NULL)
    return -ENOMEM;
  rc = 0;
  for (i = 0; i < EX_STREAM_COUNT && rc == 0; i++)
    if (m->streams[i].tail.buf != NULL)
      rc = stream_ending(m, (ex_stream_t)i, buf);
  ex_free(buf);
  return rc < 0 ? rc : 0;
}

int ex_matcher_ending(const ex_matcher_t *m, ex_match_ending_t *out) {
  if (!m->finished || !m->ended)
    return 0;
  *out = m->ending;
  return 1;
}

int ex_matcher_finish(ex_matcher_t *m) {
  size_t i;
  int rc = 0;

  if (m->finished)
    return 0;
  for (i = 0; i < EX_STREAM_COUNT && rc == 0; i++) {
    m->cur_stream = (ex_stream_t)i;
    rc = ex__splitter_finish(&m->streams[i].split, on_line, m);
  }
  while (rc == 0 && m->npending > 0)
    rc = pending_done(m, 0, 0);
  if (rc == 0)
    drop_covered(m);
  if (rc == 0)
    rc = find_ending(m);
  if (rc == 0)
    rc = rank(m);
  if (rc == 0)
    m->finished = 1;
  return rc;
}

size_t ex_matcher_count(const ex_matcher_t *m) {
  return m->finished ? m->ntop : 0;
}

const ex_finding_t *ex_matcher_get(const ex_matcher_t *m, size_t i) {
  return m->finished && i < m->ntop ? m->top[i] : NULL;
}

void ex_matcher_stats(const ex_matcher_t *m, ex_matcher_stats_t *st) {
  *st = m->st;
}
