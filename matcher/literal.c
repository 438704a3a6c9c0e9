/* Required-literal extraction: a small parser of the PCRE2 syntax that finds
 * text every match must contain. When it meets syntax it does not know it
 * gives up (no literal), which the loader reports; it never guesses. */
#include <errno.h>
#include <string.h>

#include "matcher/matcher_int.h"

#define LIT_ALTS 16  /* alternatives kept per set */
#define LIT_DEPTH 64 /* group nesting */

/* How common each byte is in program output, per 100000 bytes (at least
 * 1): measured on 8.7 MB of Debian logs, changelogs, C headers and build
 * output. */
static const unsigned short byte_freq_table[256] = {
    1,    1,    1,    1,    1,    1,    1,    1,    1,     296,  2451, 1,
    1,    46,   1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    15022, 7,    55,   311,
    4,    10,   21,   58,   630,  624,  1229, 331,  731,   1678, 1672, 903,
    1702, 1516, 1584, 680,  666,  461,  656,  314,  380,   523,  837,  265,
    207,  183,  204,  8,    145,  442,  137,  456,  241,   535,  258,  182,
    109,  346,  78,   88,   329,  304,  392,  304,  496,   42,   648,  568,
    519,  268,  100,  99,   112,  59,   15,   99,   31,    99,   18,   1447,
    13,   3972, 1474, 2143, 2636, 6346, 1380, 1350, 1518,  4149, 69,   458,
    2787, 1590, 3932, 3349, 1679, 90,   3336, 3489, 4571,  2048, 566,  478,
    426,  656,  135,  32,   13,   32,   33,   1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    2,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    5,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    2,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,    1,    1,    1,    1,    1,     1,    1,    1,
    1,    1,    1,    1,
};

