/* Runs one program many times with different environments, interleaved,
 * and prints the median CPU time (user + system, from wait4) of each: the
 * cost of an exec and of what the loader does in the new process, with
 * less scheduling noise than a wall clock.
 *
 *   spawn_cpu RUNS PROGRAM NAME=ENV[,ENV...] ...
 *
 * Each configuration is a label and a comma-separated list of environment
 * entries ("-" for an empty environment). Built by bench/preload.sh. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MAX_ENV 16

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  char *envs[64][MAX_ENV + 1];
  const char *labels[64];
  char *args[2];
  double *t;
  int runs;
  int nc;
  int c;
  int i;

  if (argc < 4) {
    fprintf(stderr, "usage: spawn_cpu RUNS PROGRAM LABEL=ENV[,ENV] ...\n");
    return 2;
  }
  runs = atoi(argv[1]);
  nc = argc - 3;
  if (runs < 1 || nc > 64)
    return 2;
  for (c = 0; c < nc; c++) {
    char *spec = strdup(argv[3 + c]);
    char *eq = strchr(spec, '=');
    char *tok;
    int k = 0;

    if (eq == NULL)
      return 2;
    *eq = '\0';
    labels[c] = spec;
    for (tok = strtok(eq + 1, ","); tok && k < MAX_ENV; tok = strtok(NULL, ","))
      if (strcmp(tok, "-") != 0)
        envs[c][k++] = tok;
    envs[c][k] = NULL;
  }
  args[0] = argv[2];
  args[1] = NULL;
  t = calloc((size_t)runs * (size_t)nc, sizeof(*t));
  for (i = 0; i < runs; i++) {
    for (c = 0; c < nc; c++) {
      struct rusage ru;
      pid_t pid;
      int st;

      if (posix_spawn(&pid, args[0], NULL, NULL, args, envs[c]) != 0 ||
          wait4(pid, &st, 0, &ru) != pid) {
        perror("spawn_cpu");
        return 1;
      }
      t[(size_t)c * (size_t)runs + (size_t)i] =
          (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
          (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    }
  }
  for (c = 0; c < nc; c++) {
    double *v = t + (size_t)c * (size_t)runs;

    qsort(v, (size_t)runs, sizeof(*v), cmp_double);
    printf("%s\t%.0f\t%.0f\t%.0f\n", labels[c], v[runs / 2], v[runs / 4],
           v[3 * runs / 4]);
  }
  return 0;
}
