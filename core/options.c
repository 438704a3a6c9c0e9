#include "core/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ex_options_help[] =
    "Usage: explain [OPTIONS] [--] COMMAND [ARG...]\n"
    "       explain [OPTIONS] --log FILE\n"
    "\n"
    "Runs COMMAND, passes its output through untouched, and when it fails\n"
    "explains why. Exits with COMMAND's exit status.\n"
    "\n"
    "Running a command:\n"
    "  --always         diagnose even when COMMAND succeeds\n"
    "  --scan WHAT      stderr (default) or both: also scan stdout (stdout\n"
    "                   then goes through explain too)\n"
    "  --subreaper      reap orphaned descendants while COMMAND runs (as PID 1\n"
    "                   explain always does)\n"
    "  --no-probe       do not look at the system: report what the rules\n"
    "                   say, every cause unchecked\n"
    "  --trace          record the system calls that failed in COMMAND and\n"
    "                   its descendants (ptrace + seccomp) and use them as\n"
    "                   evidence; also EXPLAIN_TRACE=1\n"
    "  -q, --quiet      print no diagnosis, only pass the output through\n"
    "\n"
    "Output that was captured elsewhere:\n"
    "  --log FILE       explain the output in FILE (- for stdin); exit 0 when\n"
    "                   something was recognised, 1 when not (or when the log\n"
    "                   ends in success), 2 on error\n"
    "\n"
    "Reports:\n"
    "  --format FORMAT  text (default, on stderr), json (on stdout), or\n"
    "                   github (text, plus ::error annotations on stdout and\n"
    "                   a section in $GITHUB_STEP_SUMMARY; the default when\n"
    "                   GITHUB_ACTIONS=true)\n"
    "  --report FILE    also write the JSON report to FILE\n"
    "  --color WHEN     auto (default: when stderr is a terminal and NO_COLOR\n"
    "                   is unset), always or never\n"
    "  -v, --verbose    show every fact the probes saw\n"
    "\n"
    "History:\n"
    "  --history        list the recent diagnoses and exit (--format json: a\n"
    "                   JSON array); each diagnosis is kept in\n"
    "                   $XDG_STATE_HOME/explain/history.jsonl unless\n"
    "                   EXPLAIN_HISTORY=0\n"
    "\n"
    "Rules:\n"
    "  --rules DIR      read rule files from DIR too (repeatable; also\n"
    "                   EXPLAIN_RULES_PATH, colon-separated)\n"
    "  --list-rules     list the rules and exit\n"
    "  --rule ID        show one rule's explanation and exit\n"
    "  --check-rules PATH...\n"
    "                   validate rule files or directories and exit (0 when\n"
    "                   all are valid, 1 otherwise)\n"
    "\n"
    "Information:\n"
    "  -h, --help       show this help and exit\n"
    "  --version        show the version and exit\n"
    "\n"
    "Exit status: COMMAND's own. When COMMAND dies of a signal, explain dies\n"
    "of the same signal (as PID 1 it exits 128+N). 127: COMMAND not found;\n"
    "126: COMMAND found but not executable; 125: explain itself failed before\n"
    "COMMAND ran.\n"
    "\n"
    "Options end at the first word that is not an option, or at `--`.\n";

typedef enum { FLAG, STRING, RULES_DIR, FORMAT, SCAN, COLOR, REST } ex_kind_t;

/* Option table: name, short letter, kind, and where the value goes. */
typedef struct ex_option_spec {
  const char *name;
  char letter;
  ex_kind_t kind;
  size_t offset;
} ex_option_spec_t;

