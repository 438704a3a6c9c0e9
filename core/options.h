/* options: explain's command line.
 *
 * Everything up to the first word that is not an option (or up to `--`) is
 * explain's; the rest is the command, exactly as env(1), time(1) and
 * strace(1) do it. explain's own functions are options, never subcommands,
 * so no program name is shadowed. An option's value is the next word or
 * follows `=` (`--format=json`).
 */
#ifndef EX_OPTIONS_H
#define EX_OPTIONS_H

#include <stddef.h>

#define EX_OPTIONS_RULES_MAX 16 /* --rules given at most this often */

typedef enum ex_format {
  EX_FORMAT_TEXT = 0,
  EX_FORMAT_JSON = 1,
  EX_FORMAT_GITHUB = 2
} ex_format_t;

typedef enum ex_color {
  EX_COLOR_AUTO = 0,
  EX_COLOR_ALWAYS,
  EX_COLOR_NEVER
} ex_color_t;

typedef enum ex_scan { EX_SCAN_STDERR = 0, EX_SCAN_BOTH = 1 } ex_scan_t;

typedef struct ex_options {
  char **command;   /* the command and its arguments, NULL-terminated;
                       points into the argv given to ex_options_parse();
                       NULL when there is none */
  int help;         /* --help, -h */
  int version;      /* --version */
  int subreaper;    /* --subreaper */
  int quiet;        /* -q, --quiet */
  int always;       /* --always: diagnose after success too */
  int no_probe;     /* --no-probe */
  int probe;        /* !no_probe: explainers look at the system */
  int list_rules;   /* --list-rules */
  int history;      /* --history: list the recent diagnoses */
  const char *log;  /* --log FILE ("-" is stdin) */
  const char *rule; /* --rule ID */
  const char *report; /* --report FILE */
  ex_format_t format; /* --format; GITHUB_ACTIONS=true makes it github
                         when --format is not given */
  int format_given;   /* --format was given */
  ex_color_t color;   /* --color */
  int verbose;        /* -v, --verbose: every fact */
  int trace;          /* --trace, or EXPLAIN_TRACE=1: record the failed
                         system calls */
  ex_scan_t scan;     /* --scan */
  const char *rules[EX_OPTIONS_RULES_MAX]; /* --rules DIR, in order */
  size_t nrules;
  char **check_rules; /* --check-rules PATH...: the paths, NULL-terminated;
                         points into argv */
} ex_options_t;

/* Parses argv (argc entries, argv[argc] == NULL). Returns 0 and fills *opts,
 * or -EINVAL and writes a one-line message (without "explain: " and without
 * newline) to err (errlen bytes, always NUL-terminated). opts borrows argv. */
int ex_options_parse(int argc, char **argv, ex_options_t *opts, char *err,
                     size_t errlen);

/* The text of --help. */
extern const char ex_options_help[];

#endif
