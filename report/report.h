/* report: renderers of explain's diagnosis.
 *
 * A report is the run (command, exit, host) plus the ranked findings of the
 * matcher. Each renderer is one file: json.c writes the versioned JSON
 * report (schema "explain-report/2", docs/report.md), text.c the block a
 * person reads after the command's output. Renderers only format: they probe
 * nothing and change nothing.
 *
 * Text from the command's output never reaches the terminal raw: the matcher
 * has already removed escape sequences, and the text renderer shows any
 * other control byte as \xNN. Text that is not valid UTF-8 is still valid
 * JSON: each invalid byte becomes U+FFFD, and a subject value that lost bytes
 * that way carries `value_hex`, the exact bytes in hexadecimal.
 */
#ifndef EX_REPORT_H
#define EX_REPORT_H

#include <stddef.h>

#include "matcher/matcher.h"
#include "platform/platform.h"
#include "platform/probe.h"

#define EX_REPORT_SCHEMA "explain-report/2"

/* One diagnosis: a finding of the matcher, or an event of the launcher
 * (the command could not be executed), with what its explainer found. */
typedef struct ex_report_diag {
  const ex_finding_t *finding;  /* NULL for a launcher diagnosis */
  const ex_explanation_t *expl; /* NULL when no explainer ran */
  /* A launcher diagnosis gives these (a finding takes them from its rule
   * and event): */
  const char *id;
  const char *title;
  const char *errno_name;
  const char *condition;
  const char *operation;
  const char *subject_kind;
  const char *subject_value;
  const char *meaning;
  /* History: what earlier runs saw of this diagnosis, filled by
   * ex_history_record() (core/history.h); NULL when not recorded or seen
   * for the first time. */
  const struct ex_report_recurrence *recurrence;
  /* trace (platform/trace.h): the failed system call that is
   * evidence for this diagnosis, or NULL. With syscall_subject, the
   * finding named no subject and takes subject_kind and subject_value
   * (and operation, when it had none) from the call. */
  const struct ex_trace_call *syscall;
  int syscall_subject;
  /* The message named no subject and one was recovered from what the
   * command held (ex_subject_recover()): subject_kind and subject_value
   * replace the finding's, and subject_from says how it was found ("the
   * file open for writing on fd 3"); NULL otherwise. operation, when set
   * for a finding, is the one recovered (a bind, an exec) and replaces the
   * finding's. */
  const char *subject_from;
  const ex_finding_t **folded; /* launcher diagnosis: findings that tell the
                                  same event (a shell's "Segmentation
                                  fault"), folded under it */
  size_t nfolded;
  /* The rule's fixes, filled with the finding's captures and passed
   * through the fix policy (ex_fix_add_raw(), platform/probe.h) by the
   * diagnosis; offered when the explainer gave none. NULL when none. */
  const ex_fix_t *rule_fixes;
  size_t nrule_fixes;
  /* --log: the subject is a path that does not exist on this machine, nor
   * its directory (the log may come from another one). */
  int subject_absent;
  /* The subject is a path of another system (a Windows path on Linux):
   * nothing was looked at for it. */
  int subject_foreign;
} ex_report_diag_t;

/* The fixes a diagnosis offers: the explainer's exact ones, else the
 * rule's (rule_fixes). Sets *n; the array is borrowed from g. */
const ex_fix_t *ex_report_diag_fixes(const ex_report_diag_t *g, size_t *n);

typedef struct ex_report {
  char *const *command;  /* the command, NULL-terminated; NULL for --log */
  const char *log_name;  /* --log source ("-" is stdin); NULL otherwise */
  const char *cwd;       /* may be NULL */
  int ran;               /* 1 when the command ran and ended */
  long long exit_code;   /* its exit code, or 128+N when signalled (on
                            Windows 0 to 4294967295) */
  int signal;            /* N, or 0 */
  int core_dumped;
  int exec_errno;        /* when it could not be executed, else 0 */
  long long duration_ms;
  const ex_host_t *host; /* may be NULL */
  const ex_report_diag_t *diags; /* ranked diagnoses; may be NULL */
  size_t ndiags;
  const ex_facts_t *context;  /* container, CI, WSL, user namespace facts;
                                 may be NULL */
  const struct ex_trace_log *trace; /* --trace: the failed
                                       system calls; NULL without */
  int ascii;                  /* text: no UTF-8 symbols (the locale is not
                                 UTF-8) */
  int color;                  /* text: ANSI colours */
  int width;                  /* text: columns to wrap at (0: 80) */
  int verbose;                /* text: every fact */
} ex_report_t;