static const ex_option_spec_t specs[] = {
    {"help", 'h', FLAG, offsetof(ex_options_t, help)},
    {"version", 0, FLAG, offsetof(ex_options_t, version)},
    {"subreaper", 0, FLAG, offsetof(ex_options_t, subreaper)},
    {"quiet", 'q', FLAG, offsetof(ex_options_t, quiet)},
    {"verbose", 'v', FLAG, offsetof(ex_options_t, verbose)},
    {"color", 0, COLOR, offsetof(ex_options_t, color)},
    {"always", 0, FLAG, offsetof(ex_options_t, always)},
    {"no-probe", 0, FLAG, offsetof(ex_options_t, no_probe)},
    {"trace", 0, FLAG, offsetof(ex_options_t, trace)},
    {"list-rules", 0, FLAG, offsetof(ex_options_t, list_rules)},
    {"history", 0, FLAG, offsetof(ex_options_t, history)},
    {"log", 0, STRING, offsetof(ex_options_t, log)},
    {"rule", 0, STRING, offsetof(ex_options_t, rule)},
    {"report", 0, STRING, offsetof(ex_options_t, report)},
    {"format", 0, FORMAT, offsetof(ex_options_t, format)},
    {"scan", 0, SCAN, offsetof(ex_options_t, scan)},
    {"rules", 0, RULES_DIR, 0},
    {"check-rules", 0, REST, offsetof(ex_options_t, check_rules)},
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static void *slot(ex_options_t *opts, const ex_option_spec_t *s) {
  return (char *)opts + s->offset;
}

static int set_value(ex_options_t *opts, const ex_option_spec_t *s,
                     const char *v, char *err, size_t errlen) {
  switch (s->kind) {
  case STRING:
    if (v[0] == '\0') {
      snprintf(err, errlen, "option --%s needs a non-empty value", s->name);
      return -EINVAL;
    }
    *(const char **)slot(opts, s) = v;
    return 0;
  case RULES_DIR:
    if (opts->nrules == EX_OPTIONS_RULES_MAX) {
      snprintf(err, errlen, "--rules given more than %d times",
               EX_OPTIONS_RULES_MAX);
      return -EINVAL;
    }
    opts->rules[opts->nrules++] = v;
    return 0;
  case FORMAT:
    if (strcmp(v, "text") == 0)
      opts->format = EX_FORMAT_TEXT;
    else if (strcmp(v, "json") == 0)
      opts->format = EX_FORMAT_JSON;
    else if (strcmp(v, "github") == 0)
      opts->format = EX_FORMAT_GITHUB;
    else
      break;
    opts->format_given = 1;
    return 0;
  case COLOR:
    if (strcmp(v, "auto") == 0)
      opts->color = EX_COLOR_AUTO;
    else if (strcmp(v, "always") == 0)
      opts->color = EX_COLOR_ALWAYS;
    else if (strcmp(v, "never") == 0)
      opts->color = EX_COLOR_NEVER;
    else
      break;
    return 0;
  case SCAN:
    if (strcmp(v, "stderr") == 0)
      opts->scan = EX_SCAN_STDERR;
    else if (strcmp(v, "both") == 0)
      opts->scan = EX_SCAN_BOTH;
    else
      break;
    return 0;
  default:
    break;
  }
  snprintf(err, errlen, "invalid value '%s' for --%s (see explain --help)", v,
           s->name);
  return -EINVAL;
}

/* Parses argv[*i], a long option; may consume the next word as its value.
 * Returns 1 when the option takes the rest of the words. */
static int parse_long(int argc, char **argv, int *i, ex_options_t *opts,
                      char *err, size_t errlen) {
  const ex_option_spec_t *s;
  const char *arg;
  const char *eq;
  size_t len;
  size_t k;

  arg = argv[*i] + 2;
  eq = strchr(arg, '=');
  len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
  s = NULL;
  for (k = 0; k < NSPECS; k++) {
    if (strlen(specs[k].name) == len && strncmp(specs[k].name, arg, len) == 0)
      s = &specs[k];
  }
  if (s == NULL) {
    snprintf(err, errlen, "unknown option '--%.*s' (see explain --help)",
             (int)len, arg);
    return -EINVAL;
  }
  if (s->kind == FLAG || s->kind == REST) {
    if (eq != NULL) {
      snprintf(err, errlen, "option --%s takes no value", s->name);
      return -EINVAL;
    }
    if (s->kind == REST)
      return 1;
    *(int *)slot(opts, s) = 1;
    return 0;
  }
  if (eq != NULL)
    return set_value(opts, s, eq + 1, err, errlen);
  if (*i + 1 >= argc) {
    snprintf(err, errlen, "option --%s needs a value", s->name);
    return -EINVAL;
  }
  *i += 1;
  return set_value(opts, s, argv[*i], err, errlen);
}

static int parse_short(const char *arg, ex_options_t *opts, char *err,
                       size_t errlen) {
  const char *p;
  size_t k;

  for (p = arg + 1; *p != '\0'; p++) {
    for (k = 0; k < NSPECS; k++) {
      if (specs[k].letter == *p && specs[k].kind == FLAG)
        break;
    }
    if (k == NSPECS) {
      snprintf(err, errlen, "unknown option '-%c' (see explain --help)", *p);
      return -EINVAL;
    }
    *(int *)slot(opts, &specs[k]) = 1;
  }
  return 0;
}

static int check_modes(const ex_options_t *o, char *err, size_t errlen) {
  int modes;

  modes = (o->log != NULL) + o->list_rules + (o->rule != NULL) +
          (o->check_rules != NULL) + o->history;
  if (o->help || o->version)
    return 0;
  if (modes > 1) {
    snprintf(err, errlen, "--log, --list-rules, --rule, --check-rules and "
                          "--history cannot be combined");
    return -EINVAL;
  }
  if (modes == 1 && o->command != NULL) {
    snprintf(err, errlen, "a command cannot be given with --log, "
                          "--list-rules, --rule, --check-rules or --history");
    return -EINVAL;
  }
  if (modes == 0 && o->command == NULL) {
    snprintf(err, errlen, "no command given (usage: explain [OPTIONS] [--] "
                          "COMMAND [ARG...])");
    return -EINVAL;
  }
  if (o->check_rules != NULL && o->check_rules[0] == NULL) {
    snprintf(err, errlen, "--check-rules needs at least one path");
    return -EINVAL;
  }
  return 0;
}

int ex_options_parse(int argc, char **argv, ex_options_t *opts, char *err,
                     size_t errlen) {
  int i;
  int rc;
  const char *a;

  memset(opts, 0, sizeof(*opts));
  if (errlen > 0)
    err[0] = '\0';
  for (i = 1; i < argc; i++) {
    a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-' || a[1] == '\0')
      break;
    if (a[1] != '-') {
      rc = parse_short(a, opts, err, errlen);
      if (rc != 0)
        return rc;
      continue;
    }
    rc = parse_long(argc, argv, &i, opts, err, errlen);
    if (rc < 0)
      return rc;
    if (rc == 1) {
      opts->check_rules = argv + i + 1;
      i = argc;
      break;
    }
  }
  opts->command = i < argc ? argv + i : NULL;
  opts->probe = !opts->no_probe;
  if (getenv("EXPLAIN_TRACE") != NULL &&
      strcmp(getenv("EXPLAIN_TRACE"), "1") == 0)
    opts->trace = 1;
  if (!opts->format_given && getenv("GITHUB_ACTIONS") != NULL &&
      strcmp(getenv("GITHUB_ACTIONS"), "true") == 0)
    opts->format = EX_FORMAT_GITHUB;
  return check_modes(opts, err, errlen);
}
