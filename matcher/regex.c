/* The only file of explain that knows PCRE2. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

/* Under valgrind, JIT-compiled code gives false "uninitialised value"
 * reports (PCRE2's documentation says as much): the interpreter is used
 * there, with the same results. RUNNING_ON_VALGRIND costs a few no-op
 * instructions on a real CPU. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define EX_UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef EX_UNDER_VALGRIND
#define EX_UNDER_VALGRIND() 0
#endif

#include "matcher/matcher.h"
#include "platform/platform.h"

struct ex_regex_s {
  pcre2_code *code;
  pcre2_match_context *mctx;
  int jit;
  uint32_t ngroups; /* capturing groups */
  size_t nnames;
  const char **names; /* point into the PCRE2 name table */
  int *groups;        /* group number of each name */
};

struct ex_regex_scratch_s {
  pcre2_match_data *md;
  pcre2_general_context *gctx; /* for growing md */
  uint32_t pairs;
};

/* PCRE2 allocates through explain's allocator, so that running out of
 * memory inside PCRE2 is a clean -ENOMEM too (and the torture tests reach
 * it). A general context only carries the two functions; each object that
 * needs one makes its own, which keeps this file free of global state. */
static void *pcre_malloc(PCRE2_SIZE size, void *ud) {
  (void)ud;
  return ex_malloc(size);
}

static void pcre_free(void *p, void *ud) {
  (void)ud;
  ex_free(p);
}

static pcre2_general_context *gctx_new(void) {
  return pcre2_general_context_create(pcre_malloc, pcre_free, NULL);
}

static int ex__regex_names_load(ex_regex_t *re) {
  uint32_t count = 0;
  uint32_t entry = 0;
  PCRE2_SPTR table = NULL;
  size_t i;
  size_t n = 0;

  pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
  if (count == 0)
    return 0;
  pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
  pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
  re->names = ex_calloc(count, sizeof(*re->names));
  re->groups = ex_calloc(count, sizeof(*re->groups));
  if (re->names == NULL || re->groups == NULL)
    return -ENOMEM;
  /* The table is sorted by name; with (?J) a name may repeat: keep one. */
  for (i = 0; i < count; i++) {
    PCRE2_SPTR e = table + i * entry;
    const char *name = (const char *)(e + 2);
    if (n > 0 && strcmp(re->names[n - 1], name) == 0)
      continue;
    re->names[n] = name;
    re->groups[n] = (e[0] << 8) | e[1];
    n++;
  }
  re->nnames = n;
  return 0;
}

int ex_regex_compile(const char *src, size_t len, int flags, ex_regex_t **out,
                     ex_regex_error_t *err) {
  ex_regex_t *re = NULL;
  pcre2_general_context *gctx = NULL;
  pcre2_compile_context *cctx = NULL;
  int code = 0;
  PCRE2_SIZE off = 0;
  int rc;

  *out = NULL;
  re = ex_calloc(1, sizeof(*re));
  gctx = gctx_new();
  cctx = gctx != NULL ? pcre2_compile_context_create(gctx) : NULL;
  if (re == NULL || cctx == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  re->code = pcre2_compile((PCRE2_SPTR)src, len,
                           (flags & EX_REGEX_ANCHORED) ? PCRE2_ANCHORED : 0,
                           &code, &off, cctx);
  if (re->code == NULL) {
    /* Out of memory is a compile error code of its own (HEAP_FAILED), not
     * the match-time NOMEMORY. */
    if (code == PCRE2_ERROR_HEAP_FAILED || code == PCRE2_ERROR_NOMEMORY) {
      rc = -ENOMEM;
      goto cleanup;
    }
    if (err != NULL) {
      pcre2_get_error_message(code, (PCRE2_UCHAR *)err->message,
                              sizeof(err->message));
      err->offset = off;
    }
    rc = -EINVAL;
    goto cleanup;
  }
  pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &re->ngroups);
  rc = ex__regex_names_load(re);
  if (rc < 0)
    goto cleanup;
  if (!(flags & EX_REGEX_NOJIT)) {
    re->mctx = pcre2_match_context_create(gctx);
    if (re->mctx == NULL) {
      rc = -ENOMEM;
      goto cleanup;
    }
    pcre2_set_match_limit(re->mctx, EX_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, EX_REGEX_DEPTH_LIMIT);
    /* Without JIT the interpreter is used: slower, same results. */
    re->jit = !EX_UNDER_VALGRIND() &&
              pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
  }
  *out = re;
  re = NULL;
  rc = 0;

cleanup:
  pcre2_compile_context_free(cctx);
  pcre2_general_context_free(gctx);
  ex_regex_free(re);
  return rc;
}

