/* The line splitter (with terminal-sequence cleaning) and the ring of recent
 * lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher_int.h"
#include "platform/platform.h"

enum {
  ST_TEXT = 0,
  ST_ESC,     /* after ESC */
  ST_ESC_INT, /* ESC + intermediate bytes */
  ST_CSI,     /* ESC [ */
  ST_STR,     /* OSC, DCS, SOS, PM, APC: until BEL or ESC \ */
  ST_STR_ESC  /* ESC inside a string */
};

int ex__splitter_init(ex_splitter_t *sp) {
  memset(sp, 0, sizeof(*sp));
  sp->buf = ex_malloc(EX_MATCH_LINE_MAX);
  return sp->buf == NULL ? -ENOMEM : 0;
}

void ex__splitter_release(ex_splitter_t *sp) {
  ex_free(sp->buf);
  memset(sp, 0, sizeof(*sp));
}

static void sp_text(ex_splitter_t *sp, unsigned char c) {
  if (c == '\r') {
    sp->cr_pending = 1;
    return;
  }
  if (sp->cr_pending) {
    /* Text after a carriage return overwrote the line on the terminal. */
    sp->cr_pending = 0;
    sp->len = 0;
    sp->cut = 0;
  }
  if (sp->len < EX_MATCH_LINE_MAX)
    sp->buf[sp->len++] = (char)c;
  else
    sp->cut = 1;
}

/* Appends a run of plain text (no ESC, CR or newline). */
static void sp_run(ex_splitter_t *sp, const char *p, size_t n) {
  size_t room;
  size_t take;

  if (n == 0)
    return;
  if (sp->cr_pending) {
    /* Text after a carriage return overwrote the line on the terminal. */
    sp->cr_pending = 0;
    sp->len = 0;
    sp->cut = 0;
  }
  room = EX_MATCH_LINE_MAX - sp->len;
  take = n < room ? n : room;
  memcpy(sp->buf + sp->len, p, take);
  sp->len += take;
  if (take < n)
    sp->cut = 1;
}

/* Runs one byte (never '\n') through the escape-sequence state machine. */
static void sp_byte(ex_splitter_t *sp, unsigned char c) {
  switch (sp->state) {
  case ST_TEXT:
    if (c == 0x1b)
      sp->state = ST_ESC;
    else
      sp_text(sp, c);
    return;
  case ST_STR_ESC:
    if (c == '\\') {
      sp->state = ST_TEXT;
      return;
    }
    sp->state = ST_ESC; /* a new sequence starts */
    /* fall through */
  case ST_ESC:
    if (c == '[')
      sp->state = ST_CSI;
    else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_')
      sp->state = ST_STR;
    else if (c >= 0x20 && c <= 0x2f)
      sp->state = ST_ESC_INT;
    else if (c == 0x1b)
      sp->state = ST_ESC;
    else
      sp->state = ST_TEXT; /* two-byte sequence (or a stray ESC) */
    return;
  case ST_ESC_INT:
    if (c < 0x20 || c > 0x2f)
      sp->state = ST_TEXT;
    return;
  case ST_CSI:
    if (c >= 0x40 && c <= 0x7e)
      sp->state = ST_TEXT;
    else if (c == 0x1b)
      sp->state = ST_ESC;
    else if (c < 0x20 || c > 0x3f)
      sp->state = ST_TEXT; /* malformed: drop the sequence */
    return;
  case ST_STR:
    if (c == 0x07)
      sp->state = ST_TEXT;
    else if (c == 0x1b)
      sp->state = ST_STR_ESC;
    return;
  default:
    sp->state = ST_TEXT;
    return;
  }
}

static int sp_emit(ex_splitter_t *sp, ex_line_fn fn, void *ud) {
  int rc = fn(ud, sp->buf, sp->len, sp->cut);

  /* A newline ends any escape sequence: a broken one cannot eat lines. */
  sp->state = ST_TEXT;
  sp->cr_pending = 0;
  sp->has_bytes = 0;
  sp->cut = 0;
  sp->len = 0;
  return rc;
}

/* Position of the next byte c at or after p (end when none), found again
 * only once p has passed the previous one: one pass over the chunk. */
static const char *next_of(const char *cached, const char *p, const char *end,
                           int c) {
  const char *q;

  if (cached >= p)
    return cached;
  q = memchr(p, c, (size_t)(end - p));
  return q != NULL ? q : end;
}

