/* options: explain's command line.
 *
 * Everything up to the first word that is not an option (or up to `--`) is
 * explain's; the rest is the command, exactly as env(1), time(1) and
 * strace(1) do it. explain's own functions are options, never subcommands,
 * so no program name is shadowed.
 */
#ifndef EX_OPTIONS_H
#define EX_OPTIONS_H

#include <stddef.h>

typedef struct ex_options {
  char **command;   /* the command and its arguments, NULL-terminated;
                       points into the argv given to ex_options_parse();
                       NULL when there is none */
  int help;         /* --help, -h */
  int version;      /* --version */
  int subreaper;    /* --subreaper */
  int quiet;        /* -q, --quiet */
} ex_options_t;

/* Parses argv (argc entries, argv[argc] == NULL). Returns 0 and fills *opts,
 * or -EINVAL and writes a one-line message (without "explain: " and without
 * newline) to err (errlen bytes, always NUL-terminated). opts borrows argv. */
int ex_options_parse(int argc, char **argv, ex_options_t *opts, char *err,
                     size_t errlen);

/* The text of --help. */
extern const char ex_options_help[];

#endif
