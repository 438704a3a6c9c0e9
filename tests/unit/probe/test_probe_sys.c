/* Unit tests of platform/linux/proc/sys.c: modes, paths, names, groups, mounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/probe.h"
#include "platform/linux/proc/sys.h"

static void test_mode_string(void **state) {
  static const struct {
    mode_t mode;
    const char *want;
  } cases[] = {
      {0644, "rw-r--r--"}, {0755, "rwxr-xr-x"}, {0000, "---------"},
      {01777, "rwxrwxrwt"}, {01666, "rw-rw-rwT"}, {04755, "rwsr-xr-x"},
      {02750, "rwxr-s---"}, {04644, "rwSr--r--"},
  };
  char buf[10];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    assert_string_equal(ex__mode_string(cases[i].mode, buf), cases[i].want);
}

static void test_path_absolute(void **state) {
  ex_proc_t p;
  char *s;

  (void)state;
  memset(&p, 0, sizeof(p));
  strcpy(p.cwd, "/home/ana");
  s = ex__path_absolute(&p, "data/x.csv");
  assert_string_equal(s, "/home/ana/data/x.csv");
  free(s);
  s = ex__path_absolute(&p, "./x");
  assert_string_equal(s, "/home/ana/x");
  free(s);
  s = ex__path_absolute(&p, "/etc/passwd");
  assert_string_equal(s, "/etc/passwd");
  free(s);
  strcpy(p.cwd, "/");
  s = ex__path_absolute(&p, "tmp");
  assert_string_equal(s, "/tmp");
  free(s);
  p.cwd[0] = '\0';
  s = ex__path_absolute(&p, "rel");
  assert_string_equal(s, "rel");
  free(s);
  assert_null(ex__path_absolute(&p, NULL));
}

static void test_names(void **state) {
  char buf[64];

  (void)state;
  assert_string_equal(ex__user_name(0, buf, sizeof(buf)), "root");
  assert_string_equal(ex__group_name(0, buf, sizeof(buf)), "root");
  /* An id with no entry has no name. */
  assert_string_equal(ex__user_name(3999999, buf, sizeof(buf)), "");
  assert_string_equal(ex__group_name(3999999, buf, sizeof(buf)), "");
}

static void test_groups_of_user(void **state) {
  gid_t g[64];
  int n;
  int i;
  int has0;

  (void)state;
  n = ex__groups_of_user("root", g, 64);
  assert_true(n >= 1);
  has0 = 0;
  for (i = 0; i < n; i++)
    has0 |= g[i] == 0;
  assert_true(has0);
  assert_int_equal(ex__groups_of_user("no-such-user-xyz", g, 64), 0);
}

static void test_mount_find(void **state) {
  ex_mount_t *m;

  (void)state;
  m = malloc(sizeof(*m));
  assert_non_null(m);
  assert_int_equal(ex__mount_find("/", m), 0);
  assert_string_equal(m->mount_point, "/");
  assert_int_equal(ex__mount_find("/proc/self/status", m), 0);
  assert_string_equal(m->mount_point, "/proc");
  assert_string_equal(m->fstype, "proc");
  /* A path that does not exist yet lands on the mount of its parent. */
  assert_int_equal(ex__mount_find("/proc/does/not/exist", m), 0);
  assert_string_equal(m->mount_point, "/proc");
  /* "/procx" is not under "/proc". */
  assert_int_equal(ex__mount_find("/procx", m), 0);
  assert_string_not_equal(m->mount_point, "/proc");
  free(m);
}

/* A process on its way out (its memory being torn down, its cwd already
 * released) is gone for the probes: a snapshot of it is either whole or
 * refused, never one with an empty cwd or exe that a probe would take for
 * "no working directory". */
static void test_capture_of_exiting_process(void **state) {
  enum { SIZE = 512 << 20 };
  ex_proc_t *p;
  pid_t pid;
  int ready[2];
  char c;
  int whole;
  int refused;
  int status;

  (void)state;
  p = malloc(sizeof(*p));
  assert_non_null(p);
  assert_int_equal(pipe(ready), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char *m;

    m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (m == MAP_FAILED)
      _exit(1);
    memset(m, 1, SIZE); /* slow to tear down at exit */
    (void)write(ready[1], "r", 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  assert_int_equal(read(ready[0], &c, 1), 1);
  close(ready[0]);
  assert_int_equal(ex_proc_capture(pid, p), 0);
  assert_true(p->cwd[0] == '/' && p->exe[0] == '/');
  kill(pid, SIGKILL);
  whole = refused = 0;
  while (refused == 0) {
    if (ex_proc_capture(pid, p) == 0) {
      assert_true(p->valid);
      assert_true(p->cwd[0] == '/');
      assert_true(p->exe[0] == '/');
      whole++;
    } else {
      refused++;
    }
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(ex_proc_capture(pid, p), -ESRCH);
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mode_string),
      cmocka_unit_test(test_path_absolute),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_groups_of_user),
      cmocka_unit_test(test_mount_find),
      cmocka_unit_test(test_capture_of_exiting_process),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
