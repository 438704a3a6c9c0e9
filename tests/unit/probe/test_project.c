/* Unit tests of platform/linux/proc/project.c: the project's top, the
 * bounded search, what it matches and what it never reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/linux/proc/project.h"
#include "platform/probe.h"

static char tmp[256];

static void path_of(char *out, size_t size, const char *rel) {
  snprintf(out, size, "%s/%s", tmp, rel);
}

/* Makes rel (and its directories); a name ending in "/" is a directory. */
static void make(const char *rel, mode_t mode) {
  char path[1024];
  char *p;
  int fd;

  path_of(path, sizeof(path), rel);
  for (p = path + strlen(tmp) + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    (void)mkdir(path, 0755);
    *p = '/';
  }
  if (path[strlen(path) - 1] == '/')
    return;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  if (strstr(rel, "package.json") != NULL)
    assert_true(write(fd, "{\"name\": \"@acme/ui\"}", 20) == 20);
  close(fd);
}

static int setup(void **state) {
  (void)state;
  snprintf(tmp, sizeof(tmp), "/tmp/explain-project-XXXXXX");
  assert_non_null(mkdtemp(tmp));
  return 0;
}

static int teardown(void **state) {
  char cmd[300];

  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
  return system(cmd);
}

static void test_root(void **state) {
  char start[1024];
  char want[1024];
  char top[1024];
  const char *marker;
  const char *home;

  (void)state;
  /* The repository's top, from below. */
  make("repo/.git/", 0);
  make("repo/a/b/c/", 0);
  path_of(start, sizeof(start), "repo/a/b/c");
  path_of(want, sizeof(want), "repo");
  assert_int_equal(ex__project_root(start, top, sizeof(top), &marker), 0);
  assert_string_equal(top, want);
  assert_string_equal(marker, ".git");

  /* The build tree's top: the highest directory with a build file, with
   * none missing between it and the first one (the start may have none).
   */
  make("bt/Makefile", 0644);
  make("bt/src/Makefile", 0644);
  make("bt/src/sub/", 0);
  path_of(start, sizeof(start), "bt/src/sub");
  path_of(want, sizeof(want), "bt");
  assert_int_equal(ex__project_root(start, top, sizeof(top), &marker), 0);
  assert_string_equal(top, want);
  assert_string_equal(marker, "Makefile");

  /* A gap ends it: gap/CMakeLists.txt, gap/x (none), gap/x/y/Makefile. */
  make("gap/CMakeLists.txt", 0644);
  make("gap/x/y/Makefile", 0644);
  path_of(start, sizeof(start), "gap/x/y");
  assert_int_equal(ex__project_root(start, top, sizeof(top), &marker), 0);
  assert_string_equal(top, start);
  assert_string_equal(marker, "Makefile");

  /* Nothing above: the start is its own top. */
  make("plain/dir/", 0);
  path_of(start, sizeof(start), "plain/dir");
  assert_int_equal(ex__project_root(start, top, sizeof(top), &marker), 0);
  assert_string_equal(top, start);
  assert_null(marker);

  /* The home directory is never the top, even with a .git (dotfiles). */
  home = getenv("HOME");
  path_of(want, sizeof(want), "home");
  make("home/.git/", 0);
  make("home/work/", 0);
  setenv("HOME", want, 1);
  path_of(start, sizeof(start), "home/work");
  assert_int_equal(ex__project_root(start, top, sizeof(top), &marker), 0);
  assert_string_equal(top, start);
  assert_null(marker);
  if (home != NULL)
    setenv("HOME", home, 1);

  assert_int_equal(ex__project_root("relative", top, sizeof(top), &marker),
                   -EINVAL);
}

/* Searches the project around rel_start for name; returns found. */
static int find(const char *rel_start, ex_project_kind_t kind, const char *name,
                ex_project_search_t *s) {
  char start[1024];
  const char *starts[1];
  int rc;

  path_of(start, sizeof(start), rel_start);
  starts[0] = start;
  rc = ex__project_search(starts, 1, NULL, kind, name, s);
  assert_true(rc >= 0);
  return rc;
}

static void assert_dir(const ex_project_search_t *s, const char *rel) {
  char want[1024];

  path_of(want, sizeof(want), rel);
  assert_string_equal(s->dir, want);
}

