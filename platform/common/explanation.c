/* Facts, causes, fixes: the explanation an explainer fills. */
#include "platform/probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *items (of size `size`) to hold one more; returns 0 or -1. */
static int grow(void **items, size_t *cap, size_t count, size_t size) {
  size_t ncap;
  void *n;

  if (count < *cap)
    return 0;
  ncap = *cap ? *cap * 2 : 8;
  n = realloc(*items, ncap * size);
  if (n == NULL)
    return -1;
  *items = n;
  *cap = ncap;
  return 0;
}

static char *vformat(const char *fmt, va_list ap) {
  char *s;

  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

/* Frees the value of x (not its key) and leaves it an empty string slot. */
static void fact_clear(ex_fact_t *x) {
  size_t i;

  free(x->str);
  x->str = NULL;
  for (i = 0; x->list != NULL && i < x->nlist; i++)
    free(x->list[i]);
  free(x->list);
  x->list = NULL;
  free(x->nums);
  x->nums = NULL;
  x->nlist = 0;
  for (i = 0; i < x->nrows; i++)
    ex_facts_release(&x->rows[i]);
  free(x->rows);
  x->rows = NULL;
  x->nrows = 0;
}

static ex_fact_t *fact_find(const ex_facts_t *f, const char *key) {
  size_t i;

  for (i = 0; f != NULL && i < f->count; i++) {
    if (strcmp(f->items[i].key, key) == 0)
      return &f->items[i];
  }
  return NULL;
}

static ex_fact_t *fact_slot(ex_facts_t *f, const char *key) {
  ex_fact_t *x;

  x = fact_find(f, key);
  if (x != NULL) {
    fact_clear(x);
    return x;
  }
  if (grow((void **)&f->items, &f->cap, f->count, sizeof(*f->items)) != 0)
    return NULL;
  x = &f->items[f->count];
  memset(x, 0, sizeof(*x));
  x->key = strdup(key);
  if (x->key == NULL)
    return NULL;
  f->count++;
  return x;
}

/* The fact `key` as the given kind of array: kept when it is one already,
 * else (re)made empty. */
static ex_fact_t *array_slot(ex_facts_t *f, const char *key,
                             ex_fact_kind_t kind) {
  ex_fact_t *x;

  x = fact_find(f, key);
  if (x != NULL && x->kind == kind)
    return x;
  x = fact_slot(f, key);
  if (x != NULL)
    x->kind = kind;
  return x;
}

void ex_facts_str(ex_facts_t *f, const char *key, const char *value) {
  ex_fact_t *x;

  x = fact_slot(f, key);
  if (x == NULL)
    return;
  x->kind = EX_FACT_STR;
  x->str = strdup(value != NULL ? value : "");
}

void ex_facts_int(ex_facts_t *f, const char *key, long long value) {
  ex_fact_t *x;

  x = fact_slot(f, key);
  if (x == NULL)
    return;
  x->kind = EX_FACT_INT;
  x->num = value;
}

void ex_facts_bool(ex_facts_t *f, const char *key, int value) {
  ex_fact_t *x;

  x = fact_slot(f, key);
  if (x == NULL)
    return;
  x->kind = EX_FACT_BOOL;
  x->num = value != 0;
}

void ex_facts_null(ex_facts_t *f, const char *key) {
  ex_fact_t *x;

  x = fact_slot(f, key);
  if (x != NULL)
    x->kind = EX_FACT_NULL;
}

void ex_facts_printf(ex_facts_t *f, const char *key, const char *fmt, ...) {
  va_list ap;
  ex_fact_t *x;

  x = fact_slot(f, key);
  if (x == NULL)
    return;
  x->kind = EX_FACT_STR;
  va_start(ap, fmt);
  x->str = vformat(fmt, ap);
  va_end(ap);
}

void ex_facts_list_add(ex_facts_t *f, const char *key, const char *value) {
  ex_fact_t *x;
  char **n;
  char *v;

  x = array_slot(f, key, EX_FACT_LIST);
  if (x == NULL || value == NULL)
    return;
  v = strdup(value);
  n = realloc(x->list, (x->nlist + 1) * sizeof(*x->list));
  if (v == NULL || n == NULL) {
    free(v);
    if (n != NULL)
      x->list = n;
    return;
  }
  x->list = n;
  x->list[x->nlist++] = v;
}

void ex_facts_list_int(ex_facts_t *f, const char *key, long long value) {
  ex_fact_t *x;
  long long *n;

  x = array_slot(f, key, EX_FACT_NUMS);
  if (x == NULL)
    return;
  n = realloc(x->nums, (x->nlist + 1) * sizeof(*x->nums));
  if (n == NULL)
    return;
  x->nums = n;
  x->nums[x->nlist++] = value;
}

ex_facts_t *ex_facts_row_add(ex_facts_t *f, const char *key) {
  ex_fact_t *x;
  ex_facts_t *n;

  x = array_slot(f, key, EX_FACT_ROWS);
  if (x == NULL)
    return NULL;
  n = realloc(x->rows, (x->nrows + 1) * sizeof(*x->rows));
  if (n == NULL)
    return NULL;
  x->rows = n;
  memset(&x->rows[x->nrows], 0, sizeof(x->rows[0]));
  return &x->rows[x->nrows++];
}

const ex_fact_t *ex_facts_get(const ex_facts_t *f, const char *key) {
  return fact_find(f, key);
}

void ex_facts_release(ex_facts_t *f) {
  size_t i;

  for (i = 0; i < f->count; i++) {
    fact_clear(&f->items[i]);
    free(f->items[i].key);
  }
  free(f->items);
  memset(f, 0, sizeof(*f));
}

const char *ex_verdict_name(ex_verdict_t v) {
  switch (v) {
  case EX_VERDICT_CONFIRMED:
    return "confirmed";
  case EX_VERDICT_RULED_OUT:
    return "ruled-out";
  default:
    return "unknown";
  }
}

ex_cause_t *ex_cause_add(ex_explanation_t *e, const char *id,
                         ex_verdict_t verdict, const char *fmt, ...) {
  ex_cause_t *c;
  va_list ap;

  /* An explanation has a handful of causes: grow one at a time. */
  c = realloc(e->causes, (e->ncauses + 1) * sizeof(*e->causes));
  if (c == NULL) {
    e->nomem = 1;
    return NULL;
  }
  e->causes = c;
  c = &e->causes[e->ncauses];
  memset(c, 0, sizeof(*c));
  c->id = strdup(id);
  c->verdict = verdict;
  c->claim = ex_cause_claim(id);
  va_start(ap, fmt);
  c->text = vformat(fmt, ap);
  va_end(ap);
  if (c->id == NULL || c->text == NULL) {
    free(c->id);
    free(c->text);
    e->nomem = 1;
    return NULL;
  }
  e->ncauses++;
  return c;
}

#ifdef _WIN32
/* Windows: one word that cmd.exe and PowerShell both read back as it is.
 * Safe characters stay bare; anything else goes between double quotes,
 * inside which neither shell expands anything but ", %, $, ` and (with
 * delayed expansion) !: a word with one of those, or a control byte,
 * cannot be quoted for both, and is refused (EINVAL). */
char *ex_shell_quote(const char *s) {
  const char *p;
  char *q;
  size_t n;
  int bare;

  bare = *s != '\0';
  for (p = s; *p != '\0'; p++) {
    if (strchr("\"%$`!", *p) != NULL || (unsigned char)*p < 0x20) {
      errno = EINVAL;
      return NULL;
    }
    if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789_@+=:,./\\-",
               *p) == NULL)
      bare = 0;
  }
  if (bare)
    return strdup(s);
  n = strlen(s);
  q = malloc(n + 3);
  if (q == NULL)
    return NULL;
  q[0] = '"';
  memcpy(q + 1, s, n);
  q[n + 1] = '"';
  q[n + 2] = '\0';
  return q;
}
#else
/* Characters that never need quoting in a shell word. */
static int safe_word(const char *s) {
  if (*s == '\0')
    return 0;
  for (; *s != '\0'; s++) {
    if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789_@%+=:,./-",
               *s) == NULL)
      return 0;
  }
  return 1;
}

