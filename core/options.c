#include "core/options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char ex_options_help[] =
    "Usage: explain [OPTIONS] [--] COMMAND [ARG...]\n"
    "\n"
    "Runs COMMAND, passes its output through untouched, and when it fails\n"
    "explains why. Exits with COMMAND's exit status.\n"
    "\n"
    "Running the command:\n"
    "  --subreaper      reap orphaned descendants while COMMAND runs (as PID 1\n"
    "                   explain always does)\n"
    "  -q, --quiet      print no diagnosis, only pass the output through\n"
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

/* Option table: name, short letter, and where the flag goes. */
typedef struct ex_flag {
  const char *name;
  char letter;
  size_t offset;
} ex_flag_t;

static const ex_flag_t flags[] = {
    {"help", 'h', offsetof(ex_options_t, help)},
    {"version", 0, offsetof(ex_options_t, version)},
    {"subreaper", 0, offsetof(ex_options_t, subreaper)},
    {"quiet", 'q', offsetof(ex_options_t, quiet)},
};

#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static int *flag_slot(ex_options_t *opts, const ex_flag_t *f) {
  return (int *)(void *)((char *)opts + f->offset);
}

static int parse_long(const char *arg, ex_options_t *opts, char *err,
                      size_t errlen) {
  size_t i;
  const char *name;
  const char *eq;
  size_t len;

  name = arg + 2;
  eq = strchr(name, '=');
  len = eq != NULL ? (size_t)(eq - name) : strlen(name);
  for (i = 0; i < NFLAGS; i++) {
    if (strlen(flags[i].name) != len || strncmp(flags[i].name, name, len) != 0)
      continue;
    if (eq != NULL) {
      snprintf(err, errlen, "option --%s takes no value", flags[i].name);
      return -EINVAL;
    }
    *flag_slot(opts, &flags[i]) = 1;
    return 0;
  }
  snprintf(err, errlen, "unknown option '%.*s' (see explain --help)",
           (int)(len + 2), arg);
  return -EINVAL;
}

static int parse_short(const char *arg, ex_options_t *opts, char *err,
                       size_t errlen) {
  const char *p;
  size_t i;

  for (p = arg + 1; *p != '\0'; p++) {
    for (i = 0; i < NFLAGS; i++) {
      if (flags[i].letter == *p)
        break;
    }
    if (i == NFLAGS) {
      snprintf(err, errlen, "unknown option '-%c' (see explain --help)", *p);
      return -EINVAL;
    }
    *flag_slot(opts, &flags[i]) = 1;
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
    rc = a[1] == '-' ? parse_long(a, opts, err, errlen)
                     : parse_short(a, opts, err, errlen);
    if (rc != 0)
      return rc;
  }
  opts->command = i < argc ? argv + i : NULL;
  if (opts->command == NULL && !opts->help && !opts->version) {
    snprintf(err, errlen, "no command given (usage: explain [OPTIONS] [--] "
                          "COMMAND [ARG...])");
    return -EINVAL;
  }
  return 0;
}