static unsigned long byte_freq(unsigned c, int caseless) {
  unsigned long f = byte_freq_table[c & 0xff];

  if (caseless && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
    f = byte_freq_table[c | 0x20] + byte_freq_table[c & ~0x20u];
  return f;
}

/* Whether byte c is a lower-case letter or a space (any letter when the
 * literal is caseless): the bytes of running text. */
static int byte_wordy(unsigned c, int caseless) {
  if (c == ' ' || (c >= 'a' && c <= 'z'))
    return 1;
  return caseless && c >= 'A' && c <= 'Z';
}

/* Trigrams of running text ("ing", "ng ", " co") are far more common than
 * the product of their byte frequencies says, because letters are not
 * independent: they cost EX__WORDY_PENALTY times more. Measured on a 1 GiB
 * build log (bench/log.sh) and 3 MB of Debian changelogs and build output,
 * this cuts the prefilter's trigram hits 6.5 and 1.9 times. */
#define EX__WORDY_PENALTY 32

unsigned long ex__literal_cost(const ex_literal_t *lit, size_t *off) {
  unsigned long best = EX_LITERAL_COST_MAX;
  size_t i;

  if (off != NULL)
    *off = 0;
  for (i = 0; i + 2 < lit->len; i++) {
    /* A caseless trigram is looked for in every case: count them all. */
    unsigned long cost = byte_freq(lit->bytes[i], lit->caseless) *
                         byte_freq(lit->bytes[i + 1], lit->caseless) *
                         byte_freq(lit->bytes[i + 2], lit->caseless);
    if (byte_wordy(lit->bytes[i], lit->caseless) &&
        byte_wordy(lit->bytes[i + 1], lit->caseless) &&
        byte_wordy(lit->bytes[i + 2], lit->caseless))
      cost *= EX__WORDY_PENALTY;
    if (cost < best) {
      best = cost;
      if (off != NULL)
        *off = i;
    }
  }
  return best;
}

/* A set of alternatives: every match contains one of them. n == 0: none. */
typedef struct lset_s {
  size_t n;
  unsigned long cost; /* lset_cost() when n > 0, kept to avoid recounting */
  ex_literal_t lit[LIT_ALTS];
} lset_t;

/* What a sequence or group yields. */
typedef struct lres_s {
  lset_t best; /* best required set */
  int exact;   /* the whole thing is the fixed string `whole` */
  ex_literal_t whole;
  /* The fixed string every match starts with (one branch only): it joins
   * the literal before a group, "ERROR " + (?<s>4\d\d) is "ERROR 4". */
  int prefix_open; /* still reading it */
  int has_prefix;
  ex_literal_t prefix;
} lres_t;

typedef struct lparse_s {
  const unsigned char *s;
  size_t len;
  size_t pos;
  int caseless;
  int extended;
  int depth;
  int failed; /* unsupported syntax */
} lparse_t;

/* How often a literal is expected in output: its rarest trigram's cost,
 * divided by 4 for each further byte (about 2 bits of information per byte
 * of text). The byte-frequency model alone rates short words ("link") as
 * rarer than long phrases of common letters, which they are not. */
static unsigned long lit_expected(const ex_literal_t *lit) {
  unsigned long c = ex__literal_cost(lit, NULL);
  size_t shift = lit->len > 3 ? 2 * (lit->len - 3) : 0;

  if (c == EX_LITERAL_COST_MAX)
    return c;
  if (shift > 60)
    shift = 60;
  c >>= shift;
  return c > 0 ? c : 1;
}

/* How often the set is expected in output: the sum over its literals
 * (lower is better; EX_LITERAL_COST_MAX when unusable). */
static unsigned long lset_cost(const lset_t *set) {
  unsigned long sum = 0;
  size_t i;

  if (set->n == 0)
    return EX_LITERAL_COST_MAX;
  for (i = 0; i < set->n; i++) {
    unsigned long c = lit_expected(&set->lit[i]);
    if (c >= EX_LITERAL_COST_MAX - sum)
      return EX_LITERAL_COST_MAX;
    sum += c;
  }
  return sum;
}

/* Keeps the better of *best and *cand in *best: the rarer one, then the
 * longer one. */
static void lset_consider(lset_t *best, const lset_t *cand) {
  unsigned long a;
  unsigned long b;

  if (cand->n == 0)
    return;
  a = best->cost;
  b = cand->cost;
  if (best->n == 0 || b < a ||
      (b == a && cand->n == 1 && best->n == 1 &&
       cand->lit[0].len > best->lit[0].len)) {
    /* Only the literals in use: a whole set is over 1 KiB. */
    best->n = cand->n;
    best->cost = cand->cost;
    memcpy(best->lit, cand->lit, cand->n * sizeof(cand->lit[0]));
  }
}

/* lset_consider() for a set of one literal, without building the set. */
static void lit_consider(lset_t *best, const ex_literal_t *lit) {
  unsigned long a;
  unsigned long b;

  if (lit->len == 0)
    return;
  b = lit_expected(lit);
  a = best->cost;
  if (best->n == 0 || b < a ||
      (b == a && best->n == 1 && lit->len > best->lit[0].len)) {
    best->n = 1;
    best->cost = b;
    best->lit[0] = *lit;
  }
}

static int lit_is_alpha(unsigned c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Appends byte c to the run; returns 0 when the run is full. */
static int lit_append(ex_literal_t *run, unsigned c, int caseless) {
  if (run->len >= EX_LITERAL_MAX)
    return 0;
  run->bytes[run->len++] = (unsigned char)c;
  if (caseless && lit_is_alpha(c))
    run->caseless = 1;
  return 1;
}

static int lp_more(const lparse_t *p) {
  return p->pos < p->len;
}
static unsigned lp_peek(const lparse_t *p) {
  return p->s[p->pos];
}

static void lp_skip_space(lparse_t *p) {
  if (!p->extended)
    return;
  while (lp_more(p)) {
    unsigned c = lp_peek(p);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      p->pos++;
    } else if (c == '#') {
      while (lp_more(p) && lp_peek(p) != '\n')
        p->pos++;
    } else {
      break;
    }
  }
}

static int hexval(unsigned c) {
  if (c >= '0' && c <= '9')
    return (int)(c - '0');
  if (c >= 'a' && c <= 'f')
    return (int)(c - 'a' + 10);
  if (c >= 'A' && c <= 'F')
    return (int)(c - 'A' + 10);
  return -1;
}

/* Parses a quantifier at pos. Returns -1 when there is none, else its
 * minimum count (capped). */
static long lp_quantifier(lparse_t *p) {
  long min = -1;
  size_t save;

  lp_skip_space(p);
  if (!lp_more(p))
    return -1;
  switch (lp_peek(p)) {
  case '?':
  case '*':
    min = 0;
    p->pos++;
    break;
  case '+':
    min = 1;
    p->pos++;
    break;
  case '{': {
    long n = 0;
    int digits = 0;
    save = p->pos;
    p->pos++;
    while (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '9') {
      if (n < 100000)
        n = n * 10 + (long)(lp_peek(p) - '0');
      digits++;
      p->pos++;
    }
    if (digits > 0 && lp_more(p) && lp_peek(p) == ',') {
      p->pos++;
      while (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '9')
        p->pos++;
    }
    if (digits == 0 || !lp_more(p) || lp_peek(p) != '}') {
      p->pos = save; /* a literal '{' */
      return -1;
    }
    p->pos++;
    min = n;
    break;
  }
  default:
    return -1;
  }
  if (lp_more(p) && (lp_peek(p) == '?' || lp_peek(p) == '+'))
    p->pos++;
  return min;
}

/* Skips a character class; pos is just after '['. */
static void lp_skip_class(lparse_t *p) {
  if (lp_more(p) && lp_peek(p) == '^')
    p->pos++;
  if (lp_more(p) && lp_peek(p) == ']')
    p->pos++;
  while (lp_more(p)) {
    unsigned c = lp_peek(p);
    if (c == ']') {
      p->pos++;
      return;
    }
    if (c == '\\') {
      if (p->pos + 1 < p->len && p->s[p->pos + 1] == 'Q') {
        p->failed = 1;
        return;
      }
      p->pos += 2;
      continue;
    }
    if (c == '[' && p->pos + 1 < p->len &&
        (p->s[p->pos + 1] == ':' || p->s[p->pos + 1] == '.' ||
         p->s[p->pos + 1] == '=')) {
      const unsigned char *end =
          memchr(p->s + p->pos + 2, ']', p->len - p->pos - 2);
      if (end == NULL) {
        p->failed = 1;
        return;
      }
      p->pos = (size_t)(end - p->s) + 1;
      continue;
    }
    p->pos++;
  }
  p->failed = 1; /* unterminated */
}

/* Skips a delimited name: <...>, '...' or {...}. */
static void lp_skip_delim(lparse_t *p) {
  unsigned open;
  unsigned close;

  if (!lp_more(p)) {
    p->failed = 1;
    return;
  }
  open = lp_peek(p);
  close = open == '<' ? '>' : open == '{' ? '}' : open == '\'' ? '\'' : 0;
  if (close == 0) {
    p->failed = 1;
    return;
  }
  p->pos++;
  while (lp_more(p) && lp_peek(p) != close)
    p->pos++;
  if (!lp_more(p))
    p->failed = 1;
  else
    p->pos++;
}

enum { ATOM_LIT, ATOM_ANY, ATOM_ZERO, ATOM_QUOTE, ATOM_NONE };

/* Parses an escape (pos after '\'). Sets *byte for ATOM_LIT. */
static int lp_escape(lparse_t *p, unsigned *byte) {
  unsigned c;

  if (!lp_more(p)) {
    p->failed = 1;
    return ATOM_ANY;
  }
  c = p->s[p->pos++];
  switch (c) {
  case 'd':
  case 'D':
  case 'w':
  case 'W':
  case 's':
  case 'S':
  case 'h':
  case 'H':
  case 'v':
  case 'V':
  case 'R':
  case 'X':
  case 'C':
    return ATOM_ANY;
  case 'N':
    if (lp_more(p) && lp_peek(p) == '{')
      p->failed = 1;
    return ATOM_ANY;
  case 'p':
  case 'P':
    if (lp_more(p) && lp_peek(p) == '{')
      lp_skip_delim(p);
    else if (lp_more(p))
      p->pos++;
    return ATOM_ANY;
  case 'b':
  case 'B':
  case 'A':
  case 'z':
  case 'Z':
  case 'G':
  case 'K':
    return ATOM_ZERO;
  case 'Q':
    return ATOM_QUOTE;
  case 'E':
    return ATOM_NONE;
  case 'n':
    *byte = '\n';
    return ATOM_LIT;
  case 't':
    *byte = '\t';
    return ATOM_LIT;
  case 'r':
    *byte = '\r';
    return ATOM_LIT;
  case 'f':
    *byte = '\f';
    return ATOM_LIT;
  case 'e':
    *byte = 0x1b;
    return ATOM_LIT;
  case 'a':
    *byte = 0x07;
    return ATOM_LIT;
  case 'c':
    if (!lp_more(p)) {
      p->failed = 1;
      return ATOM_ANY;
    }
    c = p->s[p->pos++];
    if (c >= 'a' && c <= 'z')
      c -= 32;
    *byte = c ^ 0x40;
    return ATOM_LIT;
  case 'x': {
    unsigned v = 0;
    int n = 0;
    if (lp_more(p) && lp_peek(p) == '{') {
      p->pos++;
      while (lp_more(p) && hexval(lp_peek(p)) >= 0 && n < 8) {
        v = v * 16 + (unsigned)hexval(lp_peek(p));
        p->pos++;
        n++;
      }
      if (!lp_more(p) || lp_peek(p) != '}' || n == 0 || v > 255) {
        p->failed = 1;
        return ATOM_ANY;
      }
      p->pos++;
    } else {
      while (lp_more(p) && hexval(lp_peek(p)) >= 0 && n < 2) {
        v = v * 16 + (unsigned)hexval(lp_peek(p));
        p->pos++;
        n++;
      }
    }
    *byte = v;
    return ATOM_LIT;
  }
  case '0': {
    unsigned v = 0;
    int n = 0;
    while (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '7' && n < 2) {
      v = v * 8 + (lp_peek(p) - '0');
      p->pos++;
      n++;
    }
    *byte = v;
    return ATOM_LIT;
  }
  case 'g':
  case 'k':
    if (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '9') {
      while (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '9')
        p->pos++;
    } else if (lp_more(p) && (lp_peek(p) == '-' || lp_peek(p) == '+')) {
      p->pos++;
      while (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '9')
        p->pos++;
    } else {
      lp_skip_delim(p);
    }
    return ATOM_ANY;
  default:
    break;
  }
  if (c >= '1' && c <= '9') {
    while (lp_more(p) && lp_peek(p) >= '0' && lp_peek(p) <= '9')
      p->pos++;
    return ATOM_ANY; /* back reference (or octal): not a fixed byte */
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    p->failed = 1; /* unknown escape */
    return ATOM_ANY;
  }
  *byte = c;
  return ATOM_LIT;
}

static void lp_alternation(lparse_t *p, lres_t *out);

/* Ends the current run: it competes for best, and the sequence is no
 * longer one fixed string. */
static void seq_break(lres_t *r, ex_literal_t *run, int *exact) {
  if (r->prefix_open) {
    r->prefix = *run;
    r->has_prefix = run->len > 0;
    r->prefix_open = 0;
  }
  lit_consider(&r->best, run);
  run->len = 0;
  run->caseless = 0;
  *exact = 0;
}

/* Handles a literal byte followed by an optional quantifier. */
static void seq_literal(lparse_t *p, lres_t *r, ex_literal_t *run, int *exact,
                        unsigned byte) {
  long q = lp_quantifier(p);

  if (q == 0) {
    seq_break(r, run, exact);
    return;
  }
  if (!lit_append(run, byte, p->caseless))
    *exact = 0;
  if (q > 0)
    seq_break(r, run, exact);
}

/* Parses a group; pos is just after '('. Adds what it requires to the
 * sequence. */
static void seq_group(lparse_t *p, lres_t *r, ex_literal_t *run, int *exact) {
  int saved_caseless = p->caseless;
  int saved_extended = p->extended;
  int lookaround = 0;
  lres_t inner;
  long q;

  if (lp_more(p) && lp_peek(p) == '*') {
    p->failed = 1; /* (*VERB) */
    return;
  }
  if (lp_more(p) && lp_peek(p) == '?') {
    unsigned c;
    p->pos++;
    if (!lp_more(p)) {
      p->failed = 1;
      return;
    }
    c = lp_peek(p);
    if (c == '#') {
      while (lp_more(p) && lp_peek(p) != ')')
        p->pos++;
      if (lp_more(p))
        p->pos++;
      return;
    }
    if (c == ':' || c == '|' || c == '>') {
      p->pos++;
    } else if (c == '=' || c == '!') {
      p->pos++;
      lookaround = 1;
    } else if (c == '<' && p->pos + 1 < p->len &&
               (p->s[p->pos + 1] == '=' || p->s[p->pos + 1] == '!')) {
      p->pos += 2;
      lookaround = 1;
    } else if (c == '<' || c == '\'') {
      lp_skip_delim(p);
    } else if (c == 'P' && p->pos + 1 < p->len && p->s[p->pos + 1] == '<') {
      p->pos++;
      lp_skip_delim(p);
    } else {
      /* Inline options: (?i) (?-i) (?x) (?i:...) (?^...) */
      int on = 1;
      while (lp_more(p) && lp_peek(p) != ')' && lp_peek(p) != ':') {
        c = lp_peek(p);
        if (c == '-')
          on = 0;
        else if (c == '^')
          p->caseless = p->extended = 0;
        else if (c == 'i')
          p->caseless = on;
        else if (c == 'x')
          p->extended = on;
        else if (!(c == 'm' || c == 's' || c == 'n' || c == 'J' || c == 'U' ||
                   c == 'a' || c == 'u' || c == 'r'))
          p->failed = 1; /* recursion, conditionals, callouts... */
        p->pos++;
        if (p->failed)
          return;
      }
      if (!lp_more(p)) {
        p->failed = 1;
        return;
      }
      if (lp_peek(p) == ')') {
        /* Applies to the rest of the enclosing group: keep the flags. */
        p->pos++;
        return;
      }
      p->pos++; /* ':' */
    }
  }
  if (p->failed)
    return;
  if (++p->depth > LIT_DEPTH) {
    p->failed = 1;
    return;
  }
  lp_alternation(p, &inner);
  p->depth--;
  p->caseless = saved_caseless;
  p->extended = saved_extended;
  if (p->failed)
    return;
  if (!lp_more(p) || lp_peek(p) != ')') {
    p->failed = 1;
    return;
  }
  p->pos++;
  q = lp_quantifier(p);
  if (lookaround || q == 0) {
    seq_break(r, run, exact);
    return;
  }
  if (inner.exact && q < 0) {
    size_t i;
    for (i = 0; i < inner.whole.len; i++)
      if (!lit_append(run, inner.whole.bytes[i], 0))
        *exact = 0;
    if (inner.whole.caseless)
      run->caseless = 1;
    return;
  }
  if (inner.exact) {
    /* (?:abc)+ : abc is required, the run ends after it. */
    size_t i;
    for (i = 0; i < inner.whole.len; i++)
      lit_append(run, inner.whole.bytes[i], 0);
    if (inner.whole.caseless)
      run->caseless = 1;
    seq_break(r, run, exact);
    return;
  }
  if (q < 0 && inner.has_prefix) {
    /* A group every match goes through once: its leading fixed string
     * continues the run before it. */
    size_t i;
    for (i = 0; i < inner.prefix.len; i++)
      lit_append(run, inner.prefix.bytes[i], 0);
    if (inner.prefix.caseless)
      run->caseless = 1;
  }
  seq_break(r, run, exact);
  lset_consider(&r->best, &inner.best);
}

/* Parses one branch up to '|', ')' or the end. */
static void lp_sequence(lparse_t *p, lres_t *r) {
  ex_literal_t run;
  int exact = 1;

  memset(r, 0, sizeof(*r));
  memset(&run, 0, sizeof(run));
  r->prefix_open = 1;
  for (;;) {
    unsigned c;
    unsigned byte = 0;
    int kind;

    lp_skip_space(p);
    if (p->failed || !lp_more(p))
      break;
    c = lp_peek(p);
    if (c == '|' || c == ')')
      break;
    p->pos++;
    switch (c) {
    case '(':
      seq_group(p, r, &run, &exact);
      break;
    case '[':
      lp_skip_class(p);
      lp_quantifier(p);
      seq_break(r, &run, &exact);
      break;
    case '.':
      lp_quantifier(p);
      seq_break(r, &run, &exact);
      break;
    case '^':
    case '$':
      break;
    case '\\':
      kind = lp_escape(p, &byte);
      if (kind == ATOM_LIT) {
        seq_literal(p, r, &run, &exact, byte);
      } else if (kind == ATOM_ANY) {
        lp_quantifier(p);
        seq_break(r, &run, &exact);
      } else if (kind == ATOM_QUOTE) {
        while (lp_more(p)) {
          if (lp_peek(p) == '\\' && p->pos + 1 < p->len &&
              p->s[p->pos + 1] == 'E') {
            p->pos += 2;
            break;
          }
          byte = lp_peek(p);
          p->pos++;
          /* Only the last quoted byte can take a quantifier. */
          if (lp_more(p) && lp_peek(p) == '\\' && p->pos + 1 < p->len &&
              p->s[p->pos + 1] == 'E') {
            p->pos += 2;
            seq_literal(p, r, &run, &exact, byte);
            break;
          }
          if (!lit_append(&run, byte, p->caseless))
            exact = 0;
        }
      } else if (kind == ATOM_ZERO) {
        lp_quantifier(p);
      }
      break;
    case '*':
    case '+':
    case '?':
      p->failed = 1; /* quantifier without an atom */
      break;
    default:
      seq_literal(p, r, &run, &exact, c);
      break;
    }
  }
  if (exact && !p->failed) {
    r->exact = 1;
    r->whole = run;
  }
  if (r->prefix_open) {
    r->prefix = run;
    r->has_prefix = run.len > 0;
    r->prefix_open = 0;
  }
  lit_consider(&r->best, &run);
}

static void lp_alternation(lparse_t *p, lres_t *out) {
  lres_t branch;
  lset_t all;
  int nbranches = 0;
  int usable = 1;

  memset(&all, 0, sizeof(all));
  for (;;) {
    lp_sequence(p, &branch);
    if (p->failed)
      return;
    nbranches++;
    if (nbranches == 1) {
      *out = branch;
    }
    if (branch.best.n == 0 || all.n + branch.best.n > LIT_ALTS) {
      usable = 0;
    } else {
      memcpy(&all.lit[all.n], branch.best.lit,
             branch.best.n * sizeof(branch.best.lit[0]));
      all.n += branch.best.n;
    }
    if (!lp_more(p) || lp_peek(p) != '|')
      break;
    p->pos++;
  }
  if (nbranches == 1)
    return;
  memset(out, 0, sizeof(*out));
  if (usable) {
    all.cost = lset_cost(&all);
    out->best = all;
  }
}

int ex_literals_extract(const char *src, size_t len, ex_literal_t *lits,
                        size_t max) {
  lparse_t p;
  lres_t res;
  size_t i;

  memset(&p, 0, sizeof(p));
  p.s = (const unsigned char *)src;
  p.len = len;
  lp_alternation(&p, &res);
  if (p.failed || p.pos != p.len || res.best.n == 0)
    return 0;
  for (i = 0; i < res.best.n; i++)
    if (res.best.lit[i].len < EX_LITERAL_MIN)
      return 0;
  if (res.best.n > max)
    return -E2BIG;
  memcpy(lits, res.best.lit, res.best.n * sizeof(res.best.lit[0]));
  return (int)res.best.n;
}
