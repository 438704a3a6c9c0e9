/* What every renderer asks of a diagnosis. */
#include "report/report.h"

const ex_fix_t *ex_report_diag_fixes(const ex_report_diag_t *g, size_t *n) {
  if (g->expl != NULL && g->expl->nfixes > 0) {
    *n = g->expl->nfixes;
    return g->expl->fixes;
  }
  *n = g->rule_fixes != NULL ? g->nrule_fixes : 0;
  return g->rule_fixes;
}
