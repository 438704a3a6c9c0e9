/* match_bench: loads rules, feeds a file to the matcher in 64 KiB chunks
 * (or the chunk size given), prints the findings and the throughput.
 *
 *   match_bench RULES(file|dir)... -- INPUT [CHUNK]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "matcher/matcher.h"
#include "rules/rules.h"

static double now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_finding(const ex_finding_t *f, int depth) {
  size_t i;

  printf("%*s%s x%lu errno=%s cond=%s op=%s subject=%s:%s line=%lu: %.*s\n",
         depth * 2, "", f->rule->id, f->count,
         f->event.errno_name ? f->event.errno_name : "-",
         f->event.condition ? f->event.condition : "-",
         f->event.operation ? f->event.operation : "-",
         f->event.subject_kind ? f->event.subject_kind : "-",
         f->event.subject_value ? f->event.subject_value : "",
         f->evidence[0].line, (int)f->evidence[0].len, f->evidence[0].text);
  for (i = 0; i < f->nchildren; i++)
    print_finding(f->children[i], depth + 1);
}

int main(int argc, char **argv) {
  ex_ruleset_t *set = NULL;
  ex_matcher_t *m = NULL;
  ex_diags_t diags;
  ex_matcher_stats_t st;
  struct rusage ru;
  size_t chunk = 65536;
  char *buf = NULL;
  double t0;
  double t1;
  double t2;
  int argi = 1;
  int fd = -1;
  int rc = 1;
  size_t i;

  ex_diags_init(&diags);
  if (ex_ruleset_new(&set) < 0)
    goto cleanup;
  for (; argi < argc && strcmp(argv[argi], "--") != 0; argi++)
    ex_rules_load_path(set, argv[argi], 0, &diags);
  for (i = 0; i < diags.count; i++) {
    char line[1024];
    ex_diag_format(&diags.items[i], line, sizeof(line));
    fprintf(stderr, "%s\n", line);
  }
  if (argi + 1 >= argc) {
    fprintf(stderr, "usage: match_bench RULES... -- INPUT [CHUNK]\n");
    goto cleanup;
  }
  if (argi + 2 < argc)
    chunk = (size_t)strtoul(argv[argi + 2], NULL, 10);
  if (chunk == 0)
    chunk = 1;
  fd = strcmp(argv[argi + 1], "-") == 0 ? 0 : open(argv[argi + 1], O_RDONLY);
  buf = malloc(chunk);
  if (fd < 0 || buf == NULL) {
    perror(argv[argi + 1]);
    goto cleanup;
  }
  t0 = now();
  if (ex_matcher_new(set, &m) < 0)
    goto cleanup;
  t1 = now();
  for (;;) {
    ssize_t n = read(fd, buf, chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    ex_matcher_feed(m, EX_STREAM_STDERR, buf, (size_t)n);
  }
  ex_matcher_finish(m);
  t2 = now();
  for (i = 0; i < ex_matcher_count(m); i++)
    print_finding(ex_matcher_get(m, i), 0);
  ex_matcher_stats(m, &st);
  getrusage(RUSAGE_SELF, &ru);
  fprintf(stderr,
          "rules %zu (skipped %zu), compile %.2f ms; %.1f MB in %.3f s = "
          "%.0f MB/s; lines %llu, regex runs %llu, limit hits %llu; "
          "max RSS %ld KiB\n",
          st.rules, st.rules_skipped, (t1 - t0) * 1e3, (double)st.bytes / 1e6,
          t2 - t1, (double)st.bytes / 1e6 / (t2 - t1), st.lines, st.candidates,
          st.limit_hits, ru.ru_maxrss);
  rc = 0;

cleanup:
  if (fd > 0)
    close(fd);
  free(buf);
  ex_matcher_free(m);
  ex_ruleset_free(set);
  ex_diags_release(&diags);
  return rc;
}
