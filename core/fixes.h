/* fixes: a rule's fixes, filled for one finding and held to the fix
 * policy.
 *
 * A rule's fix is a template (docs/rules.md): `namei -l -- ${path}`. It is
 * offered only when every capture it names has a value (a fix without its
 * subject is left out), and only when its command passes the same policy
 * as an explainer's fixes (ex_fix_vet(), platform/probe.h), since both go
 * through ex_fix_add_raw().
 *
 * Conventions: 0 or a negative errno; nothing here prints.
 */
#ifndef EX_CORE_FIXES_H
#define EX_CORE_FIXES_H

#include "platform/probe.h"
#include "rules/rules.h"

/* Adds the fixes of rule r to e, their templates filled by lookup(ud, ...)
 * with shell quoting for the commands. A fix whose text or command names a
 * capture that lookup does not have, or has empty, is left out and counted
 * in e->fixes_unfilled (and e->fixes_refused); a command the fix policy
 * refuses is left out as ex_fix_add_raw() does (with e->fix_flags).
 * Returns 0 or -ENOMEM (e->nomem is set too). */
int ex_rule_fixes_add(ex_explanation_t *e, const ex_rule_t *r,
                      ex_template_lookup_fn lookup, void *ud);

#endif
