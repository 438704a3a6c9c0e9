/* explain's modes without a command: --log, --list-rules, --rule,
 * --check-rules. */
#include "core/modes.h"

#include "core/history.h"

#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EX_LOG_CHUNK (256 * 1024)

int ex_mode_log(ex_session_t *s) {
  static char buf[EX_LOG_CHUNK];
  const char *path;
  ssize_t n;
  int fd;
  int err;

  path = s->opts->log;
  fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1) {
    fprintf(stderr, "explain: cannot read %s: %s\n", path, strerror(errno));
    return 2;
  }
  if (ex_session_load(s) != 0) {
    ex_session_print_diags(s);
    return 2;
  }
  err = 0;
  for (;;) {
    n = read(fd, buf, sizeof(buf));
    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1)
      err = errno;
    if (n <= 0)
      break;
    ex_session_feed(s, EX_STREAM_STDERR, buf, (size_t)n);
  }
  if (fd != 0)
    close(fd);
  if (err != 0) {
    fprintf(stderr, "explain: cannot read %s: %s\n", path, strerror(err));
    return 2;
  }
  return ex_diagnose(s) > 0 ? 0 : 1;
}

static void put_clean(FILE *f, const char *s) {
  for (; s != NULL && *s != '\0'; s++)
    fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
}

int ex_mode_list_rules(ex_session_t *s) {
  const ex_rule_t *r;
  size_t i;
  size_t t;

  (void)ex_session_load(s);
  ex_session_print_diags(s);
  if (s->rules == NULL)
    return 2;
  for (i = 0; i < ex_ruleset_count(s->rules); i++) {
    r = ex_ruleset_get(s->rules, i);
    put_clean(stdout, r->id);
    fputc('\t', stdout);
    for (t = 0; t < r->ntags; t++) {
      if (t > 0)
        fputc(',', stdout);
      put_clean(stdout, r->tags[t]);
    }
    fputc('\t', stdout);
    put_clean(stdout, r->title);
    fputc('\n', stdout);
  }
  return fflush(stdout) == 0 ? 0 : 2;
}

static void put_field(const char *label, const char *value) {
  if (value == NULL)
    return;
  printf("%s: ", label);
  put_clean(stdout, value);
  fputc('\n', stdout);
}

static void put_event(const char *indent, const ex_rule_event_t *e) {
  if (e->errno_tpl != NULL)
    printf("%serrno: %s\n", indent, e->errno_tpl);
  if (e->condition != NULL)
    printf("%scondition: %s\n", indent, e->condition);
  if (e->operation != NULL)
    printf("%soperation: %s\n", indent, e->operation);
  if (e->subject_kind != NULL) {
    printf("%ssubject: %s ", indent, e->subject_kind);
    put_clean(stdout, e->subject_value != NULL ? e->subject_value : "");
    fputc('\n', stdout);
  }
}

int ex_mode_rule(ex_session_t *s) {
  const ex_rule_t *r;
  size_t i;

  (void)ex_session_load(s);
  ex_session_print_diags(s);
  if (s->rules == NULL)
    return 2;
  r = ex_ruleset_find(s->rules, s->opts->rule);
  if (r == NULL) {
    fprintf(stderr, "explain: no rule with id '%s' (see explain --list-rules)\n",
            s->opts->rule);
    return 1;
  }
  put_field("id", r->id);
  put_field("title", r->title);
  printf("tags:");
  for (i = 0; i < r->ntags; i++) {
    fputc(' ', stdout);
    put_clean(stdout, r->tags[i]);
  }
  fputc('\n', stdout);
  printf("file: %s:%d%s\n", r->file, r->line, r->builtin ? " (built-in)" : "");
  printf("confidence: %s\n", r->confidence == EX_CONF_HIGH     ? "high"
                             : r->confidence == EX_CONF_MEDIUM ? "medium"
                                                               : "low");
  printf("role: %s\n", r->role == EX_ROLE_FALLOUT ? "fallout" : "cause");
  put_event("", &r->event);
  put_field("recogniser", r->recogniser);
  if (r->npatterns > 0)
    printf("patterns:\n");
  for (i = 0; i < r->npatterns; i++) {
    printf("  ");
    put_clean(stdout, r->patterns[i].regex);
    fputc('\n', stdout);
    put_event("    ", &r->patterns[i].event);
  }
  put_field("meaning", r->meaning);
  for (i = 0; i < r->ncauses; i++) {
    printf("cause %s: ", r->causes[i].id);
    put_clean(stdout, r->causes[i].text);
    fputc('\n', stdout);
  }
  for (i = 0; i < r->nfixes; i++) {
    printf("fix: ");
    put_clean(stdout, r->fixes[i].text);
    if (r->fixes[i].command != NULL) {
      printf("%s", r->fixes[i].needs_root ? " (as root): " : ": ");
      put_clean(stdout, r->fixes[i].command);
    }
    fputc('\n', stdout);
  }
  return fflush(stdout) == 0 ? 0 : 2;
}

int ex_mode_check_rules(ex_session_t *s) {
  ex_ruleset_t *set;
  ex_diags_t diags;
  char line[1024];
  size_t i;
  int bad;
  int rc;

  bad = 0;
  for (i = 0; s->opts->check_rules[i] != NULL; i++) {
    if (ex_ruleset_new(&set) != 0)
      return 2;
    ex_diags_init(&diags);
    rc = ex_rules_load_path(set, s->opts->check_rules[i], 0, &diags);
    if (rc != 0)
      bad = 1;
    for (size_t k = 0; k < diags.count; k++) {
      ex_diag_format(&diags.items[k], line, sizeof(line));
      printf("%s\n", line);
    }
    if (rc == 0 &&
        ex_ruleset_prefix_count(set) + ex_ruleset_success_count(set) == 0)
      printf("%s: %zu rules, valid\n", s->opts->check_rules[i],
             ex_ruleset_count(set));
    else if (rc == 0)
      printf("%s: %zu rules, %zu prefixes, %zu success lines, valid\n",
             s->opts->check_rules[i], ex_ruleset_count(set),
             ex_ruleset_prefix_count(set), ex_ruleset_success_count(set));
    ex_diags_release(&diags);
    ex_ruleset_free(set);
  }
  return fflush(stdout) == 0 ? bad : 2;
}

/* --history: the recent diagnoses, oldest first. */
int ex_mode_history(ex_session_t *s) {
  char *buf;
  char *out;
  size_t len;
  size_t outlen;
  int json;
  int rc;

  json = s->opts->format == EX_FORMAT_JSON;
  rc = ex_history_read(&buf, &len);
  if (rc == -ENOENT) {
    fprintf(stderr, "explain: the history is off (EXPLAIN_HISTORY=0, or "
                    "no home directory)\n");
    if (json)
      printf("[]\n");
    return fflush(stdout) == 0 ? 0 : 2;
  }
  if (rc != 0) {
    fprintf(stderr, "explain: cannot read the history: %s\n", strerror(-rc));
    return 2;
  }
  rc = ex_report_history_list(buf, len, EX_MODE_HISTORY_MAX, json, &out,
                              &outlen);
  free(buf);
  if (rc != 0)
    return 2;
  (void)ex_write_all(1, out, outlen);
  free(out);
  return 0;
}
