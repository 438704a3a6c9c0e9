/* session: what one run of explain knows, handed from the launcher to the
 * diagnosis step and the renderers. */
#ifndef EX_SESSION_H
#define EX_SESSION_H

#include "core/options.h"
#include "crash/crash.h"
#include "matcher/matcher.h"
#include "platform/platform.h"
#include "probe/probe.h"
#include "rules/rules.h"
#include "wrap/wrap.h"

#include <pthread.h>

#define EX_SESSION_PENDING_MAX (1024 * 1024) /* output kept per stream while
                                                the rules are compiling */

/* Output that arrived before the matcher was ready. */
typedef struct ex_pending {
  char *buf;
  size_t len;
} ex_pending_t;

typedef struct ex_session {
  const ex_options_t *opts;  /* borrowed */
  ex_wrap_result_t run;      /* owned; released by ex_session_release() */
  ex_ruleset_t *rules;       /* owned; NULL until loaded */
  ex_matcher_t *matcher;     /* owned; NULL until loaded or when that failed */
  ex_diags_t diags;          /* problems found in rule files */
  int load_started;          /* ex_session_load() or _load_async() was called */
  int load_error;            /* negative errno when rules could not load */
  pthread_t loader;          /* compiles the rules while the command runs */
  int loader_running;        /* the thread was started and not yet joined */
  int loader_done;           /* atomic: the thread has finished */
  ex_pending_t pending[2];   /* per stream, until the matcher is ready */
  pid_t pid;                 /* the command, once started */
  ex_proc_t proc;            /* the command as it ran: captured at its first
                                output and again when a signature may have
                                fired, while it still runs */
  unsigned long long seen_candidates; /* matcher runs when proc was taken */
  ex_crash_t *crash;         /* owned; crash reporter and kill diagnosis
                                (crash/crash.h), or NULL */
} ex_session_t;

/* Zeroes s and borrows opts. */
void ex_session_init(ex_session_t *s, const ex_options_t *opts);

/* Frees what s owns. */
void ex_session_release(ex_session_t *s);

/* Appends the rule directories in search order: the built-in rules (found
 * next to the binary: ../share/explain/rules, or the source tree for a build
 * that is not installed), the user's, EXPLAIN_RULES_PATH, then --rules.
 * Returns 0 or -ENOMEM. */
int ex_session_rule_dirs(const ex_options_t *opts, ex_rules_dirs_t *dirs);

/* Loads the rules and compiles the matcher. Broken files are recorded in
 * s->diags and skipped. Returns 0 when a matcher is ready, else a negative
 * errno (also kept in s->load_error). */
int ex_session_load(ex_session_t *s);

/* Starts ex_session_load() on a thread of its own, so that compiling the
 * rules never holds up the command or its output. Returns 0 or a negative
 * errno (then the caller may load synchronously). */
int ex_session_load_async(ex_session_t *s);

/* Waits for the loading thread, then feeds the output that waited for it. */
void ex_session_wait(ex_session_t *s);

/* Feeds output to the matcher. While the rules are still compiling, up to
 * EX_SESSION_PENDING_MAX bytes per stream wait for it; past that, it waits for
 * the loader. No-op when there is no matcher. */
void ex_session_feed(ex_session_t *s, ex_stream_t stream, const char *buf,
                     size_t len);

/* Takes a new snapshot of the command from /proc (no-op once it is gone:
 * the last snapshot stays). */
void ex_session_capture(ex_session_t *s);

/* Prints one line per problem found in the rule files, on stderr. */
void ex_session_print_diags(const ex_session_t *s);

/* Runs after the command has ended (or could not be started) and, in --log
 * mode, after the log was read: decides whether to diagnose, and writes the
 * reports. Never changes the exit status: a problem inside the diagnosis
 * costs the diagnosis, not the run. Returns the number of diagnoses. */
size_t ex_diagnose(ex_session_t *s);

#endif
