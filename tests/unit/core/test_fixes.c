/* Every rule's fixes, filled with empty, system, kernel and hostile
 * subjects: none of the forbidden shapes comes out. The checks here do not
 * use the fix policy itself; they look at the commands as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fixes.h"

/* Every capture of every rule takes this value (NULL: absent). */
typedef struct subject {
  const char *value;
} subject_t;

static int lookup(void *ud, const char *name, size_t len, const char **value,
                  size_t *vlen) {
  const subject_t *s = ud;

  (void)name;
  (void)len;
  if (s->value == NULL)
    return 0;
  *value = s->value;
  *vlen = strlen(s->value);
  return 1;
}

static ex_ruleset_t *all_rules(void) {
  ex_ruleset_t *set;

  assert_int_equal(ex_ruleset_new(&set), 0);
  assert_int_equal(ex_rules_load_dir(set, EX_TEST_RULES_DIR, 0, NULL), 0);
  assert_true(ex_ruleset_count(set) > 200);
  return set;
}

/* `''` or `""` as a whole word. */
static int has_empty_word(const char *cmd) {
  const char *p;

  for (p = cmd; (p = strpbrk(p, "'\"")) != NULL; p++) {
    if (p[1] == p[0] && (p == cmd || strchr(" \t=", p[-1]) != NULL) &&
        (p[2] == '\0' || strchr(" \t;|&)", p[2]) != NULL))
      return 1;
    if (p[1] == '\0')
      break;
  }
  return 0;
}

/* A command word (at the start, or after a space or an operator). */
/* 1 when verb is a word of cmd that runs as a command: at a word's start,
 * and not a subcommand of a tool that has its own (`docker rm NAME`
 * removes a container, not a file). */
static int has_verb(const char *cmd, const char *verb) {
  static const char *const tools[] = {"docker", "podman", "nerdctl", "kubectl",
                                      "git", "npm", "cargo", "helm"};
  const char *p;
  const char *w;
  size_t n;
  size_t i;
  size_t k;
  int sub;

  n = strlen(verb);
  for (p = cmd; (p = strstr(p, verb)) != NULL; p++) {
    if ((p != cmd && strchr(" \t;|&(", p[-1]) == NULL) ||
        (p[n] != ' ' && p[n] != '\0'))
      continue;
    /* The word before it. */
    w = p;
    while (w > cmd && (w[-1] == ' ' || w[-1] == '\t'))
      w--;
    sub = 0;
    for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
      k = strlen(tools[i]);
      if ((size_t)(w - cmd) >= k && strncmp(w - k, tools[i], k) == 0 &&
          (w - k == cmd || strchr(" \t;|&(/", w[-k - 1]) != NULL))
        sub = 1;
    }
    if (!sub)
      return 1;
  }
  return 0;
}

static int changes_modes(const char *cmd) {
  return has_verb(cmd, "chown") || has_verb(cmd, "chmod") ||
         has_verb(cmd, "chgrp") || has_verb(cmd, "setfacl") ||
         has_verb(cmd, "chattr") || has_verb(cmd, "rm");
}

static int world_writable(const char *cmd) {
  return strstr(cmd, "chmod 777") != NULL ||
         strstr(cmd, "chmod -R 777") != NULL ||
         strstr(cmd, "chmod 666") != NULL || strstr(cmd, "a+w") != NULL ||
         strstr(cmd, "o+w") != NULL || strstr(cmd, "a+rwx") != NULL;
}

/* The subject as one single-quoted shell word ('it'\''s'). */
static char *quoted(const char *s) {
  char *q;
  char *p;

  q = malloc(strlen(s) * 4 + 3);
  assert_non_null(q);
  p = q;
  *p++ = '\'';
  for (; *s != '\0'; s++) {
    if (*s == '\'') {
      memcpy(p, "'\\''", 4);
      p += 4;
    } else {
      *p++ = *s;
    }
  }
  *p++ = '\'';
  *p = '\0';
  return q;
}

/* cmd without every quoted copy of the subject. */
static char *without(const char *cmd, const char *q) {
  char *out;
  const char *p;
  const char *hit;
  size_t n;

  out = malloc(strlen(cmd) + 1);
  assert_non_null(out);
  n = 0;
  for (p = cmd; (hit = strstr(p, q)) != NULL; p = hit + strlen(q)) {
    memcpy(out + n, p, (size_t)(hit - p));
    n += (size_t)(hit - p);
  }
  strcpy(out + n, p);
  return out;
}

