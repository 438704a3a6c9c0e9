/* The literal prefilter: finds, in one pass, where a pattern can match.
 *
 * Each literal is indexed by its rarest 3-byte sequence (trigram), exactly
 * as written, rarity coming from a table of byte frequencies in program
 * output with a penalty for trigrams of running text (see
 * ex__literal_cost()): upper-case letters and punctuation are rare, which
 * makes trigrams such as "eNo" of "ModuleNotFoundError" selective. A
 * caseless literal is indexed under every case variant of its trigram (at
 * most 8). Scanning hashes the trigram at each position into a 64 KiB byte
 * map (about 0.4% false positives with the 230 rules); a hit looks the
 * trigram up in a small hash table and verifies that trigram's literals
 * with memcmp, each distinct literal once.
 *
 * Two scans share the tables: ex__prefilter_find() runs over whole chunks
 * of lines and stops at the first verified literal, eight positions per
 * AVX2 step (one shuffle, one multiply, one gather) where the CPU has it,
 * else six positions per 8-byte load and one branch for the six;
 * ex__prefilter_scan() lists the candidate patterns of one line, the few
 * lines find() stopped at. Each map entry is the set of the bytes (& 7)
 * that follow the keys hashing there, and a hit counts only when the byte
 * after its trigram is in the set: in log text most key hits are common
 * words that go on differently (".js" of ".json" for ". This version of
 * Node.js requires"); this drops 85% of them before the hash table, and
 * the vector loop tests it without a branch.
 *
 * Measured on 1 GiB of log text with 230 rules (bench/log.sh, -O2): a plain
 * bigram bitmap gave 59 MB/s (the bigrams of messages are too common), a
 * rolling trigram with a 2-hash Bloom filter 200 MB/s, the per-line scan
 * with a 32 KiB map 240 MB/s, whole chunks with better trigrams 450+ MB/s.
 * A 128 KiB map was slower than 64 KiB (cache misses), and so was a 32 KiB
 * bit map that fits in L1 (the bit arithmetic costs more than it saves).
 * bench/match_bench on 64 MiB of bench/launcher.sh's log text, best of 12:
 * 646 MB/s before the vector loop and the next-byte sets, 955 MB/s after;
 * keying each literal by two adjacent trigrams to look at every other
 * position only was slower (294 vs 446 MB/s: twice the keys, commoner
 * ones). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "matcher/matcher_int.h"
#include "platform/platform.h"

/* AVX2 where glibc says the CPU and the kernel support it: glibc's own
 * record, read without a CPUID (GCC's __builtin_cpu_supports would add a
 * constructor running CPUID at every start-up, which costs about 100 us
 * in a virtual machine). */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <immintrin.h>
#include <sys/platform/x86.h>
#define PF_AVX2 1
#endif
#endif

#define PF_BITS 16 /* 2^16-entry byte map = 64 KiB */

typedef struct pf_lit_s {
  ex_literal_t lit;
  uint32_t pattern;
  uint32_t tri; /* trigram, as written */
  uint8_t off;  /* position of the trigram in the literal */
} pf_lit_t;

struct ex_prefilter_s {
  /* Per hashed trigram, the bytes that follow the keys hashing there, as a
   * set of (byte & 7); nonzero: some key hashes here. A hit whose next
   * byte is not in the set is no literal's key. 0xFF when some literal
   * ends with its key. fold[] follows: the vector loop reads 4 bytes at
   * each entry. */
  uint8_t map[1u << PF_BITS];
  unsigned char fold[256];
  pf_lit_t *lits;
  size_t nlits;
  size_t cap;
  uint32_t *order; /* literal index of each key entry, sorted by trigram */
  uint8_t *dup;    /* entry j has the same literal as entry j - 1 */
  uint32_t *keys;  /* distinct trigrams, sorted */
  uint32_t *start; /* first index in order of each key (+ end) */
  size_t nkeys;
  uint32_t *slots; /* open-addressing table: key index + 1, 0 = empty */
  uint32_t mask;
  uint32_t npatterns;
  uint32_t *stamp; /* per pattern: last scan that marked it */
  uint32_t gen;
  int simd; /* find() uses AVX2 (this CPU has it) */
};

static inline uint32_t pf_h1(uint32_t tri) {
  return (tri * 0x9E3779B1u) >> (32 - PF_BITS);
}

