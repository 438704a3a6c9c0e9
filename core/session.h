/* session: what one run of explain knows, handed from the launcher to the
 * diagnosis step and the renderers. */
#ifndef EX_SESSION_H
#define EX_SESSION_H

#include "core/options.h"
#include "platform/crash.h"
#include "matcher/matcher.h"
#include "platform/platform.h"
#include "platform/probe.h"
#include "rules/rules.h"
#include "platform/trace.h"
#include "wrap/wrap.h"

#include <pthread.h>

#define EX_SESSION_RING (1024 * 1024) /* output waiting for the scanner */
#define EX_SESSION_TAIL (64 * 1024)   /* per stream: the newest output
                                         kept while the scanner is behind */

/* The newest bytes of one stream that found the ring full. */
typedef struct ex_scan_tail {
  ex_tailbuf_t kept;         /* EX_SESSION_TAIL bytes; kept.total: all that
                                went by since the ring was full */
  unsigned long long lines;  /* newlines in them */
} ex_scan_tail_t;

/* Output on its way from the relay to the scanning thread: a single-
 * producer, single-consumer ring of records (stream, length, bytes).
 * The relay never waits for the scanner: when the ring is full, output
 * goes to the tails until the scanner has emptied the ring, then the
 * scanner reads the tails (the newest EX_SESSION_TAIL bytes of each
 * stream) and counts the rest as not scanned (ex_matcher_skip()). */
typedef struct ex_scan_ring {
  char *buf;                 /* EX_SESSION_RING bytes */
  unsigned long long head;   /* bytes written, ever (producer) */
  unsigned long long tail;   /* bytes consumed, ever (consumer) */
  int eof;                   /* no more output */
  int behind;                /* output goes to the tails */
  ex_scan_tail_t tails[EX_STREAM_COUNT];
  pthread_mutex_t mu;
  pthread_cond_t more;       /* a record was added, the scanner fell
                                behind, or eof */
} ex_scan_ring_t;

typedef struct ex_session {
  const ex_options_t *opts;  /* borrowed */
  ex_wrap_result_t run;      /* owned; released by ex_session_release() */
  ex_ruleset_t *rules;       /* owned; NULL until loaded */
  ex_matcher_t *matcher;     /* owned; NULL until loaded or when that failed */
  ex_diags_t diags;          /* problems found in rule files */
  int load_started;          /* ex_session_load() or _load_async() was called */
  int load_error;            /* negative errno when rules could not load */
  pthread_t scanner;         /* compiles the rules, then scans the output,
                                while the relay goes on */
  int scanner_running;       /* the thread was started and not yet joined */
  ex_scan_ring_t ring;
  pid_t pid;                 /* the command, once started */
  ex_proc_t *proc;           /* owned; the command as it ran: captured at
                                its first output and again when a signature
                                may have fired, while it still runs; NULL
                                until then (10 KB that a command without
                                output never needs) */
  unsigned long long seen_candidates; /* matcher runs when proc was taken */
  ex_crash_t *crash;         /* owned; crash reporter and kill diagnosis
                                (platform/crash.h), or NULL */
  ex_trace_t *trace;         /* owned; --trace, or NULL */
  ex_trace_log_t tracelog;   /* owned; the failed calls, once collected */
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

/* Starts the scanning thread: it snapshots the command, compiles the rules,
 * then matches the output that ex_session_feed() hands it, so that neither
 * compiling nor matching holds up the command or the relay (on a machine
 * with two cores they run side by side). Returns 0 or a negative errno
 * (then the caller may load synchronously: ex_session_feed() then matches
 * on the caller's thread). */
int ex_session_load_async(ex_session_t *s);

/* Ends the output and waits for the scanning thread to have matched all
 * of it. No-op without one. */
void ex_session_wait(ex_session_t *s);

/* Feeds output to the matcher: through the ring to the scanning thread
 * (never waiting for it: see ex_scan_ring_t), or directly. No-op when
 * there is no matcher. */
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

/* 1 when ex_diagnose has something to do: the command failed, or --always,
 * --report or --format json asked for a report anyway. */
int ex_diagnosis_wanted(const ex_session_t *s);

#endif
