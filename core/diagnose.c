#include "core/session.h"

void ex_diagnose(ex_session_t *s) {
  /* Signatures, probes and reports plug in here (issues 3 to 5). */
  (void)s;
}
