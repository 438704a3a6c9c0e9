/* session: what one run of explain knows, handed from the launcher to the
 * diagnosis step and the renderers. */
#ifndef EX_SESSION_H
#define EX_SESSION_H

#include "core/options.h"
#include "wrap/wrap.h"

typedef struct ex_session {
  const ex_options_t *opts;  /* borrowed */
  ex_wrap_result_t run;      /* owned; released by the front end */
} ex_session_t;

/* Runs after the command has ended (or could not be started): decides what
 * went wrong and reports it. Never changes the exit status and never fails
 * loudly: a problem inside the diagnosis costs the diagnosis, not the run. */
void ex_diagnose(ex_session_t *s);

#endif
