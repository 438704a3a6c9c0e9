#include "core/session.h"

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The scanning thread's nice value (scanner_yields()). */
#define EX_SCAN_NICE 10

void ex_session_init(ex_session_t *s, const ex_options_t *opts) {
  memset(s, 0, sizeof(*s));
  s->opts = opts;
  ex_diags_init(&s->diags);
}

void ex_session_release(ex_session_t *s) {
  ex_session_wait(s);
  ex_matcher_free(s->matcher);
  ex_ruleset_free(s->rules);
  ex_diags_release(&s->diags);
  ex_wrap_result_release(&s->run);
  ex_crash_free(s->crash);
  ex_trace_log_release(&s->tracelog);
  ex_trace_free(s->trace);
  free(s->proc);
  memset(s, 0, sizeof(*s));
}

/* The built-in rules: <prefix>/share/explain/rules next to an installed
 * binary, else the source tree's rules/ (a build that is not installed). */
static const char *builtin_dir(char *buf, size_t size) {
  char exe[PATH_MAX];
  struct stat st;

  if (ex_exe_dir(exe, sizeof(exe)) == 0 &&
      (size_t)snprintf(buf, size, "%s/../share/explain/rules", exe) < size &&
      stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
    return buf;
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

static void feed_now(ex_session_t *s, ex_stream_t stream, const char *buf,
                     size_t len) {
  if (s->matcher == NULL)
    return;
  (void)ex_matcher_feed(s->matcher, stream, buf, len);
  capture_if_candidate(s);
}

/* Record header in the ring: which stream, how many bytes follow. */
typedef struct ex_rec {
  unsigned int stream;
  unsigned int len;
} ex_rec_t;

#define RING_POS(x) ((size_t)((x) % EX_SESSION_RING))

/* Copies n bytes at ring position pos into dst (or the other way), across
 * the end of the buffer. */
static void ring_copy_out(const ex_scan_ring_t *r, unsigned long long pos,
                          void *dst, size_t n) {
  size_t at;
  size_t first;

  at = RING_POS(pos);
  first = EX_SESSION_RING - at < n ? EX_SESSION_RING - at : n;
  memcpy(dst, r->buf + at, first);
  memcpy((char *)dst + first, r->buf, n - first);
}

static void ring_copy_in(ex_scan_ring_t *r, unsigned long long pos,
                         const void *src, size_t n) {
  size_t at;
  size_t first;

  at = RING_POS(pos);
  first = EX_SESSION_RING - at < n ? EX_SESSION_RING - at : n;
  memcpy(r->buf + at, src, first);
  memcpy(r->buf, (const char *)src + first, n - first);
}

/* The scanner caught up with the ring: what found it full. A tail that
 * holds all of it is scanned as if nothing happened; otherwise the
 * matcher is told what went by unscanned, and scans the tail from its
 * first whole line. */
static void catch_up(ex_session_t *s, char *const copy[EX_STREAM_COUNT],
                     const size_t len[EX_STREAM_COUNT],
                     const unsigned long long bytes[EX_STREAM_COUNT],
                     const unsigned long long lines[EX_STREAM_COUNT]) {
  const char *from;
  const char *nl;
  size_t i;

  for (i = 0; i < EX_STREAM_COUNT; i++) {
    if (bytes[i] == 0 || s->matcher == NULL)
      continue;
    from = copy[i];
    if (bytes[i] > len[i]) {
      nl = memchr(copy[i], '\n', len[i]);
      from = nl != NULL ? nl + 1 : copy[i] + len[i];
      (void)ex_matcher_skip(
          s->matcher, (ex_stream_t)i,
          bytes[i] - (unsigned long long)(copy[i] + len[i] - from),
          lines[i] -
              ex_matcher_newlines(from, (size_t)(copy[i] + len[i] - from)));
    }
    feed_now(s, (ex_stream_t)i, from, (size_t)(copy[i] + len[i] - from));
  }
}

/* The scanner gives way to the command and the relay when they want the
 * CPU: on a machine with two cores a command that writes at full speed,
 * the relay and the scanner are three busy threads, and the scanner
 * taking its share would slow the command down (as waiting for it would:
 * see ex_session_feed()). It only lags further behind, and the tails keep
 * the end of the output for it. */
static void scanner_yields(void) {
  (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), EX_SCAN_NICE);
}

/* The scanning thread: snapshot, rules, then every record until the end,
 * and the tails whenever it fell behind. */
static void *scan_main(void *arg) {
  ex_session_t *s;
  ex_scan_ring_t *r;
  ex_rec_t rec;
  unsigned long long at;
  size_t pos;
  size_t first;
  char *copy[EX_STREAM_COUNT] = {NULL};
  size_t len[EX_STREAM_COUNT];
  unsigned long long bytes[EX_STREAM_COUNT];
  unsigned long long lines[EX_STREAM_COUNT];
  size_t i;

  s = arg;
  r = &s->ring;
  if (s->proc == NULL)
    ex_session_capture(s);
  (void)ex_session_load(s);
  scanner_yields();
  for (;;) {
    pthread_mutex_lock(&r->mu);
    while (r->head == r->tail && !r->behind && !r->eof)
      pthread_cond_wait(&r->more, &r->mu);
    if (r->head == r->tail && r->behind) {
      /* The ring is empty: take the tails, and the relay may use the
       * ring again. */
      for (i = 0; i < EX_STREAM_COUNT; i++) {
        ex_scan_tail_t *t = &r->tails[i];
        len[i] = 0;
        bytes[i] = t->kept.total;
        lines[i] = t->lines;
        if (copy[i] == NULL && t->kept.total > 0)
          copy[i] = malloc(EX_SESSION_TAIL);
        if (copy[i] != NULL)
          len[i] = ex_tailbuf_copy(&t->kept, copy[i]);
        t->kept.total = 0;
        t->kept.head = 0;
        t->lines = 0;
      }
      r->behind = 0;
      pthread_mutex_unlock(&r->mu);
      catch_up(s, copy, len, bytes, lines);
      continue;
    }
    if (r->head == r->tail) {
      pthread_mutex_unlock(&r->mu);
      break;
    }
    at = r->tail;
    pthread_mutex_unlock(&r->mu);
    /* The producer only writes into free space: the record is stable. */
    ring_copy_out(r, at, &rec, sizeof(rec));
    pos = RING_POS(at + sizeof(rec));
    first = EX_SESSION_RING - pos < rec.len ? EX_SESSION_RING - pos : rec.len;
    feed_now(s, (ex_stream_t)rec.stream, r->buf + pos, first);
    if (first < rec.len)
      feed_now(s, (ex_stream_t)rec.stream, r->buf, rec.len - first);
    pthread_mutex_lock(&r->mu);
    r->tail = at + sizeof(rec) + rec.len;
    pthread_mutex_unlock(&r->mu);
  }
  for (i = 0; i < EX_STREAM_COUNT; i++)
    free(copy[i]);
  return NULL;
}

int ex_session_load_async(ex_session_t *s) {
  ex_scan_ring_t *r;
  sigset_t all;
  sigset_t old;
  int rc;

  s->load_started = 1;
  r = &s->ring;
  r->buf = malloc(EX_SESSION_RING);
  if (r->buf == NULL)
    return -ENOMEM;
  r->head = r->tail = 0;
  r->eof = 0;
  r->behind = 0;
  memset(r->tails, 0, sizeof(r->tails));
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->more, NULL);
  /* The thread must not take the signals that the launcher reads from its
   * signalfd: it starts with every signal blocked. */
  sigfillset(&all);
  /* Except the fault signals; blocked, a crash in this thread
   * would kill explain without its crash report (core/selfcrash.h). */
  sigdelset(&all, SIGSEGV);
  sigdelset(&all, SIGBUS);
  sigdelset(&all, SIGFPE);
  sigdelset(&all, SIGILL);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  rc = pthread_create(&s->scanner, NULL, scan_main, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    free(r->buf);
    r->buf = NULL;
    return -rc;
  }
  s->scanner_running = 1;
  return 0;
}

