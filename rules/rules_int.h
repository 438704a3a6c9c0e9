/* Private to the rules module. */
#ifndef EX_RULES_INT_H
#define EX_RULES_INT_H

#include "rules/rules.h"

/* Frees a rule's members and the rule. NULL is accepted. */
void ex__rule_free(ex_rule_t *rule);

/* Adds `rule` to the set (taking ownership), replacing the rule with the same
 * id in place. Returns 0 or -ENOMEM (then the rule is freed). */
int ex__ruleset_add(ex_ruleset_t *set, ex_rule_t *rule);

/* Frees a line shape and its members. NULL is accepted. */
void ex__shape_free(ex_shape_t *shape);

/* Adds a line shape to the set's prefixes (success 0) or success lines
 * (success 1), taking ownership and replacing the one with the same id in
 * place. Returns 0 or -ENOMEM (then the shape is freed). */
int ex__ruleset_add_shape(ex_ruleset_t *set, int success, ex_shape_t *shape);

/* Appends a diagnostic; never fails (a diagnostic that cannot be stored is
 * counted in `dropped`). d may be NULL. */
void ex__diag_add(ex_diags_t *d, const char *file, int line, int column,
                  int builtin, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
