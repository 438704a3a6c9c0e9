/* Rule sets and diagnostics lists. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "platform/platform.h"

/* A growable list of owned line shapes. */
typedef struct shapes_s {
  ex_shape_t **items;
  size_t count;
  size_t cap;
} shapes_t;

struct ex_ruleset_s {
  ex_rule_t **rules;
  size_t count;
  size_t cap;
  shapes_t prefixes;
  shapes_t success;
};

static void event_release(ex_rule_event_t *e) {
  ex_free(e->errno_tpl);
  ex_free(e->condition);
  ex_free(e->operation);
  ex_free(e->subject_kind);
  ex_free(e->subject_value);
}

void ex__rule_free(ex_rule_t *r) {
  size_t i;

  if (r == NULL)
    return;
  ex_free(r->id);
  ex_free(r->title);
  for (i = 0; i < r->ntags; i++)
    ex_free(r->tags[i]);
  ex_free(r->tags);
  for (i = 0; i < r->npatterns; i++) {
    ex_free(r->patterns[i].regex);
    event_release(&r->patterns[i].event);
  }
  ex_free(r->patterns);
  ex_free(r->before.pattern);
  ex_free(r->after.pattern);
  event_release(&r->event);
  ex_free(r->location_file);
  ex_free(r->location_line);
  ex_free(r->meaning);
  for (i = 0; i < r->ncauses; i++) {
    ex_free(r->causes[i].id);
    ex_free(r->causes[i].text);
  }
  ex_free(r->causes);
  for (i = 0; i < r->nfixes; i++) {
    ex_free(r->fixes[i].text);
    ex_free(r->fixes[i].command);
  }
  ex_free(r->fixes);
  for (i = 0; i < r->nsuppress; i++)
    ex_free(r->suppress[i].pattern);
  ex_free(r->suppress);
  ex_free(r->recogniser);
  ex_free(r->file);
  ex_free(r);
}

void ex__shape_free(ex_shape_t *sh) {
  if (sh == NULL)
    return;
  ex_free(sh->id);
  ex_free(sh->pattern);
  ex_free(sh->file);
  ex_free(sh);
}

static void shapes_release(shapes_t *l) {
  size_t i;

  for (i = 0; i < l->count; i++)
    ex__shape_free(l->items[i]);
  ex_free(l->items);
}

int ex_ruleset_new(ex_ruleset_t **out) {
  *out = ex_calloc(1, sizeof(**out));
  return *out == NULL ? -ENOMEM : 0;
}

void ex_ruleset_free(ex_ruleset_t *set) {
  size_t i;

  if (set == NULL)
    return;
  for (i = 0; i < set->count; i++)
    ex__rule_free(set->rules[i]);
  ex_free(set->rules);
  shapes_release(&set->prefixes);
  shapes_release(&set->success);
  ex_free(set);
}

size_t ex_ruleset_count(const ex_ruleset_t *set) {
  return set->count;
}

const ex_rule_t *ex_ruleset_get(const ex_ruleset_t *set, size_t i) {
  return i < set->count ? set->rules[i] : NULL;
}

static ex_rule_t **ruleset_slot(const ex_ruleset_t *set, const char *id) {
  size_t i;

  for (i = 0; i < set->count; i++)
    if (strcmp(set->rules[i]->id, id) == 0)
      return &set->rules[i];
  return NULL;
}

const ex_rule_t *ex_ruleset_find(const ex_ruleset_t *set, const char *id) {
  ex_rule_t **slot = ruleset_slot(set, id);

  return slot == NULL ? NULL : *slot;
}

int ex__ruleset_add(ex_ruleset_t *set, ex_rule_t *rule) {
  ex_rule_t **slot = ruleset_slot(set, rule->id);

  if (slot != NULL) {
    ex__rule_free(*slot);
    *slot = rule;
    return 0;
  }
  if (set->count == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 64;
    ex_rule_t **p = ex_realloc(set->rules, cap * sizeof(*p));
    if (p == NULL) {
      ex__rule_free(rule);
      return -ENOMEM;
    }
    set->rules = p;
    set->cap = cap;
  }
  set->rules[set->count++] = rule;
  return 0;
}

int ex__ruleset_add_shape(ex_ruleset_t *set, int success, ex_shape_t *sh) {
  shapes_t *l = success ? &set->success : &set->prefixes;
  size_t i;

  for (i = 0; i < l->count; i++) {
    if (strcmp(l->items[i]->id, sh->id) == 0) {
      ex__shape_free(l->items[i]);
      l->items[i] = sh;
      return 0;
    }
  }
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    ex_shape_t **p = ex_realloc(l->items, cap * sizeof(*p));
    if (p == NULL) {
      ex__shape_free(sh);
      return -ENOMEM;
    }
    l->items = p;
    l->cap = cap;
  }
  l->items[l->count++] = sh;
  return 0;
}

size_t ex_ruleset_prefix_count(const ex_ruleset_t *set) {
  return set->prefixes.count;
}

const ex_shape_t *ex_ruleset_prefix(const ex_ruleset_t *set, size_t i) {
  return i < set->prefixes.count ? set->prefixes.items[i] : NULL;
}

size_t ex_ruleset_success_count(const ex_ruleset_t *set) {
  return set->success.count;
}

const ex_shape_t *ex_ruleset_success(const ex_ruleset_t *set, size_t i) {
  return i < set->success.count ? set->success.items[i] : NULL;
}

void ex_diags_init(ex_diags_t *d) {
  memset(d, 0, sizeof(*d));
}

void ex_diags_release(ex_diags_t *d) {
  size_t i;

  for (i = 0; i < d->count; i++) {
    ex_free(d->items[i].file);
    ex_free(d->items[i].message);
  }
  ex_free(d->items);
  memset(d, 0, sizeof(*d));
}

void ex__diag_add(ex_diags_t *d, const char *file, int line, int column,
                  int builtin, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  ex_diag_t *item;

  if (d == NULL)
    return;
  if (d->count >= EX_RULES_DIAG_MAX) {
    d->dropped++;
    return;
  }
  if (d->count == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    ex_diag_t *p = ex_realloc(d->items, cap * sizeof(*p));
    if (p == NULL) {
      d->dropped++;
      return;
    }
    d->items = p;
    d->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  item = &d->items[d->count];
  item->file = ex_strdup(file);
  item->message = ex_strdup(msg);
  if (item->file == NULL || item->message == NULL) {
    ex_free(item->file);
    ex_free(item->message);
    d->dropped++;
    return;
  }
  item->line = line;
  item->column = column;
  item->builtin = builtin;
  d->count++;
}

int ex_diag_format(const ex_diag_t *d, char *buf, size_t size) {
  if (d->line > 0)
    return snprintf(buf, size, "%s:%d:%d: %s%s", d->file, d->line, d->column,
                    d->builtin ? "built-in rule file: " : "", d->message);
  return snprintf(buf, size, "%s: %s%s", d->file,
                  d->builtin ? "built-in rule file: " : "", d->message);
}