char *ex_shell_quote(const char *s) {
  size_t n;
  size_t i;
  char *q;
  char *p;

  if (safe_word(s))
    return strdup(s);
  n = 2;
  for (i = 0; s[i] != '\0'; i++)
    n += s[i] == '\'' ? 4 : 1;
  q = malloc(n + 1);
  if (q == NULL)
    return NULL;
  p = q;
  *p++ = '\'';
  for (i = 0; s[i] != '\0'; i++) {
    if (s[i] == '\'') {
      memcpy(p, "'\\''", 4);
      p += 4;
    } else {
      *p++ = s[i];
    }
  }
  *p++ = '\'';
  *p = '\0';
  return q;
}

#endif

static void fix_add(ex_explanation_t *e, int needs_root, char *command,
                    const char *fmt, va_list ap) {
  ex_fix_t *f;
  ex_fix_verdict_t v;

  /* One policy for every fix, an explainer's or a rule's. */
  v = ex_fix_vet(command, e->fix_flags);
  if (v != EX_FIX_SAFE) {
    free(command);
    e->fixes_refused++;
    if (v == EX_FIX_NO_SUBJECT)
      e->fixes_unfilled++;
    if (v == EX_FIX_NO_MEMORY)
      e->nomem = 1;
    return;
  }
  f = realloc(e->fixes, (e->nfixes + 1) * sizeof(*e->fixes));
  if (f == NULL) {
    free(command);
    e->nomem = 1;
    return;
  }
  e->fixes = f;
  f = &e->fixes[e->nfixes];
  f->needs_root = needs_root;
  f->command = command;
  f->text = vformat(fmt, ap);
  if (f->text == NULL) {
    free(command);
    e->nomem = 1;
    return;
  }
  e->nfixes++;
}

