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

static ex_fact_t *fact_slot(ex_facts_t *f, const char *key) {
  size_t i;
  ex_fact_t *x;

  for (i = 0; i < f->count; i++) {
    if (strcmp(f->items[i].key, key) == 0) {
      free(f->items[i].str);
      f->items[i].str = NULL;
      return &f->items[i];
    }
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

void ex_facts_release(ex_facts_t *f) {
  size_t i;

  for (i = 0; i < f->count; i++) {
    free(f->items[i].key);
    free(f->items[i].str);
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
