/* The fix policy (ex_fix_vet()): table-driven, on commands as explainers
 * and rules write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/probe.h"

typedef struct {
  const char *command;
  ex_fix_verdict_t want;
} vet_case_t;

static const vet_case_t cases[] = {
    /* Ordinary fixes. */
    {"namei -l -- '/data/out.csv'", EX_FIX_SAFE},
    {"sudo chown -R \"$(id -u):$(id -g)\" -- '/tmp/x/out.csv'", EX_FIX_SAFE},
    {"chown nobody /tmp/rt/out.csv", EX_FIX_SAFE},
    {"setfacl -m u:nobody:w /tmp/rt/out.csv", EX_FIX_SAFE},
    {"chmod 600 -- '/tmp/id_ed25519'", EX_FIX_SAFE},
    {"chmod +x -- ./run.sh", EX_FIX_SAFE},
    {"sudo chown -R \"$(id -u):$(id -g)\" ~/.npm", EX_FIX_SAFE},
    {"rm -f -- '/tmp/repo/.git/index.lock'", EX_FIX_SAFE},
    {"grep -r . /etc/apt/sources.list /etc/apt/sources.list.d/", EX_FIX_SAFE},
    {"echo fs.inotify.max_user_watches=524288 | sudo tee "
     "/etc/sysctl.d/99-inotify.conf && sudo sysctl --system",
     EX_FIX_SAFE},
    {"du -xsh -- /var/* /tmp /home 2>/dev/null | sort -h | tail", EX_FIX_SAFE},
    {"ulimit -c unlimited", EX_FIX_SAFE},
    {"cd /tmp", EX_FIX_SAFE},
    {"chmod u+w -- /tmp/x", EX_FIX_SAFE},
    {"chmod -w -- /tmp/x", EX_FIX_SAFE},
    {NULL, EX_FIX_SAFE},
    /* A subject that was not known. */
    {"namei -l -- ''", EX_FIX_NO_SUBJECT},
    {"df -h -- '' && df -i -- ''", EX_FIX_NO_SUBJECT},
    {"sudo chown -R \"$(id -u):$(id -g)\" -- ''", EX_FIX_NO_SUBJECT},
    {"ls -l -- \"\"", EX_FIX_NO_SUBJECT},
    /* System paths, whatever the spelling. */
    {"sudo chown -R \"$(id -u):$(id -g)\" -- '/usr/local/lib/node_modules'",
     EX_FIX_SYSTEM_PATH},
    {"chown nobody /etc/shadow", EX_FIX_SYSTEM_PATH},
    {"sudo chmod -R 755 /", EX_FIX_SYSTEM_PATH},
    {"chmod g+w /var/lib/dpkg/lock", EX_FIX_SYSTEM_PATH},
    {"sudo rm -f /var/lib/dpkg/lock-frontend", EX_FIX_SYSTEM_PATH},
    {"chown -R ana /opt", EX_FIX_SYSTEM_PATH},
    {"chown -R ana /opt/../usr/bin", EX_FIX_SYSTEM_PATH},
    {"chown ana //usr//bin/", EX_FIX_SYSTEM_PATH},
    {"chgrp staff /lib64/ld-linux-x86-64.so.2", EX_FIX_SYSTEM_PATH},
    {"chattr -i -- /boot/vmlinuz", EX_FIX_SYSTEM_PATH},
    {"setfacl -m u:nobody:rwx /bin/sh", EX_FIX_SYSTEM_PATH},
    {"env LC_ALL=C sudo -u root chown x /sbin/init", EX_FIX_SYSTEM_PATH},
    {"chown -R x \"/usr/lib/$NAME\"", EX_FIX_SYSTEM_PATH},
    {"chown x /usr/lib/*", EX_FIX_SYSTEM_PATH},
    {"true; chown x /etc/passwd", EX_FIX_SYSTEM_PATH},
    /* Kernel file systems. */
    {"sudo chown -R \"$(id -u):$(id -g)\" -- '/sys/class/net/lo/address'",
     EX_FIX_KERNEL_FS},
    {"chmod 644 /proc/sys/kernel/core_pattern", EX_FIX_KERNEL_FS},
    {"chown nobody /dev/null", EX_FIX_KERNEL_FS},
    {"chown nobody /sys/fs/cgroup/no/such/file", EX_FIX_KERNEL_FS},
    /* Everyone may write. */
    {"chmod 777 /tmp/x", EX_FIX_WORLD_WRITABLE},
    {"chmod -R 0777 -- /tmp/x", EX_FIX_WORLD_WRITABLE},
    {"chmod 666 /tmp/x", EX_FIX_WORLD_WRITABLE},
    {"chmod a+w /tmp/x", EX_FIX_WORLD_WRITABLE},
    {"chmod u+x,o+rw /tmp/x", EX_FIX_WORLD_WRITABLE},
    /* An entry of / itself, removed. */
    {"rm -f -- '/'.lock", EX_FIX_SYSTEM_PATH},
    {"rmdir /data", EX_FIX_SYSTEM_PATH},
    {"rm -f -- /data/app/.lock", EX_FIX_SAFE},
    {"chown 1000 /data", EX_FIX_SAFE},
    /* Groups with root's power. */
    {"sudo usermod -aG root nobody", EX_FIX_PRIVILEGED_GROUP},
    {"usermod -a -G dialout,shadow ana", EX_FIX_PRIVILEGED_GROUP},
    {"sudo gpasswd -a ana sudo", EX_FIX_PRIVILEGED_GROUP},
    {"adduser ana disk", EX_FIX_PRIVILEGED_GROUP},
    {"sudo usermod -aG dialout ana", EX_FIX_SAFE},
    {"sudo usermod -aG docker ana", EX_FIX_SAFE},
    {"adduser root", EX_FIX_SAFE},
};