void ex_fix_add_cmd(ex_explanation_t *e, int needs_root,
                    const char *const *argv, const char *fmt, ...) {
  va_list ap;
  char *cmd;
  char *w;
  size_t len;
  size_t i;
  size_t n;

  cmd = NULL;
  len = 0;
  for (i = 0; argv != NULL && argv[i] != NULL; i++) {
    errno = 0;
    w = ex_shell_quote(argv[i]);
    if (w == NULL && errno == EINVAL) {
      free(cmd); /* a word no shell would read back: no such fix */
      return;
    }
    n = w != NULL ? strlen(w) : 0;
    char *nc = realloc(cmd, len + n + 2);
    if (w == NULL || nc == NULL) {
      free(w);
      free(nc != NULL ? nc : cmd);
      e->nomem = 1;
      return;
    }
    cmd = nc;
    if (len > 0)
      cmd[len++] = ' ';
    memcpy(cmd + len, w, n + 1);
    len += n;
    free(w);
  }
  va_start(ap, fmt);
  fix_add(e, needs_root, cmd, fmt, ap);
  va_end(ap);
}

void ex_fix_add_raw(ex_explanation_t *e, int needs_root, const char *command,
                    const char *fmt, ...) {
  va_list ap;
  char *cmd;

  cmd = NULL;
  if (command != NULL) {
    cmd = strdup(command);
    if (cmd == NULL) {
      e->nomem = 1;
      return;
    }
  }
  va_start(ap, fmt);
  fix_add(e, needs_root, cmd, fmt, ap);
  va_end(ap);
}

void ex_explanation_summary(ex_explanation_t *e, const char *fmt, ...) {
  va_list ap;

  free(e->summary);
  va_start(ap, fmt);
  e->summary = vformat(fmt, ap);
  va_end(ap);
  if (e->summary == NULL)
    e->nomem = 1;
}

void ex_explanation_release(ex_explanation_t *e) {
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    free(e->causes[i].id);
    free(e->causes[i].text);
    ex_facts_release(&e->causes[i].facts);
  }
  free(e->causes);
  for (i = 0; i < e->nfixes; i++) {
    free(e->fixes[i].text);
    free(e->fixes[i].command);
  }
  free(e->fixes);
  free(e->summary);
  ex_facts_release(&e->facts);
  memset(e, 0, sizeof(*e));
}

const char *ex_fix_verdict_name(ex_fix_verdict_t v) {
  switch (v) {
  case EX_FIX_SAFE:
    return "safe";
  case EX_FIX_NO_SUBJECT:
    return "no-subject";
  case EX_FIX_SYSTEM_PATH:
    return "system-path";
  case EX_FIX_KERNEL_FS:
    return "kernel-file-system";
  case EX_FIX_WORLD_WRITABLE:
    return "world-writable";
  case EX_FIX_PRIVILEGED_GROUP:
    return "privileged-group";
  case EX_FIX_UNREADABLE:
    return "unreadable";
  default:
    return "no-memory";
  }
}
