/* Unit tests of the fs explainers: the kernel's permission rules with
 * hand-made credentials, and ex_explain() on hand-built events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "platform/linux/fs/fs.h"

static void proc_as(ex_proc_t *p, uid_t uid, gid_t gid) {
  memset(p, 0, sizeof(*p));
  p->valid = 1;
  p->ruid = p->euid = p->suid = p->fsuid = uid;
  p->rgid = p->egid = p->sgid = p->fsgid = gid;
  strcpy(p->cwd, "/");
}

static void test_access_classes(void **state) {
  ex_proc_t p;
  struct stat st;
  ex_access_t a;

  (void)state;
  memset(&st, 0, sizeof(st));
  st.st_mode = S_IFREG | 0640;
  st.st_uid = 1000;
  st.st_gid = 100;
  proc_as(&p, 1000, 1000);
  ex__fs_access(&p, NULL, &st, EX_FS_W, &a);
  assert_true(a.allowed);
  assert_string_equal(a.klass, "owner");
  proc_as(&p, 1001, 1001);
  p.groups[p.ngroups++] = 100;
  ex__fs_access(&p, NULL, &st, EX_FS_R, &a);
  assert_true(a.allowed);
  assert_string_equal(a.klass, "group");
  ex__fs_access(&p, NULL, &st, EX_FS_W, &a);
  assert_false(a.allowed);
  assert_int_equal(a.class_perm, 4);
  assert_string_equal(a.cap_would, "CAP_DAC_OVERRIDE");
  proc_as(&p, 1002, 1002);
  ex__fs_access(&p, NULL, &st, EX_FS_R, &a);
  assert_false(a.allowed);
  assert_string_equal(a.klass, "other");
  assert_string_equal(a.cap_would, "CAP_DAC_READ_SEARCH");
  /* Root with CAP_DAC_OVERRIDE reads and writes anything, but executes
   * only what has an x bit. */
  proc_as(&p, 0, 0);
  p.cap_eff = 1ULL << EX_CAP_DAC_OVERRIDE;
  ex__fs_access(&p, NULL, &st, EX_FS_W, &a);
  assert_true(a.allowed);
  assert_string_equal(a.by_cap, "CAP_DAC_OVERRIDE");
  ex__fs_access(&p, NULL, &st, EX_FS_X, &a);
  assert_false(a.allowed);
  /* Root without it (a container that drops it) is an ordinary user. */
  p.cap_eff = 0;
  ex__fs_access(&p, NULL, &st, EX_FS_W, &a);
  assert_false(a.allowed);
}

static void test_acl_decode(void **state) {
  char path[] = "/tmp/explain-acl-XXXXXX";
  unsigned char x[4 + 5 * 8];
  ex_acl_t acl;
  char s[256];
  int fd;
  size_t i;
  static const unsigned short tags[5] = {1, 2, 4, 16, 32};
  static const unsigned short perms[5] = {6, 0, 4, 4, 4};
  static const unsigned ids[5] = {~0u, 65534, ~0u, ~0u, ~0u};

  (void)state;
  fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  memset(x, 0, sizeof(x));
  x[0] = 2;
  for (i = 0; i < 5; i++) {
    x[4 + i * 8] = (unsigned char)tags[i];
    x[4 + i * 8 + 2] = (unsigned char)perms[i];
    x[4 + i * 8 + 4] = (unsigned char)(ids[i] & 0xff);
    x[4 + i * 8 + 5] = (unsigned char)((ids[i] >> 8) & 0xff);
    x[4 + i * 8 + 6] = (unsigned char)((ids[i] >> 16) & 0xff);
    x[4 + i * 8 + 7] = (unsigned char)((ids[i] >> 24) & 0xff);
  }
  if (setxattr(path, "system.posix_acl_access", x, sizeof(x), 0) != 0) {
    unlink(path);
    skip();
  }
  assert_int_equal(ex__fs_acl_read(path, &acl), 1);
  ex__fs_acl_string(&acl, s, sizeof(s));
  assert_string_equal(s, "user::rw-,user:65534:---,group::r--,mask::r--,"
                         "other::r--");
  {
    ex_proc_t p;
    struct stat st;
    ex_access_t a;

    assert_int_equal(stat(path, &st), 0);
    proc_as(&p, 65534, 65534);
    ex__fs_access(&p, path, &st, EX_FS_R, &a);
    assert_false(a.allowed);
    assert_string_equal(a.klass, "acl-user");
    assert_string_equal(a.acl_entry, "user:65534:---");
    proc_as(&p, 65533, 65533);
    ex__fs_access(&p, path, &st, EX_FS_R, &a);
    assert_true(a.allowed);
  }
  unlink(path);
}

static const ex_cause_t *find_cause(const ex_explanation_t *e,
                                    const char *id) {
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    if (strcmp(e->causes[i].id, id) == 0)
      return &e->causes[i];
  }
  return NULL;
}

static void test_explain_missing_parent(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_explanation_t e;
  const ex_cause_t *c;

  (void)state;
  memset(&ev, 0, sizeof(ev));
  ev.errno_name = "ENOENT";
  ev.operation = "create";
  ev.subject_kind = "path";
  ev.subject_value = "/tmp/explain-no-such-dir-42/sub/f";
  ex_proc_capture_self(&p);
  assert_int_equal(ex_explain(&ev, &p, NULL, &e), 1);
  assert_string_equal(e.explainer, "fs.lookup");
  c = find_cause(&e, "missing-directory");
  assert_non_null(c);
  assert_int_equal(c->verdict, EX_VERDICT_CONFIRMED);
  assert_true(e.nfixes >= 1);
  assert_string_equal(e.fixes[0].command,
                      "mkdir -p /tmp/explain-no-such-dir-42/sub");
  ex_explanation_release(&e);
}

static void test_applies(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_explanation_t e;

  (void)state;
  ex_proc_capture_self(&p);
  memset(&ev, 0, sizeof(ev));
  /* Exec failures are the exec family's. */
  ev.errno_name = "EACCES";
  ev.operation = "exec";
  ev.subject_kind = "command";
  ev.subject_value = "./run.sh";
  if (ex_explain(&ev, &p, NULL, &e) == 1) {
    assert_string_not_equal(e.explainer, "fs.permission");
    ex_explanation_release(&e);
  }
  /* An empty subject still runs and says it could not check. */
  ev.operation = "write";
  ev.subject_kind = "path";
  ev.subject_value = "";
  assert_int_equal(ex_explain(&ev, &p, NULL, &e), 1);
  assert_string_equal(e.explainer, "fs.permission");
  assert_int_equal(e.causes[0].verdict, EX_VERDICT_UNKNOWN);
  ex_explanation_release(&e);
}

static void test_stale_when_writable(void **state) {
  char dir[] = "/tmp/explain-stale-XXXXXX";
  char file[64];
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_explanation_t e;
  FILE *f;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(file, sizeof(file), "%s/f", dir);
  f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  memset(&ev, 0, sizeof(ev));
  ev.errno_name = "EACCES";
  ev.operation = "write";
  ev.subject_kind = "path";
  ev.subject_value = file;
  ex_proc_capture_self(&p);
  assert_int_equal(ex_explain(&ev, &p, NULL, &e), 1);
  assert_true(e.stale);
  ex_explanation_release(&e);
  unlink(file);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_access_classes),
      cmocka_unit_test(test_acl_decode),
      cmocka_unit_test(test_explain_missing_parent),
      cmocka_unit_test(test_applies),
      cmocka_unit_test(test_stale_when_writable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