static void test_kinds(void **state) {
  ex_project_search_t *s;

  (void)state;
  s = malloc(sizeof(*s));
  assert_non_null(s);
  make("p/.git/", 0);
  make("p/src/", 0);

  /* "sys/x.h" only where the directory is sys; -I is its parent. */
  make("p/src/x.h", 0644);
  assert_int_equal(find("p/src", EX_PROJECT_HEADER, "sys/x.h", s), 0);
  assert_true(s->complete);
  make("p/include/sys/x.h", 0644);
  assert_int_equal(find("p/src", EX_PROJECT_HEADER, "sys/x.h", s), 1);
  assert_dir(s, "p/include");

  /* -lfoo: libfoo.so preferred to libfoo.so.1 next to it. */
  make("p/vendor/lib/libfoo.so.1", 0644);
  assert_int_equal(find("p", EX_PROJECT_LINKLIB, "foo", s), 1);
  assert_string_equal(strrchr(s->found, '/'), "/libfoo.so.1");
  make("p/vendor/lib/libfoo.so", 0644);
  assert_int_equal(find("p", EX_PROJECT_LINKLIB, "foo", s), 1);
  assert_string_equal(strrchr(s->found, '/'), "/libfoo.so");
  assert_dir(s, "p/vendor/lib");

  /* A Python package needs its __init__.py; build/ copies are not it. */
  make("p/lib/mypkg/", 0);
  make("p/build/lib/mypkg/__init__.py", 0644);
  assert_int_equal(find("p", EX_PROJECT_PYMODULE, "mypkg", s), 0);
  make("p/lib/mypkg/__init__.py", 0644);
  assert_int_equal(find("p", EX_PROJECT_PYMODULE, "mypkg", s), 1);
  assert_dir(s, "p/lib");

  /* A scoped Node package by the name in its package.json. */
  make("p/packages/ui/package.json", 0644);
  assert_int_equal(find("p", EX_PROJECT_NODEPKG, "@acme/ui", s), 1);
  assert_dir(s, "p/packages");
  assert_int_equal(find("p", EX_PROJECT_NODEPKG, "@other/ui", s), 0);

  /* A class by its package path; the class path entry above it. */
  make("p/target/classes/com/acme/Main.class", 0644);
  assert_int_equal(find("p", EX_PROJECT_CLASS, "com/acme/Main.class", s), 1);
  assert_dir(s, "p/target/classes");

  /* A program needs an x bit. */
  make("p/out/tool", 0644);
  assert_int_equal(find("p", EX_PROJECT_PROGRAM, "tool", s), 0);
  make("p/bin/tool", 0755);
  assert_int_equal(find("p", EX_PROJECT_PROGRAM, "tool", s), 1);
  assert_dir(s, "p/bin");
  free(s);
}

static void test_never_read(void **state) {
  ex_project_search_t *s;
  char link[1024];
  char target[1024];

  (void)state;
  s = malloc(sizeof(*s));
  assert_non_null(s);
  make("q/.git/", 0);
  /* node_modules, hidden directories and symbolic links to directories
   * are not entered (a loop would never end). */
  make("q/node_modules/dep/zz.h", 0644);
  make("q/.cache/zz.h", 0644);
  make("q/elsewhere/deep/zz.h", 0644);
  path_of(link, sizeof(link), "q/loop");
  path_of(target, sizeof(target), "q");
  assert_int_equal(symlink(target, link), 0);
  path_of(link, sizeof(link), "q/linked");
  path_of(target, sizeof(target), "q/elsewhere");
  assert_int_equal(symlink(target, link), 0);
  assert_int_equal(find("q", EX_PROJECT_HEADER, "zz.h", s), 1);
  assert_dir(s, "q/elsewhere/deep");
  /* Beyond the depth: not read, and the report says how deep it went. */
  make("r/.git/", 0);
  make("r/1/2/3/4/5/6/7/deep.h", 0644);
  assert_int_equal(find("r", EX_PROJECT_HEADER, "deep.h", s), 0);
  assert_int_equal(s->depth, 6);
  assert_true(s->complete);
  /* A start deep below its top is searched first, on its own. */
  make("r/1/2/3/4/5/6/7/local.h", 0644);
  assert_int_equal(find("r/1/2/3/4/5/6/7", EX_PROJECT_HEADER, "local.h", s), 1);
  assert_dir(s, "r/1/2/3/4/5/6/7");
  assert_int_equal(s->nroots, 2);
  path_of(target, sizeof(target), "r/1/2/3/4/5/6/7");
  assert_string_equal(s->roots[0], target);
  assert_int_equal(s->is_top[0], 0);
  path_of(target, sizeof(target), "r");
  assert_string_equal(s->roots[1], target);
  assert_int_equal(s->is_top[1], 1);
  assert_string_equal(s->top, target);
  free(s);
}

static void test_bounds(void **state) {
  ex_project_search_t *s;
  char dir[1024];
  char path[1100];
  char buf[4096];
  int i;
  int fd;

  (void)state;
  s = malloc(sizeof(*s));
  assert_non_null(s);
  make("big/.git/", 0);
  make("big/many/", 0);
  path_of(dir, sizeof(dir), "big/many");
  for (i = 0; i < EX_PROJECT_ENTRIES + 10; i++) {
    snprintf(path, sizeof(path), "%s/f%d", dir, i);
    fd = open(path, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
  }
  assert_int_equal(find("big", EX_PROJECT_HEADER, "absent.h", s), 0);
  assert_false(s->complete);
  assert_non_null(s->stopped_by);
  assert_true(s->entries <= EX_PROJECT_ENTRIES);
  ex__project_describe(s, buf, sizeof(buf));
  assert_non_null(strstr(buf, "not all of it was read"));
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_root),
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_never_read),
      cmocka_unit_test(test_bounds),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
