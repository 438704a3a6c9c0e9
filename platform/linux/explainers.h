/* Internal to the Linux probes: the explainer tables, one per family. Each family's
 * file defines its table, terminated by an entry whose name is NULL. The
 * registry tries them in this order; the first explainer that applies
 * runs. */
#ifndef EX_PROBE_EXPLAINERS_H
#define EX_PROBE_EXPLAINERS_H

#include "platform/probe.h"

extern const ex_explainer_t ex__explainers_fs[];    /* explain_fs.c */
extern const ex_explainer_t ex__explainers_exec[];  /* explain_exec.c */
extern const ex_explainer_t ex__explainers_tools[]; /* explain_tools.c */
extern const ex_explainer_t ex__explainers_ci[];    /* explain_ci.c */

#endif