int ex__splitter_feed(ex_splitter_t *sp, const char *buf, size_t len,
                      ex_line_fn fn, void *ud) {
  const char *p = buf;
  const char *end = buf + len;
  const char *esc = NULL;
  const char *cr = NULL;
  int rc;

  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl != NULL ? nl : end;
    size_t n = (size_t)(stop - p);
    int clean;

    /* Lines without ESC or CR (the usual case) take the fast path. */
    esc = next_of(esc, p, end, 0x1b);
    cr = next_of(cr, p, end, '\r');
    clean = esc >= stop && cr >= stop;
    if (clean && !sp->has_bytes && sp->state == ST_TEXT && nl != NULL) {
      /* A whole line in the chunk: passed on in place, without a copy. */
      rc = fn(ud, p, n < EX_MATCH_LINE_MAX ? n : EX_MATCH_LINE_MAX,
              n > EX_MATCH_LINE_MAX);
      if (rc < 0)
        return rc;
      p = nl + 1;
      continue;
    }
    if (n > 0)
      sp->has_bytes = 1;
    if (clean && sp->state == ST_TEXT) {
      sp_run(sp, p, n);
    } else {
      /* Plain runs are copied whole; ESC and CR go through the state
       * machine one byte at a time. */
      const char *q = p;
      while (q < stop) {
        if (sp->state == ST_TEXT) {
          const char *run_end;
          esc = next_of(esc, q, end, 0x1b);
          cr = next_of(cr, q, end, '\r');
          run_end = esc < cr ? esc : cr;
          if (run_end > stop)
            run_end = stop;
          if (run_end > q) {
            sp_run(sp, q, (size_t)(run_end - q));
            q = run_end;
            continue;
          }
        }
        sp_byte(sp, (unsigned char)*q++);
      }
    }
    if (nl == NULL)
      break;
    rc = sp_emit(sp, fn, ud);
    if (rc < 0)
      return rc;
    p = nl + 1;
  }
  return 0;
}

int ex__splitter_finish(ex_splitter_t *sp, ex_line_fn fn, void *ud) {
  if (!sp->has_bytes)
    return 0;
  return sp_emit(sp, fn, ud);
}

int ex__splitter_empty(const ex_splitter_t *sp) {
  return !sp->has_bytes && sp->state == ST_TEXT && !sp->cr_pending;
}

static int no_line(void *ud, const char *line, size_t len, int cut) {
  (void)ud;
  (void)line;
  (void)len;
  (void)cut;
  return 0;
}

void ex__splitter_clean(ex_splitter_t *sp, const char *line, size_t len) {
  /* Without its newline the line is never emitted: it stays in buf. */
  (void)ex__splitter_feed(sp, line, len, no_line, NULL);
}

void ex__splitter_reset(ex_splitter_t *sp) {
  sp->state = ST_TEXT;
  sp->cr_pending = 0;
  sp->has_bytes = 0;
  sp->cut = 0;
  sp->len = 0;
}

/* ---------------------------------------------------------------------- */

/* The buffer is twice the byte budget: with at most EX_MATCH_RING_BYTES
 * bytes kept, a new line always fits after the newest or at the start
 * without evicting more than the budget says. */
#define RING_BUF (2 * (size_t)EX_MATCH_RING_BYTES)

int ex__ring_init(ex_ring_t *r) {
  memset(r, 0, sizeof(*r));
  r->bytes = ex_malloc(RING_BUF);
  r->recs = ex_calloc(EX_MATCH_RING_LINES, sizeof(*r->recs));
  if (r->bytes == NULL || r->recs == NULL) {
    ex__ring_release(r);
    return -ENOMEM;
  }
  return 0;
}

void ex__ring_release(ex_ring_t *r) {
  ex_free(r->bytes);
  ex_free(r->recs);
  memset(r, 0, sizeof(*r));
}

void ex__ring_push(ex_ring_t *r, const char *line, size_t len,
                   unsigned long lineno) {
  ex_ring_rec_t *rec;

  if (len >= EX_MATCH_RING_BYTES)
    len = EX_MATCH_RING_BYTES - 1;
  while (r->count > 0 && (r->count == EX_MATCH_RING_LINES ||
                          r->live + len + 1 > EX_MATCH_RING_BYTES)) {
    r->live -= r->recs[r->first].len + 1;
    r->first = (r->first + 1) % EX_MATCH_RING_LINES;
    r->count--;
  }
  /* The kept bytes are one arc of the circular buffer and leave at least
   * EX_MATCH_RING_BYTES + len + 1 free: when the space after head is too
   * short, the space before the oldest line is long enough. */
  if (r->count == 0)
    r->head = 0;
  else if (r->head + len + 1 > RING_BUF)
    r->head = 0;
  rec = &r->recs[(r->first + r->count) % EX_MATCH_RING_LINES];
  rec->off = r->head;
  rec->len = len;
  rec->line = lineno;
  memcpy(r->bytes + r->head, line, len);
  r->bytes[r->head + len] = '\0';
  r->head += len + 1;
  r->live += len + 1;
  r->count++;
}

const ex_ring_rec_t *ex__ring_back(const ex_ring_t *r, size_t back) {
  if (back >= r->count)
    return NULL;
  return &r->recs[(r->first + r->count - 1 - back) % EX_MATCH_RING_LINES];
}
