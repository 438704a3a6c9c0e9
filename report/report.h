/* report: renderers of explain's diagnosis.
 *
 * A report is the run (command, exit, host) plus the ranked findings of the
 * matcher. Each renderer is one file: json.c writes the versioned JSON
 * report (schema "explain-report/1", docs/report.md), text.c the block a
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
#include "probe/probe.h"

#define EX_REPORT_SCHEMA "explain-report/1"

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
} ex_report_diag_t;

typedef struct ex_report {
  char *const *command;  /* the command, NULL-terminated; NULL for --log */
  const char *log_name;  /* --log source ("-" is stdin); NULL otherwise */
  const char *cwd;       /* may be NULL */
  int ran;               /* 1 when the command ran and ended */
  int exit_code;         /* its exit code, or 128+N when signalled */
  int signal;            /* N, or 0 */
  int core_dumped;
  int exec_errno;        /* when it could not be executed, else 0 */
  long long duration_ms;
  const ex_host_t *host; /* may be NULL */
  const ex_report_diag_t *diags; /* ranked diagnoses; may be NULL */
  size_t ndiags;
  const ex_facts_t *context;  /* container, CI, WSL, user namespace facts;
                                 may be NULL */
  int ascii;                  /* text: no UTF-8 symbols (the locale is not
                                 UTF-8) */
} ex_report_t;

/* Renders the JSON report into *out (NUL-terminated, ending with a newline;
 * the caller frees it with free()) and its length into *len (may be NULL).
 * Returns 0 or -ENOMEM. */
int ex_report_json(const ex_report_t *r, char **out, size_t *len);

/* Renders the text report for a person into *out (as above). Returns 0 or
 * -ENOMEM. *out is empty when there is nothing to report. */
int ex_report_text(const ex_report_t *r, char **out, size_t *len);

#endif
