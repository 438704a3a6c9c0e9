/* A rule's fixes, filled for one finding, through the fix policy. */
#include "core/fixes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct filled {
  ex_template_lookup_fn lookup;
  void *ud;
} filled_t;

/* Stops the walk (returns 1) at a reference with no value. */
static int ref_unfilled(void *ud, const char *name, size_t len, size_t offset) {
  const filled_t *f = ud;
  const char *v;
  size_t vlen;

  (void)offset;
  if (len == 0)
    return 0; /* an unterminated "${" is kept as text */
  v = NULL;
  vlen = 0;
  return !f->lookup(f->ud, name, len, &v, &vlen) || v == NULL || vlen == 0;
}

static int unfilled(const char *tpl, const filled_t *f) {
  return tpl != NULL && ex_template_refs(tpl, ref_unfilled, (void *)f) != 0;
}

int ex_rule_fixes_add(ex_explanation_t *e, const ex_rule_t *r,
                      ex_template_lookup_fn lookup, void *ud) {
  const ex_rule_fix_t *x;
  filled_t f;
  char *text;
  char *cmd;
  size_t i;
  int rc;

  f.lookup = lookup;
  f.ud = ud;
  for (i = 0; i < r->nfixes; i++) {
    x = &r->fixes[i];
    if (unfilled(x->text, &f) || unfilled(x->command, &f)) {
      e->fixes_refused++;
      e->fixes_unfilled++;
      continue;
    }
    text = NULL;
    cmd = NULL;
    rc = ex_template_expand(x->text != NULL ? x->text : "", lookup, ud, 0,
                            &text, NULL);
    if (rc == 0 && x->command != NULL)
      rc = ex_template_expand(x->command, lookup, ud, EX_TEMPLATE_SHELL, &cmd,
                              NULL);
    if (rc == 0)
      ex_fix_add_raw(e, x->needs_root, cmd, "%s", text);
    free(text);
    free(cmd);
    if (rc == -ENOMEM) {
      e->nomem = 1;
      return rc;
    }
  }
  return e->nomem ? -ENOMEM : 0;
}