void ex_regex_free(ex_regex_t *re) {
  if (re == NULL)
    return;
  pcre2_match_context_free(re->mctx);
  pcre2_code_free(re->code);
  ex_free(re->names);
  ex_free(re->groups);
  ex_free(re);
}

size_t ex_regex_name_count(const ex_regex_t *re) {
  return re->nnames;
}

const char *ex_regex_name(const ex_regex_t *re, size_t i) {
  return i < re->nnames ? re->names[i] : NULL;
}

int ex_regex_scratch_new(ex_regex_scratch_t **out) {
  ex_regex_scratch_t *s = ex_calloc(1, sizeof(*s));

  *out = NULL;
  if (s == NULL)
    return -ENOMEM;
  s->pairs = 16;
  s->gctx = gctx_new();
  s->md = s->gctx != NULL ? pcre2_match_data_create(s->pairs, s->gctx) : NULL;
  if (s->md == NULL) {
    pcre2_general_context_free(s->gctx);
    ex_free(s);
    return -ENOMEM;
  }
  *out = s;
  return 0;
}

void ex_regex_scratch_free(ex_regex_scratch_t *s) {
  if (s == NULL)
    return;
  pcre2_match_data_free(s->md);
  pcre2_general_context_free(s->gctx);
  ex_free(s);
}

int ex_regex_match(const ex_regex_t *re, ex_regex_scratch_t *s,
                   const char *subject, size_t len) {
  int rc;

  if (re->ngroups + 1 > s->pairs) {
    pcre2_match_data *md = pcre2_match_data_create(re->ngroups + 1, s->gctx);
    if (md == NULL)
      return -ENOMEM;
    pcre2_match_data_free(s->md);
    s->md = md;
    s->pairs = re->ngroups + 1;
  }
  if (re->jit)
    rc = pcre2_jit_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, s->md,
                         re->mctx);
  else
    rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, s->md, re->mctx);
  if (rc >= 0)
    return 1;
  switch (rc) {
  case PCRE2_ERROR_NOMATCH:
    return 0;
  case PCRE2_ERROR_MATCHLIMIT:
  case PCRE2_ERROR_DEPTHLIMIT:
  case PCRE2_ERROR_HEAPLIMIT:
  case PCRE2_ERROR_JIT_STACKLIMIT:
    return -ETIMEDOUT;
  case PCRE2_ERROR_NOMEMORY:
    return -ENOMEM;
  default:
    return -EINVAL;
  }
}

int ex_regex_named(const ex_regex_t *re, const ex_regex_scratch_t *s, size_t i,
                   size_t *start, size_t *len) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
  uint32_t n = pcre2_get_ovector_count(s->md);
  int g;

  *start = 0;
  *len = 0;
  if (i >= re->nnames)
    return 0;
  g = re->groups[i];
  if ((uint32_t)g >= n || ov[2 * g] == PCRE2_UNSET)
    return 0;
  *start = ov[2 * g];
  *len = ov[2 * g + 1] - ov[2 * g];
  return 1;
}

void ex_regex_span(const ex_regex_scratch_t *s, size_t *start, size_t *len) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);

  *start = ov[0];
  *len = ov[1] >= ov[0] ? ov[1] - ov[0] : 0;
}

int ex_regex_first_bytes(const ex_regex_t *re, unsigned char set[32]) {
  uint32_t type = 0;
  uint32_t unit = 0;
  const uint8_t *map = NULL;

  memset(set, 0, 32);
  pcre2_pattern_info(re->code, PCRE2_INFO_FIRSTCODETYPE, &type);
  if (type == 1) {
    pcre2_pattern_info(re->code, PCRE2_INFO_FIRSTCODEUNIT, &unit);
    set[unit >> 3] |= (unsigned char)(1u << (unit & 7));
    /* PCRE2 does not say whether a first letter is caseless: both cases
     * (a superset costs only a match that fails). */
    if ((unit | 0x20) >= 'a' && (unit | 0x20) <= 'z') {
      unit ^= 0x20;
      set[unit >> 3] |= (unsigned char)(1u << (unit & 7));
    }
    return 1;
  }
  if (pcre2_pattern_info(re->code, PCRE2_INFO_FIRSTBITMAP, &map) == 0 &&
      map != NULL) {
    memcpy(set, map, 32);
    return 1;
  }
  return 0;
}

size_t ex_regex_min_length(const ex_regex_t *re) {
  uint32_t n = 0;

  pcre2_pattern_info(re->code, PCRE2_INFO_MINLENGTH, &n);
  return n;
}
