/* The history: lines, recurrence, the phrase for people, the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/history.h"
#include "report/report.h"

/* 2024-05-08 12:00:00 UTC, a Wednesday. */
#define NOW 1715169600LL
#define HOUR 3600LL
#define DAY 86400LL

typedef struct fixture {
  char *cmd[3];
  ex_explanation_t expl;
  ex_report_diag_t diag;
  ex_report_t report;
  char dir[64];
} fixture_t;

static int setup(void **state) {
  static const char *const fix_argv[] = {"apt-get", "install", "frob", NULL};
  fixture_t *f;

  f = calloc(1, sizeof(*f));
  f->cmd[0] = "frob";
  f->cmd[1] = "--jam";
  f->diag.id = "explain.exec-failed";
  f->diag.title = "command not found";
  f->diag.subject_kind = "command";
  f->diag.subject_value = "frob";
  (void)ex_cause_add(&f->expl, "not-installed", EX_VERDICT_CONFIRMED,
                     "frob is not installed");
  ex_fix_add_cmd(&f->expl, 1, fix_argv, "install frob");
  f->diag.expl = &f->expl;
  f->report.command = f->cmd;
  f->report.cwd = "/home/ana/proj";
  f->report.exec_errno = ENOENT;
  f->report.exit_code = 127;
  f->report.diags = &f->diag;
  f->report.ndiags = 1;
  snprintf(f->dir, sizeof(f->dir), "/tmp/explain-history-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  setenv("XDG_STATE_HOME", f->dir, 1);
  unsetenv("EXPLAIN_HISTORY");
  setenv("TZ", "UTC", 1);
  tzset();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f;
  char cmd[128];

  f = *state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  ex_explanation_release(&f->expl);
  free(f);
  return 0;
}

static char *line_at(fixture_t *f, long long t) {
  char *line;
  size_t len;

  assert_int_equal(ex_report_history_line(&f->report, 0, t, &line, &len), 0);
  assert_int_equal(strlen(line), len);
  return line;
}

static void test_line_fields(void **state) {
  fixture_t *f;
  char *line;

  f = *state;
  line = line_at(f, NOW);
  assert_non_null(strstr(line, "\"schema\":\"explain-history/1\""));
  assert_non_null(strstr(line, "\"time\":\"2024-05-08T12:00:00Z\""));
  assert_non_null(strstr(line, "\"cwd\":\"/home/ana/proj\""));
  assert_non_null(strstr(line, "\"command\":[\"frob\",\"--jam\"]"));
  assert_non_null(strstr(line, "\"exit\":127"));
  assert_non_null(strstr(line, "\"id\":\"explain.exec-failed\""));
  assert_non_null(
      strstr(line, "\"subject\":{\"kind\":\"command\",\"value\":\"frob\"}"));
  assert_non_null(strstr(line, "\"verdicts\":{\"not-installed\":\"confirmed\"}"));
  assert_non_null(strstr(line, "\"command\":\"apt-get install frob\""));
  /* One line: the only newline ends it. */
  assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
  free(line);
}

static void test_scan_counts_the_same_error_in_the_same_place(void **state) {
  fixture_t *f;
  ex_report_recurrence_t rec;
  char *a;
  char *b;
  char *other_cwd;
  char *other_subject;
  char buf[16384];

  f = *state;
  a = line_at(f, NOW - 2 * DAY);
  b = line_at(f, NOW - HOUR);
  f->report.cwd = "/elsewhere";
  other_cwd = line_at(f, NOW - HOUR);
  f->report.cwd = "/home/ana/proj";
  f->diag.subject_value = "grep";
  other_subject = line_at(f, NOW - HOUR);
  f->diag.subject_value = "frob";
  /* Garbage and a last line still being written are skipped. */
  snprintf(buf, sizeof(buf), "%s{not json\n%s%s%s%.*s", a, other_cwd,
           other_subject, b, (int)(strlen(a) - 1), a);
  memset(&rec, 0, sizeof(rec));
  ex_report_history_scan(&f->report, buf, strlen(buf), &rec);
  assert_int_equal(rec.earlier, 2);
  assert_int_equal(rec.first, NOW - 2 * DAY);
  assert_int_equal(rec.last, NOW - HOUR);
  assert_string_equal(rec.last_fix, "apt-get install frob");
  free(a);
  free(b);
  free(other_cwd);
  free(other_subject);
}

static void test_long_and_invalid_values_still_match(void **state) {
  fixture_t *f;
  ex_report_recurrence_t rec;
  char value[5000];
  char *line;

  f = *state;
  memset(value, 'x', sizeof(value) - 1);
  value[sizeof(value) - 1] = '\0';
  value[10] = '\xff';
  f->diag.subject_value = value;
  line = line_at(f, NOW - HOUR);
  assert_true(strlen(line) < 2 * EX_HISTORY_FIELD_MAX);
  assert_null(strchr(line, '\xff'));
  memset(&rec, 0, sizeof(rec));
  ex_report_history_scan(&f->report, line, strlen(line), &rec);
  assert_int_equal(rec.earlier, 1);
  f->diag.subject_value = "frob";
  free(line);
}

static void test_recurrence_text(void **state) {
  ex_report_recurrence_t rec;
  char buf[256];

  (void)state;
  memset(&rec, 0, sizeof(rec));
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_string_equal(buf, "");
  rec.earlier = 3;
  rec.first = NOW - 2 * DAY - 3 * HOUR; /* Monday 09:00 */
  snprintf(rec.last_fix, sizeof(rec.last_fix), "sudo chown 1000 /data");
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_string_equal(
      buf, "seen 4 times since Monday; last fix offered: sudo chown 1000 /data");
  rec.earlier = 1;
  rec.first = NOW - 2 * HOUR - 46 * 60;
  rec.last_fix[0] = '\0';
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_string_equal(buf, "seen 2 times since 09:14");
  rec.first = NOW - DAY;
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_string_equal(buf, "seen 2 times since yesterday");
  rec.first = NOW - 37 * DAY;
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_string_equal(buf, "seen 2 times since 1 April");
  rec.first = NOW - 400 * DAY;
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_string_equal(buf, "seen 2 times since 4 April 2023");
  /* A fix from the file cannot drive the terminal. */
  snprintf(rec.last_fix, sizeof(rec.last_fix), "rm \x1b[2J");
  ex_report_recurrence_text(&rec, NOW, buf, sizeof(buf));
  assert_null(strchr(buf, '\x1b'));
}

static size_t count_lines(const char *path) {
  FILE *fp;
  size_t n;
  int c;

  fp = fopen(path, "r");
  if (fp == NULL)
    return 0;
  n = 0;
  while ((c = fgetc(fp)) != EOF)
    n += c == '\n';
  fclose(fp);
  return n;
}

static void test_record_and_recur(void **state) {
  fixture_t *f;
  ex_report_recurrence_t rec;
  char path[256];
  struct stat st;

  f = *state;
  assert_int_equal(ex_history_path(path, sizeof(path)), 0);
  assert_int_equal(ex_history_record(&f->report, NOW - DAY, &rec), 0);
  assert_int_equal(rec.earlier, 0);
  assert_int_equal(ex_history_record(&f->report, NOW, &rec), 0);
  assert_int_equal(rec.earlier, 1);
  assert_int_equal(rec.first, NOW - DAY);
  assert_string_equal(rec.last_fix, "apt-get install frob");
  assert_int_equal(count_lines(path), 2);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  /* --log is not recorded; EXPLAIN_HISTORY=0 records nothing. */
  f->report.command = NULL;
  assert_int_equal(ex_history_record(&f->report, NOW, &rec), 1);
  f->report.command = f->cmd;
  setenv("EXPLAIN_HISTORY", "0", 1);
  assert_int_equal(ex_history_record(&f->report, NOW, &rec), 1);
  assert_int_equal(ex_history_path(path, sizeof(path)), -ENOENT);
  unsetenv("EXPLAIN_HISTORY");
  assert_int_equal(ex_history_path(path, sizeof(path)), 0);
  assert_int_equal(count_lines(path), 2);
}

static void test_rotation_keeps_recent_lines(void **state) {
  fixture_t *f;
  ex_report_recurrence_t rec;
  char path[256];
  char old[300];
  char *line;
  size_t len;
  int fd;
  size_t written;

  f = *state;
  assert_int_equal(ex_history_record(&f->report, NOW - DAY, &rec), 0);
  assert_int_equal(ex_history_path(path, sizeof(path)), 0);
  /* Other errors until the file passes the size limit. */
  f->diag.subject_value = "grep";
  assert_int_equal(ex_report_history_line(&f->report, 0, NOW - HOUR, &line,
                                          &len),
                   0);
  f->diag.subject_value = "frob";
  fd = open(path, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  for (written = 0; written < EX_HISTORY_ROTATE_SIZE; written += len)
    assert_int_equal(write(fd, line, len), (ssize_t)len);
  close(fd);
  free(line);
  assert_int_equal(ex_history_record(&f->report, NOW - 60, &rec), 0);
  snprintf(old, sizeof(old), "%s.1", path);
  assert_int_equal(access(old, F_OK), 0);
  assert_int_equal(access(path, F_OK), -1);
  /* The next run reads the end of the rotated file. */
  assert_int_equal(ex_history_record(&f->report, NOW, &rec), 0);
  assert_int_equal(rec.earlier, 1);
  assert_int_equal(rec.last, NOW - 60);
  assert_int_equal(count_lines(path), 1);
}

static void test_list(void **state) {
  fixture_t *f;
  char *a;
  char *b;
  char *c;
  char buf[16384];
  char *out;
  size_t len;

  f = *state;
  a = line_at(f, NOW - 2 * HOUR);
  f->diag.subject_value = "grep";
  b = line_at(f, NOW - HOUR);
  f->diag.subject_value = "sed";
  c = line_at(f, NOW);
  f->diag.subject_value = "frob";
  snprintf(buf, sizeof(buf), "%sgarbage\n%s%s", a, b, c);
  assert_int_equal(ex_report_history_list(buf, strlen(buf), 2, 0, &out, &len),
                   0);
  assert_null(strstr(out, "(command frob)"));
  assert_non_null(strstr(out, "2024-05-08 11:00  /home/ana/proj  $ frob --jam"
                              "  (exit 127)\n"
                              "  explain.exec-failed: command not found "
                              "(command grep)\n"
                              "  fix: apt-get install frob\n"));
  assert_non_null(strstr(out, "(command sed)"));
  free(out);
  assert_int_equal(ex_report_history_list(buf, strlen(buf), 50, 1, &out, &len),
                   0);
  assert_int_equal(out[0], '[');
  assert_string_equal(out + len - 2, "]\n");
  assert_non_null(strstr(out, "\"value\":\"frob\""));
  free(out);
  assert_int_equal(ex_report_history_list("", 0, 50, 1, &out, &len), 0);
  assert_string_equal(out, "[]\n");
  free(out);
  free(a);
  free(b);
  free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_line_fields, setup, teardown),
      cmocka_unit_test_setup_teardown(
          test_scan_counts_the_same_error_in_the_same_place, setup, teardown),
      cmocka_unit_test_setup_teardown(test_long_and_invalid_values_still_match,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_recurrence_text, setup, teardown),
      cmocka_unit_test_setup_teardown(test_record_and_recur, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rotation_keeps_recent_lines, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_list, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