static inline uint32_t pf_h2(uint32_t tri) {
  return ((tri ^ (tri >> 13)) * 0x85EBCA6Bu) >> (32 - PF_BITS);
}

int ex__prefilter_new(ex_prefilter_t **out) {
  ex_prefilter_t *pf = ex_calloc(1, sizeof(*pf));
  unsigned c;

  *out = NULL;
  if (pf == NULL)
    return -ENOMEM;
  for (c = 0; c < 256; c++)
    pf->fold[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  ex__prefilter_set_simd(pf, 1);
  *out = pf;
  return 0;
}

void ex__prefilter_free(ex_prefilter_t *pf) {
  if (pf == NULL)
    return;
  ex_free(pf->lits);
  ex_free(pf->order);
  ex_free(pf->start);
  ex_free(pf->keys);
  ex_free(pf->stamp);
  ex_free(pf->slots);
  ex_free(pf->dup);
  ex_free(pf);
}

int ex__prefilter_add(ex_prefilter_t *pf, const ex_literal_t *lit,
                      uint32_t pattern) {
  return ex__prefilter_add_key(pf, lit, pattern, (size_t)-1);
}

int ex__prefilter_add_key(ex_prefilter_t *pf, const ex_literal_t *lit,
                          uint32_t pattern, size_t key) {
  pf_lit_t *l;
  size_t i = 0;

  if (lit->len < 3)
    return -EINVAL;
  if (pf->nlits == pf->cap) {
    size_t cap = pf->cap ? pf->cap * 2 : 64;
    pf_lit_t *p = ex_realloc(pf->lits, cap * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    pf->lits = p;
    pf->cap = cap;
  }
  l = &pf->lits[pf->nlits];
  l->lit = *lit;
  l->pattern = pattern;
  ex__literal_cost(lit, &i);
  if (key != (size_t)-1 && key + 3 <= lit->len)
    i = key;
  l->off = (uint8_t)i;
  l->tri = (uint32_t)lit->bytes[i] | (uint32_t)lit->bytes[i + 1] << 8 |
           (uint32_t)lit->bytes[i + 2] << 16;
  pf->nlits++;
  return 0;
}

/* Orders (trigram << 32 | literal) entries by trigram, then by literal
 * text, so that equal literals of different patterns are adjacent and
 * verified once. */
static int entry_cmp(const void *a, const void *b, void *ud) {
  const ex_prefilter_t *pf = ud;
  uint64_t x = *(const uint64_t *)a;
  uint64_t y = *(const uint64_t *)b;
  const ex_literal_t *lx = &pf->lits[(uint32_t)x].lit;
  const ex_literal_t *ly = &pf->lits[(uint32_t)y].lit;
  size_t n = lx->len < ly->len ? lx->len : ly->len;
  int c;

  if ((x >> 32) != (y >> 32))
    return (x >> 32) < (y >> 32) ? -1 : 1;
  if (lx->caseless != ly->caseless)
    return lx->caseless - ly->caseless;
  c = memcmp(lx->bytes, ly->bytes, n);
  if (c != 0)
    return c;
  if (lx->len != ly->len)
    return lx->len < ly->len ? -1 : 1;
  return x < y ? -1 : x > y;
}

static int same_literal(const pf_lit_t *a, const pf_lit_t *b) {
  return a->lit.len == b->lit.len && a->lit.caseless == b->lit.caseless &&
         a->off == b->off &&
         memcmp(a->lit.bytes, b->lit.bytes, a->lit.len) == 0;
}

/* The case variants of a caseless literal's trigram (1 to 8). */
static size_t tri_variants(const pf_lit_t *l, uint32_t *out) {
  size_t n = 1;
  int k;

  out[0] = l->tri;
  if (!l->lit.caseless)
    return 1;
  for (k = 0; k < 3; k++) {
    unsigned c = (l->tri >> (8 * k)) & 0xff;
    size_t i;
    size_t m = n;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
      continue;
    for (i = 0; i < m; i++)
      out[n++] = out[i] ^ (0x20u << (8 * k));
  }
  return n;
}

/* The bit of the byte after l's key, or all of them when the key ends
 * the literal. The case of a letter (0x20) leaves the low three bits
 * alone: one bit serves a caseless literal too. */
static uint8_t next_bits(const pf_lit_t *l) {
  if ((size_t)l->off + 3 >= l->lit.len)
    return 0xFF;
  return (uint8_t)(1u << (l->lit.bytes[l->off + 3] & 7));
}

int ex__prefilter_build(ex_prefilter_t *pf, uint32_t npatterns) {
  uint64_t *sorted;
  size_t nsorted = 0;
  size_t i;

  pf->npatterns = npatterns;
  pf->order = ex_calloc(pf->nlits * 8 + 1, sizeof(*pf->order));
  pf->keys = ex_calloc(pf->nlits * 8 + 1, sizeof(*pf->keys));
  pf->start = ex_calloc(pf->nlits * 8 + 2, sizeof(*pf->start));
  pf->stamp = ex_calloc((size_t)npatterns + 1, sizeof(*pf->stamp));
  sorted = ex_calloc(pf->nlits * 8 + 1, sizeof(*sorted));
  pf->dup = ex_calloc(pf->nlits * 8 + 1, 1);
  if (pf->dup == NULL || pf->order == NULL || pf->keys == NULL ||
      pf->start == NULL || pf->stamp == NULL || sorted == NULL) {
    ex_free(sorted);
    return -ENOMEM;
  }
  /* Sort (trigram, literal) keys so each trigram's literals are adjacent. */
  for (i = 0; i < pf->nlits; i++) {
    uint32_t v[8];
    size_t k;
    size_t nv = tri_variants(&pf->lits[i], v);
    for (k = 0; k < nv; k++)
      sorted[nsorted++] = (uint64_t)v[k] << 32 | i;
  }
  qsort_r(sorted, nsorted, sizeof(*sorted), entry_cmp, pf);
  pf->nkeys = 0;
  for (i = 0; i < nsorted; i++) {
    uint32_t tri = (uint32_t)(sorted[i] >> 32);
    pf->order[i] = (uint32_t)sorted[i];
    pf->dup[i] =
        i > 0 && (uint32_t)(sorted[i - 1] >> 32) == tri &&
        same_literal(&pf->lits[pf->order[i - 1]], &pf->lits[pf->order[i]]);
    if (pf->nkeys == 0 || pf->keys[pf->nkeys - 1] != tri) {
      pf->keys[pf->nkeys] = tri;
      pf->start[pf->nkeys] = (uint32_t)i;
      pf->nkeys++;
    }
    pf->map[pf_h1(tri)] |= next_bits(&pf->lits[pf->order[i]]);
  }
  pf->start[pf->nkeys] = (uint32_t)nsorted;
  ex_free(sorted);
  /* Hash table of the keys, at most 1/4 full. */
  pf->mask = 15;
  while (pf->mask + 1 < 4 * pf->nkeys)
    pf->mask = pf->mask * 2 + 1;
  pf->slots = ex_calloc((size_t)pf->mask + 1, sizeof(*pf->slots));
  if (pf->slots == NULL)
    return -ENOMEM;
  for (i = 0; i < pf->nkeys; i++) {
    uint32_t h = pf_h2(pf->keys[i]) & pf->mask;
    while (pf->slots[h] != 0)
      h = (h + 1) & pf->mask;
    pf->slots[h] = (uint32_t)i + 1;
  }
  return 0;
}

static int lit_at(const ex_prefilter_t *pf, const pf_lit_t *l,
                  const unsigned char *s, size_t len, size_t i) {
  size_t k;
  const unsigned char *p;

  if (i < l->off || i - l->off + l->lit.len > len)
    return 0;
  p = s + (i - l->off);
  if (!l->lit.caseless)
    return memcmp(p, l->lit.bytes, l->lit.len) == 0;
  for (k = 0; k < l->lit.len; k++)
    if (pf->fold[p[k]] != pf->fold[l->lit.bytes[k]])
      return 0;
  return 1;
}

static int u32_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a;
  uint32_t y = *(const uint32_t *)b;

  return x < y ? -1 : x > y;
}

/* Verifies the literals of trigram `tri`, which ends at s[i]. */
static size_t pf_hit(ex_prefilter_t *pf, const unsigned char *s, size_t len,
                     size_t i, uint32_t tri, uint32_t *out, size_t n) {
  uint32_t h = pf_h2(tri) & pf->mask;
  size_t key;
  size_t j;

  for (;;) {
    uint32_t slot = pf->slots[h];
    if (slot == 0)
      return n; /* a false positive of the map */
    if (pf->keys[slot - 1] == tri) {
      key = slot - 1;
      break;
    }
    h = (h + 1) & pf->mask;
  }
  {
    int ok = 0;
    for (j = pf->start[key]; j < pf->start[key + 1]; j++) {
      const pf_lit_t *l = &pf->lits[pf->order[j]];
      /* Equal literals are adjacent: the text is verified once. */
      if (!pf->dup[j])
        ok = lit_at(pf, l, s, len, i - 2);
      if (ok && pf->stamp[l->pattern] != pf->gen) {
        pf->stamp[l->pattern] = pf->gen;
        out[n++] = l->pattern;
      }
    }
  }
  return n;
}

/* The trigram at s[i..i+3), little-endian like a 32-bit load. */
static inline uint32_t tri_at(const unsigned char *s, size_t i) {
  return (uint32_t)s[i] | (uint32_t)s[i + 1] << 8 | (uint32_t)s[i + 2] << 16;
}

/* Eight bytes as a little-endian number (one load where the CPU is
 * little-endian). */
static inline uint64_t load_le64(const unsigned char *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
#else
  uint64_t v = 0;
  int k;
  for (k = 7; k >= 0; k--)
    v = v << 8 | p[k];
  return v;
#endif
}

/* The byte after the trigram at s[at] can follow a key that hashes like
 * it (or there is no such byte). */
static inline int pf_next_ok(const ex_prefilter_t *pf, const unsigned char *s,
                             size_t len, size_t at, uint32_t tri) {
  return at + 3 >= len || ((pf->map[pf_h1(tri)] >> (s[at + 3] & 7)) & 1);
}

/* Whether one of the literals of trigram `tri`, which ends at s[i],
 * occurs there. */
static int pf_verify(const ex_prefilter_t *pf, const unsigned char *s,
                     size_t len, size_t i, uint32_t tri) {
  uint32_t h = pf_h2(tri) & pf->mask;
  size_t j;

  for (;;) {
    uint32_t slot = pf->slots[h];
    if (slot == 0)
      return 0; /* a false positive of the map */
    if (pf->keys[slot - 1] == tri)
      break;
    h = (h + 1) & pf->mask;
  }
  for (j = pf->start[pf->slots[h] - 1]; j < pf->start[pf->slots[h]]; j++)
    if (!pf->dup[j] && lit_at(pf, &pf->lits[pf->order[j]], s, len, i - 2))
      return 1;
  return 0;
}

void ex__prefilter_set_simd(ex_prefilter_t *pf, int on) {
#ifdef PF_AVX2
  pf->simd = on && CPU_FEATURE_ACTIVE(AVX2);
#else
  (void)on;
  pf->simd = 0;
#endif
}

#ifdef PF_AVX2
/* Eight positions per step: the eight trigrams of 16 bytes spread into
 * 32-bit lanes by one shuffle, hashed by one multiply, looked up in the
 * map by one gather (4 bytes at map + hash: the lowest is the entry; the
 * map is followed by fold[] in the struct, so the read stays inside it).
 * Sets *done to where the scalar loop goes on when nothing was found. */
__attribute__((target("avx2"))) static size_t
find_avx2(const ex_prefilter_t *pf, const unsigned char *s, size_t len,
          size_t *done) {
  const __m256i spread = _mm256_setr_epi8(
      0, 1, 2, -128, 1, 2, 3, -128, 2, 3, 4, -128, 3, 4, 5, -128, /* 0-3 */
      4, 5, 6, -128, 5, 6, 7, -128, 6, 7, 8, -128, 7, 8, 9, -128); /* 4-7 */
  const __m256i after = _mm256_setr_epi8(
      3, -128, -128, -128, 4, -128, -128, -128, 5, -128, -128, -128, 6, -128,
      -128, -128, 7, -128, -128, -128, 8, -128, -128, -128, 9, -128, -128,
      -128, 10, -128, -128, -128);
  const __m256i golden = _mm256_set1_epi32((int)0x9E3779B1u);
  const __m256i low = _mm256_set1_epi32(0xFF);
  const __m256i seven = _mm256_set1_epi32(7);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i zero = _mm256_setzero_si256();
  const int *map = (const int *)(const void *)pf->map;
  size_t i;

  for (i = 0; i + 16 <= len; i += 8) {
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    __m256i bb = _mm256_broadcastsi128_si256(b);
    __m256i t = _mm256_shuffle_epi8(bb, spread);
    __m256i n = _mm256_and_si256(_mm256_shuffle_epi8(bb, after), seven);
    __m256i h = _mm256_srli_epi32(_mm256_mullo_epi32(t, golden),
                                  32 - PF_BITS);
    __m256i e = _mm256_and_si256(_mm256_i32gather_epi32(map, h, 1), low);
    /* The entry's bit for the byte after the trigram (bytes 3-10 of the
     * 16 loaded: always there). */
    __m256i bit = _mm256_and_si256(_mm256_srlv_epi32(e, n), one);
    unsigned hits = ~(unsigned)_mm256_movemask_ps(
                        _mm256_castsi256_ps(_mm256_cmpeq_epi32(bit, zero))) &
                    0xFFu;
    while (hits != 0) {
      size_t k = (size_t)__builtin_ctz(hits);
      hits &= hits - 1;
      if (pf_verify(pf, s, len, i + k + 2, tri_at(s, i + k)))
        return i + k;
    }
  }
  *done = i;
  return len;
}
#endif

size_t ex__prefilter_find(const ex_prefilter_t *pf, const unsigned char *s,
                          size_t len) {
  const uint8_t *map = pf->map;
  size_t i = 0;
  size_t k;

  if (len < 3 || pf->nkeys == 0)
    return len;
#ifdef PF_AVX2
  if (pf->simd) {
    size_t at = find_avx2(pf, s, len, &i);
    if (at < len)
      return at;
  }
#endif
  /* Six trigrams from each 8-byte load, looked up together: one branch
   * per six positions while the map says no. */
  for (; i + 8 <= len; i += 6) {
    uint64_t v = load_le64(s + i);
    /* Entries are byte sets: only whether they are empty counts here. */
    unsigned hits = (unsigned)(map[pf_h1((uint32_t)v & 0xFFFFFFu)] != 0) |
                    (unsigned)(map[pf_h1((uint32_t)(v >> 8) & 0xFFFFFFu)] != 0)
                        << 1 |
                    (unsigned)(map[pf_h1((uint32_t)(v >> 16) & 0xFFFFFFu)] != 0)
                        << 2 |
                    (unsigned)(map[pf_h1((uint32_t)(v >> 24) & 0xFFFFFFu)] != 0)
                        << 3 |
                    (unsigned)(map[pf_h1((uint32_t)(v >> 32) & 0xFFFFFFu)] != 0)
                        << 4 |
                    (unsigned)(map[pf_h1((uint32_t)(v >> 40) & 0xFFFFFFu)] != 0)
                        << 5;
    while (hits != 0) {
      k = (size_t)__builtin_ctz(hits);
      hits &= hits - 1;
      uint32_t tri = (uint32_t)(v >> (8 * k)) & 0xFFFFFFu;
      if (pf_next_ok(pf, s, len, i + k, tri) &&
          pf_verify(pf, s, len, i + k + 2, tri))
        return i + k;
    }
  }
  for (; i + 3 <= len; i++) {
    uint32_t tri = tri_at(s, i);
    if (map[pf_h1(tri)] && pf_next_ok(pf, s, len, i, tri) &&
        pf_verify(pf, s, len, i + 2, tri))
      return i;
  }
  return len;
}

size_t ex__prefilter_scan(ex_prefilter_t *pf, const unsigned char *s,
                          size_t len, uint32_t *out) {
  const uint8_t *map = pf->map;
  size_t n = 0;
  size_t i;
  uint32_t tri;

  if (len < 3 || pf->nkeys == 0)
    return 0;
  if (++pf->gen == 0) {
    memset(pf->stamp, 0, pf->npatterns * sizeof(*pf->stamp));
    pf->gen = 1;
  }
  /* Each position loads its own 4 bytes: no dependency between iterations,
   * so the CPU overlaps them. A map hit (a key, or one of about 5% false
   * positives) goes to the hash table. */
  for (i = 0; i + 4 <= len; i++) {
    uint32_t v;
    memcpy(&v, s + i, 4);
    tri = v & 0xFFFFFFu;
    if (map[pf_h1(tri)])
      n = pf_hit(pf, s, len, i + 2, tri, out, n);
  }
  tri = tri_at(s, len - 3);
  if (map[pf_h1(tri)])
    n = pf_hit(pf, s, len, len - 1, tri, out, n);
  if (n > 1)
    qsort(out, n, sizeof(*out), u32_cmp);
  return n;
}
