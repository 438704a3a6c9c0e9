#include "core/session.h"

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ex_session_init(ex_session_t *s, const ex_options_t *opts) {
  memset(s, 0, sizeof(*s));
  s->opts = opts;
  ex_diags_init(&s->diags);
}

void ex_session_release(ex_session_t *s) {
  ex_session_wait(s);
  free(s->pending[0].buf);
  free(s->pending[1].buf);
  ex_matcher_free(s->matcher);
  ex_ruleset_free(s->rules);
  ex_diags_release(&s->diags);
  ex_wrap_result_release(&s->run);
  ex_crash_free(s->crash);
  memset(s, 0, sizeof(*s));
}

/* The built-in rules: <prefix>/share/explain/rules next to an installed
 * binary, else the source tree's rules/ (a build that is not installed). */
static const char *builtin_dir(char *buf, size_t size) {
  char exe[PATH_MAX];
  ssize_t n;
  char *slash;
  struct stat st;

  n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash != NULL) {
      *slash = '\0';
      snprintf(buf, size, "%s/../share/explain/rules", exe);
      if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
        return buf;
    }
  }
  if (stat(EX_RULES_INSTALL_DIR, &st) == 0 && S_ISDIR(st.st_mode))
    return EX_RULES_INSTALL_DIR;
  return EX_RULES_SOURCE_DIR;
}

int ex_session_rule_dirs(const ex_options_t *opts, ex_rules_dirs_t *dirs) {
  char buf[PATH_MAX + 32];
  size_t i;
  int rc;

  rc = ex_rules_dirs_default(dirs, builtin_dir(buf, sizeof(buf)));
  for (i = 0; rc == 0 && i < opts->nrules; i++)
    rc = ex_rules_dirs_add(dirs, opts->rules[i], 0);
  return rc;
}

int ex_session_load(ex_session_t *s) {
  ex_rules_dirs_t dirs;
  int rc;

  s->load_started = 1;
  ex_rules_dirs_init(&dirs);
  rc = ex_ruleset_new(&s->rules);
  if (rc == 0)
    rc = ex_session_rule_dirs(s->opts, &dirs);
  if (rc == 0) {
    rc = ex_rules_load_dirs(s->rules, &dirs, &s->diags);
    if (rc == -EINVAL)
      rc = 0; /* broken files are skipped and reported; the rest load */
  }
  if (rc == 0)
    rc = ex_matcher_new(s->rules, &s->matcher);
  ex_rules_dirs_release(&dirs);
  s->load_error = rc;
  return rc;
}

static void *load_main(void *arg) {
  ex_session_t *s;

  s = arg;
  (void)ex_session_load(s);
  __atomic_store_n(&s->loader_done, 1, __ATOMIC_RELEASE);
  return NULL;
}

int ex_session_load_async(ex_session_t *s) {
  sigset_t all;
  sigset_t old;
  int rc;

  /* The thread must not take the signals that the launcher reads from its
   * signalfd: it starts with every signal blocked. */
  s->load_started = 1;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  rc = pthread_create(&s->loader, NULL, load_main, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0)
    return -rc;
  s->loader_running = 1;
  return 0;
}

static void feed_now(ex_session_t *s, ex_stream_t stream, const char *buf,
                     size_t len) {
  if (s->matcher != NULL)
    (void)ex_matcher_feed(s->matcher, stream, buf, len);
}

void ex_session_wait(ex_session_t *s) {
  int i;

  if (!s->loader_running)
    return;
  pthread_join(s->loader, NULL);
  s->loader_running = 0;
  for (i = 0; i < 2; i++) {
    if (s->pending[i].len > 0)
      feed_now(s, (ex_stream_t)i, s->pending[i].buf, s->pending[i].len);
    free(s->pending[i].buf);
    s->pending[i].buf = NULL;
    s->pending[i].len = 0;
  }
}

void ex_session_capture(ex_session_t *s) {
  ex_proc_t *snap;

  if (s->pid <= 0)
    return;
  /* Into a scratch copy first: a process that is gone must not wipe the
   * snapshot taken while it ran. */
  snap = malloc(sizeof(*snap));
  if (snap == NULL)
    return;
  if (ex_proc_capture(s->pid, snap) == 0)
    s->proc = *snap;
  free(snap);
}

/* A regex ran since the last snapshot: a signature may have fired, and the
 * probes want the command's state of that moment. */
static void capture_if_candidate(ex_session_t *s) {
  ex_matcher_stats_t st;

  if (s->matcher == NULL)
    return;
  ex_matcher_stats(s->matcher, &st);
  if (st.candidates == s->seen_candidates)
    return;
  s->seen_candidates = st.candidates;
  ex_session_capture(s);
}

void ex_session_feed(ex_session_t *s, ex_stream_t stream, const char *buf,
                     size_t len) {
  ex_pending_t *p;

  if (s->loader_running && __atomic_load_n(&s->loader_done, __ATOMIC_ACQUIRE))
    ex_session_wait(s);
  if (!s->loader_running) {
    feed_now(s, stream, buf, len);
    capture_if_candidate(s);
    return;
  }
  p = &s->pending[stream == EX_STREAM_STDOUT];
  if (p->len + len > EX_SESSION_PENDING_MAX) {
    ex_session_wait(s);
    feed_now(s, stream, buf, len);
    return;
  }
  if (p->buf == NULL) {
    p->buf = malloc(EX_SESSION_PENDING_MAX);
    if (p->buf == NULL) {
      ex_session_wait(s);
      feed_now(s, stream, buf, len);
      return;
    }
  }
  memcpy(p->buf + p->len, buf, len);
  p->len += len;
}

/* One line per broken file: its first problem, and how to see the rest. */
void ex_session_print_diags(const ex_session_t *s) {
  char line[1024];
  size_t i;
  size_t j;

  for (i = 0; i < s->diags.count; i = j) {
    for (j = i + 1; j < s->diags.count &&
                    strcmp(s->diags.items[j].file, s->diags.items[i].file) == 0;
         j++)
      ;
    ex_diag_format(&s->diags.items[i], line, sizeof(line));
    if (j - i > 1)
      fprintf(stderr, "explain: rules: %s (file skipped; %zu more problems: "
                      "explain --check-rules %s)\n",
              line, j - i - 1, s->diags.items[i].file);
    else
      fprintf(stderr, "explain: rules: %s (file skipped)\n", line);
  }
  if (s->load_error != 0 && s->load_error != -EINVAL)
    fprintf(stderr, "explain: rules could not be loaded: %s\n",
            strerror(-s->load_error));
}