void ex_session_wait(ex_session_t *s) {
  ex_scan_ring_t *r;

  if (!s->scanner_running)
    return;
  r = &s->ring;
  pthread_mutex_lock(&r->mu);
  r->eof = 1;
  pthread_cond_signal(&r->more);
  pthread_mutex_unlock(&r->mu);
  pthread_join(s->scanner, NULL);
  s->scanner_running = 0;
  free(r->buf);
  r->buf = NULL;
  for (size_t i = 0; i < EX_STREAM_COUNT; i++) {
    free(r->tails[i].kept.buf);
    r->tails[i].kept.buf = NULL;
  }
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->more);
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
  if (ex_proc_capture(s->pid, snap) != 0) {
    free(snap);
    return;
  }
  free(s->proc); /* read only once the scanning thread is joined */
  s->proc = snap;
}

/* The ring is full: the newest bytes of the chunk go to the stream's tail
 * (under the lock), and all of them are counted. Called with r->mu held;
 * `lines` was counted before taking it. */
static void tail_put(ex_scan_ring_t *r, ex_stream_t stream, const char *buf,
                     size_t len, unsigned long lines) {
  ex_scan_tail_t *t = &r->tails[stream];

  t->lines += lines;
  if (t->kept.buf == NULL) {
    /* Without it, all is unscanned, and counted so. */
    t->kept.buf = malloc(EX_SESSION_TAIL);
    t->kept.cap = t->kept.buf != NULL ? EX_SESSION_TAIL : 0;
  }
  ex_tailbuf_put(&t->kept, buf, len);
}

