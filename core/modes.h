/* modes: what explain does when it runs no command. Each returns the exit
 * status: --log follows grep (0 found, 1 nothing found, 2 error); the
 * others 0 on success, 1 for a user error (unknown id, invalid rules), 2
 * when something could not be read. */
#ifndef EX_MODES_H
#define EX_MODES_H

#include "core/session.h"

int ex_mode_log(ex_session_t *s);
int ex_mode_list_rules(ex_session_t *s);
int ex_mode_rule(ex_session_t *s);
int ex_mode_check_rules(ex_session_t *s);

/* --history: lists the last EX_MODE_HISTORY_MAX diagnoses of the
 * history (core/history.h) as text, or as a JSON array with --format json.
 * 0, or 2 when the history cannot be read. */
#define EX_MODE_HISTORY_MAX 50
int ex_mode_history(ex_session_t *s);

#endif
