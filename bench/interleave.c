/* Start-up time of several commands, measured run by run in turn, so that
 * drift on a shared machine (other jobs, frequency changes) falls on all of
 * them alike: hyperfine measures one command's runs, then the next's.
 *
 *   interleave RUNS CMD [ARG...] [::: CMD [ARG...]]...
 *
 * Each run is posix_spawn + wait4 with stdout and stderr on /dev/null, timed
 * with CLOCK_MONOTONIC. Prints, per command, a line "median p25 p75" in
 * microseconds. Built and used by bench/launcher.sh. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define MAX_CMDS 16

extern char **environ;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double now_us(void) {
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  char **cmd[MAX_CMDS];
  posix_spawn_file_actions_t fa;
  double *t;
  int runs;
  int n;
  int i;
  int c;

  if (argc < 3 || (runs = atoi(argv[1])) < 1) {
    fprintf(stderr, "usage: interleave RUNS CMD [ARG...] [::: CMD ...]\n");
    return 2;
  }
  n = 0;
  cmd[n++] = &argv[2];
  for (i = 2; i < argc; i++) {
    if (strcmp(argv[i], ":::") != 0)
      continue;
    argv[i] = NULL;
    if (n == MAX_CMDS || i + 1 >= argc)
      return 2;
    cmd[n++] = &argv[i + 1];
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  t = calloc((size_t)runs * (size_t)n, sizeof(*t));
  if (t == NULL)
    return 1;
  for (i = 0; i < runs; i++) {
    for (c = 0; c < n; c++) {
      double t0 = now_us();
      pid_t pid;
      int st;

      if (posix_spawnp(&pid, cmd[c][0], &fa, NULL, cmd[c], environ) != 0 ||
          waitpid(pid, &st, 0) != pid) {
        perror(cmd[c][0]);
        return 1;
      }
      t[(size_t)c * (size_t)runs + (size_t)i] = now_us() - t0;
    }
  }
  for (c = 0; c < n; c++) {
    double *v = t + (size_t)c * (size_t)runs;

    qsort(v, (size_t)runs, sizeof(*v), cmp_double);
    printf("%.1f %.1f %.1f\n", v[runs / 2], v[runs / 4], v[3 * runs / 4]);
  }
  return 0;
}