/* Renders the JSON report into *out (NUL-terminated, ending with a newline;
 * the caller frees it with free()) and its length into *len (may be NULL).
 * Returns 0 or -ENOMEM. */
int ex_report_json(const ex_report_t *r, char **out, size_t *len);

/* Renders the text report for a person into *out (as above). Returns 0 or
 * -ENOMEM. *out is empty when there is nothing to report. */
int ex_report_text(const ex_report_t *r, char **out, size_t *len);

/* ---------------------------------------------------------------------- */
/* History lines (report/history_json.c)                                   */
/*
 * The history is a file of JSON lines, one per diagnosis, schema
 * "explain-history/1" (docs/history.md); core/history.c owns the file,
 * these functions only render and read lines. Every string in a line is
 * valid UTF-8 and cut at EX_HISTORY_FIELD_MAX bytes, so a line is bounded.
 */

#define EX_HISTORY_SCHEMA "explain-history/1"
#define EX_HISTORY_FIELD_MAX 1024 /* bytes kept of each string */
#define EX_HISTORY_LINE_MAX (64 * 1024) /* longer lines are not written */
#define EX_HISTORY_FIX_MAX 512 /* bytes kept of the last fix offered */

/* What the history knew of a diagnosis before this run. */
typedef struct ex_report_recurrence {
  unsigned long earlier; /* earlier diagnoses with the same id and subject
                            in the same directory (0: the first time) */
  long long first;       /* Unix time of the earliest of them the history
                            still holds, 0 when none */
  long long last;        /* and of the latest */
  char last_fix[EX_HISTORY_FIX_MAX]; /* the first fix offered the last time:
                                        its command, else its text; "" */
} ex_report_recurrence_t;

/* Renders diagnosis i of r (i < r->ndiags) as one history line at Unix time
 * now: JSON without any newline inside, ending with "\n". The caller frees
 * *out with free(). Returns 0, -ENOMEM, or -E2BIG when the line would be
 * longer than EX_HISTORY_LINE_MAX. */
int ex_report_history_line(const ex_report_t *r, size_t i, long long now,
                           char **out, size_t *len);

/* Reads earlier history lines buf[0..len) (complete lines; invalid ones are
 * skipped) and adds to recs[k] (r->ndiags entries, zeroed by the caller)
 * each line about diagnosis k of r: same id, same subject, same cwd. */
void ex_report_history_scan(const ex_report_t *r, const char *buf, size_t len,
                            ex_report_recurrence_t *recs);

/* "seen 4 times since Monday; last fix offered: CMD" for rec at Unix time
 * now (local time), with control bytes shown as \xNN; "" when
 * rec->earlier is 0. Writes at most size bytes to buf, always
 * NUL-terminated. */
void ex_report_recurrence_text(const ex_report_recurrence_t *rec,
                               long long now, char *buf, size_t size);

/* Lists the last max valid lines of buf[0..len): as text for a person
 * (json 0), or as a JSON array of the line objects (json 1, ending with
 * "\n"). The caller frees *out. Returns 0 or -ENOMEM. */
int ex_report_history_list(const char *buf, size_t len, size_t max, int json,
                           char **out, size_t *outlen);

/* Renders GitHub Actions output: one `::error` workflow command per
 * diagnosis into *annotations (file and line when known; properties and
 * message escaped as the runner expects), and a Markdown section for
 * $GITHUB_STEP_SUMMARY into *summary. The caller frees both. Returns 0 or
 * -ENOMEM. */
int ex_report_github(const ex_report_t *r, char **annotations, size_t *alen,
                     char **summary, size_t *slen);

#endif