/* The relay's side: never waits for the scanner. A command that writes
 * faster than the scanner reads would otherwise be slowed down to the
 * scanner's pace (the relay waiting for room is what the command sees
 * as a slow pipe); explain would rather pass everything on at once and
 * scan what it can: the tails keep the newest output of each stream, and
 * the end of the output, where the error that ended the command usually
 * is, is always scanned. What was not is counted and said. */
void ex_session_feed(ex_session_t *s, ex_stream_t stream, const char *buf,
                     size_t len) {
  ex_scan_ring_t *r;
  ex_rec_t rec;
  unsigned long lines;
  size_t n;
  size_t max;

  if (!s->scanner_running) {
    feed_now(s, stream, buf, len);
    return;
  }
  r = &s->ring;
  max = EX_SESSION_RING / 4 - sizeof(rec);
  while (len > 0) {
    n = len < max ? len : max;
    rec.stream = (unsigned int)stream;
    rec.len = (unsigned int)n;
    pthread_mutex_lock(&r->mu);
    if (r->behind || r->head - r->tail + sizeof(rec) + n > EX_SESSION_RING) {
      pthread_mutex_unlock(&r->mu);
      lines = ex_matcher_newlines(buf, n);
      pthread_mutex_lock(&r->mu);
      if (!r->behind)
        pthread_cond_signal(&r->more);
      r->behind = 1;
      tail_put(r, stream, buf, n, lines);
      pthread_mutex_unlock(&r->mu);
      buf += n;
      len -= n;
      continue;
    }
    pthread_mutex_unlock(&r->mu);
    /* The consumer never reads past head: writing unlocked is safe. */
    ring_copy_in(r, r->head, &rec, sizeof(rec));
    ring_copy_in(r, r->head + sizeof(rec), buf, n);
    pthread_mutex_lock(&r->mu);
    r->head += sizeof(rec) + n;
    pthread_cond_signal(&r->more);
    pthread_mutex_unlock(&r->mu);
    buf += n;
    len -= n;
  }
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
  /* -ENOSYS: no JSON library, already said in one line. */
  if (s->load_error != 0 && s->load_error != -EINVAL &&
      s->load_error != -ENOSYS)
    fprintf(stderr, "explain: rules could not be loaded: %s\n",
            strerror(-s->load_error));
}
