/* The one allocation path of the modules that must survive running out of
 * memory (rules/, matcher/, and cJSON and PCRE2 through them), with a test
 * hook that fails the Nth call, as curl's torture mode does. */
#include "platform/platform.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* 0: the hook is off (the fast path: one relaxed load). Otherwise calls are
 * counted and the one whose number equals fail_at returns NULL. Atomics:
 * the rules are loaded on a thread of their own. */
static unsigned long fail_at;
static unsigned long calls;
static long live; /* allocations minus frees while the hook is on */

static int hook_on(void) {
  return __atomic_load_n(&fail_at, __ATOMIC_RELAXED) != 0;
}

static void *counted(void *p) {
  if (p != NULL && hook_on())
    __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
  return p;
}

static int should_fail(void) {
  unsigned long n;

  if (__atomic_load_n(&fail_at, __ATOMIC_RELAXED) == 0)
    return 0;
  n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
  return n == __atomic_load_n(&fail_at, __ATOMIC_RELAXED);
}

void ex_alloc_fail_at(unsigned long n) {
  __atomic_store_n(&calls, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&live, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&fail_at, n, __ATOMIC_RELAXED);
}

unsigned long ex_alloc_count(void) {
  return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

long ex_alloc_live(void) {
  return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

void *ex_malloc(size_t size) {
  if (should_fail())
    return NULL;
  return counted(malloc(size > 0 ? size : 1));
}

void *ex_calloc(size_t n, size_t size) {
  if (should_fail())
    return NULL;
  if (n == 0 || size == 0)
    n = size = 1;
  return counted(calloc(n, size));
}

void *ex_realloc(void *p, size_t size) {
  void *q;

  if (should_fail())
    return NULL;
  q = realloc(p, size > 0 ? size : 1);
  return p == NULL ? counted(q) : q;
}

char *ex_strdup(const char *s) {
  return ex_strndup(s, strlen(s));
}

char *ex_strndup(const char *s, size_t n) {
  char *d;

  n = strnlen(s, n);
  d = ex_malloc(n + 1);
  if (d == NULL)
    return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

void ex_free(void *p) {
  if (p != NULL && hook_on())
    __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
  free(p);
}
