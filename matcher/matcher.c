/* The streaming matcher: lines -> prefilter -> regexes -> findings. */
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
  unsigned long seen; /* lines seen after the match */
} pending_t;

typedef struct stream_s {
  ex_splitter_t split;
  ex_ring_t ring;
  unsigned long lineno;
  /* Whole lines of the chunk being fed that the prefilter passed over:
   * not yet counted nor in the ring (see skip_flush()). NULL when none. */
  const char *skipped;
} stream_t;

struct ex_matcher_s {
  crule_t *rules;
  size_t nrules;
  cpat_t *pats;
  size_t npats;
  ex_prefilter_t *pf;
  ex_splitter_t clean; /* cleans single lines met in whole chunks */
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

/* Expands a template into an owned string, NULL when empty or absent. */
static int expand_opt(const ex_finding_t *f, const char *tpl, char **out) {
  size_t len = 0;
  int rc;

  *out = NULL;
  if (tpl == NULL)
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

#define PICK(field) (pe->field != NULL ? pe->field : re->field)

/* Fills the event and location from the captures. */
static int resolve(ex_finding_t *f) {
  const ex_rule_t *r = f->rule;
  const ex_rule_event_t *re = &r->event;
  const ex_rule_event_t *pe = &r->patterns[f->pattern].event;
  char *errno_text = NULL;
  int rc;

  f->event.condition = PICK(condition);
  f->event.operation = PICK(operation);
  f->event.subject_kind = PICK(subject_kind);
  rc = expand_opt(f, PICK(errno_tpl), &errno_text);
  if (rc < 0)
    return rc;
  f->event.errno_name = ex_errno_parse(errno_text);
  ex_free(errno_text);
  rc = expand_opt(f, PICK(subject_value), &f->event.subject_value);
  if (rc == 0)
    rc = expand_opt(f, r->location_file, &f->location_file);
  if (rc == 0)
    rc = expand_opt(f, r->location_line, &f->location_line);
  return rc;
}

#undef PICK

static int same_subject(const ex_finding_t *a, const ex_finding_t *b) {
  if (a->event.subject_value == NULL || b->event.subject_value == NULL)
    return a->event.subject_value == b->event.subject_value;
  return strcmp(a->event.subject_value, b->event.subject_value) == 0;
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
  for (i = 0; i < m->nfound; i++) {
    ex_finding_t *g = m->found[i];
    if (g->rule == f->rule && same_subject(g, f)) {
      g->count++;
      finding_free(f);
      return 0;
    }
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

/* Runs a regex, counting limit hits. 1 on a match. */
static int run(ex_matcher_t *m, const ex_regex_t *re, const char *s,
               size_t len) {
  int rc = ex_regex_match(re, m->scratch, s, len);

  if (rc == -ETIMEDOUT)
    m->st.limit_hits++;
  return rc == 1;
}

/* The line `back` lines before the current one of a stream, or NULL. */
static const ex_ring_rec_t *ring_line(ex_matcher_t *m, ex_stream_t stream,
                                      size_t back) {
  return ex__ring_back(&m->streams[stream].ring, back);
}

static int suppressed_now(ex_matcher_t *m, const crule_t *cr, const char *s,
                          size_t len, ex_stream_t stream) {
  const ex_rule_t *r = cr->rule;
  size_t i;
  size_t k;

  for (i = 0; i < r->nsuppress; i++) {
    const ex_rule_suppress_t *sp = &r->suppress[i];
    if (cr->supp[i] == NULL)
      continue;
    if (sp->where == EX_WHERE_SAME && run(m, cr->supp[i], s, len))
      return 1;
    if (sp->where != EX_WHERE_BEFORE)
      continue;
    for (k = 0; k < (size_t)sp->lines; k++) {
      const ex_ring_rec_t *rec = ring_line(m, stream, k);
      if (rec == NULL)
        break;
      if (run(m, cr->supp[i], ex__ring_text(&m->streams[stream].ring, rec),
              rec->len))
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
  int rc;

  for (k = 0; k < avail; k++) {
    /* pick last: nearest first; pick first: oldest first */
    size_t back = ctx->pick == EX_PICK_LAST ? k : avail - 1 - k;
    const ex_ring_rec_t *rec = ex__ring_back(ring, back);
    const char *text = ex__ring_text(ring, rec);
    if (rec->line + (unsigned long)ctx->lines < f->evidence[0].line)
      continue; /* older than the window */
    if (!run(m, cr->before, text, rec->len))
      continue;
    rc = add_captures(m, f, cr->before, text);
    if (rc == 0)
      rc = add_evidence(f, stream, rec->line, text, rec->len);
    return rc;
  }
  return 0;
}

static int pending_add(ex_matcher_t *m, ex_finding_t *f, size_t rule,
                       ex_stream_t stream);

static int on_match(ex_matcher_t *m, const cpat_t *cp, const char *s,
                    size_t len) {
  crule_t *cr = &m->rules[cp->rule];
  ex_stream_t stream = m->cur_stream;
  ex_finding_t *f = NULL;
  int rc;

  if (!cr->compiled) {
    rc = compile_rule_extras(cr);
    if (rc < 0)
      return rc;
  }
  f = ex_calloc(1, sizeof(*f));
  if (f == NULL)
    return -ENOMEM;
  f->rule = cr->rule;
  f->pattern = cp->index;
  f->count = 1;
  f->seq = m->seq++;
  /* Captures first: the suppressor runs below reuse the match data. */
  rc = add_captures(m, f, cp->re, s);
  if (rc == 0)
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
    return pending_add(m, f, cp->rule, stream);
  return commit(m, f);

fail:
  finding_free(f);
  return rc;
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
  size_t i = 0;
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
          run(m, cr->supp[k], s, len))
        suppressed = 1;
    if (!suppressed && p->after_left > 0 && !p->after_done) {
      p->after_left--;
      if (run(m, cr->after, s, len)) {
        ex_finding_t *f = p->f;
        size_t c;
        if (r->after.pick == EX_PICK_FIRST)
          p->after_done = 1;
        if (p->has_after) {
          /* pick last: this line replaces the earlier one */
          for (c = p->after_cap; c < f->ncaptures; c++)
            ex_free(f->captures[c].value);
          f->ncaptures = p->after_cap;
          ex_free(f->evidence[f->nevidence - 1].text);
          f->nevidence--;
        }
        p->has_after = 1;
        p->after_cap = f->ncaptures;
        rc = add_captures(m, f, cr->after, s);
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

static int on_line(void *ud, const char *s, size_t len, int cut) {
  ex_matcher_t *m = ud;
  ex_stream_t stream = m->cur_stream;
  stream_t *st = &m->streams[stream];
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
  for (i = 0; i < n; i++) {
    cpat_t *cp = &m->pats[m->cand[i]];
    crule_t *cr = &m->rules[cp->rule];
    if (cr->fired_gen == m->line_gen)
      continue;
    rc = pattern_ready(m, cp);
    if (rc < 0)
      return rc;
    if (rc == 0)
      continue;
    m->st.candidates++;
    rc = ex_regex_match(cp->re, m->scratch, s, len);
    if (rc == -ETIMEDOUT) {
      m->st.limit_hits++;
      if (++cp->limit_hits >= EX_MATCH_LIMIT_HITS_MAX) {
        cp->disabled = 1;
        m->st.patterns_disabled++;
      }
      continue;
    }
    if (rc != 1)
      continue;
    cr->fired_gen = m->line_gen;
    rc = on_match(m, cp, s, len);
    if (rc < 0)
      return rc;
  }
  if (m->need_ring)
    ex__ring_push(&st->ring, s, len, st->lineno);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Life cycle                                                              */

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

int ex_matcher_new(const ex_ruleset_t *set, ex_matcher_t **out) {
  ex_matcher_t *m = NULL;
  size_t nr = ex_ruleset_count(set);
  size_t np = 0;
  size_t i;
  int rc;

  *out = NULL;
  for (i = 0; i < nr; i++)
    np += ex_ruleset_get(set, i)->npatterns;
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
  rc = ex__prefilter_new(&m->pf);
  if (rc == 0)
    rc = ex_regex_scratch_new(&m->scratch);
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
  ex__prefilter_free(m->pf);
  ex_regex_scratch_free(m->scratch);
  ex__splitter_release(&m->clean);
  for (i = 0; i < EX_STREAM_COUNT; i++) {
    ex__splitter_release(&m->streams[i].split);
    ex__ring_release(&m->streams[i].ring);
  }
  for (i = 0; i < m->npending; i++)
    finding_free(m->pending[i].f);
  for (i = 0; i < m->nfound; i++)
    finding_free(m->found[i]);
  ex_free(m->found);
  ex_free(m->top);
  ex_free(m);
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
static unsigned long count_nl(const char *s, size_t len) {
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
  n = count_nl(p, (size_t)(to - p));
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

/* Causes first in detection order; a cause with the subject of an earlier
 * cause and every fallout (when a cause exists) fold under it. */
static int rank(ex_matcher_t *m) {
  size_t i;
  size_t k;
  size_t ncauses = 0;
  int rc;

  qsort(m->found, m->nfound, sizeof(*m->found), seq_cmp);
  m->top = ex_calloc(m->nfound + 1, sizeof(*m->top));
  if (m->top == NULL)
    return -ENOMEM;
  for (i = 0; i < m->nfound; i++) {
    ex_finding_t *f = m->found[i];
    ex_finding_t *parent = NULL;
    if (f->rule->role != EX_ROLE_CAUSE)
      continue;
    for (k = 0; k < m->ntop && f->event.subject_value != NULL; k++)
      if (m->top[k]->event.subject_value != NULL &&
          strcmp(m->top[k]->event.subject_value, f->event.subject_value) == 0)
        parent = m->top[k];
    if (parent != NULL) {
      rc = add_child(parent, f);
      if (rc < 0)
        return rc;
      continue;
    }
    m->top[m->ntop++] = f;
    ncauses++;
  }
  for (i = 0; i < m->nfound; i++) {
    ex_finding_t *f = m->found[i];
    if (f->rule->role == EX_ROLE_CAUSE)
      continue;
    if (ncauses > 0) {
      rc = add_child(m->top[0], f);
      if (rc < 0)
        return rc;
    } else {
      m->top[m->ntop++] = f;
    }
  }
  return 0;
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
