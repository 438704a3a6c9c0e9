/* The directory a tool worked in, from its command line: git -C, make -C,
 * npm --prefix, cargo --manifest-path, docker compose -f and their kin. */
#include "platform/probe.h"

#include <stdio.h>
#include <string.h>

typedef enum { NAMES_DIR = 0, NAMES_FILE } names_t;

typedef struct tool_option {
  const char *tool;  /* the program's base name */
  const char *after; /* a word that must come first ("compose"), or NULL */
  const char *opt;   /* "-C", "--directory" */
  names_t names;     /* a directory, or a file in it */
  int chdirs;        /* the tool changes into it itself */
  int leading;       /* only before the first non-option word (git's
                        "log -C" detects copies) */
  int cumulative;    /* a relative one is relative to the previous */
} tool_option_t;

static const tool_option_t options[] = {
    {"git", NULL, "-C", NAMES_DIR, 1, 1, 1},
    {"make", NULL, "-C", NAMES_DIR, 1, 0, 1},
    {"make", NULL, "--directory", NAMES_DIR, 1, 0, 1},
    {"gmake", NULL, "-C", NAMES_DIR, 1, 0, 1},
    {"ninja", NULL, "-C", NAMES_DIR, 1, 0, 0},
    {"go", NULL, "-C", NAMES_DIR, 1, 1, 0},
    {"env", NULL, "-C", NAMES_DIR, 1, 1, 0},
    {"env", NULL, "--chdir", NAMES_DIR, 1, 1, 0},
    {"npm", NULL, "--prefix", NAMES_DIR, 0, 0, 0},
    {"npm", NULL, "-C", NAMES_DIR, 0, 0, 0},
    {"pnpm", NULL, "-C", NAMES_DIR, 0, 0, 0},
    {"pnpm", NULL, "--dir", NAMES_DIR, 0, 0, 0},
    {"yarn", NULL, "--cwd", NAMES_DIR, 0, 0, 0},
    {"cargo", NULL, "--manifest-path", NAMES_FILE, 0, 0, 0},
    {"docker", "compose", "-f", NAMES_FILE, 0, 0, 0},
    {"docker", "compose", "--file", NAMES_FILE, 0, 0, 0},
    {"docker", "compose", "--project-directory", NAMES_DIR, 0, 0, 0},
    {"docker-compose", NULL, "-f", NAMES_FILE, 0, 0, 0},
    {"docker-compose", NULL, "--file", NAMES_FILE, 0, 0, 0},
    {"podman-compose", NULL, "-f", NAMES_FILE, 0, 0, 0},
    {"mvn", NULL, "-f", NAMES_FILE, 0, 0, 0},
    {"mvn", NULL, "--file", NAMES_FILE, 0, 0, 0},
    {"gradle", NULL, "-p", NAMES_DIR, 0, 0, 0},
    {"gradle", NULL, "--project-dir", NAMES_DIR, 0, 0, 0},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');

  return s != NULL ? s + 1 : p;
}

/* The value of option o at argv[i] ("-C dir", "-Cdir" for short options,
 * "--opt=dir"), and how many words it took (0: not this option). */
static const char *option_value(const tool_option_t *o, char *const *argv,
                                size_t i, size_t *took) {
  const char *a = argv[i];
  size_t n = strlen(o->opt);

  *took = 0;
  if (strcmp(a, o->opt) == 0 && argv[i + 1] != NULL) {
    *took = 2;
    return argv[i + 1];
  }
  if (strncmp(a, o->opt, n) == 0 && a[n] == '=' && o->opt[1] == '-') {
    *took = 1;
    return a + n + 1;
  }
  /* make -Cdir: short options glue their value. */
  if (o->opt[1] != '-' && strncmp(a, o->opt, n) == 0 && a[n] != '\0' &&
      strcmp(o->tool, "git") != 0) {
    *took = 1;
    return a + n;
  }
  return NULL;
}

/* Joins base and rel (rel may be absolute) into out; drops a last
 * component when names is NAMES_FILE. */
static int join(const char *base, const char *rel, names_t names, char *out,
                size_t size) {
  char *slash;
  int n;

  if (rel[0] == '/')
    n = snprintf(out, size, "%s", rel);
  else
    n = snprintf(out, size, "%s/%s", base, rel);
  if (n < 0 || (size_t)n >= size)
    return 0;
  if (names == NAMES_FILE) {
    slash = strrchr(out, '/');
    if (slash == NULL)
      return 0;
    if (slash == out)
      slash[1] = '\0';
    else
      *slash = '\0';
  }
  /* "dir/" and "dir/." name dir. */
  n = (int)strlen(out);
  while (n > 1 && out[n - 1] == '/')
    out[--n] = '\0';
  if (n > 2 && strcmp(out + n - 2, "/.") == 0)
    out[n - 2] = '\0';
  return 1;
}

int ex_tool_dir(char *const *argv, const char *cwd, char *out, size_t size,
                char *how, size_t hsize, int *chdirs) {
  const tool_option_t *o;
  const char *tool;
  const char *v;
  char cur[EX_PROC_PATH_MAX];
  char next[EX_PROC_PATH_MAX];
  size_t i;
  size_t k;
  size_t took;
  int found;
  int after_seen;

  if (argv == NULL || argv[0] == NULL || cwd == NULL || cwd[0] != '/')
    return 0;
  tool = base_name(argv[0]);
  ex_strlcpy(cur, cwd, sizeof(cur));
  found = 0;
  *chdirs = 0;
  for (k = 0; k < NOPTIONS; k++) {
    o = &options[k];
    if (strcmp(o->tool, tool) != 0)
      continue;
    after_seen = o->after == NULL;
    for (i = 1; argv[i] != NULL && i < 256; i++) {
      if (!after_seen) {
        after_seen = strcmp(argv[i], o->after) == 0;
        continue;
      }
      if (strcmp(argv[i], "--") == 0)
        break;
      v = option_value(o, argv, i, &took);
      if (v == NULL) {
        if (o->leading && argv[i][0] != '-')
          break;
        continue;
      }
      if (v[0] == '\0')
        continue;
      /* The first -f of compose names the project; later ones add. */
      if (o->names == NAMES_FILE && found)
        break;
      if (!join(o->cumulative && found ? cur : cwd, v, o->names, next,
                sizeof(next)))
        return 0;
      ex_strlcpy(cur, next, sizeof(cur));
      if (!found || o->cumulative)
        snprintf(how, hsize, "%s %s %s", tool, o->opt, v);
      found = 1;
      *chdirs = o->chdirs;
      i += took - 1;
    }
    if (found)
      break;
  }
  if (!found)
    return 0;
  ex_strlcpy(out, cur, size);
  return 1;
}