typedef struct run {
  size_t fixes;    /* fixes offered over all rules */
  size_t commands; /* of which with a command */
} run_t;

/* Fills every fix of every rule with value; with forbidden, no command may
 * change the owner, mode or existence of value. */
static void fill_all(const ex_ruleset_t *set, const char *value, int forbidden,
                     run_t *r) {
  const ex_rule_t *rule;
  const ex_fix_t *x;
  ex_explanation_t e;
  subject_t s;
  char *q;
  char *rest;
  size_t i;
  size_t k;

  s.value = value;
  q = value != NULL ? quoted(value) : NULL;
  memset(r, 0, sizeof(*r));
  for (i = 0; i < ex_ruleset_count(set); i++) {
    rule = ex_ruleset_get(set, i);
    memset(&e, 0, sizeof(e));
    assert_int_equal(ex_rule_fixes_add(&e, rule, lookup, &s), 0);
    for (k = 0; k < e.nfixes; k++) {
      x = &e.fixes[k];
      r->fixes++;
      if (x->command == NULL)
        continue;
      r->commands++;
      if (has_empty_word(x->command))
        fail_msg("%s: empty word in: %s", rule->id, x->command);
      if (world_writable(x->command))
        fail_msg("%s: lets everyone write: %s", rule->id, x->command);
      if (forbidden && changes_modes(x->command) &&
          strstr(x->command, q) != NULL)
        fail_msg("%s: changes %s: %s", rule->id, value, x->command);
      if (q != NULL) {
        /* The subject appears only as one quoted word. */
        rest = without(x->command, q);
        if (strstr(rest, "pwned") != NULL || strstr(rest, "$(id)") != NULL)
          fail_msg("%s: the subject is not quoted: %s", rule->id, x->command);
        free(rest);
      }
    }
    ex_explanation_release(&e);
  }
  free(q);
}

static void test_no_subject(void **state) {
  ex_ruleset_t *set;
  run_t absent;
  run_t empty;
  run_t normal;

  (void)state;
  set = all_rules();
  fill_all(set, NULL, 0, &absent);
  fill_all(set, "", 0, &empty);
  fill_all(set, "/tmp/explain-test/out.csv", 0, &normal);
  printf("fixes: %zu with commands of %zu without a subject, %zu of %zu "
         "with one\n",
         absent.commands, absent.fixes, normal.commands, normal.fixes);
  /* Fixes that need no subject stay; those that need one go. */
  assert_true(absent.commands > 50);
  assert_int_equal(absent.fixes, empty.fixes);
  assert_true(normal.commands > absent.commands + 50);
  ex_ruleset_free(set);
}

static void test_system_and_kernel_subjects(void **state) {
  static const char *const subjects[] = {"/",
                                         "/usr",
                                         "/usr/local/lib/node_modules",
                                         "/etc",
                                         "/etc/passwd",
                                         "/bin/sh",
                                         "/sbin",
                                         "/lib",
                                         "/lib64/ld-linux-x86-64.so.2",
                                         "/boot",
                                         "/var/lib/dpkg",
                                         "/var/lib/dpkg/lock-frontend",
                                         "/opt",
                                         "/sys/class/net/lo/address",
                                         "/proc/sys/kernel/core_pattern",
                                         "/sys/fs/cgroup/cgroup.procs",
                                         "/dev/null",
                                         "/sys/kernel/debug/tracing"};
  ex_ruleset_t *set;
  run_t r;
  size_t i;

  (void)state;
  set = all_rules();
  for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
    fill_all(set, subjects[i], 1, &r);
    assert_true(r.commands > 50);
  }
  ex_ruleset_free(set);
}

static void test_hostile_subjects(void **state) {
  static const char *const subjects[] = {
      "x'; touch /tmp/pwned; echo '", "$(id) `touch /tmp/pwned`",
      "a b\nc; rm -rf /tmp/pwned", "-rf /tmp/pwned",
      "\"; touch /tmp/pwned; \""};
  ex_ruleset_t *set;
  run_t r;
  size_t i;

  (void)state;
  set = all_rules();
  for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
    fill_all(set, subjects[i], 0, &r);
  ex_ruleset_free(set);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_subject),
      cmocka_unit_test(test_system_and_kernel_subjects),
      cmocka_unit_test(test_hostile_subjects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