static void test_cases(void **state) {
  ex_fix_verdict_t got;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    got = ex_fix_vet(cases[i].command, 0);
    if (got != cases[i].want)
      fail_msg("%s: got %s, want %s",
               cases[i].command ? cases[i].command : "(null)",
               ex_fix_verdict_name(got), ex_fix_verdict_name(cases[i].want));
  }
}

/* Another user's home is theirs: its files are not given away. */
static void test_other_users_home(void **state) {
  struct passwd *pw;
  char cmd[4200];

  (void)state;
  pw = getpwnam("nobody");
  if (pw == NULL || pw->pw_uid == getuid() || pw->pw_dir[0] != '/' ||
      strlen(pw->pw_dir) < 2)
    skip();
  snprintf(cmd, sizeof(cmd), "sudo chown -R 0 -- '%s/project'", pw->pw_dir);
  assert_int_equal(ex_fix_vet(cmd, EX_FIX_VET_PATHS_ONLY), EX_FIX_SYSTEM_PATH);
  snprintf(cmd, sizeof(cmd), "namei -l -- '%s/project'", pw->pw_dir);
  assert_int_equal(ex_fix_vet(cmd, 0), EX_FIX_SAFE);
}

/* A home under /home that is not the user's own, even one that this
 * machine does not know (a log from another machine). */
static void test_foreign_home(void **state) {
  const char *home;
  char *saved;

  (void)state;
  home = getenv("HOME");
  saved = home != NULL ? strdup(home) : NULL;
  setenv("HOME", "/home/explain-test-ana", 1);
  assert_int_equal(
      ex_fix_vet("chown -R 0 -- '/home/explain-test-bob/src/app'", 0),
      EX_FIX_SYSTEM_PATH);
  assert_int_equal(
      ex_fix_vet("chown -R 0 -- '/home/explain-test-ana/src/app'", 0),
      EX_FIX_SAFE);
  if (saved != NULL) {
    setenv("HOME", saved, 1);
    free(saved);
  } else {
    unsetenv("HOME");
  }
}

/* A relative path is judged where it points from the working directory. */
static void test_relative_paths(void **state) {
  char cwd[4096];

  (void)state;
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir("/usr"), 0);
  assert_int_equal(ex_fix_vet("sudo chown -R ana .git", 0), EX_FIX_SYSTEM_PATH);
  assert_int_equal(chdir("/tmp"), 0);
  assert_int_equal(ex_fix_vet("sudo chown -R ana .git", 0), EX_FIX_SAFE);
  assert_int_equal(ex_fix_vet("chown ana ../etc/passwd", 0),
                   EX_FIX_SYSTEM_PATH);
  assert_int_equal(chdir(cwd), 0);
}

/* A kernel file system mounted elsewhere is found by statfs, unless only
 * paths may be looked at (--no-probe). */
static void test_kernel_fs_by_type(void **state) {
  char dir[] = "/tmp/explain-policy-XXXXXX";
  char cmd[256];

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof(cmd), "chown ana %s/x", dir);
  assert_int_equal(ex_fix_vet(cmd, 0), EX_FIX_SAFE);
  /* /proc/self is procfs: a symlink outside /proc to it is judged by the
   * type of what it names. */
  snprintf(cmd, sizeof(cmd), "%s/p", dir);
  if (symlink("/proc/self", cmd) == 0) {
    snprintf(cmd, sizeof(cmd), "chown ana %s/p/environ", dir);
    assert_int_equal(ex_fix_vet(cmd, 0), EX_FIX_KERNEL_FS);
    assert_int_equal(ex_fix_vet(cmd, EX_FIX_VET_PATHS_ONLY), EX_FIX_SAFE);
    snprintf(cmd, sizeof(cmd), "%s/p", dir);
    unlink(cmd);
  }
  rmdir(dir);
}

/* Refused fixes are not added, and the explanation counts them. */
static void test_fix_add_applies_the_policy(void **state) {
  ex_explanation_t e;
  const char *argv[] = {"namei", "-l", "--", "", NULL};

  (void)state;
  memset(&e, 0, sizeof(e));
  ex_fix_add_cmd(&e, 0, argv, "see who owns it");
  ex_fix_add_raw(&e, 1, "sudo chown -R 0 -- /sys/kernel", "give it back");
  ex_fix_add_raw(&e, 0, "namei -l -- /tmp", "see who owns it");
  ex_fix_add_raw(&e, 0, NULL, "advice without a command");
  assert_int_equal(e.nfixes, 2);
  assert_int_equal(e.fixes_refused, 2);
  assert_int_equal(e.fixes_unfilled, 1);
  assert_string_equal(e.fixes[0].command, "namei -l -- /tmp");
  assert_null(e.fixes[1].command);
  ex_explanation_release(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_other_users_home),
      cmocka_unit_test(test_foreign_home),
      cmocka_unit_test(test_relative_paths),
      cmocka_unit_test(test_kernel_fs_by_type),
      cmocka_unit_test(test_fix_add_applies_the_policy),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
