/* Private to the matcher module: the line splitter, the ring of recent
 * lines and the literal prefilter. */
#ifndef EX_MATCHER_INT_H
#define EX_MATCHER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "matcher/matcher.h"

/* Line splitter: bytes in, cleaned lines out (see matcher.h for the rules).
 * Holds at most EX_MATCH_LINE_MAX bytes. */
typedef struct ex_splitter_s {
  int state;      /* escape-sequence state */
  int cr_pending; /* a '\r' was seen; text after it overwrites the line */
  int has_bytes;  /* the current line has received bytes */
  int cut;        /* the current line was longer than the cap */
  size_t len;
  char *buf; /* EX_MATCH_LINE_MAX bytes */
} ex_splitter_t;

/* Called for each line: text (borrowed for the call), length (<= cap) and
 * whether the line was cut. Returns 0 or a negative code (stops feeding). */
typedef int (*ex_line_fn)(void *ud, const char *line, size_t len, int cut);

int ex__splitter_init(ex_splitter_t *sp);
void ex__splitter_release(ex_splitter_t *sp);
int ex__splitter_feed(ex_splitter_t *sp, const char *buf, size_t len,
                      ex_line_fn fn, void *ud);
/* Emits the last line if it has no newline. */
int ex__splitter_finish(ex_splitter_t *sp, ex_line_fn fn, void *ud);
/* Whether the splitter is at the start of a line (holds nothing). */
int ex__splitter_empty(const ex_splitter_t *sp);
/* Cleans one whole line, line[0..len) without its newline, into sp->buf
 * (sp->len, sp->cut), as feeding it and its newline would. The splitter
 * must be empty; ex__splitter_reset() empties it again. A line is cleaned
 * the same wherever it is: a newline resets every state. */
void ex__splitter_clean(ex_splitter_t *sp, const char *line, size_t len);
void ex__splitter_reset(ex_splitter_t *sp);

/* Ring of recent lines: the longest run of the newest lines that holds at
 * most EX_MATCH_RING_LINES lines and EX_MATCH_RING_BYTES bytes (each line
 * counting its length + 1). Which lines it keeps depends only on the lines
 * pushed, not on where they sit in its buffer (twice that size), so that
 * pushing only the newest EX_MATCH_RING_LINES lines of a run gives the same
 * ring as pushing them all. */
typedef struct ex_ring_rec_s {
  size_t off;
  size_t len;
  unsigned long line;
} ex_ring_rec_t;

typedef struct ex_ring_s {
  char *bytes;
  size_t head;         /* where the next line goes */
  ex_ring_rec_t *recs; /* circular */
  size_t first;        /* index of the oldest record */
  size_t count;
  size_t live; /* bytes of the records kept, each len + 1 */
} ex_ring_t;

int ex__ring_init(ex_ring_t *r);
void ex__ring_release(ex_ring_t *r);
void ex__ring_push(ex_ring_t *r, const char *line, size_t len,
                   unsigned long lineno);
/* The record `back` lines before the newest (0 = newest), or NULL. */
const ex_ring_rec_t *ex__ring_back(const ex_ring_t *r, size_t back);
static inline const char *ex__ring_text(const ex_ring_t *r,
                                        const ex_ring_rec_t *rec) {
  return r->bytes + rec->off;
}

/* Literal cost: how often the rarest trigram of `lit` is expected in
 * program output (product of byte frequencies per 100000, times 32 for
 * trigrams of lower-case letters and spaces; lower is rarer),
 * with its offset in *off (may be NULL). EX_LITERAL_COST_MAX for literals
 * shorter than 3 bytes. Defined in literal.c. */
#define EX_LITERAL_COST_MAX ((unsigned long)-1)
unsigned long ex__literal_cost(const ex_literal_t *lit, size_t *off);

/* Multi-literal prefilter. */
typedef struct ex_prefilter_s ex_prefilter_t;

int ex__prefilter_new(ex_prefilter_t **out);
void ex__prefilter_free(ex_prefilter_t *pf);
/* Adds a literal whose presence makes pattern `pattern` a candidate. */
int ex__prefilter_add(ex_prefilter_t *pf, const ex_literal_t *lit,
                      uint32_t pattern);
/* The same, indexed by the trigram at offset `key` of the literal rather
 * than its rarest one ((size_t)-1: the rarest). */
int ex__prefilter_add_key(ex_prefilter_t *pf, const ex_literal_t *lit,
                          uint32_t pattern, size_t key);
/* Builds the lookup tables; call once after the last add. */
int ex__prefilter_build(ex_prefilter_t *pf, uint32_t npatterns);
/* Finds the first place in s[0..len) (any number of lines) where one of
 * the literals occurs: the offset of the end of its indexed trigram minus
 * 2, which lies in the same line as the whole literal. len when there is
 * none. Used to skip the lines that no pattern can match. */
size_t ex__prefilter_find(const ex_prefilter_t *pf, const unsigned char *s,
                          size_t len);
/* find() uses AVX2 where the CPU has it (the default); 0 forces the
 * portable loop (tests compare the two). */
void ex__prefilter_set_simd(ex_prefilter_t *pf, int on);
/* Finds the candidate patterns of a line: their ids go to out (sorted,
 * unique; out must hold npatterns entries). Returns their number. */
size_t ex__prefilter_scan(ex_prefilter_t *pf, const unsigned char *s,
                          size_t len, uint32_t *out);

#endif
